"""The search index in shards (search/shards.py): how pages are cut into shards by date, that each shard indexes
exactly its pages with the real Pagefind binary, and that a rebuild keeps the shards whose pages did not change.
What a reader's search does with the shards is checked in Chromium (tests/browser/test_search.py)."""

from __future__ import annotations

import gzip
import json
import shutil
from importlib.metadata import version
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from arxiv_digest.search import executable, shards

HTML = ('<html lang="en"><head><title>{title}</title></head><body><main data-pagefind-body>'
        '<h1>{title}</h1><p data-pagefind-meta="date:{date}">{words}</p></main></body></html>')


def page(path: str, date: str | None, size: int = 100) -> shards.IndexedPage:
    return shards.IndexedPage(path, date, size, path)


def test_shards_hold_whole_days_in_date_order_within_the_budget():
    pages = [page("c", "2026-01-03", 60), page("a1", "2026-01-01", 30), page("a2", "2026-01-01", 30),
             page("b", "2026-01-02", 30), page("big", "2026-01-04", 500), page("e", "2026-01-05", 10),
             page("home", None, 5)]
    planned = shards.plan(pages, budget=100)
    assert [sorted(s.pages) for s in planned] == [["a1", "a2", "b"], ["c"], ["big"], ["e", "home"]]
    assert [(s.first, s.last) for s in planned] == [("2026-01-01", "2026-01-02"), ("2026-01-03", "2026-01-03"),
                                                    ("2026-01-04", "2026-01-04"), ("2026-01-05", "2026-01-05")]


def test_a_site_without_dates_is_one_shard():
    planned = shards.plan([page("index.html", None), page("about/index.html", None)], budget=1)
    assert len(planned) == 1 and set(planned[0].pages) == {"index.html", "about/index.html"}
    assert shards.plan([], budget=1)[0].pages == {}


def test_the_date_comes_from_the_page_and_the_hash_from_its_html():
    one = shards.page("p/index.html", HTML.format(title="T", date="2026-02-18", words="x"))
    assert (one.date, one.size) == ("2026-02-18", len(HTML.format(title="T", date="2026-02-18", words="x")))
    assert shards.page("p/index.html", "<p data-pagefind-body>x</p>").date is None
    assert one.digest != shards.page("p/index.html", HTML.format(title="T", date="2026-02-18", words="y")).digest


def test_related_papers_and_the_stale_notice_do_not_change_a_pages_hash():
    def paper(related: str, notice: str) -> str:
        return HTML.format(title="T", date="2026-02-18", words=(
            f'<div class="admonition warning ad-stale"><p class="admonition-title">旧</p><p>{notice}</p></div>BODY'
            f'<section class="ad-cards ad-cards--related" data-search-exclude><article>{related}</article></section>'))
    one = shards.page("p/index.html", paper("2602.00001", "最新一期是 2026-02-18"))
    assert one.digest == shards.page("p/index.html", paper("2602.00002", "最新一期是 2026-02-19")).digest
    edited = paper("2602.00001", "最新一期是 2026-02-18").replace("BODY", "EDITED")  # what the index holds
    assert one.digest != shards.page("p/index.html", edited).digest


def test_a_shard_knows_the_range_of_arxiv_ids_of_its_paper_pages_and_listed_papers():
    listed = '<section data-pagefind-body><h3 id="1001.00002">A</h3><h3 id="0912.9999">B</h3></section>'
    day = shards.page("digest/2010-01-04/index.html", HTML.format(title="d", date="2010-01-04", words=listed))
    paper = shards.page("papers/1001.00001/index.html", HTML.format(title="p", date="2010-01-04", words="x"))
    later = shards.page("papers/1001.12345/index.html", HTML.format(title="q", date="2010-01-05", words="x"))
    assert (day.ids, paper.ids) == (("1001.00002", "0912.9999"), ("1001.00001",))
    first, second = shards.plan([day, paper, later], budget=day.size + paper.size)
    assert first.ids == ["0912.9999", "1001.00002"] and second.ids == ["1001.12345", "1001.12345"]
    assert shards.plan([page("about/index.html", None)])[0].ids == []


def write_site(site: Path, days: dict[str, list[str]]) -> list[shards.IndexedPage]:
    """A site of one page per name, each with its own word, dated by its day; paths with glob characters."""
    pages = []
    for date, names in days.items():
        for name in names:
            html = HTML.format(title=name, date=date, words=f"word{name.replace(',', '').replace('{', '')} common")
            path = site / f"papers/{name}/index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html)
            pages.append(shards.page(path.relative_to(site).as_posix(), html))
    return pages


