"""Answer normalisation (analysis/answers.py), the stricter gate on it, provider profiles and what a run
learns from errors (analysis/llm/providers.py): pure functions, no server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from arxiv_digest import i18n
from arxiv_digest.analysis import answers, checks
from arxiv_digest.analysis.checks import Invalid
from arxiv_digest.analysis.llm import providers
from arxiv_digest.config import PROVIDERS, LLMConfig
from arxiv_digest.model import Provenance, Status, is_final, is_publishable, unpublishable_reason

SECTIONS = i18n.sections("zh", "abstract")
PARA = "本文提出了一种新的三维重建方法，在多个公开基准上显著提升了精度与速度，并讨论了方法的局限性与未来方向。" * 2
DIGESTS = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "digests"


def answer(heading) -> str:
    return "\n\n".join(f"{heading(i, s)}\n\n{PARA}" for i, s in enumerate(SECTIONS, 1))


def llm_config(**options) -> LLMConfig:
    config = LLMConfig()
    config.load_dict(options)
    assert config.validate()[0] == []
    return config


@pytest.mark.parametrize("heading", [
    lambda i, s: f"### {i}. {s}",
    lambda i, s: f"# {s}",
    lambda i, s: f"#### {i}、{s}",
    lambda i, s: f"**{i}. {s}**",
    lambda i, s: f"**{i}. {s}（2-3句话）：**",
    lambda i, s: f"__{s}__",
    lambda i, s: f"{i}. {s}",
    lambda i, s: f"{'一二三四五'[i - 1]}、{s}",
], ids=["h3-numbered", "h1", "h4-dun", "bold", "bold-with-note", "underscore-bold", "numbered", "chinese-numbered"])
def test_headings_in_any_accepted_form_become_the_sites_form(heading):
    text = checks.check_analysis("好的，以下是对这篇论文的分析。\n\n" + answer(heading), "stop", "zh", SECTIONS)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [f"### {i}. {s}" for i, s in enumerate(SECTIONS, 1)]
    assert text.startswith("### 1. ") and "好的" not in text and PARA in text


def test_bold_heading_with_text_on_the_same_line_keeps_the_text():
    text = "\n\n".join(f"**{i}. {s}：** {PARA}" for i, s in enumerate(SECTIONS, 1))
    out = answers.normalize_sections(text, SECTIONS)
    assert out.count(PARA) == len(SECTIONS) and out.startswith(f"### 1. {SECTIONS[0]}\n\n{PARA}")


def test_legacy_digest_model_output_is_recognised():
    """The legacy digests' own model output uses bold numbered headings (``**1. 论文的主要贡献（…）**``)."""
    lines = (DIGESTS / "2026-02-06.md").read_text(encoding="utf-8").splitlines()
    block = "\n".join(lines[80:112])  # one paper's analysis, "**1. 论文的主要贡献（…）**" to "**5. …局限性**"
    titles = ["论文的主要贡献", "关键创新或方法论", "对该领域的潜在影响", "可能受益于此研究的相关领域或应用",
              "从摘要中可以推断出的局限性"]
    out = answers.normalize_sections(block, titles)
    assert [line for line in out.splitlines() if line.startswith("#")] == \
        [f"### {i}. {t}" for i, t in enumerate(titles, 1)]
    assert "Drifting Models" in out


def test_a_list_item_mentioning_a_title_is_no_heading():
    text = f"1. 本文在{SECTIONS[0]}方面做出了很多很多很多很多很多很多很多很多很多很多很多很多很多的工作，值得一读。"
    assert answers.normalize_sections(text, SECTIONS[:1]) == text


@pytest.mark.parametrize("raw", [
    "<think>\n嗯，我先想想。\n</think>\n\n{body}",
    "嗯，我先想想。\n</think>\n\n{body}",  # thinking-only template: <think> was in the prompt
    "<think>a</think><think>b</think>{body}",
    "<thinking>reasoning</thinking>{body}",
    "◁think▷推理◁/think▷{body}",
    "<THINK >x</ think>{body}",
])
def test_reasoning_is_removed_in_all_its_forms(raw):
    body = answer(lambda i, s: f"### {i}. {s}")
    text = checks.check_analysis(raw.format(body=body), "stop", "zh", SECTIONS)
    assert text == body.strip() and "想" not in text and "think" not in text.lower()


