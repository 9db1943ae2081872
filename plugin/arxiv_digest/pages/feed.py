"""Atom feeds, built with ``xml.etree``: a channel's digest days (``feed.xml``) and each tag's papers
(``tags/<tag>/feed.xml``).

Every value comes in as text and is escaped by the serializer: titles and
summaries are untrusted, so nothing here is assembled by string concatenation.
Characters XML 1.0 forbids (control characters) are dropped first.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

FEED_FILE = "feed.xml"
ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 30
# Characters XML 1.0 cannot carry at all (besides what markdown.clean drops).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Entry:
    """One digest day (or, in a tag's feed, one paper) as the feed shows it."""

    title: str
    url: str  # absolute
    published: datetime  # aware
    summary: str  # plain text
    papers: Sequence[tuple[str, str, str]] = ()  # (title, absolute url, TL;DR) for the HTML content
    categories: Sequence[str] = ()  # tags


def feed_url(site_url: str, path: str = FEED_FILE) -> str:
    """Address of the feed written at ``path`` in the site (``feed.xml``, ``robotics/feed.xml``, ...)."""
    return site_url.rstrip("/") + "/" + path


def head_link(site_url: str, title: str, path: str = FEED_FILE) -> str:
    """The ``<link rel="alternate">`` element pointing at a feed, for the heads of the pages it belongs to."""
    return (f'<link rel="alternate" type="application/atom+xml" title="{html.escape(_xml_text(title), quote=True)}" '
            f'href="{html.escape(feed_url(site_url, path), quote=True)}">')


def add_head_link(page_html: str, link: str) -> str:
    """``page_html`` with ``link`` just before ``</head>`` (unchanged when it has no head or has the link)."""
    if link in page_html:
        return page_html
    match = re.search(r"</head\s*>", page_html, re.I)
    if match is None:
        return page_html
    return page_html[: match.start()] + link + "\n" + page_html[match.start():]


def build(entries: Sequence[Entry], *, site_url: str, title: str, subtitle: str | None = None,
          language: str | None = None, author: str | None = None, limit: int = MAX_ENTRIES,
          path: str = FEED_FILE) -> bytes:
    """The Atom document (UTF-8 bytes) of the newest ``limit`` entries; ``entries`` come newest first."""
    entries = list(entries)[:limit]
    feed = ET.Element("feed", {"xmlns": ATOM})
    if language:
        feed.set("xml:lang", language)
    _sub(feed, "title", title)
    if subtitle:
        _sub(feed, "subtitle", subtitle)
    _sub(feed, "id", feed_url(site_url, path))
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": feed_url(site_url, path)})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": site_url})
    updated = max((e.published for e in entries), default=None)
    _sub(feed, "updated", (updated or datetime(1970, 1, 1).astimezone()).isoformat())
    _sub(ET.SubElement(feed, "author"), "name", author or title)
    _sub(feed, "generator", "arxiv-digest")
    for entry in entries:
        item = ET.SubElement(feed, "entry")
        _sub(item, "title", entry.title)
        _sub(item, "id", entry.url)
        ET.SubElement(item, "link", {"rel": "alternate", "type": "text/html", "href": entry.url})
        _sub(item, "published", entry.published.isoformat())
        _sub(item, "updated", entry.published.isoformat())
        for term in entry.categories:
            ET.SubElement(item, "category", {"term": _xml_text(term)})
        _sub(item, "summary", entry.summary, type="text")
        if entry.papers:
            _sub(item, "content", _content_html(entry), type="html")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _content_html(entry: Entry) -> str:
    """An HTML list of the day's papers, built as a tree: the feed carries it escaped (``type="html"``)."""
    root = ET.Element("div")
    ol = ET.SubElement(root, "ol")
    for title, url, tldr in entry.papers:
        li = ET.SubElement(ol, "li")
        _sub(li, "a", title, href=url)
        if tldr:
            ET.SubElement(li, "br").tail = _xml_text(tldr)
    return ET.tostring(root, encoding="unicode", method="html")


def _sub(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in attrs.items()})
    element.text = _xml_text(text)
    return element


def _xml_text(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")
