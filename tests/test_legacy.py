"""Tests of the legacy digest importer (arxiv_digest.importers.legacy) and of refusal detection.

Expected values were read from the fixture files by hand (sed/grep), not
taken from the parser's output.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

try:
    import arxiv_digest  # noqa: F401
except ImportError:  # not installed yet: plugin/ is the source root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugin"))

from arxiv_digest.importers.legacy import LegacyDigest, NotADigest, Problem, parse_arxiv_id, parse_digest
from arxiv_digest.analysis.checks import check
from support import DIGEST_FIXTURES as FIXTURES

# Analyses that are refusals, found by reading the three files: each asks for
# the paper instead of analysing it ("请提供论文的文本内容", "请提供论文内容",
# "请提供您希望我分析的论文"). Every other analysis is a real one.
REFUSALS = {
    "2026-01-26.md": ["2601.16690"],
    "2026-02-06.md": ["2602.06034"],
    "2026-02-18.md": ["2602.14662"],
}

TOC_ORDER = {
    "2026-01-26.md": [
        "2601.16982",
        "2601.16981",
        "2601.16973",
        "2601.16914",
        "2601.16895",
        "2601.16885",
        "2601.16874",
        "2601.16763",
        "2601.16736",
        "2601.16690",
    ],
    "2026-02-06.md": [
        "2602.04770",
        "2602.06043",
        "2602.06042",
        "2602.06041",
        "2602.06040",
        "2602.06037",
        "2602.06034",
        "2602.06032",
        "2602.06028",
        "2602.06013",
    ],
    "2026-02-18.md": [
        "2602.14662",
        "2602.15828",
        "2602.15772",
        "2602.15755",
        "2602.15733",
        "2602.15727",
        "2602.15720",
        "2602.15645",
        "2602.15584",
        "2602.15556",
    ],
}

RECORD_KEYS = {
    "id",
    "version",
    "title",
    "authors",
    "published",
    "updated",
    "categories",
    "primary_category",
    "abstract",
    "comment",
    "journal_ref",
    "doi",
    "links",
    "code_links",
    "tags",
    "analysis",
}
ANALYSIS_KEYS = {"status", "provenance", "tldr", "key_findings", "body", "reason", "source"}


def read(name: str) -> str:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"fixture {path} not available")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def digests() -> dict[str, LegacyDigest]:
    return {name: parse_digest(read(name), f"digests/{name}") for name in TOC_ORDER}


def by_id(digest: LegacyDigest) -> dict[str, dict]:
    return {p["id"]: p for p in digest.papers}


# --- the three real digests ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TOC_ORDER))
def test_fixture_digests_give_ten_complete_papers_in_toc_order(digests, name):
    d = digests[name]
    assert d.date == name[:-3]
    assert len(d.papers) == 10
    assert d.problems == [], [str(p) for p in d.problems]
    # table of contents order == paper order == what the ToC of the file lists
    toc_in_file = [parse_arxiv_id(t)[0] for t in re.findall(r"^\d+\. \[.*\]\(#([^)]+)\)$", read(name), re.M)]
    assert toc_in_file == TOC_ORDER[name]
    assert d.toc == TOC_ORDER[name]
    assert [p["id"] for p in d.papers] == TOC_ORDER[name]
    for p in d.papers:
        assert set(p) == RECORD_KEYS
        assert set(p["analysis"]) == ANALYSIS_KEYS
        assert p["version"] == 1
        assert p["tags"] == []
        assert p["comment"] is None and p["journal_ref"] is None and p["doi"] is None
        assert p["primary_category"] == p["categories"][0]
        assert p["updated"] == p["published"]
        assert p["links"] == {
            "abs": f"https://arxiv.org/abs/{p['id']}v1",
            "pdf": f"https://arxiv.org/pdf/{p['id']}v1",
        }
        assert p["analysis"]["provenance"] == "imported"
        assert p["analysis"]["source"] == f"legacy digest {name}"
        assert p["analysis"]["tldr"] is None
        assert p["abstract"] and "\n\n" not in p["abstract"]  # one paragraph each in these files
        assert p["analysis"]["key_findings"]


@pytest.mark.parametrize("name", sorted(TOC_ORDER))
def test_fixture_refusals_are_pending_and_keep_their_key_findings(digests, name):
    d = digests[name]
    pending = [p["id"] for p in d.papers if p["analysis"]["status"] == "pending"]
    assert pending == REFUSALS[name]
    for p in d.papers:
        a = p["analysis"]
        if p["id"] in REFUSALS[name]:
            assert a["body"] is None
            assert a["reason"].startswith("imported analysis is a refusal: ")
            assert "asks for the paper" in a["reason"]
            assert a["key_findings"]  # the Key Findings are still imported
        else:
            assert a["status"] == "done" and a["reason"] is None
            assert len(a["body"]) > 2000


def test_executive_summary_is_kept_whole_past_a_rule(digests):
    s = digests["2026-01-26.md"].summary
    assert s.startswith("好的，这是一份针对 2026 年 1 月 23 日 Arxiv 计算机视觉领域论文的简明执行摘要：")
    assert s.endswith("这份摘要旨在帮助您快速把握本期 Arxiv 论文的重点，以便您根据自身研究兴趣进行进一步的深入阅读。")
    # 2026-02-06 has a rule right after its first line: the summary goes on past it
    s = digests["2026-02-06.md"].summary
    assert s.startswith("好的，这是一份针对您提供的 Arxiv 计算机视觉论文列表的简明执行摘要")
    assert "**执行摘要：2026年2月4日 Arxiv 计算机视觉论文速览**" in s
    assert s.endswith("在三维视觉和模型蒸馏方面提供了新的技术路径。")
    assert "---" in s and not s.endswith("---")
    assert "Table of Contents" not in s


def test_anyview_matches_the_file_and_its_own_headings_stay_in_its_analysis(digests):
    p = by_id(digests["2026-01-26.md"])["2601.16982"]
    assert p["title"] == "AnyView: Synthesizing Any Novel View in Dynamic Scenes"
    assert p["authors"][0] == "Basile Van Hoorick"
    assert p["authors"][-1] == "Vitor Campagnolo Guizilini"
    assert len(p["authors"]) == 10
    assert p["published"] == "2026-01-23T00:00:00+00:00"
    assert p["categories"] == ["cs.CV", "cs.LG", "cs.RO"]
    assert p["primary_category"] == "cs.CV"
    assert p["abstract"].startswith("Modern generative video models excel at producing convincing, high-quality outputs")
    assert p["abstract"].endswith("Results, data, code, and models can be viewed at: https://tri-ml.github.io/AnyView/")
    assert len(p["analysis"]["key_findings"]) == 3
    assert p["analysis"]["key_findings"][0].startswith("In this work, we introduce \\textbf{AnyView}")
    assert p["code_links"] == ["https://tri-ml.github.io/AnyView/"]
    body = p["analysis"]["body"]
    # the analysis has ## and ### headings of its own and rules: still one paper
    assert body.startswith("好的，我将以AI领域高水平研究生的视角，深入分析这篇关于“AnyView")
    assert "## 论文方法分析：AnyView: Synthesizing Any Novel View in Dynamic Scenes" in body
    assert "### 7. 总结" in body
    assert body.endswith("4.  **解码**：将生成的 Token 转回视频。")


def test_analysis_echoing_fields_stays_whole(digests):
    # The analysis of 2601.16763 repeats **Authors:**, **Categories:**,
    # **Published Date:** and **Abstract:**; none of them ends the analysis.
    p = by_id(digests["2026-01-26.md"])["2601.16763"]
    assert p["title"] == "Flow Matching for Probabilistic Monocular 3D Human Pose Estimation"
    assert p["authors"] == ["Cuong Le", "Pavló Melnyk", "Bastian Wandt", "Mårten Wadenbäck"]
    assert p["categories"] == ["cs.CV"]
    assert p["abstract"].startswith("Recovering 3D human poses from a monocular camera view is a highly ill-posed problem")
    assert p["abstract"].endswith("namely Human3.6M, MPI-INF-3DHP and 3DPW.")
    body = p["analysis"]["body"]
    assert "**Authors:** Cuong Le, Pavló Melnyk, Bastian Wandt, Mårten Wadenbäck" in body
    assert "**Published Date:** 2026-01-23" in body
    assert body.endswith("并为其他计算机视觉任务提供新的思路。")
    assert len(p["analysis"]["key_findings"]) == 2


def test_papers_of_2026_02_06_match_values_read_by_hand(digests):
    papers = by_id(digests["2026-02-06.md"])
    p = papers["2602.04770"]
    assert p["title"] == "Generative Modeling via Drifting"
    assert p["authors"][0] == "Mingyang Deng" and p["authors"][-1] == "Kaiming He"
    assert p["published"] == "2026-02-04T00:00:00+00:00"
    assert p["categories"] == ["cs.LG", "cs.CV"] and p["primary_category"] == "cs.LG"
    assert p["abstract"].startswith("Generative modeling can be formulated as learning a mapping f")
    assert p["abstract"].endswith("opens up new opportunities for high-quality one-step generation.")
    assert p["analysis"]["key_findings"] == [
        "In this paper, we propose a new paradigm called Drifting Models, which evolve the pushforward distribution"
        " during training and naturally admit one-step inference.",
        "We introduce a drifting field that governs the sample movement and achieves equilibrium when the distributions match.",
        "In experiments, our one-step generator achieves state-of-the-art results on ImageNet at 256 x 256 resolution,"
        " with an FID of 1.54 in latent space and 1.61 in pixel space.",
        "We hope that our work opens up new opportunities for high-quality one-step generation.",
    ]
    assert p["code_links"] == []
    p = papers["2602.06034"]  # the refusal
    assert p["title"] == "V-Retrver: Evidence-Driven Agentic Reasoning for Universal Multimodal Retrieval"
    assert p["authors"][0] == "Dongyang Chen" and p["authors"][-1] == "Shichao Ka"
    assert p["abstract"].endswith("perception-driven reasoning reliability, and generalization.")
    assert len(p["analysis"]["key_findings"]) == 1
    p = papers["2602.06037"]
    assert p["code_links"] == ["https://github.com/Li-Hao-yuan/GeoThinker"]  # trailing "." stripped
    assert papers["2602.06032"]["code_links"] == ["https://davidshavin4.github.io/Splat-and-Distill/"]


def test_papers_of_2026_02_18_match_values_read_by_hand(digests):
    papers = by_id(digests["2026-02-18.md"])
    p = papers["2602.15733"]
    assert p["title"] == "MeshMimic: Geometry-Aware Humanoid Motion Learning through 3D Scene Reconstruction"
    assert len(p["authors"]) == 23
    assert p["authors"][0] == "Qiang Zhang" and p["authors"][-1] == "Yijie Guo"
    assert p["categories"] == ["cs.RO", "cs.AI"]
    assert len(p["analysis"]["key_findings"]) == 4
    p = papers["2602.15727"]
    assert p["categories"] == ["cs.CV", "cs.AI", "cs.GR", "cs.LG", "eess.IV"]
    assert p["code_links"] == ["https://research.nvidia.com/labs/par/lorweb"]  # "Code and data are in ..."
    p = papers["2602.14662"]  # the refusal, and the one paper published on 02-16
    assert p["published"] == "2026-02-16T00:00:00+00:00"
    assert p["code_links"] == ["https://github.com/ericzzj1989/Awesome-Global-Solvers-for-3D-Vision"]
    p = papers["2602.15772"]  # analysis with many rules and ### headings
    assert "### 1. 摘要翻译" in p["analysis"]["body"] and "### 7. 总结" in p["analysis"]["body"]
    assert p["analysis"]["key_findings"] == ["To address this, we propose the Reason-Reflect-Refine (R3) framework."]
    p = papers["2602.15556"]
    assert p["title"].startswith("Revealing and Enhancing Core Visual Regions")
    assert p["abstract"].startswith("LVLMs have achieved strong multimodal reasoning capabilities")
    assert p["abstract"].endswith("leveraging internal attention dynamics for reliable multimodal reasoning.")


# --- malformed and variant inputs ------------------------------------------------------------------


def paper_md(
    pid="2601.00001v1",
    title="A Paper",
    *,
    anchor=True,
    heading=None,
    authors="Ann One, Bob Two",
    published="2026-01-23",
    categories="cs.CV, cs.LG",
    abstract="An abstract.",
    analysis="## 分析\n\n" + "这是一段真实的分析内容。" * 40,
    findings=("We propose X.",),
    links=True,
    code=None,
) -> str:
    out = []
    if anchor:
        out += [f"<a id='{pid}'></a>"]
    out += [heading if heading is not None else f"## [{title}](https://arxiv.org/abs/{pid})", ""]
    if authors is not None:
        out += [f"**Authors:** {authors}", ""]
    if published is not None:
        out += [f"**Published:** {published}", ""]
    if categories is not None:
        out += [f"**Categories:** {categories}", ""]
    if abstract is not None:
        out += ["**Abstract:**", "", abstract, ""]
    if analysis is not None:
        out += ["**Analysis:**", "", analysis, ""]
    if findings is not None:
        out += ["**Key Findings:**", ""] + [f"- {f}" for f in findings] + [""]
    if links:
        out += ["**Links:**", "", f"- [PDF](https://arxiv.org/pdf/{pid})", f"- [arXiv](https://arxiv.org/abs/{pid})"]
        if code:
            out += [f"- [Code]({code})"]
        out += [""]
    out += ["---", ""]
    return "\n".join(out)


def digest_md(*papers: str, date="2026-01-26", time="20260126", summary="Summary text.") -> str:
    head = []
    if time:
        head += [f"time: {time}", ""]
    if date:
        head += [f"# Arxiv Computer Vision Papers - {date}", ""]
    if summary is not None:
        head += ["## Executive Summary", "", summary, "", "---", ""]
    head += ["## Papers", ""]
    return "\n".join(head) + "\n".join(papers)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def test_a_generated_digest_parses_back_to_the_papers_written():
    text = digest_md(
        paper_md("2601.00001v2", "First", code="https://github.com/a/b"),
        paper_md("2601.00002v1", "Second"),
    )
    d = parse_digest(text, "/x/y/2026-01-26.md")
    assert d.problems == []
    assert d.summary == "Summary text."
    a, b = d.papers
    assert (a["id"], a["version"], a["title"]) == ("2601.00001", 2, "First")
    assert a["links"] == {"abs": "https://arxiv.org/abs/2601.00001v2", "pdf": "https://arxiv.org/pdf/2601.00001v2"}
    assert a["code_links"] == ["https://github.com/a/b"]
    assert a["authors"] == ["Ann One", "Bob Two"]
    assert a["analysis"]["status"] == "done"
    assert a["analysis"]["body"].startswith("## 分析")
    assert a["analysis"]["source"] == "legacy digest 2026-01-26.md"
    assert b["id"] == "2601.00002"


def test_cut_in_the_middle_of_an_analysis():
    full = read("2026-01-26.md")
    lines = full.split("\n")
    # line 560 is inside the analysis of the 4th paper (2601.16914, analysis 492-638)
    text = "\n".join(lines[:559]) + "\n" + lines[559][:20]
    d = parse_digest(text, "cut.md")
    assert [p["id"] for p in d.papers] == TOC_ORDER["2026-01-26.md"][:4]
    last = d.papers[-1]
    assert last["abstract"].startswith("Recent research in long-form video generation")
    assert last["analysis"]["status"] == "pending"
    assert "incomplete" in last["analysis"]["reason"]
    assert last["analysis"]["body"].startswith("好的，我将以AI领域高水平研究生的视角")
    assert last["analysis"]["key_findings"] == []
    messages = [str(p) for p in d.problems]
    assert any("cut in the middle" in m for m in messages)
    missing = [p for p in d.problems if "has no paper block" in p.message]
    assert len(missing) == 6  # the table of contents lists the 6 papers that were cut off
    assert missing[0].line == line_of(full, "5. [Evaluating Large Vision-language Models")
    # the earlier papers are intact
    assert d.papers[2]["analysis"]["status"] == "done"


def test_cut_in_the_middle_of_an_abstract():
    full = read("2026-02-06.md")
    lines = full.split("\n")
    # 2nd paper's abstract is line 143; cut it after 100 characters
    text = "\n".join(lines[:142]) + "\n" + lines[142][:100]
    d = parse_digest(text, "cut.md")
    assert [p["id"] for p in d.papers] == ["2602.04770", "2602.06043"]
    p = d.papers[1]
    assert p["abstract"] == lines[142][:100].strip()
    assert p["analysis"]["status"] == "pending"
    assert p["analysis"]["reason"] == "no analysis in the legacy digest"
    assert any("cut in the middle" in pr.message for pr in d.problems)


def test_cut_file_with_final_newline_is_detected():
    # cut at a line end: the last block lacks Key Findings and Links that all others have
    lines = read("2026-02-18.md").split("\n")
    text = "\n".join(lines[:200]) + "\n"
    d = parse_digest(text, "cut.md")
    assert [p["id"] for p in d.papers] == ["2602.14662", "2602.15828"]
    assert d.papers[1]["analysis"]["status"] == "pending"
    assert any("cut in the middle" in pr.message for pr in d.problems)


def test_missing_final_newline_alone_is_not_a_cut():
    text = digest_md(paper_md("2601.00001v1", "One"), paper_md("2601.00002v1", "Two")).rstrip("\n")
    d = parse_digest(text, "ok.md")
    assert d.problems == []
    assert all(p["analysis"]["status"] == "done" for p in d.papers)


def test_paper_without_abstract_is_kept_with_a_problem():
    text = digest_md(paper_md("2601.00001v1", "One"), paper_md("2601.00002v1", "No Abstract", abstract=None))
    d = parse_digest(text, "d.md")
    assert [p["id"] for p in d.papers] == ["2601.00001", "2601.00002"]
    assert d.papers[1]["abstract"] == ""
    assert d.papers[1]["analysis"]["status"] == "done"
    (problem,) = d.problems
    assert isinstance(problem, Problem)
    assert "no abstract" in problem.message and "2601.00002" in problem.message
    assert problem.line == line_of(text, "<a id='2601.00002v1'></a>")
    assert str(problem) == f"d.md:{problem.line}: {problem.message}"


def test_paper_without_analysis_is_pending():
    text = digest_md(paper_md("2601.00001v1", "One", analysis=None, findings=None))
    (p,) = parse_digest(text).papers
    assert p["analysis"]["status"] == "pending"
    assert p["analysis"]["body"] is None
    assert p["analysis"]["reason"] == "no analysis in the legacy digest"
    assert p["analysis"]["key_findings"] == []


def test_odd_headings_without_anchors_give_id_version_and_title():
    papers = [
        paper_md("2601.00001v3", anchor=False, heading="### Paper 1: Odd Heading *One*"),
        paper_md(
            "2601.00002",
            anchor=False,
            heading="### Paper 2: [Linked Two](https://arxiv.org/abs/2601.00002)",
            published="2026-01-23 14:05:00",
        ),
        paper_md("hep-th/9901001v2", anchor=True, heading="## Old Style Not Linked", published="1999-01-04T10:00:00+02:00"),
    ]
    text = digest_md(*papers)
    d = parse_digest(text, "odd.md")
    assert d.problems == []
    one, two, old = d.papers
    assert (one["id"], one["version"], one["title"]) == ("2601.00001", 3, "Odd Heading One")
    assert (two["id"], two["version"], two["title"]) == ("2601.00002", 1, "Linked Two")
    assert two["links"] == {"abs": "https://arxiv.org/abs/2601.00002", "pdf": "https://arxiv.org/pdf/2601.00002"}
    assert two["published"] == "2026-01-23T14:05:00+00:00"
    assert (old["id"], old["version"], old["title"]) == ("hep-th/9901001", 2, "Old Style Not Linked")
    assert old["published"] == "1999-01-04T08:00:00+00:00"
    assert old["links"]["abs"] == "https://arxiv.org/abs/hep-th/9901001v2"


def test_sections_in_another_order_and_an_arxiv_id_field():
    block = "\n".join(
        [
            "### Paper 1: Reordered",
            "",
            "**arXiv ID:** 2601.00009v4",
            "",
            "**Categories:** cs.RO",
            "",
            "**Abstract:** First paragraph",
            "continues here.",
            "",
            "Second paragraph.",
            "",
            "**Key Findings:**",
            "",
            "- Finding one",
            "  wraps.",
            "- Finding two",
            "",
            "**Authors:** Solo Author",
            "",
            "**Analysis:**",
            "",
            "## A heading inside",
            "",
            "**Key Findings:** mentioned inside the analysis",
            "",
            "Text " * 100,
            "",
            "**Published:** 2026-01-22",
            "",
            "---",
        ]
    )
    d = parse_digest(digest_md(block))
    (p,) = d.papers
    assert (p["id"], p["version"], p["title"]) == ("2601.00009", 4, "Reordered")
    assert p["abstract"] == "First paragraph\ncontinues here.\n\nSecond paragraph."
    assert p["analysis"]["key_findings"] == ["Finding one wraps.", "Finding two"]
    assert p["authors"] == ["Solo Author"]
    # the analysis is the last section: it runs to the end of the block,
    # swallowing the Published field after it (reported as missing)
    assert "**Key Findings:** mentioned inside the analysis" in p["analysis"]["body"]
    assert any("no Published date" in pr.message for pr in d.problems)


def test_crlf_gives_the_same_result():
    lf = read("2026-02-18.md")
    crlf = lf.replace("\n", "\r\n")
    a, b = parse_digest(lf, "f.md"), parse_digest(crlf, "f.md")
    assert a.papers == b.papers
    assert a.summary == b.summary and a.date == b.date
    # and line numbers of problems are the same
    broken = digest_md(paper_md("2601.00001v1"), paper_md("2601.00002v1", abstract=None))
    pa = parse_digest(broken, "f.md").problems
    pb = parse_digest(broken.replace("\n", "\r\n"), "f.md").problems
    assert [(p.line, p.message) for p in pa] == [(p.line, p.message) for p in pb]
    assert "\r" not in b.papers[1]["analysis"]["body"]


def test_a_file_without_date_or_paper_blocks_is_not_a_digest():
    with pytest.raises(NotADigest) as err:
        parse_digest("# My notes\n\nSome text about [a link](https://example.com).\n", "notes/readme.md")
    assert "notes/readme.md" in str(err.value) and "no date" in str(err.value)
    with pytest.raises(NotADigest) as err:
        parse_digest("# Arxiv Computer Vision Papers - 2026-01-26\n\n## Executive Summary\n\nNothing.\n", "empty.md")
    assert "empty.md" in str(err.value) and "no paper blocks" in str(err.value)
    with pytest.raises(NotADigest):
        parse_digest("", "blank.md")
    assert issubclass(NotADigest, ValueError)


def test_block_without_id_is_reported_and_skipped():
    bad = "\n".join(
        [
            "<a id='paper-two'></a>",
            "## A Paper Without Any Id",
            "",
            "**Authors:** Nobody",
            "",
            "**Abstract:**",
            "",
            "Text.",
            "",
            "---",
            "",
        ]
    )
    text = digest_md(paper_md("2601.00001v1", "One"), bad, paper_md("2601.00003v1", "Three"))
    d = parse_digest(text, "noid.md")
    assert [p["id"] for p in d.papers] == ["2601.00001", "2601.00003"]
    (problem,) = d.problems
    assert problem.line == line_of(text, "<a id='paper-two'></a>")
    assert "no arXiv id" in problem.message and "skipped" in problem.message


def test_block_without_title_is_reported_and_skipped():
    text = digest_md(paper_md("2601.00001v1", "One"), paper_md("2601.00002v1", heading="## [](https://arxiv.org/abs/2601.00002v1)"))
    d = parse_digest(text, "t.md")
    assert [p["id"] for p in d.papers] == ["2601.00001"]
    (problem,) = d.problems
    assert "no title" in problem.message and problem.line == line_of(text, "<a id='2601.00002v1'></a>")


def test_analysis_with_level_two_headings_does_not_split_the_paper():
    analysis = "\n".join(
        [
            "好的，我将深入分析这篇论文。",
            "",
            "## 论文方法分析",
            "",
            "### 1. 摘要翻译",
            "",
            "内容" * 100,
            "",
            "## [Project page](https://github.com/foo/bar)",
            "",
            "## Title: Another Line",
            "",
            "**Title:** echoed",
            "**Authors:** Ann One, Bob Two",
            "**Abstract:** echoed abstract",
            "",
            "---",
            "",
            "## 总结",
            "",
            "结论" * 50,
        ]
    )
    text = digest_md(paper_md("2601.00001v1", "One", analysis=analysis), paper_md("2601.00002v1", "Two"))
    d = parse_digest(text)
    assert d.problems == []
    assert [p["id"] for p in d.papers] == ["2601.00001", "2601.00002"]
    body = d.papers[0]["analysis"]["body"]
    assert body == analysis
    assert d.papers[0]["abstract"] == "An abstract."
    assert d.papers[0]["analysis"]["key_findings"] == ["We propose X."]


def test_date_comes_from_the_title_else_the_time_line_and_a_mismatch_is_reported():
    text = digest_md(paper_md(), date="2026-01-26", time="20260125")
    d = parse_digest(text, "d.md")
    assert d.date == "2026-01-26"
    (problem,) = d.problems
    assert problem.line == line_of(text, "# Arxiv Computer Vision Papers") and "2026-01-25" in problem.message
    assert parse_digest(digest_md(paper_md(), date=None, time="20260125")).date == "2026-01-25"
    assert parse_digest(digest_md(paper_md(), time=None)).date == "2026-01-26"


def test_digest_without_summary_has_none():
    assert parse_digest(digest_md(paper_md(), summary=None)).summary is None


def test_refusal_and_placeholder_analyses_are_pending():
    text = digest_md(
        paper_md("2601.00001v1", analysis="好的，我将分析这篇论文。请提供论文内容，我将为您生成详细分析。"),
        paper_md("2601.00002v1", analysis="## 方法\n\n[在此处插入方法分析]\n\n" + "内容" * 300),
        paper_md("2601.00003v1", analysis="TODO"),
        paper_md("2601.00004v1", analysis="---"),
    )
    a, b, c, e = parse_digest(text).papers
    assert a["analysis"]["status"] == "pending" and a["analysis"]["reason"].startswith("imported analysis is a refusal: ")
    assert b["analysis"]["status"] == "pending" and b["analysis"]["reason"].startswith("imported analysis is a placeholder: ")
    assert c["analysis"]["status"] == "pending" and "placeholder" in c["analysis"]["reason"]
    assert e["analysis"]["status"] == "pending" and e["analysis"]["reason"] == "imported analysis is empty"
    assert all(p["analysis"]["body"] is None for p in (a, b, c, e))


def test_duplicate_and_toc_mismatch_are_reported():
    toc = "## Table of Contents\n\n1. [One](#2601.00001v1)\n2. [Two](#2601.00002v1)\n3. [Gone](#2601.00009v1)\n\n---\n\n"
    text = digest_md(paper_md("2601.00002v1", "Two"), paper_md("2601.00001v1", "One"), paper_md("2601.00001v1", "One again"))
    text = text.replace("## Papers", toc + "## Papers")
    d = parse_digest(text, "dup.md")
    assert [p["id"] for p in d.papers] == ["2601.00002", "2601.00001"]
    messages = [p.message for p in d.problems]
    assert any("appears again" in m for m in messages)
    assert any("2601.00009" in m and "no paper block" in m for m in messages)


def test_code_links_are_the_code_field_then_code_hosts_of_the_abstract_once_each():
    abstract = (
        "We do things. Code: https://github.com/org/repo. Models at https://huggingface.co/org/model), "
        "data from https://example.com/data and our page https://org.github.io/proj/, again https://github.com/org/repo"
    )
    (p,) = parse_digest(digest_md(paper_md(abstract=abstract, code="https://gitlab.com/x/y"))).papers
    assert p["code_links"] == [
        "https://gitlab.com/x/y",
        "https://github.com/org/repo",
        "https://huggingface.co/org/model",
        "https://org.github.io/proj/",
    ]


def test_other_heading_and_field_layouts_are_read_the_same():
    text = "\ufeff" + "\n".join(
        [
            "# Daily digest - 2026-03-02",
            "",
            "<a id='summary'></a>",
            "## Executive Summary",
            "",
            "Highlights: see",
            "## [Great paper](https://arxiv.org/abs/2603.00001v1)",
            "for details.",
            "",
            "## 1. [Great paper](https://arxiv.org/abs/2603.00001v1)",
            "",
            "Authors: Ann One, Bob Two, and Cy Three",
            "Published: 2026-03-01T23:30:00-05:00",
            "Categories: cs.CV (Computer Vision and Pattern Recognition); cs.LG",
            "",
            "**Abstract**",
            "",
            "Body of abstract with code at https://github.com/a/b.",
            "",
            "**Analysis**",
            "",
            "Real analysis. " + "x " * 200,
            "",
            "**Key Findings**",
            "",
            "1. One",
            "2. Two",
            "",
            "**Links**",
            "",
            "- [HTML](https://arxiv.org/html/2603.00001v1)",
            "- PDF: https://arxiv.org/pdf/2603.00001v1",
            "- see also our blog",
            "---",
            "",
            "## <a id='2603.00002'></a>[Second](https://arxiv.org/abs/2603.00003)",
            "",
            "**Authors:** Z",
            "**Published:** 2026-03-01",
            "**Categories:** cs.AI",
            "**Abstract:** Short.",
            "",
            "**Links:**",
            "",
            "- [arXiv](https://arxiv.org/abs/2603.00003)",
        ]
    )
    d = parse_digest(text, "variants.md")
    assert d.date == "2026-03-02"
    assert d.summary == "Highlights: see\n## [Great paper](https://arxiv.org/abs/2603.00001v1)\nfor details."
    one, two = d.papers
    assert one["id"] == "2603.00001" and one["title"] == "Great paper"
    assert one["authors"] == ["Ann One", "Bob Two", "Cy Three"]
    assert one["published"] == "2026-03-02T04:30:00+00:00"
    assert one["categories"] == ["cs.CV", "cs.LG"]
    assert one["abstract"] == "Body of abstract with code at https://github.com/a/b."
    assert one["code_links"] == ["https://github.com/a/b"]
    assert one["links"] == {"abs": "https://arxiv.org/abs/2603.00001v1", "pdf": "https://arxiv.org/pdf/2603.00001v1"}
    assert one["analysis"]["key_findings"] == ["One", "Two"] and one["analysis"]["status"] == "done"
    assert (two["id"], two["title"], two["version"]) == ("2603.00003", "Second", 1)
    assert two["analysis"]["status"] == "pending"
    found = [(p.line, p.message) for p in d.problems]
    assert found[0] == (text.split("\n").index("**Links**") + 1, "unreadable line in Links ignored: '- see also our blog'")
    assert "2603.00002" in found[1][1] and "2603.00003" in found[1][1]  # anchor and title link disagree
    assert len(found) == 2


def test_arxiv_ids_are_read_from_urls_and_old_style_ids_with_their_version():
    assert parse_arxiv_id("2601.16982v1") == ("2601.16982", 1)
    assert parse_arxiv_id("2601.16982") == ("2601.16982", None)
    assert parse_arxiv_id("arXiv:hep-th/9901001v2") == ("hep-th/9901001", 2)
    assert parse_arxiv_id("https://arxiv.org/pdf/math.GT/0309136v1") == ("math.GT/0309136", 1)
    assert parse_arxiv_id("paper-two") is None


# --- checks.check: refusals ----------------------------------------------------------------------

# Verbatim from the fixtures (2026-01-26.md:1408, 2026-02-06.md:940, 2026-02-18.md:80).
FIXTURE_REFUSALS = [
    "好的，我将扮演一名AI领域高水平研究生的角色，深入分析您提供的论文内容，并遵循您提出的分析框架。请提供论文的文本内容，我将为您生成一份详尽的分析报告。",
    "好的，我将扮演一名AI领域高水平研究生，深入分析您提供的论文，重点关注其创新之处和方法细节。请提供论文内容，我将按照您设定的分析框架进行详细解读。",
    "好的，我将扮演一名AI领域专业高水平研究生，专注于深入分析论文的方法部分，重点关注创新点和新视角，并遵循您提供的分析框架。请提供您希望我分析的论文。",
]


@pytest.mark.parametrize("text", FIXTURE_REFUSALS)
def test_fixture_refusals_are_caught_as_requests_for_the_paper(text):
    verdict = check(text)
    assert verdict.kind == "request" and verdict.reason == "asks for the paper text instead of analysing it"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Please provide the paper you would like me to analyze.", "request"),
        ("I'm sorry, but I cannot access external links or PDF files. " * 2, "refusal"),
        ("As an AI language model, I cannot browse the internet to read this paper.", "refusal"),
        ("我无法访问该论文的全文，因此无法进行分析。", "refusal"),
        ("## 摘要翻译\n\n[在此处插入摘要翻译]\n\n## 方法\n\n" + "真实内容" * 200, "placeholder"),
        ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 5, "placeholder"),
        ("### 方法分析\n\n待补充", "placeholder"),
        ("TODO", "placeholder"),
        ("好的，我将分析这篇论文。", "too_short"),
        ("   \n---\n  ", "empty"),
    ],
)
def test_refusals_requests_placeholders_and_short_answers_are_caught_by_kind(text, kind):
    verdict = check(text)
    assert verdict is not None and verdict.kind == kind


def test_no_real_fixture_analysis_is_taken_for_a_refusal(digests):
    # every real analysis of the fixtures, including those that open with
    # "好的，我将……分析" and those that say "根据您提供的论文摘要"
    bodies = [p["analysis"]["body"] for d in digests.values() for p in d.papers if p["analysis"]["body"]]
    assert len(bodies) == 27
    for body in bodies:
        assert check(body) is None, body[:200]
    opening = by_id(digests["2026-01-26.md"])["2601.16736"]["analysis"]["body"]
    assert opening.startswith("作为一名计算机视觉和机器学习领域的专家，我将根据您提供的论文摘要进行深入分析。")


def test_request_followed_by_a_real_analysis_is_not_a_refusal(digests):
    body = by_id(digests["2026-02-06.md"])["2602.04770"]["analysis"]["body"]
    assert check(body + "\n\n如需更深入的分析，请提供论文全文。") is None
    assert check("I cannot access the PDF, so this analysis is based on the abstract.\n\n" + body) is None
    english = "## Method\n\n" + "The method trains a diffusion model with a new loss and evaluates it on three benchmarks. " * 8
    assert check(english) is None
    assert check("See [Your model](https://example.com/m) for details. " + english) is None
