"""Several channels: one site following category groups as separate digest series (several plugin entries).

The site below follows cs.CV (the 6 newest papers a day, Chinese, pages at the root) and cs.RO (every paper,
English, pages under ``robotics/``), fetched by the command line from the fake arXiv API and built with
``mkdocs build --strict``. Papers cross-listed in both appear once in each series; nothing of one series
shows up in the other's pages, store, feed, tags or related papers.
"""

from __future__ import annotations

import json
import posixpath
import re
import textwrap

import pytest
import yaml
from lxml import etree

from support import (FIXTURE_DATES, build_site, cli, digest_options, fetch_dates_args, fixture_papers, has_class,
                     newest_first, page, parse_html, article, search_pages)
from fake_arxiv import FakeArxiv

SITE_URL = "https://example.org/digest/"
ATOM = "{http://www.w3.org/2005/Atom}"
CV_MAX = 6
HOOKS = '''
def arxiv_digest_candidates(papers, date, channel):
    for paper in papers:
        ranking = dict(paper.get("ranking") or {"score": 0, "reasons": []})
        paper["ranking"] = {**ranking, "reasons": [*ranking.get("reasons", []), f"series {channel}"]}
    return papers
'''
HOME = textwrap.dedent("""\
    # Home

    ## Vision

    {{ digest.cards(limit=2) }}

    ## Robotics

    {{ digests.robotics.cards(limit=2) }}
    """)


def in_category(day: str, category: str) -> list[str]:
    return newest_first(p for p in fixture_papers()[day] if category in p.categories)


def cv(day: str) -> list[str]:
    return in_category(day, "cs.CV")[:CV_MAX]


def ro(day: str) -> list[str]:
    return in_category(day, "cs.RO")


def channels(api_url: str) -> list[dict]:
    vision = digest_options(api_url, categories=["cs.CV"], max_papers=CV_MAX, title="视觉速递")
    robot = digest_options(api_url, categories=["cs.RO"], max_papers=0, prefix="robotics",
                           title="Robotics digest", language="en")
    return [{"arxiv-digest": vision}, {"arxiv-digest": robot}]


def write(root, entries: list[dict], hooks: bool = True):
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "index.md").write_text(HOME, encoding="utf-8")
    config = {"site_name": "Two series", "site_url": SITE_URL, "theme": {"name": "material", "language": "zh"},
              "plugins": ["search", "tags", "macros", *entries]}
    if hooks:
        (root / "hooks.py").write_text(HOOKS, encoding="utf-8")
        config["hooks"] = ["hooks.py"]
    path = root / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def two_channels(tmp_path_factory):
    root = tmp_path_factory.mktemp("channels")
    assert any(set(cv(d)) & set(ro(d)) for d in FIXTURE_DATES), "the fixtures must cross-list a paper"
    assert any(not ro(d) for d in FIXTURE_DATES), "the fixtures must have a day without cs.RO papers"
    with FakeArxiv() as fake:
        config = write(root, channels(fake.url))
        fetched = cli(config, *fetch_dates_args())
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    run = build_site(root, write=False)
    assert run.returncode == 0, run.output
    return root, fetched, run


def day_ids(site, url: str) -> list[str]:
    """Paper ids of a day page's cards, in order."""
    hrefs = article(page(site, url)).xpath(f'.//*[{has_class("ad-cards")}]//a[{has_class("ad-card__title")}]/@href')
    return [re.search(r"papers/([^/]+)/$", h).group(1) for h in hrefs]


def resolve(from_url: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(from_url, href.split("#")[0])) + "/"


def test_each_channel_has_its_own_store(two_channels):
    root, fetched, _ = two_channels
    assert "== channel main" in fetched.stdout and "== channel robotics" in fetched.stdout
    for folder, expected in (("data", cv), ("data/robotics", ro)):
        days = {p.stem: json.loads(p.read_text("utf-8")) for p in (root / folder / "days").glob("*.json")}
        # A day without any cs.RO paper is not stored (nor published) in the robotics series.
        assert sorted(days) == sorted(d for d in FIXTURE_DATES if expected(d))
        for date, day in days.items():
            assert day["papers"] == expected(date)
        papers = {p.stem for p in (root / folder / "papers").glob("*.json")}
        assert papers == {pid for d in FIXTURE_DATES for pid in expected(d)}


