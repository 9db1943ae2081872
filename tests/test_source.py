"""The source stage (arxiv_digest.arxiv.source) against the fake arXiv API over HTTP.

Announcement windows are written out by hand here (not taken from announce.py), and
expected papers come from the fixture XML (support.fixture_papers).
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timezone

import pytest

from arxiv_digest import pipeline
from arxiv_digest.arxiv import announce
from arxiv_digest.arxiv.announce import Announcement
from arxiv_digest.config import ArxivConfig, DigestConfig
from arxiv_digest.arxiv.source import ArxivSource, FetchError
from arxiv_digest.importers.legacy import parse_digest
from arxiv_digest.store import Store
from support import SHARED, arxiv_requests, closed_html_url, closed_port_url, fixture_papers, newest_first
from fake_arxiv import FakeArxiv, make_entry

UTC = timezone.utc


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# The 2026-02-18 digest (Asia/Shanghai): Mon 2026-02-16 14:00 EST → Tue 2026-02-17 14:00 EST.
ANN_0218 = Announcement(digest_date=date(2026, 2, 18), cutoff_day=date(2026, 2, 17), start=utc(2026, 2, 16, 19),
                        end=utc(2026, 2, 17, 19), announced=utc(2026, 2, 18, 1))
# The 2026-01-26 digest: Thu 2026-01-22 14:00 EST → Fri 2026-01-23 14:00 EST.
ANN_0126 = Announcement(digest_date=date(2026, 1, 26), cutoff_day=date(2026, 1, 23), start=utc(2026, 1, 22, 19),
                        end=utc(2026, 1, 23, 19), announced=utc(2026, 1, 26, 1))
CATS = ["cs.CV", "cs.RO"]
DIGESTS = sorted((SHARED / "fixtures" / "digests").glob("*.md"))


def arxiv_options(url: str, **options) -> ArxivConfig:
    config = ArxivConfig()
    config.load_dict({"api_url": url, "delay_seconds": 0, **options})
    failed, _ = config.validate()
    assert not failed, failed
    return config


def digest_config(url: str, **options) -> DigestConfig:
    config = DigestConfig()
    arxiv = {"api_url": url, "html_url": closed_html_url(), "delay_seconds": 0, **options.pop("arxiv", {})}
    config.load_dict({"categories": CATS, "arxiv": arxiv, **options})
    failed, _ = config.validate()
    assert not failed, failed
    return config


def starts(fake):
    return [int(r["params"]["start"]) for r in arxiv_requests(fake)]


# ----------------------------------------------------------------------------- one day


def test_fetch_returns_the_fixture_day_newest_first(fake_api):
    got = ArxivSource(arxiv_options(fake_api.url)).fetch(ANN_0218, CATS)
    expected = fixture_papers()["2026-02-18"]
    assert [p["id"] for p in got.papers] == newest_first(expected)
    assert got.skipped == []
    by_id = {p["id"]: p for p in got.papers}
    for paper in expected:
        record = by_id[paper.id]
        assert record["version"] == paper.version
        assert record["title"] == paper.title
        assert " ".join(record["abstract"].split()) == paper.abstract
        assert record["authors"] == list(paper.authors)
        assert record["categories"] == list(paper.categories)
        assert datetime.fromisoformat(record["published"]) == paper.published
        assert record["links"]["abs"] == paper.abs_url
        assert record["links"]["pdf"] == paper.pdf_url


def test_the_query_names_categories_window_and_order(fake_api):
    ArxivSource(arxiv_options(fake_api.url)).fetch(ANN_0218, CATS)
    (request,) = arxiv_requests(fake_api)
    params = request["params"]
    query = params["search_query"]
    assert set(re.findall(r"cat:([\w.-]+)", query)) == {"cs.CV", "cs.RO"}
    assert "submittedDate:[202602161900 TO 202602171900]" in query
    assert params["sortBy"] == "submittedDate" and params["sortOrder"] == "descending"


def test_late_monday_paper_is_in_wednesdays_digest(fake_api):
    # 2602.14662 was submitted 2026-02-16 20:00 UTC, after Monday's 19:00 UTC cutoff.
    got = ArxivSource(arxiv_options(fake_api.url)).fetch(ANN_0218, CATS)
    assert "2602.14662" in [p["id"] for p in got.papers]


def test_fridays_papers_make_mondays_digest(fake_api):
    got = ArxivSource(arxiv_options(fake_api.url)).fetch(ANN_0126, CATS)
    assert [p["id"] for p in got.papers] == newest_first(fixture_papers()["2026-01-26"])
    assert {datetime.fromisoformat(p["published"]).date() for p in got.papers} == {date(2026, 1, 23)}


def test_category_filter_includes_cross_lists_and_ro_only_papers(fake_api):
    day = fixture_papers()["2026-02-18"]
    ro_only = {p.id for p in day if "cs.RO" in p.categories and "cs.CV" not in p.categories}
    assert ro_only, "the fixtures hold a cs.RO-only paper"
    cv_only = ArxivSource(arxiv_options(fake_api.url)).fetch(ANN_0218, ["cs.CV"])
    assert {p["id"] for p in cv_only.papers} == {p.id for p in day if "cs.CV" in p.categories}
    assert not ro_only & {p["id"] for p in cv_only.papers}
    both = ArxivSource(arxiv_options(fake_api.url)).fetch(ANN_0218, CATS)
    assert ro_only <= {p["id"] for p in both.papers}


def test_code_links_come_from_the_abstract():
    paper = next(p for p in fixture_papers()["2026-02-18"] if p.id == "2602.14662")
    url = re.search(r"https://github\.com/\S+", paper.abstract).group().rstrip(".")
    with FakeArxiv() as fake:
        got = ArxivSource(arxiv_options(fake.url)).fetch(ANN_0218, CATS)
    record = next(p for p in got.papers if p["id"] == "2602.14662")
    assert record["code_links"] == [url]


def test_a_paper_has_the_same_code_links_fetched_or_imported(fake_api):
    """One rule for both: "Code and data are in https://research.nvidia.com/..." counts when fetched too."""
    fetched = {}
    for ann in announce.between(date(2026, 1, 26), date(2026, 2, 18), "Asia/Shanghai"):
        fetched.update({p["id"]: p for p in ArxivSource(arxiv_options(fake_api.url)).fetch(ann, CATS).papers})
    imported = {p["id"]: p for path in DIGESTS for p in parse_digest(path.read_text(encoding="utf-8"), str(path)).papers}
    assert len(imported) == 30 and set(imported) <= set(fetched)
    assert {pid: fetched[pid]["code_links"] for pid in imported} == {pid: p["code_links"] for pid, p in imported.items()}
    assert fetched["2602.15727"]["code_links"] == ["https://research.nvidia.com/labs/par/lorweb"]


def test_window_edges_and_unusable_entries():
    entries = [
        make_entry("2602.90001v1", title="At the start", published=utc(2026, 2, 16, 19)),
        make_entry("2602.90002v1", title="Just before the end", published=utc(2026, 2, 17, 18, 59, 59)),
        make_entry("2602.90003v1", title="At the end", published=utc(2026, 2, 17, 19)),  # next window
        make_entry("2602.90004v1", title="Before the start", published=utc(2026, 2, 16, 18, 59)),
        make_entry("2602.90005v1", title="   ", published=utc(2026, 2, 17, 10)),  # no title
        make_entry("2602.90006v1", title="Other category", categories=("math.AG",), published=utc(2026, 2, 17, 9)),
    ]
    with FakeArxiv(entries=entries) as fake:
        got = ArxivSource(arxiv_options(fake.url)).fetch(ANN_0218, CATS)
    assert [p["id"] for p in got.papers] == ["2602.90002", "2602.90001"]
    assert len(got.skipped) == 1 and "2602.90005" in got.skipped[0]


def test_pagination_reads_every_page_once(fake_api):
    source = ArxivSource(arxiv_options(fake_api.url, page_size=3))
    got = source.fetch(ANN_0218, CATS)
    assert [p["id"] for p in got.papers] == newest_first(fixture_papers()["2026-02-18"])
    assert starts(fake_api) == [0, 3, 6, 9]
    assert source.requests == 4


# ----------------------------------------------------------------------------- faults and retries


def test_503_with_retry_after_is_retried_after_waiting(fake_api, tmp_path):
    fake_api.faults = [("status", 503, {"Retry-After": "1"})]
    config = digest_config(fake_api.url)
    store = Store(tmp_path / "data")
    began = time.monotonic()
    report = pipeline.update(store, config, [ANN_0218])
    elapsed = time.monotonic() - began
    seen = arxiv_requests(fake_api)
    assert [r["fault"] for r in seen] == [("status", 503, {"Retry-After": "1"}), None]
    assert seen[0]["params"] == seen[1]["params"]
    assert elapsed >= 1.0, "Retry-After: 1 was not honoured"
    assert report.failures == [] and report.days_fetched == ["2026-02-18"]
    assert store.day("2026-02-18")["papers"] == newest_first(fixture_papers()["2026-02-18"])


def test_timeout_mid_body_is_retried(fake_api):
    fake_api.faults = [("hang", 8)]
    began = time.monotonic()
    got = ArxivSource(arxiv_options(fake_api.url, timeout=1)).fetch(ANN_0218, CATS)
    elapsed = time.monotonic() - began
    assert [p["id"] for p in got.papers] == newest_first(fixture_papers()["2026-02-18"])
    assert [r["fault"] for r in arxiv_requests(fake_api)] == [("hang", 8), None]
    assert elapsed < 6, f"the 1 s timeout did not cut the hung response short ({elapsed:.1f} s)"


def test_empty_page_mid_pagination_resumes_without_duplicates(fake_api):
    fake_api.faults = [None, "empty"]
    got = ArxivSource(arxiv_options(fake_api.url, page_size=3)).fetch(ANN_0218, CATS)
    ids = [p["id"] for p in got.papers]
    assert ids == newest_first(fixture_papers()["2026-02-18"])
    assert len(ids) == len(set(ids)) == 10
    # The empty page (start 3) is asked again; the first page is not.
    assert starts(fake_api) == [0, 3, 3, 6, 9]


def test_dropped_connection_is_retried(fake_api):
    fake_api.faults = ["drop"]
    got = ArxivSource(arxiv_options(fake_api.url)).fetch(ANN_0218, CATS)
    assert len(got.papers) == 10
    assert len(arxiv_requests(fake_api)) == 2


def test_retries_give_up_with_an_error_naming_the_api_and_day(fake_api):
    fake_api.fail_always = ("status", 500)
    with pytest.raises(FetchError) as caught:
        ArxivSource(arxiv_options(fake_api.url, retries=2)).fetch(ANN_0218, CATS)
    assert fake_api.url in str(caught.value) and "2026-02-18" in str(caught.value)
    assert len(arxiv_requests(fake_api)) == 3  # first try + 2 retries


def test_client_errors_are_not_retried(fake_api):
    fake_api.faults = [("status", 400)]
    with pytest.raises(FetchError):
        ArxivSource(arxiv_options(fake_api.url)).fetch(ANN_0218, CATS)
    assert len(arxiv_requests(fake_api)) == 1


def test_malformed_feed_is_an_error_not_an_empty_day(fake_api):
    fake_api.fail_always = ("malformed",)
    with pytest.raises(FetchError, match="malformed"):
        ArxivSource(arxiv_options(fake_api.url, retries=1)).fetch(ANN_0218, CATS)


def test_connection_refused_is_a_fetch_error():
    url = closed_port_url()
    began = time.monotonic()
    with pytest.raises(FetchError) as caught:
        ArxivSource(arxiv_options(url, retries=1)).fetch(ANN_0218, CATS)
    assert url in str(caught.value)
    assert time.monotonic() - began < 10
