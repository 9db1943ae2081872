"""The store: one JSON file per featured paper and per digest day under ``data_dir``, and one per day for the
day's listed papers (``listed/<date>.json``: a few hundred compact records, not a file each). Days older than
``pack_after_days`` keep their papers, listed file and figures in one zip each (:mod:`.packs`), read as if loose.

Files are UTF-8, keys sorted, indented (diff-friendly, meant to be committed)
and written atomically. A file is only rewritten when its content changes, so
refetching a day leaves the tree untouched. A file that does not parse is moved
to ``.broken/`` and reported, never fatal. The records are typed in :mod:`.model`.
"""

from __future__ import annotations

from mkdocs.plugins import get_plugin_logger

import hashlib
import json
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from .arxiv.ids import file_stem
from .model import Day, Listed, Paper, Record
from .packs import Packs

log = get_plugin_logger(__name__)

SCHEMA = 1
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class StoreError(Exception):
    """A problem with the store that the site owner must fix."""


class StoreLocked(StoreError):
    """Another arxiv-digest run holds the store."""


def dumps(record: Record) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_atomic(path: Path, text: str | bytes, durable: bool = True) -> bool:
    """Write ``text`` (or bytes) to ``path`` through a temporary file + rename; False when unchanged.

    ``durable=False`` skips the fsync, for throw-away files (generated pages) that a crash may lose."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; store files are ordinary repository files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


class Store:
    """Papers and days under one ``data_dir``."""

    def __init__(self, root: str | Path, unpack_dir: Path | None = None) -> None:
        self.root = Path(root)
        self.papers_dir = self.root / "papers"
        self.days_dir = self.root / "days"
        self.figures_dir = self.root / "figures"
        self.listed_dir = self.root / "listed"
        self.packs = Packs(self.root)
        # Where packed figures are written out for the site to copy (cache_dir; a temporary folder without).
        self.unpack_dir = unpack_dir
        # path → (where it was read from, record, digest of its bytes)
        self._cache: dict[Path, tuple[tuple[str, int], Record, str]] = {}

    # -- locking ---------------------------------------------------------------

    @contextmanager
    def lock(self, timeout: float = 600) -> Iterator[None]:
        """Hold the store for writing; another run waits up to ``timeout`` seconds, then gives up."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._ignore_private_files()
        lock = FileLock(str(self.root / ".lock"))
        try:
            try:
                lock.acquire(timeout=0)
            except Timeout:
                log.info("waiting for %s: another arxiv-digest run holds the store", self.root / ".lock")
                lock.acquire(timeout=timeout)
        except Timeout:
            raise StoreLocked(f"{self.root} is in use by another arxiv-digest run (lock file {self.root / '.lock'}); "
                              "wait for it to finish") from None
        try:
            yield
        finally:
            lock.release()

    def _ignore_private_files(self) -> None:
        write_atomic(self.root / ".gitignore", "# written by arxiv-digest\n.lock\n.broken/\n*.tmp\n")

    # -- reading ---------------------------------------------------------------

    def _member(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _bytes(self, path: Path) -> tuple[tuple[str, int], bytes] | None:
        """A file's bytes and where they are from: the loose file, else its copy in a pack (also when the file
        is packed and removed between its stat and its read)."""
        try:
            return ("", path.stat().st_mtime_ns), path.read_bytes()
        except FileNotFoundError:
            pass
        stamp = self.packs.stamp(self._member(path))
        raw = None if stamp is None else self.packs.read(self._member(path))
        return None if raw is None else (stamp, raw)

    def _read(self, path: Path) -> Record | None:
        try:
            stamp = ("", path.stat().st_mtime_ns)
        except FileNotFoundError:
            stamp = self.packs.stamp(self._member(path))
        cached = self._cache.get(path)
        if cached and stamp is not None and cached[0] == stamp:
            return cached[1]
        if stamp is None:
            return None
        # A packed file is read from its pack; a loose one from disk, or its pack if packed since the stat.
        found = (stamp, self.packs.read(self._member(path))) if stamp[0] else self._bytes(path)
        if found is None or found[1] is None:
            return None
        stamp, raw = found
        try:
            record = json.loads(raw.decode("utf-8"))
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except (ValueError, UnicodeDecodeError) as error:
            if stamp[0]:
                log.warning("%s in pack %s does not parse (%s); left out", self._member(path), stamp[0], error)
            else:
                self._quarantine(path, error)
            return None
        self._cache[path] = (stamp, record, hashlib.blake2b(raw, digest_size=16).hexdigest())
        return record

    def digest(self, kind: str, name: str) -> str:
        """Hash of the ``kind`` ("papers" or "days") file of a paper id or date, as last read: equal digests,
        equal files. The file must have been read (:meth:`paper`, :meth:`day`) first."""
        folder = self.papers_dir if kind == "papers" else self.days_dir
        stem = file_stem(name) if kind == "papers" else name
        return self._cache[folder / f"{stem}.json"][2]

    def _quarantine(self, path: Path, error: Exception) -> None:
        broken = self.root / ".broken"
        broken.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        target = broken / f"{path.name}.{stamp}"
        os.replace(path, target)
        log.warning("store file %s does not parse (%s); moved it to %s and carried on",
                    path, error, target)

    def paper(self, paper_id: str) -> Paper | None:
        return self._read(self.papers_dir / f"{file_stem(paper_id)}.json")

    def day(self, digest_date: str) -> Day | None:
        return self._read(self.days_dir / f"{digest_date}.json")

    def listed(self, digest_date: str) -> Listed | None:
        """The listed papers of a day (None: the day lists none, or was stored before listing existed)."""
        return self._read(self.listed_dir / f"{digest_date}.json")

    def listed_digest(self, digest_date: str) -> str:
        """Hash of a day's listed file ("" when it has none), without parsing it: pages kept from the previous
        build never need its records."""
        found = self._bytes(self.listed_dir / f"{digest_date}.json")
        return hashlib.blake2b(found[1], digest_size=16).hexdigest() if found else ""

    def day_dates(self) -> list[str]:
        """Stored digest dates, newest first."""
        if not self.days_dir.is_dir():
            return []
        return sorted((p.stem for p in self.days_dir.glob("*.json") if DATE_RE.match(p.stem)), reverse=True)

    def days(self) -> list[Day]:
        """Stored days, newest first."""
        return [d for d in (self.day(date) for date in self.day_dates()) if d is not None]

    def papers(self) -> Iterator[Paper]:
        paths = set(self.papers_dir.glob("*.json")) if self.papers_dir.is_dir() else set()
        paths.update(self.root / member for member in self.packs.names("papers"))
        for path in sorted(paths):
            record = self._read(path)
            if record is not None:
                yield record

    def signature(self) -> tuple[tuple[str, int, int], ...]:
        """(name, mtime, size) of every paper, day, listed file and pack: equal signatures, equal store."""
        found = []
        for folder in (self.days_dir, self.papers_dir, self.listed_dir, self.packs.dir):
            if folder.is_dir():
                with os.scandir(folder) as entries:
                    found += [(f"{folder.name}/{e.name}", e.stat().st_mtime_ns, e.stat().st_size)
                              for e in entries if e.name.endswith((".json", ".zip"))]
        return tuple(sorted(found))

    # -- writing ---------------------------------------------------------------

    def _write(self, path: Path, data: str | bytes) -> bool:
        """Write a loose file, unless it is packed with these very bytes (a refetch of a packed day)."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if not path.exists() and self.packs.read(self._member(path)) == raw:
            return False
        return write_atomic(path, raw)

    def save_paper(self, record: Paper) -> bool:
        record = {**record, "schema": SCHEMA}
        return self._write(self.papers_dir / f"{file_stem(record['id'])}.json", dumps(record))

    def figure_path(self, paper_id: str) -> Path:
        """Where a paper's figure is stored (the only place a site serves it from), loose or packed."""
        return self.figures_dir / f"{file_stem(paper_id)}.webp"

    def figure_file(self, paper_id: str) -> Path | None:
        """A file holding the paper's stored figure: the loose one, or its packed copy written out to
        ``unpack_dir``, named by the pack's CRC and size of it, so each version is read and written once
        (a daily build finds a year's figures there); None without one."""
        path = self.figure_path(paper_id)
        if path.is_file():
            return path
        version = self.packs.version(self._member(path))
        if version is None:
            return None
        if self.unpack_dir is None:
            self.unpack_dir = Path(tempfile.mkdtemp(prefix="arxiv-digest-figures-"))
            weakref.finalize(self, shutil.rmtree, self.unpack_dir, True)
        out = self.unpack_dir / f"{path.stem}.{version}.webp"
        if not out.is_file():
            raw = self.packs.read(self._member(path))
            if raw is None:
                return None
            write_atomic(out, raw, durable=False)
        return out

    def save_figure(self, paper_id: str, webp: bytes) -> str:
        """Store a paper's figure; its path inside the store, as the paper record keeps it."""
        path = self.figure_path(paper_id)
        self._write(path, webp)
        return self._member(path)

    def save_day(self, record: Day) -> bool:
        return self._save_dated(self.days_dir, record)

    def save_listed(self, record: Listed) -> bool:
        return self._save_dated(self.listed_dir, record)

    def _save_dated(self, folder: Path, record: Day | Listed) -> bool:
        if not DATE_RE.match(record.get("date", "")):
            raise ValueError(f"not a digest date: {record.get('date')!r}")
        return self._write(folder / f"{record['date']}.json", dumps({**record, "schema": SCHEMA}))