def test_day_pages_of_each_series_hold_only_its_papers(two_channels):
    root, _, run = two_channels
    for date in FIXTURE_DATES:
        assert day_ids(run.site, f"digest/{date}/") == cv(date)
        if ro(date):
            assert day_ids(run.site, f"robotics/digest/{date}/") == ro(date)
        else:
            assert not (run.site / "robotics" / "digest" / date).exists()
    shared = {pid for d in FIXTURE_DATES for pid in set(cv(d)) & set(ro(d))}
    for pid in shared:  # once per series, each page in its own series
        assert (run.site / "papers" / pid / "index.html").is_file()
        assert (run.site / "robotics" / "papers" / pid / "index.html").is_file()
    only_cv = {pid for d in FIXTURE_DATES for pid in cv(d)} - shared
    assert only_cv and not any((run.site / "robotics" / "papers" / pid).exists() for pid in only_cv)


def test_titles_languages_and_why_lines_are_per_series(two_channels):
    _, _, run = two_channels
    date = next(d for d in FIXTURE_DATES if ro(d))
    vision, robotics = (article(page(run.site, u)) for u in (f"digest/{date}/", f"robotics/digest/{date}/"))
    assert vision.xpath("string(.//h1)").startswith("视觉速递 · ")
    assert robotics.xpath("string(.//h1)").startswith("Robotics digest · ")
    assert "Executive summary" in robotics.text_content() and "执行摘要" in vision.text_content()
    # The hook saw which channel it ranked for.
    why = lambda doc: {w.text_content() for w in doc.xpath(f'.//*[{has_class("ad-card__why")}]')}
    assert why(vision) and all("series main" in w and "robotics" not in w for w in why(vision))
    assert why(robotics) and all("series robotics" in w for w in why(robotics))
    assert page(run.site, "robotics/archive/").xpath("string(//title)").startswith("Archive · Robotics digest")


def test_links_tags_archive_and_related_stay_in_their_series(two_channels):
    _, _, run = two_channels
    pages = [p for p in (run.site / "robotics").rglob("index.html")]
    assert len(pages) > 10
    for path in pages:
        url = str(path.parent.relative_to(run.site)) + "/"
        for href in article(parse_html(path)).xpath(".//a/@href"):
            if href.startswith(("http", "#", "mailto:")):
                continue
            target = resolve(url, href)
            # Generated links of the robotics series point inside robotics/.
            assert target.startswith("robotics/"), (url, href)
    ro_ids = {pid for d in FIXTURE_DATES for pid in ro(d)}
    tag_pages = list((run.site / "robotics" / "tags").glob("*/index.html"))
    assert tag_pages
    for path in tag_pages:
        hrefs = article(parse_html(path)).xpath(f'.//a[{has_class("ad-card__title")}]/@href')
        assert {re.search(r"papers/([^/]+)/$", h).group(1) for h in hrefs} <= ro_ids
    archive = article(page(run.site, "robotics/archive/")).xpath(f'.//*[{has_class("ad-cal")}]//a/@href')
    assert {resolve("robotics/archive/", h) for h in archive} == \
        {f"robotics/digest/{d}/" for d in FIXTURE_DATES if ro(d)}


