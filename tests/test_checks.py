"""The validation gate (arxiv_digest.analysis.checks): each check with an answer that passes and one that fails.

Pure functions, no HTTP. The reasons asserted are the texts a site owner reads on a pending paper.
"""

from __future__ import annotations

import re

import pytest

from arxiv_digest import i18n
from arxiv_digest.analysis import checks
from arxiv_digest.analysis.checks import Invalid
from arxiv_digest.analysis.llm.tasks import fields_schema
from arxiv_digest.config import DigestConfig

ZH_BODY = ("本文提出一种用于单目视频的三维重建方法，通过引入时序一致的深度先验与可微渲染，在多个公开数据集上"
           "显著提升了重建精度与速度。方法先估计每帧深度，再以高斯表示融合多帧信息，最后联合优化相机位姿与几何。"
           "实验表明该方法在室内与室外场景中均优于现有方法，且对快速运动具有较好的鲁棒性。")
EN_BODY = ("The paper reconstructs dynamic scenes from a single video by combining a temporally consistent depth "
           "prior with differentiable rendering. Frames are fused into a Gaussian representation, and camera poses "
           "and geometry are optimized jointly. Experiments on indoor and outdoor scenes show higher accuracy.")


def reason_of(call, *args, **kwargs) -> str:
    with pytest.raises(Invalid) as caught:
        call(*args, **kwargs)
    return str(caught.value)


# ----------------------------------------------------------------------------- cut-off answers


def test_complete_answer_passes():
    assert checks.check_complete("stop") is None


@pytest.mark.parametrize("finish, reason", [
    (None, "answer ended without a finish_reason (cut off)"),  # a stream cut before its last chunk
    ("content_filter", "answer did not end normally (finish_reason=content_filter)"),  # OpenAI, Gemini
    ("sensitive", "answer did not end normally (finish_reason=sensitive)"),  # Zhipu GLM
    ("network_error", "answer did not end normally (finish_reason=network_error)"),  # Zhipu GLM
    ("error", "answer did not end normally (finish_reason=error)"),  # OpenRouter
])
def test_only_a_normal_stop_is_complete(finish, reason):
    assert reason_of(checks.check_complete, finish) == reason


def test_answer_cut_at_max_tokens_fails():
    assert reason_of(checks.check_complete, "length") == "answer cut off at max_tokens (finish_reason=length)"
    # However well the text reads, a cut-off answer is not complete.
    assert reason_of(checks.check_text, ZH_BODY, "length", "zh").startswith("answer cut off at max_tokens")


# ----------------------------------------------------------------------------- free text: empty, refusals, placeholders


@pytest.mark.parametrize("language, body", [("zh", ZH_BODY), ("en", EN_BODY)])
def test_analysis_in_the_site_language_passes_stripped(language, body):
    assert checks.check_text(f"\n  {body}  \n", "stop", language) == body


@pytest.mark.parametrize("text", ["", "   \n\t", None])
def test_empty_answer_fails(text):
    assert reason_of(checks.check_text, text, "stop", "zh") == "empty answer"


@pytest.mark.parametrize("language, text", [
    ("zh", "好的，我将为您分析这篇论文。请提供论文的文本内容，我会按照您的框架给出详细解读。"),
    ("en", "Sure. Please provide the paper you would like me to analyze, and I will follow your structure."),
])
def test_request_for_the_paper_text_fails(language, text):
    assert reason_of(checks.check_text, text, "stop", language) == "asks for the paper text instead of analysing it"


@pytest.mark.parametrize("language, text", [
    ("zh", "抱歉，我无法访问该论文的链接，因此不能对其进行分析。"),
    ("en", "I'm sorry, but I cannot access external links or PDF files, so I cannot analyze this paper."),
    ("en", "As an AI language model, I do not have access to the internet to read this paper."),
])
def test_refusal_fails(language, text):
    assert reason_of(checks.check_text, text, "stop", language) == "refuses or says it cannot access the paper"


def test_refusal_sentence_inside_a_long_analysis_passes():
    text = ZH_BODY * 3 + "\n\n如需更深入的分析，请提供论文全文。"
    assert checks.check(text) is None
    assert checks.check_text(text, "stop", "zh") == text


@pytest.mark.parametrize("text, quoted", [
    ("## 摘要翻译\n\n[在此处插入摘要翻译]\n\n" + ZH_BODY, "[在此处插入摘要翻译]"),
    (EN_BODY + "\n\n[Insert your analysis here]", "[Insert your analysis here]"),
    (ZH_BODY + "\n\n### 局限性\n\n待补充", "待补充"),
])
def test_placeholder_fails_quoting_it(text, quoted):
    language = "en" if text.startswith("The") else "zh"
    assert reason_of(checks.check_text, text, "stop", language) == f"contains placeholder text ({quoted})"


