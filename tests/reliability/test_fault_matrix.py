"""Fault matrix: 8 arXiv faults × 8 LLM faults = 64 cells, each run in-process.

Every cell starts from a store whose first day (2026-01-26) was analyzed by the LLM
and then runs, against its own fake arXiv and fake OpenAI server:

1. ``pipeline.update`` for 2026-02-06 with the arXiv fault **transient** (retries must
   absorb it: the day is stored whole), then for 2026-02-18 with the arXiv fault
   **permanent** (the retry budget is exhausted: the day is reported, not stored);
2. ``pipeline.analyze`` with the LLM fault applied

   * permanently to the analysis request of one new paper and to the fields request
     of another (both must end *pending* with a reason),
   * transiently (first request only) to both requests of a third paper (retries or
     a second attempt must absorb it: *done*),
   * permanently to the day summary of 2026-02-06 (*summary_pending*, offline summary kept),
   * permanently to one previously done paper made stale (``reanalyze: stale``): its
     good analysis must survive byte for byte;

3. checks: no exception escapes; every file of the previously done day is
   byte-identical; no stored done analysis or summary is invalid or carries fault text
   (independent checks: sections, not cut off, Chinese, no fault marker); the affected
   papers are pending with a reason; 2026-02-18 is reported and not stored;
4. a rerun with the faults gone (``update`` as the daily job runs it, without refetch,
   then ``analyze``) completes everything: both new days whole, every paper and
   summary done by the LLM, nothing reported.

The cells run in a thread pool inside one module fixture (faults such as timeouts
mostly wait); each cell is then one test item. One more item builds the site from
the worst store (every LLM fault at once) with ``mkdocs build`` (no ``--strict``) and
looks for fault text in the published site.

Which form each fault takes:

=====================  ===========================================  ==============================
arXiv fault            transient (2026-02-06)                        permanent (2026-02-18)
=====================  ===========================================  ==============================
HTTP 500               first request                                 every request (``fail_always``)
503 + Retry-After: 1   first request (the wait must be honoured)     every request
429                    first request                                 every request
connection refused     connection dropped unanswered (``drop``)      ``api_url`` on a closed port
timeout mid-body       half the body, then silence (``hang``)        every request
malformed XML          first request                                 every request
empty page mid-list    second page (page size 4) empty once          every page after the first
entry missing fields   one entry without title/abstract/authors      every entry without them
=====================  ===========================================  ==============================
"""

from __future__ import annotations

import json
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

import llm_support as S
import reliability_support as R
from arxiv_digest.arxiv import announce
from arxiv_digest import pipeline
from fake_arxiv import ATOM, FakeArxiv, Entry, load_entries
from fake_openai import FakeOpenAI

FIGURE = "Fault matrix"
ARXIV_RETRIES = 2
# Timeouts of 2 s (faults wait 4-5 s): long enough that a loaded CI machine does not turn a good answer
# into a timeout, short enough for the suite.
LLM_OPTIONS = {"attempts": 2, "retries": 1, "timeout": 2, "concurrency": 8, "reanalyze": "stale"}
ARXIV_TIMEOUT = 2

D1, D2, D3 = R.D1, R.D2, R.D3
P_ANALYSIS, P_FIELDS, P_TRANSIENT = R.DAY_IDS[D2][:3]  # permanent analysis fault, permanent fields fault, transient
P_BROKEN = R.DAY_IDS[D2][5]  # the entry served without its fields
P_OLD = R.DAY_IDS[D1][0]  # previously done, made stale: its failing reanalysis must not replace it
STALE_HASH = "0000stale0000000"

ARXIV_FAULTS = ["http_500", "http_503_retry_after", "http_429", "connection_refused", "timeout_mid_body",
                "malformed_xml", "empty_page_mid_pagination", "entry_missing_fields"]
LLM_FAULTS = {"429": "429", "500": "500", "timeout": ("timeout", 5), "refusal": "refusal",
              "truncated": "truncated", "invalid_json": "invalid_json", "empty": "empty",
              "wrong_language": "wrong_language"}

