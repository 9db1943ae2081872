"""The ``openai`` client as the analysis stage uses it: retries with backoff and Retry-After, the rate
limit shared by the worker threads, streaming, token and request accounting, errors classified, and
secrets kept out of reasons and logs.

What differs between endpoints (which request options they accept) is the :class:`~.providers.Provider`'s.

How a failed request is handled (at most ``retries`` + 1 requests per call, and one more after a lesson):

- quota exhausted or key refused (401, 402, ``insufficient_quota``, balance/arrears): :class:`Stop`, the
  whole run stops at once with the provider's message;
- a refusal the provider profile can adapt to (a parameter or a structured-output mode refused, streaming
  required; any 4xx/5xx that says so): learned for the run, and the request goes again once;
- the prompt does not fit the model's context: invalid, naming ``max_tokens`` / ``full_text_max_tokens``;
- 429, 5xx, timeouts, connection errors, and a 200 that is not an answer (an ``error`` object, OpenRouter's
  error after generation started; ``choices: []``, Azure's content filter): retried with backoff;
- anything else: invalid, with the provider's own message (key scrubbed).
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from mkdocs.plugins import get_plugin_logger
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from ...config import LLMConfig
from ..checks import Invalid
from .providers import Provider

log = get_plugin_logger(__name__)


def api_key(config: LLMConfig) -> str | None:
    """The key from the environment variable the options name (keys never sit in ``mkdocs.yml``)."""
    return os.environ.get(config.api_key_env) or None


def enabled(config: LLMConfig) -> bool:
    """With neither a key nor an endpoint the offline analyzer stays in charge."""
    return bool(config.base_url or api_key(config))


class Stop(Exception):
    """The endpoint will answer nothing in this run (quota exhausted, key refused): stop every task."""


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
    """Tokens and requests spent (one paper's, or a run's once added up)."""

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


class RequestFailed(Invalid):
    """No answer came (the request was retried already): another attempt of the task would only repeat it."""


class _NotAnAnswer(Exception):
    """A 200 that carries no answer (an error object, no choices): transient, retried with backoff."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


# Exhausted for good (not a per-minute limit: Gemini says "Quota exceeded for metric … per minute" then).
_FATAL = re.compile(r"insufficient_quota|exceeded your current quota|insufficient (?:account )?balance|"
                    r"insufficient credits|arrearage|余额不足|欠费|billing (?:hard )?limit", re.I)
_CONTEXT = re.compile(r"context.{0,12}length|maximum context|context window|too many tokens|prompt is too long|"
                      r"reduce the length|exceeds? the (?:model'?s? )?(?:max|context)", re.I)
_KEY_LIKE = re.compile(r"\b(?:sk|key|ak)-[A-Za-z0-9_\-]{8,}")


def _status(error: BaseException) -> int | None:
    return getattr(error, "status_code", None)


def _fatal(error: BaseException) -> bool:
    """Quota exhausted or key refused: nothing in this run can succeed."""
    status = _status(error)
    if status is None:
        return False
    message = provider_message(error)
    return (status in (401, 402) or bool(_FATAL.search(message))
            or status == 403 and bool(re.search(r"api.?key|auth|unauthori[sz]ed|permission denied", message, re.I)))


def _transient(error: BaseException) -> bool:
    import openai

    if _fatal(error):
        return False
    if isinstance(error, (_NotAnAnswer, openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError)):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code >= 500
    return isinstance(error, openai.APIError)  # an error event in a stream (OpenRouter, mid-generation)


