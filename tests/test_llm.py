"""The LLM analyzer end to end: the real ``openai`` client over HTTP against FakeOpenAI.

Sites are temporary copies of the repository's ``data/`` (3 days, 30 papers analyzed
offline). ``arxiv-digest analyze`` runs as a subprocess (``pipeline.analyze`` in-process
where a test needs finer control); what is stored (``data/``) and what is published
(``mkdocs build --strict`` with ``fetch: never``) are checked.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import llm_support as S
from arxiv_digest.analysis import llm
from arxiv_digest import pipeline
from arxiv_digest import i18n
from arxiv_digest.analysis.taxonomy import DEFAULT_TAXONOMY
from fake_openai import REFUSAL_TEXT, FakeOpenAI, Reply

TAXONOMY = set(DEFAULT_TAXONOMY)
FAST = {"attempts": 2, "retries": 1, "timeout": 5, "concurrency": 8}
DAY = "2026-01-26"  # the day the in-process tests analyze (10 papers)
TARGET = "2601.16982"  # a paper of DAY
ENGLISH_DEFAULT = "alleviates the efficiency bottleneck"  # the fake's English paragraph
LLM_BODY = "关于“"  # every default analysis section of the fake starts with this
LLM_TLDR = "tldr：本文提出了一种高效的新方法"  # the fake's default TL;DR
ZH_ABSTRACT_SECTIONS = i18n.sections("zh", "abstract")
ZH_SUMMARY_SECTIONS = i18n.sections("zh", "summary")


def llm_options(fake: FakeOpenAI, **extra) -> dict:
    return {"base_url": fake.base_url, **FAST, **extra}


def analyze_in_process(config_file: Path, **kwargs) -> pipeline.Report:
    config, store = S.load(config_file)
    return pipeline.analyze(store, config, **kwargs)


def tasks(faults: S.Faults) -> dict[str, int]:
    out: dict[str, int] = {}
    for seen in faults.requests():
        out[seen.task] = out.get(seen.task, 0) + 1
    return out


def site_files_containing(root: Path, needle: str) -> list[str]:
    return [str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and needle.encode() in p.read_bytes()]


# ----------------------------------------------------------------------------- a normal run


class Analyzed:
    def __init__(self, root: Path, config: Path, proc: S.Proc, faults: S.Faults, fake_requests: int) -> None:
        self.root, self.config, self.proc, self.faults, self.fake_requests = root, config, proc, faults, fake_requests

    @property
    def data(self) -> Path:
        return self.root / "data"


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory) -> Analyzed:
    """The 30 fixture papers analyzed once through ``arxiv-digest analyze`` (read-only for the tests)."""
    root = tmp_path_factory.mktemp("analyzed")
    faults = S.Faults()
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(root, llm_options(fake))
        proc = S.run_cli(config, "analyze")
        count = len(fake.requests)
    return Analyzed(root, config, proc, faults, count)


def test_normal_run_stores_llm_analyses(analyzed):
    proc = analyzed.proc
    assert proc.returncode == 0, proc.output
    assert "analyses done: 30; pending: 0; day summaries: 3; LLM requests: 63;" in proc.stdout
    assert analyzed.fake_requests == 63
    assert tasks(analyzed.faults) == {"analysis": 30, "fields": 30, "summary": 3}

    config, _ = S.load(analyzed.config)
    prompt_hash = llm.Analyzer(config).prompt_hash()
    summary_hash = llm.Analyzer(config).summary_hash()
    original = S.stored_papers()
    papers = S.stored_papers(analyzed.data)
    assert set(papers) == set(original)
    for pid, paper in papers.items():
        a = paper["analysis"]
        assert a["status"] == "done" and a["provenance"] == "llm" and a["reason"] is None, pid
        assert a["model"] == "gpt-4o-mini" and a["models"] == {"analysis": "gpt-4o-mini", "tags": "gpt-4o-mini"}
        assert a["prompt_hash"] == prompt_hash and re.fullmatch(r"[0-9a-f]{16}", a["prompt_hash"])
        assert a["paper_version"] == paper["version"]
        assert a["usage"]["requests"] == 2
        assert a["usage"]["prompt_tokens"] > 0 and a["usage"]["completion_tokens"] > 0
        for section in ZH_ABSTRACT_SECTIONS:
            assert re.search(rf"^#+ .*{re.escape(section)}", a["body"], re.M), (pid, section)
        assert a["tldr"].startswith("tldr：") and a["key_findings"] and all(a["key_findings"])
        assert paper["tags"] and set(paper["tags"]) <= TAXONOMY | set(paper["categories"])
        assert paper["tags"][0] in TAXONOMY  # the LLM's topic tags come first, then the categories
        assert "previous_analyses" not in paper  # offline extractions are not archived
        for key in ("title", "abstract", "authors", "version", "categories", "links"):
            assert paper[key] == original[pid][key]
    for date, day in S.stored_days(analyzed.data).items():
        summary = day["summary"]
        assert summary["provenance"] == "llm" and summary["model"] == "gpt-4o-mini"
        assert summary["prompt_hash"] == summary_hash and summary["papers"] == day["papers"]
        for section in ZH_SUMMARY_SECTIONS:
            assert f"### {section}" in summary["markdown"]
        assert "summary_pending" not in day


def test_normal_run_publishes_llm_analyses(analyzed, tmp_path):
    root = tmp_path / "site"
    config = S.make_site(root, {}, data=analyzed.data)  # no LLM: the build only reads the store
    run = S.build(config)
    assert run.returncode == 0, run.output
    html = S.page_text(root / "site", f"digest/{DAY}/")
    text = S.visible_text(html)
    assert "执行摘要" in text and "关于“主要主题”" in text  # the LLM's day summary
    assert "离线抽取式分析" not in text and "分析待完成" not in text
    papers = S.stored_papers(analyzed.data)
    for pid in S.day_papers(DAY):
        entry = S.paper_section(html, pid)
        entry_text = S.visible_text(f"<div>{entry}</div>")
        # The TL;DR is on the paper's card, said once; the entry below holds the rest.
        assert " ".join(papers[pid]["analysis"]["tldr"].split()) in text
        assert "关键发现" in entry_text and papers[pid]["analysis"]["key_findings"][0] in entry_text
        for section in ZH_ABSTRACT_SECTIONS:
            assert section in entry_text, (pid, section)
    paper_html = S.page_text(root / "site", f"papers/{TARGET}/")
    paper_text = S.visible_text(paper_html)
    assert "分析" in paper_text and all(s in paper_text for s in ZH_ABSTRACT_SECTIONS)
    assert re.search(r"<h3[^>]*>[^<]*论文的主要贡献", paper_html)  # sections are headings on the paper page


# ----------------------------------------------------------------------------- caching


def test_rerun_makes_no_requests(analyzed, tmp_path):
    root = tmp_path / "site"
    faults = S.Faults()
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(root, llm_options(fake), data=analyzed.data)
        before = S.file_bytes(root / "data")
        proc = S.run_cli(config, "analyze")
        assert proc.returncode == 0, proc.output
        assert len(fake.requests) == 0
    assert "nothing to do" in proc.stdout
    assert S.file_bytes(root / "data") == before


def test_prompt_change_reanalyzes_only_when_stale(analyzed, tmp_path):
    root = tmp_path / "site"
    prompts = root / "overrides" / "prompts" / "zh"
    prompts.mkdir(parents=True)
    original = (S.REPO / "plugin" / "arxiv_digest" / "prompts" / "zh" / "analysis.md").read_text(encoding="utf-8")
    (prompts / "analysis.md").write_text(original + "\n请特别说明可复现性（PROMPT-V2）。\n", encoding="utf-8")
    before = S.stored_papers(analyzed.data)
    faults = S.Faults()
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(root, llm_options(fake, reanalyze="never"), data=analyzed.data,
                             templates_dir="overrides")
        proc = S.run_cli(config, "analyze")
        assert proc.returncode == 0, proc.output
        assert len(fake.requests) == 0, "reanalyze: never must not redo done work when the prompt changes"

        S.set_llm(config, reanalyze="stale")
        proc = S.run_cli(config, "analyze")
        assert proc.returncode == 0, proc.output
        assert tasks(faults) == {"analysis": 30, "fields": 30}  # the summary prompt did not change
        assert all("PROMPT-V2" in S.user_text(s.body) for s in faults.requests("analysis"))

        proc = S.run_cli(config, "analyze")  # now current again
        assert proc.returncode == 0 and len(fake.requests) == 60, proc.output
    after = S.stored_papers(root / "data")
    for pid, paper in after.items():
        assert paper["analysis"]["status"] == "done" and paper["analysis"]["provenance"] == "llm"
        assert paper["analysis"]["prompt_hash"] != before[pid]["analysis"]["prompt_hash"]
        assert paper["previous_analyses"] == [before[pid]["analysis"]]


def test_force_reanalyzes_and_keeps_previous_analysis(analyzed, tmp_path):
    root = tmp_path / "site"
    before = S.stored_papers(analyzed.data)
    faults = S.Faults()
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(root, llm_options(fake), data=analyzed.data)
        old_bytes = S.file_bytes(root / "data")
        proc = S.run_cli(config, "analyze", "--force", "--date", DAY)
        assert proc.returncode == 0, proc.output
        assert len(fake.requests) == 21
    assert tasks(faults) == {"analysis": 10, "fields": 10, "summary": 1}
    assert {s.key for s in faults.requests("analysis")} == set(S.day_papers(DAY))
    after = S.stored_papers(root / "data")
    new_bytes = S.file_bytes(root / "data")
    for pid, paper in after.items():
        if pid in S.day_papers(DAY):
            assert paper["analysis"]["status"] == "done" and paper["analysis"]["provenance"] == "llm"
            assert paper["previous_analyses"] == [before[pid]["analysis"]]
        else:
            assert new_bytes[f"papers/{pid}.json"] == old_bytes[f"papers/{pid}.json"]


# ----------------------------------------------------------------------------- failures


def _case(name, task, behaviour, times=None, reason=None, requests=None, extra=None):
    return pytest.param(task, behaviour, times, reason, requests, extra or {}, id=name)


FAULTS = [
    # transient HTTP failures: retried, the paper ends done
    _case("429-once", "analysis", "429", times=1, requests=2),
    _case("500-once", "fields", "500", times=1, requests=2),
    _case("timeout-once", "analysis", ("timeout", 3), times=1, requests=2, extra={"timeout": 1}),
    # persistent transient failures: retries + 1 requests (another attempt would only repeat them), then
    # pending with the provider's own message
    _case("500-always", "analysis", "500",
          reason=r"^LLM request failed \(HTTP 500\)$", requests=2),
    # invalid answers: `attempts` tries, then pending with the reason
    _case("refusal", "analysis", "refusal", reason=r"^asks for the paper text instead of analysing it \(after 2 tries\)$"),
    _case("truncated", "analysis", "truncated", reason=r"^answer cut off at max_tokens \(finish_reason=length\)"),
    _case("truncated-fields", "fields", "truncated", reason=r"^answer cut off at max_tokens \(finish_reason=length\)"),
    _case("invalid-json", "fields", "invalid_json", reason=r"^answer is not valid JSON"),
    _case("empty", "analysis", "empty", reason=r"^empty answer"),
    _case("wrong-language", "analysis", "wrong_language", reason=r"^answer is not in Chinese \(CJK share 0\.\d\d\) \(after 2 tries\)$"),
    _case("wrong-language-fields", "fields", "wrong_language", reason=r"^answer is not in Chinese"),
    _case("tldr-number", "fields", S.tldr_with_number("987.6"), reason=r"^TL;DR has numbers not in the paper: 987\.6 "),
    _case("missing-section", "analysis", S.missing_last_section,
          reason=r"^missing sections: 从摘要推断的局限性 \(after 2 tries\)$"),
]


@pytest.mark.parametrize("task, behaviour, times, reason, requests, extra", FAULTS)
def test_fault_on_one_paper_is_absorbed_or_leaves_it_pending(tmp_path, task, behaviour, times, reason, requests, extra):
    faults = S.Faults().add(TARGET, task, behaviour, times=times)
    others = [p for p in S.day_papers(DAY) if p != TARGET]
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(tmp_path / "site", llm_options(fake, concurrency=4, **extra), keep_days=[DAY])
        data = tmp_path / "site" / "data"
        offline_tags = S.stored_papers(data)[TARGET]["tags"]
        report = analyze_in_process(config)
        papers = S.stored_papers(data)
        target = papers[TARGET]["analysis"]
        tried = faults.requests(task, TARGET)
        assert len(tried) == (requests or FAST["attempts"]), [s.task for s in faults.requests(key=TARGET)]
        for pid in others:  # the other papers are unaffected
            assert papers[pid]["analysis"]["status"] == "done" and papers[pid]["analysis"]["provenance"] == "llm"
            assert len(faults.requests(key=pid)) == 2
        if reason is None:
            assert target["status"] == "done" and target["provenance"] == "llm", target
            assert report.pending == {} and report.analyzed == 10
            if behaviour == "429":  # Retry-After: 1 was honoured
                assert tried[1].at - tried[0].at >= 0.9
            return
        assert report.pending == {TARGET: target["reason"] + (f": {target['detail']}" if "detail" in target else "")}
        assert target["status"] == "pending" and target["provenance"] == "llm"
        assert re.search(reason, target["reason"]), target["reason"]
        # Nothing of the bad answer is kept; a failed request keeps the endpoint's message (command line only).
        assert set(target) - {"detail"} == {"status", "provenance", "reason", "attempted"}
        assert target.get("detail") == ("The server had an error while processing your request. Sorry about that!"
                                        if behaviour == "500" else None)
        assert papers[TARGET]["tags"] == offline_tags
        if task == "analysis":
            assert faults.requests("fields", TARGET) == []  # no point asking for fields of a failed analysis
        assert report.analyzed == 9

        # The next run, with the fault gone, completes the paper and touches nothing else.
        faults.clear()
        seen = len(fake.requests)
        report = analyze_in_process(config)
        assert report.pending == {} and report.analyzed == 1
        # The paper is completed, then its day's summary, written while it was pending, is refreshed.
        assert [(s.task, s.key) for s in faults.seen[seen:]] == [("analysis", TARGET), ("fields", TARGET),
                                                                 ("summary", DAY)]
        done = S.stored_papers(data)[TARGET]
        assert done["analysis"]["status"] == "done" and done["analysis"]["provenance"] == "llm"
        assert "previous_analyses" not in done  # a pending record is not an analysis worth keeping


@pytest.mark.parametrize("behaviour, reason", [
    (S.wrong_date_summary("2026 年 1 月 23 日"),
     r"^summary is dated 2026-01-23 instead of the digest date 2026-01-26 \(after 2 tries\)$"),
    ("refusal", r"^(asks for the paper text|missing sections)"),
], ids=["wrong-date", "refusal"])
def test_failed_day_summary_keeps_the_offline_one_until_a_rerun_succeeds(tmp_path, behaviour, reason):
    faults = S.Faults().add(DAY, "summary", behaviour)
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(tmp_path / "site", llm_options(fake), keep_days=[DAY])
        data = tmp_path / "site" / "data"
        offline = S.stored_days(data)[DAY]["summary"]
        report = analyze_in_process(config)
        day = S.stored_days(data)[DAY]
        assert len(faults.requests("summary", DAY)) == 2
        assert set(report.pending) == {f"summary {DAY}"} and report.analyzed == 10
        assert re.search(reason, day["summary_pending"]), day["summary_pending"]
        assert day["summary"] == offline  # the offline summary stays published
        faults.clear()
        report = analyze_in_process(config)
        assert [(s.task, s.key) for s in faults.seen[2 + 20:]] == [("summary", DAY)]
        day = S.stored_days(data)[DAY]
        assert report.pending == {} and day["summary"]["provenance"] == "llm" and "summary_pending" not in day


PAGE_FAULTS = {  # paper id → (task, behaviour, times); all pending unless times is set
    "2601.16982": ("analysis", "refusal", None),
    "2601.16981": ("analysis", "wrong_language", None),
    "2601.16973": ("fields", "invalid_json", None),
    "2602.06043": ("analysis", "truncated", None),
    "2602.06042": ("analysis", "empty", None),
    "2602.06041": ("fields", S.tldr_with_number("987.6"), None),
    "2602.15828": ("analysis", S.missing_last_section, None),
    "2602.15772": ("analysis", "429", 1),
    "2602.15755": ("fields", "500", 1),
    "2602.15733": ("analysis", ("timeout", 3), 1),
}
WRONG_DATE = ("2026-02-06", "2026 年 2 月 5 日")


def test_failures_are_never_published(tmp_path):
    """Every fault at once through the command line, then the pages of the pending papers."""
    root = tmp_path / "site"
    faults = S.Faults()
    for pid, (task, behaviour, times) in PAGE_FAULTS.items():
        faults.add(pid, task, behaviour, times=times)
    faults.add(WRONG_DATE[0], "summary", S.wrong_date_summary(WRONG_DATE[1]))
    pending = {pid for pid, (_, _, times) in PAGE_FAULTS.items() if times is None}
    with FakeOpenAI(behaviour_for=faults) as fake:
        # 2 s: the timeout fault answers after 3 s; a loaded machine answers the others well within 2 s.
        config = S.make_site(root, llm_options(fake, timeout=2))
        proc = S.run_cli(config, "analyze")
        assert proc.returncode == 1, proc.output  # pending work is a failure of the command
        for pid in pending:
            assert re.search(rf"^pending {pid}: \S", proc.stdout, re.M), proc.stdout
        assert f"pending summary {WRONG_DATE[0]}: summary is dated 2026-02-05" in proc.stdout
        assert "analyses done: 23; pending: 8; day summaries: 2;" in proc.stdout  # 7 papers + 1 summary
        papers = S.stored_papers(root / "data")
        for pid, paper in papers.items():
            assert paper["analysis"]["status"] == ("pending" if pid in pending else "done"), pid

        run = S.build(config)
        assert run.returncode == 0, run.output
        site = root / "site"
        for needle in (REFUSAL_TEXT, "请提供您希望我分析的论文", ENGLISH_DEFAULT, "unfinished", "检测精度提升了",
                       WRONG_DATE[1], "本期日报日期"):
            assert site_files_containing(site, needle) == [], needle
        for pid in pending:
            paper = papers[pid]
            text = S.visible_text(S.page_text(site, f"papers/{pid}/"))
            assert "分析待完成" in text and "离线抽取式分析" in text, pid
            assert paper["analysis"]["reason"] in text  # the notice says why
            assert S.plain_fragment(paper["abstract"]) in text  # the abstract
            assert "TL;DR" in text and LLM_BODY not in text and LLM_TLDR not in text, pid
            day = next(d for d, rec in S.stored_days(root / "data").items() if pid in rec["papers"])
            day_html = S.page_text(site, f"digest/{day}/")
            entry = S.visible_text(f"<div>{S.paper_section(day_html, pid)}</div>")
            assert "分析待完成" in entry and LLM_BODY not in entry and LLM_TLDR not in entry
            assert re.search(rf'ad-card--pending"[^>]*>\s*<div class="ad-card__head"><span class="ad-card__num">\d+</span>'
                             rf'<a class="ad-card__title" href="[^"]*{pid}/', day_html), pid
        for pid in set(PAGE_FAULTS) - pending:  # transient failures ended done and are published
            text = S.visible_text(S.page_text(site, f"papers/{pid}/"))
            assert LLM_BODY in text and "分析待完成" not in text
        day_text = S.visible_text(S.page_text(site, f"digest/{WRONG_DATE[0]}/"))
        assert "离线抽取式分析" in day_text  # the offline summary is still the one shown

        # With the faults gone the next run completes everything.
        faults.clear()
        proc = S.run_cli(config, "analyze")
        assert proc.returncode == 0, proc.output
        # 7 papers (2 requests each), then the summaries of their days, which were written while they were pending.
        counts = re.search(r"analyses done: 7; pending: 0; day summaries: (\d+); LLM requests: (\d+);", proc.stdout)
        assert counts, proc.stdout
        assert 1 <= int(counts[1]) <= 3 and int(counts[2]) == 14 + int(counts[1])
        assert all(p["analysis"]["status"] == "done" for p in S.stored_papers(root / "data").values())
        assert S.stored_days(root / "data")[WRONG_DATE[0]]["summary"]["provenance"] == "llm"


def test_failing_force_run_never_replaces_done_analysis(analyzed, tmp_path):
    root = tmp_path / "site"
    ok_paper = "2602.15828"
    faults = S.Faults().add("*", "analysis", "refusal").add("*", "summary", "wrong_language")
    faults.add(ok_paper, "analysis", "ok").add(ok_paper, "fields", "invalid_json")
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(root, llm_options(fake), data=analyzed.data)
        papers_before = {k: v for k, v in S.file_bytes(root / "data").items() if k.startswith("papers/")}
        days_before = S.stored_days(root / "data")
        proc = S.run_cli(config, "analyze", "--force")
        assert proc.returncode == 1, proc.output
    assert "analyses done: 0; pending: 33;" in proc.stdout
    papers_after = {k: v for k, v in S.file_bytes(root / "data").items() if k.startswith("papers/")}
    assert papers_after == papers_before  # byte-identical: the done LLM analyses stay
    for date, day in S.stored_days(root / "data").items():
        assert day["summary"] == days_before[date]["summary"]
        assert day["summary_pending"].startswith("answer is not in Chinese")


# ----------------------------------------------------------------------------- no LLM configured


def test_without_key_or_base_url_offline_analyzer_stays(tmp_path):
    root = tmp_path / "site"
    with FakeOpenAI() as fake:
        # OPENAI_BASE_URL points the openai client at the fake: any request would be seen.
        environ = S.env(OPENAI_BASE_URL=fake.base_url)
        config = S.make_site(root, {}, fetch="auto", days=1, until="2026-02-18")
        before = S.file_bytes(root / "data")
        run = S.build(config, environ=environ)
        assert run.returncode == 0, run.output
        notices = [ln for ln in run.output.splitlines() if "no LLM configured" in ln]
        assert len(notices) == 1 and "offline extractive analyzer" in notices[0], run.output
        proc = S.run_cli(config, "analyze", environ=environ)
        assert len(fake.requests) == 0
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("arxiv-digest: no LLM configured"), proc.stderr
    assert "OPENAI_API_KEY" in lines[0] and "base_url" in lines[0]
    assert S.file_bytes(root / "data") == before


# ----------------------------------------------------------------------------- analysis during a build


def test_build_analyzes_recent_days(tmp_path):
    """``fetch: auto`` with the day already stored: no arXiv request, the build runs the LLM stage."""
    root = tmp_path / "site"
    date = "2026-02-18"
    refused = S.day_papers(date)[0]
    faults = S.Faults().add(refused, "analysis", "refusal")
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(root, llm_options(fake), fetch="auto", days=1, until=date)
        run = S.build(config)
        assert run.returncode == 1, run.output  # a pending analysis is a warning: --strict fails
        warnings = [ln for ln in run.output.splitlines() if ln.startswith("WARNING") and "pending" in ln]
        assert len(warnings) == 1 and refused in warnings[0] and "asks for the paper text" in warnings[0], run.output
        assert {s.key for s in faults.requests("analysis")} == set(S.day_papers(date))  # only the recent day
        papers = S.stored_papers(root / "data")
        for pid in S.day_papers(date):
            assert papers[pid]["analysis"]["status"] == ("pending" if pid == refused else "done")
        for pid in S.day_papers("2026-01-26"):
            assert papers[pid]["analysis"]["provenance"] == "offline"

        faults.clear()
        seen = len(fake.requests)
        run = S.build(config)
        assert run.returncode == 0, run.output
        assert [(s.task, s.key) for s in faults.seen[seen:]] == [("analysis", refused), ("fields", refused),
                                                                 ("summary", date)]
    text = S.visible_text(S.page_text(root / "site", f"papers/{refused}/"))
    assert LLM_BODY in text and "分析待完成" not in text


# ----------------------------------------------------------------------------- secrets


SECRET = "sk-test-SECRET-123"


def test_api_key_never_leaks(tmp_path):
    root = tmp_path / "site"
    date = "2026-02-18"
    echo, broken = S.day_papers(date)[:2]
    # A 401 whose message echoes the key (as real providers do) and a paper that keeps failing.
    faults = S.Faults()
    faults.add(echo, "analysis", Reply(f"Incorrect API key provided: {SECRET}. Check your key.", status=401))
    faults.add(broken, "fields", "wrong_language")
    with FakeOpenAI(behaviour_for=faults) as fake:
        environ = S.env(OPENAI_API_KEY=SECRET)
        config = S.make_site(root, llm_options(fake), fetch="auto", days=1, until=date)
        outputs = []
        proc = S.run_cli(config, "-v", "analyze", environ=environ)
        outputs.append(proc.output)
        assert proc.returncode == 1, proc.output
        # A refused key stops the whole run at once, with one message carrying the provider's (scrubbed) words;
        # nothing is marked pending for it.
        failed = [ln for ln in proc.stdout.splitlines() if ln.startswith("failed: LLM endpoint")]
        assert failed == ["failed: LLM endpoint: key refused (HTTP 401: Incorrect API key provided: ***. Check "
                          "your key.); the run stopped, nothing was lost"], proc.stdout
        assert "***" in proc.stderr and "Incorrect API key provided" in proc.stderr
        assert S.stored_papers(root / "data")[echo]["analysis"]["status"] == "done"  # the offline analysis stays
        assert S.stored_papers(root / "data")[echo]["analysis"]["provenance"] == "offline"
        run = S.build(config, strict=False, environ=environ)  # tries again, stops again
        outputs.append(run.output)
        assert run.returncode == 0, run.output
        assert any("key refused" in ln for ln in run.output.splitlines() if ln.startswith("WARNING"))
        headers = list(fake.headers)
    assert headers and all(h.get("authorization") == f"Bearer {SECRET}" for h in headers)
    for text in outputs:
        assert SECRET not in text and "SECRET-123" not in text
    for directory in (root / "data", root / ".cache", root / "site"):
        assert directory.is_dir(), directory
        assert site_files_containing(directory, "SECRET-123") == [], directory


# ----------------------------------------------------------------------------- concurrency and rate limit


def test_concurrency_is_bounded(tmp_path):
    with FakeOpenAI(latency=0.3, behaviour_for=S.Faults()) as fake:
        config = S.make_site(tmp_path / "site", llm_options(fake, concurrency=4), keep_days=[DAY])
        started = time.monotonic()
        report = analyze_in_process(config)
        elapsed = time.monotonic() - started
        assert report.analyzed == 10 and len(fake.requests) == 21
        assert 2 <= fake.max_in_flight <= 4, fake.max_in_flight
    # 10 papers × 2 sequential requests on 4 workers = 3 rounds of 0.6 s, then the summary: ~2.1 s
    # (one request at a time would take 21 × 0.3 = 6.3 s).
    assert elapsed < 5.0, elapsed


def test_requests_per_minute_spaces_request_starts(tmp_path):
    faults = S.Faults()
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(tmp_path / "site", llm_options(fake, concurrency=4, requests_per_minute=120),
                             keep_days=[DAY])
        report = analyze_in_process(config, dates=[DAY], ids=S.day_papers(DAY)[:2])
        assert report.analyzed == 2 and len(fake.requests) == 5
    starts = sorted(s.at for s in faults.seen)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.35, gaps  # 60 / 120 = 0.5 s between starts, minus scheduling jitter
    assert starts[-1] - starts[0] >= 1.8, gaps


# ----------------------------------------------------------------------------- request options


def test_extra_body_and_per_task_models_reach_the_requests(tmp_path):
    faults = S.Faults()
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(tmp_path / "site", llm_options(
            fake, model="model-default", models={"analysis": "model-a", "tags": "model-t", "summary": "model-s"},
            extra_body={"enable_thinking": False, "top_k": 20}, max_tokens=1234, temperature=0.1), keep_days=[DAY])
        report = analyze_in_process(config)
        assert report.analyzed == 10
    expected = {"analysis": "model-a", "fields": "model-t", "summary": "model-s"}
    assert tasks(faults) == {"analysis": 10, "fields": 10, "summary": 1}
    for seen in faults.requests():
        assert seen.model == expected[seen.task], (seen.task, seen.model)
        assert seen.body["enable_thinking"] is False and seen.body["top_k"] == 20
        assert seen.body["max_tokens"] == 1234 and seen.body["temperature"] == 0.1
        assert "extra_body" not in seen.body
    data = tmp_path / "site" / "data"
    for pid in S.day_papers(DAY):
        a = S.stored_papers(data)[pid]["analysis"]
        assert a["model"] == "model-a" and a["models"] == {"analysis": "model-a", "tags": "model-t"}
    assert S.stored_days(data)[DAY]["summary"]["model"] == "model-s"


def test_fields_request_uses_json_schema_and_plain_json_when_refused(tmp_path):
    faults = S.Faults()
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(tmp_path / "a", llm_options(fake, concurrency=2), keep_days=[DAY], max_tags=3)
        assert analyze_in_process(config).analyzed == 10
    for seen in faults.requests():
        if seen.task != "fields":
            assert "response_format" not in seen.body
            continue
        fmt = seen.body["response_format"]
        assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
        schema = fmt["json_schema"]["schema"]
        assert schema["required"] == ["tldr", "tags", "key_contributions"]
        assert schema["properties"]["tags"]["items"]["enum"] == list(DEFAULT_TAXONOMY)
        assert schema["properties"]["tags"]["maxItems"] == 3

    # An endpoint that answers 400 to any response_format: one refusal per mode (json_schema, then json_object),
    # then plain JSON parsing (fenced answers).
    faults = S.Faults().add("*", "fields", lambda body: "400" if "response_format" in body else S.fenced_fields(body))
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(tmp_path / "b", llm_options(fake, concurrency=1), keep_days=[DAY])
        report = analyze_in_process(config)
        statuses = [r["status"] for r in fake.responses]
    assert report.analyzed == 10 and report.pending == {}
    fields = faults.requests("fields")
    assert len(fields) == 12 and statuses.count(400) == 2
    assert fields[0].body["response_format"]["type"] == "json_schema"
    assert fields[1].body["response_format"] == {"type": "json_object"}
    assert all("response_format" not in s.body for s in fields[2:])
    for pid in S.day_papers(DAY):
        paper = S.stored_papers(tmp_path / "b" / "data")[pid]
        assert paper["analysis"]["status"] == "done" and paper["tags"][0] in TAXONOMY

    # json_schema: false never asks for it.
    faults = S.Faults()
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(tmp_path / "c", llm_options(fake, json_schema=False), keep_days=[DAY])
        assert analyze_in_process(config).analyzed == 10
    assert all("response_format" not in s.body for s in faults.requests())


def test_json_schema_refusal_is_recorded_once_for_all_threads():
    """Workers that all sent json_schema and were all refused record it once; later requests go without it."""
    import threading
    from types import SimpleNamespace

    import openai

    from arxiv_digest.analysis.llm.client import Client
    from arxiv_digest.config import LLMConfig

    config = LLMConfig()
    config.load_dict({"base_url": "http://127.0.0.1:9/v1", "retries": 0, "structured_output": "json_schema"})
    assert config.validate()[0] == []
    client = Client(config)
    workers = 8
    together = threading.Barrier(workers, timeout=10)
    bodies: list[dict] = []
    notes: list = []
    learn = client.provider.learn
    client.provider.learn = lambda *args: notes.append(learn(*args)) or notes[-1]

    def create(**body):
        bodies.append(body)
        if (body.get("response_format") or {}).get("type") == "json_schema":
            together.wait()  # every worker has sent json_schema before the first refusal is recorded
            response = SimpleNamespace(status_code=400, request=None, headers={})  # what the error reads of one
            raise openai.BadRequestError("response_format is not supported", response=response, body=None)
        message = SimpleNamespace(content='{"tldr": "ok"}', refusal=None, model_extra={})
        return SimpleNamespace(usage=None, model_extra={},
                               choices=[SimpleNamespace(message=message, finish_reason="stop")])

    client.openai = SimpleNamespace(chat=SimpleNamespace(completions=SimpleNamespace(create=create)))
    schema = {"type": "object"}
    answers: list[tuple] = []
    threads = [threading.Thread(target=lambda: answers.append(client.chat("m", "s", "u", llm.Usage(), schema=schema)))
               for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [('{"tldr": "ok"}', "stop")] * workers  # each worker fell back to json_object
    assert len(notes) == workers and sum(1 for n in notes if n) == 1  # reported once
    assert "structured_output: json_object" in client.provider.learned()[0]
    assert client.provider.profile("m").structured == "json_object"

    del bodies[:]
    usage = llm.Usage()
    assert client.chat("m", "s", "u", usage, schema=schema) == ('{"tldr": "ok"}', "stop")
    assert usage.requests == 1 and len(bodies) == 1 and bodies[0]["response_format"] == {"type": "json_object"}


# ----------------------------------------------------------------------------- answers that are not chat completions


@pytest.mark.parametrize("raw", [
    (200, "text/html", b"<html><body>Welcome to nginx!</body></html>"),
    (200, "application/json", b'{"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0, "mess'),
], ids=["html-page", "cut-off-json"])
def test_non_completion_answer_leaves_the_paper_pending(tmp_path, raw):
    faults = S.Faults()

    def raw_for(body):
        return raw if S.task_of(body) == "analysis" and faults.key_of(body, "analysis") == TARGET else None

    with S.RawFake.make(raw_for, behaviour_for=faults) as fake:
        config = S.make_site(tmp_path / "site", llm_options(fake, concurrency=2), keep_days=[DAY])
        report = analyze_in_process(config)
    papers = S.stored_papers(tmp_path / "site" / "data")
    assert set(report.pending) == {TARGET} and report.pending[TARGET].strip()
    assert papers[TARGET]["analysis"]["status"] == "pending"
    assert all(papers[p]["analysis"]["status"] == "done" for p in S.day_papers(DAY) if p != TARGET)


# ----------------------------------------------------------------------------- command line edges


def test_analyze_ids_with_a_bad_id_gives_a_one_line_reason(tmp_path):
    with FakeOpenAI() as fake:
        config = S.make_site(tmp_path / "site", llm_options(fake), keep_days=[DAY])
        proc = S.run_cli(config, "analyze", "--ids", "2601.16982v1")
        assert len(fake.requests) == 0
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_analyze_ids_summarizes_only_their_days(tmp_path):
    faults = S.Faults()
    pid = S.day_papers(DAY)[0]
    with FakeOpenAI(behaviour_for=faults) as fake:
        config = S.make_site(tmp_path / "site", llm_options(fake))
        report = analyze_in_process(config, ids=[pid])
    assert report.analyzed == 1
    assert [(s.task, s.key) for s in faults.requests("summary")] == [("summary", DAY)]
