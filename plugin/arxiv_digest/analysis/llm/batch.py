"""The OpenAI Batch API as the batch stage uses it: JSONL request lines, the Files and Batches calls, and the
result lines read back (the store side is :mod:`arxiv_digest.batches`).

Formats, from the OpenAI API reference (Batch, Files) and vLLM's ``run_batch``, which reads and writes the same:

- a request line is ``{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}``; custom_ids are
  unique within a file; at most 50,000 lines and 200 MB per file;
- the file is uploaded with ``purpose: batch``; the batch is created on it with ``completion_window: 24h`` and
  up to 16 ``metadata`` pairs; its status goes ``validating`` → ``in_progress`` → ``finalizing`` →
  ``completed``, or ends ``failed`` (``errors.data[].message``), ``expired`` (after the window: what finished
  is in the output file) or ``cancelled``;
- output and error files hold one line per request: ``{"id", "custom_id", "response": {"status_code",
  "request_id", "body"}, "error"}``; a failed request has ``error: {code, message}`` or a non-200 response whose
  body is an OpenAI error object. Lines come in any order.

Submitting is made safe against a kill at any moment by names: the uploaded file is named, and the batch tagged
(``metadata``), with the key of its request set, so a later run finds and adopts what an interrupted one sent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mkdocs.plugins import get_plugin_logger

from ...config import LLMConfig
from .client import Client, provider_message

log = get_plugin_logger(__name__)

ENDPOINT = "/v1/chat/completions"
WINDOW = "24h"
KEY_FIELD = "arxiv_digest_key"  # the metadata fields of our batches: the request set's key, and the site's
SITE_FIELD = "arxiv_digest_site"
RECENT = 3 * 86400  # seconds: a batch older than this ended long ago (24 h window), never adopted
MAX_LINES = 50_000  # OpenAI: requests per batch file
MAX_BYTES = 190 * 1024 * 1024  # OpenAI: 200 MB per file; a margin for the multipart framing
OPEN = ("validating", "in_progress", "finalizing", "cancelling")
ENDED = ("completed", "failed", "expired", "cancelled")


class BatchError(Exception):
    """A Files or Batches call failed (the provider's message, key scrubbed); nothing recorded is lost."""


def line(custom_id: str, body: dict[str, Any]) -> str:
    """One request line of a batch file."""
    return json.dumps({"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body},
                      ensure_ascii=False, separators=(",", ":"))


def file_name(key: str) -> str:
    """The name of the uploaded file of a request set: how a later run recognises it."""
    return f"arxiv-digest-{key}.jsonl"


@dataclass
class Result:
    """One line of an output or error file: the chat completion, or the provider's error message."""

    custom_id: str
    body: dict[str, Any] | None = None
    error: str | None = None
    status: int | None = None  # the HTTP status of a refused request


def results(text: str, where: str) -> Iterator[Result]:
    """The result lines of an output or error file (``where`` names it in warnings)."""
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            custom_id = item["custom_id"]
        except (ValueError, KeyError, TypeError):
            log.warning("%s line %d is not a batch result line; skipped", where, number)
            continue
        response = item.get("response") or {}
        body = response.get("body") if "body" in response else (response if "choices" in response else None)
        error = item.get("error")
        if error:
            yield Result(custom_id, error=_message(error))
        elif response.get("status_code", 200) != 200 or not isinstance(body, dict):
            detail = _message((body or {}).get("error") or body) if isinstance(body, dict) else str(body)
            yield Result(custom_id, error=f"HTTP {response.get('status_code')}: {detail}",
                         status=response.get("status_code"))
        else:
            yield Result(custom_id, body=body)


def _message(error: Any) -> str:
    if isinstance(error, dict):
        code, message = error.get("code"), error.get("message")
        text = (f"{code}: {message}" if code and message else message or code
                or json.dumps(error, ensure_ascii=False))
        return " ".join(str(text).split())[:300]
    return " ".join(str(error).split())[:300]


class Batches:
    """Files and Batches calls of one endpoint; every failure is a :class:`BatchError`."""

    def __init__(self, config: LLMConfig, client: Client | None = None) -> None:
        self.client = client or Client(config)  # the key, the scrubbing and the timeout of the live client
        # Listing, reading and uploading are safe to retry (a second upload is an unused file): the openai client's
        # own retries. Creating is not (a retried create may make a second batch): a failed create is looked up
        # by its key on the next run instead. A file of up to 200 MB needs more than one answer's timeout.
        self.api = self.client.openai.with_options(max_retries=3, timeout=max(config.timeout, 900.0))

    def _call(self, what: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        import openai

        try:
            return call(*args, **kwargs)
        except openai.OpenAIError as error:
            raise BatchError(f"{what}: {self.client.scrub(provider_message(error))[:300]}") from None

    def find_file(self, key: str) -> str | None:
        """The id of the file an earlier run uploaded for ``key``, if any."""
        def scan() -> str | None:
            since = time.time() - RECENT
            for found in self.api.files.list(purpose="batch", order="desc"):  # newest first
                if found.created_at < since:
                    break
                if found.filename == file_name(key):
                    return found.id
            return None

        return self._call("listing the batch files", scan)

    def upload(self, key: str, data: bytes) -> str:
        got = self._call("uploading the batch file", self.api.files.create,
                         file=(file_name(key), data, "application/jsonl"), purpose="batch")
        return got.id

    def recent(self, site: str) -> list[Any]:
        """The batches of ``site`` created in the last few days, newest first."""
        def scan() -> list[Any]:
            found, since = [], time.time() - RECENT
            for batch in self.api.batches.list(limit=100):  # newest first: stop at the first old one
                if batch.created_at < since:
                    break
                if (batch.metadata or {}).get(SITE_FIELD) == site and (batch.metadata or {}).get(KEY_FIELD):
                    found.append(batch)
            return found

        return self._call("listing the batches", scan)

    def find_batch(self, key: str, site: str) -> Any:
        """The batch an earlier run created for ``key`` (its metadata), if any."""
        return next((b for b in self.recent(site) if b.metadata[KEY_FIELD] == key), None)

    def create(self, key: str, file_id: str, site: str) -> Any:
        return self._call("creating the batch", self.api.with_options(max_retries=0).batches.create,
                          input_file_id=file_id, endpoint=ENDPOINT, completion_window=WINDOW,
                          metadata={KEY_FIELD: key, SITE_FIELD: site})

    def retrieve(self, batch_id: str) -> Any:
        return self._call(f"reading batch {batch_id}", self.api.batches.retrieve, batch_id)

    def content(self, file_id: str) -> str:
        return self._call(f"downloading file {file_id}", lambda: self.api.files.content(file_id).text)


def batch_errors(batch: Any) -> str:
    """What a failed batch's ``errors`` say (the provider's words)."""
    data = getattr(getattr(batch, "errors", None), "data", None) or []
    return "; ".join(_message({"message": e.message, "code": e.code}) for e in data)[:300]
