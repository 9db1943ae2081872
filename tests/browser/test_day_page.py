"""The day page on a phone first (issue 17, item 1), in Chromium: what a reader opening the digest every morning
sees on a 375×812 screen, light and dark.

* the example day (10 papers, entries collapsed) is at most 8,000 px tall, its first screen shows the first two
  cards' titles, nothing overflows sideways and no date or arXiv id breaks across lines;
* each paper's title is written at most twice on its day page (its card and its entry), the right sidebar says
  "目录" once, and a card links once to the paper page;
* the tag chips narrow the cards and entries in place with JavaScript; without it every card shows and the chips
  are links to the tag pages;
* opening the page at #<paper-id>, or following a card's "详情" link, opens that paper's collapsed entry;
* previous and next day at the top and the foot, and Material's footer links;
* a paper page's title, metadata and chips leave room for its TL;DR on the first screen.

Screenshots land in test-artifacts/ (day-phone-light.png, ...).
"""

from __future__ import annotations

import json
import re

import pytest

from arxiv_digest.analysis.offline import current_tags
from arxiv_digest.analysis.taxonomy import DEFAULT_TAXONOMY
from browser_support import CHROMIUM, DAY

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make system-deps)", allow_module_level=True)

PHONE = {"width": 375, "height": 812}
PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
MAX_HEIGHT = 8_000  # px, the example day of 10 papers with its entries collapsed
DAY_PATH = f"digest/{DAY}/"
OLDER_DAY = "2026-02-06"

MAX_TAGS = 4  # the example's max_tags (the default)


def day_papers(site) -> list[dict]:
    record = json.loads((site.root / "data" / "days" / f"{DAY}.json").read_text("utf-8"))
    return [json.loads((site.root / "data" / "papers" / f"{pid}.json").read_text("utf-8")) for pid in record["papers"]]


