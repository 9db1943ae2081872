"""Search as a reader uses it: words typed into the header's search box of the example site (Pagefind, issue 16).

Each query is one a reader would type; the papers it must find are worked out from the store (the papers whose
title, abstract or authors contain the word), not written down, so the tests follow the data. The Chinese topic
words find the papers whose English title or abstract has the taxonomy keyword they translate (i18n/zh.yml
``terms``) or whose tag they name.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from arxiv_digest.analysis.offline import current_tags
from arxiv_digest.analysis.taxonomy import DEFAULT_TAXONOMY
from browser_support import DAY, HOSTILE_ID, REPO, SHARD_MB, Site, SiteServer, mkdocs_build, search


def papers(site: Site) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text("utf-8")) for p in (site.root / "data" / "papers").glob("*.json")}


def published(site: Site) -> set[str]:
    return {pid for d in (site.root / "data" / "days").glob("*.json") for pid in json.loads(d.read_text("utf-8"))["papers"]}


def paper_ids(results: list[dict[str, str]]) -> list[str]:
    return [m.group(1) for r in results if (m := re.search(r"/papers/([\d.]+)/$", r["href"]))]


def containing(site: Site, pattern: str, *fields: str) -> set[str]:
    """Published papers whose ``fields`` match ``pattern`` (whole words, any case)."""
    regex = re.compile(rf"(?<![\w-]){pattern}(?![\w-])", re.I)
    return {pid for pid, p in papers(site).items() if pid in published(site)
            and any(regex.search(" ".join(p[f]) if isinstance(p[f], list) else p[f] or "") for f in fields)}


@pytest.fixture
def header_search(example_site, open_page):
    visit = open_page()
    visit.goto(example_site.at(f"digest/{DAY}/"), idle=False)

    def run(query: str) -> list[dict[str, str]]:
        visit.page.locator("header input.md-search__input").fill("")
        return search(visit, query)
    yield run
    visit.assert_clean()
    visit.assert_no_external_requests()


@pytest.mark.parametrize("query, pattern, fields", [
    ("splatting", "splatting", ["abstract", "title"]),  # words of abstracts (Material's lean index had none)
    ("navigation", "navigation", ["abstract", "title"]),
    ("Gaussian", "Gaussian", ["abstract", "title"]),
    ("Keypoints", "Keypoints", ["title"]),  # title words
    ("Chechik", "Chechik", ["authors"]),  # author names
    ("Lindenberger", "Lindenberger", ["authors"]),
])
def test_words_find_every_paper_that_contains_them(example_site, header_search, query, pattern, fields):
    expected = containing(example_site, pattern, *fields)
    assert expected, f"no published paper contains {pattern!r}: pick another query"
    found = set(paper_ids(header_search(query)))
    assert expected <= found, f"{query!r} misses {sorted(expected - found)}; found {sorted(found)}"


@pytest.mark.parametrize("paper_id", ["2602.15727", "2601.16736", "2602.06043"])
def test_an_arxiv_id_finds_its_paper_first(header_search, paper_id):
    results = header_search(paper_id)
    assert paper_ids(results)[:1] == [paper_id], results[:3]
    assert len(results) == 1  # not every paper of the same month


@pytest.mark.parametrize("query, keyword, tag", [
    ("视频生成", "video generation", None),
    ("自动驾驶", "autonomous driving", "Autonomous Driving"),
    ("扩散模型", "diffusion", None),
    ("机器人", "robot|robotic|robotics", "Robotics & Embodied AI"),
])
def test_chinese_topic_words_find_the_papers_on_the_topic(example_site, header_search, query, keyword, tag):
    expected = containing(example_site, f"(?:{keyword})", "title", "abstract")
    if tag:
        # The tags pages show (an offline paper's are made again at build time with today's tagger).
        expected |= {pid for pid, p in papers(example_site).items() if tag in current_tags(p, DEFAULT_TAXONOMY, 4)
                     and pid in published(example_site)}
    assert expected, f"no published paper on {keyword!r}"
    found = set(paper_ids(header_search(query)))
    assert expected <= found, f"{query!r} misses {sorted(expected - found)}; found {sorted(found)}"


def test_results_show_title_digest_date_tags_and_a_highlighted_excerpt(example_site, header_search):
    results = header_search("splatting")
    paper = papers(example_site)["2601.16736"]
    first = next(r for r in results if r["href"].endswith("/papers/2601.16736/"))
    assert first["title"] == " ".join(paper["title"].split())
    assert first["meta"].startswith("2026-01-26 · ") and "三维视觉" in first["meta"]  # 3D Vision, in Chinese
    assert re.search(r"<mark>splatting\s*</mark>", first["excerpt"], re.I), first["excerpt"]


def test_the_box_is_in_the_header_of_every_page_kind_and_loads_no_index_until_used(example_site, open_page):
    visit = open_page()
    requests: list[str] = []
    visit.page.on("request", lambda r: requests.append(r.url))
    for path in ("", f"digest/{DAY}/", "papers/2602.15727/", "tags/", "archive/", "status/"):
        visit.goto(example_site.at(path))
        assert visit.page.locator("header .ad-search input.md-search__input").count() == 1, path
        assert visit.page.locator("[data-md-component='search']").count() == 0  # Material's own search is off
    assert not [u for u in requests if "/pagefind/" in u]
    visit.assert_clean()


def test_search_works_on_a_phone(example_site, open_page):
    visit = open_page(viewport={"width": 375, "height": 740})
    visit.goto(example_site.at("papers/2602.15727/"), idle=False)
    visit.page.locator("header label.md-header__button[for='__search']").click()
    assert visit.page.locator("header input.md-search__input").is_visible()
    assert "2602.15727" in paper_ids(search(visit, "Chechik"))
    visit.assert_clean()


def test_a_hostile_paper_is_found_and_its_excerpt_is_text(hostile_site, open_page):
    visit = open_page()
    visit.goto(hostile_site.at(""), idle=False)
    results = search(visit, "Extremely Long Title")
    assert HOSTILE_ID in paper_ids(results)
    excerpts = visit.page.evaluate("""() => [...document.querySelectorAll('.ad-search .md-search-result__item *')]
        .filter(el => !['A', 'ARTICLE', 'H1', 'P', 'MARK'].includes(el.tagName)).map(el => el.outerHTML)""")
    assert excerpts == []
    assert visit.page.evaluate("() => window.__pwned") is None
    visit.assert_clean()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 375, "height": 812}])
def test_the_search_buttons_names_are_for_screen_readers_only(example_site, open_page, viewport):
    # Their names ("搜索", "关闭搜索") once showed as text under the icons, on phones and desktops.
    visit = open_page(viewport=viewport)
    visit.goto(example_site.at(f"digest/{DAY}/"))
    names = visit.page.locator("header .ad-visually-hidden")
    assert names.count() == 2
    for index in range(names.count()):
        box = names.nth(index).bounding_box()
        assert box is None or (box["width"] <= 1 and box["height"] <= 1), names.nth(index).text_content()
    assert visit.page.locator("label[for='__search']", has_text="关闭搜索").count() == 1  # still named
    # One icon of the box's button shows: the magnifier on a desktop, the back arrow on a phone (Material's rule).
    icons = visit.page.locator("header .md-search__icon[for='__search'] svg")
    shown = [i for i in range(icons.count()) if icons.nth(i).is_visible()]
    assert shown == ([0] if viewport["width"] >= 960 else [1])


# -- an index in shards: variant_site has a shard per day (browser_support.SHARD_MB) --------------------------

def days(site: Site) -> dict[str, list[str]]:
    """Digest date → its papers, oldest first."""
    return {d.stem: json.loads(d.read_text("utf-8"))["papers"] for d in sorted((site.root / "data" / "days").glob("*.json"))}


def shard_requests(visit) -> list[str]:
    """The shard folders (``0/``, ``1/``…) of every Pagefind file the page fetches from now on."""
    seen: list[str] = []
    visit.page.on("request", lambda r: seen.append(m.group(1)) if (m := re.search(r"/pagefind/(\d+)/", r.url)) else None)
    return seen


def pasted(visit, query: str) -> list[str]:
    """The papers of the first results of ``query`` put into the box at once (typed a key at a time, "2",
    "26"… would be searched too on a slow machine)."""
    box = visit.page.locator("header input.md-search__input")
    box.click()
    box.fill(query)
    visit.page.wait_for_function("q => document.querySelector('.ad-search').dataset.done === q", arg=query)
    return paper_ids([{"href": h} for h in visit.page.evaluate(
        "() => [...document.querySelectorAll('.ad-search .md-search-result__item a')].map(a => a.href)")])


def test_the_variant_site_is_indexed_in_a_shard_per_day(variant_site):
    manifest = json.loads((variant_site.out / "pagefind" / "shards.json").read_text())["shards"]
    assert [(s["from"], s["to"]) for s in manifest] == [(d, d) for d in sorted(days(variant_site), reverse=True)]


def test_a_word_of_the_oldest_day_only_is_found_by_going_back_shard_by_shard(variant_site, open_page):
    oldest, *newer = days(variant_site).values()
    authors = {pid: papers(variant_site)[pid]["authors"] for d in days(variant_site).values() for pid in d}
    newer_names = {n for d in newer for pid in d for a in authors[pid] for n in a.split()}
    pid, name = next((pid, n) for pid in oldest for a in authors[pid] for n in a.split()[-1:]
                     if n.isalpha() and len(n) > 3 and n not in newer_names)
    visit = open_page()
    visit.goto(variant_site.at(""), idle=False)
    loaded = shard_requests(visit)
    assert pid in paper_ids(search(visit, name))
    assert set(loaded) == {"0", "1", "2"}  # nothing in the newer days' shards: all three searched
    visit.assert_clean()


def test_a_frequent_word_stops_at_the_newest_shard_until_the_reader_asks_for_more(variant_site, open_page):
    newest = list(days(variant_site))[-1]
    visit = open_page()
    visit.goto(variant_site.at(""), idle=False)
    loaded = shard_requests(visit)
    assert len(search(visit, "the", more=False)) == 10
    assert set(loaded) == {"2"}  # ten results in the newest day's shard: no older shard loaded
    meta = visit.page.locator(".ad-search .md-search-result__meta").inner_text()
    assert f"{newest} 以来" in meta, meta
    visit.goto(variant_site.at(""), idle=False)
    results = search(visit, "the")  # clicks "more" until every shard is searched
    assert set(loaded) == {"0", "1", "2"}
    found = set(paper_ids(results))
    assert {pid for d in days(variant_site).values() for pid in d[:3]} <= found  # every day's papers
    visit.assert_clean()


@pytest.mark.parametrize("which", [0, 1])
def test_an_arxiv_id_loads_the_shards_from_its_submission_month_oldest_first(variant_site, open_page, which):
    day = list(days(variant_site))[which]
    pid = days(variant_site)[day][-1]
    visit = open_page()
    visit.goto(variant_site.at(""), idle=False)
    loaded = shard_requests(visit)
    assert pasted(visit, pid) == [pid]
    # The newest shard (the first one loaded) and the paper's own; for 2602.* the January shard is never loaded.
    assert set(loaded) == {"2", str(which)}, loaded
    visit.assert_clean()


@pytest.fixture(scope="module")
def many_shards(tmp_path_factory) -> Site:
    """A synthetic store of 8 days × 3 papers (benchmarks/synth.py) built with a shard a day: more shards than
    a search goes through without the reader asking."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import build
    import synth

    root = tmp_path_factory.mktemp("many-shards")
    synth.synthesize(root / "data", 8, 3, seed=5)
    build.write_plugin_site(root / "site", extra=f"      search_shard_mb: {SHARD_MB}\n")
    server = SiteServer(root / "out")
    proc = mkdocs_build(root / "site", root / "out", server.url)
    assert proc.returncode == 0, proc.stdout[-4000:]
    yield Site("many-shards", root / "site", root / "out", server.url, proc.stdout)
    server.close()


