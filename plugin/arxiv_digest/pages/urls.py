"""URL math of the generated pages: where a page goes, the URL MkDocs gives it, links between pages, tag slugs."""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from markupsafe import escape

from .. import i18n


def slugify(name: str) -> str:
    slug = re.sub(rf"[^\w{i18n.HAN}]+", "-", name.lower()).strip("-")
    return slug or "tag"


def in_channel(prefix: str, src_uri: str) -> str:
    """Where a generated page goes: inside its channel's folder (``prefix``, empty for the site's root)."""
    return posixpath.join(prefix, src_uri) if prefix else src_uri


def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives a page built from ``src_uri`` (a file other than a page keeps its path)."""
    if not src_uri.endswith(".md"):
        return src_uri
    stem = src_uri[: -len(".md")]
    if not use_directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    return (stem[: -len("index")] if stem.endswith("/index") else stem + "/")


@lru_cache(maxsize=8192)  # a page links the same targets many times (paper pages, tag chips)
def relative_url(target_uri: str, from_uri: str, use_directory_urls: bool) -> str:
    target = page_url(target_uri, use_directory_urls)
    here = page_url(from_uri, use_directory_urls)
    base = posixpath.dirname(here) if not here.endswith("/") and here else here.rstrip("/")
    rel = _relpath(target, base)
    if use_directory_urls and target.endswith("/") or target == "":
        rel = rel.rstrip("/") + "/"
    return "./" if rel in (".", "./") else rel


@lru_cache(maxsize=65536)  # a tag page links ~10 targets per card, many cards share them
def href(target_uri: str, from_uri: str, use_directory_urls: bool) -> str:
    """:func:`relative_url` escaped for an HTML attribute."""
    return str(escape(relative_url(target_uri, from_uri, use_directory_urls)))


def markdown_link(target_uri: str, from_uri: str) -> str:
    """A Markdown link's target from one page to another: links point at source files, which MkDocs checks
    and rewrites to URLs."""
    return posixpath.relpath(target_uri, posixpath.dirname(from_uri) or ".")


def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath`` for the site's normalised relative paths, without its abspath calls
    (a year of pages makes ~200,000 links)."""
    to, base = [p for p in path.split("/") if p], [p for p in start.split("/") if p]
    common = 0
    for a, b in zip(to, base):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(base) - common) + to[common:]) or "."
