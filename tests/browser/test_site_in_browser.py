"""The built sites in a real browser: Debian's Chromium driven by Playwright.

What a reader does, checked on the example site served on 127.0.0.1 (browser_support.py
builds the sites and records console errors, failed requests and dialogs):

* the main pages load with no console error, no failed local request and no request to
  any other host (a reader offline, or behind a blocker, sees the same site);
* search (Pagefind, in the header box) finds papers by an English title word and by a Chinese word of a
  TL;DR (test_search.py: abstract words, arXiv ids, authors, Chinese topics);
* math renders as MathML made at build time, and with the MathJax served by the site where TeX is left, also
  after an instant page switch;
* a hostile paper (script tags, ``onerror=``, Jinja, YAML breakers, 10,000-character
  abstract, 500 authors) builds and shows as text, and nothing of it runs; links that
  are not web links are dropped;
* cards and pages fit a 375 px phone screen;
* light and dark screenshots land in test-artifacts/ (git-ignored), dark mode really is
  dark, and card text keeps WCAG AA contrast in both.

Run: ``python -m pytest tests/browser -q -p no:cacheprovider``. To add a page or a check,
extend PAGES / PHONE_PAGES / SHOT_PAGES, or write a test taking ``open_page`` and a site.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from browser_support import (BAD_LINKS_PAPER, CHROMIUM, DAY, HOSTILE_ID, LONG_WORD, MATH_PAPERS, ZH_PAPER, ZH_WORD,
                             Site, Visit, assert_mathml_drawn, search)

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make system-deps) to run the browser tests",
                allow_module_level=True)

PHONE = {"width": 375, "height": 812}

# The reader's main pages: (id, URL path).
PAGES = [
    ("home", ""),
    ("day", f"digest/{DAY}/"),
    ("paper", "papers/2602.15727/"),
    ("tag", "tags/3d-vision/"),
    ("tag-index", "tags/"),
    ("archive", "archive/"),
]
PAGE_IDS = [name for name, _ in PAGES]

# Selectors of features still in progress (adjust here when they land).
FEED_LINK = ('head link[rel="alternate"][type="application/atom+xml"],'
             ' head link[rel="alternate"][type="application/rss+xml"]')
TRENDS_SVG = "article figure.ad-trend svg"
RELATED = "article .ad-cards--related a.ad-card__title"
TRENDING = "article .ad-trending a.ad-chip"
CALENDAR_DAYS = "article .ad-cal a[href*='digest/']"

# ----------------------------------------------------------------------------- helpers


def article_text(visit: Visit) -> str:
    return visit.page.locator("article.md-content__inner").inner_text()


def title_of(site: Site, paper_id: str) -> str:
    record = json.loads((site.root / "data" / "papers" / f"{paper_id}.json").read_text("utf-8"))
    return " ".join(record["title"].split())


def dangerous_markup(visit: Visit) -> list[str]:
    """Script-capable elements, event handler attributes and javascript:/data: links in the content."""
    return visit.page.evaluate("""() => {
        const found = [];
        for (const el of document.querySelectorAll('article *')) {
            if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)) found.push(el.outerHTML.slice(0, 120));
            if (el.tagName === 'IMG' && el.getAttribute('src') === 'x') found.push(el.outerHTML.slice(0, 120));
            for (const attr of el.attributes) {
                const v = attr.value.replace(/[\\s\\x00-\\x1f]/g, '').toLowerCase();
                const isUrl = ['href', 'src', 'action', 'formaction'].includes(attr.name) || attr.name.endsWith(':href');
                if (/^on/i.test(attr.name) || (isUrl && /^(javascript|data|vbscript):/.test(v)))
                    found.push(`${el.tagName} ${attr.name}=${attr.value.slice(0, 80)}`);
            }
        }
        return found; }""")


# ----------------------------------------------------------------------------- loading


@pytest.mark.parametrize("path", [p for _, p in PAGES], ids=PAGE_IDS)
def test_page_loads_cleanly(visited, path):
    """No console error, no uncaught exception, no failed or >= 400 request to the local server."""
    visited(path).assert_clean()


@pytest.mark.parametrize("path", [p for _, p in PAGES], ids=PAGE_IDS)
def test_page_requests_no_other_host(visited, path):
    """Everything a page needs comes from the site itself (fonts, scripts, API calls)."""
    visited(path).assert_no_external_requests()


def test_generated_links_resolve(visited):
    """Every same-site link on the day page leads to a page that exists."""
    visit = visited(f"digest/{DAY}/")
    hrefs = visit.page.evaluate("""() => [...new Set([...document.querySelectorAll('a[href]')]
        .map(a => a.href.split('#')[0]).filter(h => h.startsWith(location.origin)))]""")
    assert len(hrefs) > 20
    broken = [h for h in hrefs if not visit.page.request.get(h).ok]
    assert not broken, f"links to missing pages: {broken}"


# ----------------------------------------------------------------------------- search


@pytest.mark.parametrize("word, paper_id", [
    ("Analogy", "2602.15727"),  # "Spanning the Visual Analogy Space with a Weight Basis of LoRAs"
    ("Keypoints", "2602.15755"),  # "RaCo: Ranking and Covariance for Practical Learned Keypoints"
    ("Dex4D", "2602.15828"),  # "Dex4D: Task-Agnostic Point Track Policy for ..."
])
def test_search_finds_paper_by_english_title_word(example_site, open_page, word, paper_id):
    title = title_of(example_site, paper_id)
    assert word in title
    visit = open_page()
    visit.goto(example_site.at(""), idle=False)
    results = search(visit, word)
    assert any(r["title"] == title for r in results), \
        f"searching {word!r} does not list {title!r}; results: {[r['title'] for r in results]}"
    visit.assert_clean()


def test_search_finds_paper_by_chinese_tldr_word(variant_site, open_page):
    """Pagefind's extended build segments the Chinese TL;DR at build time; a word of it finds the paper."""
    title = title_of(variant_site, ZH_PAPER)
    visit = open_page()
    visit.goto(variant_site.at(""), idle=False)
    results = search(visit, ZH_WORD)
    assert any(r["title"] == title and f"papers/{ZH_PAPER}/" in r["href"] for r in results), \
        f"searching {ZH_WORD!r} does not list the paper page of {title!r}; results: {results}"
    visit.assert_clean()


