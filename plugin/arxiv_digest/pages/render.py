"""Rendering: the Jinja environment (the site's templates before the plugin's), a page's front matter, and
paper cards rendered once and linked from every page that shows them."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import yaml
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import markdown as md
from .urls import href, markdown_link, relative_url

TEMPLATES = Path(__file__).parents[1] / "templates"

_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's: a tenth of the time per page
# A link placeholder in a cached card: autoescaping turns any "<" of the card's text into "&lt;".
_LINK = re.compile(r"<@([^<>@]+)@>")


class Renderer:
    """Pages and snippets of one channel: its labels ``t`` and URL style."""

    def __init__(self, templates_dir: str | None, t: dict[str, Any], use_directory_urls: bool) -> None:
        self.t = t
        self.use_directory_urls = use_directory_urls
        loaders = [FileSystemLoader(templates_dir)] if templates_dir else []
        self.env = Environment(loader=ChoiceLoader([*loaders, FileSystemLoader(TEMPLATES)]),
                               autoescape=select_autoescape(["html", "md"], default_for_string=True),
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                               undefined=StrictUndefined)
        self.env.filters["indent_md"] = md.indent
        self._cards: dict[tuple, list[str]] = {}

    def page(self, template: str, src_uri: str, meta: dict[str, Any], **context: Any) -> str:
        """The Markdown of the page at ``src_uri``: front matter (``meta``), then ``template`` rendered."""
        body = self.fragment(template, src_uri, page_title=meta.get("title"), **context)
        # Themes print page.meta values (title, tags, description) without escaping: escape them here.
        meta = {k: _escape_meta(v) for k, v in meta.items()}
        front = yaml.dump({"render_macros": False, **meta}, Dumper=_YAML_DUMPER, allow_unicode=True, sort_keys=False)
        return f"---\n{front}---\n\n{body}"

    def fragment(self, template: str, src_uri: str, **context: Any) -> str:
        """``template`` rendered for the page at ``src_uri``: its links are relative to that page."""
        def rel(target: str) -> str:
            return relative_url(target, src_uri, self.use_directory_urls)

        def link(target: str) -> str:
            return markdown_link(target, src_uri)

        def card(p: dict[str, Any], number: int | None = None, anchor: bool = False, compact: bool = False) -> Markup:
            return self.card(p, src_uri, number=number, anchor=anchor, compact=compact)

        return self.env.get_template(template).render(t=self.t, rel=rel, link=link, card=card, **context)

    def card(self, p: dict[str, Any], from_uri: str, number: int | None = None, anchor: bool = False,
             compact: bool = False) -> Markup:
        """One paper card; ``compact`` leaves out the TL;DR (lists of related papers).

        A paper's card shows up on many pages (days, tags, related lists): it is rendered once per variant
        with link placeholders, and each page fills in its own relative links.
        """
        key = (p["id"], number, anchor, compact)
        parts = self._cards.get(key)
        if parts is None:
            text = self.snippet("card.html", p=p, t=self.t, rel=lambda target: Markup(f"<@{target}@>"),
                                number=number, anchor=anchor, compact=compact, extra=p["extra"])
            # Text and link targets alternate: a page joins them with its own links, no regex per card.
            self._cards[key] = parts = _LINK.split(text)
        urls = self.use_directory_urls
        return Markup("".join([part if i % 2 == 0 else href(part, from_uri, urls) for i, part in enumerate(parts)]))

    def snippet(self, template: str, **context: Any) -> str:
        """An HTML template rendered on one line: inside Markdown, a blank line would end the HTML block and an
        indented one would turn into code."""
        text = self.env.get_template(template).render(**context)
        return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _escape_meta(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, list):
        return [_escape_meta(v) for v in value]
    return value
