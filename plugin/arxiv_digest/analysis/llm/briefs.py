"""Briefs of listed papers: a one-sentence TL;DR and tags for many papers per request (``llm.brief_batch``).

Three steps, kept apart so a batch layer can send the same requests and read its answers through the same
gate: :func:`build` makes a request (its ``body`` is what the endpoint receives; :func:`pending` lists those
the store needs), :func:`check` reads an answer's text into a brief per paper, :func:`store_briefs` writes them;
:func:`run` does all of it now, ``llm.concurrency`` requests at once. Each brief passes the gate on its own: a TL;DR in the site's language, no reasoning,
no number its abstract lacks, tags from the taxonomy. A paper whose brief fails is stored as pending with the
reason: its entry shows the offline TL;DR, marked as such, and the next ``analyze`` asks again. A brief is
keyed by its prompts, model and request settings (:func:`brief_hash`) and never requested again while stored
(``--force`` or ``reanalyze: stale`` redo them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .. import answers, checks
from ...model import Brief, Listed, ListedPaper, Provenance, Status
from . import pool
from .client import Usage, enabled
from .tasks import Analyzer, model_for

if TYPE_CHECKING:
    from ...config import DigestConfig
    from ...pipeline import Report
    from ...store import Store

TASK = "brief"
PROMPT = "brief.md"


def schema(ids: list[str], taxonomy: list[str], max_tags: int) -> dict[str, Any]:
    """JSON schema of a brief answer: one item per paper of ``ids``, each a bounded TL;DR and taxonomy tags."""
    tag = {"type": "string", "enum": taxonomy} if taxonomy else {"type": "string"}
    return {"type": "object", "additionalProperties": False, "required": ["briefs"], "properties": {
        "briefs": {"type": "array", "minItems": len(ids), "maxItems": len(ids), "items": item_schema(ids, tag, max_tags)}}}


def item_schema(ids: list[str], tag: dict[str, Any], max_tags: int) -> dict[str, Any]:
    """One paper's brief; bounded, like every schema sent (grammar-constrained servers loop in unbounded strings)."""
    return {"type": "object", "additionalProperties": False, "required": ["id", "tldr", "tags"], "properties": {
        "id": {"type": "string", "enum": ids},
        "tldr": {"type": "string", "minLength": 8, "maxLength": 400},
        "tags": {"type": "array", "items": tag, "maxItems": max_tags if tag.get("enum") else 0}}}


def brief_hash(analyzer: Analyzer) -> str:
    """Key of a brief: its prompts, model and request settings."""
    return analyzer.prompts.digest("system.md", PROMPT, extra=analyzer._settings(TASK))


@dataclass
class Request:
    """One brief request: what it covers and the chat it sends."""

    ids: list[str]
    model: str
    system: str
    user: str
    schema: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)  # id → title and abstract, the numbers' source

    def body(self, analyzer: Analyzer) -> dict[str, Any]:
        """The request body as the endpoint receives it (provider profile applied)."""
        return analyzer.client.provider.body(self.model, self.system, self.user, self.schema)


def build(analyzer: Analyzer, entries: list[ListedPaper]) -> Request:
    """The brief request of ``entries`` (at most ``llm.brief_batch`` of them)."""
    ids = [e["id"] for e in entries]
    user = analyzer.prompts.render(PROMPT, papers=entries, taxonomy=analyzer.taxonomy,
                                   max_tags=analyzer.config.max_tags)
    return Request(ids, model_for(analyzer.llm, TASK), analyzer.prompts.render("system.md"), user,
                   schema(ids, analyzer.taxonomy, analyzer.config.max_tags),
                   {e["id"]: f"{e.get('title', '')}\n{e.get('abstract', '')}" for e in entries})


def check(request: Request, text: str | None, finish_reason: str | None, language: str, key: str) -> dict[str, Brief]:
    """The brief of each paper of ``request`` from one answer: done, or pending with the gate's reason.

    Raises :class:`~..checks.Invalid` when the answer as a whole is unusable (cut off, not JSON, no list)."""
    checks.check_complete(finish_reason)
    data = _read(text or "")
    items = {item.get("id"): item for item in data["briefs"] if isinstance(item.get("id"), str)}
    one = request.schema["properties"]["briefs"]["items"]
    created = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    out: dict[str, Brief] = {}
    for pid in request.ids:
        try:
            if pid not in items:
                raise checks.Invalid("brief missing from the answer")
            item = items[pid]
            checks.check_schema(item, one, "brief")
            tldr = checks.check_tldr(item["tldr"], language, request.sources.get(pid, ""), "brief")
        except checks.Invalid as error:
            out[pid] = {"status": Status.PENDING, "provenance": Provenance.LLM, "reason": str(error),
                        "prompt_hash": key, "created": created}
            continue
        out[pid] = {"status": Status.DONE, "provenance": Provenance.LLM, "tldr": tldr,
                    "tags": list(dict.fromkeys(item["tags"])), "model": request.model, "prompt_hash": key,
                    "gate": checks.GATE, "created": created}
    return out


