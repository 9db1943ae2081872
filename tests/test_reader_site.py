"""The reader's side of a built site: related papers, trends, archive calendar, trending tags, feed, lean search.

One strict build of the fixture store (with ``site_url``, mkdocs-macros and one paper carrying an LLM
analysis, code and a full-text badge) is read back as HTML, XML and JSON. Expected papers, days and
counts come from the fixture XML (support.fixture_papers) or from other pages of the site, never from
the plugin's own functions.
"""

from __future__ import annotations

import calendar
import json
import posixpath
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from lxml import etree

from support import FIXTURE_DATES, all_fixture_papers, article, build_site, copy_store, digest_options, \
    fixture_papers, has_class, norm, page, parse_html, search_pages

SITE_URL = "https://example.org/digest-site/"
ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"
ANALYZED = "2602.15727"  # given an LLM analysis below
TLDR = "tldrmarker 视觉类比空间的低秩权重基"
FINDING = "findingmarker the basis spans analogies"
BODY = "## 方法\n\nanalysismarker 把类比表示为 LoRA 权重的组合。\n\n## 结果\n\n- analysismarker2 在三个基准上更好。\n"
HOSTILE_TAG = '<img src=x onerror=alert(1)> & "q"'
HOME = """# Home

{{ digest.cards() }}

## Trending

{{ digest.trending(limit=8) }}
"""
# The default taxonomy's tags as a Chinese site shows them (3D Vision, Generative Models, ...).
TAXONOMY_TAGS = {"三维视觉", "生成模型", "视频", "视觉语言", "检测与分割", "机器人与具身智能", "自动驾驶", "医学影像",
                 "人体与姿态", "高效模型", "基准与数据集", "表征学习", "图像复原", "遥感", "智能体与推理"}


@pytest.fixture(scope="module")
def reader_site(tmp_path_factory, fixture_store):
    root = tmp_path_factory.mktemp("reader")
    data = copy_store(fixture_store, root)
    path = data / "papers" / f"{ANALYZED}.json"
    paper = json.loads(path.read_text("utf-8"))
    paper["analysis"] = {"status": "done", "provenance": "llm", "tldr": TLDR, "key_findings": [FINDING],
                         "body": BODY, "reason": None, "full_text": "html"}
    paper["code_links"] = ["https://github.com/example/lora-basis"]
    # As an LLM chooses them (its tags are kept as stored), with a tag from a hostile taxonomy.
    paper["tags"] = list(dict.fromkeys(["Generative Models", *paper["tags"], HOSTILE_TAG]))
    path.write_text(json.dumps(paper, ensure_ascii=False), "utf-8")
    run = build_site(root, digest_options(fetch="never"), plugins=["search", "tags", "macros"],
                     extra={"site_url": SITE_URL}, index=HOME)
    assert run.returncode == 0, run.output
    assert run.lines("WARNING") == []
    return run


def tagged(run, tag: str) -> int:
    """How many stored papers of the site carry ``tag`` (fetched today: the tagger's of today, as pages show)."""
    return sum(tag in json.loads(p.read_text("utf-8"))["tags"] for p in (run.root / "data" / "papers").glob("*.json"))


def resolve(from_url: str, href: str) -> str:
    """Site-relative URL of ``href`` written on the page at directory URL ``from_url``."""
    joined = posixpath.normpath(posixpath.join(from_url, href.split("#")[0]))
    return "" if joined == "." else joined + "/"


def raw_svgs(site: Path, url: str) -> list[etree._Element]:
    """The inline SVGs of a page, parsed from the HTML source as XML (so they must be well-formed)."""
    text = (site / url / "index.html").read_text("utf-8")
    return [etree.fromstring(svg) for svg in re.findall(r'<svg\b[^>]*class="ad-trend__svg".*?</svg>', text, re.S)]


def paper_of_href(from_url: str, href: str) -> str:
    return re.fullmatch(r"papers/([^/]+)/", resolve(from_url, href)).group(1)


# ----------------------------------------------------------------------------- related papers


