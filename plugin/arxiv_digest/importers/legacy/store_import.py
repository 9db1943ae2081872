"""The ``import`` stage: legacy Markdown digests into the store, next to the days fetched from arXiv."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ...analysis.offline import analyze_offline, offline_summary, tldr
from ...arxiv import announce
from ...config import DigestConfig
from ...model import Analysis, Day, DaySource, Paper, Provenance, is_final, is_publishable
from ...store import Store
from .answers import clean_body, clean_summary, core_idea
from .digest import LegacyDigest, NotADigest, parse_digest

if TYPE_CHECKING:
    from ...pipeline import Report


def import_digests(store: Store, config: DigestConfig, paths: list[str], report: Report) -> list[str]:
    """Read legacy Markdown digests into the store; returns the problems (file:line: message).

    Refusals come in as pending, real analyses as done with provenance "imported". Work
    already in the store (fetched days, LLM analyses) is kept, so importing twice changes nothing.
    """
    problems: list[str] = []
    with store.lock():
        for path in paths:
            try:
                text = Path(path).read_text(encoding="utf-8")
                digest = parse_digest(text, path)
            except (OSError, UnicodeDecodeError, NotADigest) as error:
                problems.append(f"{path}: skipped: {error}")
                continue
            problems += [str(p) for p in digest.problems]
            ids = []
            for record in digest.papers:
                old = store.paper(record["id"])
                analysis = imported_analysis(record)
                new = {**record, "analysis": analysis}
                if old is not None:
                    # LLM work or an earlier import stays whole (analysis, tags, history); the legacy copy only
                    # fills in what the store lacks. Otherwise the imported analysis replaces the offline one.
                    # arXiv's metadata (exact times, comment, DOI) stays over the legacy copy's.
                    new = {**new, **old} if is_final(old.get("analysis")) else {**new, **old, "analysis": analysis}
                new = analyze_offline(new, config.taxonomy, config.max_tags)
                report.papers_new += old is None
                report.files_written += store.save_paper(new)
                ids.append(record["id"])
            day = store.day(digest.date)
            if day is None and ids:
                report.files_written += store.save_day(imported_day(store, config, digest, Path(path).name, ids))
                report.days_fetched.append(digest.date)
            elif day is not None and digest.summary and day.get("summary", {}).get("provenance") == Provenance.OFFLINE:
                # A fetched day's offline summary gives way to the legacy one, written by an LLM.
                report.files_written += store.save_day({**day, "summary": imported_summary(digest.summary)})
    return problems


def imported_analysis(record: Paper) -> Analysis:
    """The analysis of a legacy paper block as it is stored: cleaned as LLM answers are, with a TL;DR (the
    analysis' own core idea, else the offline one)."""
    analysis = dict(record["analysis"])
    if analysis.get("body"):
        analysis["body"], kind = clean_body(analysis["body"])
        source = f"{record['title']}\n{record.get('abstract', '')}"
        analysis["tldr"] = analysis.get("tldr") or core_idea(analysis["body"], kind, source)
    if is_publishable(analysis) and not analysis.get("tldr"):
        analysis["tldr"] = tldr(record.get("abstract", ""))
    return analysis


def imported_summary(markdown: str) -> dict[str, str]:
    return {"provenance": Provenance.IMPORTED, "markdown": clean_summary(markdown)}


def imported_day(store: Store, config: DigestConfig, digest: LegacyDigest, file_name: str, ids: list[str]) -> Day:
    """The day record of an imported digest, with the announcement's window when the date is an announcement day."""
    day: Day = {"date": digest.date, "papers": ids, "candidates": len(ids), "source": DaySource.IMPORTED,
                "source_file": file_name,
                "categories": sorted({c for r in digest.papers for c in r.get("categories", [])}),
                "summary": imported_summary(digest.summary) if digest.summary else
                offline_summary([store.paper(i) for i in ids], config.categories, config.language, config.taxonomy)}
    ann = announce.for_digest_date(date.fromisoformat(digest.date), config.timezone, config.arxiv.holidays)
    if ann:
        day["announced"] = ann.announced.isoformat()
        day["window"] = {"start": ann.start.isoformat(), "end": ann.end.isoformat()}
    return day
