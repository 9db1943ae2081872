"""Day pages: one announcement day, its summary, the cards and entries of its papers."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from .base import Page, PageKind
from .. import markdown as md
from ..cache import hash_key

if TYPE_CHECKING:
    from ..site import Site


class Day(PageKind):
    def title(self, site: Site, day: dict[str, Any]) -> str:
        """The day's title, on its page and in the feed."""
        return f"{site.t['day_title']} · {day['date']}"

    def pages(self, site: Site, prints: dict[str, str]) -> Iterator[Page]:
        for day in site.days:
            meta = {"title": self.title(site, day), "description": md.shorten(day["summary_text"], 200)}
            # Its papers, and its neighbours for the previous and next links.
            papers = (prints[p["id"]] for p in day["papers"])
            neighbours = (d and d["date"] for d in (day["prev"], day["next"]))
            key = partial(hash_key, self.name, site.views.digest(day["date"]), *papers, *neighbours)
            yield Page(day["page"], key, meta, {"day": day})


DAY = Day("day", "digest/{date}.md", "day.md")
