"""Fixtures of the browser tests: the sites built once per session and served, Chromium, its pages.

What they build and watch is described in browser_support.py, which holds the helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from browser_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DAYS, REPO, Site, SiteServer, Visit, copy_example, \
    make_bad_links, make_hostile, make_variant, mkdocs_build, new_visit


# ----------------------------------------------------------------------------- the sites


@dataclass
class _Pending:
    root: Path
    out: Path
    server: SiteServer
    future: Future


@pytest.fixture(scope="session")
def _builds(tmp_path_factory) -> Iterator[dict[str, _Pending]]:
    """Start every build at once; each site fixture waits for its own."""
    base = tmp_path_factory.mktemp("browser-sites")
    roots = {"example": REPO,
             "variant": copy_example(base / "variant-src", DAYS),
             "hostile": copy_example(base / "hostile-src"),
             "bad_links": copy_example(base / "bad-links-src")}
    make_variant(roots["variant"])
    make_hostile(roots["hostile"])
    make_bad_links(roots["bad_links"])
    pending: dict[str, _Pending] = {}
    with ThreadPoolExecutor(max_workers=len(roots)) as pool:
        for name, root in roots.items():
            out = base / f"{name}-site"
            server = SiteServer(out)  # bound first: the build gets its real URL as site_url
            pending[name] = _Pending(root, out, server, pool.submit(mkdocs_build, root, out, server.url))
        yield pending
        for item in pending.values():
            item.server.close()


def _site_fixture(name: str):
    """The session fixture ``<name>_site`` (see browser_support.py for what each site holds)."""
    @pytest.fixture(scope="session", name=f"{name}_site")
    def built(_builds) -> Site:
        """The site built and served; its tests fail with the build log if it did not build."""
        item = _builds[name]
        proc = item.future.result()
        if proc.returncode != 0:
            pytest.fail(f"mkdocs build --strict of the {name} site failed ({item.root}):\n{proc.stdout[-6000:]}")
        return Site(name, item.root, item.out, item.server.url, proc.stdout)
    return built


example_site = _site_fixture("example")
variant_site = _site_fixture("variant")
hostile_site = _site_fixture("hostile")
bad_links_site = _site_fixture("bad_links")


# ----------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser) -> Iterator[Callable[..., Visit]]:
    """Factory: ``open_page(viewport=..., color_scheme=..., **context_options)`` → a watched Visit."""
    contexts = []

    def make(**options: Any) -> Visit:
        context, visit = new_visit(browser, **options)
        contexts.append(context)
        return visit

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def visited(browser, example_site) -> Iterator[Callable[..., Visit]]:
    """``visited(path, site=example_site)``: the page opened once per session (until the network
    is idle) and kept open, so several tests judge it without loading it again. For checks that
    only read the page; a test that types, clicks or scrolls opens its own with ``open_page``."""
    cache: dict[str, Visit] = {}
    contexts = []

    def get(path: str, site: Site | None = None) -> Visit:
        url = (site or example_site).at(path)
        if url not in cache:
            context, visit = new_visit(browser)
            contexts.append(context)
            visit.goto(url)
            cache[url] = visit
        return cache[url]

    yield get
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