def test_paper_pages_list_related_fixture_papers(reader_site):
    site, ids = reader_site.site, {p.id for p in all_fixture_papers()}
    with_related = 0
    for paper in all_fixture_papers():
        content = article(page(site, f"papers/{paper.id}/"))
        sections = content.xpath(f'.//*[{has_class("ad-cards--related")}]')
        if not sections:
            continue
        with_related += 1
        titles = sections[0].xpath(f'.//a[{has_class("ad-card__title")}]')
        listed = [paper_of_href(f"papers/{paper.id}/", a.get("href")) for a in titles]
        assert 1 <= len(listed) <= 5 and len(set(listed)) == len(listed), paper.id
        assert paper.id not in listed and set(listed) <= ids, paper.id
        heading = sections[0].getprevious()
        assert heading.tag == "h2" and "相关论文" in heading.text_content()
    assert with_related >= 25


@pytest.mark.parametrize("paper, expected", [
    ("2601.16914", "2602.06028"),  # hour-long video generation ↔ autoregressive video generation
    ("2602.06043", "2602.15727"),  # LoRA subspaces ↔ a weight basis of LoRAs
    ("2601.16690", "2601.16973"),  # an agent benchmark ↔ environments for multimodal agents
])
def test_related_papers_share_the_topic(reader_site, paper, expected):
    content = article(page(reader_site.site, f"papers/{paper}/"))
    titles = content.xpath(f'.//*[{has_class("ad-cards--related")}]//a[{has_class("ad-card__title")}]')
    assert paper_of_href(f"papers/{paper}/", titles[0].get("href")) == expected


# ----------------------------------------------------------------------------- trends


def test_tag_index_shows_weekly_trends_of_the_top_topic_tags(reader_site):
    site = reader_site.site
    svgs = raw_svgs(site, "tags/")
    assert 1 <= len(svgs) <= 8
    content = article(page(site, "tags/"))
    captions = [norm(c.text_content()) for c in content.xpath(f'.//figure[{has_class("ad-trend")}]/figcaption')]
    names = [re.sub(r"\s*\d+$", "", c) for c in captions]
    assert set(names) <= TAXONOMY_TAGS and names[0] == "三维视觉"  # the topic tag with the most papers (3D Vision)
    for svg in svgs:
        assert svg.get("role") == "img" and svg[0].tag == f"{SVG}title" and svg[0].text.endswith("每周论文数")
        assert set(svg.get("aria-labelledby").split()) == {svg[0].get("id"), svg[1].get("id")}
    assert len({svg[0].get("id") for svg in svgs}) == len(svgs)  # ids unique on the page


def test_tag_page_trend_counts_its_papers_per_week(reader_site):
    site = reader_site.site
    url = "tags/3d-vision/"
    (svg,) = raw_svgs(site, url)
    assert svg.get("role") == "img" and svg[0].text == "3D Vision：每周论文数"
    bars = {}
    for rect in svg.iter(f"{SVG}rect"):
        week, count = re.match(r"(\d{4}-\d{2}-\d{2}) 当周：(\d+) 篇", rect.find(f"{SVG}title").text).groups()
        bars[week] = int(count)
    cards = article(page(site, url)).xpath(f'.//a[{has_class("ad-card__title")}]')
    digest_of = {p.id: date.fromisoformat(p.digest) for p in all_fixture_papers()}
    digests = [digest_of[paper_of_href(url, a.get("href"))] for a in cards]
    weeks = Counter((d - timedelta(days=d.weekday())).isoformat() for d in digests)
    assert bars == dict(weeks) and sum(bars.values()) == len(cards) == tagged(reader_site, "3D Vision") >= 8


def test_every_tag_page_has_a_well_formed_trend(reader_site):
    site = reader_site.site
    tag_pages = [p.name for p in (site / "tags").iterdir() if (p / "index.html").is_file()]
    assert len(tag_pages) > 15
    for name in tag_pages:
        svgs = raw_svgs(site, f"tags/{name}/")
        assert len(svgs) == 1 and svgs[0].get("role") == "img", name


def test_hostile_tag_name_is_text_in_the_chart(reader_site):
    site = reader_site.site
    for name in [p.name for p in (site / "tags").iterdir() if (p / "index.html").is_file()]:
        (svg,) = raw_svgs(site, f"tags/{name}/")
        if HOSTILE_TAG in svg[0].text:
            assert svg[0].text == f"{HOSTILE_TAG}：每周论文数"
            assert article(page(site, f"tags/{name}/")).xpath(".//img") == []
            break
    else:
        pytest.fail("no tag page for the hostile tag")


# ----------------------------------------------------------------------------- archive calendar