def layout(page) -> dict:
    """Height, the first cards' titles, elements wider than the screen and inline dates or ids broken across lines.

    An element inside a box that scrolls sideways (the chips' row) is not wider than the screen: its box clips it."""
    return page.evaluate("""(width) => {
        const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
            const x = getComputedStyle(p).overflowX; if (x === 'auto' || x === 'scroll' || x === 'hidden') return true; }
            return false; };
        const wide = [...document.querySelectorAll('body *')].filter(el => {
            const box = el.getBoundingClientRect();
            return box.width && (box.right > width + 1 || box.left < -1) && getComputedStyle(el).position !== 'fixed'
                && !el.closest('.md-sidebar, .md-search, .md-dialog, .md-tooltip') && !scrolls(el);
        }).map(el => `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 40)}`);
        // A date or id that breaks has one client rect per line.
        const broken = [...document.querySelectorAll('article time, article .ad-nowrap, article .ad-meta a')]
            .filter(el => el.offsetParent && el.getClientRects().length > 1).map(el => el.textContent);
        const titles = [...document.querySelectorAll('article .ad-card__title')].slice(0, 2).map(a => {
            const box = a.getBoundingClientRect(); return {text: a.textContent, top: box.top, bottom: box.bottom}; });
        return {height: document.documentElement.scrollHeight, scrollWidth: document.documentElement.scrollWidth,
                wide: wide.slice(0, 10), broken, titles,
                open: document.querySelectorAll('article details[open]').length};
    }""", PHONE["width"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_day_page_fits_a_phone(example_site, open_page, artifacts, scheme):
    visit = open_page(color_scheme=scheme, **PHONE_OPTIONS)
    visit.goto(example_site.at(DAY_PATH))
    page = visit.page
    page.screenshot(path=str(artifacts / f"day-phone-{scheme}.png"))
    got = layout(page)
    assert got["open"] == 0, "entries are open on arrival"
    assert got["height"] <= MAX_HEIGHT, f"the day page is {got['height']} px tall on a phone (at most {MAX_HEIGHT})"
    assert len(got["titles"]) == 2
    for title in got["titles"]:
        assert 0 <= title["top"] and title["bottom"] <= PHONE["height"], \
            f"{title['text']!r} is not on the first screen (test-artifacts/day-phone-{scheme}.png): {got['titles']}"
    assert got["scrollWidth"] <= PHONE["width"] and not got["wide"], f"wider than the phone: {got['wide']}"
    assert not got["broken"], f"dates or ids broken across lines: {got['broken']}"
    # The page's own title: its date on one line.
    assert page.locator("article h1 .ad-nowrap").evaluate("el => el.getClientRects().length") == 1
    visit.assert_clean()


def test_open_entries_and_filter_keep_the_phone_layout(example_site, open_page):
    """Every entry open (abstract, analysis, key findings, long author lists): still nothing wider than the screen."""
    visit = open_page(**PHONE_OPTIONS)
    visit.goto(example_site.at(DAY_PATH))
    visit.page.evaluate("() => document.querySelectorAll('article details').forEach(d => d.open = true)")
    got = layout(visit.page)
    assert got["scrollWidth"] <= PHONE["width"] and not got["wide"], f"wider than the phone: {got['wide']}"
    assert not got["broken"], f"dates or ids broken across lines: {got['broken']}"


def test_each_title_at_most_twice_and_nothing_said_twice(example_site, visited):
    visit = visited(DAY_PATH)
    page = visit.page
    text = page.evaluate("""() => document.body.textContent + ' '
        + (document.querySelector('meta[name=description]')?.content || '')""")
    text = " ".join(text.split())
    for paper in day_papers(example_site):
        title = " ".join(paper["title"].split())
        # Card and entry: the summary and the table of contents name the paper by a short name.
        assert text.count(title) == 2, f"{title!r} appears {text.count(title)} times on the day page"
    sidebar = page.locator(".md-sidebar--secondary").inner_text()
    assert sidebar.count("目录") == 1, f"the right sidebar says 目录 {sidebar.count('目录')} times"
    article = page.locator("article.md-content__inner").inner_text()
    assert "论文页" not in article, "a card or entry still offers a separate 论文页 link"
    # One link from a card to its paper page (its title), one to its entry below.
    card = page.locator("article .ad-card").first
    paper_links = card.locator("a[href*='papers/']")
    assert paper_links.count() == 1 and paper_links.first.get_attribute("class") == "ad-card__title"
    assert card.locator("a[href^='#']").count() == 1


def test_summary_reading_list_links_to_the_cards(visited):
    visit = visited(DAY_PATH)
    links = visit.page.evaluate("""() => [...document.querySelectorAll('article .ad-summary a[href^="#"]')]
        .map(a => a.getAttribute('href'))""")
    assert links, "the summary links no paper"
    ids = visit.page.evaluate("() => [...document.querySelectorAll('article .ad-card[id]')].map(c => '#' + c.id)")
    assert len(ids) == 10 and set(links) <= set(ids), f"summary links that lead to no card: {set(links) - set(ids)}"


def visible_cards(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll('article .ad-card')]
        .filter(c => c.getClientRects().length).map(c => c.id)""")


def test_tag_chips_narrow_cards_and_entries_in_place(example_site, open_page):
    visit = open_page(**PHONE_OPTIONS)
    visit.goto(example_site.at(DAY_PATH))
    page = visit.page
    url = page.url
    chip = page.locator("article .ad-filter a[data-tag]:not([data-tag=''])").nth(1)  # a tag some papers lack
    tag = chip.get_attribute("data-tag")
    count = int(chip.locator(".ad-chip__count").inner_text())
    # The tags pages show: the keyword tagger's, made again at build for papers no LLM tagged.
    expected = [f"card-{p['id']}" for p in day_papers(example_site)
                if tag in current_tags(p, DEFAULT_TAXONOMY, MAX_TAGS)]
    assert 0 < count == len(expected) < 10, (tag, count, expected)
    chip.click()
    assert page.url == url, "the chip left the page"
    assert chip.get_attribute("aria-pressed") == "true"
    assert visible_cards(page) == expected
    entries = page.evaluate("""() => [...document.querySelectorAll('article .ad-entry')]
        .filter(e => e.getClientRects().length).map(e => 'card-' + e.id)""")
    assert entries == expected, "the entries below were not narrowed like the cards"
    # Generic: any element with data-tags in the day's content is narrowed (issue 18's listed papers too).
    hidden_other = page.evaluate(f"""() => {{ const el = document.createElement('p');
        el.setAttribute('data-tags', JSON.stringify(['Something else']));
        document.querySelector('article').append(el);
        document.querySelector('article .ad-filter a[data-tag={json.dumps(tag)}]').click();
        document.querySelector('article .ad-filter a[data-tag={json.dumps(tag)}]').click();
        return el.hidden; }}""")
    assert hidden_other, "an element with other tags stayed visible under the filter"
    page.locator("article .ad-filter .ad-filter__all").click()
    assert len(visible_cards(page)) == 10
    chip.focus()
    page.keyboard.press(" ")
    assert len(visible_cards(page)) == count, "the space bar does not press a chip"
    visit.assert_clean()


def test_without_javascript_every_card_shows_and_chips_are_links(example_site, open_page):
    visit = open_page(java_script_enabled=False, **PHONE_OPTIONS)
    visit.goto(example_site.at(DAY_PATH))
    page = visit.page
    assert len(visible_cards(page)) == 10
    chips = page.locator("article .ad-filter a[data-tag]:not([data-tag=''])")
    assert chips.count() >= 3
    hrefs = [chips.nth(i).get_attribute("href") for i in range(chips.count())]
    assert all(re.search(r"tags/[^/]+/$", h) for h in hrefs), hrefs
    assert not page.locator("article .ad-filter .ad-filter__all").is_visible(), "the 'all' chip shows without script"
    assert page.locator("article .ad-entry details[open]").count() == 0


def test_opening_the_page_at_a_paper_opens_its_entry(example_site, open_page):
    papers = day_papers(example_site)
    visit = open_page(**PHONE_OPTIONS)
    visit.goto(example_site.at(DAY_PATH) + f"#{papers[2]['id']}")
    page = visit.page
    entry = page.locator(f"article .ad-entry[id='{papers[2]['id']}']")
    page.wait_for_function("id => document.getElementById(id).querySelector('details').open", arg=papers[2]["id"])
    assert page.locator("article .ad-entry details[open]").count() == 1
    box = entry.bounding_box()
    assert box and box["y"] < PHONE["height"], "the opened entry is not on the screen"
    # Following a card's link opens that paper's entry.
    page.locator(f"article [id='card-{papers[5]['id']}'] a.ad-card__open").click()
    page.wait_for_function("id => document.getElementById(id).querySelector('details').open", arg=papers[5]["id"])
    opened = page.locator(f"article .ad-entry[id='{papers[5]['id']}'] details")
    assert opened.locator("text=" + papers[5]["abstract"].split()[0]).first.is_visible()
    visit.assert_clean()


def test_previous_day_at_top_and_foot_and_in_materials_footer(visited):
    page = visited(DAY_PATH).page
    navs = page.locator(f"article .ad-daynav a[href*='{OLDER_DAY}']")
    assert navs.count() == 2, "the previous day is not linked at the top and the foot"
    footer = page.locator(f".md-footer a.md-footer__link--prev[href*='{OLDER_DAY}']")
    assert footer.count() == 1, "Material's footer does not lead to the previous day"
    older = visited(f"digest/{OLDER_DAY}/").page
    assert older.locator(f".md-footer a.md-footer__link--next[href*='{DAY}']").count() == 1


def test_paper_page_on_a_phone_shows_its_tldr_on_the_first_screen(example_site, open_page):
    visit = open_page(**PHONE_OPTIONS)
    visit.goto(example_site.at("papers/2602.15828/"))
    top = visit.page.evaluate("""() => { const p = [...document.querySelectorAll('article p')]
        .find(p => p.textContent.startsWith('TL;DR')); return p && p.getBoundingClientRect().top; }""")
    assert top is not None and top < PHONE["height"] * 0.75, f"the TL;DR starts at {top} px on a phone"
    got = layout(visit.page)
    assert not got["broken"] and not got["wide"], got


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_the_phone_with_a_chip_pressed_and_an_entry_open(example_site, open_page, scheme):
    from test_accessibility import violations
    visit = open_page(color_scheme=scheme, **PHONE_OPTIONS)
    visit.goto(example_site.at(DAY_PATH))
    visit.page.locator("article .ad-filter a[data-tag]:not([data-tag=''])").first.click()
    visit.page.evaluate("() => document.querySelector('article .ad-entry:not([hidden]) details').open = true")
    assert violations(visit.page) == []


@pytest.mark.parametrize("path, tab", [(DAY_PATH, "archive/"), ("papers/2602.15828/", "archive/"),
                                       ("tags/3d-vision/", "tags/")], ids=["day", "paper", "tag"])
def test_pages_outside_the_nav_highlight_their_tab(visited, path, tab):
    """Day and paper pages belong to the archive's tab, tag pages to the tag index's (Material's own highlight)."""
    page = visited(path).page
    active = page.evaluate("""() => [...document.querySelectorAll('.md-tabs__item--active a')]
        .map(a => new URL(a.href).pathname)""")
    assert active == ["/" + tab], f"highlighted tabs on {path}: {active}"
