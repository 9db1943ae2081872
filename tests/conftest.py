"""Fixtures of the arxiv-digest test suite; the plain helpers they use are in tests/support.py.

* ``fake_api``: a running :class:`fake_arxiv.FakeArxiv` (fresh per test).
* ``fixture_store`` (session): a data dir filled once by
  ``arxiv-digest fetch --date`` of the three fixture days; ``site_with_store`` copies it
  into a fresh site; ``built_site`` (session) is that site built with ``fetch: never``.

Test modules import helpers by module name (``support``, ``fake_arxiv``, ``fake_openai``,
``llm_support``, ``reliability_support``, ``browser_support``): their directories are put on
``sys.path`` here, whatever pytest's import mode, before any test module is imported.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
for helpers in (TESTS / "browser", TESTS / "reliability", TESTS):  # TESTS ends up first
    if str(helpers) not in sys.path:
        sys.path.insert(0, str(helpers))

from fake_arxiv import FakeArxiv  # noqa: E402
from support import FixtureStore, Run, arxiv_requests, build_site, cli, copy_store, digest_options, \
    fetch_dates_args, write_site  # noqa: E402


@pytest.fixture
def fake_api():
    with FakeArxiv() as fake:
        yield fake


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory) -> FixtureStore:
    """The three fixture days fetched once through the CLI from the fake API."""
    root = tmp_path_factory.mktemp("store-template")
    with FakeArxiv() as fake:
        config = write_site(root, digest_options(fake.url))
        run = cli(config, *fetch_dates_args())
        seen = arxiv_requests(fake)
    assert run.returncode == 0, run.stdout + run.stderr
    return FixtureStore(root / "data", run, seen)


@pytest.fixture
def site_with_store(tmp_path, fixture_store):
    """Factory: a fresh site dir (``tmp_path/name``) holding a copy of the fixture store."""
    def make(name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir()
        copy_store(fixture_store, root)
        return root
    return make


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, fixture_store) -> Run:
    """The fixture store built with ``fetch: never`` and ``--strict``."""
    root = tmp_path_factory.mktemp("built")
    copy_store(fixture_store, root)
    run = build_site(root, digest_options(fetch="never"))
    assert run.returncode == 0, run.output
    return run
