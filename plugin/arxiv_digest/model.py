"""Typed records of the store: what one paper file and one day file hold, and the rules about them.

The records are TypedDicts, so they are the very dicts that ``json`` reads and writes: a store file
keeps its bytes, and every key is optional because older files lack the newer ones (a reader uses
``.get``). The status and provenance values are ``str`` enums, equal to the strings in the files.
Records are read and written through :mod:`.store` only.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypedDict

# A record whose shape does not matter to the code at hand (a template's view, a hook's result).
Record = dict[str, Any]


class _Value(str, Enum):
    """A string enum: equal to its value, and written as its value by ``json``, ``str`` and ``format``."""

    def __str__(self) -> str:
        return str(self.value)


class Status(_Value):
    """Whether an analysis may be published."""

    DONE = "done"
    PENDING = "pending"  # a refusal, a failed validation, an empty or cut import: never published


class Provenance(_Value):
    """Who wrote an analysis or a day summary."""

    OFFLINE = "offline"  # the extractive stand-in, until an LLM or an import gives better
    LLM = "llm"
    IMPORTED = "imported"  # a legacy Markdown digest


class DaySource(_Value):
    """Where the papers of a day came from."""

    ARXIV = "arxiv"
    IMPORTED = "imported"


class Links(TypedDict, total=False):
    abs: str
    pdf: str


class Ranking(TypedDict, total=False):
    """This fetch's relevance score of a paper and the keywords, authors, LLM score behind it."""

    score: float
    reasons: list[str]


class Analysis(TypedDict, total=False):
    status: Status
    provenance: Provenance
    tldr: str | None
    key_findings: list[str]
    body: str | None  # Markdown (LLM and imported analyses)
    reason: str | None  # why it is pending (shown on pages: never the endpoint's words)
    detail: str  # pending LLM work: the endpoint's own message, key scrubbed (command line only)
    source: str  # imported: "legacy digest <file>"
    attempted: str  # pending LLM work: when it failed (ISO 8601)
    full_text: str | None  # LLM: "html" or "pdf" when analyzed from the full text
    model: str
    models: dict[str, str]
    prompt_hash: str
    paper_version: int
    created: str
    usage: dict[str, int]
    gate: int  # version of the validation gate it passed when stored (``analysis.checks.GATE``)
    settings: str  # LLM: hash of the request settings that shaped it (provider profile, extra_body, limits)


class Figure(TypedDict, total=False):
    """The paper's first figure, from arXiv's HTML rendering, or why it has none (then it is not asked again)."""

    file: str  # the WebP's path inside data_dir: figures/<file stem>.webp
    caption: str  # its alt text
    width: int
    height: int
    missing: str  # no figure: why (no HTML rendering, no figure, a broken image)
    checked: str  # when it was looked for (ISO 8601)


class Brief(TypedDict, total=False):
    """A listed paper's one-sentence TL;DR and tags, many per LLM request; pending: failed the gate (the page
    shows the offline TL;DR, marked as such, and the next ``analyze`` asks again)."""

    status: Status
    provenance: Provenance  # llm; or the provenance of the featured analysis it was copied from
    tldr: str
    tags: list[str]
    reason: str  # pending: why (the gate's words)
    model: str
    prompt_hash: str
    gate: int
    created: str


class Paper(TypedDict, total=False):
    id: str  # without version: 2601.16982, hep-th/9901001
    version: int
    title: str
    authors: list[str]
    published: str | None  # ISO 8601, UTC
    updated: str | None
    categories: list[str]
    primary_category: str | None
    abstract: str
    comment: str | None
    journal_ref: str | None
    doi: str | None
    links: Links
    code_links: list[str]
    tags: list[str]
    analysis: Analysis
    previous_analyses: list[Analysis]  # the last replaced LLM or imported analyses, oldest first
    ranking: Ranking
    figure: Figure
    brief: Brief  # its brief from a day it was listed on (kept when it becomes featured)
    schema: int


