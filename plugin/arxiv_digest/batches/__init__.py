"""Batch analysis: every pending request sent as one OpenAI batch (``arxiv-digest analyze --batch``), or written
as a batch file for vLLM's ``run_batch`` and its results read back (``--batch-file`` / ``--batch-results``).

One run of :func:`run` first advances every batch recorded in the store (``batches.json``, :mod:`.state`):
an interrupted submission is finished, adopting what the provider already has; a batch still running is left
to run; an ended one (completed, failed, expired, cancelled) has its output and error files read, every answer
passing the same normalisation and gate as a live answer (:mod:`.tasks`), the good stored, the rest pending
with the provider's or the gate's reason. Then every request still unanswered and not in a running batch is
submitted: what expired or failed goes again, and day summaries follow once their papers have nothing left
to ask. The daily job runs it once a day: each run collects what the previous one submitted.

Never twice, never lost: the intent (the request set and a fresh key) is recorded before anything is sent;
the file is uploaded under a name holding the key and the batch created with the key in its ``metadata``; a
run that finds an intent without a file id, or a file id without a batch id, looks the key up (files.list,
batches.list) before uploading or creating. A batch of this site (``metadata``) that the store does not know
(its record was never committed) is adopted. Results are stored before the batch is marked closed: a run
killed in between reads them again, and answers already stored are recognised and ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from .. import pipeline
from ..analysis import llm
from ..analysis.llm.batch import (ENDED, KEY_FIELD, MAX_BYTES, MAX_LINES, OPEN, Batches, BatchError, batch_errors,
                                  line, results)
from ..config import DigestConfig
from ..store import Store, write_atomic
from .state import State, now
from .tasks import Collector, Task, answer

__all__ = ["BatchError", "State", "Task", "ingest_file", "run", "write_file"]


def _report(config: DigestConfig) -> pipeline.Report:
    """A report whose cost line is at batch prices."""
    discount = config.llm.batch_discount
    return pipeline.Report(prices=(config.llm.price_input * discount, config.llm.price_output * discount))


class Runner:
    """One batch run over one store (held locked by the caller)."""

    def __init__(self, store: Store, config: DigestConfig, analyzer: llm.Analyzer | None, api: Batches | None) -> None:
        self.report = _report(config)
        self.analyzer = analyzer or llm.Analyzer(config, full_text=pipeline.full_text_reader(config))
        self.state = State(store)
        self.collector = Collector(store, config, self.analyzer, self.state, self.report)
        self._api = api
        self.config = config
        # Which site a batch belongs to (several sites may share a key): its series and categories.
        self.site = hashlib.sha256(json.dumps([config.title, config.prefix, sorted(config.categories),
                                               config.language]).encode()).hexdigest()[:16]
        self.notes: list[str] = []
        self.provider = self.analyzer.client.provider
        self.lessons: set[str | None] = set()  # error messages already learned from

    @property
    def api(self) -> Batches:
        if self._api is None:
            self._api = Batches(self.config.llm, self.analyzer.client)
        return self._api

    def ingest(self, found: Any, tasks: dict[str, Task], covered: set[str] | None = None) -> set[str]:
        """Store every result of ``found`` that answers one of ``tasks`` (and ``covered``, when given)."""
        answered: set[str] = set()
        for result in found:
            task = tasks.get(result.custom_id)
            if task is None or (covered is not None and result.custom_id not in covered):
                continue  # answered already (a run killed before closing its batch), or outdated
            answer(task, result.body, result.error, self.state.meta.get(result.custom_id, {}))
            answered.add(result.custom_id)
            if result.status and result.status != 200 and result.error not in self.lessons:
                self.learn(task, result.status, result.error or "")
        return answered

    def learn(self, task: Task, status: int, message: str) -> None:
        """What a refused request says the endpoint wants (a parameter, a structured-output mode), as a live run
        learns it: the requests sent again by this run follow it, and the report names the option to set."""
        self.lessons.add(message)
        request, _ = task.build()
        self.provider.learn(self.provider.body(request.model, request.system, request.user, request.schema),
                            status, message)

    def built(self, tasks: list[Task]) -> list[tuple[list[str], bytes]]:
        """The bodies of ``tasks`` as batch files within the provider's limits; their meta recorded."""
        chunks: list[tuple[list[str], bytes]] = []
        ids: list[str] = []
        lines: list[bytes] = []
        size = 0
        for task in tasks:
            request, meta = task.build()
            body = self.provider.batch_body(request.model, request.system, request.user, request.schema)
            data = (line(task.custom_id, body) + "\n").encode("utf-8")
            if ids and (len(ids) >= MAX_LINES or size + len(data) > MAX_BYTES):
                chunks.append((ids, b"".join(lines)))
                ids, lines, size = [], [], 0
            self.state.meta[task.custom_id] = meta
            ids.append(task.custom_id)
            lines.append(data)
            size += len(data)
        if ids:
            chunks.append((ids, b"".join(lines)))
        return chunks

    def advance(self, entry: dict[str, Any], tasks: dict[str, Task], data: bytes | None = None) -> None:
        """Take one recorded batch as far as it goes now, recording each step."""
        fresh = data is not None  # sent by this run: nothing to adopt
        if entry["status"] == "intent":
            entry["file_id"] = None if fresh else self.api.find_file(entry["key"])
            if entry["file_id"] is None:
                if data is None:  # interrupted before the upload: the same requests, built again
                    wanted = [tasks[c] for c in entry["custom_ids"] if c in tasks]
                    if not wanted:
                        self.state.close(entry, "nothing left to send", 0)
                        return
                    (ids, data), *_ = self.built(wanted[:MAX_LINES])
                    entry["custom_ids"] = ids
                    self.state.save()
                entry["file_id"] = self.api.upload(entry["key"], data)
            entry["status"] = "uploaded"
            self.state.save()
        if entry["status"] == "uploaded":
            batch = (None if fresh else self.api.find_batch(entry["key"], self.site)) \
                or self.api.create(entry["key"], entry["file_id"], self.site)
            entry.update(status="submitted", batch_id=batch.id)
            self.state.save()
            return
        batch = self.api.retrieve(entry["batch_id"])
        if batch.status in OPEN or batch.status not in ENDED:
            self.notes.append(f"batch {batch.id}: {batch.status} ({_counts(batch)})")
            return
        covered = set(entry["custom_ids"])
        answered: set[str] = set()
        for file_id in (batch.output_file_id, batch.error_file_id):
            if file_id:
                answered |= self.ingest(results(self.api.content(file_id), f"file {file_id}"), tasks, covered)
        missing = [c for c in entry["custom_ids"] if c not in answered and c in tasks]
        why = f"the batch {batch.status}" + (f": {batch_errors(batch)}" if batch_errors(batch) else "")
        for custom_id in missing:
            if custom_id not in self.state.halves:
                answer(tasks[custom_id], None, why, {})
        self.notes.append(f"batch {batch.id}: {batch.status}; {len(answered)} answers read, "
                          f"{len(missing)} without an answer (sent again)")
        self.state.close(entry, batch.status, len(answered))
        self.state.save()

    def adopt(self) -> None:
        """Record the batches of this site the provider has and the store does not: a job killed after creating
        one and before its store was committed (a CI runner's checkout is gone with it)."""
        known = {b.get("batch_id") for b in self.state.batches} | {b["key"] for b in self.state.batches}
        for batch in self.api.recent(self.site):
            if batch.id in known or batch.metadata[KEY_FIELD] in known:
                continue
            ids = [r["custom_id"] for r in map(json.loads, self.api.content(batch.input_file_id).splitlines()) if r]
            self.state.batches.append({"key": batch.metadata[KEY_FIELD], "custom_ids": ids, "status": "submitted",
                                       "file_id": batch.input_file_id, "batch_id": batch.id, "created": now()})
            self.notes.append(f"batch {batch.id}: adopted ({len(ids)} requests sent by a run whose record was lost)")
        self.state.save()

    def collect(self) -> None:
        """Advance every recorded batch (an ended one's answers stored)."""
        self.adopt()
        tasks = self.collector.collect()  # no request is in two open batches: one collection serves them all
        for entry in self.state.open():
            self.advance(entry, tasks)

    def submit(self, dates: list[str] | None) -> None:
        """Send every pending request not in a running batch."""
        busy = self.state.in_flight()
        tasks = self.collector.collect(dates)
        todo = [t for cid, t in tasks.items() if cid not in busy]
        for ids, data in self.built(todo):
            # A fresh key per submission: a resubmitted request set must not adopt its expired predecessor.
            key = hashlib.sha256("\n".join([*ids, now(), os.urandom(8).hex()]).encode()).hexdigest()[:20]
            entry = {"key": key, "custom_ids": ids, "status": "intent", "created": now()}
            self.state.batches.append(entry)
            self.state.save()  # the intent first: a kill from here on is resumed, never sent again
            self.advance(entry, tasks, data)
            self.notes.append(f"batch {entry['batch_id']}: submitted {len(ids)} requests")

    def finish(self) -> tuple[pipeline.Report, list[str]]:
        self.report.learned = self.provider.learned()
        self.state.prune(set(self.collector.collect()))
        self.state.save()
        return self.report, self.notes


