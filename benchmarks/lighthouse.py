"""Lighthouse (mobile preset) on the example site's home, day, paper and tag pages (issue 16).

Usage (from the repository root; ``make install-test`` installs Lighthouse 12.2.3 into tests/browser/node)::

    python benchmarks/lighthouse.py                 # builds the example site, serves it, audits 4 pages
    python benchmarks/lighthouse.py --runs 3        # median of 3 runs per page

The site is built with ``mkdocs build --strict`` into a temporary folder, with ``site_url`` set to the local
server (as a deployed site has its own URL), and served by a static server that gzips text as GitHub Pages
does. Lighthouse runs against Debian's Chromium (``/usr/bin/chromium``, headless) with its default mobile
settings: a Moto G Power-sized screen, simulated slow 4G and a 4× slower CPU. Prints the four scores per page,
the performance metrics behind them and the long tasks (what Total Blocking Time counts) with their scripts.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "tests" / "browser" / "node" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
PAGES = {"home": "", "day": "digest/2026-02-18/", "paper": "papers/2602.15727/", "tag": "tags/3d-vision/"}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
METRICS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index"]
TEXT = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt")


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files, text gzip-compressed when the client accepts it (as GitHub Pages serves them)."""

    def log_message(self, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in TEXT or "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io
        return io.BytesIO(body)


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def audit(url: str, out: Path, tries: int = 3) -> dict:
    """One Lighthouse run; one that scored nothing (headless Chromium under load now and then reports NO_FCP, "the
    page did not paint") is run again, and said so."""
    cmd = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
           f"--only-categories={','.join(CATEGORIES)}", "--chrome-flags=--headless=new --no-sandbox"]
    subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300)
    report = json.loads(out.read_text())
    if any(report["categories"][c]["score"] is None for c in CATEGORIES) and tries > 1:
        error = (report.get("runtimeError") or {}).get("code") or report["audits"]["first-contentful-paint"].get(
            "errorMessage", "no score")
        print(f"{url}: no score ({error}); running again", file=sys.stderr)
        return audit(url, out, tries - 1)
    return {"scores": {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES},
            "metrics": {m: report["audits"][m]["numericValue"] for m in METRICS},
            "failed": {c: [a["id"] for a in report["categories"][c]["auditRefs"]
                           if report["audits"][a["id"]]["score"] is not None and report["audits"][a["id"]]["score"] < 1
                           and a["weight"] > 0] for c in CATEGORIES if c != "performance"},
            "bytes": report["audits"]["total-byte-weight"]["numericValue"],
            # What blocks the main thread: each long task with the script Lighthouse attributes it to.
            "long_tasks": [(item["url"].rsplit("/", 2)[-1] or item["url"], item["duration"])
                           for item in (report["audits"]["long-tasks"].get("details") or {}).get("items", [])]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if not LIGHTHOUSE.is_file():
        sys.exit(f"{LIGHTHOUSE} is missing: run `make install-test`")
    work = Path(tempfile.mkdtemp(prefix="arxiv-digest-lighthouse-"))
    site = work / "site"
    server, url = serve(site)
    env = {**os.environ, "SITE_URL": url, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": f"{ROOT / 'plugin'}:{os.environ.get('PYTHONPATH', '')}"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)], cwd=ROOT, env=env,
                   check=True)
    rows = {}
    for name, path in PAGES.items():
        runs = [audit(url + path, work / f"{name}-{n}.json") for n in range(args.runs)]
        rows[name] = runs
    server.shutdown()
    version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"\n# Lighthouse {version}, mobile preset, Chromium {CHROMIUM} (medians of {args.runs} runs; "
          f"load {os.getloadavg()[0]:.2f})\n")
    print("| page | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS | bytes |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, runs in rows.items():
        def med(key: str, sub: str) -> float:
            return statistics.median(r[key][sub] for r in runs)
        print(f"| {name} | " + " | ".join(f"{med('scores', c):.0f}" for c in CATEGORIES)
              + f" | {med('metrics', 'first-contentful-paint') / 1000:.1f} s | "
              f"{med('metrics', 'largest-contentful-paint') / 1000:.1f} s | "
              f"{med('metrics', 'total-blocking-time'):.0f} ms | {med('metrics', 'cumulative-layout-shift'):.3f} | "
              f"{statistics.median(r['bytes'] for r in runs) / 1e3:.0f} kB |")
    for name, runs in rows.items():
        tasks = ", ".join(f"{url} {ms:.0f} ms" for url, ms in runs[0]["long_tasks"])
        print(f"{name}: long tasks (first run): {tasks or 'none'}")
        for category, audits in runs[0]["failed"].items():
            if audits:
                print(f"{name}: {category} audits below full marks: {', '.join(audits)}")


if __name__ == "__main__":
    main()
