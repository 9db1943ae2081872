"""End to end: ``mkdocs build --strict`` of temporary sites, checked in the produced HTML.

Expected papers, order, titles, abstracts, authors and links come from the fixture XML
(support.fixture_papers), never from the store or the plugin.
"""

from __future__ import annotations

import json
import posixpath
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from support import FIXTURE_DATES, all_fixture_papers, arxiv_requests, article, build_many, build_site, \
    closed_port_url, copy_store, digest_options, fixture_papers, has_class, newest_first, norm, page, parse_html, \
    offline_env as _env, snapshot, write_site

PAPER_HREF = re.compile(r"(?:^|/)papers/([^/]+)/$")
DAY_HREF = re.compile(r"(?:^|/)digest/(\d{4}-\d{2}-\d{2})/$")


def as_read(abstract: str) -> str:
    """An abstract as readers see it: LaTeX text commands outside math (``\\emph{any}``) show as their text."""
    return re.sub(r"\\(?:emph|textbf|textit)\{([^{}]*)\}", r"\1", abstract)


def resolve(from_url: str, href: str) -> str:
    """Site-relative URL of ``href`` written on the page at directory URL ``from_url``."""
    path = href.split("#")[0]
    if not path:
        return from_url
    joined = posixpath.normpath(posixpath.join(from_url, path))
    if joined == ".":
        return ""
    return joined + "/" if path.endswith(("/", ".")) else joined


def exists(site: Path, url: str) -> bool:
    target = site / url
    return (target / "index.html").is_file() if url.endswith("/") or url == "" else target.is_file()


def paper_ids(links) -> list[str]:
    return [m.group(1) for m in (PAPER_HREF.search(a.get("href", "")) for a in links) if m]


def day_page_ids(site: Path, day: str) -> tuple[list[str], list[str]]:
    """(ids of the contents cards, ids of the detailed entries) on a day page, in page order."""
    content = article(page(site, f"digest/{day}/"))
    cards = paper_ids(content.xpath(f'.//a[{has_class("ad-card__title")}]'))
    abs_links = [a.get("href") for a in content.xpath(".//h3/a[starts-with(@href, 'https://arxiv.org/abs/')]")]
    entries = [re.search(r"/abs/(.+?)v\d+$", h).group(1) for h in abs_links]
    return cards, entries


# ----------------------------------------------------------------------------- the fixture site


def test_strict_build_has_no_warnings(built_site):
    assert built_site.returncode == 0
    assert built_site.lines("WARNING") == []
    assert built_site.lines("ERROR") == []


def test_one_page_per_fixture_day_and_no_weekend_pages(built_site):
    days = sorted(p.name for p in (built_site.site / "digest").iterdir() if p.is_dir())
    assert days == sorted(FIXTURE_DATES)
    for weekend in ("2026-01-24", "2026-01-25"):
        assert not (built_site.site / "digest" / weekend).exists()


@pytest.mark.parametrize("day", FIXTURE_DATES)
def test_day_page_lists_ten_papers_newest_first(built_site, day):
    cards, entries = day_page_ids(built_site.site, day)
    expected = newest_first(fixture_papers()[day])
    assert len(expected) == 10
    assert cards == expected
    assert entries == expected


def test_late_monday_submission_is_on_the_wednesday_page(built_site):
    late = next(p for p in all_fixture_papers() if p.id == "2602.14662")
    assert (late.published.isoformat(), late.digest) == ("2026-02-16T20:00:00+00:00", "2026-02-18")
    cards, _ = day_page_ids(built_site.site, "2026-02-18")
    assert "2602.14662" in cards
    for other in ("2026-01-26", "2026-02-06"):
        assert "2602.14662" not in day_page_ids(built_site.site, other)[0]


def test_fridays_submissions_are_on_the_monday_page(built_site):
    friday = [p.id for p in all_fixture_papers() if p.published.date().isoformat() == "2026-01-23"]
    assert len(friday) == 10
    cards, _ = day_page_ids(built_site.site, "2026-01-26")
    assert sorted(cards) == sorted(friday)


def test_ro_only_papers_are_published(built_site):
    ro_only = [p for p in all_fixture_papers() if "cs.RO" in p.categories and "cs.CV" not in p.categories]
    assert ro_only
    for paper in ro_only:
        assert paper.id in day_page_ids(built_site.site, paper.digest)[0]
        assert (built_site.site / "papers" / paper.id / "index.html").is_file()