def run(store: Store, config: DigestConfig, dates: list[str] | None = None, analyzer: llm.Analyzer | None = None,
        api: Batches | None = None) -> tuple[pipeline.Report, list[str]]:
    """Collect what ended, then submit what is pending (``dates``: only their papers' and summaries')."""
    with store.lock():
        runner = Runner(store, config, analyzer, api)
        try:
            runner.collect()
            runner.submit(dates)
        except BatchError as error:
            runner.report.failures.append(f"{error} (recorded; the next run resumes)")
        return runner.finish()


def write_file(store: Store, config: DigestConfig, path: Path, dates: list[str] | None = None,
               analyzer: llm.Analyzer | None = None) -> tuple[pipeline.Report, list[str]]:
    """Write every pending request not in a running batch as a batch file (for vLLM's ``run_batch``)."""
    with store.lock():
        runner = Runner(store, config, analyzer, None)
        busy = runner.state.in_flight()
        todo = [t for cid, t in runner.collector.collect(dates).items() if cid not in busy]
        data = b"".join(data for _, data in runner.built(todo))
        write_atomic(path, data, durable=False)
        runner.notes.append(f"wrote {len(todo)} requests to {path}")
        return runner.finish()


def ingest_file(store: Store, config: DigestConfig, path: Path,
                analyzer: llm.Analyzer | None = None) -> tuple[pipeline.Report, list[str]]:
    """Store the answers of a batch results file (the OpenAI output format, as vLLM's ``run_batch`` writes)."""
    with store.lock():
        runner = Runner(store, config, analyzer, None)
        started = time.monotonic()
        answered = runner.ingest(results(path.read_text(encoding="utf-8"), str(path)), runner.collector.collect())
        runner.notes.append(f"read {len(answered)} answers from {path} in {time.monotonic() - started:.1f} s")
        return runner.finish()


def _counts(batch: Any) -> str:
    counts = getattr(batch, "request_counts", None)
    if counts is None:
        return "-"
    return f"{counts.completed}/{counts.total} done, {counts.failed} failed"