def test_a_search_goes_three_shards_back_at_a_time(many_shards, open_page):
    day_files = sorted((many_shards.root.parent / "data" / "days").glob("*.json"))
    assert len(json.loads((many_shards.out / "pagefind" / "shards.json").read_text())["shards"]) == len(day_files) == 8
    records = {p.stem: p.read_text("utf-8").lower() for p in (many_shards.root.parent / "data" / "papers").glob("*.json")}
    oldest = json.loads(day_files[0].read_text("utf-8"))["papers"]
    others = " ".join(text for pid, text in records.items() if pid not in oldest)
    pid, word = next((pid, w) for pid in oldest for w in re.findall(r"[a-z]{6,}", json.loads(records[pid])["title"])
                     if not re.search(rf"(?<![a-z]){w}", others))
    visit = open_page()
    visit.goto(many_shards.at(""), idle=False)
    loaded = shard_requests(visit)
    assert search(visit, word, more=False) == []
    assert set(loaded) == {"7", "6", "5"}  # the three newest days'
    meta = visit.page.locator(".ad-search .md-search-result__meta").inner_text()
    assert json.loads(day_files[-3].read_text("utf-8"))["date"] in meta, meta  # "… since <the third newest day>"
    assert visit.page.locator(".ad-search .ad-search__more").is_visible()
    visit.goto(many_shards.at(""), idle=False)  # a new page: no shard loaded yet
    assert pid in paper_ids(search(visit, word))  # "more results" twice: 3 more shards, then the last 2
    assert set(loaded) == {str(n) for n in range(8)}
    visit.assert_clean()


def test_an_arxiv_id_goes_to_the_shard_whose_ids_hold_it(many_shards, open_page):
    day_files = sorted((many_shards.root.parent / "data" / "days").glob("*.json"))
    pid = json.loads(day_files[3].read_text("utf-8"))["papers"][1]  # the month rule alone would try 0, 1, 2 first
    visit = open_page()
    visit.goto(many_shards.at(""), idle=False)
    loaded = shard_requests(visit)
    assert pasted(visit, pid) == [pid]
    assert set(loaded) == {"7", "3"}  # the newest shard (Pagefind's code) and the paper's own
    visit.assert_clean()
