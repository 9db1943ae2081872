"""Search in the built site (issue 16): the plugin indexes it with Pagefind as part of ``mkdocs build``, puts
one search box in every page's header and turns Material's own search off; ``search: false`` keeps Material's.
What readers find by typing is checked in Chromium (tests/browser/test_search.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from support import build_site, digest_options, search_pages

BOX = 'class="md-search ad-search"'


def html_pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if "pagefind" not in p.parts]


def test_a_build_indexes_the_site_with_pagefind_and_turns_material_search_off(built_site):
    site = built_site.site
    manifest = json.loads((site / "pagefind" / "shards.json").read_text())
    assert [s["path"] for s in manifest["shards"]] == ["0/"]  # a small site is one shard
    assert (site / "pagefind" / "0" / "pagefind.js").is_file()
    assert (site / "pagefind" / "0" / "pagefind-entry.json").is_file()
    assert not (site / "search" / "search_index.json").exists()
    assert any("Pagefind shards" in line for line in built_site.lines("INFO"))
    pages = html_pages(site)
    assert len(pages) > 30
    for path in pages:
        text = path.read_text("utf-8")
        assert text.count(BOX) == 1, path  # 404.html too
        assert 'data-md-component="search"' not in text, path
    indexed = search_pages(site)
    assert {url for url in indexed if url.startswith("papers/")} == \
        {f"{p.parent.relative_to(site)}/" for p in (site / "papers").glob("*/index.html")}


def test_search_false_keeps_materials_search(site_with_store):
    run = build_site(site_with_store(), digest_options(fetch="never", search=False))
    assert run.returncode == 0, run.output
    assert (run.site / "search" / "search_index.json").is_file()
    assert not (run.site / "pagefind").exists()
    home = (run.site / "index.html").read_text("utf-8")
    assert BOX not in home and 'data-md-component="search"' in home


def test_search_is_built_with_no_search_plugin_listed(site_with_store):
    run = build_site(site_with_store(), digest_options(fetch="never"), plugins=["tags"])
    assert run.returncode == 0, run.output
    assert search_pages(run.site) and BOX in (run.site / "index.html").read_text("utf-8")


def test_materials_search_features_go_with_its_search(site_with_store):
    theme = {"name": "material", "language": "zh", "features": ["navigation.tabs", "search.highlight", "search.suggest"]}
    run = build_site(site_with_store(), digest_options(fetch="never"), extra={"theme": theme})
    assert run.returncode == 0, run.output
    config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>',
                                  (run.site / "index.html").read_text("utf-8"), re.S).group(1))
    assert config["features"] == ["navigation.tabs"]  # search.highlight would fetch the absent search index