def _retry_after(error: BaseException | None) -> float:
    response = getattr(error, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(float(value), 300.0) if value else 0.0
    except ValueError:
        return 0.0


def provider_message(error: BaseException) -> str:
    """The provider's own message of an error (its ``error.message`` when the body has one)."""
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            return " ".join(str(message).split())
    return " ".join(str(getattr(error, "message", None) or error).split())


class Client:
    """The ``openai`` client with our retries, rate limit, streaming and secret scrubbing."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self._key = api_key(config) or "no-key"  # local servers need no key, the client wants one
        # Imported here, not at the top: importing openai costs ~0.5 s, which every build without an LLM would pay.
        import openai

        self.openai = openai.OpenAI(base_url=config.base_url, api_key=self._key, max_retries=0,
                                    timeout=config.timeout)
        self.limiter = RateLimiter(config.requests_per_minute)
        self.provider = Provider(config)
        # What a request may end with. ValueError: a body that is not JSON; AttributeError, TypeError: JSON that
        # is not a chat completion (a proxy's page). Anything else is a bug, and shows as one.
        self._failures = (Stop, _NotAnAnswer, openai.OpenAIError, ValueError, AttributeError, TypeError)
        self.stopped: str | None = None  # set once by the first Stop: every later call stops at once
        self.budget: int | None = None  # most requests this client may send (``arxiv-digest check``)
        self.sent = 0
        self.saw_reasoning = False  # an answer came with reasoning (a field or tags): for the check command
        self._count_lock = threading.Lock()

    def scrub(self, message: str) -> str:
        if self._key and self._key != "no-key":
            message = message.replace(self._key, "***")
        return _KEY_LIKE.sub("***", message)

    def chat(self, model: str, system: str, user: str, usage: Usage, schema: dict | None = None) -> tuple[str, str | None]:
        """One answer (text, finish_reason); raises Invalid (this answer) or Stop (the whole run)."""
        def wait_time(state: RetryCallState) -> float:
            return max(2.0 ** (state.attempt_number - 1), _retry_after(state.outcome.exception()))

        try:
            for attempt in Retrying(retry=retry_if_exception(_transient), stop=stop_after_attempt(self.config.retries + 1),
                                    wait=wait_time, reraise=True):
                with attempt:
                    return self._adapting(model, system, user, usage, schema)
        except Invalid:
            raise
        except self._failures as error:
            raise self._failure(error) from None
        raise AssertionError("unreachable")

    def _adapting(self, model: str, system: str, user: str, usage: Usage, schema: dict | None) -> tuple[str, str | None]:
        """One request; after a refusal the profile adapts to (learned for the run), one more."""
        import openai

        for _ in range(4):  # each lesson changes one setting: a few at most before the request is accepted
            body = self.provider.body(model, system, user, schema)
            try:
                return self._send(body, usage)
            except openai.APIStatusError as error:
                if _fatal(error):
                    raise
                note = self.provider.learn(body, _status(error), self.scrub(provider_message(error)))
                if note is None:
                    raise
                if note:
                    log.warning("LLM: %s", note)
        return self._send(self.provider.body(model, system, user, schema), usage)

    def send(self, body: dict[str, Any], usage: Usage) -> tuple[str, str | None]:
        """One request as it is (no retry, no lesson); raises Invalid."""
        try:
            return self._send(body, usage)
        except Invalid:
            raise
        except self._failures as error:
            raise self._failure(error) from None

    def _send(self, body: dict[str, Any], usage: Usage) -> tuple[str, str | None]:
        if self.stopped:
            raise Stop(self.stopped)
        with self._count_lock:
            if self.budget is not None and self.sent >= self.budget:
                raise RequestFailed(f"request budget of {self.budget} used up")
            self.sent += 1
        self.limiter.wait()
        usage.requests += 1
        response = self.openai.chat.completions.create(**body)
        if body.get("stream"):
            return self._read_stream(response, usage)
        text, finish, reasoning = read_answer(response, usage)
        self.saw_reasoning |= reasoning
        return text, finish

    def _read_stream(self, stream: Any, usage: Usage) -> tuple[str, str | None]:
        """The streamed answer: content deltas joined (reasoning deltas never read), the last finish_reason,
        usage from the final chunk where the provider sends it."""
        parts: list[str] = []
        finish = None
        for chunk in stream:
            extra = getattr(chunk, "model_extra", None) or {}
            if extra.get("error"):
                raise _NotAnAnswer("the endpoint sent an error mid-stream", _error_text(extra["error"]))
            _count(chunk, usage)
            for choice in getattr(chunk, "choices", None) or []:
                delta = getattr(choice, "delta", None)
                if delta is not None:
                    _refusal(delta)
                    self.saw_reasoning |= _has_reasoning(delta)
                    parts.append(delta.content or "")
                finish = choice.finish_reason or finish
        return "".join(parts), finish

    def _failure(self, error: BaseException) -> Exception:
        """The exception a failed call ends with: Stop for the run, Invalid for this answer."""
        message = self.scrub(provider_message(error))[:300]
        status = _status(error)
        log.info("LLM request failed: %s", self.scrub(f"{type(error).__name__}: {error}")[:500])
        if isinstance(error, Stop):
            return error
        if _fatal(error):
            what = "key refused" if status in (401, 403) else "quota or balance exhausted"
            self.stopped = f"LLM endpoint: {what} (HTTP {status}: {message}); the run stopped, nothing was lost"
            return Stop(self.stopped)
        if _CONTEXT.search(message):
            return RequestFailed("prompt too long for the model's context: lower llm.max_tokens or "
                                 "llm.full_text_max_tokens", message)
        if isinstance(error, _NotAnAnswer):
            return RequestFailed(error.reason, self.scrub(error.detail) or None)
        kind = f"HTTP {status}" if status else type(error).__name__
        return RequestFailed(f"LLM request failed ({kind})", message or None)


def read_answer(response: Any, usage: Usage) -> tuple[str, str | None, bool]:
    """(text, finish_reason, reasoning seen) of a chat completion, its tokens counted: what every answer goes
    through, sent live or read from a batch's output file. Raises _NotAnAnswer, or Invalid for a refusal."""
    extra = getattr(response, "model_extra", None) or {}
    if extra.get("error"):
        raise _NotAnAnswer("the endpoint answered HTTP 200 with an error", _error_text(extra["error"]))
    _count(response, usage)
    choices = getattr(response, "choices", None)
    if not choices:
        raise _NotAnAnswer("the endpoint answered with no choices (content filter?)")
    choice = choices[0]
    message = getattr(choice, "message", None)
    if message is None:
        raise _NotAnAnswer("the endpoint answered with no message")
    _refusal(message)
    return message.content or "", choice.finish_reason, _has_reasoning(message)


def answer_of(body: dict[str, Any], usage: Usage) -> tuple[str, str | None]:
    """(text, finish_reason) of a chat completion body as a batch's output file holds it, read as a live
    answer is (:func:`read_answer`); raises Invalid."""
    from openai.types.chat import ChatCompletion

    usage.requests += 1
    try:
        # construct: no validation, nested models built, unknown fields kept (as the client reads a response)
        text, finish, _ = read_answer(ChatCompletion.construct(**body), usage)
    except _NotAnAnswer as error:
        raise Invalid(error.reason, error.detail or None) from None
    return text, finish


def _count(response: Any, usage: Usage) -> None:
    got = getattr(response, "usage", None)
    if got:
        usage.prompt_tokens += getattr(got, "prompt_tokens", 0) or 0
        usage.completion_tokens += getattr(got, "completion_tokens", 0) or 0


def _refusal(message: Any) -> None:
    """OpenAI's ``refusal`` field (``content`` is then null): a refusal, whatever the content says."""
    refusal = getattr(message, "refusal", None)
    if refusal:
        raise Invalid("the model refused (refusal field)", " ".join(str(refusal).split())[:200])


def _has_reasoning(message: Any) -> bool:
    """Reasoning beside the content (DeepSeek, DashScope, llama.cpp: ``reasoning_content``; vLLM, OpenRouter,
    Ollama: ``reasoning``): never used as content, only noticed."""
    extra = getattr(message, "model_extra", None) or {}
    return bool(extra.get("reasoning_content") or extra.get("reasoning"))


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        return " ".join(str(error.get("message") or error.get("code") or error).split())[:200]
    return " ".join(str(error).split())[:200]
