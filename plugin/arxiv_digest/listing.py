"""The second tier of a day: its listed papers, stored compactly in one file per day (``listed/<date>.json``).

A day's ``max_papers`` best are featured (a file each, full analysis, own pages); every other announced paper
that no negative keyword excluded is listed: the metadata its entry shows and its brief is written from, and the
brief (:mod:`.analysis.llm.briefs`). A refetch keeps every brief, and a paper moving between the tiers keeps
its work: a featured paper's file is never deleted (its page and analysis come back if it is featured again),
and a listed paper's brief goes into its paper file when it becomes featured.
"""

from __future__ import annotations

from collections import Counter

from .model import LISTED_FIELDS, Brief, Listed, ListedPaper, Paper, Provenance, Status, is_final
from .store import Store


def old_briefs(store: Store, date: str) -> dict[str, Brief]:
    """Paper id → the brief stored for it in the day's listed file."""
    return {e["id"]: e["brief"] for e in (store.listed(date) or {}).get("papers", []) if e.get("brief")}


def compact(paper: Paper, brief: Brief | None, stored: Paper | None) -> ListedPaper:
    """A listed paper's record: its fetched metadata and the best brief known (the one stored with the day, the
    one its paper file kept, or the TL;DR and tags of its final analysis when it was featured before)."""
    entry: ListedPaper = {k: paper[k] for k in LISTED_FIELDS if paper.get(k) is not None}  # type: ignore[misc]
    stored = stored or {}
    brief = brief or stored.get("brief")
    analysis = stored.get("analysis") or {}
    if not brief and is_final(analysis) and analysis.get("tldr"):
        brief = {"status": Status.DONE, "provenance": analysis.get("provenance", Provenance.LLM),
                 "tldr": analysis["tldr"], "tags": [t for t in stored.get("tags", []) if t not in
                                                   stored.get("categories", [])],
                 **{k: analysis[k] for k in ("model", "prompt_hash", "gate", "created") if k in analysis}}
    if brief:
        entry["brief"] = brief
    return entry


def store_listed(store: Store, date: str, papers: list[Paper], briefs: dict[str, Brief]) -> bool:
    """Write the day's listed file (only when the day lists papers, or listed some before); True when written."""
    if not papers and store.listed(date) is None:
        return False
    record: Listed = {"date": date, "papers": [compact(p, briefs.get(p["id"]), store.paper(p["id"]))
                                               for p in papers]}
    return store.save_listed(record)


def counts(day: dict, featured: int) -> dict[str, int]:
    """How many papers a day announced, featured, listed, and kept out (negative keywords, ``min_score``, a
    site's hook, and the rest when listing is off): the day page's count line."""
    announced = day.get("candidates") or featured
    listed, excluded, below = day.get("listed", 0), day.get("excluded", 0), day.get("below_min_score", 0)
    return {"announced": announced, "featured": featured, "listed": listed, "excluded": excluded, "below": below,
            "other": max(announced - featured - listed - excluded - below, 0)}


def brief_status(store: Store, dates: list[str]) -> tuple[Counter[str], list[tuple[str, str]]]:
    """Listed papers of ``dates`` by brief status ("done (llm)", "pending (llm)", "offline": none yet), and
    (id, reason) of each pending brief: what ``arxiv-digest status`` prints."""
    counts: Counter[str] = Counter()
    pending = []
    for date in dates:
        for entry in (store.listed(date) or {}).get("papers", []):
            brief = entry.get("brief") or {}
            counts[f"{brief['status']} ({brief.get('provenance', '-')})" if brief.get("status") else "offline"] += 1
            if brief.get("status") == Status.PENDING:
                pending.append((entry["id"], brief.get("reason") or "-"))
    return counts, pending