# ----------------------------------------------------------------------------- math


@pytest.mark.parametrize("path", ["papers/2602.15727/", f"digest/{MATH_PAPERS['2602.06042']}/"],
                         ids=["paper-2602.15727", "day-with-2602.06042"])
def test_math_renders_as_mathml_without_a_script(visited, path):
    """The abstracts' and analyses' math is MathML made at build time (issue 16): Chromium draws it, no math
    script is loaded."""
    visit = visited(path)
    visit.page.evaluate("document.querySelectorAll('article details').forEach(d => d.open = true)")
    assert_mathml_drawn(visit.page)
    assert visit.page.evaluate("typeof window.MathJax.startup") == "undefined", "MathJax was loaded"
    visit.assert_clean()


@pytest.mark.parametrize("path, has_math", [("", False), ("archive/", False), ("papers/2602.15720/", False),
                                            (f"papers/{ZH_PAPER}/", True)])
def test_mathjax_is_loaded_only_by_pages_with_tex_left_and_never_blocks(variant_site, open_page, path, has_math):
    """The fallback (here for every formula: the variant site has ``mathml: false``): a page without TeX loads no
    math renderer; one with TeX loads MathJax asynchronously, which typesets it with its CHTML output."""
    visit = open_page()
    requests: list[str] = []
    visit.page.on("request", lambda r: requests.append(r.url))
    visit.goto(variant_site.at(path))
    mathjax = [u for u in requests if "/mathjax/" in u and not u.endswith("/loader.js")]
    assert bool(mathjax) == has_math, mathjax
    # Only the small loader is in the page's HTML; MathJax itself comes from an async script it adds.
    assert visit.page.evaluate("""() => [...document.scripts]
        .filter(s => s.src.includes('/mathjax/') && !s.src.endsWith('/loader.js') && !s.async)
        .map(s => s.src)""") == []
    if has_math:
        # MathJax typesets a formula when it comes into view (ui/lazy): open the collapsed blocks, scroll through.
        visit.page.evaluate("""async () => {
            document.querySelectorAll('article details').forEach(d => d.open = true);
            for (const el of document.querySelectorAll('article .arithmatex')) {
                el.scrollIntoView();
                await new Promise(r => requestAnimationFrame(() => setTimeout(r, 30)));
            } }""")
        visit.page.wait_for_function("""() => [...document.querySelectorAll('article .arithmatex')]
            .every(el => el.querySelector('mjx-container mjx-math'))""", timeout=15_000)
        assert visit.page.locator("article mjx-container[jax='CHTML'] mjx-math").count() >= 1
        assert visit.page.locator("article mjx-container [data-mjx-error], article mjx-merror").count() == 0
    visit.assert_clean()


