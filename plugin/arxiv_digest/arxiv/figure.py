"""A paper's first figure, from arXiv's HTML rendering, as a small WebP for its card and its page.

The rendering at ``html_url`` is LaTeXML output: a figure is ``<figure class="ltx_figure">`` holding
``<img src>`` relative to the page (arXiv serves the page as a folder, ``/html/<id>v<n>/``, and may say so
with ``<base href>``) and its caption in ``<figcaption>``, which begins with the tag "Figure 1:".
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import requests
from lxml import etree
from mkdocs.plugins import get_plugin_logger
from PIL import Image, UnidentifiedImageError

from .fulltext.fetch import Unavailable, download
from .fulltext.html import _classes, _collapse, _detach, _inline_text, _parse_html, _tag

if TYPE_CHECKING:
    from ..config import DigestConfig
    from ..pipeline import Report
    from ..store import Store

log = get_plugin_logger(__name__)

MAX_WIDTH = 480
MAX_BYTES = 40 * 1024
QUALITIES = (80, 65, 50, 35)  # tried in turn at each width, before the width shrinks
MIN_WIDTH = 120
MAX_DOWNLOAD = 20 * 2**20  # an HTML page or an image larger than this is not read
MAX_PIXELS = 60_000_000  # a decompression bomb is refused before it is decoded
CAPTION_CHARS = 300  # alt text longer than this is cut at a word


class NoFigure(Exception):
    """The paper has no usable figure (no HTML rendering, no figure, a broken image): asking again will not help."""


class Unreachable(Exception):
    """A network failure or a server error: worth trying on a later run."""


@dataclass
class Figure:
    webp: bytes
    caption: str
    width: int
    height: int


def first_figure(html: bytes, page_url: str) -> tuple[str, str]:
    """(absolute image URL, caption) of the first figure with an image in a LaTeXML page."""
    root = _parse_html(html)
    if root is None:
        raise NoFigure("the HTML rendering does not parse")
    for figure in root.iter("figure"):
        if "ltx_figure" not in _classes(figure) or any(_tag(a) == "figure" for a in figure.iterancestors()):
            continue
        images = [img for img in figure.iter("img") if img.get("src")]
        if not images:
            continue
        bases = [b.get("href") for b in root.iter("base") if b.get("href")]
        # Without <base>, relative sources resolve inside the page's folder, as arXiv serves them.
        base = urljoin(page_url if page_url.endswith("/") else page_url + "/", bases[0] if bases else "")
        return urljoin(base, images[0].get("src")), _caption(figure)
    raise NoFigure("no figure in the HTML rendering")


def _caption(figure: etree._Element) -> str:
    captions = [c for c in figure if _tag(c) == "figcaption"] or list(figure.iter("figcaption"))
    if not captions:
        return ""
    caption = captions[-1]
    for tag in [el for el in caption.iter() if "ltx_tag" in _classes(el)]:  # "Figure 1:" says nothing here
        _detach(tag)
    text = _collapse(_inline_text(caption))
    if len(text) > CAPTION_CHARS:
        text = text[:CAPTION_CHARS].rsplit(" ", 1)[0] + " …"
    return text


def to_webp(data: bytes, max_width: int = MAX_WIDTH, max_bytes: int = MAX_BYTES) -> tuple[bytes, int, int]:
    """``data`` (any image Pillow reads) as a WebP at most ``max_width`` wide and ``max_bytes`` large:
    the quality is lowered first, then the size. Raises :class:`NoFigure` for an unreadable image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise NoFigure(f"image too large ({image.width}×{image.height})")
            image.load()
            # Figures are drawn for white paper: transparency goes onto white (also on a dark page).
            rgba = image.convert("RGBA")
            image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise NoFigure(f"unreadable image ({error})") from error
    width = min(max_width, image.width)
    while True:
        height = max(1, round(image.height * width / image.width))
        resized = image.resize((width, height), Image.Resampling.LANCZOS) if width != image.width else image
        for quality in QUALITIES:
            out = io.BytesIO()
            resized.save(out, "WEBP", quality=quality, method=4)  # 6 packs ~1% tighter, at many times the time
            if out.tell() <= max_bytes:
                return out.getvalue(), width, height
        if width <= MIN_WIDTH:
            raise NoFigure(f"does not fit in {max_bytes // 1024} KB even at {width} px")
        width = max(MIN_WIDTH, int(width * 0.75))


def _get(session: requests.Session, url: str, timeout: float) -> bytes:
    try:
        return download(session, url, timeout, MAX_DOWNLOAD)
    except Unavailable as error:
        raise (Unreachable if error.retry else NoFigure)(f"{error} for {url}") from error


def fetch_figure(paper_id: str, version: int, html_url: str, timeout: float,
                 session: requests.Session) -> Figure:
    """The first figure of ``paper_id`` v``version``: the HTML rendering, then its image, made small.

    Raises :class:`NoFigure` (recorded: not asked again) or :class:`Unreachable` (tried on the next run)."""
    page = html_url.format(id=paper_id, version=version)
    image_url, caption = first_figure(_get(session, page, timeout), page)
    if not image_url.startswith(("http://", "https://")):
        raise NoFigure(f"image {image_url[:80]!r} is not a web link")
    webp, width, height = to_webp(_get(session, image_url, timeout))
    return Figure(webp, caption, width, height)


def add_figures(store: Store, config: DigestConfig, ids: list[str], report: Report) -> None:
    """Look once for the first figure of each paper of ``ids`` not looked at yet (``figures: true``).

    No HTML rendering, no figure or a broken image is recorded, so it is not asked again; a network failure
    is one log line, and the paper is tried on the next run."""
    todo = [p for p in (store.paper(pid) for pid in ids) if p is not None and "figure" not in p]
    if not todo:
        return
    with requests.Session() as session:
        session.headers["User-Agent"] = "mkdocs-arxiv-digest (figure)"
        for paper in todo:
            checked = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
            try:
                found = fetch_figure(paper["id"], paper.get("version", 1), config.arxiv.html_url,
                                     config.arxiv.timeout, session)
            except NoFigure as error:
                paper["figure"] = {"missing": str(error), "checked": checked}
                log.info("%s: no figure (%s)", paper["id"], error)
            except Unreachable as error:
                log.info("%s: figure not fetched (%s); trying again on the next run", paper["id"], error)
                continue
            else:
                paper["figure"] = {"file": store.save_figure(paper["id"], found.webp), "caption": found.caption,
                                   "width": found.width, "height": found.height, "checked": checked}
                report.figures += 1
            report.files_written += store.save_paper(paper)
