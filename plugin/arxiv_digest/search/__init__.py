"""Full-text search with Pagefind: the box in Material's header, what each page gives the index, and the
indexer run over ``site_dir`` at the end of every build (``mkdocs build`` and each ``serve`` rebuild).

Pagefind writes a chunked index: a search loads a small entry file, the wasm and the chunks of the words
typed, so what a reader downloads does not grow with the archive (Material's search loads one JSON index
of the whole site, 0.87 MB gzip at a year of digests).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger(__name__)

BUNDLE = "pagefind"  # the index's folder in site_dir
JS_URI = "assets/arxiv-digest/search.js"
MATERIAL_SEARCH = ("material/search", "search")
# Left out of the index: heading permalinks, cards (each repeats a paper page), trend charts, math as rendered.
EXCLUDE = ".headerlink, .ad-cards, .ad-trend, mjx-container"
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
    both would cost the build twice (jieba over every page for a Chinese site)."""
    plugin = material_search(config)
    if plugin is not None and plugin.config.enabled:
        plugin.config.enabled = False
        log.info("full-text search by Pagefind: Material's search plugin is turned off "
                 "(set `search: false` on arxiv-digest to keep it)")


def executable() -> Path:
    """The Pagefind binary: the extended build of ``pagefind[extended]`` (Chinese segmentation) first."""
    from pagefind.service import get_executable  # imported here: only builds with search need it

    found = get_executable()
    if found is None:
        raise PluginError("arxiv-digest: search needs the Pagefind binary: pip install 'pagefind[extended]' "
                          "(or set `search: false`)")
    return Path(found)


class SearchBox:
    """The header's search box (``templates/search.html``, overridable), rendered once per build."""

    def __init__(self, templates_dir: str | None, t: dict[str, str], templates: Path) -> None:
        dirs = [templates_dir] if templates_dir else []
        env = Environment(loader=FileSystemLoader([*dirs, str(templates)]), autoescape=select_autoescape(["html"]))
        self.html = env.get_template("search.html").render(t=t)

    def add(self, output: str, *, indexed: bool) -> str:
        """A page's HTML with the box in its header and, when ``indexed``, its article given to the index
        (a template that marked parts with ``data-pagefind-body`` itself, as the day page does, keeps them)."""
        if indexed and "data-pagefind-body" not in output:
            output = _ARTICLE.sub(r"\g<0> data-pagefind-body", output, count=1)
        if _HEADER_SOURCE in output:
            return output.replace(_HEADER_SOURCE, self.html + _HEADER_SOURCE, 1)
        return _HEADER_END.sub(lambda m: m.group(1) + self.html + m.group(2), output, count=1)


def is_indexed(page: Any) -> bool:
    """Whether a page goes into the index: not when its front matter says ``search: {exclude: true}`` (as the
    plugin's tag, archive and status pages do, and as Material's search reads it)."""
    search = page.meta.get("search") or {}
    return not (isinstance(search, dict) and search.get("exclude"))


def build_index(site_dir: str) -> None:
    """Index the built site into ``site_dir/pagefind`` (a failure stops the build: a site whose search box
    finds nothing must not be published)."""
    started = time.perf_counter()
    out = Path(site_dir) / BUNDLE
    shutil.rmtree(out, ignore_errors=True)  # chunks of a previous build would pile up
    command = [str(executable()), "--site", site_dir, "--output-subdir", BUNDLE, "--exclude-selectors", EXCLUDE]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise PluginError(f"arxiv-digest: Pagefind failed (exit {result.returncode}): "
                          f"{(result.stderr or result.stdout).strip()[-2000:]}")
    pages = re.search(r"Indexed (\d+) pages?", result.stdout)
    log.info("search: Pagefind indexed %s pages in %.1f s", pages.group(1) if pages else "?",
             time.perf_counter() - started)