@pytest.mark.parametrize("paper", all_fixture_papers(), ids=lambda p: p.id)
def test_paper_page_matches_the_xml(built_site, paper):
    doc = page(built_site.site, f"papers/{paper.id}/")
    content = article(doc)
    (h1,) = content.xpath(".//h1")
    assert norm(h1.text_content()) == paper.title
    assert paper.title in norm(doc.findtext(".//title"))
    text = norm(content.text_content())
    assert ", ".join(paper.authors) in text
    if "$" not in paper.abstract:  # math: see test_math_in_abstracts_is_kept_verbatim
        assert as_read(paper.abstract) in text
    hrefs = [a.get("href") for a in content.xpath(".//a[@href]")]
    assert paper.abs_url in hrefs and paper.pdf_url in hrefs
    # Back to the digest the paper appeared in, at its entry.
    back = [h for h in hrefs if DAY_HREF.search(h.split("#")[0])]
    assert back and all(h.endswith(f"digest/{paper.digest}/#{paper.id}") for h in back)


@pytest.mark.parametrize("day", FIXTURE_DATES)
def test_day_page_entries_match_the_xml(built_site, day):
    content = article(page(built_site.site, f"digest/{day}/"))
    text = norm(content.text_content())
    titles = {norm(a.text_content()): a.get("href") for a in content.xpath(".//h3/a")}
    for paper in fixture_papers()[day]:
        assert titles.get(paper.title) == paper.abs_url
        assert ", ".join(paper.authors) in text
        if "$" not in paper.abstract:
            assert as_read(paper.abstract) in text
        assert content.xpath(f'.//*[@id="{paper.id}"]'), f"no anchor for {paper.id}"


def test_math_in_abstracts_is_kept_verbatim(built_site):
    """Math segments reach the page unchanged (as the MathML's TeX annotation, or for MathJax), whatever the site's
    extensions."""
    with_math = [p for p in all_fixture_papers() if "$" in p.abstract]
    assert with_math
    for paper in with_math:
        text = article(page(built_site.site, f"papers/{paper.id}/")).text_content()
        for segment in re.findall(r"\$([^$]+)\$", paper.abstract):
            assert segment in text, f"{paper.id}: math {segment!r} altered on the page"


def test_every_paper_has_a_page_and_nothing_else(built_site):
    pages = sorted(p.name for p in (built_site.site / "papers").iterdir() if (p / "index.html").is_file())
    assert pages == sorted(p.id for p in all_fixture_papers())


def test_internal_links_and_anchors_resolve(built_site):
    site = built_site.site
    checked = 0
    for html_file in sorted(site.glob("**/index.html")):
        url = html_file.parent.relative_to(site).as_posix()
        url = "" if url == "." else url + "/"
        if not url.startswith(("digest/", "papers/", "tags/", "archive/")):
            continue
        for a in article(parse_html(html_file)).xpath(".//a[@href]"):
            href = a.get("href")
            if re.match(r"^[a-z]+:", href):
                continue
            target = resolve(url, href)
            assert exists(site, target), f"{url}: broken link {href}"
            if "#" in href and href.split("#", 1)[1]:
                fragment = href.split("#", 1)[1]
                doc = parse_html(site / target / "index.html") if target.endswith("/") or not target else None
                assert doc is not None and doc.xpath(f'//*[@id="{fragment}"]'), f"{url}: no #{fragment} in {target}"
            checked += 1
    assert checked > 500


def test_tag_pages_list_the_papers_of_each_category(built_site):
    site = built_site.site
    index = article(page(site, "tags/"))
    chips = {}
    for a in index.xpath(".//a[@href]"):
        name = norm(a.text or "")
        counts = re.findall(r"\d+", "".join(s.text_content() for s in a))
        chips[name] = (a.get("href"), int(counts[0]) if counts else None)
    by_category = defaultdict(set)
    for paper in all_fixture_papers():
        for category in paper.categories:
            by_category[category].add(paper.id)
    published = {p.id: p.published for p in all_fixture_papers()}
    for category, ids in by_category.items():
        assert category in chips, f"no tag for {category} on the tag index"
        href, count = chips[category]
        assert count == len(ids)
        tag_url = resolve("tags/", href)
        listed = paper_ids(article(page(site, tag_url)).xpath(f'.//a[{has_class("ad-card__title")}]'))
        assert sorted(listed) == sorted(ids), category
        assert listed == sorted(ids, key=lambda i: (published[i], i), reverse=True), f"{category}: not newest first"