def test_archive_calendar_links_the_days_in_their_weekday_columns(reader_site):
    content = article(page(reader_site.site, "archive/"))
    links = content.xpath(f'.//*[{has_class("ad-cal")}]//a[@href]')
    assert [resolve("archive/", a.get("href")) for a in links] == [f"digest/{d}/" for d in sorted(FIXTURE_DATES,
                                                                                                 reverse=True)]
    for a, day in zip(links, sorted(FIXTURE_DATES, reverse=True)):
        cell = a.getparent()
        assert f"ad-cal__c{date.fromisoformat(day).weekday() + 1}" in cell.get("class").split()
    for cal, (year, month) in zip(content.xpath(f'.//*[{has_class("ad-cal")}]'), [(2026, 2), (2026, 1)]):
        cells = cal.xpath(f'.//li[{has_class("ad-cal__day")}]')
        assert len(cells) == calendar.monthrange(year, month)[1]
        weekend = [c for c in cells if "ad-cal__we" in c.get("class").split()]
        assert weekend and all({"ad-cal__c6", "ad-cal__c7"} & set(c.get("class").split()) for c in weekend)
        head = [norm(s.text_content()) for s in cal.xpath(f'.//*[{has_class("ad-cal__head")}]/span')]
        assert head == ["一", "二", "三", "四", "五", "六", "日"]


# ----------------------------------------------------------------------------- home page


def test_home_page_shows_trending_topic_tags(reader_site):
    site = reader_site.site
    chips = article(page(site, "")).xpath(f'.//*[{has_class("ad-trending")}]//a[{has_class("ad-chip")}]')
    assert 1 <= len(chips) <= 8
    index = {norm(a.text or ""): resolve("tags/", a.get("href"))
             for a in article(page(site, "tags/")).xpath(f'.//*[{has_class("ad-tagcloud")}]/a')}
    counts = []
    for chip in chips:
        name = norm(chip.text or "")
        assert name in TAXONOMY_TAGS and resolve("", chip.get("href")) == index[name]
        counts.append(int(chip.xpath(f'.//*[{has_class("ad-chip__count")}]')[0].text))
    # Every day is within the last 4 weeks (an archive too young to compare): the busiest topics come first.
    assert counts == sorted(counts, reverse=True) and chips[0].text.strip() == "三维视觉" \
        and counts[0] == tagged(reader_site, "3D Vision")


# ----------------------------------------------------------------------------- feed


def test_feed_has_one_entry_per_day_newest_first(reader_site):
    root = etree.parse(str(reader_site.site / "feed.xml")).getroot()
    assert root.tag == f"{ATOM}feed" and root.findtext(f"{ATOM}title") == "Digest test"
    entries = root.findall(f"{ATOM}entry")
    days = sorted(FIXTURE_DATES, reverse=True)
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [f"{SITE_URL}digest/{d}/" for d in days]
    for e, day in zip(entries, days):
        assert day in e.findtext(f"{ATOM}title") and e.findtext(f"{ATOM}published").startswith(day[:8])
        html = etree.fromstring(e.findtext(f"{ATOM}content"), etree.HTMLParser())
        expected = {f"{SITE_URL}papers/{p.id}/" for p in fixture_papers()[day]}
        assert set(html.xpath("//a/@href")) == expected
        # The summary is the day's TL;DR list, one numbered line per paper in the order of the page.
        lines = e.findtext(f"{ATOM}summary").splitlines()
        assert len(lines) == len(expected) and all(line.startswith(f"{i}. ") for i, line in enumerate(lines, 1))
        cards = article(page(reader_site.site, f"digest/{day}/")).xpath(f'.//article[{has_class("ad-card")}]')
        title, tldr = (f'string(.//*[{has_class(name)}])' for name in ("ad-card__title", "ad-card__tldr"))
        assert lines == [f"{i}. {norm(c.xpath(title))}: {norm(c.xpath(tldr))}" for i, c in enumerate(cards, 1)]
        # Its categories are the tags of its papers, the most frequent first.
        terms = [c.get("term") for c in e.findall(f"{ATOM}category")]
        assert terms and "cs.CV" in terms and len(terms) == len(set(terms))