def test_markdown_link_in_brackets_is_not_a_placeholder():
    assert checks.check("See [Your model](https://example.com/m) for details. " + EN_BODY) is None


def test_too_short_analysis_fails_but_a_short_field_passes():
    text = "本文提出了一种高效的三维重建方法。"
    assert reason_of(checks.check_text, text, "stop", "zh") == f"too short to be an analysis ({len(text)} characters)"
    assert checks.check_text(text, "stop", "zh", short=True) == text


def test_short_field_is_still_checked_for_refusals():
    assert reason_of(checks.check_text, "Please provide the abstract.", "stop", "en",
                     short=True) == "asks for the paper text instead of analysing it"


def test_verdict_kinds():
    assert checks.check("   \n---\n  ").kind == "empty"
    assert checks.check("TODO").kind == "placeholder"
    assert checks.check("好的，我将分析这篇论文。").kind == "too_short"
    assert checks.check(ZH_BODY) is None


# ----------------------------------------------------------------------------- language share


def test_cjk_share_counts_han_against_half_the_latin_letters():
    assert checks.cjk_share("中文文本") == 1.0
    assert checks.cjk_share("English text") == 0.0
    assert checks.cjk_share("12345 !?") == 0.0
    assert checks.cjk_share("三维重建 NeRF") == pytest.approx(4 / (4 + 4 / 2))


def test_english_answer_to_a_chinese_site_fails():
    reason = reason_of(checks.check_text, EN_BODY, "stop", "zh")
    assert re.fullmatch(r"answer is not in Chinese \(CJK share 0\.00\)", reason), reason


def test_chinese_answer_to_an_english_site_fails():
    reason = reason_of(checks.check_text, ZH_BODY, "stop", "en")
    assert re.fullmatch(r"answer is not in English \(CJK share 1\.00\)", reason), reason


def test_chinese_with_english_terms_passes_a_chinese_site():
    text = ZH_BODY + " 方法基于 3D Gaussian Splatting 与 NeRF。"
    assert checks.cjk_share(text) >= 0.3
    assert checks.check_text(text, "stop", "zh") == text


# ----------------------------------------------------------------------------- sections


SECTIONS = i18n.sections("zh", "summary")


def test_all_sections_as_headings_pass():
    text = "\n\n".join(f"### {s}\n- 内容" for s in SECTIONS)
    assert checks.check_sections(text, SECTIONS) is None


def test_numbered_headings_of_any_level_and_case_pass():
    text = "## 1. MAIN THEMES\n\n#### 2) Highlights of the day\n\n# Emerging directions\n\n###### Reading List"
    assert checks.check_sections(text, i18n.sections("en", "summary")) is None


def test_missing_section_fails_naming_it():
    text = "\n\n".join(f"### {s}\n- 内容" for s in SECTIONS[:-1])
    assert reason_of(checks.check_sections, text, SECTIONS) == f"missing sections: {SECTIONS[-1]}"


def test_section_title_only_in_the_text_is_missing():
    text = f"### {SECTIONS[0]}\n\n本期{SECTIONS[1]}很多。"
    assert reason_of(checks.check_sections, text, SECTIONS[:2]) == f"missing sections: {SECTIONS[1]}"


def test_bold_lines_are_not_headings():
    # The gate accepts Markdown headings only: "**主要主题**" on a line of its own does not count.
    text = "\n\n".join(f"**{s}**\n- 内容" for s in SECTIONS)
    assert reason_of(checks.check_sections, text, SECTIONS) == f"missing sections: {', '.join(SECTIONS)}"


# ----------------------------------------------------------------------------- numbers


def test_numbers_are_normalised():
    assert checks.numbers("up by 12.5%, 1,000 images, 3 views, v2") == {"12.5", "1000", "3"}


def test_tldr_with_the_paper_s_numbers_passes():
    source = "Our model reaches 87.3% accuracy on 1,000 scenes with 12 views."
    assert checks.check_numbers("87.3 accuracy on 1000 scenes, 12 views, 3x faster", source) is None


def test_tldr_with_numbers_not_in_the_paper_fails():
    source = "Our model reaches 87.3% accuracy."
    assert reason_of(checks.check_numbers, "reaches 91.2% accuracy, 40 points up, 5 times faster",
                     source) == "TL;DR has numbers not in the paper: 40, 91.2"


# ----------------------------------------------------------------------------- JSON answers


SCHEMA = fields_schema(["Video", "3D Vision"], 2)
FIELDS = {"tldr": "本文提出一种视频三维重建方法。", "tags": ["Video"], "key_contributions": ["时序一致的深度先验"]}


def test_json_in_a_code_fence_or_prose_parses():
    assert checks.parse_json('```json\n{"a": 1}\n```') == {"a": 1}
    assert checks.parse_json('Here it is: {"a": {"b": 2}} hope this helps') == {"a": {"b": 2}}