def _read(text: str) -> dict[str, Any]:
    """The JSON of a brief answer. Normalised first, as every answer (reasoning removed); reasoning inside one
    item's TL;DR can leave the normalised text unreadable, so the text as sent is read next: that item then
    fails its own check, and the others stand."""
    envelope = {"type": "object", "required": ["briefs"],
                "properties": {"briefs": {"type": "array", "items": {"type": "object"}}}}
    error: checks.Invalid | None = None
    for read in (checks.parse_json, answers.find_json):
        try:
            data = read(text)
            checks.check_schema(data, envelope, "brief JSON")
            return data
        except (checks.Invalid, ValueError) as failed:
            error = error or (failed if isinstance(failed, checks.Invalid) else checks.Invalid(str(failed)))
    raise error or checks.Invalid("answer is not valid JSON")


def ask(analyzer: Analyzer, request: Request, usage: Usage, key: str) -> dict[str, Brief]:
    """Send one request (a whole unusable answer is asked again ``llm.attempts`` times): a brief per paper."""
    try:
        return analyzer._attempts(lambda: check(request, *analyzer.client.chat(
            request.model, request.system, request.user, usage, schema=request.schema), analyzer.language, key))
    except checks.Invalid as error:
        return failed(request, str(error), key)


def failed(request: Request, reason: str, key: str) -> dict[str, Brief]:
    """Every paper of ``request`` pending with ``reason`` (its answer as a whole was unusable)."""
    return {pid: {"status": Status.PENDING, "provenance": Provenance.LLM, "reason": reason, "prompt_hash": key}
            for pid in request.ids}


def needs_brief(entry: ListedPaper, key: str, force: bool, reanalyze: str) -> bool:
    """The cache rule of briefs, as of analyses: a stored brief is asked again only when asked (``force``), when
    it is pending, or with ``reanalyze: stale`` when an LLM brief's key changed."""
    brief = entry.get("brief") or {}
    if force or brief.get("status") != Status.DONE:
        return True
    return reanalyze == "stale" and brief.get("provenance") == Provenance.LLM and brief.get("prompt_hash") != key


def chunks(days: dict[str, Listed], ids: list[str] | None, key: str, force: bool, reanalyze: str,
           size: int) -> Iterator[tuple[str, list[ListedPaper]]]:
    """(date, up to ``size`` entries) of the listed papers needing a brief, day by day."""
    for date, record in days.items():
        todo = [e for e in record.get("papers", []) if (not ids or e["id"] in ids)
                and needs_brief(e, key, force, reanalyze)]
        for start in range(0, len(todo), size):
            yield date, todo[start:start + size]


def pending(store: Store, config: DigestConfig, analyzer: Analyzer, dates: list[str], ids: list[str] | None = None,
            force: bool = False) -> list[tuple[str, Request]]:
    """(date, request) of every brief the listed papers of ``dates`` (only ``ids`` when given) still need: what
    :func:`run` sends now, or a batch layer sends later (then :func:`check` each answer and :func:`store_briefs`)."""
    key = brief_hash(analyzer)
    days = {d: r for d in dates if (r := store.listed(d)) is not None}
    return [(date, build(analyzer, entries))
            for date, entries in chunks(days, ids, key, force, analyzer.llm.reanalyze, config.llm.brief_batch)]


def run(store: Store, config: DigestConfig, analyzer: Analyzer, dates: list[str], ids: list[str] | None,
        force: bool, report: Report) -> None:
    """Brief the listed papers of ``dates`` (only ``ids`` when given), ``llm.concurrency`` requests at once;
    each day's file is written as each of its requests finishes. Raises Stop (quota, key) like the analyses."""
    if not enabled(config.llm):
        return  # no endpoint: entries show the offline TL;DR
    key = brief_hash(analyzer)
    requests = [(date, Usage(), request) for date, request in pending(store, config, analyzer, dates, ids, force)]

    def done(index: int, got: dict[str, Brief]) -> None:
        date, usage, _ = requests[index]
        report.usage.add(usage)
        store_briefs(store, date, got, report)

    pool.run_all(analyzer.llm.concurrency, "arxiv-digest-brief",
                 [(ask, (analyzer, request, usage, key)) for _, usage, request in requests], done)


def store_briefs(store: Store, date: str, got: dict[str, Brief], report: Report) -> None:
    """Store one answer's briefs in the day's listed file; a good brief is never replaced by a failing one."""
    record = store.listed(date) or {"date": date, "papers": []}
    papers = []
    for entry in record.get("papers", []):
        new = got.get(entry["id"])
        if new is not None:
            if new["status"] == Status.DONE:
                report.briefs += 1
                entry = {**entry, "brief": new}
            else:
                report.pending[f"brief {entry['id']}"] = new.get("reason") or "unknown"
                if (entry.get("brief") or {}).get("status") != Status.DONE:
                    entry = {**entry, "brief": new}
        papers.append(entry)
    store.save_listed({**record, "papers": papers})
