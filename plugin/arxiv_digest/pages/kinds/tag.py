"""Tag pages: a tag's papers newest first, with its weekly trend."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from .base import Page, PageKind
from .tag_index import TAG_INDEX, ranked
from ..cache import hash_key
from ..feed import FEED_FILE

if TYPE_CHECKING:
    from ..site import Site


class Tag(PageKind):
    def pages(self, site: Site, prints: dict[str, str]) -> Iterator[Page]:
        for tag in ranked(site):
            trend = site.trend_figure(tag.name, "ad-trend")
            feed = tag_feed(tag.page) if site.feeds_written else None
            key = partial(hash_key, self.name, tag.name, tag.page, trend, feed, *(prints[p["id"]] for p in tag.papers))
            yield Page(tag.page, key, {"title": f"{site.t['tag']}: {tag.label}"},
                       {"tag": tag, "tags_index": TAG_INDEX.at(site.prefix), "trend": trend, "feed": feed})


def tag_feed(tag_page: str) -> str:
    """Where a tag's feed goes: ``tags/<tag>/feed.xml`` beside its page ``tags/<tag>.md``."""
    return f"{tag_page.removesuffix('.md')}/{FEED_FILE}"


TAG = Tag("tag", "tags/{slug}.md", "tag.md")