def test_answer_without_json_fails():
    assert reason_of(checks.parse_json, "no JSON here").startswith("answer is not valid JSON (")
    assert reason_of(checks.parse_json, '{"tldr": "cut').startswith("answer is not valid JSON (")


def test_json_matching_the_schema_passes():
    import json

    assert checks.check_json(json.dumps(FIELDS, ensure_ascii=False), "stop", SCHEMA, "JSON") == FIELDS


def test_json_not_matching_the_schema_fails():
    import json

    data = {**FIELDS, "tags": ["Cooking"]}
    reason = reason_of(checks.check_json, json.dumps(data), "stop", SCHEMA, "relevance JSON")
    assert reason.startswith("relevance JSON does not match the schema: 'Cooking' is not one of"), reason


def test_cut_off_json_fails_as_cut_off():
    assert reason_of(checks.check_json, '{"tldr": "x"', "length", SCHEMA,
                     "JSON") == "answer cut off at max_tokens (finish_reason=length)"


def test_empty_json_answer_fails():
    assert reason_of(checks.check_json, None, "stop", SCHEMA, "JSON").startswith("answer is not valid JSON (")


# ----------------------------------------------------------------------------- dates of a day summary


@pytest.mark.parametrize("text", [
    "2026 年 1 月 26 日的日报聚焦三维视觉。",
    "本期（1月26日）聚焦三维视觉。",
    "Digest of 2026-01-26: 3D vision. Papers of 2026/1/26.",
    "没有写日期的摘要。",
])
def test_summary_dated_with_the_digest_date_passes(text):
    assert checks.check_dates(text, "2026-01-26") is None


@pytest.mark.parametrize("text, wrong", [
    ("2026 年 1 月 23 日提交的论文……", "2026-01-23"),
    ("本期（1月23日）聚焦三维视觉，另见 1 月 22 日。", "2026-01-22, 2026-01-23"),
    ("Digest of 2026-01-23.", "2026-01-23"),
    ("2025/12/31 之前的工作", "2025-12-31"),
])
def test_summary_dated_with_another_day_fails(text, wrong):
    assert reason_of(checks.check_dates, text,
                     "2026-01-26") == f"summary is dated {wrong} instead of the digest date 2026-01-26"


# ----------------------------------------------------------------------------- section titles live in i18n


class ScriptedClient:
    """Stands in for the HTTP client: records the prompts, answers from a script."""

    def __init__(self, answer: str) -> None:
        self.answer, self.prompts = answer, []

    def chat(self, model, system, user, usage, schema=None):
        self.prompts.append(user)
        return self.answer, "stop"


def summary_analyzer(answer: str):
    from arxiv_digest.analysis.llm import Analyzer

    config = DigestConfig()
    config.load_dict({"llm": {"base_url": "http://127.0.0.1:9/v1", "attempts": 1}})
    assert config.validate()[0] == []
    analyzer = Analyzer(config)
    analyzer.client = ScriptedClient(answer)
    return analyzer


def summary_answer(sections: list[str]) -> str:
    return "\n\n".join(f"### {s}\n\n- 2026 年 1 月 26 日：{ZH_BODY}" for s in sections)


PAPERS = [{"id": "2601.00001", "title": "A paper", "tags": ["Video"], "analysis": {"tldr": "一句话"}}]


def test_summary_prompt_and_check_read_section_titles_from_i18n(monkeypatch):
    renamed = [*SECTIONS[:1], "重点论文", *SECTIONS[2:]]
    real = i18n.texts("zh")
    monkeypatch.setattr(i18n, "texts", lambda language: {**real, "sections": {**real["sections"], "summary": renamed}}
                        if language == "zh" else real)

    analyzer = summary_analyzer(summary_answer(renamed))
    summary = analyzer.summary("2026-01-26", PAPERS, usage=None)
    prompt = analyzer.client.prompts[0]
    assert "### 重点论文" in prompt and f"### {SECTIONS[1]}" not in prompt
    assert all(f"### {s}" in prompt for s in renamed)
    assert summary["markdown"] == summary_answer(renamed) + "\n"

    # An answer with the old title is now the one missing a section.
    analyzer = summary_analyzer(summary_answer(SECTIONS))
    assert reason_of(analyzer.summary, "2026-01-26", PAPERS, usage=None) == "missing sections: 重点论文"


def test_summary_prompt_keeps_each_section_s_instructions():
    analyzer = summary_analyzer(summary_answer(SECTIONS))
    analyzer.summary("2026-01-26", PAPERS, usage=None)
    prompt = analyzer.client.prompts[0]
    assert f"### {SECTIONS[0]}\n（3–5 条" in prompt and f"### {SECTIONS[-1]}\n（按推荐顺序" in prompt