def indexed(site: Path) -> dict[str, set[str]]:
    """Shard folder → the pages its fragments hold."""
    found: dict[str, set[str]] = {}
    for fragment in (site / "pagefind").glob("*/fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        found.setdefault(fragment.parent.parent.name, set()).add(data["url"].strip("/"))
    return found


def build(site: Path, pages: list[shards.IndexedPage], budget: int, cache: Path | None = None) -> None:
    shards.build(str(site), pages, executable(), version("pagefind"), budget, cache)


def test_each_shard_indexes_exactly_its_pages_and_the_manifest_lists_them_newest_first(tmp_path):
    days = {"2026-01-01": ["a,1", "a{2}"], "2026-01-02": ["b[1]"], "2026-01-03": ["c*1", "c 2"]}
    pages = write_site(tmp_path, days)
    day_size = max(p.size for p in pages) * 2
    build(tmp_path, pages, budget=day_size)  # two pages a shard: a day each
    assert indexed(tmp_path) == {"0": {"papers/a,1", "papers/a{2}"}, "1": {"papers/b[1]"},
                                 "2": {"papers/c*1", "papers/c 2"}}
    manifest = json.loads((tmp_path / "pagefind" / "shards.json").read_text())["shards"]
    assert manifest == [{"path": "2/", "from": "2026-01-03", "to": "2026-01-03", "ids": None, "pages": 2},
                        {"path": "1/", "from": "2026-01-02", "to": "2026-01-02", "ids": None, "pages": 1},
                        {"path": "0/", "from": "2026-01-01", "to": "2026-01-01", "ids": None, "pages": 2}]
    for shard in ("0", "1", "2"):  # what search.js loads is there; Pagefind's own UIs are not
        names = {p.name for p in (tmp_path / "pagefind" / shard).iterdir()}
        assert {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json"} <= names
        assert not [n for n in names if n.startswith("pagefind-ui") or "component-ui" in n]


def test_a_rebuild_takes_the_unchanged_shards_from_the_cache_and_indexes_the_others(tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    pages = write_site(site, {"2026-01-01": ["a"], "2026-01-02": ["b"], "2026-01-03": ["c"]})
    budget = max(p.size for p in pages) + 1  # a page a shard
    (site / "pagefind").mkdir()
    (site / "pagefind" / "pagefind.js").write_text("// the single index of an earlier version")
    build(site, pages, budget, cache)
    assert not (site / "pagefind" / "pagefind.js").exists()
    assert indexed(site) == {"0": {"papers/a"}, "1": {"papers/b"}, "2": {"papers/c"}}
    made = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(made) == 3 and all((cache / name / ".done").is_file() for name in made)

    shutil.rmtree(site / "pagefind")  # MkDocs empties site_dir before each build
    build(site, pages, budget, cache)  # nothing changed: every shard from the cache
    assert indexed(site) == {"0": {"papers/a"}, "1": {"papers/b"}, "2": {"papers/c"}}
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == made
    assert not list((site / "pagefind").rglob(".done"))

    shutil.rmtree(site / "pagefind")
    pages += write_site(site, {"2026-01-03": ["c2"]})  # a page more on the newest day
    build(site, pages, budget * 2, cache)  # and shards of two pages: 0 = a, b; 1 = c, c2
    assert indexed(site) == {"0": {"papers/a", "papers/b"}, "1": {"papers/c", "papers/c2"}}
    assert len(list(cache.iterdir())) == 2  # the three shards of the last build, gone with their pages


def test_a_shard_cut_short_in_the_cache_is_made_again(tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    pages = write_site(site, {"2026-01-01": ["a"]})
    build(site, pages, 10**6, cache)
    (folder,) = cache.iterdir()
    (folder / ".done").unlink()  # a build killed while Pagefind wrote the shard
    for fragment in folder.glob("fragment/*"):
        fragment.unlink()
    shutil.rmtree(site / "pagefind")
    build(site, pages, 10**6, cache)
    assert indexed(site) == {"0": {"papers/a"}}


def test_pagefind_failing_stops_the_build_with_its_message(tmp_path):
    ghost = [page("papers/none/index.html", "2026-01-01")]  # a page that is not there: nothing to index
    with pytest.raises(PluginError, match="Pagefind failed .*not able to build an index"):
        build(tmp_path, ghost, budget=1000)
