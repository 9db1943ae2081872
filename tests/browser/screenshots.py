"""The README's screenshots of the example site: day, paper and tag pages, light and dark, desktop and phone.

Usage (from the repository root, after ``make install-test``)::

    python tests/browser/screenshots.py            # writes screenshots/<page>-<device>-<scheme>.png

The site is built as ``make build`` builds it (``mkdocs build --strict``, the committed ``data/``), served on
127.0.0.1 and opened in Debian's Chromium; each screenshot is the first screen a reader sees.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from browser_support import CHROMIUM, CHROMIUM_ARGS, DAY, REPO, SiteServer, mkdocs_build  # noqa: E402

PAGES = {"day": f"digest/{DAY}/", "paper": "papers/2602.15828/", "tag": "tags/robotics-embodied-ai/"}
DEVICES = {"desktop": {"viewport": {"width": 1280, "height": 800}},
           "phone": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}}
SCHEMES = ("light", "dark")
OUT = REPO / "screenshots"  # outside docs/: the site does not publish them


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        server = SiteServer(out)
        try:
            run = mkdocs_build(REPO, out, server.url)
            if run.returncode:
                print(run.stdout, file=sys.stderr)
                return 1
            OUT.mkdir(exist_ok=True)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                for device, options in DEVICES.items():
                    for scheme in SCHEMES:
                        context = browser.new_context(color_scheme=scheme, **options)
                        page = context.new_page()
                        for name, path in PAGES.items():
                            page.goto(server.url + path, wait_until="networkidle")
                            target = OUT / f"{name}-{device}-{scheme}.png"
                            page.screenshot(path=str(target))
                            print(f"{target.relative_to(REPO)}: {target.stat().st_size / 1000:.0f} kB")
                        context.close()
                browser.close()
        finally:
            server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