def test_math_renders_after_instant_navigation(variant_site, open_page):
    """With navigation.instant, Material swaps the page without reloading: MathJax's loader re-typesets."""
    visit = open_page()
    visit.goto(variant_site.at(""), idle=False)
    page = visit.page
    page.evaluate("window.__sameDocument = true")
    page.locator(f"article a.ad-card__title[href*='papers/{ZH_PAPER}/']").first.click()
    page.wait_for_url(re.compile(rf"/papers/{re.escape(ZH_PAPER)}/"))
    page.wait_for_selector("article mjx-container", state="attached")
    assert page.evaluate("window.__sameDocument") is True, "the click reloaded the page: no instant navigation"
    visit.assert_clean()


# ----------------------------------------------------------------------------- hostile content


@pytest.mark.parametrize("path", [f"digest/{DAY}/", f"papers/{HOSTILE_ID}/", "tags/3d-vision/", ""],
                         ids=["day", "paper", "tag", "home"])
def test_hostile_paper_shows_as_text_and_runs_nothing(hostile_site, visited, path):
    visit = visited(path, hostile_site)
    page = visit.page
    page.wait_for_timeout(200)  # let late handlers (onerror of a broken image, timers) fire
    assert page.evaluate("typeof window.__pwned") == "undefined", \
        f"content ran script: window.__pwned = {page.evaluate('window.__pwned')!r}"
    visit.assert_clean()  # includes: no dialog
    text = article_text(visit)
    assert "<script>window.__pwned='script';alert(1)</script>" in text, "the <script> string is not shown as text"
    assert "<img src=x onerror=" in text
    assert "{{ 7*7 }}" in text and "{% raw %}" in text  # neither Jinja nor macros rendered them
    # Nothing from the content became markup or a live link.
    dangerous = dangerous_markup(visit)
    assert not dangerous, "hostile content became markup:\n" + "\n".join(dangerous)
    # \style{position:fixed...} must not cover the page (MathJax's ui/safe filters styles).
    fixed = page.evaluate("""() => [...document.querySelectorAll('article mjx-container *')]
        .filter(el => getComputedStyle(el).position === 'fixed').length""")
    assert fixed == 0, "math \\style made a fixed-position overlay"
    title = page.title()
    assert title and title != "pwned"


def test_hostile_paper_page_keeps_its_parts(hostile_site, visited):
    """YAML breakers in the title do not become front matter; the 500 authors and the abstract are all there."""
    visit = visited(f"papers/{HOSTILE_ID}/", hostile_site)
    text = article_text(visit)
    assert "Author Number499 Surname" in text
    assert "title: pwned" in text  # shown, not obeyed
    assert visit.page.locator(".md-nav--primary").count() >= 1  # "hide: [navigation]" from the abstract was not obeyed
    assert "The method is evaluated on standard benchmarks" in text
    assert LONG_WORD in text.replace("\u200b", "")


@pytest.mark.parametrize("path, heading", [
    (f"papers/{HOSTILE_ID}/", "article h1"),
    (f"digest/{DAY}/", f"xpath=//article//section[@id='{HOSTILE_ID}']//h3"),  # the heading of the paper's entry
], ids=["paper", "day"])
def test_hostile_title_stays_one_heading(hostile_site, visited, path, heading):
    """A title with line breaks and '---' is still the whole heading (and on the day page, the whole link)."""
    visit = visited(path, hostile_site)
    found = visit.page.locator(heading)
    assert found.count() == 1, f"no heading {heading!r} for the hostile paper"
    text = found.inner_text()
    assert "An Extremely Long Title About" in text and "<script>" in text, \
        f"the title was cut at its first line break: the heading reads {text[:80]!r}"


@pytest.mark.parametrize("path", [f"digest/{DAY}/", f"papers/{BAD_LINKS_PAPER}/", ""], ids=["day", "paper", "home"])
def test_non_web_links_build_and_are_dropped(bad_links_site, open_page, path):
    """A paper whose arXiv/PDF/code links are javascript: or data: URLs: the site builds, the links go."""
    visit = open_page()
    visit.goto(bad_links_site.at(path), idle=False)
    assert not dangerous_markup(visit)
    visit.assert_clean()


# ----------------------------------------------------------------------------- phone


def overflow_report(visit: Visit, width: int) -> dict:
    return visit.page.evaluate("""(width) => {
        const cards = [...document.querySelectorAll('.ad-card')].map((card, i) => {
            const box = card.getBoundingClientRect();
            const wide = [...card.querySelectorAll('*')].filter(el => el.getBoundingClientRect().right > box.right + 1)
                .map(el => `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 60));
            return {i, title: card.querySelector('.ad-card__title')?.textContent.slice(0, 60),
                    scrollWidth: card.scrollWidth, clientWidth: card.clientWidth, right: Math.round(box.right), wide};
        });
        const wideElements = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1 && getComputedStyle(el).position !== 'fixed'
                          && !el.closest('.md-sidebar, .md-search, .md-dialog'))
            .map(el => `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 40)} right=${Math.round(el.getBoundingClientRect().right)}`)
            .slice(0, 10);
        return {cards, docScrollWidth: document.documentElement.scrollWidth, wideElements};
    }""", width)


