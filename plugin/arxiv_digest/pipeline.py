"""Runs the stages over a set of announcement days: fetch → store → analyze.

Shared by ``mkdocs build``/``serve`` and the ``arxiv-digest`` command line, so
each can run any prefix of the pipeline from the store.
"""

from __future__ import annotations

from mkdocs.plugins import get_plugin_logger

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol

from . import listing
from .analysis import llm, ranking
from .analysis.offline import analyze_offline, offline_summary
from .arxiv.announce import Announcement
from .config import DigestConfig
from .hooks import Hooks
from .analysis.llm import Usage, briefs
from .model import (Day, DaySource, Paper, Provenance, Relevance, Status, Summary, is_final, merge_paper,
                    summary_problem)
from .packs import pack_days
from .store import Store

if TYPE_CHECKING:
    from .arxiv.source import DayFetch

log = get_plugin_logger(__name__)


class Source(Protocol):
    """Where :func:`update` gets the papers of an announcement (:class:`.arxiv.source.ArxivSource`, or a fake)."""

    @property
    def requests(self) -> int:
        """API requests made so far."""

    def fetch(self, ann: Announcement, categories: list[str]) -> DayFetch:
        """The papers of ``ann`` in ``categories``, newest first; raises :class:`.arxiv.source.FetchError`."""


@dataclass
class Report:
    """What one run did, for the closing summary."""

    days_fetched: list[str] = field(default_factory=list)
    days_empty: list[str] = field(default_factory=list)
    days_partial: list[str] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)
    below_min_score: int = 0
    papers_new: int = 0
    files_written: int = 0
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    analyzed: int = 0
    briefs: int = 0  # briefs of listed papers written by the LLM
    pending: dict[str, str] = field(default_factory=dict)
    summaries: int = 0
    figures: int = 0
    packed: list[str] = field(default_factory=list)  # days whose loose files went into their pack
    usage: Usage = field(default_factory=Usage)
    prices: tuple[float, float] = (0.0, 0.0)
    learned: list[str] = field(default_factory=list)  # what the LLM endpoint refused, with the option to set

    def lines(self) -> list[str]:
        out = []
        if self.days_fetched or self.days_empty or self.requests:
            out.append(f"days fetched: {len(self.days_fetched)} ({', '.join(self.days_fetched) or '-'}); "
                       f"new papers: {self.papers_new}; arXiv requests: {self.requests}")
        if self.days_empty:
            out.append(f"no papers announced (not published, retried next run): {', '.join(self.days_empty)}")
        if self.excluded or self.below_min_score:
            out.append(f"not published: {len(self.excluded)} by negative keywords"
                       + (f" ({', '.join(f'{k}: {v}' for k, v in sorted(self.excluded.items()))})" if self.excluded else "")
                       + f", {self.below_min_score} below min_score")
        if self.days_partial:
            out.append(f"partial days (held back, refetched next run): {', '.join(self.days_partial)}")
        if self.analyzed or self.pending or self.usage.requests:
            line = (f"analyses done: {self.analyzed}; " + (f"briefs done: {self.briefs}; " if self.briefs else "")
                    + f"pending: {len(self.pending)}; day summaries: {self.summaries}; "
                    f"LLM requests: {self.usage.requests}; tokens in/out: {self.usage.prompt_tokens}/"
                    f"{self.usage.completion_tokens}")
            if any(self.prices):
                cost = (self.usage.prompt_tokens * self.prices[0] + self.usage.completion_tokens * self.prices[1]) / 1e6
                line += f"; cost: {cost:.4f}"
            out.append(line)
        if self.figures:
            out.append(f"figures stored: {self.figures}")
        if self.packed:
            out.append(f"days packed: {len(self.packed)} ({self.packed[0]} … {self.packed[-1]})")
        out += [f"pending {pid}: {reason}" for pid, reason in sorted(self.pending.items())]
        out += [f"provider: {note}" for note in self.learned]
        out += [f"failed: {f}" for f in self.failures]
        return out or ["nothing to do"]


def day_is_whole(store: Store, day: Day) -> bool:
    """Stored, complete, nothing skipped, and every paper readable (a damaged file was quarantined: refetch)."""
    return (day.get("complete", True) and not day.get("skipped")
            and all(store.paper(pid) is not None for pid in day.get("papers", []))
            and (not day.get("listed") or store.listed(day["date"]) is not None))


