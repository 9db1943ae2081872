"""The offline extractive analyzer (arxiv_digest.analysis.offline) and the keyword tagger it uses.

Pure functions, no HTTP: sentences of an abstract, the TL;DR and key findings picked from them,
tags from the taxonomy, and the day summary whose texts come from i18n.
"""

from __future__ import annotations

import pytest

from arxiv_digest import i18n
from arxiv_digest.analysis import offline
from arxiv_digest.analysis.taxonomy import DEFAULT_TAXONOMY, keyword_pattern, match_tags

ABSTRACT = ("Prior methods (Smith et al. 2020) are slow, e.g. on 4K video. Fig. 2 shows it.  We propose FastRecon, "
            "i.e. a reconstruction model, and compare it vs. NeRF. It runs 3.5 times faster! Does it generalize? "
            "yes, on most scenes. Experiments show it outperforms baselines by 12%.")


# ----------------------------------------------------------------------------- sentences


def test_sentences_do_not_break_at_abbreviations_or_decimals():
    assert offline.sentences(ABSTRACT) == [
        "Prior methods (Smith et al. 2020) are slow, e.g. on 4K video.",
        "Fig. 2 shows it.",
        "We propose FastRecon, i.e. a reconstruction model, and compare it vs. NeRF.",
        "It runs 3.5 times faster!",
        "Does it generalize? yes, on most scenes.",  # a lower-case word does not start a sentence
        "Experiments show it outperforms baselines by 12%.",
    ]


def test_sentences_collapse_whitespace_and_skip_empty_text():
    assert offline.sentences("First line\n  wraps here.\n\nSecond (one).") == ["First line wraps here.", "Second (one)."]
    assert offline.sentences("   ") == []


# ----------------------------------------------------------------------------- TL;DR and key findings


def test_tldr_is_the_contribution_sentence():
    assert offline.tldr(ABSTRACT) == "We propose FastRecon, i.e. a reconstruction model, and compare it vs. NeRF."
    assert offline.tldr("Video models are costly. In this paper, a new sampler is introduced and we present "
                        "results.") == "In this paper, a new sampler is introduced and we present results."


def test_tldr_without_a_contribution_sentence_is_the_first_sentence():
    assert offline.tldr("Depth is hard. Many methods exist.") == "Depth is hard."
    assert offline.tldr("") == ""


def test_key_findings_are_the_claim_sentences_in_order_without_the_tldr():
    # "We propose FastRecon …" is a claim too, but it is the TL;DR: a card would show it twice.
    assert offline.key_findings(ABSTRACT) == ["Experiments show it outperforms baselines by 12%."]
    claims = "We show A. We find B. We observe C. We demonstrate D."
    assert offline.tldr(claims) == "We show A."  # no contribution sentence: the first one
    assert offline.key_findings(claims) == ["We find B.", "We observe C.", "We demonstrate D."]
    assert offline.key_findings(claims, limit=1) == ["We find B."]


@pytest.mark.parametrize("opener", ["To address this, ", "Based on this, ", "To this end, ", "Finally, based on the "
                                    "analysis above, ", "Inspired by recent work showing that A, B and C, "])
def test_tldr_drops_a_clause_that_points_at_sentences_the_reader_does_not_see(opener):
    abstract = f"Depth is hard. Prior work fails. {opener}we propose DepthX, a depth model."
    assert offline.tldr(abstract) == "We propose DepthX, a depth model."
    assert offline.key_findings(abstract) == []


def test_tldr_keeps_a_subject_that_starts_the_sentence():
    assert offline.tldr("In this work, we introduce X. It is good.") == "In this work, we introduce X."
    assert offline.tldr("To do A we propose B.") == "To do A we propose B."  # no clause ends before the subject
    assert offline.key_findings("Depth is hard. Many methods exist.") == []


# ----------------------------------------------------------------------------- tags


PAPER = {"id": "2601.00001", "title": "Gaussian Splatting for video",
         "abstract": "We track objects in video with 3D Gaussian Splatting and a diffusion prior.",
         "categories": ["cs.CV", "cs.GR"]}


