"""Helpers of the batch tests (tests/test_batch*.py, benchmarks/backfill.py): a site on the fake batch API, its
store and records, and new days added to a store."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from arxiv_digest.store import Store
from llm_support import DATA, make_site

TEMPLATE_DAY = "2026-01-26"


def batch_site(root: Path, base_url: str, days: list[str] | None = None, **llm: Any) -> Path:
    """A site (``mkdocs.yml``) whose LLM is the fake batch API, with a copy of the repository's stored ``days``."""
    return make_site(root, {"base_url": base_url, "model": "gpt-fake", **llm}, keep_days=days or [TEMPLATE_DAY])


def state(config_file: Path) -> dict:
    path = config_file.parent / "data" / "batches.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def papers(config_file: Path) -> dict[str, dict]:
    """Every stored paper record, loose or packed."""
    return {r["id"]: r for r in Store(config_file.parent / "data").papers()}


def days(config_file: Path) -> dict[str, dict]:
    folder = config_file.parent / "data" / "days"
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}


def llm_done(config_file: Path) -> set[str]:
    """Papers whose stored analysis is an LLM's, done."""
    return {pid for pid, p in papers(config_file).items()
            if (p.get("analysis") or {}).get("status") == "done" and p["analysis"].get("provenance") == "llm"}


def add_day(config_file: Path, date: str, count: int, serial: int) -> list[str]:
    """Store a new digest day of ``count`` papers (copies of the template day's, with new ids): new work."""
    data = config_file.parent / "data"
    template = json.loads((DATA / "days" / f"{TEMPLATE_DAY}.json").read_text(encoding="utf-8"))
    ids = []
    for number, old in enumerate(template["papers"][:count]):
        paper = json.loads((DATA / "papers" / f"{old}.json").read_text(encoding="utf-8"))
        pid = f"2603.{serial:03d}{number:02d}"
        paper.update(id=pid, title=f"{paper['title']} ({pid})")
        (data / "papers" / f"{pid}.json").write_text(json.dumps(paper, ensure_ascii=False), encoding="utf-8")
        ids.append(pid)
    day = copy.deepcopy(template)
    day.update(date=date, papers=ids, candidates=len(ids))
    (data / "days" / f"{date}.json").write_text(json.dumps(day, ensure_ascii=False), encoding="utf-8")
    return ids


def kind(custom_id: str) -> str:
    return custom_id.split(":", 1)[0]


def subject(custom_id: str) -> str:
    return custom_id.split(":")[1]


# -- backfills -----------------------------------------------------------------------------------------------

BACKFILL_FROM = "2026-03-02"


def backfill_entries(first: str, count: int, per_day: int, categories: tuple[str, ...] = ("cs.CV",)) -> tuple[
        list[Any], list[str]]:
    """Fake arXiv entries: ``per_day`` papers in each of ``count`` announcement windows from digest date ``first``
    (Asia/Shanghai), and those digest dates."""
    from datetime import date, timedelta

    from arxiv_digest.arxiv import announce
    from fake_arxiv import make_entry

    start = date.fromisoformat(first)
    anns = announce.between(start, start + timedelta(days=count * 2 + 7), "Asia/Shanghai")[:count]
    entries = []
    for number, ann in enumerate(anns):
        step = (ann.end - ann.start) / (per_day + 1)
        for k in range(per_day):
            pid = f"26{3 + number // 40:02d}.{number % 40:02d}{k:03d}"
            entries.append(make_entry(
                f"{pid}v1", title=f"Backfilled paper {number}-{k} on visual robot learning",
                abstract=(f"We study visual robot learning for manipulation task family {k}. Our method combines "
                          f"a diffusion policy with a scene graph encoder and is evaluated in simulation and on a "
                          f"real robot arm, improving success rates over strong baselines."),
                authors=("Ada Lovelace", "Alan Turing"), categories=categories,
                published=ann.start + step * (k + 1)))
    return entries, [a.digest_date.isoformat() for a in anns]
