"""What full-text search costs: Pagefind's index at 1 and 3 years of digests and at one busy month, and the
bytes a reader downloads per search (issue 16).

Usage (from the repository root; needs Chromium and playwright, as ``make install-test`` installs them)::

    python benchmarks/search.py                     # 1 y and 3 y of 10 papers a day, 20 days of 250 a day
    python benchmarks/search.py --scale 1y          # one scale (1y, 3y, 20x250, smoke; repeatable)

For each scale: a synthetic store (``benchmarks/synth.py``, LLM-analyzed papers with Chinese analyses), the
site built with ``mkdocs build`` and the plugin (Material, zh; the plugin indexes it with Pagefind as part of
the build), then

* index build time: Pagefind run again alone over the built site (wall, peak RSS of the indexer), and the
  time the build's own log reports for it;
* index size on disk: the ``pagefind/`` folder (files, bytes; the index chunks alone);
* per query, in a fresh Chromium context (cold cache): the site's home page is opened, the query typed into the
  header's search box, and every request under ``pagefind/`` made until the results show is counted at the
  size a static host serves it gzip-compressed (``gzip -6`` of the file, or the file itself when that is not
  smaller: Pagefind's chunks are gzip already). 20 queries: 10 Chinese, 10 English (words of titles, abstracts,
  authors, analyses; an arXiv id; Chinese topic words).

Stores and sites are kept in ``--work`` (default /tmp/arxiv-digest-search-bench) and rebuilt only when the
store's parameters change (``--rebuild`` forces it).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "plugin"))

import build  # noqa: E402  (the benchmark site's mkdocs.yml)
import synth  # noqa: E402

WORK = Path(tempfile.gettempdir()) / "arxiv-digest-search-bench"
SCALES = {"1y": (260, 10), "3y": (780, 10), "20x250": (20, 250), "smoke": (5, 10)}  # smoke: a quick try
DEFAULT_SCALES = ["1y", "3y", "20x250"]
ZH_QUERIES = ["自动驾驶", "扩散模型", "机器人", "视频生成", "三维视觉", "注意力机制", "域偏移", "手术视频", "知识蒸馏",
              "跨模态对齐"]
EN_QUERIES = ["Gaussian splatting", "diffusion", "nuScenes", "humanoid robot", "occlusion", "Transformers", "Wang",
              "temporal flicker", "ScanNet", "{id}"]
CHROMIUM = "/usr/bin/chromium"


def served_size(data: bytes) -> int:
    """Bytes over the wire from a static host that gzips what gzip makes smaller."""
    return min(len(data), len(gzip.compress(data, compresslevel=6)))


def prepare(work: Path, days: int, papers: int, seed: int, rebuild: bool) -> tuple[Path, float, str]:
    """The store and the built site of one scale; the build's wall time and its Pagefind log line."""
    data, site = work / "data", work / "site"
    marker = work / "params.json"
    params = {"days": days, "papers": papers, "seed": seed}
    if not rebuild and marker.is_file() and json.loads(marker.read_text()) == params and (site / "site").is_dir():
        saved = json.loads((work / "build.json").read_text())
        return site / "site", saved["wall"], saved["log"]
    print(f"  synthesizing {days} days × {papers} papers …", flush=True)
    synth.synthesize(data, days, papers, seed)
    shutil.rmtree(site, ignore_errors=True)
    build.write_plugin_site(site)
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("max_papers: 10", f"max_papers: {papers}"))
    print(f"  building the site ({days * papers} papers) …", flush=True)
    started = time.perf_counter()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": f"{ROOT / 'plugin'}:{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=site, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"build failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    log = next((ln for ln in (proc.stdout + proc.stderr).splitlines() if "Pagefind shards" in ln), "")
    (work / "build.json").write_text(json.dumps({"wall": wall, "log": log}))
    marker.write_text(json.dumps(params))
    return site / "site", wall, log


def index_alone(site_dir: Path, shard_mb: float | None) -> dict:
    """The index built again alone over the built site, as the plugin builds it (every shard, in a child
    process): wall time, CPU and the peak RSS of the largest Pagefind run, and what it wrote."""
    shard = ["--shard-mb", str(shard_mb)] if shard_mb else []
    child = subprocess.run([sys.executable, __file__, "--index-only", str(site_dir), *shard], capture_output=True,
                           text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "plugin")})
    if child.returncode != 0:
        sys.exit(f"indexing failed on {site_dir}:\n{child.stderr[-3000:]}")
    figures = json.loads(child.stdout.splitlines()[-1])
    out = site_dir / "pagefind"
    files = [p for p in out.rglob("*") if p.is_file()]
    manifest = json.loads((out / "shards.json").read_text())["shards"]

    def of(suffix: str) -> list[Path]:
        return [p for p in files if p.suffix == suffix]
    return {**figures, "files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "shards": len(manifest), "shard_pages": [s["pages"] for s in manifest],
            "index_chunks": len(of(".pf_index")), "index_bytes": sum(p.stat().st_size for p in of(".pf_index")),
            "largest_chunk": max(p.stat().st_size for p in of(".pf_index")),
            "fragments": len(of(".pf_fragment")), "fragment_bytes": sum(p.stat().st_size for p in of(".pf_fragment")),
            "pages": len(of(".pf_fragment"))}


