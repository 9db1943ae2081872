"""The plugin's own page generation, without MkDocs and in one process: ``Site()`` (store → paper views,
trends) and making every page of ``Site.plan()`` (related papers and the Markdown of every generated page),
on a synthetic store.
During ``mkdocs build`` the second step runs in the background writer, beside MkDocs.

Usage (from the repository root)::

    python benchmarks/pages.py --days 260 --papers 10 --runs 3

Prints the first and the median of ``--runs`` of each step: the first run reads the JSON store and
computes related papers; later runs reuse the parsed files and the related papers kept in the cache
folder, as rebuilds do.

Then the daily case, in a fresh store object as a new build process has: the pages of the store without
its newest day are written with their keys (``cache: true``), the newest day comes back, and the next
build's ``Site()`` + ``write_pages`` is timed, with the number of pages it rendered.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from stores import add_store_options, synthetic_store

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_store_options(parser)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    store_dir = synthetic_store(args)

    sys.path.insert(0, str(HERE.parent / "plugin"))
    from arxiv_digest.config import DigestConfig
    from arxiv_digest.pages.cache import fingerprint
    from arxiv_digest.pages.site import Site
    from arxiv_digest.pages.writer import write_pages
    from arxiv_digest.store import Store

    config = DigestConfig()
    config.load_dict({"fetch": "never"})
    failed, _ = config.validate()
    assert not failed, failed
    store = Store(store_dir)
    (args.work / "cache" / "related.json").unlink(missing_ok=True)  # the first run computes related papers
    loads, renders, count = [], [], 0
    for _ in range(args.runs):
        start = time.perf_counter()
        site = Site(store, config, use_directory_urls=True, cache_dir=args.work / "cache")
        built = time.perf_counter()
        count = len([make() for _, make in site.plan().values()])
        loads.append(built - start)
        renders.append(time.perf_counter() - built)
    print(f"store: {args.days} days x {args.papers} papers ({store_dir})")
    print(f"Site():       first {loads[0]:.2f} s, median {statistics.median(loads):.2f} s")
    print(f"pages:        first {renders[0]:.2f} s, median {statistics.median(renders):.2f} s ({count} pages)")

    cache = args.work / "daily-cache"
    shutil.rmtree(cache, ignore_errors=True)
    newest = max((store_dir / "days").glob("*.json"))
    held = args.work / newest.name
    salt = fingerprint(config, True, [])

    def build() -> tuple[float, int]:
        start = time.perf_counter()
        site = Site(Store(store_dir), config, use_directory_urls=True, cache_dir=cache)
        made = []
        plan = {uri: (key, lambda make=make: made.append(1) or make()) for uri, (key, make) in site.plan().items()}
        write_pages(plan, cache / "pages", site.cache_file("pages.json"), salt)
        return time.perf_counter() - start, len(made)

    shutil.move(newest, held)
    try:
        yesterday, _ = build()
    finally:
        shutil.move(held, newest)
    today, made = build()
    print(f"daily:        {today:.2f} s for Site() and writing the pages with the newest day added, "
          f"{made} of {count} pages rendered (the day before, from an empty cache: {yesterday:.2f} s)")


if __name__ == "__main__":
    main()
