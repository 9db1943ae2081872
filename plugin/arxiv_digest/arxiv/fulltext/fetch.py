"""Downloading a paper's full text: the HTML rendering first, else the PDF."""

from __future__ import annotations

from typing import Iterable

import requests
from mkdocs.plugins import get_plugin_logger

from .html import extract_html
from .pdf import extract_pdf
from .sections import FullText, FullTextError, Section

log = get_plugin_logger(__name__)

MIN_CHARS = 2000
"""Body text (without abstract and references) below which an HTML rendering counts as failed."""
MAX_HTML_BYTES = 40 * 2**20
MAX_PDF_BYTES = 100 * 2**20


class Unavailable(Exception):
    """A download failed; ``retry``: by a network failure or a server error, which may be over on a later try."""

    def __init__(self, message: str, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


def download(session: requests.Session, url: str, timeout: float, limit: int) -> bytes:
    """The body at ``url``, at most ``limit`` bytes; raises :class:`Unavailable`."""
    try:
        with session.get(url, timeout=timeout, stream=True) as response:
            if response.status_code >= 400:
                code = response.status_code
                raise Unavailable(f"HTTP {code} {response.reason or ''}".rstrip(), retry=code >= 500 or code == 429)
            chunks, size = [], 0
            for chunk in response.iter_content(1 << 16):
                size += len(chunk)
                if size > limit:
                    raise Unavailable(f"response larger than {limit // 2**20} MB")
                chunks.append(chunk)
    except requests.RequestException as error:
        raise Unavailable(f"{type(error).__name__}: {error}", retry=True) from error
    return b"".join(chunks)


def _body_chars(sections: Iterable[Section]) -> int:
    return sum(len(s.text) for s in sections if s.kind not in ("abstract", "references"))


def _accept(source: str, sections: list[Section]) -> FullText:
    if not any(s.kind != "abstract" for s in sections):
        raise Unavailable("no sections")
    chars = _body_chars(sections)
    if chars < MIN_CHARS:
        raise Unavailable(f"too little text ({chars} characters)")
    return FullText(source, sections)


def fetch_full_text(paper_id: str, version: int, html_url: str, pdf_url: str, timeout: float,
                    session: requests.Session | None = None) -> FullText:
    """The full text of ``paper_id`` v``version``: the HTML rendering, else the PDF.

    ``html_url``/``pdf_url`` are format strings with ``{id}`` and ``{version}``. The HTML
    counts as failed on an HTTP error, without sections, or with under ``MIN_CHARS``
    characters of body text; then the PDF is tried. Raises :class:`FullTextError` naming
    the paper and both reasons when neither works.
    """
    own = session is None
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = "mkdocs-arxiv-digest (full-text fetch)"
    name = f"{paper_id}v{version}"
    html = html_url.format(id=paper_id, version=version)
    pdf = pdf_url.format(id=paper_id, version=version)
    try:
        try:
            body = download(session, html, timeout, MAX_HTML_BYTES)
            return _accept("html", extract_html(body))
        except Unavailable as error:
            html_reason = str(error)
        log.debug(f"{name}: HTML full text unavailable ({html_reason}); trying the PDF")
        try:
            data = download(session, pdf, timeout, MAX_PDF_BYTES)
            if b"%PDF" not in data[:1024]:
                raise Unavailable("not a PDF")
            try:
                sections = extract_pdf(data)
            except FullTextError as error:
                raise Unavailable(str(error)) from error
            return _accept("pdf", sections)
        except Unavailable as error:
            pdf_reason = str(error)
        raise FullTextError(f"{name}: no full text (HTML {html}: {html_reason}; PDF {pdf}: {pdf_reason})")
    finally:
        if own:
            session.close()
