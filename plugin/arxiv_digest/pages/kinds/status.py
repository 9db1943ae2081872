"""The status page: freshness, pending analyses, build time. It shows the time of the build, so it is made
on every build (:meth:`Status.page`, from what the plugin knows of the store), never kept: the plan has none."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .base import Page, PageKind
from .day import DAY

if TYPE_CHECKING:
    from ..site import Site


class Status(PageKind):
    def pages(self, site: Site, prints: dict[str, str]) -> Iterator[Page]:
        return iter(())

    def page(self, site: Site, info: dict[str, Any]) -> Page:
        """The page for the plugin's ``info`` (newest, latest, behind, days, papers, built, stale)."""
        info = {**info, "pending": [p for p in site.views.published() if p["pending"]],
                "newest_page": DAY.at(site.prefix, date=info["newest"]) if info.get("newest") else None}
        return Page(self.at(site.prefix), None, {"title": site.index_title(self.name)}, {"info": info})


STATUS = Status("status", "status.md", "status.md", index=True, search=False)
