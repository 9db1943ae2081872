"""Full-text search with Pagefind: the box in Material's header, what each page gives the index, and the
indexer run over ``site_dir`` at the end of every build (``mkdocs build`` and each ``serve`` rebuild).

Pagefind writes a chunked index: a search loads a small entry file, the wasm and the chunks of the words
typed (Material's search loads one JSON index of the whole site, 0.87 MB gzip at a year of digests). The
index is cut in shards by date (:mod:`.shards`), so that neither the indexer's memory nor a first search grows
with the archive.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from . import shards

log = get_plugin_logger(__name__)

JS_URI = "assets/arxiv-digest/search.js"
MATERIAL_SEARCH = ("material/search", "search")
# Material's article element: what a page gives the index unless its template marked parts itself.
_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset"')
# Where Material puts its own search box: before the repository link, else at the end of the header bar.
_HEADER_SOURCE = '<div class="md-header__source">'
_HEADER_END = re.compile(r'(<nav class="md-header__inner[^>]*>.*?)(</nav>)', re.S)


def material_search(config: MkDocsConfig) -> Any:
    """Material's search plugin of the site, or None."""
    return next((config.plugins[name] for name in MATERIAL_SEARCH if name in config.plugins), None)


def replace_material_search(config: MkDocsConfig) -> None:
    """Turn Material's own search off: its index of the whole site is what Pagefind replaces, and building
    both would cost the build twice (jieba over every page for a Chinese site). Its ``search.*`` features go
    too: ``search.highlight`` makes every page fetch Material's index, which is no longer there."""
    plugin = material_search(config)
    if plugin is not None and plugin.config.enabled:
        plugin.config.enabled = False
        log.info("full-text search by Pagefind: Material's search plugin is turned off "
                 "(set `search: false` on arxiv-digest to keep it)")
    features = config.theme.get("features") or []
    if any(str(f).startswith("search.") for f in features):
        config.theme["features"] = [f for f in features if not str(f).startswith("search.")]


def executable() -> Path:
    """The Pagefind binary: the extended build of ``pagefind[extended]`` (Chinese segmentation) first."""
    from pagefind.service import get_executable  # imported here: only builds with search need it

    found = get_executable()
    if found is None:
        raise PluginError("arxiv-digest: search needs the Pagefind binary: pip install 'pagefind[extended]' "
                          "(or set `search: false`)")
    return Path(found)


class SearchBox:
    """The header's search box (``templates/search.html``, overridable), rendered once per build, and the pages
    given to the index in this build."""

    def __init__(self, templates_dir: str | None, t: dict[str, str], templates: Path, *,
                 shard_bytes: int = shards.SHARD_BYTES) -> None:
        dirs = [templates_dir] if templates_dir else []
        env = Environment(loader=FileSystemLoader([*dirs, str(templates)]), autoescape=select_autoescape(["html"]))
        self.html = env.get_template("search.html").render(t=t)
        self.pages: list[shards.IndexedPage] = []
        self.shard_bytes = shard_bytes

    def add(self, output: str, *, indexed: bool, path: str | None = None) -> str:
        """A page's HTML with the box in its header and, when ``indexed``, its article given to the index
        (a template that marked parts with ``data-pagefind-body`` itself, as the day page does, keeps them).
        ``path``: the page's file in site_dir, recorded for the index when the page is indexed and has parts
        to index."""
        if indexed and "data-pagefind-body" not in output:
            output = _ARTICLE.sub(r"\g<0> data-pagefind-body", output, count=1)
        if _HEADER_SOURCE in output:
            output = output.replace(_HEADER_SOURCE, self.html + _HEADER_SOURCE, 1)
        else:
            output = _HEADER_END.sub(lambda m: m.group(1) + self.html + m.group(2), output, count=1)
        if indexed and path is not None and "data-pagefind-body" in output:  # front matter's exclude wins
            self.pages.append(shards.page(path, output))
        return output

    def build_index(self, site_dir: str, cache: Path) -> None:
        """Index this build's pages into ``site_dir/pagefind``, shards of earlier builds kept in ``cache``
        (:func:`.shards.build`)."""
        shards.build(site_dir, self.pages, executable(), version("pagefind"), self.shard_bytes, cache)


def is_indexed(page: Any) -> bool:
    """Whether a page goes into the index: not when its front matter says ``search: {exclude: true}`` (as the
    plugin's tag, archive and status pages do, and as Material's search reads it)."""
    search = page.meta.get("search") or {}
    return not (isinstance(search, dict) and search.get("exclude"))
