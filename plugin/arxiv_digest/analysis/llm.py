"""Analysis stage, LLM side: per-paper analyses, structured fields and day summaries
through any OpenAI-compatible endpoint, validated before anything is stored as done.

Every answer passes the same gate: not cut off, not empty, not a refusal or a
request for input, in the site's language, with the required sections, and
(for JSON) valid against the schema with no number in the TL;DR that the
source lacks. A failing answer is retried a bounded number of times; then the
paper is stored as pending with the reason and retried on the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from mkdocs.plugins import get_plugin_logger
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from ..config import DigestConfig, LLMConfig
from .. import i18n
from . import checks
from ..store import Record

log = get_plugin_logger(__name__)

PROMPTS = Path(__file__).parents[1] / "prompts"

NUMBER_RE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*%?")
LATIN_RE = re.compile(r"[A-Za-z]")


class Invalid(Exception):
    """An answer that must not be stored as done; the message is the reason shown to the site owner."""


# -- configuration ---------------------------------------------------------------

def api_key(config: LLMConfig) -> str | None:
    return os.environ.get(config.api_key_env) or None


def enabled(config: LLMConfig) -> bool:
    """With neither a key nor an endpoint the offline analyzer stays in charge."""
    return bool(config.base_url or api_key(config))


def model_for(config: LLMConfig, task: str) -> str:
    return config.models[task] or config.model


class Prompts:
    """Prompt templates per language; a site overrides them in ``templates_dir/prompts/<lang>/``."""

    def __init__(self, language: str, templates_dir: str | None) -> None:
        dirs = [Path(templates_dir) / "prompts" / language] if templates_dir else []
        self.env = Environment(loader=ChoiceLoader([FileSystemLoader([str(d) for d in dirs]),
                                                    FileSystemLoader(str(PROMPTS / language))]),
                               autoescape=False, trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)

    def source(self, name: str) -> str:
        return self.env.loader.get_source(self.env, name)[0]

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context).strip()

    def digest(self, *names: str, extra: str = "") -> str:
        """Hash of the templates a result came from: the cache key's prompt part."""
        text = "\x00".join(self.source(n) for n in names) + extra
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- validation --------------------------------------------------------------------

def cjk_share(text: str) -> float:
    cjk, latin = len(i18n.HAN_RE.findall(text)), len(LATIN_RE.findall(text))
    return cjk / (cjk + latin / 2) if cjk + latin else 0.0


def check_text(text: str, finish_reason: str | None, language: str, short: bool = False) -> str:
    """Reasons every free-text answer can fail for; returns the stripped text.

    ``short`` is for fields such as a TL;DR, which are not held to an analysis' length.
    """
    if finish_reason == "length":
        raise Invalid("answer cut off at max_tokens (finish_reason=length)")
    text = (text or "").strip()
    if not text:
        raise Invalid("empty answer")
    verdict = checks.check(text, min_chars=1, min_substance=10) if short else checks.check(text)
    if verdict:
        raise Invalid(verdict.reason)
    share = cjk_share(text)
    if language == "zh" and share < 0.3:
        raise Invalid(f"answer is not in Chinese (CJK share {share:.2f})")
    if language == "en" and share > 0.05:
        raise Invalid(f"answer is not in English (CJK share {share:.2f})")
    return text


def check_sections(text: str, sections: list[str]) -> None:
    headings = [line.lstrip("#").strip().lower() for line in text.splitlines() if line.lstrip().startswith("#")]
    missing = [s for s in sections if not any(s.lower() in h for h in headings)]
    if missing:
        raise Invalid(f"missing sections: {', '.join(missing)}")


def numbers(text: str) -> set[str]:
    return {n.rstrip("%").replace(",", "") for n in NUMBER_RE.findall(text)}


def check_numbers(claim: str, source: str) -> None:
    """Numbers in a TL;DR (two digits or more, or decimals) must occur in the source."""
    known = numbers(source)
    made_up = sorted(n for n in numbers(claim) if (len(n) > 1 or "." in n) and n not in known)
    if made_up:
        raise Invalid(f"TL;DR has numbers not in the paper: {', '.join(made_up)}")


