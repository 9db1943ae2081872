"""Plain helpers of the arxiv-digest test suite: import them (``from support import ...``).

The pytest fixtures built on them live in tests/conftest.py (``fake_api``, ``fixture_store``,
``site_with_store``, ``built_site``); a conftest is never imported by name.

* ``REPO`` / ``SHARED``: this checkout, and ``shared/`` beside it (the test fixtures: arXiv
  feeds in ``ARXIV_FIXTURES``, legacy Markdown digests in ``DIGEST_FIXTURES``).
* ``fixture_papers()``: the papers of ``shared/fixtures/arxiv/*.xml``, parsed here with
  lxml (independently of the plugin), keyed by digest date.
* ``write_site`` / ``build_site`` / ``build_many``: a temporary MkDocs site (Material,
  ``language: zh``, plugins search, tags and arxiv-digest with given options) and
  ``mkdocs build`` in a subprocess.
* ``cli`` / ``run_cli``: the ``arxiv-digest`` command line in a subprocess.
* ``copy_store``: a copy of the ``fixture_store`` fixture's data dir into a site.
* ``parse_html`` / ``page`` / ``article`` / ``has_class``: the built HTML.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from lxml import etree
from lxml import html as lxml_html

if TYPE_CHECKING:
    from fake_arxiv import FakeArxiv

REPO = Path(__file__).resolve().parents[1]
# The fixtures sit in shared/ beside the checkout (here, in a git worktree, and in CI).
SHARED = REPO.parent / "shared"
ARXIV_FIXTURES = SHARED / "fixtures" / "arxiv"
DIGEST_FIXTURES = SHARED / "fixtures" / "digests"
FIXTURE_DATES = ("2026-01-26", "2026-02-06", "2026-02-18")
NS = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
UTC = timezone.utc
TIMEOUT = 180  # seconds for one subprocess; a hang fails the test instead of the run


# ----------------------------------------------------------------------------- fixture data


@dataclass(frozen=True)
class FixturePaper:
    id: str  # without version
    version: int
    title: str  # whitespace-normalised
    abstract: str  # whitespace-normalised
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    published: datetime
    abs_url: str
    pdf_url: str
    digest: str  # the fixture file (digest date) it comes from


def norm(text: str | None) -> str:
    return " ".join((text or "").split())


@lru_cache(maxsize=None)
def fixture_papers() -> dict[str, tuple[FixturePaper, ...]]:
    """Digest date → papers of that fixture file, in file order."""
    out: dict[str, tuple[FixturePaper, ...]] = {}
    for path in sorted(ARXIV_FIXTURES.glob("*.xml")):
        papers = []
        for entry in etree.parse(str(path)).getroot().iterfind("a:entry", NS):
            short = entry.findtext("a:id", namespaces=NS).rsplit("/abs/", 1)[1]
            pid, version = short.rsplit("v", 1)
            links = {ln.get("title") or ln.get("rel"): ln.get("href") for ln in entry.iterfind("a:link", NS)}
            papers.append(FixturePaper(
                id=pid, version=int(version),
                title=norm(entry.findtext("a:title", namespaces=NS)),
                abstract=norm(entry.findtext("a:summary", namespaces=NS)),
                authors=tuple(norm(a.findtext("a:name", namespaces=NS)) for a in entry.iterfind("a:author", NS)),
                categories=tuple(c.get("term") for c in entry.iterfind("a:category", NS)),
                published=datetime.strptime(entry.findtext("a:published", namespaces=NS),
                                            "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
                abs_url=links["alternate"], pdf_url=links["pdf"], digest=path.stem,
            ))
        out[path.stem] = tuple(papers)
    return out


def all_fixture_papers() -> list[FixturePaper]:
    return [p for papers in fixture_papers().values() for p in papers]


def newest_first(papers: Iterable[FixturePaper]) -> list[str]:
    return [p.id for p in sorted(papers, key=lambda p: (p.published, p.id), reverse=True)]


# ----------------------------------------------------------------------------- network


def closed_port_url() -> str:
    """An API URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/query"


def closed_html_url() -> str:
    """An ``arxiv.html_url`` where nothing listens: papers' figures are never fetched from the real arXiv."""
    return closed_port_url().replace("/api/query", "/html/{id}v{version}")


def arxiv_requests(fake: FakeArxiv) -> list[dict]:
    """The fake's recorded query requests."""
    return [r for r in fake.requests if r["path"] == "/api/query"]


# ----------------------------------------------------------------------------- sites and builds


def digest_options(api_url: str | None = None, **overrides: Any) -> dict[str, Any]:
    """Plugin options of a test site: cs.CV + cs.RO, no network unless ``api_url`` is given."""
    options: dict[str, Any] = {
        "categories": ["cs.CV", "cs.RO"],
        "fetch": "never",
        "arxiv": {"api_url": api_url or closed_port_url(), "html_url": closed_html_url(), "delay_seconds": 0},
    }
    arxiv_overrides = overrides.pop("arxiv", {})
    options.update(overrides)
    options["arxiv"] = {**options["arxiv"], **arxiv_overrides}
    return options


