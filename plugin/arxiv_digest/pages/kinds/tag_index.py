"""The tag index: every tag with its number of papers, and the weekly trends of the top topic tags."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Page, PageKind

if TYPE_CHECKING:
    from ..site import Site
    from ..views import TagView

TRENDS_ON_INDEX = 8  # topic tags drawn on the tag index


def ranked(site: Site) -> list[TagView]:
    """The tags, most papers first: the order of the index and of the tag pages."""
    return sorted(site.tags.values(), key=lambda t: (-len(t.papers), t.name))


class TagIndex(PageKind):
    def pages(self, site: Site, prints: dict[str, str]) -> Iterator[Page]:
        tags = ranked(site)
        topics = [t for t in tags if t.name in site.config.taxonomy][:TRENDS_ON_INDEX]
        figures = [(t, site.trend_figure(t.name, f"ad-trend-{i}", small=True)) for i, t in enumerate(topics, 1)]
        yield Page(self.at(site.prefix), None, {"title": site.index_title(self.name)},
                   {"tags": tags, "trends": figures})


TAG_INDEX = TagIndex("tags", "tags/index.md", "tags.md", index=True)