def usual_day_size(store: Store, sample: int = 10) -> int:
    """Median number of papers of the latest complete fetched days (0 when there is no history)."""
    sizes = sorted(d.get("candidates") or 0 for d in store.days()[: sample * 2]
                   if d.get("source") == DaySource.ARXIV and d.get("complete", True))[-sample:]
    return sizes[len(sizes) // 2] if len(sizes) >= 3 else 0


def store_day(store: Store, config: DigestConfig, ann: Announcement, papers: list[Paper], candidates: int,
              report: Report, complete: bool = True, relevance: Relevance | None = None, skipped: int = 0,
              excluded: int = 0, below: int = 0) -> None:
    """Write a fetched day: its featured papers (``max_papers``, analyzed offline where nothing better exists)
    and, with ``listed``, the rest of ``papers`` in the day's listed file (:mod:`.listing`).

    ``skipped`` entries arXiv sent unreadable: the day is published, and fetched again on the next
    run in case they arrive whole. ``excluded`` and ``below`` count the papers ranking kept out."""
    date = ann.digest_date.isoformat()
    chosen = papers[: config.max_papers or None]
    rest = papers[len(chosen):] if config.listed else []
    kept = listing.old_briefs(store, date)  # of the papers listed by the last fetch of this day
    stored = []
    for paper in chosen:
        old = store.paper(paper["id"])
        record = analyze_offline(merge_paper(old, paper), config.taxonomy, config.max_tags)
        if paper["id"] in kept and not record.get("brief"):
            record["brief"] = kept[paper["id"]]  # listed before: its brief is kept with it
        record.pop("ranking", None)
        if paper.get("ranking"):
            record["ranking"] = paper["ranking"]  # the score and reasons of this fetch's ranking
        report.papers_new += old is None
        report.files_written += store.save_paper(record)
        stored.append(record)
    old_day = store.day(date) or {}
    ids = [p["id"] for p in stored]
    summary = old_day.get("summary")
    if not summary or summary.get("provenance") == Provenance.OFFLINE or old_day.get("papers") != ids:
        summary = offline_summary(stored, config.categories, config.language, config.taxonomy)
    day: Day = {
        **old_day,
        "date": date,
        "announced": ann.announced.isoformat(),
        "window": {"start": ann.start.isoformat(), "end": ann.end.isoformat()},
        "categories": list(config.categories),
        "papers": ids,
        "candidates": candidates,
        "source": DaySource.ARXIV,
        "summary": summary,
        "complete": complete,
    }
    if relevance:
        day["relevance"] = relevance
    for key, value in (("skipped", skipped), ("listed", len(rest)), ("excluded", excluded),
                       ("below_min_score", below)):
        day.pop(key, None)  # type: ignore[misc]
        if value:
            day[key] = value  # type: ignore[literal-required]
    if config.listed:
        report.files_written += listing.store_listed(store, date, rest, kept)
    report.files_written += store.save_day(day)
    report.days_fetched.append(date)


def llm_relevance(config: DigestConfig, stored: Day | None, papers: list[Paper], report: Report,
                  analyzer: llm.Analyzer | None = None) -> tuple[dict[str, float] | None, Relevance | None]:
    """LLM relevance scores of a day's candidates (cached in the day record); None when unavailable."""
    interest = config.ranking.llm_interest
    if not interest or not llm.enabled(config.llm):
        return None, None
    analyzer = analyzer or llm.Analyzer(config)
    key = analyzer.relevance_key(interest)
    cached = (stored or {}).get("relevance") or {}
    scores = dict(cached.get("scores", {})) if cached.get("key") == key else {}
    missing = [p for p in papers if p["id"] not in scores]
    if missing:
        usage = Usage()
        try:
            scores.update(analyzer.relevance(missing, interest, config.ranking.llm_batch, usage))
        except (llm.Invalid, llm.Stop) as error:
            report.failures.append(f"LLM relevance failed ({error}); ranking by keywords only")
            return None, None
        finally:
            report.usage.add(usage)
    return {pid: s * config.ranking.llm_weight for pid, s in scores.items()}, {"key": key, "scores": scores}


def update(store: Store, config: DigestConfig, announcements: Iterable[Announcement], refetch: bool = False,
           progress: Callable[[Announcement], None] | None = None, hooks: Hooks | None = None,
           source: Source | None = None) -> Report:
    """Fetch the announcements missing from the store (all of them with ``refetch``) and store them.

    ``source`` defaults to the arXiv API of ``config.arxiv``."""
    from .arxiv.source import ArxivSource, FetchError  # the arxiv client is imported only by builds that fetch

    report = Report()
    hooks = hooks or Hooks()
    source = source or ArxivSource(config.arxiv)
    with store.lock():
        for ann in announcements:
            if progress:
                progress(ann)
            date = ann.digest_date.isoformat()
            stored = store.day(date)
            if not refetch and stored is not None and day_is_whole(store, stored):
                add_figures(store, config, stored.get("papers", []), report)
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
            complete = True
            usual = usual_day_size(store)
            count = len(fetched.papers)
            if usual and count < config.partial_day_ratio * usual:
                # Much smaller than usual: arXiv may still be filling the listing. Publish it only once
                # the API gives the same answer twice.
                complete = bool(stored) and not stored.get("complete", True) and stored.get("candidates") == count
                if not complete:
                    report.days_partial.append(f"{date} ({count} papers, usually {usual})")
            extra, relevance = llm_relevance(config, stored, fetched.papers, report)
            ranked = ranking.rank(fetched.papers, config.ranking, extra)
            report.excluded.update(ranked.excluded)
            report.below_min_score += len(ranked.below)
            chosen = hooks.candidates(ranked.chosen, date)
            store_day(store, config, ann, chosen, count, report, complete=complete, relevance=relevance,
                      skipped=len(fetched.skipped), excluded=len(ranked.excluded), below=len(ranked.below))
            add_figures(store, config, [p["id"] for p in chosen[: config.max_papers or None]], report)
        report.packed = pack_days(store, config.pack_after_days)
    return report


def add_figures(store: Store, config: DigestConfig, ids: list[str], report: Report) -> None:
    """The first figure of each paper of ``ids`` (``figures: true``); Pillow is imported only then."""
    if config.figures:
        from .arxiv import figure

        figure.add_figures(store, config, ids, report)


def needs_analysis(paper: Paper, analyzer: llm.Analyzer, force: bool) -> bool:
    """The cache rule: final work is redone only when asked (``--force``) or, with ``reanalyze: stale``,
    when its key changed (prompts, models, request settings: ``Analyzer.prompt_hash``) or the paper version.
    Work the current gate rejects is not final (``model.is_final``): it is redone."""
    analysis = paper.get("analysis") or {}
    if force or not is_final(analysis):
        return True
    if analysis.get("provenance") == Provenance.LLM and analyzer.llm.reanalyze == "stale":
        return (analysis.get("prompt_hash") != analyzer.prompt_hash()
                or analysis.get("paper_version") != paper.get("version"))
    return False


def apply_outcome(store: Store, outcome: llm.Outcome, config: DigestConfig, report: Report) -> None:
    """Write one paper's result as soon as it is finished; final work is never replaced by a failure."""
    paper = store.paper(outcome.paper_id)
    if paper is None:
        return
    old = paper.get("analysis") or {}
    report.usage.add(outcome.usage)
    if outcome.analysis is None:
        report.pending[outcome.paper_id] = (outcome.reason or "unknown") + (f": {outcome.detail}" if outcome.detail
                                                                             else "")
        if is_final(old):
            return  # keep the good analysis we had
        paper["analysis"] = {"status": Status.PENDING, "provenance": Provenance.LLM, "reason": outcome.reason,
                             **({"detail": outcome.detail} if outcome.detail else {}),
                             "attempted": datetime.now(timezone.utc).replace(microsecond=0).isoformat()}
    else:
        if is_final(old):
            # Imported or earlier analyses are kept, never thrown away silently.
            paper["previous_analyses"] = [*paper.get("previous_analyses", []), old][-3:]
        paper["analysis"] = outcome.analysis
        categories = [c for c in paper.get("categories", []) if c not in outcome.tags]
        paper["tags"] = (outcome.tags or []) + categories
        report.analyzed += 1
    store.save_paper(paper)


def analyze(store: Store, config: DigestConfig, dates: list[str] | None = None, ids: list[str] | None = None,
            force: bool = False, analyzer: llm.Analyzer | None = None,
            progress: Callable[[int, int], None] | None = None) -> Report:
    """Analyze the papers of ``dates`` (default: every stored day) or ``ids`` with the LLM, then the day summaries.

    ``analyzer`` defaults to the LLM of ``config.llm`` (reading full texts when ``llm.full_text`` is on)."""
    report = Report(prices=(config.llm.price_input, config.llm.price_output))
    analyzer = analyzer or llm.Analyzer(config, full_text=full_text_reader(config))
    with store.lock():
        days = [d for d in store.days() if not dates or d["date"] in dates]
        if ids:
            days = [d for d in days if set(ids) & set(d.get("papers", []))]
        wanted = ids or list(dict.fromkeys(pid for d in days for pid in d.get("papers", [])))
        papers = [p for p in (store.paper(pid) for pid in wanted) if p is not None]
        todo = [p for p in papers if needs_analysis(p, analyzer, force)]
        finished = 0

        def on_done(outcome: llm.Outcome) -> None:
            nonlocal finished
            apply_outcome(store, outcome, config, report)
            finished += 1
            if progress:
                progress(finished, len(todo))

        try:
            analyzer.run(todo, on_done)
            if config.listed and isinstance(analyzer, llm.Analyzer):
                briefs.run(store, config, analyzer, [d for d in store.day_dates() if not dates or d in dates], ids,
                           force, report)  # --ids may name listed papers, which no day's "papers" holds
            for day in days:
                summarize_day(store, config, analyzer, day, force, report)
        except llm.Stop as error:
            # Quota or key: every further request would fail the same way. Nothing is marked pending for it.
            report.failures.append(str(error))
        report.learned = analyzer.learned() if hasattr(analyzer, "learned") else []
    return report


def summarize_day(store: Store, config: DigestConfig, analyzer: llm.Analyzer, day: Day, force: bool,
                  report: Report) -> None:
    papers = [p for p in (store.paper(pid) for pid in day.get("papers", [])) if p is not None]
    if not summary_due(analyzer, day, papers, force):
        return
    usage = Usage()
    try:
        new: Summary | llm.Invalid = analyzer.summary(day["date"], papers, usage)
    except llm.Invalid as error:
        new = error
    report.usage.add(usage)
    save_summary(store, day, papers, new, report)


def summary_due(analyzer: llm.Analyzer, day: Day, papers: list[Paper], force: bool) -> bool:
    """Whether a day's summary is to be written (again)."""
    summary = day.get("summary") or {}
    # Written from what the papers said then: redo it when a paper's TL;DR or status has changed since.
    current = (summary.get("provenance") == Provenance.LLM and summary.get("basis") == summary_basis(papers)
               and summary_problem(summary) is None
               and (analyzer.llm.reanalyze == "never" or summary.get("prompt_hash") == analyzer.summary_hash()))
    return bool(papers) and (force or not current and summary.get("provenance") != Provenance.IMPORTED)


def save_summary(store: Store, day: Day, papers: list[Paper], new: Summary | llm.Invalid, report: Report) -> None:
    """Store a day's new summary, or its failure (pending, with the reason), live or from a batch."""
    if isinstance(new, llm.Invalid):
        report.pending[f"summary {day['date']}"] = str(new) + (f": {new.detail}" if new.detail else "")
        day = {**day, "summary_pending": str(new)}
    else:
        day = {k: v for k, v in day.items() if k != "summary_pending"}
        day["summary"] = {**new, "basis": summary_basis(papers)}
        report.summaries += 1
    store.save_day(day)


def summary_basis(papers: list[Paper]) -> str:
    """Fingerprint of what a day summary is written from: the papers, their status and TL;DR."""
    facts = [(p["id"], (p.get("analysis") or {}).get("status"), (p.get("analysis") or {}).get("tldr")) for p in papers]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()[:16]


def full_text_reader(config: DigestConfig) -> Callable[[Paper], tuple[str, str] | None] | None:
    """Full text (source, trimmed text) of a paper, or None to fall back to the abstract."""
    if not config.llm.full_text:
        return None
    from .arxiv import fulltext

    def read(paper: Paper) -> tuple[str, str] | None:
        try:
            got = fulltext.fetch_full_text(paper["id"], paper.get("version", 1), config.arxiv.html_url,
                                           config.arxiv.pdf_url, config.arxiv.timeout)
        except fulltext.FullTextError as error:
            log.info("%s: no full text (%s); analyzing the abstract", paper["id"], error)
            return None
        trimmed = fulltext.trim(got.sections, config.llm.full_text_max_tokens)
        return got.source, fulltext.FullText(got.source, trimmed).text()

    return read
