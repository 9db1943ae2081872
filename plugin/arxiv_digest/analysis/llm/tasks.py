"""The LLM tasks: per-paper analyses, structured fields, day summaries and relevance scores.

Each task renders its prompt, asks the endpoint through the :class:`~.client.Client`, and passes the answer
through the validation gate (:mod:`..checks`). A failing answer is retried ``attempts`` times; then the
paper is stored as pending with the reason and retried on the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ...config import DigestConfig, LLMConfig
from ... import i18n
from ...model import Provenance, Record, Status
from .. import checks
from .. import answers
from ..checks import Invalid
from . import pool
from .client import Client, RequestFailed, Stop, Usage
from .prompts import Prompts
from .providers import settings_key


def model_for(config: LLMConfig, task: str) -> str:
    """The model of a task (``analysis``, ``tags``, ``summary``, ``relevance``): its override or ``model``."""
    return config.models[task] or config.model


def fields_schema(taxonomy: list[str], max_tags: int) -> dict[str, Any]:
    """JSON schema of a paper's fields: TL;DR, tags from the taxonomy, key contributions."""
    # Every string and array is bounded: grammar-constrained servers (llama.cpp) can loop inside an
    # unbounded string until max_tokens.
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["tldr", "tags", "key_contributions"],
        "properties": {
            "tldr": {"type": "string", "minLength": 8, "maxLength": 600},
            "tags": {"type": "array", "items": {"type": "string", "enum": taxonomy}, "minItems": 1,
                     "maxItems": max_tags},
            "key_contributions": {"type": "array", "items": {"type": "string", "minLength": 4, "maxLength": 400},
                                  "minItems": 1, "maxItems": 6},
        },
    }


def relevance_schema(ids: list[str]) -> dict[str, Any]:
    """JSON schema of relevance scores: one integer from 0 to 10 for each of ``ids``."""
    return {"type": "object", "additionalProperties": False, "required": ["scores"], "properties": {
        "scores": {"type": "array", "minItems": len(ids), "maxItems": len(ids), "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "score"],
            "properties": {"id": {"type": "string", "enum": ids},
                           "score": {"type": "integer", "minimum": 0, "maximum": 10}}}}}}


@dataclass
class Request:
    """One chat request of a task and the check its answer must pass: sent live (:meth:`Analyzer.ask`) or
    written into a batch (:mod:`...batches`), the same body and the same gate either way."""

    task: str  # the key of its model (``model_for``): analysis, tags, summary, relevance
    model: str
    system: str
    user: str
    schema: dict[str, Any] | None
    check: Callable[[str, str | None], Any]  # (text, finish_reason) → the checked value; raises Invalid


@dataclass
class Outcome:
    """What analyzing one paper produced (merged into its record by the caller)."""

    paper_id: str
    analysis: Record | None = None
    tags: list[str] | None = None
    reason: str | None = None
    detail: str | None = None  # the endpoint's own words (key scrubbed)
    usage: Usage = field(default_factory=Usage)