def test_archive_lists_the_days_by_month(built_site):
    content = article(page(built_site.site, "archive/"))
    month, seen = None, []
    for el in content.iter():
        if el.tag == "h2":
            month = norm(el.text_content())
        elif el.tag == "a" and DAY_HREF.search(el.get("href", "")):
            seen.append((month, DAY_HREF.search(el.get("href")).group(1)))
    assert [d for _, d in seen] == sorted(FIXTURE_DATES, reverse=True)
    months = [m for m, _ in seen]
    assert months[0] == months[1] != months[2] and None not in months
    assert "2026" in months[0] and "2" in months[0] and "1" in months[2]


def test_archive_has_one_list_item_per_day(built_site):
    content = article(page(built_site.site, "archive/"))
    items = content.xpath(".//li[.//a[contains(@href, 'digest/')]]")
    assert [len(li.xpath(".//a[contains(@href, 'digest/')]")) for li in items] == [1, 1, 1]


def test_nav_holds_archive_and_tag_index_only(built_site):
    for url in ("", "digest/2026-02-18/", "papers/2602.14662/"):
        doc = page(built_site.site, url)
        nav = doc.xpath(f'//nav[{has_class("md-nav--primary")}]')[0]
        targets = {resolve(url, a.get("href")) for a in nav.xpath(".//a[@href]")}
        assert {"archive/", "tags/"} <= targets, url
        assert not [t for t in targets if t.startswith(("digest/", "papers/")) or re.match(r"tags/.+/", t)], url


def test_generated_pages_are_not_written_into_docs(built_site):
    docs = built_site.root / "docs"
    assert sorted(str(p.relative_to(docs)) for p in docs.rglob("*")) == ["index.md"]


# ----------------------------------------------------------------------------- fetch during the build


def test_fetch_auto_fetches_the_latest_day_during_the_build(fake_api, tmp_path):
    run = build_site(tmp_path, digest_options(fake_api.url, fetch="auto", days=1, until="2026-02-18"))
    assert run.returncode == 0, run.output
    (request,) = arxiv_requests(fake_api)
    assert "submittedDate:[202602161900 TO 202602171900]" in request["params"]["search_query"]
    assert sorted(p.name for p in (tmp_path / "data" / "days").iterdir()) == ["2026-02-18.json"]
    assert sorted(p.name for p in (run.site / "digest").iterdir()) == ["2026-02-18"]
    cards, _ = day_page_ids(run.site, "2026-02-18")
    assert cards == newest_first(fixture_papers()["2026-02-18"])
    assert sorted(str(p.relative_to(tmp_path / "docs")) for p in (tmp_path / "docs").rglob("*")) == ["index.md"]


# ----------------------------------------------------------------------------- bad input


UNREACHABLE = dict(fetch="auto", days=1, until="2026-02-19")  # 2026-02-19 is not in the fixture store
CORRUPT = "2602.15733"


@pytest.fixture(scope="module")
def failure_builds(tmp_path_factory, fixture_store):
    """Builds from a copy of the fixture store with arXiv unreachable or a corrupt store file, run at once."""
    api = closed_port_url()
    roots = {}
    for name in ("lenient", "strict", "info", "corrupt"):
        roots[name] = tmp_path_factory.mktemp(name)
        copy_store(fixture_store, roots[name])
    (roots["corrupt"] / "data" / "papers" / f"{CORRUPT}.json").write_text('{"id": "2602.15733", "tit', "utf-8")
    before = snapshot(roots["lenient"] / "data")
    runs = build_many([
        (roots["lenient"], digest_options(api, **UNREACHABLE), {"strict": False}),
        (roots["strict"], digest_options(api, **UNREACHABLE), {"strict": True}),
        (roots["info"], digest_options(api, on_failure="info", **UNREACHABLE), {"strict": True}),
        (roots["corrupt"], digest_options(), {"strict": False}),
    ])
    return {"api": api, "before": before, **dict(zip(("lenient", "strict", "info", "corrupt"), runs))}


def test_unreachable_api_warns_and_builds_from_the_store(failure_builds):
    run, api = failure_builds["lenient"], failure_builds["api"]
    assert run.returncode == 0, run.output
    warnings = run.lines("WARNING")
    assert len(warnings) == 1, warnings
    assert api in warnings[0] and "2026-02-19" in warnings[0] and "refused" in warnings[0].lower()
    assert sorted(p.name for p in (run.site / "digest").iterdir()) == sorted(FIXTURE_DATES)
    assert snapshot(run.root / "data") == failure_builds["before"]


def test_unreachable_api_fails_a_strict_build(failure_builds):
    run = failure_builds["strict"]
    assert run.returncode != 0
    assert any(failure_builds["api"] in w for w in run.lines("WARNING"))


def test_on_failure_info_lets_a_strict_build_pass(failure_builds):
    run = failure_builds["info"]
    assert run.returncode == 0, run.output
    assert run.lines("WARNING") == []
    assert any(failure_builds["api"] in line and "2026-02-19" in line for line in run.lines("INFO"))


