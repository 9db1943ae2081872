"""Packed days: a digest day older than ``pack_after_days`` keeps its papers' files, its listed file and its
figures in one zip, ``packs/<date>.zip``, instead of 40-odd loose files (a whole category's year: 500 files,
not 10,000).

A member is the loose file it replaces, byte for byte, under the same path (``papers/2611.00001.json``,
``listed/2026-11-02.json``, ``figures/2611.00001.webp``), so a record's digest, and every page made from it,
is the same packed or loose. As in git's packfiles, writes always go to loose files, a loose file wins over
its packed copy, and the next packing folds it in. A pack is written whole (temporary file, fsync, rename)
before the loose files it took are removed: a run killed at any moment leaves each file loose, packed, or
both with the same bytes.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.plugins import get_plugin_logger

from .arxiv.ids import file_stem

if TYPE_CHECKING:
    from .store import Store

log = get_plugin_logger(__name__)

EPOCH = (1980, 1, 1, 0, 0, 0)  # every member's time: the same files make the same bytes


class Packs:
    """The packs under a store's root, read by member (a loose file's path relative to the root)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / "packs"
        self._index: dict[str, Path] = {}  # member → its pack
        self._index_stamp: int | None = None
        self._open: tuple[Path, int, zipfile.ZipFile] | None = None  # reads come a day at a time

    def _members(self) -> dict[str, Path]:
        try:
            stamp = self.dir.stat().st_mtime_ns  # a pack written, replaced or removed changes it
        except FileNotFoundError:
            return {}
        if stamp != self._index_stamp:
            index = {}
            for path in sorted(self.dir.glob("*.zip")):
                try:
                    with zipfile.ZipFile(path) as pack:
                        index.update(dict.fromkeys(pack.namelist(), path))
                except (OSError, zipfile.BadZipFile) as error:
                    log.warning("pack %s does not open (%s); its papers are missing until it is restored from "
                                "git", path, error)
            self._index, self._index_stamp = index, stamp
        return self._index

    def names(self, folder: str) -> list[str]:
        """Members in ``folder`` (``papers``), by path."""
        return sorted(m for m in self._members() if m.startswith(folder + "/"))

    def stamp(self, member: str) -> tuple[str, int] | None:
        """What identifies this version of ``member`` (its pack and the pack's mtime), or None: not packed."""
        path = self._members().get(member)
        if path is None:
            return None
        try:
            return str(path), path.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def _zip(self, path: Path) -> zipfile.ZipFile:
        mtime = path.stat().st_mtime_ns
        if self._open is None or self._open[:2] != (path, mtime):
            self.close()
            self._open = (path, mtime, zipfile.ZipFile(path))
        return self._open[2]

    def read(self, member: str) -> bytes | None:
        path = self._members().get(member)
        if path is None:
            return None
        try:
            return self._zip(path).read(member)
        except (OSError, KeyError, zipfile.BadZipFile) as error:
            log.warning("%s in pack %s does not read (%s)", member, path, error)
            return None

    def version(self, member: str) -> str | None:
        """CRC-32 and size of a member, from its pack's directory (nothing read); None: not packed."""
        path = self._members().get(member)
        try:
            info = self._zip(path).getinfo(member) if path else None
        except (OSError, KeyError, zipfile.BadZipFile):
            return None
        return f"{info.CRC:08x}{info.file_size:x}" if info else None

    def close(self) -> None:
        if self._open is not None:
            self._open[2].close()
            self._open = None

    def add(self, day: str, files: dict[str, bytes]) -> bool:
        """Put ``files`` (member → bytes) into the pack of ``day``; False when it already held them as they are."""
        path = self.dir / f"{day}.zip"
        old: dict[str, bytes] = {}
        if path.is_file():
            with zipfile.ZipFile(path) as pack:
                old = {name: pack.read(name) for name in pack.namelist()}
        merged = {**old, **files}
        if merged == old:
            return False
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=self.dir)
        try:
            with os.fdopen(fd, "wb") as handle:
                with zipfile.ZipFile(handle, "w") as pack:
                    for name in sorted(merged):
                        info = zipfile.ZipInfo(name, EPOCH)
                        info.external_attr = 0o644 << 16
                        # WebP is compressed already; JSON shrinks to about a quarter.
                        info.compress_type = zipfile.ZIP_STORED if name.endswith(".webp") else zipfile.ZIP_DEFLATED
                        pack.writestr(info, merged[name])
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.close()
        return True


def pack_days(store: Store, after_days: int) -> list[str]:
    """Pack the loose files of every day more than ``after_days`` days older than the newest stored day
    (oldest first: a paper of two days goes with the first). The dates packed; none with ``after_days`` 0.

    Only files a day names are packed: its featured papers' records and figures, its listed file. Others (a
    paper dropped to listed, a record no day names) stay loose."""
    dates = store.day_dates()
    if not after_days or not dates:
        return []
    cutoff = (date.fromisoformat(dates[0]) - timedelta(days=after_days)).isoformat()
    owner: dict[str, str] = {}  # a featured paper's file stem → the first day naming it
    for day in sorted(dates):
        for pid in (store.day(day) or {}).get("papers", []):
            owner.setdefault(file_stem(pid), day)
    loose: dict[str, dict[str, Path]] = {}
    for folder, suffix in ((store.papers_dir, ".json"), (store.figures_dir, ".webp"), (store.listed_dir, ".json")):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.suffix != suffix:
                continue
            day = path.stem if folder == store.listed_dir else owner.get(path.stem)
            if day is not None and day < cutoff:
                loose.setdefault(day, {})[path.relative_to(store.root).as_posix()] = path
    packed = []
    for day, files in sorted(loose.items()):
        try:
            store.packs.add(day, {member: path.read_bytes() for member, path in files.items()})
        except (OSError, zipfile.BadZipFile) as error:  # a full disk, a damaged pack: the files stay loose
            log.warning("day %s not packed (%s); its files stay loose", day, error)
            continue
        for path in files.values():  # only once the pack holding them is on disk
            path.unlink()
        packed.append(day)
    return packed