# Cells expected to fail because of a known bug: (arXiv fault, LLM fault or "*") -> reason.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def transient_arxiv(fault: str) -> list:
    return {
        "http_500": [("status", 500)],
        "http_503_retry_after": [("status", 503, {"Retry-After": "1"})],
        "http_429": [("status", 429)],
        "connection_refused": ["drop"],
        "timeout_mid_body": [("hang", 4)],
        "malformed_xml": ["malformed"],
        "empty_page_mid_pagination": [None, "empty"],
        "entry_missing_fields": [],
    }[fault]


def permanent_arxiv(fault: str, fake: FakeArxiv) -> None:
    if fault == "empty_page_mid_pagination":
        fake.faults = [None] + ["empty"] * 20
    elif fault in ("connection_refused", "entry_missing_fields"):
        pass  # closed port in the configuration / broken entries
    else:
        fake.fail_always = {"http_500": ("status", 500), "http_503_retry_after": ("status", 503, {"Retry-After": "1"}),
                            "http_429": ("status", 429), "timeout_mid_body": ("hang", 4),
                            "malformed_xml": ("malformed",)}[fault]


def strip_fields(entry: Entry) -> Entry:
    """The entry without title, abstract and authors (id, dates and categories kept, so the fake serves it)."""
    el = entry.element()
    for tag in ("title", "summary", "author"):
        for child in el.findall(f"{{{ATOM}}}{tag}"):
            el.remove(child)
    return Entry(xml=etree.tostring(el, encoding="unicode"), arxiv_id=entry.arxiv_id, categories=entry.categories,
                 published=entry.published, updated=entry.updated)


ENTRIES = load_entries()


def entries_with_broken(ids: set[str]) -> list[Entry]:
    return [strip_fields(e) if e.base_id in ids else e for e in ENTRIES]


def ann(day: str):
    return announce.for_digest_date(date.fromisoformat(day), "Asia/Shanghai")


# ----------------------------------------------------------------------------- the template store


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """data/ with 2026-01-26 analyzed by the LLM (done), one paper of it made stale."""
    root = tmp_path_factory.mktemp("matrix-template")
    with FakeOpenAI(behaviour_for=S.Faults()) as fake:
        config_file = S.make_site(root, {"base_url": fake.base_url, **LLM_OPTIONS}, keep_days=[D1])
        config, store = R.load(config_file)
        report = pipeline.analyze(store, config)
    assert not report.pending and report.analyzed == 10, report.lines()
    path = root / "data" / "papers" / f"{P_OLD}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["analysis"]["prompt_hash"] = STALE_HASH
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert not R.invalid_done_records(root / "data")
    return root / "data"


# ----------------------------------------------------------------------------- one cell


@dataclass
class Cell:
    arxiv: str
    llm: str
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    root: Path | None = None

    def check(self, condition: bool, message: str) -> None:
        if not condition:
            self.problems.append(message)


def llm_faults(behaviour, pending_papers: list[str], transient: str | None, summary_dates: list[str]) -> S.Faults:
    faults = S.Faults()
    for pid in pending_papers:
        faults.add(pid, "analysis", behaviour)
    if transient:
        faults.add(transient, "analysis", behaviour, times=1)
        faults.add(transient, "fields", behaviour, times=1)
    for day in summary_dates:
        faults.add(day, "summary", behaviour)
    return faults


def run_cell(cell: Cell, template: Path, base: Path) -> Cell:
    started = time.monotonic()
    try:
        _run_cell(cell, template, base)
    except Exception:  # noqa: BLE001 - an exception escaping the pipeline fails the cell
        cell.problems.append("exception escaped:\n" + traceback.format_exc(limit=8))
    cell.seconds = time.monotonic() - started
    return cell