def test_tags_are_taxonomy_tags_by_evidence_then_the_categories():
    # 3D Vision and Video: in the title and the abstract's one sentence; Generative Models ("diffusion"): in that
    # sentence only, not enough evidence (tests/test_tags.py has the rule).
    assert offline.tags_for(PAPER, DEFAULT_TAXONOMY, 1) == ["3D Vision", "cs.CV", "cs.GR"]
    assert offline.tags_for(PAPER, DEFAULT_TAXONOMY, 5) == ["3D Vision", "Video", "cs.CV", "cs.GR"]


def test_keywords_match_whole_words_and_chinese_anywhere():
    assert keyword_pattern("SAM").search("we use SAM here") and not keyword_pattern("SAM").search("SAMPLE and same")
    assert keyword_pattern("point cloud").search("Point-Cloud data")
    assert keyword_pattern("三维").search("基于三维重建")
    taxonomy = {"A": ["alpha"], "B": ["beta"], "C": ["gamma"]}
    assert match_tags("Beta", ["A beta.", "An alpha.", "Alpha, alpha."], taxonomy, 5) == ["B", "A"]  # most first
    assert match_tags("Gamma", ["An alpha.", "Alpha, beta."], taxonomy, 5) == ["A", "C"]  # ties in taxonomy order
    assert match_tags("Nothing", ["Nothing here."], taxonomy, 5) == []


def test_analyze_offline_keeps_existing_tags_and_analysis():
    done = offline.analyze_offline(PAPER, DEFAULT_TAXONOMY, 2)
    assert done["tags"] == ["3D Vision", "Video", "cs.CV", "cs.GR"]
    assert done["analysis"] == {"status": "done", "provenance": "offline", "tldr": PAPER["abstract"],
                                "key_findings": [], "body": None, "reason": None}
    llm = {**PAPER, "tags": ["Robotics & Embodied AI"], "analysis": {"status": "done", "provenance": "llm"}}
    assert offline.analyze_offline(llm, DEFAULT_TAXONOMY, 2) == llm
    assert "tags" not in PAPER  # the input is not changed


# ----------------------------------------------------------------------------- the day summary


DAY = [{**PAPER, "tags": ["Video", "3D Vision", "cs.CV"], "code_links": ["https://github.com/a/b"]},
       {"id": "2601.00002", "title": "Edits of [b] *c* <i>", "tags": ["Video"]}]


def test_offline_summary_in_english():
    summary = offline.offline_summary(DAY, ["cs.CV", "cs.RO"], "en", DEFAULT_TAXONOMY)
    assert summary == {"provenance": "offline", "markdown": "\n".join([
        "This digest holds 2 papers (cs.CV, cs.RO).", "",
        "### Main themes", "", "- **Video**: 2 papers", "- **3D Vision**: 1 papers", "",
        "### Highlights", "", "Papers with code or a project page:", "",
        "- [1. Gaussian Splatting for video](#2601.00001)", "",
        "### Reading list", "",
        "1. [Gaussian Splatting for video](#2601.00001)",
        "2. [Edits of \\[b\\] \\*c\\* \\<i\\>](#2601.00002)",  # titles cannot close the link or open HTML
    ]) + "\n"}


def test_offline_summary_in_chinese_without_themes_or_code():
    markdown = offline.offline_summary([{"id": "2601.00003", "title": "T", "tags": ["cs.CV"]}], ["cs.CV"], "zh",
                                       DEFAULT_TAXONOMY)["markdown"]
    assert markdown.splitlines() == ["本期共收录 1 篇论文（cs.CV）。", "", "### 主要主题", "", "- 无", "",
                                     "### 值得关注", "", "公开了代码或项目主页的论文：", "", "- 无", "",
                                     "### 阅读清单", "", "1. [T](#2601.00003)"]


def test_offline_summary_texts_come_from_i18n(monkeypatch):
    real = i18n.texts("en")
    texts = {**real, "offline": {**real["offline"], "themes": "Topics", "none": "nothing",
                                 "summary_intro": "{n} papers in {cats}."}}
    monkeypatch.setattr(i18n, "texts", lambda language: texts)
    lines = offline.offline_summary([{"id": "x", "title": "T"}], ["cs.CV"], "en", DEFAULT_TAXONOMY)["markdown"].splitlines()
    assert lines[:5] == ["1 papers in cs.CV.", "", "### Topics", "", "- nothing"]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_language_has_the_offline_texts(language):
    keys = {"summary_intro", "themes", "themes_line", "highlights", "with_code", "reading", "none"}
    assert set(i18n.texts(language)["offline"]) == keys
