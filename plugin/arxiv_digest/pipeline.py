"""Runs the stages over a set of announcement days: fetch → store → analyze.

Shared by ``mkdocs build``/``serve`` and the ``arxiv-digest`` command line, so
each can run any prefix of the pipeline from the store.
"""

from __future__ import annotations

from mkdocs.plugins import get_plugin_logger

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .analysis import analyze_offline, offline_summary
from .announce import Announcement
from .config import DigestConfig
from .source import ArxivSource, FetchError
from .store import Record, Store

log = get_plugin_logger(__name__)

# Metadata refreshed from arXiv on refetch; everything else (analysis, tags) is kept.
METADATA = ("version", "title", "authors", "published", "updated", "categories", "primary_category", "abstract",
            "comment", "journal_ref", "doi", "links", "code_links")


@dataclass
class Report:
    """What one run did, for the closing summary."""

    days_fetched: list[str] = field(default_factory=list)
    days_empty: list[str] = field(default_factory=list)
    papers_new: int = 0
    files_written: int = 0
    requests: int = 0
    failures: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"days fetched: {len(self.days_fetched)} ({', '.join(self.days_fetched) or '-'}); "
               f"new papers: {self.papers_new}; files written: {self.files_written}; arXiv requests: {self.requests}"]
        if self.days_empty:
            out.append(f"no papers announced (not published, retried next run): {', '.join(self.days_empty)}")
        out += [f"failed: {f}" for f in self.failures]
        return out


def merge_paper(old: Record | None, new: Record) -> Record:
    """New metadata over the stored record; stored analysis and tags survive."""
    if old is None:
        return new
    merged = dict(old)
    merged.update({key: new[key] for key in METADATA if key in new})
    return merged


def store_day(store: Store, config: DigestConfig, ann: Announcement, papers: list[Record], candidates: int,
              report: Report) -> None:
    """Write a fetched day and its papers (analyzed offline where nothing better exists)."""
    date = ann.digest_date.isoformat()
    chosen = papers[: config.max_papers or None]
    stored = []
    for paper in chosen:
        old = store.paper(paper["id"])
        record = analyze_offline(merge_paper(old, paper), config.taxonomy, config.max_tags)
        report.papers_new += old is None
        report.files_written += store.save_paper(record)
        stored.append(record)
    old_day = store.day(date) or {}
    ids = [p["id"] for p in stored]
    summary = old_day.get("summary")
    if not summary or summary.get("provenance") == "offline" or old_day.get("papers") != ids:
        summary = offline_summary(stored, config.categories, config.language, config.taxonomy)
    day = {
        **old_day,
        "date": date,
        "announced": ann.announced.isoformat(),
        "window": {"start": ann.start.isoformat(), "end": ann.end.isoformat()},
        "categories": list(config.categories),
        "papers": ids,
        "candidates": candidates,
        "source": "arxiv",
        "summary": summary,
    }
    report.files_written += store.save_day(day)
    report.days_fetched.append(date)


def update(store: Store, config: DigestConfig, announcements: Iterable[Announcement], refetch: bool = False,
           progress: Callable[[Announcement], None] | None = None) -> Report:
    """Fetch the announcements missing from the store (all of them with ``refetch``) and store them."""
    report = Report()
    source = ArxivSource(config.arxiv)
    with store.lock():
        for ann in announcements:
            if progress:
                progress(ann)
            date = ann.digest_date.isoformat()
            if not refetch and store.day(date) is not None:
                continue
            try:
                fetched = source.fetch(ann, list(config.categories))
            except FetchError as error:
                report.failures.append(str(error))
                continue
            finally:
                report.requests = source.requests
            for reason in fetched.skipped:
                report.failures.append(f"{date}: skipped an entry: {reason}")
            if not fetched.papers:
                report.days_empty.append(date)
                continue
            store_day(store, config, ann, fetched.papers, len(fetched.papers), report)
    return report
