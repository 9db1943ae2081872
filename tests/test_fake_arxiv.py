"""Tests of the fake arXiv API, driven through the real ``arxiv`` client over HTTP.

Expected values are computed here, independently, from the fixture XML with lxml.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import arxiv
import pytest
import requests
from lxml import etree

from fake_arxiv import FakeArxiv, make_entry
from support import ARXIV_FIXTURES as FIXTURES

NS = {
    "a": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "os": "http://a9.com/-/spec/opensearch/1.1/",
}
UTC = timezone.utc


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _fixture_papers() -> list[dict]:
    papers = []
    for path in sorted(FIXTURES.glob("*.xml")):
        for e in etree.parse(str(path)).getroot().findall("a:entry", NS):
            papers.append({
                "id": e.findtext("a:id", namespaces=NS).split("/abs/")[1],
                "published": _when(e.findtext("a:published", namespaces=NS)),
                "updated": _when(e.findtext("a:updated", namespaces=NS)),
                "cats": {c.get("term") for c in e.findall("a:category", NS)},
                "primary": e.find("arxiv:primary_category", NS).get("term"),
            })
    return papers


PAPERS = _fixture_papers()


def newest_first(papers: list[dict]) -> list[str]:
    return [p["id"] for p in sorted(papers, key=lambda p: p["published"], reverse=True)]


def stamp(dt: datetime) -> str:
    return dt.strftime("%Y%m%d%H%M")


def short_id(result: arxiv.Result) -> str:
    return result.entry_id.split("/abs/")[1]


def fetch(fake: FakeArxiv, query: str = "", *, id_list: list[str] | None = None, page_size: int = 100,
          retries: int = 0, sort_by: arxiv.SortCriterion = arxiv.SortCriterion.SubmittedDate,
          order: arxiv.SortOrder = arxiv.SortOrder.Descending) -> list[arxiv.Result]:
    client = arxiv.Client(page_size=page_size, delay_seconds=0, num_retries=retries)
    client.query_url_format = fake.url + "?{}"
    search = arxiv.Search(query=query, id_list=id_list, max_results=None, sort_by=sort_by,
                          sort_order=order)
    return list(client.results(search))


def ids(results: list[arxiv.Result]) -> list[str]:
    return [short_id(r) for r in results]


def raw(fake: FakeArxiv, **params: object) -> etree._Element:
    resp = requests.get(fake.url, params=params, timeout=5)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/atom+xml")
    return etree.fromstring(resp.content)


@pytest.fixture
def fake():
    with FakeArxiv() as server:
        yield server
        assert server.errors == []


def test_fixtures_hold_ten_or_more_distinct_papers():
    assert len(PAPERS) >= 10
    assert len({p["id"] for p in PAPERS}) == len(PAPERS)


def test_serves_every_fixture_entry(fake):
    assert [e.arxiv_id for e in fake.entries] == [p["id"] for p in PAPERS]
    every_category = " OR ".join(f"cat:{c}" for c in sorted(set().union(*(p["cats"] for p in PAPERS))))
    assert ids(fetch(fake, every_category)) == newest_first(PAPERS)


def test_category_filter_counts_cross_lists(fake):
    robotics = [p for p in PAPERS if "cs.RO" in p["cats"]]
    robotics_only = [p for p in robotics if "cs.CV" not in p["cats"]]
    assert robotics_only, "fixtures should hold cs.RO papers without cs.CV"
    assert any(p["primary"] != "cs.RO" for p in robotics), "fixtures should hold cs.RO cross-lists"

    assert ids(fetch(fake, "cat:cs.RO")) == newest_first(robotics)
    assert ids(fetch(fake, "cat:cs.RO ANDNOT cat:cs.CV")) == newest_first(robotics_only)
    assert fake.requests[0]["params"]["search_query"] == "cat:cs.RO"


def test_boolean_precedence_and_parentheses(fake):
    def has(p: dict, c: str) -> bool:
        return c in p["cats"]

    grouped = [p for p in PAPERS if (has(p, "cs.GR") or has(p, "eess.IV")) and has(p, "cs.CV")
               and not has(p, "cs.LG")]
    got = fetch(fake, "(cat:cs.GR OR cat:eess.IV) AND cat:cs.CV ANDNOT cat:cs.LG")
    assert ids(got) == newest_first(grouped)

    # AND binds tighter than OR; the two readings differ on these fixtures.
    tight = [p for p in PAPERS if has(p, "cs.RO") or (has(p, "cs.GR") and has(p, "cs.LG"))]
    loose = [p for p in PAPERS if (has(p, "cs.RO") or has(p, "cs.GR")) and has(p, "cs.LG")]
    assert tight != loose
    assert ids(fetch(fake, "cat:cs.RO OR cat:cs.GR AND cat:cs.LG")) == newest_first(tight)


def test_date_window_is_inclusive_at_minute_precision(fake):
    by_time = sorted(PAPERS, key=lambda p: p["published"])
    first, last = by_time[3], by_time[-4]
    lo = first["published"].replace(second=0)
    hi = last["published"].replace(second=0)

    def window(a: datetime, b: datetime) -> list[dict]:
        return [p for p in PAPERS if a <= p["published"].replace(second=0) <= b]

    got = ids(fetch(fake, f"submittedDate:[{stamp(lo)} TO {stamp(hi)}]"))
    assert got == newest_first(window(lo, hi))
    assert first["id"] in got and last["id"] in got

    minute = timedelta(minutes=1)
    narrower = ids(fetch(fake, f"submittedDate:[{stamp(lo + minute)} TO {stamp(hi - minute)}]"))
    assert narrower == newest_first(window(lo + minute, hi - minute))
    assert first["id"] not in narrower and last["id"] not in narrower


def test_category_and_date_window_query_returns_the_papers_inside_newest_first(fake):
    lo, hi = datetime(2026, 1, 22, 19, 0, tzinfo=UTC), datetime(2026, 1, 23, 19, 0, tzinfo=UTC)
    expected = [p for p in PAPERS if p["cats"] & {"cs.CV", "cs.RO"} and lo <= p["published"] <= hi]
    assert expected
    got = fetch(fake, "(cat:cs.CV OR cat:cs.RO) AND submittedDate:[202601221900 TO 202601231900]")
    assert ids(got) == newest_first(expected)
    assert all(lo <= r.published <= hi for r in got)


def test_submitted_date_sorts_both_ways_and_relevance_keeps_file_order(fake):
    cv = [p for p in PAPERS if "cs.CV" in p["cats"]]
    desc = fetch(fake, "cat:cs.CV")
    asc = fetch(fake, "cat:cs.CV", order=arxiv.SortOrder.Ascending)
    assert ids(desc) == newest_first(cv)
    assert ids(asc) == newest_first(cv)[::-1]
    assert [r.published for r in asc] == sorted(p["published"] for p in cv)
    relevance = fetch(fake, "cat:cs.CV", sort_by=arxiv.SortCriterion.Relevance)
    assert ids(relevance) == [p["id"] for p in cv]  # file order


def test_last_updated_date_sorts_and_filters_by_the_updated_time():
    day = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    entries = [
        make_entry(id="2601.00001v2", published=day, updated=day + timedelta(days=5)),
        make_entry(id="2601.00002v1", published=day + timedelta(days=1)),
        make_entry(id="2601.00003v3", published=day + timedelta(days=2), updated=day + timedelta(days=3)),
    ]
    with FakeArxiv(entries=entries) as fake:
        by_updated = fetch(fake, "cat:cs.CV", sort_by=arxiv.SortCriterion.LastUpdatedDate)
        by_submitted = fetch(fake, "cat:cs.CV")
        window = fetch(fake, f"lastUpdatedDate:[{stamp(day + timedelta(days=3))} TO "
                             f"{stamp(day + timedelta(days=9))}]")
    assert ids(by_updated) == ["2601.00001v2", "2601.00003v3", "2601.00002v1"]
    assert ids(by_submitted) == ["2601.00003v3", "2601.00002v1", "2601.00001v2"]
    assert ids(window) == ["2601.00003v3", "2601.00001v2"]


def test_pages_of_three_return_every_paper_once_in_order(fake):
    cv = newest_first([p for p in PAPERS if "cs.CV" in p["cats"]])
    assert len(cv) > 6  # several pages
    got = ids(fetch(fake, "cat:cs.CV", page_size=3))
    assert got == cv
    assert len(set(got)) == len(got)
    starts = [int(r["params"]["start"]) for r in fake.requests]
    assert starts == list(range(0, len(cv), 3))
    assert {r["params"]["max_results"] for r in fake.requests} == {"3"}
    assert {r["params"]["sortBy"] for r in fake.requests} == {"submittedDate"}
    assert all(r["path"] == "/api/query" for r in fake.requests)


def test_feed_page_carries_opensearch_counts_and_the_requested_slice(fake):
    cv_asc = newest_first([p for p in PAPERS if "cs.CV" in p["cats"]])[::-1]
    feed = raw(fake, search_query="cat:cs.CV", start=2, max_results=4, sortBy="submittedDate",
               sortOrder="ascending")
    assert feed.nsmap == {None: NS["a"], "opensearch": NS["os"], "arxiv": NS["arxiv"]}
    assert feed.findtext("os:totalResults", namespaces=NS) == str(len(cv_asc))
    assert feed.findtext("os:startIndex", namespaces=NS) == "2"
    assert feed.findtext("os:itemsPerPage", namespaces=NS) == "4"
    entries = feed.findall("a:entry", NS)
    assert [e.findtext("a:id", namespaces=NS).split("/abs/")[1] for e in entries] == cv_asc[2:6]
    assert all(e.find("arxiv:primary_category", NS) is not None for e in entries)


def test_plus_and_percent_encoded_query_is_decoded(fake):
    both = [p for p in PAPERS if {"cs.RO", "cs.CV"} <= p["cats"]]
    resp = requests.get(f"{fake.url}?search_query=%28cat:cs.RO+AND+cat:cs.CV%29&max_results=50",
                        timeout=5)
    feed = etree.fromstring(resp.content)
    assert feed.findtext("os:totalResults", namespaces=NS) == str(len(both))
    assert fake.requests[-1]["params"]["search_query"] == "(cat:cs.RO AND cat:cs.CV)"


def test_no_match_is_a_valid_empty_feed(fake):
    assert fetch(fake, "cat:math.AG") == []
    assert len(fake.requests) == 1
    feed = raw(fake, search_query="cat:math.AG")
    assert feed.findtext("os:totalResults", namespaces=NS) == "0"
    assert feed.findall("a:entry", NS) == []


def test_id_list_returns_papers_in_list_order_and_narrows_a_query(fake):
    wanted = [PAPERS[-1]["id"], PAPERS[4]["id"].split("v")[0], PAPERS[12]["id"]]
    got = fetch(fake, id_list=wanted, sort_by=arxiv.SortCriterion.Relevance)
    assert ids(got) == [PAPERS[-1]["id"], PAPERS[4]["id"], PAPERS[12]["id"]]
    assert fake.requests[-1]["params"]["id_list"] == ",".join(wanted)

    all_ids = [p["id"] for p in PAPERS]
    robotics = {p["id"] for p in PAPERS if "cs.RO" in p["cats"]}
    both = fetch(fake, "cat:cs.RO", id_list=all_ids, sort_by=arxiv.SortCriterion.Relevance)
    assert set(ids(both)) == robotics
    assert fetch(fake, id_list=["2601.99999"]) == []  # well-formed but unknown


def test_bad_requests_get_400_error_feed(fake):
    for query in ["cat:cs.CV AND (", "cat:cs.CV cat:cs.RO", "submittedDate:[20260101 TO 20260102]",
                  "nosuchfield:x"]:
        with pytest.raises(arxiv.HTTPError) as info:
            fetch(fake, query)
        assert info.value.status == 400
    with pytest.raises(arxiv.HTTPError):
        fetch(fake, id_list=["not-an-id!"])
    resp = requests.get(fake.url, params={"search_query": "cat:cs.CV", "start": "-1"}, timeout=5)
    assert resp.status_code == 400
    assert etree.fromstring(resp.content).findtext("a:entry/a:title", namespaces=NS) == "Error"


def test_other_paths_are_404(fake):
    base = fake.url.rsplit("/api/query", 1)[0]
    assert requests.get(base + "/api/other", timeout=5).status_code == 404
    assert requests.get(base + "/", timeout=5).status_code == 404
    assert [r["path"] for r in fake.requests] == ["/api/other", "/"]


def test_make_entry_escapes_hostile_text_and_scales():
    title = '<script>alert("x")</script> & <b>bold</b> ]]>'
    abstract = "Uses &amp; literally, <img src=x onerror=alert(1)> and \u00e9\u4e2d"
    authors = [f"Author <{i}> & Co" for i in range(2000)]
    hostile = make_entry(id="2601.00001v1", title=title, abstract=abstract, authors=authors,
                         categories=["cs.RO", "cs.CV"], comment="<!-- comment --> 10 pages",
                         published=datetime(2026, 1, 5, 9, 30, tzinfo=UTC))
    plain = make_entry(id="2601.00002v1", categories=["cs.CL"])
    with FakeArxiv(entries=[hostile, plain]) as fake:
        [result] = fetch(fake, "cat:cs.CV")
        body = requests.get(fake.url, params={"search_query": "cat:cs.CV"}, timeout=5).content
        assert fake.errors == []
    assert result.title == title
    assert result.summary == abstract
    assert len(result.authors) == 2000 and result.authors[1999].name == "Author <1999> & Co"
    assert result.comment == "<!-- comment --> 10 pages"
    assert result.categories == ["cs.RO", "cs.CV"] and result.primary_category == "cs.RO"
    assert result.published == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert b"<script>" not in body and b"&lt;script&gt;" in body
    assert hostile.categories == ("cs.RO", "cs.CV") and hostile.base_id == "2601.00001"


def test_text_fields_match_substrings():
    entries = [make_entry(id="2601.00001v1", title="Diffusion for Robots", authors=["Jane Doe"]),
               make_entry(id="2601.00002v1", abstract="We study DIFFUSION models.")]
    with FakeArxiv(entries=entries) as fake:
        assert ids(fetch(fake, "ti:diffusion")) == ["2601.00001v1"]
        assert set(ids(fetch(fake, "all:diffusion"))) == {"2601.00001v1", "2601.00002v1"}
        assert ids(fetch(fake, 'au:"jane doe" AND abs:diffusion')) == []


# ---------------------------------------------------------------------------- faults


def test_status_500_raises_http_error_then_recovers(fake):
    fake.faults.append(("status", 500))
    with pytest.raises(arxiv.HTTPError) as info:
        fetch(fake, "cat:cs.RO")
    assert info.value.status == 500
    assert fake.faults == []
    assert fake.requests[0]["fault"] == ("status", 500)
    assert len(fetch(fake, "cat:cs.RO")) == sum("cs.RO" in p["cats"] for p in PAPERS)


def test_status_fault_headers_reach_the_client(fake):
    fake.faults += [("status", 503, {"Retry-After": "1"}), ("status", 429, {"Retry-After": "7"})]
    first = requests.get(fake.url, params={"search_query": "cat:cs.CV"}, timeout=5)
    second = requests.get(fake.url, params={"search_query": "cat:cs.CV"}, timeout=5)
    assert (first.status_code, first.headers["Retry-After"]) == (503, "1")
    assert (second.status_code, second.headers["Retry-After"]) == (429, "7")
    assert 0 < len(first.content) < 200


def test_client_retries_through_faults(fake):
    fake.faults += [("status", 503, {"Retry-After": "1"}), "drop"]
    got = ids(fetch(fake, "cat:cs.RO", retries=2))
    assert got == newest_first([p for p in PAPERS if "cs.RO" in p["cats"]])
    assert [r["fault"] for r in fake.requests] == [("status", 503, {"Retry-After": "1"}), ("drop",), None]


def test_fault_queue_targets_a_later_request(fake):
    fake.faults += [None, ("status", 500)]
    with pytest.raises(arxiv.HTTPError) as info:
        fetch(fake, "cat:cs.CV", page_size=3)
    assert "start=3" in info.value.url
    assert [r["params"]["start"] for r in fake.requests] == ["0", "3"]


def test_malformed_feed_is_ill_formed_xml_that_the_client_reads_as_empty(fake):
    fake.faults.append(("malformed",))
    resp = requests.get(fake.url, params={"search_query": "cat:cs.CV"}, timeout=5)
    assert resp.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(resp.content)
    # arxiv 4.0.2 parses with recover=True: a malformed first page is silently "no results"...
    fake.faults.append(("malformed",))
    assert fetch(fake, "cat:cs.CV") == []
    # ...and a malformed later page is an unexpectedly empty page.
    fake.faults += [None, ("malformed", b"<html><body>Bad gateway</body></html>")]
    with pytest.raises(arxiv.UnexpectedEmptyPageError):
        fetch(fake, "cat:cs.CV", page_size=3)


def test_empty_page_keeps_the_real_counts_and_a_retry_gets_the_page(fake):
    cv = newest_first([p for p in PAPERS if "cs.CV" in p["cats"]])
    fake.faults.append("empty")
    feed = raw(fake, search_query="cat:cs.CV", start=3, max_results=3)
    assert feed.findall("a:entry", NS) == []
    assert feed.findtext("os:totalResults", namespaces=NS) == str(len(cv))
    assert feed.findtext("os:startIndex", namespaces=NS) == "3"

    fake.faults += [None, ("empty",)]
    with pytest.raises(arxiv.UnexpectedEmptyPageError):
        fetch(fake, "cat:cs.CV", page_size=3)
    fake.faults += [None, ("empty",)]
    assert ids(fetch(fake, "cat:cs.CV", page_size=3, retries=1)) == cv


def test_hang_sends_half_the_body_then_stalls_until_a_timeout(fake):
    fake.faults.append(("hang", 0.3))
    began = time.monotonic()
    with pytest.raises(requests.exceptions.ChunkedEncodingError):  # the arxiv client sets no timeout
        fetch(fake, "cat:cs.CV")
    assert time.monotonic() - began >= 0.25

    fake.faults.append(("hang", 3))
    began = time.monotonic()
    with pytest.raises(requests.exceptions.ConnectionError, match="timed out"):
        requests.get(fake.url, params={"search_query": "cat:cs.CV"}, timeout=0.2).content
    assert time.monotonic() - began < 1.5


def test_delay_holds_the_headers_past_a_read_timeout(fake):
    fake.faults.append(("delay", 3))
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(fake.url, params={"search_query": "cat:cs.CV"}, timeout=0.2)


def test_drop_closes_without_answer(fake):
    fake.faults.append(("drop",))
    with pytest.raises(requests.exceptions.ConnectionError):
        fetch(fake, "cat:cs.CV")
    assert len(fake.requests) == 1


def test_fail_always_answers_every_request_and_leaves_the_queue_alone(fake):
    fake.fail_always = ("status", 503, {"Retry-After": "1"})
    fake.faults.append(("drop",))
    with pytest.raises(arxiv.HTTPError) as info:
        fetch(fake, "cat:cs.CV", retries=2)
    assert info.value.status == 503
    assert len(fake.requests) == 3
    assert fake.faults == [("drop",)]  # the queue is left alone while fail_always is set
    fake.fail_always = None
    fake.faults.clear()
    assert len(fetch(fake, "cat:cs.CV")) == sum("cs.CV" in p["cats"] for p in PAPERS)


def test_unknown_fault_is_reported_not_hidden():
    with FakeArxiv() as fake:
        fake.faults.append(("explode",))
        with pytest.raises(arxiv.HTTPError) as info:
            fetch(fake, "cat:cs.CV")
        assert info.value.status == 500
        assert len(fake.errors) == 1 and isinstance(fake.errors[0], ValueError)


def test_concurrent_requests_are_all_recorded(fake):
    def hit() -> None:
        for _ in range(5):
            requests.get(fake.url, params={"search_query": "cat:cs.RO"}, timeout=5)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fake.requests) == 40


def test_stop_releases_the_port():
    with FakeArxiv() as fake:
        url = fake.url
        assert requests.get(url, params={"search_query": "cat:cs.CV"}, timeout=5).ok
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=1)
