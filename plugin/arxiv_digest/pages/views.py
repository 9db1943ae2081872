"""The view model: the published part of the store as templates see it (days newest first, their papers,
the tags), escaped once here, with what each page's cache key hashes."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import markdown as md
from .. import i18n
from . import listed as listing_views
from . import related as similarity
from .cache import hash_key, read_cache, write_cache
from .kinds import DAY, PAPER, TAG
from .urls import slugify
from ..analysis.offline import current_tags, offline_analysis, offline_summary
from ..analysis.taxonomy import display_name, search_terms
from ..config import DigestConfig
from ..hooks import Hooks
from ..listing import counts
from ..arxiv import bibtex
from ..arxiv.ids import file_stem
from ..arxiv.links import code_links, dedupe_urls, project_pages
from ..model import Provenance, Record, Status, is_publishable, summary_problem, unpublishable_reason
from ..store import Store

RELATED_LIMIT = 5  # related papers per paper page
RELATED_MIN_SCORE = 0.05  # TF-IDF cosine below which two papers share little more than common words


class Related(Sequence):
    """A paper's related papers, as templates see them: :meth:`Views.related_papers` on first use."""

    def __init__(self, views: Views, paper_id: str) -> None:
        self._views, self._id = views, paper_id

    def __getitem__(self, index: Any) -> Any:
        return self._views.related_papers(self._id)[index]

    def __len__(self) -> int:
        return len(self._views.related_papers(self._id))


@dataclass
class TagView:
    name: str  # as stored (the taxonomy's name); its page's slug comes from it
    page: str
    label: str = ""  # as the site's language shows it (三维视觉)
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