def test_unclosed_reasoning_is_no_answer():
    assert str(pytest.raises(Invalid, checks.check_analysis, "<think>我在想……" + PARA, "stop", "zh",
                             SECTIONS).value) == "answer is reasoning only (think tag never closed)"


@pytest.mark.parametrize("raw", [
    '{"ok": true}',
    'Sure! Here is the JSON:\n```json\n{"ok": true}\n```\nHope this helps.',
    '<think>{"draft": 1}</think>\n```\n{"ok": true}\n```',
    'Here you go: {"ok": true} — done.',
])
def test_json_inside_fences_or_after_a_lead_in(raw):
    assert checks.parse_json(raw) == {"ok": True}


def test_a_missing_section_is_named():
    body = answer(lambda i, s: f"**{i}. {s}**").replace(f"**3. {SECTIONS[2]}**", "")
    with pytest.raises(Invalid, match=rf"^missing sections: {SECTIONS[2]}$"):
        checks.check_analysis(body, "stop", "zh", SECTIONS)


# ----------------------------------------------------------------------------- the gate at build time


def done(body: str, gate: int | None = None, provenance: str = Provenance.LLM) -> dict:
    analysis = {"status": Status.DONE, "provenance": provenance, "body": body, "tldr": "本文提出了新方法。",
                "key_findings": ["贡献"]}
    if gate is not None:
        analysis["gate"] = gate
    return analysis


def test_stored_analyses_pass_the_current_gate_again():
    good = answer(lambda i, s: f"### {i}. {s}")
    assert is_publishable(done(good)) and is_final(done(good))
    thought = done("<think>推理</think>\n" + good)
    assert not is_publishable(thought) and not is_final(thought)  # never shown, redone by the next analyze
    assert unpublishable_reason(thought) == "stored analysis carries model reasoning (think tags)"
    lead_in = done("Sure! Here is the analysis.\n\n" + good)
    assert unpublishable_reason(lead_in) == "stored analysis has text before its first section heading"
    # Imported legacy analyses keep their own heading forms; only reasoning is held against them.
    assert is_publishable(done("**1. 贡献**\n\n" + PARA, provenance=Provenance.IMPORTED))
    tagged = {**done(good), "tldr": "<think>x</think>本文"}
    assert not is_publishable(tagged)
    # A paper's own "<think>plan</think>" output format, quoted as code, is a mention (legacy digest 2602.15772).
    quoted = good + "\n该模型以`<think>plan</think>`的格式输出推理计划。\n"
    assert is_publishable(done(quoted))
    assert not is_publishable(done(good + "\n该模型以<think>plan</think>的格式输出。\n"))
    # An analysis that passed this gate when stored is not checked again.
    assert is_publishable(done("Sure!\n" + good, gate=checks.GATE))


# ----------------------------------------------------------------------------- provider profiles