def fields_schema(taxonomy: list[str], max_tags: int) -> dict[str, Any]:
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


def parse_json(text: str) -> Any:
    """JSON from an answer, tolerating a Markdown code fence around it."""
    fenced = re.search(r"```(?:json)?\s*(\{.*\})\s*```", text, re.S)
    candidate = fenced.group(1) if fenced else text[text.find("{"): text.rfind("}") + 1]
    try:
        return json.loads(candidate)
    except ValueError as error:
        raise Invalid(f"answer is not valid JSON ({error})") from None


def check_schema(data: Any, schema: dict[str, Any], what: str) -> None:
    import jsonschema  # only runs with an LLM configured: builds without one skip the import

    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as error:
        raise Invalid(f"{what} does not match the schema: {error.message[:150]}") from None


def check_dates(text: str, digest_date: str, language: str) -> None:
    """A summary dated by the submission day instead of the digest date is wrong."""
    year, month, day = (int(x) for x in digest_date.split("-"))
    found = [(int(y), int(m), int(d)) for y, m, d in re.findall(r"(\d{4})\s*[-/年]\s*(\d{1,2})\s*[-/月]\s*(\d{1,2})", text)]
    found += [(year, int(m), int(d)) for m, d in re.findall(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日", text)]
    wrong = sorted({f"{y}-{m:02d}-{d:02d}" for y, m, d in found if (y, m, d) != (year, month, day)})
    if wrong:
        raise Invalid(f"summary is dated {', '.join(wrong)} instead of the digest date {digest_date}")


# -- the client ----------------------------------------------------------------------

class RateLimiter:
    """At most ``per_minute`` request starts per minute, spaced evenly (thread-safe)."""

    def __init__(self, per_minute: int) -> None:
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.lock = threading.Lock()
        self.next_start = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + self.interval
        time.sleep(max(0.0, start - now))


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0

    def add(self, other: "Usage") -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.requests += other.requests

    def as_dict(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "requests": self.requests}


def _transient(error: BaseException) -> bool:
    import openai

    if isinstance(error, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError)):
        return True
    return isinstance(error, openai.APIStatusError) and error.status_code >= 500


def _retry_after(error: BaseException | None) -> float:
    response = getattr(error, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(float(value), 300.0) if value else 0.0
    except ValueError:
        return 0.0


class Client:
    """The ``openai`` client with our retries, rate limit and secret scrubbing."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self._key = api_key(config) or "no-key"  # local servers need no key, the client wants one
        # Imported here, not at the top: importing openai costs ~0.5 s, which every build without an LLM would pay.
        import openai

        self.openai = openai.OpenAI(base_url=config.base_url, api_key=self._key, max_retries=0,
                                    timeout=config.timeout)
        self.limiter = RateLimiter(config.requests_per_minute)
        self.json_schema = config.json_schema

    def scrub(self, message: str) -> str:
        return message.replace(self._key, "***") if self._key and self._key != "no-key" else message

    def chat(self, model: str, system: str, user: str, usage: Usage, schema: dict | None = None) -> tuple[str, str | None]:
        """One answer (text, finish_reason), retried on 429/5xx/timeouts with backoff and Retry-After."""
        import openai

        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "max_tokens": self.config.max_tokens,
            "temperature": self.config.temperature,
        }
        if self.config.extra_body:
            body["extra_body"] = dict(self.config.extra_body)
        if schema is not None and self.json_schema:
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "paper_fields", "schema": schema, "strict": True}}

        def wait_time(state: RetryCallState) -> float:
            return max(2.0 ** (state.attempt_number - 1), _retry_after(state.outcome.exception()))

        def call() -> Any:
            self.limiter.wait()
            usage.requests += 1
            return self.openai.chat.completions.create(**body)

        try:
            for attempt in Retrying(retry=retry_if_exception(_transient), stop=stop_after_attempt(self.config.retries + 1),
                                    wait=wait_time, reraise=True):
                with attempt:
                    try:
                        response = call()
                    except openai.BadRequestError:
                        if "response_format" not in body:
                            raise
                        # The endpoint refuses json_schema: parse JSON from plain text from now on.
                        self.json_schema = False
                        body.pop("response_format")
                        response = call()
        except (openai.OpenAIError, ValueError) as error:  # ValueError: a body that is not JSON
            # The stored (and published) reason names the failure kind only: endpoint error bodies can carry
            # organisation names, quotas or an echoed key. The details go to the log, scrubbed.
            status = getattr(error, "status_code", None)
            log.info("LLM request failed: %s", self.scrub(f"{type(error).__name__}: {error}")[:500])
            raise Invalid(f"LLM request failed ({type(error).__name__}" + (f", HTTP {status})" if status else ")")) \
                from None
        try:
            if response.usage:
                usage.prompt_tokens += response.usage.prompt_tokens or 0
                usage.completion_tokens += response.usage.completion_tokens or 0
            choice = response.choices[0]
            return choice.message.content or "", choice.finish_reason
        except (AttributeError, IndexError, TypeError):
            # The endpoint answered 200 with something that is not a chat completion (e.g. a proxy's page).
            raise Invalid("answer is not a chat completion") from None


# -- tasks -----------------------------------------------------------------------------

@dataclass
class Outcome:
    """What analyzing one paper produced (merged into its record by the caller)."""

    paper_id: str
    analysis: Record | None = None
    tags: list[str] | None = None
    reason: str | None = None
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

    def prompt_hash(self) -> str:
        models = f"{model_for(self.llm, 'analysis')}|{model_for(self.llm, 'tags')}|{self.llm.full_text}"
        return self.prompts.digest("system.md", "analysis.md", "fields.md", extra=models)

    def summary_hash(self) -> str:
        return self.prompts.digest("system.md", "summary.md", extra=model_for(self.llm, "summary"))

    def _attempts(self, run: Callable[[], Any]) -> Any:
        reasons = []
        for _ in range(self.llm.attempts):
            try:
                return run()
            except Invalid as error:
                reasons.append(str(error))
        raise Invalid(reasons[-1] + (f" (after {len(reasons)} tries)" if len(reasons) > 1 else ""))

    def analysis(self, paper: Record, usage: Usage) -> tuple[str, str | None]:
        """The Markdown analysis, from the full text when configured and available."""
        source, excerpt = None, ""
        if self.llm.full_text and self.full_text is not None:
            got = self.full_text(paper)
            if got:
                source, excerpt = got
        sections = i18n.sections(self.language, "full" if source else "abstract")
        system = self.prompts.render("system.md")
        user = self.prompts.render("analysis.md", paper=paper, sections=sections, full_text=excerpt)

        def run() -> str:
            text, finish = self.client.chat(model_for(self.llm, "analysis"), system, user, usage)
            text = check_text(text, finish, self.language)
            check_sections(text, sections)
            return text

        return self._attempts(run), source

    def fields(self, paper: Record, usage: Usage) -> dict[str, Any]:
        """TL;DR, tags from the taxonomy and key contributions, as schema-valid JSON."""
        system = self.prompts.render("system.md")
        user = self.prompts.render("fields.md", paper=paper, taxonomy=self.taxonomy, max_tags=self.config.max_tags)
        source = f"{paper['title']}\n{paper.get('abstract', '')}"

        def run() -> dict[str, Any]:
            text, finish = self.client.chat(model_for(self.llm, "tags"), system, user, usage, schema=self.schema)
            if finish == "length":
                raise Invalid("answer cut off at max_tokens (finish_reason=length)")
            data = parse_json(text or "")
            check_schema(data, self.schema, "JSON")
            check_text(" ".join([data["tldr"], *data["key_contributions"]]), None, self.language, short=True)
            check_numbers(data["tldr"], source)
            return data

        return self._attempts(run)

    def paper(self, paper: Record) -> Outcome:
        outcome = Outcome(paper["id"])
        try:
            body, source = self.analysis(paper, outcome.usage)
            data = self.fields(paper, outcome.usage)
        except Invalid as error:
            outcome.reason = str(error)
            return outcome
        outcome.tags = list(dict.fromkeys(data["tags"]))
        outcome.analysis = {
            "status": "done",
            "provenance": "llm",
            "body": body,
            "tldr": data["tldr"].strip(),
            "key_findings": [k.strip() for k in data["key_contributions"]],
            "reason": None,
            "full_text": source,
            "model": model_for(self.llm, "analysis"),
            "models": {"analysis": model_for(self.llm, "analysis"), "tags": model_for(self.llm, "tags")},
            "prompt_hash": self.prompt_hash(),
            "paper_version": paper.get("version", 1),
            "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "usage": outcome.usage.as_dict(),
        }
        return outcome

    def summary(self, date: str, papers: list[Record], usage: Usage) -> Record:
        """The day's executive summary, dated with the digest date; raises Invalid."""
        date_text = i18n.summary_date(date, self.language)
        views = [{"title": p["title"], "tags": [t for t in p.get("tags", []) if t in self.config.taxonomy],
                  "tldr": (p.get("analysis") or {}).get("tldr") or ""} for p in papers]
        system = self.prompts.render("system.md")
        user = self.prompts.render("summary.md", papers=views, date_text=date_text, categories=self.config.categories)
        sections = i18n.sections(self.language, "summary")

        def run() -> str:
            text, finish = self.client.chat(model_for(self.llm, "summary"), system, user, usage)
            text = check_text(text, finish, self.language)
            check_sections(text, sections)
            check_dates(text, date, self.language)
            return text

        return {"provenance": "llm", "markdown": self._attempts(run) + "\n", "model": model_for(self.llm, "summary"),
                "prompt_hash": self.summary_hash(), "papers": [p["id"] for p in papers],
                "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat()}

    def relevance_key(self, interest: str) -> str:
        return self.prompts.digest("system.md", "relevance.md", extra=f"{model_for(self.llm, 'relevance')}|{interest}")

    def relevance(self, papers: list[Record], interest: str, batch: int, usage: Usage) -> dict[str, float]:
        """Relevance (0–10) of each paper to the reader's interests, in batches; raises Invalid."""
        scores: dict[str, float] = {}
        system = self.prompts.render("system.md")
        for start in range(0, len(papers), batch):
            chunk = papers[start:start + batch]
            ids = [p["id"] for p in chunk]
            schema = {"type": "object", "additionalProperties": False, "required": ["scores"], "properties": {
                "scores": {"type": "array", "minItems": len(ids), "maxItems": len(ids), "items": {
                    "type": "object", "additionalProperties": False, "required": ["id", "score"],
                    "properties": {"id": {"type": "string", "enum": ids},
                                   "score": {"type": "integer", "minimum": 0, "maximum": 10}}}}}}
            user = self.prompts.render("relevance.md", interest=interest, papers=chunk)

            def run() -> dict[str, float]:
                text, finish = self.client.chat(model_for(self.llm, "relevance"), system, user, usage, schema=schema)
                if finish == "length":
                    raise Invalid("answer cut off at max_tokens (finish_reason=length)")
                data = parse_json(text or "")
                check_schema(data, schema, "relevance JSON")
                got = {item["id"]: float(item["score"]) for item in data["scores"]}
                if set(got) != set(ids):
                    raise Invalid(f"relevance scores missing for {', '.join(sorted(set(ids) - set(got)))}")
                return got

            scores.update(self._attempts(run))
        return scores

    def run(self, papers: Iterable[Record], on_done: Callable[[Outcome], None]) -> None:
        """Analyze papers concurrently (``concurrency`` in flight); ``on_done`` sees each as it finishes."""
        with ThreadPoolExecutor(max_workers=self.llm.concurrency, thread_name_prefix="arxiv-digest-llm") as pool:
            pending: set[Future[Outcome]] = {pool.submit(self.paper, p) for p in papers}
            try:
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        on_done(future.result())
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
