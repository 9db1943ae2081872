"""axe-core in Chromium on every page kind of the example site, light and dark (issue 16): 0 violations.

axe-core comes from tests/browser/node (``make install-test`` runs ``npm ci`` there). All of axe's default
rules run on the whole page (the plugin's markup and CSS, the example site's palette and Material around
them), and once more with the header search box open and showing results.
"""

from __future__ import annotations

import pytest

from browser_support import DAY, REPO, search

AXE = REPO / "tests" / "browser" / "node" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [("home", ""), ("day", f"digest/{DAY}/"), ("paper", "papers/2602.15727/"), ("tag index", "tags/"),
         ("tag", "tags/3d-vision/"), ("archive", "archive/"), ("status", "status/"), ("topics", "topics/")]


def violations(page) -> list[str]:
    assert AXE.is_file(), f"{AXE} is missing: run `make install-test` (npm ci in tests/browser/node)"
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 5).map(n => n.target.join(' ')
                  + ' — ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('')).join(' | '))""")
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", [p for _, p in PAGES], ids=[name for name, _ in PAGES])
def test_axe_finds_no_violation(example_site, open_page, scheme, path):
    visit = open_page(color_scheme=scheme)
    visit.goto(example_site.at(path))
    assert violations(visit.page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_a_later_page_of_a_tag(variant_site, open_page, scheme):
    """The variant site cuts tags into pages of TAG_PAGE_SIZE cards: page 2 has links both ways."""
    visit = open_page(color_scheme=scheme)
    visit.goto(variant_site.at("tags/3d-vision/page/2/"))
    assert visit.page.locator("nav.ad-tagnav a[rel=prev]").count() == 1
    assert visit.page.locator("nav.ad-tagnav a[rel=next]").count() == 1
    assert violations(visit.page) == []
    visit.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_in_the_open_search_box(example_site, open_page, scheme):
    visit = open_page(color_scheme=scheme)
    visit.goto(example_site.at(f"digest/{DAY}/"), idle=False)
    assert search(visit, "splatting")
    assert violations(visit.page) == []


def test_english_text_on_chinese_pages_is_marked_english(example_site, open_page):
    """Screen readers read lang="en" text with an English voice: titles, abstracts, English TL;DRs."""
    visit = open_page()
    visit.goto(example_site.at("papers/2602.15727/"))
    page = visit.page
    assert page.evaluate("document.documentElement.lang").startswith("zh")
    assert page.locator("article h1").get_attribute("lang") == "en"
    abstract = page.locator("article details.abstract p[lang='en']")
    assert abstract.count() >= 1 and "analogy" in abstract.first.inner_text().lower()
    visit.goto(example_site.at(f"digest/{DAY}/"))
    assert page.locator("article a.ad-card__title:not([lang='en'])").count() == 0
