"""Search as a reader uses it: words typed into the header's search box of the example site (Pagefind, issue 16).

Each query is one a reader would type; the papers it must find are worked out from the store (the papers whose
title, abstract or authors contain the word), not written down, so the tests follow the data. The Chinese topic
words find the papers whose English title or abstract has the taxonomy keyword they translate (i18n/zh.yml
``terms``) or whose tag they name.
"""

from __future__ import annotations

import json
import re

import pytest

from arxiv_digest.analysis.offline import current_tags
from arxiv_digest.analysis.taxonomy import DEFAULT_TAXONOMY
from browser_support import DAY, HOSTILE_ID, Site, search


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
