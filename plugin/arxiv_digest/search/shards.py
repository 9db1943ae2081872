"""The index in shards: the indexed pages cut by digest date into runs of at most :data:`SHARD_BYTES` of HTML,
each indexed by its own Pagefind process into ``pagefind/<n>/``, and ``pagefind/shards.json`` listing them
newest first for ``search.js``.

Why shards: Pagefind holds a whole index in memory while it writes it (about 0.8 GB per 1,000 analyzed paper
pages, github.com/Pagefind/pagefind/issues/842), and a word's index chunk holds its every position on every
page, so one index of a long archive costs the indexer gigabytes and a reader's first search hundreds of
kilobytes more each year. A shard bounds both: each Pagefind run (one per core) holds one shard, and a search
loads the newest shard and goes back shard by shard (Pagefind's ``mergeIndex``, which shares the first shard's wasm)
only until it has a page of results or has searched three shards (``assets/arxiv-digest-search.js``).

Shards are cut from the oldest day on, so a new day only changes the newest shard; a shard whose pages are
unchanged since an earlier build is taken from the plugin's cache_dir instead of being indexed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from ..arxiv.ids import NEW_ID

log = get_plugin_logger(__name__)

BUNDLE = "pagefind"  # the index's folder in site_dir
MANIFEST = "shards.json"
SHARD_BYTES = 12_000_000  # the default of the option search_shard_mb
# Left out of the index: heading permalinks, cards (each repeats a paper page), trend charts, the stale notice,
# math as MathJax rendered it, and the TeX source kept beside MathML (excerpts would show it as text).
EXCLUDE = [".headerlink", ".ad-cards", ".ad-trend", ".ad-stale", "mjx-container", "annotation"]
# What of the above changes from one day to the next on old pages (their related papers, the stale notice): left
# out of the hash that decides whether a shard is indexed again, or a new day would make every shard anew.
_VOLATILE = re.compile(r'<section class="ad-cards[^"]*"[^>]*>.*?</section>'
                       r'|<div class="admonition [^"]*\bad-stale\b[^"]*">.*?</div>', re.S)
# Pagefind's own UIs, which it writes into every shard too: search.js does not use them.
_UNUSED_UI = re.compile(r"^pagefind-(ui|modular-ui|component-ui|highlight)\.")
_DATE = re.compile(r'data-pagefind-meta="date:(\d{4}-\d{2}-\d{2})"')
# The arXiv ids a page is found by: a folder of its path (a paper page) and headings' ids (a day's listed papers).
_PATH_ID = re.compile(rf"(?:^|/)({NEW_ID})/")
_ANCHOR_ID = re.compile(rf'<h\d[^>]* id="({NEW_ID})"')
_GLOB_SPECIAL = re.compile(r"([\\*?$:<>\[\](){},!])")
_DONE = ".done"  # in a cached shard: Pagefind finished writing it


@dataclass
class Shard:
    """The pages of one shard (paths relative to site_dir, their content's hash) and the days they cover."""

    pages: dict[str, str] = field(default_factory=dict)
    first: str | None = None
    last: str | None = None
    size: int = 0
    ids: list[str] = field(default_factory=list)  # the lowest and the highest arXiv id, once there is one

    def fingerprint(self, version: str) -> str:
        lines = [version, *EXCLUDE, *(f"{path} {digest}" for path, digest in sorted(self.pages.items()))]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@dataclass
class IndexedPage:
    path: str
    date: str | None
    size: int
    digest: str
    ids: tuple[str, ...] = ()


def page(path: str, output: str) -> IndexedPage:
    """What the index needs of a page given to it: its digest date (the ``date`` meta its results show;
    pages without one go in the newest shard), its size, a hash of its HTML and the arXiv ids it is found by."""
    found = _DATE.search(output)
    digest = hashlib.blake2b(_VOLATILE.sub("", output).encode()).hexdigest()
    ids = (*_PATH_ID.findall(path), *_ANCHOR_ID.findall(output))
    return IndexedPage(path, found.group(1) if found else None, len(output.encode()), digest, ids)


def _id_key(arxiv_id: str) -> tuple[int, int]:
    month, number = arxiv_id.split(".")
    return int(month), int(number)  # 2611.01687 < 2611.1234 as numbers, not as text


def plan(pages: list[IndexedPage], budget: int = SHARD_BYTES) -> list[Shard]:
    """Shards oldest first: whole days in date order, a new shard when the next day would pass ``budget``
    (a day larger than the budget is a shard of its own); undated pages join the newest shard."""
    days: dict[str, list[IndexedPage]] = {}
    undated = []
    for p in pages:
        (days.setdefault(p.date, []) if p.date else undated).append(p)
    shards: list[Shard] = []
    for date in sorted(days):
        size = sum(p.size for p in days[date])
        if not shards or (shards[-1].size and shards[-1].size + size > budget):
            shards.append(Shard(first=date))
        shard = shards[-1]
        shard.last, shard.size = date, shard.size + size
        shard.pages.update((p.path, p.digest) for p in days[date])
        ids = [*shard.ids, *(i for p in days[date] for i in p.ids)]
        if ids:
            shard.ids = [min(ids, key=_id_key), max(ids, key=_id_key)]
    if not shards:
        shards.append(Shard())
    shards[-1].pages.update((p.path, p.digest) for p in undated)
    return shards


def glob(paths: list[str]) -> str:
    """Pagefind's ``glob`` (wax syntax) matching exactly these files."""
    return "{" + ",".join(_GLOB_SPECIAL.sub(r"\\\1", path) for path in sorted(paths)) + "}"


def build(site_dir: str, pages: list[IndexedPage], executable: Path, version: str, budget: int = SHARD_BYTES,
          cache: Path | None = None) -> None:
    """Index ``pages`` of the built site into ``site_dir/pagefind``, shard by shard. With a ``cache`` folder
    (kept between builds, as MkDocs empties site_dir), a shard whose pages are the same as in an earlier build
    is taken from it instead of being indexed again. A failure stops the build: a site whose search box finds
    nothing must not be published."""
    started = time.perf_counter()
    out = Path(site_dir) / BUNDLE
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    shards = plan(pages, budget)
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    # Each shard's folder: in the cache when there is one (made now unless a finished one is there), else in
    # site_dir. Pagefind runs one at a time per core: a run keeps about one core busy, and holds one shard.
    folders = [cache / shard.fingerprint(version) if cache else out / str(n) for n, shard in enumerate(shards)]
    todo = [(shard, folder) for shard, folder in zip(shards, folders) if not (cache and (folder / _DONE).is_file())]
    with ThreadPoolExecutor(max_workers=max(1, min(len(todo), os.cpu_count() or 1))) as pool:
        list(pool.map(lambda job: _make(site_dir, *job, executable, done=cache is not None), todo))  # raises
    entries = []
    for number, (shard, folder) in enumerate(zip(shards, folders)):
        if cache:
            _place(folder, out / str(number))
        entries.append({"path": f"{number}/", "from": shard.first, "to": shard.last, "ids": shard.ids or None,
                        "pages": len(shard.pages)})
    (out / MANIFEST).write_text(json.dumps({"shards": entries[::-1]}, ensure_ascii=False))
    if cache:  # shards no build will ask for again
        used = {folder.name for folder in folders}
        for stale in cache.iterdir():
            if stale.name not in used:
                shutil.rmtree(stale, ignore_errors=True)
    log.info("search: %d pages in %d Pagefind shards (%d indexed, %d kept) in %.1f s", len(pages), len(shards),
             len(todo), len(shards) - len(todo), time.perf_counter() - started)


def _make(site_dir: str, shard: Shard, folder: Path, executable: Path, done: bool) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    _index(site_dir, folder, list(shard.pages), executable)
    if done:
        (folder / _DONE).touch()  # last: a cached folder without it was cut short and is made again


def _place(kept: Path, folder: Path) -> None:
    """A kept shard into site_dir: hard links (nothing copied), or a copy across file systems."""
    try:
        shutil.copytree(kept, folder, copy_function=os.link, ignore=shutil.ignore_patterns(_DONE))
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(kept, folder, ignore=shutil.ignore_patterns(_DONE))


def _index(site_dir: str, folder: Path, paths: list[str], executable: Path) -> None:
    """One Pagefind run over ``paths``; its options go in a config file (a shard's glob can be longer than a
    command line may be)."""
    with tempfile.TemporaryDirectory(prefix="arxiv-digest-pagefind-") as work:
        options = {"site": str(Path(site_dir).resolve()), "output_path": str(folder.resolve()),
                   "glob": glob(paths), "exclude_selectors": EXCLUDE}
        Path(work, "pagefind.json").write_text(json.dumps(options))
        result = subprocess.run([str(executable)], cwd=work, capture_output=True, text=True)
    if result.returncode != 0:
        raise PluginError(f"arxiv-digest: Pagefind failed (exit {result.returncode}): "
                          f"{(result.stderr or result.stdout).strip()[-2000:]}")
    for file in folder.iterdir():
        if _UNUSED_UI.match(file.name):
            file.unlink()