def index_only(site_dir: Path, shard_mb: float | None) -> None:
    """(Child process) every page of the built site that has parts to index, indexed as the plugin does;
    prints the wall time, the CPU and peak RSS of the Pagefind runs (the largest shard's)."""
    import resource
    from importlib.metadata import version

    from arxiv_digest import search
    from arxiv_digest.search import shards

    pages = []
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        text = path.read_text("utf-8")
        if not rel.startswith("pagefind/") and "data-pagefind-body" in text:
            pages.append(shards.page(rel, text))
    shutil.rmtree(site_dir / "pagefind", ignore_errors=True)
    started = time.perf_counter()
    budget = int(shard_mb * 1e6) if shard_mb else shards.SHARD_BYTES
    shards.build(str(site_dir), pages, search.executable(), version("pagefind"), budget)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": wall, "rss_mb": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime}))


def search_js() -> str:
    from arxiv_digest import search

    return search.JS_URI


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def query_bytes(site_dir: Path, queries: list[str]) -> list[dict]:
    """Each query typed into the header's box in a fresh context: the Pagefind files fetched and their bytes."""
    from playwright.sync_api import sync_playwright

    server, url = serve(site_dir)
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            for query in queries:
                context = browser.new_context()
                # The benchmark site loads MathJax from a CDN: nothing of the search needs another host.
                context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
                              else route.abort())
                page = context.new_page()
                page.goto(url, wait_until="load")
                fetched: list[str] = []
                page.on("requestfinished", lambda r: fetched.append(r.url) if "/pagefind/" in r.url else None)
                box = page.locator("header input.md-search__input")
                box.click()
                box.fill(query)
                page.wait_for_function("q => document.querySelector('.ad-search')?.dataset.done === q", arg=query,
                                       timeout=60_000)
                page.wait_for_load_state("networkidle")
                results = page.locator(".ad-search .md-search-result__meta").inner_text()
                files = [site_dir / u.split("?")[0][len(url):] for u in fetched]
                rows.append({"query": query, "requests": len(files), "results": results,
                             "served": sum(served_size(f.read_bytes()) for f in files),
                             "raw": sum(f.stat().st_size for f in files)})
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return rows


def kb(n: float) -> str:
    return f"{n / 1e3:.0f} kB" if n < 1e6 else f"{n / 1e6:.2f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", action="append", choices=list(SCALES), help="scales to measure (default: all)")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="synthesize and build again")
    parser.add_argument("--shard-mb", type=float, default=None, help="search_shard_mb (default: the plugin's)")
    parser.add_argument("--index-only", type=Path, help=argparse.SUPPRESS)  # the child of index_alone
    args = parser.parse_args()
    if args.index_only:
        return index_only(args.index_only, args.shard_mb)
    results = []
    for label in args.scale or DEFAULT_SCALES:
        days, papers = SCALES[label]
        print(f"\n== {label}: {days} days × {papers} papers", flush=True)
        site_dir, build_wall, log = prepare(args.work / label, days, papers, args.seed, args.rebuild)
        index = index_alone(site_dir, args.shard_mb)
        # The box's script as it is now (a built site keeps the one of its build; the index was just made anew).
        shutil.copy(ROOT / "plugin" / "arxiv_digest" / "assets" / "arxiv-digest-search.js", site_dir / search_js())
        some_id = sorted((args.work / label / "data" / "papers").glob("*.json"))[days * papers // 2].stem
        queries = ZH_QUERIES + [q.replace("{id}", some_id) for q in EN_QUERIES]
        rows = query_bytes(site_dir, queries)
        results.append({"label": label, "days": days, "papers": papers, "build_wall": build_wall, "log": log,
                        "index": index, "queries": rows})
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)  # figures of a scale as soon as it is done

    print(f"\n# Pagefind search ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f})\n")
    print("| scale | papers | indexed pages | site build (wall, indexer included) | indexer alone: wall, CPU, peak RSS "
          "| shards | index on disk | index chunks (largest) | fragments |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        i = r["index"]
        print(f"| {r['label']} | {r['days'] * r['papers']:,} | {i['pages']:,} | {r['build_wall']:.0f} s | "
              f"{i['wall']:.1f} s, {i['cpu']:.1f} s, {i['rss_mb']:.0f} MB | {i['shards']} | {kb(i['bytes'])} "
              f"({i['files']:,} files) | {i['index_chunks']} ({kb(i['index_bytes'])}; {kb(i['largest_chunk'])}) | "
              f"{i['fragments']:,} ({kb(i['fragment_bytes'])}) |")
    print("\nBytes a reader downloads for one search, cold cache, as a static host serves them (gzip):\n")
    print("| query | " + " | ".join(r["label"] for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for n in range(len(results[0]["queries"])):
        cells = [f"{kb(r['queries'][n]['served'])} ({r['queries'][n]['requests']} files; {r['queries'][n]['results']})"
                 for r in results]
        query = results[0]["queries"][n]["query"]
        print(f"| {query if n != 19 else 'an arXiv id'} | " + " | ".join(cells) + " |")
    for stat, fn in (("median", statistics.median), ("largest", max)):
        print(f"| **{stat}** | " + " | ".join(f"**{kb(fn(q['served'] for q in r['queries']))}**" for r in results) + " |")
    print("\nfirst search (the first query of the table, cold): "
          + "; ".join(f"{r['label']} {kb(r['queries'][0]['served'])}" for r in results))
    biggest = max(q["served"] for r in results for q in r["queries"])
    print(f"largest over all scales and queries: {kb(biggest)} (target ≤ 300 kB: {'met' if biggest <= 300e3 else 'missed'})")
    one = {r["label"]: statistics.median(q["served"] for q in r["queries"]) for r in results}
    if "1y" in one and "3y" in one:
        ratio = one["3y"] / one["1y"]
        print(f"median at 3 years / at 1 year: {ratio:.2f} (target 0.8–1.2: {'met' if 0.8 <= ratio <= 1.2 else 'missed'})")
    for r in results:
        print(f"{r['label']}: the build's log: {r['log'].strip()}")


if __name__ == "__main__":
    main()
