"""Sizes of the figures arxiv-digest stores: the fake figures of tests/test_figures.py (made with Pillow, as in
the tests) through the same conversion, with the width, quality and bytes it settles on.

    python benchmarks/figure_sizes.py
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugin"), str(ROOT / "tests")]

from PIL import Image  # noqa: E402

from arxiv_digest.arxiv.figure import MAX_BYTES, to_webp  # noqa: E402
from fake_arxiv_html import image  # noqa: E402

CASES = [
    ("1600×1200 PNG, bars + 30% random pixels (test: page without <base>)", dict(width=1600, height=1200)),
    ("2400×900 JPEG, bars + 30% random pixels (test: page with <base>)", dict(width=2400, height=900, fmt="JPEG")),
    ("300×200 PNG with transparency", dict(width=300, height=200, mode="RGBA")),
    ("1200×800 PNG, bars and lines only (a typical plot)", dict(width=1200, height=800, noise=0)),
    ("480×480 PNG, every pixel random (worst case)", dict(width=480, height=480, noise=1.0)),
]


def main() -> None:
    print(f"{'figure':<66} {'source':>9} {'webp':>8} {'size':>9} {'time':>7}")
    for name, spec in CASES:
        source = image(**spec)
        start = time.perf_counter()
        webp, width, height = to_webp(source)
        took = time.perf_counter() - start
        with Image.open(io.BytesIO(webp)) as check:
            assert check.size == (width, height) and len(webp) <= MAX_BYTES
        print(f"{name:<66} {len(source) / 1024:>7.0f}KB {len(webp) / 1024:>6.1f}KB {width:>4}×{height:<4} "
              f"{took:>6.2f}s")


if __name__ == "__main__":
    main()