def test_corrupt_store_file_is_quarantined_and_the_rest_is_built(failure_builds):
    run = failure_builds["corrupt"]
    assert run.returncode == 0, run.output
    assert any(f"{CORRUPT}.json" in w and ".broken" in w for w in run.lines("WARNING"))
    data = run.root / "data"
    assert not (data / "papers" / f"{CORRUPT}.json").exists()
    moved = list((data / ".broken").glob(f"{CORRUPT}.json*"))
    assert len(moved) == 1 and moved[0].read_text("utf-8") == '{"id": "2602.15733", "tit'
    others = sorted(p.id for p in all_fixture_papers() if p.id != CORRUPT)
    assert sorted(p.name for p in (run.site / "papers").iterdir()) == others
    cards, _ = day_page_ids(run.site, "2026-02-18")
    assert cards == [i for i in newest_first(fixture_papers()["2026-02-18"]) if i != CORRUPT]
    for day in ("2026-01-26", "2026-02-06"):
        assert day_page_ids(run.site, day)[0] == newest_first(fixture_papers()[day])


INVALID = {
    "categories": ({"categories": ["cs cv"]}, "cs cv"),
    "max_papers": ({"max_papers": -1}, "-1"),
    "timezone": ({"timezone": "Mars/Base"}, "Mars/Base"),
    "fetch": ({"fetch": "sometimes"}, "sometimes"),
    "language": ({"language": "fr"}, "fr"),
    "delay_seconds": ({"arxiv": {"delay_seconds": "x"}}, "'x'"),
}


@pytest.fixture(scope="module")
def invalid_builds(tmp_path_factory):
    names = list(INVALID)
    runs = build_many([(tmp_path_factory.mktemp(f"invalid-{n}"), digest_options(**INVALID[n][0]), {})
                       for n in names])
    return dict(zip(names, runs))


@pytest.mark.parametrize("option", list(INVALID))
def test_invalid_option_fails_the_build_naming_it(invalid_builds, option):
    run = invalid_builds[option]
    assert run.returncode != 0
    errors = [line for line in run.lines("ERROR") if "arxiv-digest" in line]
    assert errors, run.output
    assert f"'{option}'" in errors[0] and INVALID[option][1] in errors[0]
    assert not (run.root / "site").exists()


SERVE_REBUILDS = r'''
import json, sys
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
import arxiv_digest.pages.site as site

made = []
real = site.Site.plan
site.Site.plan = lambda self: made.append(1) or real(self)
root = Path(sys.argv[1])
config = load_config(str(root / "mkdocs.yml"))
config.plugins.on_startup(command="serve", dirty=False)
out = []
for step in ("first", "page edited", "paper changed", "cache removed"):
    if step == "cache removed":
        import shutil
        shutil.rmtree(root / ".cache")
    if step == "page edited":
        (root / "docs" / "index.md").write_text("# Home\n\nEdited.\n", encoding="utf-8")
    if step == "paper changed":
        path = next((root / "data" / "papers").glob("*.json"))
        paper = json.loads(path.read_text(encoding="utf-8"))
        paper["title"] = "A changed title"
        path.write_text(json.dumps(paper), encoding="utf-8")
    config = load_config(str(root / "mkdocs.yml"))  # serve reloads the configuration on every rebuild
    build(config)
    pages = sorted(p.relative_to(root / "site").as_posix() for p in (root / "site").rglob("*.html"))
    changed = "A changed title" in (root / "site" / "papers" / f"{path.stem}" / "index.html").read_text("utf-8") \
        if step == "paper changed" else None
    out.append({"step": step, "made": len(made), "pages": len(pages), "changed": changed})
print(json.dumps(out))
'''


def test_serve_rebuild_keeps_generated_pages_until_the_store_changes(site_with_store):
    """Saving a hand-written page under ``mkdocs serve`` rebuilds the site; the generated pages are not made
    again unless the store (or options, templates, hooks) changed."""
    root = site_with_store()
    write_site(root, digest_options(fetch="never"))
    script = root / "rebuilds.py"
    script.write_text(SERVE_REBUILDS, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(root)], capture_output=True, text=True, env=_env(),
                          cwd=root, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    first, edited, changed, removed = json.loads(proc.stdout.strip().splitlines()[-1])
    assert first["made"] == 1 and edited["made"] == 1 and edited["pages"] == first["pages"]
    assert changed["made"] == 2 and changed["changed"] is True
    assert removed["made"] == 3 and removed["pages"] == first["pages"]  # generated files gone: made again