def test_each_tag_has_a_feed_of_its_newest_papers_linked_from_its_page(reader_site):
    index = article(page(reader_site.site, "tags/"))
    tag_pages = {norm(a.xpath("string(.//text()[1])")): a.get("href").rstrip("/")
                 for a in index.xpath(f'.//*[{has_class("ad-tagcloud")}]/a')}
    assert "三维视觉" in tag_pages  # feeds name tags as the site shows them (3D Vision on a Chinese site)
    for name, slug in tag_pages.items():
        tag_page = article(page(reader_site.site, f"tags/{slug}/"))
        assert tag_page.xpath('.//a[@type="application/atom+xml"]/@href') == ["feed.xml"]
        root = etree.parse(str(reader_site.site / "tags" / slug / "feed.xml")).getroot()
        assert root.findtext(f"{ATOM}title") == f"Digest test · {name}"
        assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{SITE_URL}tags/{slug}/feed.xml"
        entries = root.findall(f"{ATOM}entry")
        cards = tag_page.xpath(f'.//a[{has_class("ad-card__title")}]/@href')
        assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
            SITE_URL + posixpath.normpath(posixpath.join("tags", slug, href)) + "/" for href in cards]
        assert all(name in [c.get("term") for c in e.findall(f"{ATOM}category")] for e in entries)


def test_every_page_head_links_the_feed(reader_site):
    # Only the channel's: Material fetches a sitemap.xml beside every <link rel="alternate"> it finds.
    pages = sorted(reader_site.site.rglob("*.html"))
    assert len(pages) > 50
    for path in pages:
        links = parse_html(path).xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]')
        assert [link.get("href") for link in links] == [f"{SITE_URL}feed.xml"], path


def test_no_site_url_means_no_feed(built_site):
    assert not (built_site.site / "feed.xml").exists()
    assert any("site_url" in line and "feed" in line.lower() for line in built_site.lines("INFO"))
    for url in ("", "digest/2026-02-18/", "tags/", "tags/3d-vision/"):
        assert page(built_site.site, url).xpath('//*[@type="application/atom+xml"]') == []


# ----------------------------------------------------------------------------- search index


def test_search_index_holds_everything_a_reader_reads_on_the_paper_page(reader_site):
    """Pagefind indexes the paper page whole (abstract and analysis included, issue 16), the day page by its
    title, and neither the cards (each repeats a paper page) nor the archive."""
    pages = search_pages(reader_site.site)
    holding = sorted(url for url, data in pages.items() if "tldrmarker" in data["content"])
    assert holding == [f"papers/{ANALYZED}/"]  # the paper page only: cards and day entries are not indexed
    paper = next(p for p in all_fixture_papers() if p.id == ANALYZED)
    entry = pages[f"papers/{ANALYZED}/"]
    text = norm(entry["content"])
    assert norm(entry["meta"]["title"]) == paper.title and paper.authors[0] in text
    for marker in ("analysismarker", "findingmarker", ANALYZED, norm(paper.abstract)[40:120]):
        assert marker in text, marker
    # Tags in the site's language (meta and text) and in English (indexed from the chips' titles).
    assert "生成模型" in entry["meta"]["tags"] and "生成模型" in text and "Generative Models" in text
    day = next(d for d, papers in fixture_papers().items() if any(p.id == ANALYZED for p in papers))
    assert norm(pages[f"digest/{day}/"]["content"]).startswith("arXiv 每日速递 · " + day)
    assert "tldrmarker" not in pages[f"digest/{day}/"]["content"]
    assert entry["meta"]["date"] in fixture_papers()
    assert not [url for url in pages if url.startswith(("archive/", "status/"))]


# ----------------------------------------------------------------------------- cards


def test_card_badges_and_compact_related_cards(reader_site):
    site = reader_site.site
    day = next(d for d, papers in fixture_papers().items() if any(p.id == ANALYZED for p in papers))
    cards = article(page(site, f"digest/{day}/")).xpath(f'.//article[{has_class("ad-card")}]')
    card = next(c for c in cards if c.xpath(f'.//a[{has_class("ad-card__title")}][contains(@href, "{ANALYZED}")]'))
    badges = [norm(b.text_content()) for b in card.xpath(f'.//*[{has_class("ad-badge")}]')]
    assert badges == ["有代码", "全文分析"]
    assert TLDR in norm(card.text_content())
    related = article(page(site, "papers/2602.06043/")).xpath(f'.//*[{has_class("ad-cards--related")}]//article')
    assert related and all(not r.xpath(f'.//*[{has_class("ad-card__tldr")} or {has_class("ad-badge")}]')
                           for r in related)
