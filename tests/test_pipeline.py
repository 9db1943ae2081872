"""The stages of the pipeline alone, with an arXiv source and an LLM analyzer in the same process (no HTTP)."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

import pytest

from arxiv_digest import freshness, pipeline
from arxiv_digest.analysis import llm
from arxiv_digest.arxiv import announce
from arxiv_digest.arxiv.announce import Announcement
from arxiv_digest.arxiv.source import DayFetch, FetchError
from arxiv_digest.config import DigestConfig
from arxiv_digest.model import DaySource, Paper, Provenance, Status
from arxiv_digest.store import Store
from support import closed_html_url, snapshot

TZ = "Asia/Shanghai"
ANN_0217, ANN_0218 = announce.between(date(2026, 2, 17), date(2026, 2, 18), TZ)
TAXONOMY = {"3D Vision": ["gaussian splatting"], "Robotics": ["robot"]}


def make_paper(pid: str, ann: Announcement, minutes: int, title: str = "") -> Paper:
    """A paper as the source hands it over, submitted ``minutes`` into the window of ``ann``."""
    published = (ann.start + timedelta(minutes=minutes)).isoformat()
    return {"id": pid, "version": 1, "title": title or f"Paper {pid} on gaussian splatting", "authors": ["A. Author"],
            "published": published, "updated": published, "categories": ["cs.CV"], "primary_category": "cs.CV",
            "abstract": f"We propose method {pid} for gaussian splatting. It improves quality by 3 points.",
            "comment": None, "journal_ref": None, "doi": None,
            "links": {"abs": f"https://arxiv.org/abs/{pid}v1", "pdf": f"https://arxiv.org/pdf/{pid}v1"},
            "code_links": []}


DAY_0218 = [make_paper("2602.00003", ANN_0218, 30), make_paper("2602.00002", ANN_0218, 20),
            make_paper("2602.00001", ANN_0218, 10)]
DAY_0217 = [make_paper("2602.00011", ANN_0217, 10)]


class FakeSource:
    """The arXiv API in the same process: digest date → papers, or the error that fetching it raises."""

    def __init__(self, days: dict[str, list[Paper] | Exception]) -> None:
        self.days = days
        self.fetched: list[str] = []

    @property
    def requests(self) -> int:
        return len(self.fetched)

    def fetch(self, ann: Announcement, categories: list[str]) -> DayFetch:
        self.fetched.append(ann.digest_date.isoformat())
        got = self.days.get(ann.digest_date.isoformat(), [])
        if isinstance(got, Exception):
            raise got
        return DayFetch(papers=[dict(p) for p in got])


class FakeAnalyzer:
    """The LLM in the same process: every paper is analyzed except those in ``failing`` (id → reason)."""

    def __init__(self, config: DigestConfig, failing: dict[str, str] | None = None, summary_fails: bool = False,
                 version: str = "v1") -> None:
        self.llm = config.llm
        self.failing = failing or {}
        self.summary_fails = summary_fails
        self.version = version
        self.analyzed: list[str] = []
        self.summarized: list[str] = []

    def prompt_hash(self) -> str:
        return "prompt-1"

    def summary_hash(self) -> str:
        return "summary-1"

    def run(self, papers: list[Paper], on_done) -> None:
        for paper in papers:
            self.analyzed.append(paper["id"])
            usage = llm.Usage(prompt_tokens=100, completion_tokens=50, requests=1)
            if paper["id"] in self.failing:
                on_done(llm.Outcome(paper["id"], reason=self.failing[paper["id"]], usage=usage))
                continue
            analysis = {"status": Status.DONE, "provenance": Provenance.LLM, "tldr": f"{paper['id']} 的要点",
                        "key_findings": ["更快"], "body": f"## 分析 {self.version}\n\n正文", "reason": None,
                        "prompt_hash": self.prompt_hash(), "paper_version": paper.get("version", 1)}
            on_done(llm.Outcome(paper["id"], analysis=analysis, tags=["3D Vision"], usage=usage))

    def summary(self, digest_date: str, papers: list[Paper], usage: llm.Usage) -> dict:
        usage.requests += 1
        self.summarized.append(digest_date)
        if self.summary_fails:
            raise llm.Invalid("missing sections")
        return {"provenance": Provenance.LLM, "markdown": f"### 今日 {digest_date}\n", "prompt_hash": self.summary_hash()}


@pytest.fixture
def config() -> DigestConfig:
    config = DigestConfig()
    config.load_dict({"categories": ["cs.CV", "cs.RO"], "taxonomy": TAXONOMY, "timezone": TZ,
                      "arxiv": {"html_url": closed_html_url()}})
    failed, _ = config.validate()
    assert not failed, failed
    return config


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "data")


# ----------------------------------------------------------------------------- fetching


def test_a_fetched_day_is_stored_with_offline_analyses(store, config):
    source = FakeSource({"2026-02-18": DAY_0218})
    report = pipeline.update(store, config, [ANN_0218], source=source)
    assert report.days_fetched == ["2026-02-18"] and report.failures == []
    assert report.papers_new == 3 and report.requests == 1
    day = store.day("2026-02-18")
    assert day["papers"] == ["2602.00003", "2602.00002", "2602.00001"]
    assert day["source"] == DaySource.ARXIV and day["candidates"] == 3 and day["complete"] is True
    assert day["window"] == {"start": ANN_0218.start.isoformat(), "end": ANN_0218.end.isoformat()}
    assert day["summary"]["provenance"] == Provenance.OFFLINE
    paper = store.paper("2602.00001")
    assert paper["analysis"]["status"] == Status.DONE and paper["analysis"]["provenance"] == Provenance.OFFLINE
    assert paper["tags"] == ["3D Vision", "cs.CV"]

    again = pipeline.update(store, config, [ANN_0218], source=source)
    assert source.fetched == ["2026-02-18"], "a whole stored day is not fetched again"
    assert again.days_fetched == [] and again.requests == 0


def test_a_failing_day_leaves_stored_work_intact(store, config, tmp_path):
    pipeline.update(store, config, [ANN_0217, ANN_0218], source=FakeSource({"2026-02-17": DAY_0217,
                                                                             "2026-02-18": DAY_0218}))
    before = snapshot(tmp_path / "data")
    failing = FakeSource({"2026-02-17": FetchError("arXiv API at x failed: HTTP 503"), "2026-02-18": DAY_0218})
    report = pipeline.update(store, config, [ANN_0217, ANN_0218], refetch=True, source=failing)
    assert failing.fetched == ["2026-02-17", "2026-02-18"], "a failing day does not stop the next one"
    assert report.failures == ["arXiv API at x failed: HTTP 503"]
    assert report.days_fetched == ["2026-02-18"]
    assert snapshot(tmp_path / "data") == before


def test_a_day_without_papers_is_not_published(store, config):
    report = pipeline.update(store, config, [ANN_0218], source=FakeSource({}))
    assert report.days_empty == ["2026-02-18"] and store.day("2026-02-18") is None


def test_refetching_refreshes_metadata_and_keeps_the_analysis(store, config):
    pipeline.update(store, config, [ANN_0218], source=FakeSource({"2026-02-18": DAY_0218}))
    pipeline.analyze(store, config, analyzer=FakeAnalyzer(config))
    renamed = [{**p, "title": "Renamed " + p["title"]} for p in DAY_0218]
    pipeline.update(store, config, [ANN_0218], refetch=True, source=FakeSource({"2026-02-18": renamed}))
    paper = store.paper("2602.00001")
    assert paper["title"].startswith("Renamed ")
    assert paper["analysis"]["provenance"] == Provenance.LLM and paper["tags"][0] == "3D Vision"


# ----------------------------------------------------------------------------- analysis


def test_analysis_done_and_pending(store, config):
    pipeline.update(store, config, [ANN_0218], source=FakeSource({"2026-02-18": DAY_0218}))
    analyzer = FakeAnalyzer(config, failing={"2602.00002": "answer in English"})
    report = pipeline.analyze(store, config, analyzer=analyzer)
    assert sorted(analyzer.analyzed) == ["2602.00001", "2602.00002", "2602.00003"]
    assert report.analyzed == 2 and report.pending == {"2602.00002": "answer in English"}
    assert report.usage.requests == 3 + 1  # three papers, one day summary
    done = store.paper("2602.00001")["analysis"]
    assert (done["status"], done["provenance"], done["tldr"]) == (Status.DONE, Provenance.LLM, "2602.00001 的要点")
    pending = store.paper("2602.00002")["analysis"]
    assert (pending["status"], pending["provenance"], pending["reason"]) == (Status.PENDING, Provenance.LLM,
                                                                             "answer in English")
    assert store.day("2026-02-18")["summary"]["provenance"] == Provenance.LLM

    retry = FakeAnalyzer(config)
    pipeline.analyze(store, config, analyzer=retry)
    assert retry.analyzed == ["2602.00002"], "final work is not redone; pending work is"
    assert store.paper("2602.00002")["analysis"]["status"] == Status.DONE


def test_a_failure_never_replaces_a_good_analysis(store, config, tmp_path):
    pipeline.update(store, config, [ANN_0218], source=FakeSource({"2026-02-18": DAY_0218}))
    pipeline.analyze(store, config, analyzer=FakeAnalyzer(config))
    good = copy.deepcopy(store.paper("2602.00001"))
    papers_before = snapshot(tmp_path / "data" / "papers")
    failing = FakeAnalyzer(config, failing={p["id"]: "HTTP 500" for p in DAY_0218})
    report = pipeline.analyze(store, config, force=True, analyzer=failing)
    assert len(failing.analyzed) == 3 and report.analyzed == 0 and len(report.pending) == 3
    assert snapshot(tmp_path / "data" / "papers") == papers_before

    # A success replaces it, and the replaced analysis is archived.
    pipeline.analyze(store, config, force=True, analyzer=FakeAnalyzer(config, version="v2"))
    paper = store.paper("2602.00001")
    assert paper["analysis"]["body"].startswith("## 分析 v2")
    assert paper["previous_analyses"] == [good["analysis"]]


def test_a_failed_day_summary_keeps_the_one_it_had(store, config):
    pipeline.update(store, config, [ANN_0218], source=FakeSource({"2026-02-18": DAY_0218}))
    offline = store.day("2026-02-18")["summary"]
    report = pipeline.analyze(store, config, analyzer=FakeAnalyzer(config, summary_fails=True))
    day = store.day("2026-02-18")
    assert day["summary"] == offline and day["summary_pending"] == "missing sections"
    assert report.pending == {"summary 2026-02-18": "missing sections"}

    pipeline.analyze(store, config, analyzer=FakeAnalyzer(config))
    day = store.day("2026-02-18")
    assert day["summary"]["provenance"] == Provenance.LLM and "summary_pending" not in day
    assert day["summary"]["basis"] == pipeline.summary_basis([store.paper(pid) for pid in day["papers"]])


def test_freshness_counts_the_announcements_behind(store, config):
    pipeline.update(store, config, [ANN_0217], source=FakeSource({"2026-02-17": DAY_0217}))
    now = datetime.fromisoformat("2026-02-18T12:00:00+00:00")
    # 20:00 in Shanghai: arXiv announced the 2026-02-18 digest the evening before (US Eastern).
    assert freshness.freshness(store, config, now=now) == (1, "2026-02-17", "2026-02-18")


# ----------------------------------------------------------------------------- importing


def test_importing_a_legacy_digest_keeps_the_llm_analysis_and_tags_already_stored(store, config):
    from arxiv_digest.importers import legacy
    from support import DIGEST_FIXTURES

    digest = DIGEST_FIXTURES / "2026-01-26.md"
    paper_id = "2601.16982"  # AnyView, analyzed in that digest by the legacy tool
    with store.lock():
        store.save_paper({"id": paper_id, "version": 1, "title": "AnyView", "abstract": "A fetched abstract.",
                          "categories": ["cs.CV"], "tags": ["3D Vision", "cs.CV"],
                          "analysis": {"status": Status.DONE, "provenance": Provenance.LLM, "tldr": "我们的 LLM 概要。",
                                       "key_findings": ["发现一"], "body": "### 论文的主要贡献\n\nLLM 分析。\n"}})
    before = copy.deepcopy(store.paper(paper_id))
    problems = legacy.import_digests(store, config, [str(digest)], pipeline.Report())
    assert problems == []
    after = store.paper(paper_id)
    assert after["analysis"] == before["analysis"] and after["tags"] == before["tags"]
    assert after["abstract"] == "A fetched abstract."  # the fetched metadata is not replaced by the legacy copy
    # The digest's other papers came in, as imported analyses.
    day = store.day("2026-01-26")
    others = [store.paper(i) for i in day["papers"] if i != paper_id]
    assert len(others) == 9 and all(p["analysis"]["provenance"] == Provenance.IMPORTED for p in others)
