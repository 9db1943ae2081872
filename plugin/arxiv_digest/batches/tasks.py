"""The requests a batch carries, as tasks: each has a custom_id, builds its request, checks and stores its answer.

A paper needing analysis makes two tasks (``analysis:<id>:<key>``, ``fields:<id>:<key>``: the same requests,
bodies and gate as a live run, :class:`~..analysis.llm.Request`); the first of the pair to pass the gate is
held (``State.halves``) until its twin passes, and only the pair makes a stored analysis. A day whose papers
have nothing left to ask makes a summary task (``summary:<date>:<key>``). The listed papers needing a brief make
one task per brief request (``brief:<date>:<key>``, ``llm.brief_batch`` papers each, :mod:`...llm.briefs`). ``<key>`` hashes what the answer
depends on (prompts, models, request settings, paper version; the papers' TL;DRs for a summary), so an answer
to an outdated request is recognised and ignored.

Another kind of request plugs in by adding its tasks in :meth:`Collector.collect`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import pipeline
from ..analysis import llm
from ..analysis.llm import briefs
from ..analysis.llm.client import answer_of
from ..config import DigestConfig
from ..model import Day, Paper
from ..store import Store
from .state import State

Answer = Any  # what a task's check returned, or the llm.Invalid saying why there is none


@dataclass
class Task:
    """One request of a batch."""

    custom_id: str
    build: Callable[[], tuple[llm.Request | briefs.Request, dict[str, Any]]]  # (the request, meta), built when sent
    check: Callable[[dict[str, Any]], Callable[[str, str | None], Any]]  # meta → the gate of its answer
    store: Callable[[Answer, llm.Usage], None]  # keeps a good answer, or records why there is none


def _key(*parts: Any) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12]


def answer(task: Task, body: dict[str, Any] | None, error: str | None, meta: dict[str, Any]) -> None:
    """Pass one result through the normalisation and gate of a live answer, then store it."""
    usage = llm.Usage()
    try:
        if body is None:
            raise llm.Invalid("the batch request failed", error)
        value = task.check(meta)(*answer_of(body, usage))
    except llm.Invalid as invalid:
        value = invalid
    task.store(value, usage)


class Collector:
    """The pending requests of a store, and how their answers are stored."""

    def __init__(self, store: Store, config: DigestConfig, analyzer: llm.Analyzer, state: State,
                 report: pipeline.Report) -> None:
        self.store, self.config, self.analyzer, self.state, self.report = store, config, analyzer, state, report

    def collect(self, dates: list[str] | None = None) -> dict[str, Task]:
        """Every request still to answer, by custom_id (held halves left out)."""
        tasks: dict[str, Task] = {}
        days = [d for d in self.store.days() if not dates or d["date"] in dates]
        seen: set[str] = set()
        for day in days:
            outstanding = False
            for pid in day.get("papers", []):
                paper = self.store.paper(pid)
                if paper is None or not pipeline.needs_analysis(paper, self.analyzer, False):
                    continue
                outstanding = True
                if pid not in seen:
                    seen.add(pid)
                    for task in self.paper_tasks(paper):
                        if task.custom_id not in self.state.halves:
                            tasks[task.custom_id] = task
            if not outstanding:
                task = self.summary_task(day)
                if task is not None:
                    tasks[task.custom_id] = task
        if self.config.listed:
            for date, request in briefs.pending(self.store, self.config, self.analyzer, [d["date"] for d in days]):
                task = self.brief_task(date, request)
                tasks[task.custom_id] = task
        return tasks

    # -- papers: analysis + fields, stored as a pair ---------------------------------------------------

    def paper_tasks(self, paper: Paper) -> list[Task]:
        pid = paper["id"]
        key = _key(self.analyzer.prompt_hash(), paper.get("version", 1))
        ids = {"analysis": f"analysis:{pid}:{key}", "fields": f"fields:{pid}:{key}"}
        def build_analysis() -> tuple[llm.Request, dict[str, Any]]:
            request, source = self.analyzer.analysis_request(paper)
            return request, {"source": source}

        def stored(kind: str) -> Callable[[Answer, llm.Usage], None]:
            return lambda value, usage: self.store_half(pid, kind, ids, value, usage)

        return [Task(ids["analysis"], build_analysis, lambda meta: self.analyzer.analysis_check(meta.get("source")),
                     stored("analysis")),
                Task(ids["fields"], lambda: (self.analyzer.fields_request(paper), {}),
                     lambda meta: self.analyzer.fields_request(paper).check, stored("fields"))]

    def store_half(self, pid: str, kind: str, ids: dict[str, str], value: Answer, usage: llm.Usage) -> None:
        paper = self.store.paper(pid)
        if paper is None:
            return
        if isinstance(value, llm.Invalid):
            # Pending with the reason; a good twin already held stays held for the next answer.
            pipeline.apply_outcome(self.store, llm.Outcome(pid, reason=str(value), detail=value.detail, usage=usage),
                                   self.config, self.report)
            return
        own = {"value": value if kind == "fields" else {"body": value,
                                                        "source": self.state.meta.get(ids[kind], {}).get("source")},
               "usage": usage.as_dict()}
        twin = self.state.halves.pop(ids["fields" if kind == "analysis" else "analysis"], None)
        if twin is None:
            self.state.halves[ids[kind]] = own
            self.report.usage.add(usage)
            return
        halves = {kind: own, "fields" if kind == "analysis" else "analysis": twin}
        total = llm.Usage()
        for half in halves.values():
            total.add(llm.Usage(**half["usage"]))
        body = halves["analysis"]["value"]
        outcome = self.analyzer.outcome(paper, body["body"], body["source"], halves["fields"]["value"], total)
        outcome.usage = usage  # the twin's tokens were counted when it came
        pipeline.apply_outcome(self.store, outcome, self.config, self.report)

    # -- day summaries -----------------------------------------------------------------------------------

    def summary_task(self, day: Day) -> Task | None:
        papers = [p for p in (self.store.paper(pid) for pid in day.get("papers", [])) if p is not None]
        if not pipeline.summary_due(self.analyzer, day, papers, False):
            return None
        date = day["date"]
        custom_id = f"summary:{date}:{_key(self.analyzer.summary_hash(), pipeline.summary_basis(papers))}"

        def store(value: Answer, usage: llm.Usage) -> None:
            self.report.usage.add(usage)
            new = value if isinstance(value, llm.Invalid) else self.analyzer.summary_record(papers, value)
            pipeline.save_summary(self.store, self.store.day(date) or day, papers, new, self.report)

        return Task(custom_id, lambda: (self.analyzer.summary_request(date, papers), {}),
                    lambda meta: self.analyzer.summary_request(date, papers).check, store)

    # -- briefs of listed papers -------------------------------------------------------------------------

    def brief_task(self, date: str, request: briefs.Request) -> Task:
        key = briefs.brief_hash(self.analyzer)

        def check(text: str, finish: str | None) -> Answer:
            return briefs.check(request, text, finish, self.analyzer.language, key)

        def store(value: Answer, usage: llm.Usage) -> None:
            self.report.usage.add(usage)
            got = briefs.failed(request, str(value), key) if isinstance(value, llm.Invalid) else value
            briefs.store_briefs(self.store, date, got, self.report)

        return Task(f"brief:{date}:{_key(key, *request.ids)}", lambda: (request, {}), lambda meta: check, store)
