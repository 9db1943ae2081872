"""What generated pages are made from, hashed: the one place the pages' cache keys are computed, and the
format of the cache files kept in ``cache_dir`` between builds (page keys, related papers)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..store import write_atomic

if TYPE_CHECKING:  # the options module reads the page kinds, which hash their keys here
    from ..config import DigestConfig
    from ..store import Store

PACKAGE = Path(__file__).parents[1]

# src_uri → (key or None, make): make() renders the page; key() hashes what it shows (see Site.plan).
Plan = dict[str, tuple[Callable[[], str] | None, Callable[[], str]]]


def hash_key(*parts: Any) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=16).hexdigest()


def fingerprint(config: DigestConfig, use_directory_urls: bool, files: list[str]) -> str:
    """Hash of what generated pages are made from besides the store: the options, the plugin's code and
    templates, the site's templates and ``files`` (hook modules), the files by mtime and size."""
    paths = [Path(name) for name in files] + sorted(p for p in PACKAGE.rglob("*")
                                                    if p.is_file() and "__pycache__" not in p.parts)
    if config.templates_dir:
        paths += sorted(p for p in Path(config.templates_dir).rglob("*") if p.is_file())
    stamps = []
    for path in paths:
        try:
            stat = path.stat()
            stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append((str(path), None, None))
    return hash_key(repr(config), use_directory_urls, *stamps)


def inputs(store: Store, config: DigestConfig, use_directory_urls: bool, files: list[str], feeds: bool = False) -> tuple:
    """What the generated pages are made from: the store, :func:`fingerprint` and whether feeds are written.

    ``mkdocs serve`` rebuilds the whole site when a hand-written page is saved; with the same inputs
    the generated pages are the same, so they are kept instead of made again.
    """
    return store.signature(), fingerprint(config, use_directory_urls, files), feeds


def read_cache(path: Path | None, key: str, field: str) -> Any:
    """The ``field`` dict of a cache file written for ``key``; None when absent, stale or unreadable."""
    try:
        cached = json.loads(path.read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        return None
    if not isinstance(cached, dict) or cached.get("key") != key or not isinstance(cached.get(field), dict):
        return None
    return cached[field]


def write_cache(path: Path, key: str, field: str, value: dict[str, Any]) -> None:
    """Keep ``value`` for :func:`read_cache` with the same ``key`` (a cache file may be lost: not durable)."""
    write_atomic(path, json.dumps({"key": key, field: value}), durable=False)