class Analyzer:
    """Runs the LLM tasks of one site configuration."""

    def __init__(self, config: DigestConfig, full_text: Callable[[Record], tuple[str, str] | None] | None = None) -> None:
        self.config = config
        self.llm = config.llm
        self.language = config.language
        self.prompts = Prompts(config.language, config.templates_dir)
        self.client = Client(config.llm)
        self.full_text = full_text
        self.taxonomy = list(config.taxonomy)
        self.schema = fields_schema(self.taxonomy, config.max_tags)

    def learned(self) -> list[str]:
        """What this run learned the endpoint refuses, each with the option that makes it permanent."""
        return self.client.provider.learned()

    def _settings(self, *tasks: str) -> str:
        """The models of ``tasks`` and the request settings that shape their answers (provider profile,
        ``extra_body``, token limits, temperature): part of a result's key."""
        return "|".join(f"{model_for(self.llm, t)}:{settings_key(self.llm, model_for(self.llm, t))}" for t in tasks)

    def prompt_hash(self) -> str:
        """Key of a paper's analysis: prompts, models, request settings (``reanalyze: stale`` compares it)."""
        extra = f"{self._settings('analysis', 'tags')}|{self.llm.full_text}"
        return self.prompts.digest("system.md", "analysis.md", "fields.md", extra=extra)

    def summary_hash(self) -> str:
        return self.prompts.digest("system.md", "summary.md", extra=self._settings("summary"))

    def _attempts(self, run: Callable[[], Any]) -> Any:
        errors: list[Invalid] = []
        for _ in range(self.llm.attempts):
            try:
                return run()
            except RequestFailed:
                raise  # already retried with backoff: another attempt would repeat the same requests
            except Invalid as error:
                errors.append(error)
        tries = f" (after {len(errors)} tries)" if len(errors) > 1 else ""
        raise Invalid(str(errors[-1]) + tries, errors[-1].detail)

    def ask(self, request: Request, usage: Usage) -> Any:
        """``request`` sent live (``attempts`` tries), its answer as its check returns it; raises Invalid."""
        def run() -> Any:
            return request.check(*self.client.chat(request.model, request.system, request.user, usage,
                                                   schema=request.schema))

        return self._attempts(run)

    def analysis_check(self, source: str | None) -> Callable[[str, str | None], str]:
        """The gate of an analysis written from ``source`` (a full text's, or None: the abstract)."""
        sections = i18n.sections(self.language, "full" if source else "abstract")
        return lambda text, finish: checks.check_analysis(text, finish, self.language, sections)

    def analysis_request(self, paper: Record) -> tuple[Request, str | None]:
        """The analysis request of ``paper`` (from the full text when configured and available), and its source."""
        source, excerpt = None, ""
        if self.llm.full_text and self.full_text is not None:
            got = self.full_text(paper)
            if got:
                source, excerpt = got
        sections = i18n.sections(self.language, "full" if source else "abstract")
        user = self.prompts.render("analysis.md", paper=paper, sections=sections, full_text=excerpt)
        return Request("analysis", model_for(self.llm, "analysis"), self.prompts.render("system.md"), user, None,
                       self.analysis_check(source)), source

    def analysis(self, paper: Record, usage: Usage) -> tuple[str, str | None]:
        """The Markdown analysis, from the full text when configured and available."""
        request, source = self.analysis_request(paper)
        return self.ask(request, usage), source

    def fields_request(self, paper: Record) -> Request:
        """The request of a paper's TL;DR, tags and key contributions (schema-valid JSON)."""
        user = self.prompts.render("fields.md", paper=paper, taxonomy=self.taxonomy, max_tags=self.config.max_tags)
        source = f"{paper['title']}\n{paper.get('abstract', '')}"

        def check(text: str, finish: str | None) -> dict[str, Any]:
            data = checks.check_json(text, finish, self.schema, "JSON")
            texts = [data["tldr"], *data["key_contributions"]]
            if any(answers.carries_reasoning(t) for t in texts):
                raise Invalid("JSON fields carry model reasoning (think tags)")
            checks.check_text(" ".join(texts), "stop", self.language, short=True)
            checks.check_numbers(data["tldr"], source)
            return data

        return Request("tags", model_for(self.llm, "tags"), self.prompts.render("system.md"), user, self.schema, check)

    def fields(self, paper: Record, usage: Usage) -> dict[str, Any]:
        """TL;DR, tags from the taxonomy and key contributions, as schema-valid JSON."""
        return self.ask(self.fields_request(paper), usage)

    def paper(self, paper: Record) -> Outcome:
        outcome = Outcome(paper["id"])
        if self.client.stopped:
            raise Stop(self.client.stopped)
        try:
            body, source = self.analysis(paper, outcome.usage)
            data = self.fields(paper, outcome.usage)
        except Invalid as error:
            outcome.reason, outcome.detail = str(error), error.detail
            return outcome
        return self.outcome(paper, body, source, data, outcome.usage)

    def outcome(self, paper: Record, body: str, source: str | None, data: dict[str, Any], usage: Usage) -> Outcome:
        """A paper's stored analysis from its two checked answers (analysis, fields), live or from a batch."""
        return Outcome(paper["id"], tags=list(dict.fromkeys(data["tags"])), usage=usage, analysis={
            "status": Status.DONE,
            "provenance": Provenance.LLM,
            "body": body,
            "tldr": data["tldr"].strip(),
            "key_findings": [k.strip() for k in data["key_contributions"]],
            "reason": None,
            "full_text": source,
            "model": model_for(self.llm, "analysis"),
            "models": {"analysis": model_for(self.llm, "analysis"), "tags": model_for(self.llm, "tags")},
            "prompt_hash": self.prompt_hash(),
            "paper_version": paper.get("version", 1),
            "gate": checks.GATE,
            "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "usage": usage.as_dict(),
        })

    def summary_request(self, date: str, papers: list[Record]) -> Request:
        """The request of a day's executive summary, dated with the digest date."""
        date_text = i18n.summary_date(date, self.language)
        views = [{"title": p["title"], "tags": [t for t in p.get("tags", []) if t in self.config.taxonomy],
                  "tldr": (p.get("analysis") or {}).get("tldr") or ""} for p in papers]
        sections = i18n.sections(self.language, "summary")
        user = self.prompts.render("summary.md", papers=views, date_text=date_text, categories=self.config.categories,
                                   sections=sections)

        def check(text: str, finish: str | None) -> str:
            text = checks.check_analysis(text, finish, self.language, sections, numbered=False)
            checks.check_dates(text, date)
            return text

        return Request("summary", model_for(self.llm, "summary"), self.prompts.render("system.md"), user, None, check)

    def summary_record(self, papers: list[Record], text: str) -> Record:
        """A day summary record from its checked text."""
        return {"provenance": Provenance.LLM, "markdown": text + "\n", "model": model_for(self.llm, "summary"),
                "prompt_hash": self.summary_hash(), "papers": [p["id"] for p in papers], "gate": checks.GATE,
                "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat()}

    def summary(self, date: str, papers: list[Record], usage: Usage) -> Record:
        """The day's executive summary, dated with the digest date; raises Invalid."""
        return self.summary_record(papers, self.ask(self.summary_request(date, papers), usage))

    def relevance_key(self, interest: str) -> str:
        return self.prompts.digest("system.md", "relevance.md", extra=f"{model_for(self.llm, 'relevance')}|{interest}")

    def relevance(self, papers: list[Record], interest: str, batch: int, usage: Usage) -> dict[str, float]:
        """Relevance (0–10) of each paper to the reader's interests, in batches; raises Invalid."""
        scores: dict[str, float] = {}
        system = self.prompts.render("system.md")
        for start in range(0, len(papers), batch):
            chunk = papers[start:start + batch]
            ids = [p["id"] for p in chunk]
            schema = relevance_schema(ids)
            user = self.prompts.render("relevance.md", interest=interest, papers=chunk)

            def run() -> dict[str, float]:
                text, finish = self.client.chat(model_for(self.llm, "relevance"), system, user, usage, schema=schema)
                data = checks.check_json(text, finish, schema, "relevance JSON")
                got = {item["id"]: float(item["score"]) for item in data["scores"]}
                if set(got) != set(ids):
                    raise Invalid(f"relevance scores missing for {', '.join(sorted(set(ids) - set(got)))}")
                return got

            scores.update(self._attempts(run))
        return scores

    def run(self, papers: Iterable[Record], on_done: Callable[[Outcome], None]) -> None:
        """Analyze papers concurrently (``concurrency`` in flight); ``on_done`` sees each as it finishes.

        Raises :class:`Stop` when the endpoint refuses the key or the quota is exhausted: the papers not yet
        finished are left as they were (their tasks stop at their next request)."""
        pool.run_all(self.llm.concurrency, "arxiv-digest-llm", [(self.paper, (p,)) for p in papers],
                     lambda _, outcome: on_done(outcome))