def _run_cell(cell: Cell, template: Path, base: Path) -> None:
    root = cell.root = base / f"{cell.arxiv}--{cell.llm}"
    data = R.copy_tree(template, root / "data")
    behaviour = LLM_FAULTS[cell.llm]
    faults = llm_faults(behaviour, [P_ANALYSIS, P_OLD], P_TRANSIENT, [D2])
    faults.add(P_FIELDS, "fields", behaviour)
    broken_one = cell.arxiv == "entry_missing_fields"
    with FakeArxiv(entries=entries_with_broken({P_BROKEN}) if broken_one else ENTRIES) as arxiv, \
            FakeOpenAI(behaviour_for=faults) as openai_fake:
        config_file = S.make_site(root, {"base_url": openai_fake.base_url, **LLM_OPTIONS}, data=None,
                                  arxiv={"api_url": arxiv.url, "delay_seconds": 0, "retries": ARXIV_RETRIES,
                                         "timeout": ARXIV_TIMEOUT, "page_size": 4})
        config, store = R.load(config_file)
        d1_before = {p: (data / p).read_bytes() for p in
                     [f"days/{D1}.json", *[f"papers/{pid}.json" for pid in R.DAY_IDS[D1]]]}

        # 1a. transient arXiv fault on D2: retries absorb it, the day is stored whole
        arxiv.faults = transient_arxiv(cell.arxiv)
        t0 = time.monotonic()
        report_d2 = pipeline.update(store, config, [ann(D2)])
        waited = time.monotonic() - t0
        want_d2 = [p for p in R.DAY_IDS[D2] if not (broken_one and p == P_BROKEN)]
        day2 = store.day(D2)
        cell.check(day2 is not None and day2["papers"] == want_d2,
                   f"D2 after a transient arXiv fault: stored {day2 and day2['papers']}, want {len(want_d2)} papers")
        faulted = [r for r in arxiv.requests if r["fault"]]
        if cell.arxiv != "entry_missing_fields":
            cell.check(bool(faulted), "the transient arXiv fault was never served")
            cell.check(not report_d2.failures, f"transient arXiv fault reported as a failure: {report_d2.failures}")
        else:
            cell.check(any(P_BROKEN in f or "skipped" in f for f in report_d2.failures),
                       f"the entry missing fields was not reported: {report_d2.failures}")
        if cell.arxiv == "http_503_retry_after":
            cell.check(waited >= 0.9, f"Retry-After: 1 not honoured (D2 fetched in {waited:.2f}s)")

        # 1b. permanent arXiv fault on D3: reported, not stored
        arxiv.faults = []
        if cell.arxiv == "entry_missing_fields":
            arxiv.entries = entries_with_broken(set(R.DAY_IDS[D3]) | ({P_BROKEN} if broken_one else set()))
        permanent_arxiv(cell.arxiv, arxiv)
        if cell.arxiv == "connection_refused":
            config.arxiv["api_url"] = S.closed_port_url()
        report_d3 = pipeline.update(store, config, [ann(D3)])
        arxiv.fail_always, arxiv.faults = None, []
        config.arxiv["api_url"] = arxiv.url
        cell.check(store.day(D3) is None, "D3 stored although its arXiv fault was permanent")
        reported = [f for f in report_d3.failures if D3 in f or "skipped" in f] + \
            [d for d in report_d3.days_empty if d == D3]
        cell.check(bool(reported), f"permanent arXiv fault on D3 not reported: {report_d3.lines()}")

        # 2. the LLM fault
        report = pipeline.analyze(store, config)
        after = {p: (data / p).read_bytes() for p in d1_before}
        changed = [p for p in d1_before if after[p] != d1_before[p]]
        cell.check(not changed, f"previously done files changed: {changed}")
        cell.problems += R.invalid_done_records(data)
        papers = S.stored_papers(data)
        for pid in (P_ANALYSIS, P_FIELDS):
            a = papers[pid].get("analysis") or {}
            cell.check(a.get("status") == "pending" and isinstance(a.get("reason"), str) and a["reason"].strip(),
                       f"{pid} should be pending with a reason: {a.get('status')} / {a.get('reason')!r}")
        for pid in want_d2:
            if pid in (P_ANALYSIS, P_FIELDS):
                continue
            a = papers[pid].get("analysis") or {}
            cell.check(a.get("status") == "done" and a.get("provenance") == "llm",
                       f"{pid} ({'transient fault' if pid == P_TRANSIENT else 'no fault'}) not done by the LLM: "
                       f"{a.get('status')} / {a.get('provenance')} / {a.get('reason')}")
        day2 = store.day(D2) or {}
        cell.check(bool(day2.get("summary_pending")) and (day2.get("summary") or {}).get("provenance") != "llm",
                   f"D2 summary should be pending: summary_pending={day2.get('summary_pending')!r}, "
                   f"provenance={(day2.get('summary') or {}).get('provenance')}")
        for key in (P_ANALYSIS, P_FIELDS, P_OLD, f"summary {D2}"):
            cell.check(key in report.pending, f"{key} missing from the run's pending report")
        cell.check(R.store_problems(data) == [], f"store problems: {R.store_problems(data)}")

        # 3. faults gone: the daily job's rerun completes everything
        faults.clear()
        arxiv.entries = ENTRIES
        rerun_fetch = pipeline.update(store, config, [ann(D2), ann(D3)])
        rerun = pipeline.analyze(store, config)
        for day, want in ((D2, R.DAY_IDS[D2]), (D3, R.DAY_IDS[D3])):
            stored = store.day(day)
            cell.check(stored is not None and stored["papers"] == want,
                       f"rerun: {day} holds {stored and len(stored['papers'])} papers, want all {len(want)}"
                       + (f" (missing {sorted(set(want) - set(stored['papers']))})" if stored else ""))
        for pid, paper in S.stored_papers(data).items():
            a = paper.get("analysis") or {}
            cell.check(a.get("status") == "done" and a.get("provenance") == "llm",
                       f"rerun: {pid} not done by the LLM ({a.get('status')}, {a.get('reason')})")
        for day, record in S.stored_days(data).items():
            cell.check((record.get("summary") or {}).get("provenance") == "llm" and "summary_pending" not in record,
                       f"rerun: summary of {day} not done")
        cell.check(not rerun_fetch.failures and not rerun.pending and not rerun.failures,
                   f"rerun reported problems: {rerun_fetch.failures + rerun.failures} {rerun.pending}")
        cell.problems += [f"rerun: {p}" for p in R.invalid_done_records(data)]


