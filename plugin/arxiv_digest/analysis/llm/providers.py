"""What each OpenAI-compatible endpoint accepts: the one home of provider differences.

Endpoints implement different parts of the Chat Completions API. A :class:`Provider` builds the request
body of one chat turn from the ``llm`` options and what the endpoint has shown it accepts, and decides
whether a refused request can go again without the refused part. What it learns (today: the endpoint
refuses ``response_format: json_schema``) is recorded once, under a lock, in its :class:`Capabilities`,
and every later request of every worker thread uses it.
"""

from __future__ import annotations

import threading
from typing import Any

from ...config import LLMConfig


class Capabilities:
    """The optional features one endpoint accepts; shared by the worker threads (thread-safe)."""

    def __init__(self, json_schema: bool) -> None:
        self._lock = threading.Lock()
        self._json_schema = json_schema

    @property
    def json_schema(self) -> bool:
        """Whether structured answers are asked for with ``response_format: json_schema``."""
        with self._lock:
            return self._json_schema

    def refuse_json_schema(self) -> bool:
        """Record that the endpoint refuses ``json_schema``; True for the one call that recorded it."""
        with self._lock:
            first, self._json_schema = self._json_schema, False
        return first


class Provider:
    """Request bodies for one endpoint, and the fallbacks when it refuses part of one."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.capabilities = Capabilities(config.json_schema)

    def body(self, model: str, system: str, user: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``chat.completions.create`` arguments; ``schema`` asks for JSON when the endpoint accepts it."""
        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "max_tokens": self.config.max_tokens,
            "temperature": self.config.temperature,
        }
        if self.config.extra_body:
            body["extra_body"] = dict(self.config.extra_body)
        if schema is not None and self.capabilities.json_schema:
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "paper_fields", "schema": schema, "strict": True}}
        return body

    def without_refused(self, body: dict[str, Any]) -> bool:
        """After a 400 to ``body``: drop what the endpoint may have refused and say whether to send it again.

        A 400 to a request with ``response_format`` means the endpoint refuses ``json_schema``: the answer's
        JSON is parsed from plain text from now on (the task's prompt asks for JSON either way).
        """
        if "response_format" not in body:
            return False
        self.capabilities.refuse_json_schema()
        body.pop("response_format")
        return True
