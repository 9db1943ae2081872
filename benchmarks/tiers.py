"""Whole categories (issue 18): store growth and day page size with two tiers per day.

Usage (from the repository root)::

    python benchmarks/tiers.py                          # a year: 250 days × (20 featured + 230 listed)
    python benchmarks/tiers.py --days 20 --page-days 3  # quicker

(a) store: ``benchmarks/synth.py --days D --papers F --listed L`` (kept under ``--work`` between runs): its
    size in bytes and files, by folder, against the issue's target of ≤ 300 MB and ≤ 5,000 files a year:
    as synthesized (JSON only), then with a figure for every featured paper at the largest size the plugin
    stores (``MAX_BYTES``, 40 KB: the worst case), then with the days older than ``pack_after_days`` (30,
    the default) packed the way ``arxiv-digest fetch`` and every fetching build pack them;
(b) day page: ``mkdocs build`` (the build benchmark's site: Material, zh, Pagefind search, tags) of the
    newest ``--page-days`` days of the same store, and the size of each day page's HTML against ≤ 600 KB;
    the size of the listed section and the Pagefind index of the day pages besides.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from build import child_env, write_plugin_site  # noqa: E402
from stores import add_store_options, synthetic_store  # noqa: E402

from arxiv_digest.config import DigestConfig  # noqa: E402


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else []
    return sum(p.stat().st_size for p in files), len(files)


def store_table(store: Path, title: str) -> list[str]:
    out = []
    total_bytes = total_files = 0
    for sub in ("days", "papers", "listed", "figures", "packs"):
        size, files = folder_size(store / sub)
        total_bytes += size
        total_files += files
        if files:
            out.append(f"| {title}: {sub}/ | {size / 1e6:.1f} MB in {files} files |")
    out.append(f"| {title}: **total** | **{total_bytes / 1e6:.1f} MB in {total_files} files** "
               "(target ≤ 300 MB, ≤ 5,000 files) |")
    return out


def store_figures(store: Path, work: Path, pack_after_days: int) -> list[str]:
    """The store as synthesized, with worst-case figures, and packed."""
    from arxiv_digest.arxiv.figure import MAX_BYTES
    from arxiv_digest.packs import pack_days
    from arxiv_digest.store import Store

    out = store_table(store, "JSON only")
    copy = work / f"{store.name}-figures-packed"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy)
    target = Store(copy)
    rng = random.Random(1)
    for day in target.days():
        for pid in day["papers"]:
            paper = target.paper(pid)
            file = target.save_figure(pid, rng.randbytes(MAX_BYTES))  # WebP does not compress further either
            target.save_paper({**paper, "figure": {"file": file, "caption": "Figure 1: overview of the method.",
                                                   "width": 480, "height": 270, "checked": "2026-11-20T00:00:00+00:00"}})
    out += store_table(copy, "with figures (40 KB each)")
    start = time.perf_counter()
    packed = pack_days(Store(copy), pack_after_days)
    seconds = time.perf_counter() - start
    out += store_table(copy, f"packed ({len(packed)} days older than {pack_after_days} days, {seconds:.1f} s)")
    return out


def page_figures(store: Path, days: int, work: Path) -> list[str]:
    """Build the newest ``days`` days of ``store`` and measure their day pages."""
    site = work / f"tiers-site-{days}"
    shutil.rmtree(site, ignore_errors=True)
    data = site / "data"
    for sub in ("days", "listed"):
        (data / sub).mkdir(parents=True)
    (data / "papers").mkdir()
    newest = sorted(p.stem for p in (store / "days").glob("*.json"))[-days:]
    for date in newest:
        shutil.copy(store / "days" / f"{date}.json", data / "days")
        if (store / "listed" / f"{date}.json").exists():
            shutil.copy(store / "listed" / f"{date}.json", data / "listed")
        for pid in json.loads((store / "days" / f"{date}.json").read_text(encoding="utf-8"))["papers"]:
            shutil.copy(store / "papers" / f"{pid}.json", data / "papers")
    max_papers = max(len(json.loads((data / "days" / f"{d}.json").read_text())["papers"]) for d in newest)
    write_plugin_site(site, extra=f"      search: true\n      figures: false\n      until: {newest[-1]}\n")
    config = (site / "mkdocs.yml").read_text(encoding="utf-8").replace("max_papers: 10", f"max_papers: {max_papers}")
    config = config.replace("data_dir: ../data", "data_dir: data")
    (site / "mkdocs.yml").write_text(config, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=site, env=child_env(),
                          capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(proc.stdout + proc.stderr)
    sizes, listed = [], []
    for date in newest:
        html = (site / "site" / "digest" / date / "index.html").read_text(encoding="utf-8")
        sizes.append(len(html.encode()))
        found = re.search(r'<section class="ad-listed".*?</section>', html, re.S)
        listed.append(len(found.group(0).encode()) if found else 0)
        entries = html.count('class="ad-listed__entry"')
    index = sum(p.stat().st_size for p in (site / "site" / "pagefind").rglob("*") if p.is_file())
    return [f"| day page HTML | median {statistics.median(sizes) / 1e3:.0f} KB, max {max(sizes) / 1e3:.0f} KB "
            f"(target ≤ 600 KB; {max_papers} featured + {entries} listed) |",
            f"| of which the listed section | median {statistics.median(listed) / 1e3:.0f} KB |",
            f"| Pagefind index ({days} days) | {index / 1e6:.1f} MB |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_store_options(parser, work="/tmp/arxiv-digest-tiers")
    parser.set_defaults(days=250, papers=20, listed=230)
    parser.add_argument("--page-days", type=int, default=3, help="newest days built for the day page figures")
    parser.add_argument("--pack-after-days", type=int, default=DigestConfig.pack_after_days.default,
                        help="the option of that name (default: its default)")
    args = parser.parse_args()
    store = synthetic_store(args)
    print("| figure | value |\n|---|---|")
    print(f"| store | {args.days} days × ({args.papers} featured + {args.listed} listed) |")
    for line in store_figures(store, args.work, args.pack_after_days) + page_figures(store, args.page_days, args.work):
        print(line)
    print(f"\nreproduce: python benchmarks/tiers.py --days {args.days} --papers {args.papers} --listed {args.listed} "
          f"--page-days {args.page_days} --pack-after-days {args.pack_after_days}")


if __name__ == "__main__":
    main()