@pytest.fixture(scope="module")
def matrix(template, tmp_path_factory) -> dict[tuple[str, str], Cell]:
    base = tmp_path_factory.mktemp("matrix")
    cells = [Cell(a, lf) for a in ARXIV_FAULTS for lf in LLM_FAULTS]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=12) as pool:
        done = list(pool.map(lambda c: run_cell(c, template, base), cells))
    print(f"\nfault matrix: {len(done)} cells in {time.monotonic() - started:.1f}s "
          f"(slowest {max(c.seconds for c in done):.1f}s)")
    return {(c.arxiv, c.llm): c for c in done}


def _params():
    for a in ARXIV_FAULTS:
        for lf in LLM_FAULTS:
            marks = [pytest.mark.figure(FIGURE, unit="cells")]
            reason = KNOWN_BUGS.get((a, lf)) or KNOWN_BUGS.get((a, "*"))
            if reason:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            yield pytest.param(a, lf, marks=marks, id=f"{a}-x-llm_{lf}")


@pytest.mark.parametrize("arxiv_fault,llm_fault", list(_params()))
def test_fault_pair_is_absorbed_or_reported_and_a_rerun_completes(matrix, arxiv_fault, llm_fault):
    cell = matrix[(arxiv_fault, llm_fault)]
    assert not cell.problems, "\n".join(cell.problems)


def test_matrix_crosses_every_arxiv_fault_with_every_llm_fault_and_only_known_bugs_fail(matrix):
    # The figure (RELIABILITY.md: "8 arXiv faults × 8 LLM faults = 64 cells", "cells passed 64 / 64") counts
    # the cells test_fault_pair_is_absorbed_or_reported_and_a_rerun_completes checks one by one: here, that
    # they are all the pairs, each run once, and that the cells failing are exactly those marked as known bugs.
    pairs = [(a, lf) for a in ARXIV_FAULTS for lf in LLM_FAULTS]
    assert (len(ARXIV_FAULTS), len(LLM_FAULTS), len(set(pairs))) == (8, 8, 64)
    assert sorted(matrix) == sorted(pairs)
    failing = sorted(pair for pair, cell in matrix.items() if cell.problems)
    known = sorted(pair for pair in pairs if pair in KNOWN_BUGS or (pair[0], "*") in KNOWN_BUGS)
    assert failing == known, \
        f"cells passed {len(pairs) - len(failing)} / {len(pairs)}; failing {failing}, known bugs {known}"


# ----------------------------------------------------------------------------- the worst store, published


WORST_FAULTS = list(LLM_FAULTS.values())


