"""The ``openai`` client as the analysis stage uses it: retries with backoff and Retry-After, the rate
limit shared by the worker threads, token and request accounting, and secrets kept out of reasons and logs.

What differs between endpoints (which request options they accept) is the :class:`~.providers.Provider`'s.
"""

from __future__ import annotations

import os
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
        self.provider = Provider(config)

    def scrub(self, message: str) -> str:
        return message.replace(self._key, "***") if self._key and self._key != "no-key" else message

    def chat(self, model: str, system: str, user: str, usage: Usage, schema: dict | None = None) -> tuple[str, str | None]:
        """One answer (text, finish_reason), retried on 429/5xx/timeouts with backoff and Retry-After."""
        import openai

        body = self.provider.body(model, system, user, schema)

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
                        if not self.provider.without_refused(body):
                            raise
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
