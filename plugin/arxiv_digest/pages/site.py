"""Site stage: store → Markdown pages (days, papers, tags, archive) from overridable Jinja2 templates.

:class:`Site` is what the plugin, the macros and the feed use: the view model (:mod:`.views`), the page plan
made of the page kinds (:mod:`.kinds`), and what hand-written pages and the feed show (trends, trending tags,
cards, feed entries).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from markupsafe import Markup

from . import feed as atom
from . import markdown as md
from . import trends
from .cache import Plan
from .kinds import DAY, KINDS, STATUS
from .kinds.tag import tag_feed
from .render import Renderer
from .urls import in_channel, page_url, relative_url
from .views import Views
from .. import i18n
from ..config import DigestConfig
from ..hooks import Hooks
from ..store import Store

FEED_ENTRIES = 30  # newest digest days in a channel's feed, newest papers in a tag's


class Site:
    """The generated part of the site, computed once per build from the store."""

    def __init__(self, store: Store, config: DigestConfig, use_directory_urls: bool = True,
                 hooks: Hooks | None = None, cache_dir: Path | None = None, feeds: bool = False) -> None:
        self.config = config
        self.feeds_written = feeds  # the site has a site_url: feeds are written and tag pages link theirs
        self.cache_dir = cache_dir
        self.use_directory_urls = use_directory_urls
        # A channel's title replaces the default series title everywhere (pages, feed).
        self.t = {**i18n.labels(config.language), **({"day_title": config.title} if config.title else {})}
        # Each channel's pages live under its own folder of the site.
        self.prefix = config.prefix
        self.status_uri = STATUS.at(self.prefix)
        self.feed_file = in_channel(self.prefix, atom.FEED_FILE)
        self.renderer = Renderer(config.templates_dir, self.t, use_directory_urls)
        self.views = Views(store, config, hooks or Hooks(), self.cache_file("related.json"))
        self.days, self.papers, self.tags = self.views.days, self.views.papers, self.views.tags
        self.day_pages = {day["page"] for day in self.days}
        # Papers count in the week of the first digest they appeared in.
        _, self.series = trends.weekly((p["days"][-1]["date_value"], p["tag_names"]) for p in self.views.published())

    def cache_file(self, name: str) -> Path | None:
        """A file of this channel's in ``cache_dir`` (None without one)."""
        return self.cache_dir / self.prefix / name if self.cache_dir else None

    def index_title(self, label: str) -> str:
        """Title of an index page (archive, tags, status), naming the series when it has its own title."""
        return f"{self.t[label]} · {self.config.title}" if self.config.title else self.t[label]

    @property
    def index_pages(self) -> set[str]:
        """The src_uris of the index pages (in the nav); the other generated pages are reachable by links only."""
        return {kind.at(self.prefix) for kind in KINDS if kind.index}

    def plan(self) -> Plan:
        """src_uri → (key, make) of every generated page, kind by kind in the order of :data:`.kinds.KINDS`:
        ``make()`` renders the page, and pages with equal ``key()`` are equal (for the same options, templates
        and code). Pages made from the whole archive (tag index, archive) have no key. Both are called where
        the pages are written (a paper's key needs the related papers).

        A page's key hashes the store files of what it shows: its day or paper, the day's papers, a paper's
        related papers, a tag's papers, with their tags and days (see :meth:`.views.Views.fingerprints`).
        """
        prints = self.views.fingerprints()
        plan: Plan = {}
        for kind in KINDS:
            plan.update(kind.plan(self, prints))
        return plan

    def status_page(self, info: dict[str, Any]) -> str:
        """The site's status page: freshness, pending analyses, build time."""
        return STATUS.render(self, STATUS.page(self, info))

    # -- trends, trending tags, cards, feed ----------------------------------------

    def trend_figure(self, tag: str, ident: str, small: bool = False) -> Markup:
        """A tag's papers per week over the whole archive as inline SVG (empty when the tag is unknown)."""
        series = self.series.get(tag)
        if series is None:
            return Markup("")
        labels = trends.Labels(title=self.t["trend_title"], desc=self.t["trend_desc"], bar=self.t["trend_bar"],
                               peak=self.t["trend_peak"], empty=self.t["trend_empty"])
        size = {"width": 240, "height": 84, "bar_titles": False} if small else {}
        return Markup(trends.svg(series, labels, ident, **size))

    def trending(self, weeks: int = 4, limit: int | None = 8) -> list[dict[str, Any]]:
        """Topic tags ranked by how many more papers they had in the last ``weeks`` weeks than in the weeks before.

        Weeks count back from the newest digest (not from today), so a site
        built from an old store still shows its own trends.
        """
        if not self.days:
            return []
        newest = self.days[0]["date_value"]
        recent_from = newest - timedelta(days=7 * weeks - 1)
        before_from = recent_from - timedelta(days=7 * weeks)
        recent: Counter[str] = Counter()
        before: Counter[str] = Counter()
        for p in self.views.published():
            first = p["days"][-1]["date_value"]
            window = recent if first >= recent_from else before if first >= before_from else None
            if window is not None:
                window.update(t for t in p["tag_names"] if t in self.config.taxonomy)
        # Without digests before the window (a young archive) there is nothing to compare with: rank by count.
        compare = self.days[-1]["date_value"] < recent_from
        rows = [{"name": name, "label": self.tags[name].label, "page": self.tags[name].page, "recent": n,
                 "before": before[name],
                 "change": n - before[name] if compare else None, "new": compare and not before[name]}
                for name, n in recent.items()]
        rows.sort(key=lambda r: (-(r["change"] if compare else r["recent"]), -r["recent"], r["name"]))
        return rows[:limit]

    def trending_chips(self, from_uri: str, weeks: int = 4, limit: int | None = 8) -> Markup:
        """:meth:`trending` as tag chips linking to the tag pages."""
        return Markup(self.renderer.snippet(
            "trending.html", rows=self.trending(weeks, limit), weeks=weeks, t=self.t,
            rel=lambda target: relative_url(target, from_uri, self.use_directory_urls)) + "\n")

    def cards(self, from_uri: str, tag: str | None = None, limit: int | None = None, day: str | None = None) -> Markup:
        """Cards for hand-written pages: the latest day's, a given day's, or a tag's (newest first)."""
        if tag is not None:
            papers = self.tags[tag].papers if tag in self.tags else []
        elif self.days:
            chosen = next((d for d in self.days if d["date"] == day), None) if day else self.days[0]
            papers = chosen["papers"] if chosen else []
        else:
            papers = []
        inner = "\n".join(self.renderer.card(p, from_uri) for p in papers[:limit])
        # Cards repeat their paper pages: search skips them (a <section>: Material's parser ends an exclusion
        # at the first closing tag of the same name, and cards hold <div>s).
        return Markup(f'<section class="ad-cards" data-search-exclude>\n{inner}\n</section>\n')

    def feeds(self, site_url: str, title: str, **meta: str | None) -> dict[str, bytes]:
        """Atom documents by their path in the site: the channel's newest digest days (each summed up by its
        papers' TL;DRs) and each tag's newest papers. ``site_url`` is the site's root; ``meta`` goes to
        :func:`.feed.build` (subtitle, language, author)."""
        base = site_url if site_url.endswith("/") else site_url + "/"

        def absolute(src_uri: str) -> str:
            return urljoin(base, page_url(src_uri, self.use_directory_urls))

        days = [atom.Entry(title=DAY.title(self, day), url=absolute(day["page"]), published=day["announced"],
                           summary="\n".join(f"{i}. {p['title']}: {p['tldr']}" for i, p in enumerate(day["papers"], 1)),
                           papers=[(p["title"], absolute(p["page"]), p["tldr"]) for p in day["papers"]],
                           categories=[t for t, _ in Counter(t.label for p in day["papers"] for t in p["tags"])
                                       .most_common()])
                for day in self.days[:FEED_ENTRIES]]
        documents = {self.feed_file: atom.build(days, site_url=site_url, title=title, path=self.feed_file, **meta)}
        for tag in self.tags.values():
            papers = [atom.Entry(title=p["title"], url=absolute(p["page"]), published=p["days"][-1]["announced"],
                                 summary=p["tldr"], categories=[t.label for t in p["tags"]])
                      for p in tag.papers[:FEED_ENTRIES] if p["days"]]
            path = tag_feed(tag.page)
            documents[path] = atom.build(papers, site_url=site_url, title=f"{title} · {tag.label}", path=path, **meta)
        return documents

    def stale_notice(self, src_uri: str, info: dict[str, Any]) -> str | None:
        """What readers of a day page or of the home page are told when the digest lags arXiv (``info``: the
        status page's); None on other pages, or when it does not lag."""
        if not (info.get("stale") and info.get("newest")) or (src_uri != "index.md" and src_uri not in self.day_pages):
            return None
        return self.renderer.fragment("stale_notice.md", src_uri, info=info, status_page=self.status_uri)

