"""Tag pages: a tag's papers newest first, ``tag_page_size`` cards a page, with its weekly trend on the first."""

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
        size = site.config.tag_page_size
        for tag in ranked(site):
            trend = site.trend_figure(tag.name, "ad-trend")
            feed = tag_feed(tag.page) if site.feeds_written else None
            chunks = [tag.papers[i:i + size] for i in range(0, len(tag.papers), size)] or [[]]
            uris = [tag.page] + [tag_page(tag.page, n) for n in range(2, len(chunks) + 1)]
            for n, (uri, papers) in enumerate(zip(uris, chunks), 1):
                pager = {"n": n, "count": len(chunks), "newer": uris[n - 2] if n > 1 else None,
                         "older": uris[n] if n < len(chunks) else None}
                shown = trend if n == 1 else ""  # the trend is drawn on the first page only
                key = partial(hash_key, self.name, tag.name, uri, shown, feed, len(tag.papers), n, len(chunks),
                              *(prints[p["id"]] for p in papers))
                meta: dict = {"title": f"{site.t['tag']}: {tag.label}"}
                if n > 1:  # search finds a tag by its first page
                    meta = {"title": f"{meta['title']} · {site.t['tag_page_of'].format(n=n, count=len(chunks))}",
                            "search": {"exclude": True}}
                yield Page(uri, key, meta,
                           {"tag": tag, "papers": papers, "pager": pager, "tags_index": TAG_INDEX.at(site.prefix),
                            "trend": shown, "feed": feed})


def tag_feed(tag_page: str) -> str:
    """Where a tag's feed goes: ``tags/<tag>/feed.xml`` beside its page ``tags/<tag>.md``."""
    return f"{tag_page.removesuffix('.md')}/{FEED_FILE}"


def tag_page(first: str, n: int) -> str:
    """Where page ``n`` (2, 3, …) of a tag goes: ``tags/<tag>/page/<n>.md`` beside its first, ``tags/<tag>.md``."""
    return f"{first.removesuffix('.md')}/page/{n}.md"


TAG = Tag("tag", "tags/{slug}.md", "tag.md")
