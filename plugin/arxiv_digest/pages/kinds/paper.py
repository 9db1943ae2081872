"""Paper pages: a published paper's entry, its analysis, its related papers and the days it appeared on."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from .base import Page, PageKind
from ..cache import hash_key

if TYPE_CHECKING:
    from ..site import Site


class Paper(PageKind):
    def pages(self, site: Site, prints: dict[str, str]) -> Iterator[Page]:
        for p in site.views.published():
            meta = {"title": p["title"], "description": p["tldr"][:300], "tags": p["tag_names"], "hide": ["tags"]}
            yield Page(p["page"], partial(self._key, prints, p), meta, {"p": p})

    def _key(self, prints: dict[str, str], p: dict[str, Any]) -> str:
        # Called where the page is written: the related papers are computed there. The previous and next papers
        # of its day: a change of the day's list re-renders its neighbours.
        neighbours = (prints[n["id"]] if n else "" for n in (p["day_prev"], p["day_next"]))
        return hash_key(self.name, prints[p["id"]], *(prints[r["id"]] for r in p["related"]), *neighbours)


PAPER = Paper("paper", "papers/{stem}.md", "paper.md")