@pytest.fixture(scope="module")
def worst_site(template, tmp_path_factory):
    """Every LLM fault at once on 2026-02-06 (one per paper, permanent), its summary refused,
    an entry missing fields, 2026-02-18 failing with HTTP 500; then ``mkdocs build`` (not strict)."""
    root = tmp_path_factory.mktemp("worst")
    R.copy_tree(template, root / "data")
    faults = S.Faults()
    victims = [p for p in R.DAY_IDS[D2] if p != P_BROKEN][:8]
    for pid, behaviour in zip(victims, WORST_FAULTS):
        faults.add(pid, "analysis", behaviour)
    faults.add(D2, "summary", "refusal")
    faults.add(P_OLD, "analysis", "refusal")
    with FakeArxiv(entries=entries_with_broken({P_BROKEN})) as arxiv, FakeOpenAI(behaviour_for=faults) as fake:
        config_file = S.make_site(root, {"base_url": fake.base_url, **LLM_OPTIONS}, data=None,
                                  arxiv={"api_url": arxiv.url, "delay_seconds": 0, "retries": 1, "timeout": ARXIV_TIMEOUT,
                                         "page_size": 4})
        config, store = R.load(config_file)
        pipeline.update(store, config, [ann(D2)])
        arxiv.fail_always = ("status", 500)
        pipeline.update(store, config, [ann(D3)])
        report = pipeline.analyze(store, config)
    assert set(victims) <= set(report.pending), report.lines()
    # The build reads the store only (no LLM, no network): what a site publishes after a bad night.
    S.set_llm(config_file, base_url=None)
    build = S.build(config_file, strict=False)
    return root, build, victims


def published_fault_text(site: Path, names: set[str]) -> list[str]:
    found = []
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path.relative_to(site)}: {name}" for name in R.fault_text_in(text) if name in names]
    return found


WORST = pytest.mark.figure("Fault matrix: worst store published", unit="checks")


@WORST
def test_worst_store_publishes_no_invalid_answer(worst_site):
    root, build, victims = worst_site
    assert build.returncode == 0, build.output
    site = root / "site"
    found = published_fault_text(site, set(R.ANSWER_MARKERS))
    assert not found, "invalid LLM answers published:\n" + "\n".join(found)
    for pid in victims:
        text = S.visible_text(S.page_text(site, f"papers/{pid}/"))
        assert R.LLM_BODY_MARKER not in text, f"{pid}: an invalid LLM answer is published"
        assert "分析待完成" in text, f"{pid}: the page does not say the analysis is pending"
    day = S.visible_text(S.page_text(site, f"digest/{D2}/"))
    assert R.LLM_BODY_MARKER not in day.split("论文详情")[0], "the refused day summary is published"
    old = S.visible_text(S.page_text(site, f"papers/{P_OLD}/"))
    assert R.LLM_BODY_MARKER in old and "分析待完成" not in old, "the good analysis that failed to refresh is not shown"


@WORST
def test_worst_store_publishes_no_endpoint_error_text(worst_site):
    root, build, _ = worst_site
    assert build.returncode == 0, build.output
    found = published_fault_text(root / "site", set(R.ERROR_MARKERS))
    assert not found, "endpoint error bodies published:\n" + "\n".join(found)


# ----------------------------------------------------------------------------- entries the arxiv client drops


@pytest.mark.figure("Fault matrix: entries the arxiv client drops", unit="cases")
@pytest.mark.parametrize("missing", ["updated", "published", "id"])
def test_entry_dropped_by_the_client_is_reported(tmp_path, missing):
    def strip(entry: Entry) -> Entry:
        el = entry.element()
        for child in el.findall(f"{{{ATOM}}}{missing}"):
            el.remove(child)
        return Entry(xml=etree.tostring(el, encoding="unicode"), arxiv_id=entry.arxiv_id,
                     categories=entry.categories, published=entry.published, updated=entry.updated)

    entries = [strip(e) if e.base_id == P_BROKEN else e for e in ENTRIES]
    with FakeArxiv(entries=entries) as arxiv:
        config_file = S.make_site(tmp_path, None, data=None, arxiv={"api_url": arxiv.url, "delay_seconds": 0,
                                                                   "retries": 1, "timeout": 2, "page_size": 4})
        config, store = R.load(config_file)
        report = pipeline.update(store, config, [ann(D2)])
    day = store.day(D2)
    assert day is not None and P_BROKEN not in day["papers"]
    assert report.failures or getattr(report, "days_partial", None) or day.get("complete") is False, \
        f"an entry without <{missing}> was dropped silently: {report.lines()}"
