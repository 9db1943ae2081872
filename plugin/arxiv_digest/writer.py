"""Writing the generated pages to files: a page unchanged since the last build is kept, the others are
rendered, in a second process when one can run beside the build.

MkDocs converts pages one at a time in one process, about 25 ms a page; rendering one takes under 2 ms.
With ``background``, a forked child renders the pages in the order MkDocs reads them and reports each one
written through a pipe; the build waits only for a page MkDocs reaches first (:meth:`Pages.wait`, from
``on_page_read_source``). The child only saves time: when it fails or dies, the build renders what is left
itself, which also raises any error where a build without it would.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from .site import hash_key, read_cache
from .store import write_atomic

Plan = dict[str, tuple[str | None, Callable[[], str]]]  # src_uri → (key or None, make the page's Markdown)


class Pages:
    """The generated pages of one build: where each is (``paths``) and which are still being written."""

    def __init__(self, plan: Plan, folder: Path, keys_file: Path | None, salt: str) -> None:
        self.paths: dict[str, Path] = {}
        self.keys: dict[str, list] = {}  # src_uri → [salted key, size, mtime], for the next build
        self.todo: list[tuple[str, Path, str | None, Callable[[], str]]] = []  # the pages to render, in order
        self._position: dict[str, int] = {}
        known = read_cache(keys_file, salt, "pages") or {}
        for src_uri, (key, make) in plan.items():
            self.paths[src_uri] = path = folder / src_uri
            if key is not None:
                key = hash_key(salt, key)
                kept = known.get(src_uri)
                if isinstance(kept, list) and kept[:1] == [key] and kept[1:] == _stamp(path):
                    self.keys[src_uri] = kept
                    continue
            self._position[src_uri] = len(self.todo)
            self.todo.append((src_uri, path, key, make))
        self._done = 0  # todo[:_done] are written
        self.forked = False  # rendered by a child process
        self._child: int | None = None
        self._pipe: int | None = None
        self._keys_file, self._salt = keys_file, salt
        self._finished = False

    def start(self, background: bool) -> None:
        if not (background and self.todo and self._fork()):
            self.finish()

    def wait(self, src_uri: str) -> None:
        """Return once the page of ``src_uri`` is written."""
        position = self._position.get(src_uri)
        if position is not None:
            self._advance(position + 1)

    def finish(self) -> None:
        """Write every page, then the keys the next build compares with."""
        if self._finished:
            return
        self._advance(len(self.todo))
        self._finished = True
        for src_uri, path, key, _ in self.todo:
            if key is not None:
                self.keys[src_uri] = [key, *_stamp(path)]
        if self._keys_file:
            write_atomic(self._keys_file, json.dumps({"key": self._salt, "pages": self.keys}), durable=False)

    def close(self) -> None:
        """Stop the child of a build that ends early (an error elsewhere)."""
        if self._child is not None:
            os.kill(self._child, signal.SIGTERM)
            self._reap()

    def _fork(self) -> bool:
        # fork() copies only the calling thread: with others running (serve, tests' servers), render here.
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return False
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            status = 1
            try:
                gc.freeze()  # a collection would touch every inherited object and copy its memory
                for _, path, _, make in self.todo:
                    write_atomic(path, make(), durable=False)
                    os.write(write, b".")  # one byte per page, after the file is in place
                status = 0
            finally:
                os._exit(status)  # no atexit handlers or buffered output of the parent's
        os.close(write)
        self._child, self._pipe, self.forked = pid, read, True
        return True

    def _advance(self, count: int) -> None:
        """Make sure the first ``count`` pages of ``todo`` are written."""
        while self._done < count and self._child is not None:
            written = os.read(self._pipe, 65536)
            if not written:  # the child ended: finished, or stopped at a page that is rendered below
                self._reap()
            self._done += len(written)
        while self._done < count:
            _, path, _, make = self.todo[self._done]
            write_atomic(path, make(), durable=False)
            self._done += 1

    def _reap(self) -> None:
        os.close(self._pipe)
        os.waitpid(self._child, 0)
        self._child = self._pipe = None


def write_pages(plan: Plan, folder: Path, keys_file: Path | None, salt: str, background: bool = False) -> Pages:
    """Write the pages of :meth:`Site.plan` under ``folder``.

    With ``keys_file`` (where the keys of the last build's pages are kept), a page whose key, salted with
    :func:`fingerprint`, and file are those of the last build is kept without being rendered again.
    Unchanged pages are not rewritten either way, so ``serve --dirty`` skips them. With ``background`` the
    pages are rendered by a child process: :meth:`Pages.wait` before reading one, :meth:`Pages.finish` at the end.
    """
    pages = Pages(plan, folder, keys_file, salt)
    pages.start(background)
    return pages


def _stamp(path: Path) -> list[int]:
    """Size and whole-second mtime of a page file (archivers such as the cache of GitHub Actions may drop
    fractions of a second)."""
    try:
        stat = path.stat()
    except OSError:
        return []
    return [stat.st_size, int(stat.st_mtime)]