def write_site(root: Path, options: dict[str, Any] | None, *, plugins: Iterable[Any] = ("search", "tags"),
               extra: dict[str, Any] | None = None, index: str = "# Home\n\nWelcome.\n") -> Path:
    """Write ``root/mkdocs.yml`` and ``root/docs/index.md``; ``options=None`` leaves the plugin out."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text(index, encoding="utf-8")
    plugin_list = list(plugins) + ([{"arxiv-digest": options}] if options is not None else [])
    config = {"site_name": "Digest test", "theme": {"name": "material", "language": "zh"},
              "plugins": plugin_list, **(extra or {})}
    path = root / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Run:
    returncode: int
    output: str  # stdout + stderr
    root: Path

    @property
    def site(self) -> Path:
        return self.root / "site"

    def lines(self, level: str) -> list[str]:
        """Log lines of a level, e.g. ``WARNING`` (the level name starts the line)."""
        return [ln for ln in self.output.splitlines() if ln.lstrip().startswith(level)]


def search_pages(site: Path) -> dict[str, dict[str, Any]]:
    """What Pagefind indexed of a built site, every shard: page path (``papers/2602.06043/``) → its fragment
    (``content`` without Pagefind's zero-width word breaks, ``meta``)."""
    import gzip
    import json

    pages = {}
    for fragment in (site / "pagefind").glob("*/fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        data["content"] = data["content"].replace("\u200b", "")
        pages[data["url"].lstrip("/")] = data
    return pages


def offline_env() -> dict[str, str]:
    """The environment of a subprocess: no LLM key or fetch switch from the developer's shell (the offline
    analyzer stays in charge), no MkDocs 2 banner, UTF-8 output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ARXIV_DIGEST_"))}
    return {**env, "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"}


def build_site(root: Path, options: dict[str, Any] | None = None, *, strict: bool = True,
               write: bool = True, args: Iterable[str] = (), **site_kwargs: Any) -> Run:
    """(Write and) build a site with ``mkdocs build [ARGS]`` in a subprocess."""
    if write:
        write_site(root, options, **site_kwargs)
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), *args]
    cmd += ["--strict"] if strict else []
    proc = subprocess.run(cmd, cwd=root, env=offline_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, encoding="utf-8", errors="replace", timeout=TIMEOUT)
    return Run(proc.returncode, proc.stdout, root)


def build_many(jobs: list[tuple[Path, dict[str, Any] | None, dict[str, Any]]]) -> list[Run]:
    """Several ``build_site(root, options, **kwargs)`` at once (the sites must not share a store)."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = [pool.submit(build_site, root, options, **kwargs) for root, options, kwargs in jobs]
        return [f.result() for f in futures]


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None) -> CliRun:
    """``arxiv-digest ARGS...`` in a subprocess."""
    script = Path(sys.executable).with_name("arxiv-digest")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "arxiv_digest.cli"]
    proc = subprocess.run([*cmd, *args], cwd=cwd, env=offline_env(), capture_output=True,
                          text=True, encoding="utf-8", errors="replace", timeout=TIMEOUT)
    return CliRun(proc.returncode, proc.stdout, proc.stderr)


def cli(config_file: Path | str, *args: str, cwd: Path | None = None) -> CliRun:
    """``arxiv-digest -f CONFIG ARGS...`` in a subprocess."""
    return run_cli("-f", str(config_file), *args, cwd=cwd)


def fetch_dates_args(dates: Iterable[str] = FIXTURE_DATES) -> list[str]:
    return ["fetch", *[arg for d in dates for arg in ("--date", d)]]


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """relative path → (bytes, mtime_ns) of every file under ``directory``."""
    return {str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------------------- the shared store


@dataclass
class FixtureStore:
    data: Path  # template data dir: copy it (copy_store), never write into it
    fetch: CliRun  # the CLI run that filled it
    requests: list[dict]  # what the fake saw


def copy_store(store: FixtureStore, root: Path) -> Path:
    """``root/data``: a copy of the fixture store."""
    target = root / "data"
    shutil.copytree(store.data, target)  # keeps mtimes
    return target


# ----------------------------------------------------------------------------- HTML


def parse_html(path: Path) -> Any:
    return lxml_html.parse(str(path)).getroot()


def article(doc: Any) -> Any:
    """The page content (Material's ``article.md-content__inner``)."""
    found = doc.xpath('//article[contains(concat(" ", normalize-space(@class), " "), " md-content__inner ")]')
    assert found, "no Material content article in the page"
    return found[0]


def page(site: Path, url: str) -> Any:
    """Parsed HTML of a directory URL such as ``papers/2601.16982/``."""
    path = site / url / "index.html" if url.endswith("/") or not url else site / url
    assert path.is_file(), f"no page at {url}"
    return parse_html(path)


def has_class(cls: str) -> str:
    return f'contains(concat(" ", normalize-space(@class), " "), " {cls} ")'