def test_each_series_has_its_feed_linked_from_every_page(two_channels):
    _, _, run = two_channels
    for prefix, expected, title in (("", cv, "视觉速递"), ("robotics/", ro, "Robotics digest")):
        root = etree.parse(str(run.site / prefix / "feed.xml")).getroot()
        assert root.findtext(f"{ATOM}title") == title
        assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{SITE_URL}{prefix}feed.xml"
        links = [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]
        assert links == [f"{SITE_URL}{prefix}digest/{d}/" for d in sorted(FIXTURE_DATES, reverse=True) if expected(d)]
    for url in ("", "digest/2026-02-18/", "robotics/tags/"):
        heads = page(run.site, url).xpath('//head/link[@type="application/atom+xml"]')
        assert [(h.get("title"), h.get("href")) for h in heads] == [
            ("视觉速递", f"{SITE_URL}feed.xml"), ("Robotics digest", f"{SITE_URL}robotics/feed.xml")]


def test_macros_reach_every_channel(two_channels):
    _, _, run = two_channels
    home = article(page(run.site, ""))
    sections = home.xpath(f'.//section[{has_class("ad-cards")}]')
    assert len(sections) == 2
    latest = sorted(FIXTURE_DATES)[-1]
    vision = [resolve("", h) for h in sections[0].xpath(f'.//a[{has_class("ad-card__title")}]/@href')]
    robotics = [resolve("", h) for h in sections[1].xpath(f'.//a[{has_class("ad-card__title")}]/@href')]
    assert vision == [f"papers/{pid}/" for pid in cv(latest)[:2]]
    assert robotics == [f"robotics/papers/{pid}/" for pid in ro(latest)[:2]]


def test_one_search_index_and_one_box_for_every_channel(two_channels):
    """The first channel runs the site's search: one Pagefind index holding both series' papers, one box."""
    root, _, run = two_channels
    indexed = search_pages(run.site)
    assert any(url.startswith("papers/") for url in indexed)
    assert any(url.startswith("robotics/papers/") for url in indexed)
    for url in ("", "robotics/", "robotics/archive/"):
        path = run.site / url / "index.html"
        if path.exists():
            assert path.read_text("utf-8").count('class="md-search ad-search"') == 1, url


def test_command_line_can_pick_one_channel(tmp_path):
    with FakeArxiv() as fake:
        config = write(tmp_path, channels(fake.url), hooks=False)
        run = cli(config, "--channel", "robotics", "fetch", "--date", "2026-02-18")
        assert run.returncode == 0, run.stderr
        assert not (tmp_path / "data" / "days").exists()
        assert (tmp_path / "data" / "robotics" / "days" / "2026-02-18.json").is_file()
        status = cli(config, "status")
        assert "== channel main" in status.stdout and "== channel robotics" in status.stdout
    unknown = cli(config, "--channel", "physics", "status")
    assert unknown.returncode == 2 and "no channel 'physics'" in unknown.stderr and "main, robotics" in unknown.stderr
    # Legacy digests belong to one series: the command asks which.
    imported = cli(config, "import", "nothing.md")
    assert imported.returncode == 2 and "--channel" in imported.stderr


@pytest.mark.parametrize("robotics,option", [({"prefix": ""}, "prefix"), ({"data_dir": "data"}, "data_dir"),
                                             ({"prefix": "main"}, "prefix")])  # "main" names the root channel
def test_channels_that_would_mix_are_refused(tmp_path, robotics, option):
    entries = channels("http://127.0.0.1:9/api/query")
    entries[1]["arxiv-digest"].update(robotics)
    config = write(tmp_path, entries, hooks=False)
    run = build_site(tmp_path, write=False)
    assert run.returncode != 0 and f"option '{option}'" in run.output and "channels 1 and 2" in run.output
    command = cli(config, "status")
    assert command.returncode == 2 and f"option '{option}'" in command.stderr
    assert not (tmp_path / "site").exists() and not (tmp_path / "data").exists()


def test_a_prefix_inside_the_root_channels_folders_is_refused(tmp_path):
    entries = channels("http://127.0.0.1:9/api/query")
    entries[1]["arxiv-digest"]["prefix"] = "tags/robotics"  # a tag named "Robotics" of the root would collide
    config = write(tmp_path, entries, hooks=False)
    command = cli(config, "status")
    assert command.returncode == 2 and "option 'prefix'" in command.stderr and "'tags/robotics'" in command.stderr