PHONE_PAGES = [("example", ""), ("example", f"digest/{DAY}/"), ("example", "tags/3d-vision/"), ("example", "archive/"),
               ("hostile", f"digest/{DAY}/"), ("hostile", f"papers/{HOSTILE_ID}/")]


@pytest.mark.parametrize("which, path", PHONE_PAGES, ids=[f"{w}-{p.strip('/') or 'home'}" for w, p in PHONE_PAGES])
def test_phone_cards_do_not_overflow(request, open_page, artifacts, which, path):
    site = request.getfixturevalue(f"{which}_site")
    visit = open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    visit.goto(site.at(path), idle=False)
    report = overflow_report(visit, PHONE["width"])
    name = f"phone-{which}-{path.strip('/').replace('/', '-') or 'home'}.png"
    visit.page.screenshot(path=str(artifacts / name))
    bad_cards = [c for c in report["cards"] if c["scrollWidth"] > c["clientWidth"] + 1 or c["right"] > PHONE["width"]]
    assert not bad_cards, f"cards wider than the phone screen (see test-artifacts/{name}): {bad_cards}"
    assert report["docScrollWidth"] <= PHONE["width"], (
        f"the page scrolls sideways: document is {report['docScrollWidth']} px wide on a {PHONE['width']} px screen "
        f"(see test-artifacts/{name}); widest elements: {report['wideElements']}")
    if path in ("", f"digest/{DAY}/", "tags/3d-vision/"):
        assert report["cards"], "no .ad-card on the page"


# ----------------------------------------------------------------------------- light and dark


SHOT_PAGES = [("home", ""), ("day", f"digest/{DAY}/"), ("tag", "tags/3d-vision/")]


def colours(visit: Visit) -> dict:
    """Colour scheme, page background and the (text, background) colours of card parts as opaque RGB:
    translucent backgrounds and text are composited over what lies beneath, as the reader sees them."""
    return visit.page.evaluate("""() => {
        const parse = c => { const v = (c.match(/[\\d.]+/g) || []).map(Number); return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
        const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3]));
        const background = el => {
            const layers = [];
            for (; el; el = el.parentElement) {
                const c = parse(getComputedStyle(el).backgroundColor);
                if (c[3] > 0) layers.push(c);
                if (c[3] >= 1) break;
            }
            return layers.reverse().reduce((below, top) => over(top, below), [255, 255, 255]);
        };
        const pair = sel => {
            const el = document.querySelector(sel);
            if (!el) return null;
            const bg = background(el);
            return [over(parse(getComputedStyle(el).color), bg), bg];
        };
        return {scheme: document.body.getAttribute('data-md-color-scheme'), body: background(document.body),
                title: pair('.ad-card__title'), tldr: pair('.ad-card__tldr'), meta: pair('.ad-card__meta'),
                chip: pair('.ad-chip'), text: pair('article p')};
    }""")


def contrast(fg: list[float], bg: list[float]) -> float:
    """WCAG contrast ratio of two opaque RGB colours."""
    def lum(rgb: list[float]) -> float:
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("name, path", SHOT_PAGES, ids=[n for n, _ in SHOT_PAGES])
def test_both_schemes_keep_aa_contrast_and_dark_mode_is_dark(example_site, open_page, artifacts, name, path):
    seen = {}
    for scheme in ("light", "dark"):
        visit = open_page(color_scheme=scheme)
        visit.goto(example_site.at(path), idle=False)
        visit.page.screenshot(path=str(artifacts / f"{name}-{scheme}.png"))
        visit.page.screenshot(path=str(artifacts / f"{name}-{scheme}-full.jpg"), full_page=True, type="jpeg",
                              quality=80)
        if name == "day":  # the cards under their heading, below Material's header (the README's picture)
            visit.page.evaluate("""() => { const h = document.querySelector('article .ad-cards').previousElementSibling;
                window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 64); }""")
            visit.page.wait_for_timeout(600)  # the header cross-fades from site name to page title
            visit.page.screenshot(path=str(artifacts / f"{name}-cards-{scheme}.png"))
        seen[scheme] = colours(visit)
        visit.assert_clean()
    light, dark = seen["light"], seen["dark"]
    assert (light["scheme"], dark["scheme"]) == ("default", "slate")
    assert light["body"] != dark["body"], f"dark mode did not change the background ({light['body']})"
    assert sum(dark["body"]) < sum(light["body"]) / 2, f"dark background is not dark: {dark['body']}"
    for scheme, got in seen.items():
        pairs = {part: got[part] for part in ("title", "tldr", "meta", "chip", "text") if got[part]}
        low = {part: round(contrast(*pair), 2) for part, pair in pairs.items() if contrast(*pair) < 4.5}
        assert not low, f"{scheme} mode: text below WCAG AA contrast 4.5:1 on {name}: {low} ({got})"