class Views:
    """The published days (newest first), every paper they list and every tag of those papers."""

    def __init__(self, store: Store, config: DigestConfig, hooks: Hooks, related_file: Path | None) -> None:
        self.config = config
        self.hooks = hooks
        self.days: list[dict[str, Any]] = []
        self.papers: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, TagView] = {}
        self._digests: dict[str, str] = {}  # paper id or day date → hash of its store file
        self._related_file = related_file
        self._related: dict[str, list[dict[str, Any]]] | None = None  # made on first use: see related_papers
        self._store = store
        self._load(store)

    def published(self) -> list[dict[str, Any]]:
        """The papers of the published days (a paper of a day held back is in :attr:`papers` only)."""
        return [p for p in self.papers.values() if p["days"]]

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
            stored = record.get("summary") or {}
            if summary_problem(stored):
                # An LLM summary a newer gate rejects is not published: the day's offline summary stands in.
                records = [p for p in (store.paper(pid) for pid in record["papers"]) if p is not None]
                stored = offline_summary(records, self.config.categories, self.config.language, self.config.taxonomy)
            summary = stored.get("markdown")
            # The day page shows its listed file too: its hash is part of the day's (read, not parsed, here).
            listed = store.listed_digest(digest_date) if self.config.listed else ""
            self._digests[record["date"]] = hash_key(store.digest("days", digest_date), listed) if listed \
                else store.digest("days", digest_date)
            day = LazyView({
                "date": record["date"],
                "page": DAY.at(self.config.prefix, date=record["date"]),
                "papers": papers,
                "candidates": record.get("candidates"),
                # announced, featured, listed, excluded, ...: the count line (only the counts that are not 0)
                "counts": [(k, n) for k, n in counts(record, len(papers)).items() if n or k in ("announced", "featured")],
                "categories": record.get("categories", []),
                "window_text": _window_text(record.get("window"), tz),
                "summary_offline": stored.get("provenance") == Provenance.OFFLINE,
                "summary_text": md.plain(summary),
                "date_value": date.fromisoformat(record["date"]),
                "announced": _announced(record, tz),
                "top_tags": [t for t, _ in Counter(t for p in papers for t in p["tag_names"]
                                                  if t in self.config.taxonomy).most_common(3)],
            # The summary collapsed on the day page: its headings as bold lines, out of the table of contents.
            }, lambda summary=summary, date=digest_date: {
                "summary_md": md.block(summary, heading_level=None),
                "listed": listing_views.entries(store, self.config, date) if self.config.listed else []})
            for p in papers:
                p["days"].append(day)
            self.days.append(day)
        for newer, older in zip(self.days, self.days[1:]):
            newer["prev"], older["next"] = older, newer
        for day in reversed(self.days):  # oldest first: a paper keeps the neighbours of its newest day
            papers = day["papers"]
            for i, paper in enumerate(papers):
                paper["day_prev"] = papers[i - 1] if i else None
                paper["day_next"] = papers[i + 1] if i + 1 < len(papers) else None
        for day in self.days:
            day.setdefault("prev", None)
            day.setdefault("next", None)
        # Tag pages list papers newest first.
        for paper in sorted(self.papers.values(), key=lambda p: (p["published"], p["id"]), reverse=True):
            for tag in paper["tags"]:
                tag.papers.append(paper)

    def _tag(self, name: str) -> TagView:
        if name not in self.tags:
            taken = {t.page for t in self.tags.values()}
            slug = base = slugify(name)
            n = 2
            while TAG.at(self.config.prefix, slug=slug) in taken:
                slug, n = f"{base}-{n}", n + 1
            self.tags[name] = TagView(name, TAG.at(self.config.prefix, slug=slug), display_name(name, self.config.language))
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
        publishable = is_publishable(analysis)  # the gate's build-time checks: run once per paper
        if not publishable:
            # A pending answer (refusal, failed validation) is never published: show the extraction instead.
            analysis = {**offline_analysis(r), "provenance": analysis.get("provenance"), "status": Status.PENDING,
                        "reason": unpublishable_reason(analysis)}
        elif analysis.get("provenance") == Provenance.OFFLINE:
            # An extraction, derived from the abstract: made by this version of the analyzer, not the stored one.
            analysis = offline_analysis(r)
        authors = [md.clean(a) for a in r.get("authors", [])]
        # Links announced in the abstract and comment by today's rule, with those stored by older fetches and imports.
        found = dedupe_urls([*(r.get("code_links") or []), *code_links(r.get("abstract"), r.get("comment"))])
        announced = [u for u in found if _is_web(u)]
        project = project_pages(announced, r.get("abstract"), r.get("comment"))
        short = ", ".join(authors[:3]) + (f" +{len(authors) - 3}" if len(authors) > 3 else "")
        # The keyword tagger's tags are made again, like the extraction: better rules reach a stored archive.
        tags = current_tags(r, self.config.taxonomy, self.config.max_tags)
        tag_names = list(dict.fromkeys([*tags, *self.hooks.paper_tags(r)]))
        return LazyView({
            "id": r["id"],
            "page": PAPER.at(self.config.prefix, stem=file_stem(r["id"])),
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
            "offline": analysis.get("provenance") == Provenance.OFFLINE or not publishable,
            "pending": not publishable,
            "reason": analysis.get("reason"),
            "full_text": bool(analysis.get("full_text")),
            "links": _links(r),
            "code_links": [u for u in announced if u not in project],
            "project_links": project,
            "tag_names": tag_names,
            # "Why this paper": the ranking's matched keywords, followed authors, LLM score, pins.
            "why": [md.clean(str(reason)) for reason in (r.get("ranking") or {}).get("reasons", [])],
            "extra": self.hooks.card_context(r),
            "tags": [self._tag(n) for n in tag_names],
            "days": [],
            "related": Related(self, r["id"]),
            "figure": self._figure(r),
            "day_prev": None,  # its neighbours on the newest day it appeared on
            "day_next": None,
            # lang="en" for English text on a page of another language (screen readers switch voice).
            "title_lang": i18n.text_lang(r["title"], self.config.language),
            "tldr_lang": i18n.text_lang(analysis.get("tldr"), self.config.language),
        }, lambda: _paper_markdown(r, analysis, self.config.taxonomy, self.config.language))

    def _figure(self, r: Record) -> dict[str, Any] | None:
        """The paper's stored figure as pages show it (``uri``: where the site serves it), or None."""
        figure = r.get("figure") or {}
        # Only from where the store writes figures, whatever a (hand-edited) record says: a site publishes no
        # other file of the machine.
        stored = self._store.figure_path(r["id"]).relative_to(self._store.root).as_posix()
        if not self.config.figures or figure.get("file") != stored:
            return None
        path = self._store.figure_file(r["id"])
        if path is None:
            return None
        uri = PAPER.at(self.config.prefix, stem=file_stem(r["id"]))[: -len(".md")] + ".webp"
        return {"uri": uri, "path": path, "alt": " ".join(md.clean(figure.get("caption")).split()),
                "width": int(figure.get("width") or 0), "height": int(figure.get("height") or 0)}

    def figure_files(self) -> dict[str, Path]:
        """Where the site serves each published paper's figure → the file in the store."""
        return {p["figure"]["uri"]: p["figure"]["path"] for p in self.published() if p["figure"]}

    def related_papers(self, paper_id: str) -> list[dict[str, Any]]:
        """A published paper's most similar papers in the archive (titles and abstracts, TF-IDF cosine).

        Computed for the whole archive on first use, so in the process that renders the paper pages."""
        if self._related is None:
            published = self.published()
            texts = [(p["id"], p["title"], p["abstract_text"]) for p in published]
            # A year of papers takes about a second: the result is kept in cache_dir until a text changes.
            key = hash_key(json.dumps([RELATED_LIMIT, RELATED_MIN_SCORE, texts]))
            found = read_cache(self._related_file, key, "related")
            if found is None:
                found = similarity.related_ids(texts, limit=RELATED_LIMIT, min_score=RELATED_MIN_SCORE)
                if self._related_file is not None:
                    write_cache(self._related_file, key, "related", found)
            self._related = {p["id"]: [self.papers[other] for other in found.get(p["id"], []) if other in self.papers]
                             for p in published}
        return self._related.get(paper_id, [])

    def digest(self, day_or_paper: str) -> str:
        """Hash of the store file of a day (by date) or a paper (by id)."""
        return self._digests[day_or_paper]

    def fingerprints(self) -> dict[str, str]:
        """Paper id → hash of everything a page may show of the paper: its store file, its tags (names and pages,
        hooks' included), its hooks' card context and the days it appeared on."""
        return {pid: hash_key(self._digests[pid], *p["tag_names"], *(t.page for t in p["tags"]), repr(p["extra"]),
                           *(d["date"] for d in p["days"]), bool(p["figure"]))
                for pid, p in self.papers.items()}


