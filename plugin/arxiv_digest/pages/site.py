"""Site stage: store → Markdown pages (days, papers, tags, archive) from overridable Jinja2 templates."""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import yaml
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from . import feed as atom
from . import markdown as md
from . import related as similarity
from . import trends
from .. import i18n
from ..analysis.offline import offline_analysis
from ..config import DigestConfig
from ..hooks import Hooks
from ..store import Record, Store, file_stem, write_atomic

PACKAGE = Path(__file__).parents[1]
TEMPLATES = PACKAGE / "templates"

DAY_URI = "digest/{date}.md"
PAPER_URI = "papers/{stem}.md"
TAG_URI = "tags/{slug}.md"
TAGS_URI = "tags/index.md"
ARCHIVE_URI = "archive.md"
STATUS_URI = "status.md"
RELATED_LIMIT = 5  # related papers per paper page
RELATED_MIN_SCORE = 0.05  # TF-IDF cosine below which two papers share little more than common words
TRENDS_ON_INDEX = 8  # topic tags drawn on the tag index
FEED_DAYS = 30  # newest digest days in the feed


_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's: a tenth of the time per page
# A link placeholder in a cached card: autoescaping turns any "<" of the card's text into "&lt;".
_LINK = re.compile(r"<@([^<>@]+)@>")


# src_uri → (key or None, make): make() renders the page; key() hashes what it shows (see Site.plan).
Plan = dict[str, tuple[Callable[[], str] | None, Callable[[], str]]]


def slugify(name: str) -> str:
    slug = re.sub(rf"[^\w{i18n.HAN}]+", "-", name.lower()).strip("-")
    return slug or "tag"


def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives a page built from ``src_uri``."""
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
def _href(target_uri: str, from_uri: str, use_directory_urls: bool) -> str:
    """:func:`relative_url` escaped for an HTML attribute."""
    return str(escape(relative_url(target_uri, from_uri, use_directory_urls)))


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


def fingerprint(config: DigestConfig, use_directory_urls: bool, files: list[str]) -> str:
    """Hash of what generated pages are made from besides the store: the options, the plugin's code and
    templates, the site's templates and ``files`` (hook modules), the files by mtime and size."""
    paths = [Path(name) for name in files] + sorted(p for p in PACKAGE.rglob("*")
                                                    if p.is_file() and "__pycache__" not in p.parts)
    if config.templates_dir:
        paths += sorted(p for p in Path(config.templates_dir).rglob("*") if p.is_file())
    stamps = []
    for path in paths:
        try:
            stat = path.stat()
            stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append((str(path), None, None))
    return hash_key(repr(config), use_directory_urls, *stamps)


def inputs(store: Store, config: DigestConfig, use_directory_urls: bool, files: list[str]) -> tuple:
    """What the generated pages are made from: the store and :func:`fingerprint`.

    ``mkdocs serve`` rebuilds the whole site when a hand-written page is saved; with the same inputs
    the generated pages are the same, so they are kept instead of made again.
    """
    return store.signature(), fingerprint(config, use_directory_urls, files)


class Related(Sequence):
    """A paper's related papers, as templates see them: :meth:`Site.related_papers` on first use."""

    def __init__(self, site: Site, paper_id: str) -> None:
        self._site, self._id = site, paper_id

    def __getitem__(self, index: Any) -> Any:
        return self._site.related_papers(self._id)[index]

    def __len__(self) -> int:
        return len(self._site.related_papers(self._id))


@dataclass
class TagView:
    name: str
    page: str
    papers: list[dict[str, Any]] = field(default_factory=list)


class LazyView(dict):
    """A paper or day as templates see it. Its Markdown fields (escaping long texts) are made on first use:
    pages kept from the previous build never need them."""

    def __init__(self, fields: dict[str, Any], make: Callable[[], dict[str, Any]]) -> None:
        super().__init__(fields)
        self._make: Callable[[], dict[str, Any]] | None = make

    def __missing__(self, key: str) -> Any:
        make, self._make = self._make, None
        if make is None:
            raise KeyError(key)
        self.update(make())
        return self[key]


