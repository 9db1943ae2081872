"""Fake arXiv HTML renderings holding figures, served over HTTP beside the fake API (``fake_arxiv.py``).

A page is LaTeXML output as arXiv serves it at ``/html/<id>v<n>``: ``<figure class="ltx_figure">`` with
``<img src>`` relative to the page's folder (or to its ``<base href>``) and a ``<figcaption>`` that begins with
the tag "Figure 1:"; a table (``<figure class="ltx_table">``) may come first. Images are made with Pillow here.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from test_fulltext import Server

__all__ = ["Server", "figure_page", "image", "page_without_figure", "png_response", "html"]


def image(width: int, height: int, fmt: str = "PNG", noise: float = 0.3, seed: int = 1, mode: str = "RGB") -> bytes:
    """A figure-like image: coloured bars and lines over white, with a share of random pixels (noise makes
    it hard to compress, as photos and dense plots are)."""
    rnd = random.Random(seed)
    img = Image.new(mode, (width, height), (255, 255, 255, 0) if mode == "RGBA" else (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for i in range(12):
        x = int(width * i / 12)
        draw.rectangle([x + 4, int((height - 10) * rnd.random()), x + width // 14, height - 8],
                       fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    for _ in range(20):
        draw.line([(rnd.randrange(width), rnd.randrange(height)) for _ in range(2)], fill=(0, 0, 0), width=3)
    if noise:
        bands = len(img.getbands())
        speckle = Image.frombytes(mode, (width, height), rnd.randbytes(width * height * bands))
        mask = Image.frombytes("L", (width, height), rnd.randbytes(width * height))
        img.paste(speckle, mask=mask.point(lambda v: 255 if v < noise * 256 else 0))
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def figure_page(src: str, caption: str, base: str | None = None, table_first: bool = True) -> str:
    """A LaTeXML page whose first figure shows ``src`` with ``caption`` (after a table, which is no figure)."""
    head = f'<base href="{base}">' if base else ""
    table = ('<figure class="ltx_table" id="S1.T1"><table class="ltx_tabular"><tr><td>1</td></tr></table>'
             '<figcaption class="ltx_caption"><span class="ltx_tag ltx_tag_table">Table 1: </span>Numbers.'
             '</figcaption></figure>') if table_first else ""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Paper</title>{head}</head>
<body><div class="ltx_page_main"><article class="ltx_document">
<h1 class="ltx_title ltx_title_document">A paper</h1>
<section class="ltx_section" id="S1"><h2 class="ltx_title ltx_title_section">1 Introduction</h2>
<div class="ltx_para"><p class="ltx_p">Text before the figure.</p></div>{table}
<figure class="ltx_figure" id="S1.F1"><img src="{src}" id="S1.F1.g1" class="ltx_graphics ltx_centering" width="598"
 height="300" alt="Refer to caption"><figcaption class="ltx_caption ltx_centering"><span
 class="ltx_tag ltx_tag_figure">Figure 1: </span>{caption}</figcaption></figure>
<figure class="ltx_figure" id="S1.F2"><img src="x2.png" class="ltx_graphics" alt=""><figcaption
 class="ltx_caption"><span class="ltx_tag ltx_tag_figure">Figure 2: </span>The second figure.</figcaption></figure>
</section></article></div></body></html>"""


def page_without_figure() -> str:
    return figure_page("x1.png", "", table_first=True).split('<figure class="ltx_figure"')[0] + "</body></html>"


def html(text: str, status: int = 200) -> tuple[int, str, bytes]:
    return status, "text/html; charset=utf-8", text.encode("utf-8")


def png_response(data: bytes, ctype: str = "image/png") -> tuple[int, str, bytes]:
    return 200, ctype, data
