"""A fake OpenAI Files + Batches API for tests, served over HTTP so the *real* ``openai`` client talks to it.

Serves, on ``127.0.0.1`` from a background thread:

- ``POST /v1/files`` (multipart: ``file``, ``purpose``), ``GET /v1/files`` (``purpose``, ``order``),
  ``GET /v1/files/{id}``, ``GET /v1/files/{id}/content``;
- ``POST /v1/batches``, ``GET /v1/batches`` (newest first, ``limit`` + ``after`` pages),
  ``GET /v1/batches/{id}``, ``POST /v1/batches/{id}/cancel``;
- ``POST /v1/chat/completions``: answered, and counted (``chat_calls``): a batch run must make none.

The test drives the states (OpenAI's: validating → in_progress → finalizing → completed, or failed at
validation, expired after the window, cancelling → cancelled) with :meth:`FakeBatchAPI.advance`, or lets
every batch complete when it is next read (``auto = "completed"``). When a batch completes (or expires: only
``expire_done`` of its lines are answered, the rest are ``batch_expired`` lines of the error file), each line
is answered as ``behaviour(custom_id, body)`` says:

- ``"ok"``: the default answer of :func:`fake_openai.default_responder` (passes the gate);
- ``"think"``: reasoning that never ends (``<think>`` not closed); ``"refusal"``: the ``refusal`` field,
  ``content`` null; ``"cut"``: half an answer with ``finish_reason: length`` (all three fail the gate);
- ``"error"``: a line of the error file with a 500 response and an OpenAI error body; ``"400:<message>"``:
  the same with a 400 and that message (a request the endpoint refuses);
- any other string: used as the answer's content.

``kill_at = {"upload": pid}`` (or ``"create"``, ``"content"``) SIGKILLs the client process once that call has
been handled on the server side and before its response is sent: the kill lands exactly between the
provider's action and the client's record of it. ``submitted`` counts, per custom_id, the batches created
holding it.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fake_openai import default_responder

OPEN = ("validating", "in_progress", "finalizing", "cancelling")


def _error(status: int, message: str) -> dict:
    return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}


class FakeBatchAPI:
    """The fake server; ``with FakeBatchAPI() as fake: ... fake.base_url``."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []  # batch ids, oldest first
        self.chat_calls = 0
        self.calls: Counter[str] = Counter()  # "upload", "create", "list_files", ...
        self.submitted: Counter[str] = Counter()
        self.behaviour: Callable[[str, dict], str] = lambda custom_id, body: "ok"
        self.auto: str | None = None
        self.expire_done = 0.5
        self.kill_at: dict[str, int] = {}
        self.lock = threading.RLock()
        self.server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> "FakeBatchAPI":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake._serve(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                fake._serve(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    # -- what the test drives ------------------------------------------------------------------------

    def advance(self, to: str, batch_id: str | None = None) -> list[str]:
        """Move one batch (default: every open one) to state ``to``; the ids moved."""
        with self.lock:
            ids = [batch_id] if batch_id else [b for b in self.order if self.batches[b]["status"] in OPEN]
            for bid in ids:
                self._move(self.batches[bid], to)
            return ids

    def requests_of(self, batch_id: str) -> list[dict]:
        """The request lines of a batch's input file."""
        data = self.contents[self.batches[batch_id]["input_file_id"]]
        return [json.loads(x) for x in data.decode("utf-8").splitlines() if x.strip()]

    # -- states ------------------------------------------------------------------------------------------

    def _move(self, batch: dict, to: str) -> None:
        stamp = int(time.time())
        if to in ("in_progress", "finalizing", "cancelling"):
            batch["status"] = to
            return
        lines = self.requests_of(batch["id"])
        if to == "failed":
            batch.update(status="failed", failed_at=stamp, errors={"object": "list", "data": [
                {"code": "invalid_request", "message": "The model gpt-fake does not support batches.",
                 "param": None, "line": 1}]})
            return
        if to == "completed":
            done, rest = lines, []
        elif to == "expired":
            cut = int(len(lines) * self.expire_done)
            done, rest = lines[:cut], lines[cut:]
        else:  # cancelled: nothing ran
            done, rest = [], lines
        output, errors = [], []
        for item in done:
            kind, payload = self._answer(item)
            (output if kind == "ok" else errors).append(payload)
        code = "batch_expired" if to == "expired" else "batch_cancelled"
        for item in rest:
            errors.append({"id": f"batch_req_{uuid.uuid4().hex[:12]}", "custom_id": item["custom_id"],
                           "response": None, "error": {"code": code, "message": f"This request could not be "
                                                       f"executed before the batch was {to}."}})
        batch["status"] = to
        batch[f"{to}_at"] = stamp
        batch["output_file_id"] = self._file("batch_output", output) if output else None
        batch["error_file_id"] = self._file("batch_error", errors) if errors else None
        batch["request_counts"] = {"total": len(lines), "completed": len(output), "failed": len(errors)}

    def _file(self, purpose: str, lines: list[dict]) -> str:
        data = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode("utf-8")
        return self._store_file(f"{purpose}.jsonl", purpose, data)

    def _answer(self, item: dict) -> tuple[str, dict]:
        body = item["body"]
        behaviour = self.behaviour(item["custom_id"], body)
        request_id = f"req_{uuid.uuid4().hex[:16]}"
        line = {"id": f"batch_req_{uuid.uuid4().hex[:12]}", "custom_id": item["custom_id"], "error": None}
        if behaviour == "error" or behaviour.startswith("400:"):
            status, text = (400, behaviour[4:]) if behaviour != "error" else (
                500, "The server had an error processing your request.")
            return "error", {**line, "response": {"status_code": status, "request_id": request_id,
                                                  "body": _error(status, text)}}
        content: str | None = default_responder(body)
        message: dict[str, Any] = {}
        finish = "stop"
        if behaviour == "think":
            content = "<think>The user wants an analysis. Let me first read the abstract carefully and"
        elif behaviour == "refusal":
            content, message = None, {"refusal": "I'm sorry, I can't help with that request."}
        elif behaviour == "cut":
            content, finish = content[: len(content) // 2], "length"
        elif behaviour != "ok":
            content = behaviour
        completion = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "finish_reason": finish, "logprobs": None,
                         "message": {"role": "assistant", "content": content, "refusal": None, **message}}],
            "usage": {"prompt_tokens": len(json.dumps(body)) // 4, "completion_tokens": len(content or "") // 4,
                      "total_tokens": 0},
        }
        return "ok", {**line, "response": {"status_code": 200, "request_id": request_id, "body": completion}}

    def _store_file(self, name: str, purpose: str, data: bytes) -> str:
        file_id = f"file-{uuid.uuid4().hex[:20]}"
        self.files[file_id] = {"id": file_id, "object": "file", "bytes": len(data), "created_at": int(time.time()),
                               "filename": name, "purpose": purpose, "status": "processed"}
        self.contents[file_id] = data
        return file_id

    # -- HTTP ------------------------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        parts = [p for p in url.path.split("/") if p][1:]  # without "v1"
        with self.lock:
            status, payload, event = self._route(method, parts, query, raw, handler.headers.get("content-type", ""))
            if event in self.kill_at:
                os.kill(self.kill_at.pop(event), signal.SIGKILL)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("content-type", "application/octet-stream" if isinstance(payload, bytes)
                                else "application/json")
            handler.send_header("content-length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client was killed

    def _route(self, method: str, parts: list[str], query: dict, raw: bytes, ctype: str) -> tuple[int, Any, str]:
        if parts == ["chat", "completions"] and method == "POST":
            self.chat_calls += 1
            body = json.loads(raw)
            return 200, {"id": "chatcmpl-live", "object": "chat.completion", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "finish_reason": "stop", "message": {
                             "role": "assistant", "content": default_responder(body)}}]}, "chat"
        if parts == ["files"] and method == "POST":
            return self._upload(raw, ctype)
        if parts == ["files"]:
            self.calls["list_files"] += 1
            found = [f for f in self.files.values() if query.get("purpose") in (None, f["purpose"])]
            if query.get("order", "desc") == "desc":
                found.reverse()
            return 200, {"object": "list", "data": found, "has_more": False}, "list_files"
        if len(parts) == 2 and parts[0] == "files":
            return (200, self.files[parts[1]], "file") if parts[1] in self.files else (404, _error(404, "No such file"), "")
        if len(parts) == 3 and parts[0] == "files" and parts[2] == "content":
            self.calls["content"] += 1
            return 200, self.contents[parts[1]], "content"
        if parts == ["batches"] and method == "POST":
            return self._create(json.loads(raw))
        if parts == ["batches"]:
            self.calls["list_batches"] += 1
            ids = list(reversed(self.order))
            if query.get("after") in ids:
                ids = ids[ids.index(query["after"]) + 1:]
            limit = int(query.get("limit", 20))
            page = [self.batches[b] for b in ids[:limit]]
            return 200, {"object": "list", "data": page, "has_more": len(ids) > limit,
                         "first_id": page[0]["id"] if page else None,
                         "last_id": page[-1]["id"] if page else None}, "list_batches"
        if len(parts) == 2 and parts[0] == "batches":
            batch = self.batches.get(parts[1])
            if batch is None:
                return 404, _error(404, "No such batch"), ""
            self.calls["retrieve"] += 1
            if self.auto and batch["status"] in OPEN:
                self._move(batch, self.auto)
            return 200, batch, "retrieve"
        if len(parts) == 3 and parts[0] == "batches" and parts[2] == "cancel":
            self.batches[parts[1]]["status"] = "cancelling"
            return 200, self.batches[parts[1]], "cancel"
        return 404, _error(404, f"unknown route {method} /{'/'.join(parts)}"), ""

    def _upload(self, raw: bytes, ctype: str) -> tuple[int, Any, str]:
        self.calls["upload"] += 1
        message = BytesParser(policy=email_policy).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
        fields: dict[str, Any] = {}
        name = "upload.jsonl"
        for part in message.iter_parts():
            field = part.get_param("name", header="content-disposition")
            fields[field] = part.get_payload(decode=True)
            if field == "file":
                name = part.get_filename() or name
        if fields.get("purpose") != b"batch" or "file" not in fields:
            return 400, _error(400, "purpose must be batch and a file given"), ""
        return 200, self.files[self._store_file(name, "batch", fields["file"])], "upload"

    def _create(self, body: dict) -> tuple[int, Any, str]:
        self.calls["create"] += 1
        file_id = body.get("input_file_id")
        if file_id not in self.files or body.get("endpoint") != "/v1/chat/completions" \
                or body.get("completion_window") != "24h":
            return 400, _error(400, "invalid input_file_id, endpoint or completion_window"), ""
        batch_id = f"batch_{uuid.uuid4().hex[:20]}"
        batch = {"id": batch_id, "object": "batch", "endpoint": body["endpoint"], "errors": None,
                 "input_file_id": file_id, "completion_window": "24h", "status": "validating",
                 "output_file_id": None, "error_file_id": None, "created_at": int(time.time()),
                 "request_counts": {"total": 0, "completed": 0, "failed": 0}, "metadata": body.get("metadata")}
        self.batches[batch_id] = batch
        self.order.append(batch_id)
        lines = self.requests_of(batch_id)
        ids = [x["custom_id"] for x in lines]
        if len(set(ids)) != len(ids) or any(x.get("url") != "/v1/chat/completions" or x.get("method") != "POST"
                                            for x in lines):
            self._move(batch, "failed")
        self.submitted.update(ids)
        batch["request_counts"]["total"] = len(lines)
        return 200, batch, "create"