def _paper_markdown(r: Record, analysis: dict[str, Any], taxonomy: dict[str, list[str]],
                    language: str) -> dict[str, Any]:
    """The paper's texts as Markdown, for the day and paper pages, and the words search finds it by besides."""
    body = analysis.get("body")
    return {
        "search_terms": search_terms(f"{r['title']}\n{r.get('abstract') or ''}", taxonomy),
        "title_md": md.inline(" ".join(r["title"].split())),
        "abstract_md": md.paragraphs(r.get("abstract"), search_exclude=True,
                                     lang=i18n.text_lang(r.get("abstract"), language)),
        "tldr_md": md.inline(analysis.get("tldr")),
        "key_findings": [md.inline(k) for k in analysis.get("key_findings") or []],
        "body_md": md.block(body, heading_level=None) if body else None,
        "body_md_page": md.block(body, heading_level=3, search_exclude=True) if body else None,
        "bibtex": md.CONTROL_RE.sub("", bibtex.entry(r)),  # hidden characters hide or reorder text: never shown
    }


def _links(r: Record) -> dict[str, str]:
    """arXiv's abstract, PDF and HTML full text of a paper. Templates rely on them: rebuilt from the id when missing
    or not web links; the HTML is the abstract's address with /html/ (the same version), as arXiv serves it."""
    links = {"abs": f"https://arxiv.org/abs/{r['id']}", "pdf": f"https://arxiv.org/pdf/{r['id']}",
             **{k: v for k, v in (r.get("links") or {}).items() if _is_web(v)}}
    return {**links, "html": links["abs"].replace("/abs/", "/html/", 1)}


def _window_text(window: dict | None, tz: ZoneInfo) -> str:
    if not window:
        return "-"
    start, end = (datetime.fromisoformat(window[k]).astimezone(tz) for k in ("start", "end"))
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} ({tz.key})"


def _is_web(url: Any) -> bool:
    return isinstance(url, str) and re.match(r"^https?://[^\s\"'<>]+$", url) is not None


def _announced(record: dict[str, Any], tz: ZoneInfo) -> datetime:
    """When a day's announcement was made (stored by the fetch); midnight of the digest date when unknown."""
    try:
        moment = datetime.fromisoformat(record["announced"])
    except (KeyError, TypeError, ValueError):
        return datetime.combine(date.fromisoformat(record["date"]), datetime.min.time(), tz)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
