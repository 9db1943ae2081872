"""Writing the generated pages to files: a page unchanged since the last build is kept, the others are
rendered, in a second process when one can run beside the build.

MkDocs converts pages one at a time in one process, about 25 ms a page; rendering one takes under 2 ms.
With ``background``, a forked child goes through the pages in the order MkDocs reads them (computing what
they need first, such as related papers) and reports each one in place through a pipe; the build waits
only for a page MkDocs reaches first (:meth:`Pages.wait`, from ``on_page_read_source``). The child only
saves time: when it fails or dies, the build does what is left itself, which also raises any error where
a build without it would.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from .cache import Plan, hash_key, read_cache, write_cache
from ..store import write_atomic

log = get_plugin_logger(__name__)

RENDERED, KEPT = b"r", b"k"  # what the child reports for each page, in plan order


class Pages:
    """The generated pages of one build: where each is (``paths``) and which are in place yet."""

    def __init__(self, plan: Plan, folder: Path, keys_file: Path | None, salt: str) -> None:
        self.paths: dict[str, Path] = {src_uri: folder / src_uri for src_uri in plan}
        self.rendered = 0  # pages rendered (the others were kept from the last build)
        self.forked = False  # gone through by a child process
        self._plan = list(plan.items())
        self._position = {src_uri: i for i, src_uri in enumerate(plan)}
        self._keys_file, self._salt = keys_file, salt
        self._done = 0  # the first _done pages of the plan are in place
        self._child: int | None = None
        self._pipe: int | None = None
        self._complete = False  # every page is in place and the keys are written
        self._steps: Iterator[bool] | None = None

    def start(self, background: bool) -> None:
        if not (background and self._fork()):
            self.finish()

    def wait(self, src_uri: str) -> None:
        """Return once the page of ``src_uri`` is in place."""
        position = self._position.get(src_uri)
        if position is not None:
            self._advance(position + 1)

    def finish(self) -> None:
        """Put every page in place and write the keys the next build compares with."""
        self._advance(len(self._plan))
        while self._child is not None:  # it writes the keys after the last page
            self._read()
        if not self._complete:
            for rendered in self._here():
                self.rendered += rendered
            self._completed()

    def close(self) -> None:
        """Stop the child of a build that ends early (an error elsewhere)."""
        if self._child is not None:
            os.kill(self._child, signal.SIGTERM)
            self._reap()

    def _go(self, start: int) -> Iterator[bool]:
        """Keep or render each page from ``start`` on (True: rendered), then write the keys. The pages before
        ``start`` are in place already: only their keys are taken."""
        known = read_cache(self._keys_file, self._salt, "pages") or {}
        keys: dict[str, list] = {}
        for position, (src_uri, (key, make)) in enumerate(self._plan):
            path = self.paths[src_uri]
            salted = hash_key(self._salt, key()) if key else None
            kept = known.get(src_uri)
            if position < start or salted and isinstance(kept, list) and kept[:1] == [salted] \
                    and kept[1:] == _stamp(path):
                rendered = False
            else:
                write_atomic(path, _render(src_uri, make), durable=False)
                rendered = True
            if salted:
                keys[src_uri] = [salted, *_stamp(path)]
            if position >= start:
                yield rendered
        if self._keys_file:
            write_cache(self._keys_file, self._salt, "pages", keys)

    def _fork(self) -> bool:
        # fork() copies only the calling thread: with others running (serve, tests' servers), work here.
        if not self._plan or not hasattr(os, "fork") or threading.active_count() > 1:
            return False
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            status = 1
            try:
                gc.freeze()  # a collection would touch every inherited object and copy its memory
                for rendered in self._go(0):
                    os.write(write, RENDERED if rendered else KEPT)  # after the page is in place
                status = 0  # and the keys are written
            finally:
                os._exit(status)  # no atexit handlers or buffered output of the parent's
        os.close(write)
        self._child, self._pipe, self.forked = pid, read, True
        return True

    def _advance(self, count: int) -> None:
        """Make sure the first ``count`` pages of the plan are in place."""
        while self._done < count and self._child is not None:
            self._read()
        while self._done < count:  # the child stopped at a page that fails, or was killed: go on from there
            self.rendered += next(self._here())
            self._done += 1

    def _read(self) -> None:
        reported = os.read(self._pipe, 65536)
        self._done += len(reported)
        self.rendered += reported.count(RENDERED)
        if not reported and self._reap() == 0:  # it went through every page and wrote the keys
            self._completed()

    def _completed(self) -> None:
        self._complete = True
        log.debug("%d of %d generated pages rendered%s, the others kept from the last build", self.rendered,
                  len(self._plan), " by a background process" if self.forked else "")

    def _here(self) -> Iterator[bool]:
        """:meth:`_go` in this process, from the first page not in place."""
        if self._steps is None:
            self._steps = self._go(self._done)
        return self._steps

    def _reap(self) -> int:
        """Wait for the child to end; its exit status."""
        os.close(self._pipe)
        _, status = os.waitpid(self._child, 0)
        self._child = self._pipe = None
        return os.waitstatus_to_exitcode(status)


def write_pages(plan: Plan, folder: Path, keys_file: Path | None, salt: str, background: bool = False) -> Pages:
    """Put the pages of :meth:`Site.plan` in place under ``folder``.

    With ``keys_file`` (where the keys of the last build's pages are kept), a page whose key, salted with
    :func:`fingerprint`, and file are those of the last build is kept without being rendered again.
    Unchanged pages are not rewritten either way, so ``serve --dirty`` skips them. With ``background`` a
    child process does it: :meth:`Pages.wait` before reading a page, :meth:`Pages.finish` at the end.
    """
    pages = Pages(plan, folder, keys_file, salt)
    pages.start(background)
    return pages


def _render(src_uri: str, make: Callable[[], str]) -> str:
    try:
        return make()
    except Exception as error:
        # Name the page and, for a template of the site's (templates_dir), the file and line at fault.
        where = [f"{frame.filename}, line {frame.lineno}" for frame in traceback.extract_tb(error.__traceback__)
                 if not frame.filename.endswith(".py")][-1:]
        raise PluginError(f"arxiv-digest: cannot make {src_uri}: {type(error).__name__}: {error}"
                          + "".join(f" ({place})" for place in where)) from error


def _stamp(path: Path) -> list[int]:
    """Size and whole-second mtime of a page file (archivers such as the cache of GitHub Actions may drop
    fractions of a second)."""
    try:
        stat = path.stat()
    except OSError:
        return []
    return [stat.st_size, int(stat.st_mtime)]