@pytest.mark.parametrize("base_url, model, name", [
    ("https://api.openai.com/v1", "gpt-4o-mini", "openai"),
    ("https://myorg.openai.azure.com/openai/deployments/x", "gpt-4o", "openai"),
    ("https://api.deepseek.com", "deepseek-chat", "deepseek"),
    ("https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus", "dashscope"),
    ("https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "qwen-plus", "dashscope"),
    ("http://127.0.0.1:11434/v1", "qwen3:8b", "ollama"),
    ("https://openrouter.ai/api/v1", "deepseek/deepseek-r1", "openrouter"),
    ("https://generativelanguage.googleapis.com/v1beta/openai/", "gemini-2.5-flash", "gemini"),
    ("https://api.moonshot.cn/v1", "kimi-k2.6", "moonshot"),
    ("https://open.bigmodel.cn/api/paas/v4", "glm-4.6", "zhipu"),
    ("https://api.siliconflow.cn/v1", "Qwen/Qwen3-8B", "siliconflow"),
    ("http://127.0.0.1:8000/v1", "Qwen/Qwen3-8B", "generic"),
])
def test_auto_detects_the_provider_from_the_host(base_url, model, name):
    assert providers.detect(base_url, model) == name


def test_profiles_and_options():
    body = providers.Provider(llm_config(provider="openai", model="o3")).body("o3", "s", "u", {"type": "object"})
    assert "max_completion_tokens" in body and "max_tokens" not in body and "temperature" not in body
    assert body["response_format"]["type"] == "json_schema"
    body = providers.Provider(llm_config(provider="dashscope")).body("qwq-plus", "s", "u")
    assert body["stream"] is True and body["extra_body"] == {"enable_thinking": False}
    body = providers.Provider(llm_config(provider="vllm", extra_body={"top_k": 20})).body("m", "s", "u")
    assert body["extra_body"] == {"chat_template_kwargs": {"enable_thinking": False}, "top_k": 20}
    extra = {"chat_template_kwargs": {"reasoning_budget": 0}}
    body = providers.Provider(llm_config(provider="vllm", extra_body=extra)).body("m", "s", "u")
    assert body["extra_body"] == {"chat_template_kwargs": {"enable_thinking": False, "reasoning_budget": 0}}
    extra = {"chat_template_kwargs": {"enable_thinking": True}}  # extra_body wins over the profile
    body = providers.Provider(llm_config(provider="vllm", extra_body=extra)).body("m", "s", "u")
    assert body["extra_body"] == extra
    # Every setting has an option that wins over the profile.
    config = llm_config(provider="vllm", thinking="default", token_parameter="max_completion_tokens",
                        send_temperature=False, structured_output="prompt", stream=False)
    body = providers.Provider(config).body("m", "s", "u", {"type": "object"})
    assert set(body) == {"model", "messages", "max_completion_tokens"}
    assert set(providers.PROFILES) == set(PROVIDERS) - {"auto"}  # every option value has a profile


def test_the_result_key_holds_every_setting_that_changes_an_answer():
    key = providers.settings_key(llm_config(), "m")
    for options in ({"extra_body": {"enable_thinking": False}}, {"max_tokens": 2048}, {"provider": "vllm"},
                    {"temperature": 0.7}, {"thinking": "default", "provider": "vllm"}):
        assert providers.settings_key(llm_config(**options), "m") != key, options
    assert providers.settings_key(llm_config(concurrency=2, timeout=5), "m") == key


@pytest.mark.parametrize("status, message, option", [
    (400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' "
          "instead.", "token_parameter: max_completion_tokens"),
    (400, "invalid temperature: only 1 is allowed for this model", "send_temperature: false"),
    (400, "This model only support stream mode, please enable the stream parameter.", "stream: true"),
    (400, "parameter.enable_thinking must be set to false for non-streaming calls", "stream: true"),
    (501, "response_format json_schema: keyword 'maxItems' is not supported", "structured_output: json_object"),
    (422, "Unknown field chat_template_kwargs", "thinking: default"),
])
def test_a_refusal_is_learned_once_with_the_option_to_set(status, message, option):
    provider = providers.Provider(llm_config(provider="vllm"))
    body = provider.body("m", "s", "u", {"type": "object"})
    note = provider.learn(body, status, message)
    assert note and f"set llm.{option}" in note
    assert provider.learn(body, status, message) == ""  # reported once
    assert provider.learned() == [note]
    assert provider.body("m", "s", "u", {"type": "object"}) != body


def test_an_error_that_says_nothing_to_change_is_not_learned():
    provider = providers.Provider(llm_config())
    assert provider.learn(provider.body("m", "s", "u"), 400, "Bad request: messages too short") is None


def test_extra_body_may_not_set_what_the_profile_sets():
    config = LLMConfig()
    config.load_dict({"extra_body": {"max_completion_tokens": 5}})
    failed = config.validate()[0]
    assert failed and re.search(r"llm\.token_parameter", str(failed[0][1]))