class Summary(TypedDict, total=False):
    """A day's executive summary."""

    provenance: Provenance
    markdown: str
    model: str
    prompt_hash: str
    papers: list[str]
    created: str
    basis: str  # fingerprint of the papers' status and TL;DR it was written from
    gate: int  # version of the validation gate it passed (analysis.checks.GATE)


class Window(TypedDict):
    start: str
    end: str


class Relevance(TypedDict):
    """LLM relevance scores of a day's candidates, valid while ``key`` (prompt, model, interest) holds."""

    key: str
    scores: dict[str, float]


class Day(TypedDict, total=False):
    date: str  # the digest date, YYYY-MM-DD
    announced: str
    window: Window
    categories: list[str]
    papers: list[str]  # ids, in the published order
    candidates: int  # papers arXiv announced in the followed categories
    source: DaySource
    source_file: str  # imported: the digest's file name
    summary: Summary
    summary_pending: str  # why the LLM summary failed
    complete: bool  # False: much smaller than usual, held back until arXiv answers the same twice
    skipped: int  # entries arXiv sent unreadable
    relevance: Relevance
    listed: int  # papers listed compactly (``listed/<date>.json``) beyond the featured ones
    excluded: int  # papers a negative keyword kept out
    below_min_score: int  # papers scoring under ``ranking.min_score``
    schema: int


class ListedPaper(TypedDict, total=False):
    """A listed paper, compactly: the metadata its entry shows and its brief is written from."""

    id: str
    version: int
    title: str
    authors: list[str]
    published: str | None
    categories: list[str]
    abstract: str
    comment: str | None
    brief: Brief


class Listed(TypedDict, total=False):
    """The listed papers of one day (``listed/<date>.json``), in the published order."""

    date: str
    papers: list[ListedPaper]
    schema: int


# What a listed paper keeps of its record (model.ListedPaper), besides its brief.
LISTED_FIELDS = ("id", "version", "title", "authors", "published", "categories", "abstract", "comment")

# Metadata refreshed from arXiv on refetch; everything else (analysis, tags) is kept.
METADATA = ("version", "title", "authors", "published", "updated", "categories", "primary_category", "abstract",
            "comment", "journal_ref", "doi", "links", "code_links")


def is_publishable(analysis: Analysis | None) -> bool:
    """May be shown as the paper's analysis: pending work (a refusal, a failed check) never is, nor done work
    that the current validation gate rejects (``analysis.checks.publish_problem``: the next run redoes it)."""
    return bool(analysis) and analysis.get("status") == Status.DONE and publish_problem(analysis) is None


def unpublishable_reason(analysis: Analysis | None) -> str | None:
    """Why an analysis is not published: its stored reason, or what the current gate rejects in it."""
    analysis = analysis or {}
    return analysis.get("reason") or (publish_problem(analysis) if analysis.get("status") == Status.DONE else None)


def summary_problem(summary: Summary | None) -> str | None:
    """Why a stored day summary written by an LLM may not be published under the current gate (None: it may,
    or no LLM wrote it): the build-time checks of analyses, on its text."""
    if not summary or summary.get("provenance") != Provenance.LLM:
        return None
    return publish_problem({"body": summary.get("markdown"), "provenance": Provenance.LLM, "gate": summary.get("gate")})


def is_final(analysis: Analysis | None) -> bool:
    """Publishable work of an LLM or an import, not the offline stand-in: kept when a new attempt fails,
    archived when replaced, and redone only when asked."""
    return is_publishable(analysis) and analysis.get("provenance") not in (None, Provenance.OFFLINE)


def merge_paper(old: Paper | None, new: Paper) -> Paper:
    """New metadata over the stored record; stored analysis and tags survive."""
    if old is None:
        return new
    return {**old, **{key: new[key] for key in METADATA if key in new}}


# The gate's build-time checks are pure functions on these records (imported last: checks needs nothing here).
from .analysis.checks import publish_problem  # noqa: E402
