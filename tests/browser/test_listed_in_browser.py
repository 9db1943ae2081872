"""Listed papers (issue 18) as a reader meets them in Chromium: the day's other papers after the featured ones,
found by the header search box, which opens the day page at the entry; axe-core finds no violation in them.

The site: a fixture day fetched from the fake arXiv with ``max_papers: 4`` (6 listed papers), no key (offline
TL;DRs, marked), Pagefind search.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser_support import Site, SiteServer, mkdocs_build, search
from fake_arxiv import FakeArxiv
from support import cli, digest_options, write_site
from test_accessibility import AXE

DATE = "2026-02-06"
OPTIONS = {"max_papers": 4, "figures": False}
THEME = {"theme": {"name": "material", "language": "zh", "font": False}}  # no Google Fonts: nothing but 127.0.0.1


@pytest.fixture(scope="module")
def listed_site(tmp_path_factory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("listed-src")
    with FakeArxiv() as fake:
        config = write_site(root, digest_options(fake.url, **OPTIONS), extra=THEME)
        run = cli(config, "fetch", "--date", DATE)
    assert run.returncode == 0, run.stdout + run.stderr
    write_site(root, digest_options(**OPTIONS), extra=THEME)
    out = root / "site-out"
    server = SiteServer(out)
    proc = mkdocs_build(root, out, server.url)
    assert proc.returncode == 0, proc.stdout[-4000:]
    yield Site("listed", root, out, server.url, proc.stdout)
    server.close()


def listed_violations(page) -> list[str]:
    """axe-core's violations inside the listed section and its heading (the test site has Material's default
    palette, whose footer the example site fixes: test_accessibility.py judges whole pages there)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => (await axe.run({include: [['h2#listed'], ['section.ad-listed']]},
        {resultTypes: ['violations']})).violations.map(v => `${v.id}: ` + v.nodes.map(n => n.target.join(' ')).join(' | '))""")


def test_listed_entries_show_after_the_featured_papers_with_no_axe_violation(listed_site, open_page):
    visit = open_page()
    visit.goto(listed_site.at(f"digest/{DATE}/"))
    page = visit.page
    entries = page.locator("section.ad-listed > article.ad-listed__entry")
    assert entries.count() == 6
    assert page.locator("h2#listed").is_visible()
    first = entries.first
    assert first.locator("h3 a").get_attribute("href").startswith("https://arxiv.org/abs/")
    assert first.locator(".ad-badge--offline").is_visible()
    assert listed_violations(page) == []
    visit.assert_clean()
    visit.assert_no_external_requests()


def test_search_finds_a_listed_paper_and_opens_its_entry(listed_site, open_page):
    visit = open_page()
    visit.goto(listed_site.at(f"digest/{DATE}/"), idle=False)
    page = visit.page
    entry = page.locator("section.ad-listed > article.ad-listed__entry").nth(2)
    pid = entry.locator("h3").get_attribute("id")
    title = entry.locator("h3").inner_text().strip()
    results = search(visit, pid)
    hits = [r for r in results if r["href"].endswith(f"/digest/{DATE}/#{pid}")]
    assert hits and hits[0]["title"] == title, results
    page.locator(f".ad-search a[href$='#{pid}']").first.click()
    page.wait_for_url(f"**/digest/{DATE}/#{pid}")
    page.wait_for_function("id => { const r = document.getElementById(id).getBoundingClientRect(); "
                           "return r.top >= 0 && r.top < innerHeight; }", arg=pid)
    visit.assert_clean()
