"""``batches.json`` in the store: what was sent in batches and what came back half.

- ``batches``: one entry per request set, from the intent on: ``key`` (hash of its custom_ids), ``custom_ids``,
  ``status`` (``intent`` → ``uploaded`` → ``submitted`` → ``closed``), ``file_id``, ``batch_id``, ``created``;
  once closed, only a summary is kept (``result``, ``answered``, ``closed``) and the 50 latest;
- ``meta``: what a request's check needs that its custom_id does not say (an analysis' source), by custom_id;
- ``halves``: a paper's checked answer whose twin (analysis ↔ fields) has not come yet, by custom_id.

Written atomically after every step, so a kill leaves the last step recorded and the next run goes on from it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ..store import Store, StoreError, dumps, write_atomic

CLOSED_KEPT = 50


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class State:
    """The batch records of one store."""

    def __init__(self, store: Store) -> None:
        self.path = store.root / "batches.json"
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except ValueError as error:
            # Not silently reset: the open batches it names would be submitted again.
            raise StoreError(f"{self.path} does not parse ({error}); repair it from git history") from None
        self.batches: list[dict[str, Any]] = data.get("batches", [])
        self.meta: dict[str, dict[str, Any]] = data.get("meta", {})
        self.halves: dict[str, dict[str, Any]] = data.get("halves", {})

    def save(self) -> None:
        write_atomic(self.path, dumps({"batches": self.batches, "meta": self.meta, "halves": self.halves}))

    def open(self) -> list[dict[str, Any]]:
        return [b for b in self.batches if b["status"] != "closed"]

    def in_flight(self) -> set[str]:
        """custom_ids of the requests of every batch not closed yet (never sent again meanwhile)."""
        return {cid for b in self.open() for cid in b["custom_ids"]}

    def close(self, entry: dict[str, Any], result: str, answered: int) -> None:
        entry.update(status="closed", result=result, answered=answered, requests=len(entry["custom_ids"]),
                     closed=now())
        entry["custom_ids"] = []
        closed = [b for b in self.batches if b["status"] == "closed"]
        for old in closed[:-CLOSED_KEPT]:
            self.batches.remove(old)

    def prune(self, keep: set[str]) -> None:
        """Forget meta and halves of requests no longer wanted (their paper was analyzed another way)."""
        keep = keep | self.in_flight()
        self.meta = {k: v for k, v in self.meta.items() if k in keep}
        self.halves = {k: v for k, v in self.halves.items() if k in keep or _twin(k) in keep}


def _twin(custom_id: str) -> str:
    """The other half of a paper's pair (analysis ↔ fields)."""
    kind, _, rest = custom_id.partition(":")
    return {"analysis": "fields", "fields": "analysis"}.get(kind, kind) + ":" + rest