# ----------------------------------------------------------------------------- pending features


@pytest.mark.parametrize("path", [p for _, p in PAGES], ids=PAGE_IDS)
def test_feed_linked_from_head(visited, path):
    visit = visited(path)
    link = visit.page.locator(FEED_LINK)
    assert link.count() >= 1, "no <link rel=alternate> to a feed in <head>"
    href = link.first.evaluate("el => el.href")
    response = visit.page.request.get(href)
    assert response.ok, f"feed {href}: HTTP {response.status}"
    root = ET.fromstring(response.body())  # valid XML
    entries = root.findall("{http://www.w3.org/2005/Atom}entry") or root.findall("channel/item")
    assert entries, "the feed has no entries"
    assert any(DAY in ET.tostring(e, encoding="unicode") for e in entries), f"no entry for {DAY}"


@pytest.mark.parametrize("path", ["tags/", "tags/3d-vision/"], ids=["tag-index", "tag"])
def test_trend_chart_is_a_visible_static_svg_with_readable_labels(example_site, open_page, path):
    """Drawn at build time (inline SVG, no script), visible, and its labels readable in both schemes."""
    for scheme in ("light", "dark"):
        visit = open_page(color_scheme=scheme)
        visit.goto(example_site.at(path), idle=False)
        svg = visit.page.locator(TRENDS_SVG)
        assert svg.count() >= 1, "no trends SVG in the page"
        box = svg.first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 30
        assert visit.page.locator("article figure.ad-trend script").count() == 0
        labels = svg.first.evaluate("""svg => [...svg.querySelectorAll('text')].map(t => getComputedStyle(t).fill)""")
        background = colours(visit)["body"]
        for fill in labels:
            rgb = [float(x) for x in re.findall(r"[\d.]+", fill)[:3]]
            if len(rgb) == 3:
                assert contrast(rgb, background) >= 3, f"{scheme}: trend label colour {fill} unreadable on {background}"
        visit.assert_clean()


def test_trending_tags_on_home(visited):
    visit = visited("")
    chips = visit.page.locator(TRENDING)
    assert chips.count() >= 1, "no trending tags on the home page"
    for href in chips.evaluate_all("els => els.map(a => a.href)"):
        assert "/tags/" in href and visit.page.request.get(href).ok, href


def test_archive_calendar_links_every_day(example_site, visited):
    visit = visited("archive/")
    hrefs = visit.page.locator(CALENDAR_DAYS).evaluate_all("els => els.map(a => a.href)")
    days = sorted(p.stem for p in (example_site.root / "data" / "days").glob("*.json"))
    assert sorted(re.search(r"digest/([\d-]+)/", h).group(1) for h in hrefs) == days
    for href in hrefs:
        assert visit.page.request.get(href).ok, href


def test_related_papers_link_to_other_existing_paper_pages(visited):
    visit = visited("papers/2602.15727/")
    links = visit.page.locator(RELATED)
    assert links.count() >= 1
    for href in links.evaluate_all("els => els.map(a => a.href)"):
        assert visit.page.request.get(href).ok, href
        assert "2602.15727" not in href


def test_paper_page_bibtex_has_a_copy_button_that_copies_an_entry_bibtex_parses(example_site, open_page):
    from pybtex.database import parse_string

    visit = open_page(permissions=["clipboard-read", "clipboard-write"])
    visit.goto(example_site.at("papers/2602.15727/"))
    block = visit.page.locator("article pre.ad-bibtex")
    block.scroll_into_view_if_needed()  # Material mounts code blocks when they come into view
    button = block.locator("button[data-md-type='copy']")
    button.click()
    copied = visit.page.evaluate("navigator.clipboard.readText()")
    entries = parse_string(copied, "bibtex").entries
    assert list(entries) == ["manor2026spanning"] and entries["manor2026spanning"].fields["eprint"] == "2602.15727"
    visit.assert_clean()
