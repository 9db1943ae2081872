"""The example site's day pages on a phone (issue 17): height, where the first two cards' titles end, width, and how
often each paper's title is written on its day page, light and dark.

Usage (from the repository root, or with ``-C`` another site's folder)::

    python benchmarks/day_phone.py               # builds the example site, measures its three days
    python benchmarks/day_phone.py -C /tmp/site  # another site (its mkdocs.yml, docs/ and data/)

The site is built with ``mkdocs build --strict`` into a temporary folder and opened in Debian's Chromium
(``/usr/bin/chromium``, headless, via Playwright) on a 375×812 screen, as tests/browser/test_day_page.py does.
The entries are collapsed, as a reader finds them.
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHONE = {"width": 375, "height": 812}


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-C", dest="site", type=Path, default=ROOT, help="the site's folder (default: the example)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "plugin")}
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", out], cwd=args.site, env=env,
                       check=True)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=out))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        days = sorted(p.stem for p in (args.site / "data" / "days").glob("*.json"))
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
            for day in days:
                record = json.loads((args.site / "data" / "days" / f"{day}.json").read_text("utf-8"))
                text = (Path(out) / "digest" / day / "index.html").read_text("utf-8")
                text = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", text).split()))
                titles = [" ".join(json.loads((args.site / "data" / "papers" / f"{pid}.json").read_text("utf-8"))
                                   ["title"].split()) for pid in record["papers"]]
                counts = [text.count(title) for title in titles]
                for scheme in ("light", "dark"):
                    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                                   color_scheme=scheme)
                    page = context.new_page()
                    page.goto(f"{url}digest/{day}/", wait_until="networkidle")
                    got = page.evaluate("""() => ({height: document.documentElement.scrollHeight,
                        width: document.documentElement.scrollWidth,
                        titles: [...document.querySelectorAll('article .ad-card__title')].slice(0, 2)
                            .map(a => Math.round(a.getBoundingClientRect().bottom))})""")
                    print(f"{day} {scheme:5}  {len(titles)} papers  height {got['height']:5} px  width {got['width']} px"
                          f"  first two titles end at {got['titles']} px (screen: {PHONE['height']})"
                          f"  title counts {counts}")
                    context.close()
            chromium.close()
        server.shutdown()


if __name__ == "__main__":
    main()
