"""Generated pages written by a background process (``mkdocs build``) or in the build's own process: the
same files either way, each in place before MkDocs reads it, and nothing lost when the process fails."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from arxiv_digest.pages import writer
from arxiv_digest.pages.render import TEMPLATES
from arxiv_digest.pages.writer import write_pages
from support import build_site, digest_options, snapshot

PAGES = [f"papers/{n:02d}.md" for n in range(40)]
KEYED: list[int] = []  # pages whose key was computed in this process


def plan(fail_at: int | None = None, die_at: int | None = None) -> dict:
    """Pages whose text names the process that rendered them. ``fail_at``: that page raises wherever it is
    rendered; ``die_at``: the background process is killed at that page."""
    parent = os.getpid()
    KEYED.clear()

    def make(n: int) -> str:
        if n == fail_at:
            raise ValueError(f"template error in page {n}")
        if n == die_at and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return f"page {n} by {'parent' if os.getpid() == parent else f'child {os.getpid()}'}\n"

    return {uri: (lambda n=n: KEYED.append(n) or f"key {n}", lambda n=n: make(n)) for n, uri in enumerate(PAGES)}


@pytest.fixture
def no_other_threads(monkeypatch):
    """The suite's fake servers run in threads of this process; a build has none."""
    monkeypatch.setattr(writer.threading, "active_count", lambda: 1)


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_each_page_is_in_place_when_waited_for(tmp_path, no_other_threads):
    pages = write_pages(plan(), tmp_path / "pages", tmp_path / "pages.json", "salt", background=True)
    assert pages.forked
    for uri in reversed(PAGES):  # the last first: waits for the child to get there
        pages.wait(uri)
        assert re.fullmatch(rf"page {PAGES.index(uri)} by child \d+\n", text(pages.paths[uri]))
    pages.finish()
    keys = json.loads(text(tmp_path / "pages.json"))["pages"]
    assert sorted(keys) == PAGES and pages.rendered == len(PAGES)
    assert KEYED == []  # the keys too are computed by the child (a paper's needs the related papers)

    # The next build keeps every page: the child finds them unchanged.
    before = snapshot(tmp_path)
    again = write_pages(plan(), tmp_path / "pages", tmp_path / "pages.json", "salt", background=True)
    again.finish()
    assert again.forked and again.rendered == 0 and snapshot(tmp_path) == before


def test_background_and_in_process_write_the_same_files(tmp_path, no_other_threads):
    write_pages(plan(), tmp_path / "a" / "pages", tmp_path / "a" / "pages.json", "salt", background=True).finish()
    write_pages(plan(), tmp_path / "b" / "pages", tmp_path / "b" / "pages.json", "salt").finish()
    assert KEYED == list(range(len(PAGES)))
    child = {k: re.sub(rb"child \d+", b"x", v[0]) for k, v in snapshot(tmp_path / "a" / "pages").items()}
    here = {k: v[0].replace(b"parent", b"x") for k, v in snapshot(tmp_path / "b" / "pages").items()}
    assert child == here and len(child) == len(PAGES)
    keys = [{uri: key for uri, (key, *_) in json.loads(text(tmp_path / x / "pages.json"))["pages"].items()}
            for x in "ab"]
    assert keys[0] == keys[1] and len(keys[0]) == len(PAGES)


def test_a_page_that_fails_raises_in_the_build_at_that_page(tmp_path, no_other_threads):
    pages = write_pages(plan(fail_at=7), tmp_path / "pages", tmp_path / "pages.json", "salt", background=True)
    pages.wait(PAGES[6])
    assert text(pages.paths[PAGES[6]]).startswith("page 6 by child ")
    with pytest.raises(PluginError, match="cannot make papers/07.md: ValueError: template error in page 7"):
        pages.wait(PAGES[7])
    assert not pages.paths[PAGES[7]].exists()


def test_a_killed_background_process_loses_nothing(tmp_path, no_other_threads):
    pages = write_pages(plan(die_at=12), tmp_path / "pages", tmp_path / "pages.json", "salt", background=True)
    pages.finish()
    written = [text(pages.paths[uri]) for uri in PAGES]
    child = int(written[0].split()[-1])
    assert written[:12] == [f"page {n} by child {child}\n" for n in range(12)]
    assert written[12:] == [f"page {n} by parent\n" for n in range(12, 40)]
    assert sorted(json.loads(text(tmp_path / "pages.json"))["pages"]) == PAGES
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped: no zombie left


def test_with_other_threads_running_pages_are_rendered_in_process(tmp_path, monkeypatch):
    monkeypatch.setattr(writer.threading, "active_count", lambda: 2)
    pages = write_pages(plan(), tmp_path / "pages", None, "salt", background=True)
    assert not pages.forked and all(text(p).endswith("by parent\n") for p in pages.paths.values())


def test_close_stops_the_background_process(tmp_path, no_other_threads):
    slow = {uri: (None, lambda: time.sleep(0.05) or "x\n") for uri in PAGES}
    pages = write_pages(slow, tmp_path / "pages", None, "salt", background=True)
    child = pages._child
    pages.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)
    assert len(list((tmp_path / "pages").rglob("*.md"))) < len(PAGES)


def built_html(root: Path) -> dict[str, bytes]:
    """The site's HTML but the status page (its build time), then a clean slate for the next build."""
    html = {k: v[0] for k, v in snapshot(root / "site").items() if k.endswith(".html") and k != "status/index.html"}
    for folder in (root / "site", root / ".cache"):
        shutil.rmtree(folder)
    return html


def test_mkdocs_build_renders_in_the_background_and_matches_a_build_without(site_with_store):
    """``mkdocs build`` forks the writer; ``--dirty`` (which compares page files' times before reading them)
    and ``background: false`` render in process. Same HTML either way."""
    root = site_with_store()
    background = build_site(root, digest_options(), args=["--verbose"])
    assert background.returncode == 0, background.output
    assert re.search(r"(\d+) of \1 generated pages rendered by a background process", background.output)
    first = built_html(root)
    assert any(k.startswith("papers/") for k in first)

    here = build_site(root, digest_options(), args=["--verbose", "--dirty"], strict=False)
    assert here.returncode == 0 and [w for w in here.lines("WARNING") if "'dirty' build" not in w] == []
    assert re.search(r"(\d+) of \1 generated pages rendered, the others", here.output)
    assert built_html(root) == first

    off = build_site(root, digest_options(background=False), args=["--verbose"])
    assert off.returncode == 0 and re.search(r"(\d+) of \1 generated pages rendered, the others", off.output)
    assert built_html(root) == first


@pytest.mark.parametrize("background", [True, False])
def test_a_broken_template_of_the_site_stops_the_build_naming_page_and_line(site_with_store, background):
    root = site_with_store()
    overrides = root / "overrides"
    overrides.mkdir()
    paper = (TEMPLATES / "paper.md").read_text(encoding="utf-8")
    (overrides / "paper.md").write_text(paper.replace("{% if p.related %}", "{{ p.venue }}\n{% if p.related %}"),
                                        encoding="utf-8")
    line = paper.splitlines().index("{% if p.related %}") + 1
    run = build_site(root, digest_options(templates_dir="overrides", background=background))
    assert run.returncode != 0
    error = re.search(r"ERROR\s+-\s+arxiv-digest: cannot make (papers/\S+\.md): UndefinedError: .*'venue'.*"
                      rf"\(\S*overrides/paper\.md, line {line}\)", run.output)
    assert error, run.output[-3000:]
    assert not (root / "site" / error.group(1).replace(".md", "/index.html")).exists()