class Site:
    """The generated part of the site, computed once per build from the store."""

    def __init__(self, store: Store, config: DigestConfig, use_directory_urls: bool = True,
                 hooks: Hooks | None = None, cache_dir: Path | None = None) -> None:
        self.config = config
        self.cache_dir = cache_dir
        self.hooks = hooks or Hooks()
        self.use_directory_urls = use_directory_urls
        # A channel's title replaces the default series title everywhere (pages, feed).
        self.t = {**i18n.labels(config.language), **({"day_title": config.title} if config.title else {})}
        # Each channel's pages live under its own folder of the site.
        self.prefix = config.prefix
        self.archive_uri, self.tags_uri, self.status_uri = (self.uri(u) for u in (ARCHIVE_URI, TAGS_URI, STATUS_URI))
        self.feed_file = self.uri(atom.FEED_FILE)
        loaders = [FileSystemLoader(config.templates_dir)] if config.templates_dir else []
        self.env = Environment(loader=ChoiceLoader([*loaders, FileSystemLoader(TEMPLATES)]),
                               autoescape=select_autoescape(["html", "md"], default_for_string=True),
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                               undefined=StrictUndefined)
        self.env.filters["indent_md"] = md.indent
        self.days: list[dict[str, Any]] = []
        self.papers: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, TagView] = {}
        self._cards: dict[tuple, list[str]] = {}
        self._digests: dict[str, str] = {}  # paper id or day date → hash of its store file
        self._related: dict[str, list[dict[str, Any]]] | None = None  # made on first use: see related_papers
        self._load(store)
        # Papers count in the week of the first digest they appeared in.
        _, self.series = trends.weekly((p["days"][-1]["date_value"], p["tag_names"])
                                       for p in self.papers.values() if p["days"])

    # -- model -----------------------------------------------------------------

    def _load(self, store: Store) -> None:
        tz = ZoneInfo(self.config.timezone)
        for digest_date in store.day_dates():  # newest first
            record = store.day(digest_date)
            if record is None or not record.get("complete", True):
                continue  # a partial day is held back until arXiv's answer is stable
            papers = [self._paper(store, pid) for pid in record.get("papers", [])]
            papers = [p for p in papers if p is not None]
            if not papers:
                continue  # never publish an empty day
            summary = (record.get("summary") or {}).get("markdown")
            self._digests[record["date"]] = store.digest("days", digest_date)
            day = LazyView({
                "date": record["date"],
                "page": self.uri(DAY_URI.format(date=record["date"])),
                "papers": papers,
                "candidates": record.get("candidates"),
                "categories": record.get("categories", []),
                "window_text": self._window_text(record.get("window"), tz),
                "summary_offline": (record.get("summary") or {}).get("provenance") == "offline",
                "summary_text": md.plain(summary),
                "date_value": date.fromisoformat(record["date"]),
                "announced": _announced(record, tz),
                "top_tags": [t for t, _ in Counter(t for p in papers for t in p["tag_names"]
                                                  if t in self.config.taxonomy).most_common(3)],
            }, lambda summary=summary: {"summary_md": md.block(summary, heading_level=3)})
            for p in papers:
                p["days"].append(day)
            self.days.append(day)
        for newer, older in zip(self.days, self.days[1:]):
            newer["prev"], older["next"] = older, newer
        for day in self.days:
            day.setdefault("prev", None)
            day.setdefault("next", None)
        # Tag pages list papers newest first.
        for paper in sorted(self.papers.values(), key=lambda p: (p["published"], p["id"]), reverse=True):
            for tag in paper["tags"]:
                tag.papers.append(paper)

    @staticmethod
    def _window_text(window: dict | None, tz: ZoneInfo) -> str:
        if not window:
            return "-"
        start, end = (datetime.fromisoformat(window[k]).astimezone(tz) for k in ("start", "end"))
        return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} ({tz.key})"

    def _tag(self, name: str) -> TagView:
        if name not in self.tags:
            taken = {t.page for t in self.tags.values()}
            slug = base = slugify(name)
            n = 2
            while self.uri(TAG_URI.format(slug=slug)) in taken:
                slug, n = f"{base}-{n}", n + 1
            self.tags[name] = TagView(name, self.uri(TAG_URI.format(slug=slug)))
        return self.tags[name]

    def _paper(self, store: Store, paper_id: str) -> dict[str, Any] | None:
        if paper_id in self.papers:
            return self.papers[paper_id]
        try:
            record = store.paper(paper_id)
        except ValueError:
            return None
        if record is None:
            return None
        self.papers[paper_id] = view = self._paper_view(record)
        self._digests[paper_id] = store.digest("papers", paper_id)
        return view

    def _paper_view(self, r: Record) -> dict[str, Any]:
        """Everything templates need about a paper, escaped once here."""
        analysis = r.get("analysis") or {}
        if analysis.get("status") != "done":
            # A pending answer (refusal, failed validation) is never published: show the extraction instead.
            analysis = {**offline_analysis(r), "provenance": analysis.get("provenance"), "status": "pending",
                        "reason": analysis.get("reason")}
        authors = [md.clean(a) for a in r.get("authors", [])]
        short = ", ".join(authors[:3]) + (f" +{len(authors) - 3}" if len(authors) > 3 else "")
        tag_names = list(dict.fromkeys([*(r.get("tags") or []), *self.hooks.paper_tags(r)]))
        return LazyView({
            "id": r["id"],
            "page": self.uri(PAPER_URI.format(stem=file_stem(r["id"]))),
            # One line: a line break in a title would split its heading.
            "title": " ".join(md.clean(r["title"]).split()),
            "authors_short": short,
            "authors_all": ", ".join(authors),
            "published": r.get("published", ""),
            "submitted": (r.get("published") or "")[:10],
            "categories": r.get("categories", []),
            # Shown inside an HTML block, where Markdown is not processed: plain text, autoescaped.
            "comment": md.clean(r["comment"]) if r.get("comment") else None,
            "abstract_text": md.clean(r.get("abstract")),
            "tldr": md.clean(analysis.get("tldr")),
            "provenance": analysis.get("provenance"),
            "offline": analysis.get("provenance") == "offline" or analysis.get("status") != "done",
            "pending": analysis.get("status") == "pending",
            "reason": analysis.get("reason"),
            "full_text": bool(analysis.get("full_text")),
            # Templates rely on abs and pdf: rebuild them from the id when missing or not web links.
            "links": {"abs": f"https://arxiv.org/abs/{r['id']}", "pdf": f"https://arxiv.org/pdf/{r['id']}",
                      **{k: v for k, v in (r.get("links") or {}).items() if _is_web(v)}},
            "code_links": [u for u in r.get("code_links") or [] if _is_web(u)],
            "tag_names": tag_names,
            # "Why this paper": the ranking's matched keywords, followed authors, LLM score, pins.
            "why": [md.clean(str(reason)) for reason in (r.get("ranking") or {}).get("reasons", [])],
            "extra": self.hooks.card_context(r),
            "tags": [self._tag(n) for n in tag_names],
            "days": [],
            "related": Related(self, r["id"]),
        }, lambda: self._paper_markdown(r, analysis))

    @staticmethod
    def _paper_markdown(r: Record, analysis: dict[str, Any]) -> dict[str, Any]:
        """The paper's texts as Markdown, for the day and paper pages."""
        body = analysis.get("body")
        return {
            "title_md": md.inline(" ".join(r["title"].split())),
            "abstract_md": md.paragraphs(r.get("abstract"), search_exclude=True),
            "tldr_md": md.inline(analysis.get("tldr")),
            "key_findings": [md.inline(k) for k in analysis.get("key_findings") or []],
            "body_md": md.block(body, heading_level=None) if body else None,
            "body_md_page": md.block(body, heading_level=3, search_exclude=True) if body else None,
        }

    def related_papers(self, paper_id: str) -> list[dict[str, Any]]:
        """A published paper's most similar papers in the archive (titles and abstracts, TF-IDF cosine).

        Computed for the whole archive on first use, so in the process that renders the paper pages."""
        if self._related is None:
            published = [p for p in self.papers.values() if p["days"]]
            texts = [(p["id"], p["title"], p["abstract_text"]) for p in published]
            # A year of papers takes about a second: the result is kept in cache_dir until a text changes.
            key = hashlib.sha256(json.dumps([RELATED_LIMIT, RELATED_MIN_SCORE, texts]).encode()).hexdigest()
            path = self.cache_file("related.json")
            found = read_cache(path, key, "related")
            if found is None:
                found = similarity.related_ids(texts, limit=RELATED_LIMIT, min_score=RELATED_MIN_SCORE)
                if path is not None:
                    write_atomic(path, json.dumps({"key": key, "related": found}), durable=False)
            self._related = {p["id"]: [self.papers[other] for other in found.get(p["id"], []) if other in self.papers]
                             for p in published}
        return self._related.get(paper_id, [])

    # -- rendering -------------------------------------------------------------

    def cache_file(self, name: str) -> Path | None:
        """A file of this channel's in ``cache_dir`` (None without one)."""
        return self.cache_dir / self.prefix / name if self.cache_dir else None

    def uri(self, src_uri: str) -> str:
        """Where a generated page goes: inside the channel's folder."""
        return posixpath.join(self.prefix, src_uri) if self.prefix else src_uri

    def index_title(self, label: str) -> str:
        """Title of an index page (archive, tags, status), naming the series when it has its own title."""
        return f"{self.t[label]} · {self.config.title}" if self.config.title else self.t[label]

    def _render(self, template: str, src_uri: str, meta: dict[str, Any], **context: Any) -> str:
        def rel(target: str) -> str:
            return relative_url(target, src_uri, self.use_directory_urls)

        def link(target: str) -> str:
            # Markdown links point at source files: MkDocs checks and rewrites them.
            return posixpath.relpath(target, posixpath.dirname(src_uri) or ".")

        def card(p: dict[str, Any], number: int | None = None, anchor: bool = False, compact: bool = False) -> Markup:
            return self.card(p, src_uri, number=number, anchor=anchor, compact=compact)

        body = self.env.get_template(template).render(t=self.t, rel=rel, link=link, card=card,
                                                      page_title=meta.get("title"), **context)
        # Themes print page.meta values (title, tags, description) without escaping: escape them here.
        meta = {k: _escape_meta(v) for k, v in meta.items()}
        front = yaml.dump({"render_macros": False, **meta}, Dumper=_YAML_DUMPER, allow_unicode=True, sort_keys=False)
        return f"---\n{front}---\n\n{body}"

    def card(self, p: dict[str, Any], from_uri: str, number: int | None = None, anchor: bool = False,
             compact: bool = False) -> Markup:
        """One paper card; ``compact`` leaves out the TL;DR (lists of related papers).

        A paper's card shows up on many pages (days, tags, related lists): it is rendered once per variant
        with link placeholders, and each page fills in its own relative links.
        """
        key = (p["id"], number, anchor, compact)
        parts = self._cards.get(key)
        if parts is None:
            text = self.env.get_template("card.html").render(
                p=p, t=self.t, rel=lambda target: Markup(f"<@{target}@>"), number=number, anchor=anchor,
                compact=compact, extra=p["extra"])
            # Text and link targets alternate: a page joins them with its own links, no regex per card.
            self._cards[key] = parts = _LINK.split(" ".join(line.strip() for line in text.splitlines()
                                                            if line.strip()))
        urls = self.use_directory_urls
        return Markup("".join([part if i % 2 == 0 else _href(part, from_uri, urls) for i, part in enumerate(parts)]))

    def pages(self) -> dict[str, str]:
        """src_uri → Markdown of every generated page."""
        return {uri: make() for uri, (_, make) in self.plan().items()}

    def plan(self) -> Plan:
        """src_uri → (key, make) of every generated page: ``make()`` renders the page, and pages with equal
        ``key()`` are equal (for the same options, templates and code). Pages made from the whole archive (tag
        index, archive) have no key. Both are called where the pages are written (a paper's key needs the
        related papers).

        A page's key hashes the store files of what it shows: its day or paper, the day's papers, a paper's
        related papers, a tag's papers, with their tags and days (see :meth:`_fingerprints`).
        """
        prints = self._fingerprints()
        plan: Plan = {}
        for day in self.days:
            meta = {"title": f"{self.t['day_title']} · {day['date']}",
                    "description": md.shorten(day["summary_text"], 200)}
            key = partial(hash_key, "day", self._digests[day["date"]], *(prints[p["id"]] for p in day["papers"]),
                          *(d and d["date"] for d in (day["prev"], day["next"])))
            plan[day["page"]] = key, partial(self._render, "day.md", day["page"], meta, day=day)
        for p in self.papers.values():
            if not p["days"]:
                continue
            meta = {"title": p["title"], "description": p["tldr"][:300], "tags": p["tag_names"], "hide": ["tags"]}
            key = lambda p=p: hash_key("paper", prints[p["id"]], *(prints[r["id"]] for r in p["related"]))
            plan[p["page"]] = key, partial(self._render, "paper.md", p["page"], meta, p=p)
        tags = sorted(self.tags.values(), key=lambda t: (-len(t.papers), t.name))
        for tag in tags:
            trend = self.trend_figure(tag.name, "ad-trend")
            key = partial(hash_key, "tag", tag.name, tag.page, trend, *(prints[p["id"]] for p in tag.papers))
            plan[tag.page] = key, partial(self._render, "tag.md", tag.page, {"title": f"{self.t['tag']}: {tag.name}"},
                                          tag=tag, tags_index=self.tags_uri, trend=trend)
        topics = [t for t in tags if t.name in self.config.taxonomy][:TRENDS_ON_INDEX]
        figures = [(t, self.trend_figure(t.name, f"ad-trend-{i}", small=True)) for i, t in enumerate(topics, 1)]
        plan[self.tags_uri] = None, partial(self._render, "tags.md", self.tags_uri, {"title": self.index_title("tags")},
                                            tags=tags, trends=figures)
        # The archive only leads to the day pages: nothing in it is worth a search result.
        plan[self.archive_uri] = None, partial(self._render, "archive.md", self.archive_uri,
                                               {"title": self.index_title("archive"), "search": {"exclude": True}},
                                               months=self.calendar(), weekdays=self.t["weekdays"].split())
        return plan

    def _fingerprints(self) -> dict[str, str]:
        """Paper id → hash of everything a page may show of the paper: its store file, its tags (names and pages,
        hooks' included), its hooks' card context and the days it appeared on."""
        return {pid: hash_key(self._digests[pid], *p["tag_names"], *(t.page for t in p["tags"]), repr(p["extra"]),
                           *(d["date"] for d in p["days"]))
                for pid, p in self.papers.items()}

    # -- trends, trending tags, archive calendar, feed -----------------------------

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
        for p in self.papers.values():
            if not p["days"]:
                continue
            first = p["days"][-1]["date_value"]
            window = recent if first >= recent_from else before if first >= before_from else None
            if window is not None:
                window.update(t for t in p["tag_names"] if t in self.config.taxonomy)
        # Without digests before the window (a young archive) there is nothing to compare with: rank by count.
        compare = self.days[-1]["date_value"] < recent_from
        rows = [{"name": name, "page": self.tags[name].page, "recent": n, "before": before[name],
                 "change": n - before[name] if compare else None, "new": compare and not before[name]}
                for name, n in recent.items()]
        rows.sort(key=lambda r: (-(r["change"] if compare else r["recent"]), -r["recent"], r["name"]))
        return rows[:limit]

    def trending_chips(self, from_uri: str, weeks: int = 4, limit: int | None = 8) -> Markup:
        """:meth:`trending` as tag chips linking to the tag pages."""
        html_text = self.env.get_template("trending.html").render(
            rows=self.trending(weeks, limit), weeks=weeks, t=self.t,
            rel=lambda target: relative_url(target, from_uri, self.use_directory_urls))
        return Markup(" ".join(line.strip() for line in html_text.splitlines() if line.strip()) + "\n")

    def calendar(self) -> list[dict[str, Any]]:
        """Months with digests, newest first, as month grids: every day a cell, placed by weekday and week row.

        Cells come newest first (the order of the list a phone shows); the
        stylesheet places them in the grid by their column and row classes.
        """
        by_month: dict[tuple[int, int], dict[int, dict[str, Any]]] = defaultdict(dict)
        for day in self.days:
            d = day["date_value"]
            by_month[(d.year, d.month)][d.day] = day
        months = []
        for (year, month), digests in sorted(by_month.items(), reverse=True):
            offset = date(year, month, 1).weekday()
            cells = []
            for number in range(calendar.monthrange(year, month)[1], 0, -1):
                slot = offset + number - 1
                cells.append({"number": number, "date": f"{year:04d}-{month:02d}-{number:02d}",
                              "col": slot % 7 + 1, "row": slot // 7 + 1, "weekend": slot % 7 >= 5,
                              "day": digests.get(number)})
            label = self.t["month"].format(y=year, m=month)
            months.append({"label": label, "aria": self.t["calendar_label"].format(month=label), "cells": cells})
        return months

    def feed_entries(self, site_url: str, limit: int = FEED_DAYS) -> list[atom.Entry]:
        """The newest digest days as Atom feed entries with absolute links (``site_url`` is the site's root)."""
        base = site_url if site_url.endswith("/") else site_url + "/"

        def absolute(src_uri: str) -> str:
            return urljoin(base, page_url(src_uri, self.use_directory_urls))

        return [atom.Entry(title=f"{self.t['day_title']} · {day['date']}", url=absolute(day["page"]),
                           published=day["announced"], summary=md.shorten(day["summary_text"], 500),
                           papers=[(p["title"], absolute(p["page"]), p["tldr"]) for p in day["papers"]])
                for day in self.days[:limit]]

    def status_page(self, info: dict[str, Any]) -> str:
        """The site's status page: freshness, pending analyses, build time."""
        info = {**info, "pending": [p for p in self.papers.values() if p["pending"] and p["days"]],
                "newest_page": self.uri(DAY_URI.format(date=info["newest"])) if info.get("newest") else None}
        return self._render("status.md", self.status_uri, {"title": self.index_title("status"),
                                                          "search": {"exclude": True}}, info=info)

    def cards(self, from_uri: str, tag: str | None = None, limit: int | None = None, day: str | None = None) -> Markup:
        """Cards for hand-written pages: the latest day's, a given day's, or a tag's (newest first)."""
        if tag is not None:
            papers = self.tags[tag].papers if tag in self.tags else []
        elif self.days:
            chosen = next((d for d in self.days if d["date"] == day), None) if day else self.days[0]
            papers = chosen["papers"] if chosen else []
        else:
            papers = []
        inner = "\n".join(self.card(p, from_uri) for p in papers[:limit])
        # Cards repeat their paper pages: search skips them (a <section>: Material's parser ends an exclusion
        # at the first closing tag of the same name, and cards hold <div>s).
        return Markup(f'<section class="ad-cards" data-search-exclude>\n{inner}\n</section>\n')


def read_cache(path: Path | None, key: str, field: str) -> Any:
    """The ``field`` dict of a cache file written for ``key``; None when absent, stale or unreadable."""
    try:
        cached = json.loads(path.read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        return None
    if not isinstance(cached, dict) or cached.get("key") != key or not isinstance(cached.get(field), dict):
        return None
    return cached[field]


def hash_key(*parts: Any) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=16).hexdigest()


def _escape_meta(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, list):
        return [_escape_meta(v) for v in value]
    return value


def _is_web(url: Any) -> bool:
    return isinstance(url, str) and re.match(r"^https?://[^\s\"'<>]+$", url) is not None


def _announced(record: dict[str, Any], tz: ZoneInfo) -> datetime:
    """When a day's announcement was made (stored by the fetch); midnight of the digest date when unknown."""
    try:
        moment = datetime.fromisoformat(record["announced"])
    except (KeyError, TypeError, ValueError):
        return datetime.combine(date.fromisoformat(record["date"]), datetime.min.time(), tz)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
