"""A fake OpenAI-compatible HTTP server for tests.

Serves ``GET /v1/models`` and ``POST /v1/chat/completions`` (plain JSON or SSE
streaming) on ``127.0.0.1`` from a background ``ThreadingHTTPServer`` so the
*real* ``openai`` client can be pointed at it::

    with FakeOpenAI(latency=0.1) as fake:
        fake.script += ["429", Reply("自定义回答"), "truncated"]
        client = openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)
        ...
        assert fake.requests[0]["model"] == "gpt-4o-mini"

How the answer to one chat request is chosen (first match wins):

1. ``script`` - a FIFO list; one entry is popped per chat request;
2. ``behaviour_for(body)`` - if set and it returns something other than ``None``;
3. ``responder(body)`` - if given to the constructor;
4. :func:`default_responder` - plausible text / schema-valid JSON in the
   language of the prompt.

A *behaviour* (script entry, ``behaviour_for`` result or ``responder`` result) is

* a :class:`Reply`;
* one of the names in :data:`BEHAVIOURS`: ``"429"``, ``"500"`` (any other
  all-digit string such as ``"503"`` or ``"400"`` also works), ``"timeout"``,
  ``"refusal"``, ``"truncated"``, ``"invalid_json"``, ``"empty"``,
  ``"wrong_language"``, ``"ok"`` (= default answer);
* ``("timeout", seconds)`` - answer normally but only after ``seconds``;
* a callable ``body -> behaviour``;
* any other ``str`` - used verbatim as the assistant content (200, "stop").
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Union

__all__ = [
    "BEHAVIOURS",
    "BRIEF_TLDR",
    "REFUSAL_TEXT",
    "FakeOpenAI",
    "Reply",
    "answer_language",
    "brief_answer",
    "brief_ids",
    "default_responder",
    "detect_language",
    "has_cjk",
    "instance_for_schema",
    "prompt_text",
]


@dataclass
class Reply:
    """One scripted answer. ``status >= 400`` sends an OpenAI-style error body
    (``content`` becomes the error message). ``delay`` is extra seconds to sleep
    before answering (on top of the server ``latency``)."""

    content: str
    finish_reason: str = "stop"
    prompt_tokens: int | None = None  # default: len(request body chars) // 4
    completion_tokens: int | None = None  # default: len(content) // 4
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0
    # Provider quirks (tests/fake_providers.py builds them from the providers' documentation):
    message: dict = field(default_factory=dict)  # extra message fields: reasoning_content, reasoning, refusal
    raw: dict | None = None  # a 200 body sent as it is (an error object, ``choices: []``)
    stream_error: dict | None = None  # an SSE data event ``{"error": ...}`` sent after half the content


Behaviour = Union[Reply, str, tuple, Callable[[dict], Any]]

#: Real refusal seen in production: the model plays along but asks for the paper.
REFUSAL_TEXT = (
    "好的，我将扮演一名AI领域专业高水平研究生，以严谨、专业的视角对论文进行深入分析，"
    "包括研究背景、核心方法、实验结果以及创新点与局限性。请提供您希望我分析的论文。"
)

#: Named behaviours accepted in ``script`` / from ``behaviour_for``.
BEHAVIOURS = (
    "ok",
    "429",
    "500",
    "timeout",
    "refusal",
    "truncated",
    "invalid_json",
    "empty",
    "wrong_language",
)

DEFAULT_TIMEOUT_SECONDS = 5.0
INVALID_JSON_TEXT = '{"tldr": "unfinished'

# --------------------------------------------------------------------------
# Prompt inspection helpers
# --------------------------------------------------------------------------

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD_RE = re.compile(r"[A-Za-z]+")
_HEADING_RE = re.compile(r"^[ \t>*\-`]*(#{1,6})[ \t]+(\S.*?)[ \t`]*$", re.MULTILINE)
_ZH_DIRECTIVES = ("用中文", "中文回答", "中文输出", "简体中文", "in chinese", "in simplified chinese")
_EN_DIRECTIVES = ("用英文", "英文回答", "英文输出", "用英语", "in english")


def _message_text(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # multi-part content: [{"type": "text", "text": ...}]
        return "\n".join(
            part.get("text", "") for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def prompt_text(body: dict, roles: tuple[str, ...] | None = None) -> str:
    """All message texts of a chat request (optionally only the given roles)."""
    messages = body.get("messages") or []
    return "\n".join(
        _message_text(m) for m in messages if isinstance(m, dict) and (roles is None or m.get("role") in roles)
    )


def has_cjk(text: str) -> bool:
    """True if ``text`` contains at least one CJK ideograph."""
    return bool(_CJK_RE.search(text or ""))


def _mostly_chinese(text: str) -> bool:
    cjk = len(_CJK_RE.findall(text))
    # One Chinese character carries roughly one English word of meaning.
    return cjk > 0 and cjk >= 0.25 * len(_WORD_RE.findall(text))


def detect_language(body_or_text: dict | str) -> str:
    """``"zh"`` or ``"en"``: the language the prompt asks the answer to be in.

    Explicit directives ("用中文", "in English", ...) win; otherwise the system
    prompt (if any) decides, else all messages; Chinese when CJK characters are
    a substantial part of the text (an English abstract quoted inside a Chinese
    prompt stays Chinese).
    """
    if isinstance(body_or_text, str):
        text, system = body_or_text, ""
    else:
        text = prompt_text(body_or_text)
        system = prompt_text(body_or_text, roles=("system", "developer"))
    low = text.lower()
    wants_zh = any(d in low for d in _ZH_DIRECTIVES)
    wants_en = any(d in low for d in _EN_DIRECTIVES)
    if wants_zh != wants_en:
        return "zh" if wants_zh else "en"
    basis = system if system.strip() else text
    return "zh" if _mostly_chinese(basis) else "en"


def requested_headings(body: dict) -> list[str]:
    """Markdown heading lines (e.g. ``### 1. 摘要翻译``) found in the prompt, in order, deduplicated."""
    seen: list[str] = []
    for hashes, title in _HEADING_RE.findall(prompt_text(body)):
        line = f"{hashes} {title.strip()}"
        if line not in seen:
            seen.append(line)
    return seen


# --------------------------------------------------------------------------
# Default answers
# --------------------------------------------------------------------------

_PARAGRAPH = {
    "zh": (
        "本文提出了一种新的方法，有效缓解了现有模型在长上下文推理中的效率瓶颈。"
        "作者在多个公开基准上进行了系统实验，结果表明该方法在保持精度的同时显著降低了计算开销，"
        "并讨论了其局限性与未来的改进方向。"
    ),
    "en": (
        "This paper proposes a new method that alleviates the efficiency bottleneck of existing models "
        "in long-context reasoning. The authors run systematic experiments on several public benchmarks, "
        "showing that the approach substantially reduces compute cost while preserving accuracy, "
        "and they discuss its limitations and directions for future work."
    ),
}
_SHORT = {
    "zh": "本文提出了一种高效的新方法，并在多个基准上验证了其有效性。",
    "en": "The paper introduces an efficient new method and validates it on several benchmarks.",
}


def _paragraph_for(heading: str, lang: str) -> str:
    title = re.sub(r"^#+\s*", "", heading).strip()
    if lang == "zh":
        return f"关于“{title}”：{_PARAGRAPH['zh']}"
    return f"Regarding “{title}”: {_PARAGRAPH['en']}"


def _resolve_ref(ref: str, root: dict) -> dict:
    node: Any = root
    if not ref.startswith("#"):
        return {}
    for part in ref.lstrip("#").strip("/").split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return {}
        node = node[part]
    return node if isinstance(node, dict) else {}


def _string_for(schema: dict, key: str, lang: str, index: int | None) -> str:
    fmt = schema.get("format")
    if fmt == "date-time":
        return "2024-01-01T00:00:00Z"
    if fmt == "date":
        return "2024-01-01"
    if fmt in ("uri", "url", "uri-reference"):
        return "https://arxiv.org/abs/2401.00001"
    if fmt == "email":
        return "author@example.com"
    base = _SHORT[lang]
    label = key.replace("_", " ").strip() if key else ""
    if lang == "zh":
        text = f"{label}：{base}" if label else base
        if index is not None:
            text = f"{text}（第{index + 1}条）"
    else:
        text = f"{label}: {base}" if label else base
        if index is not None:
            text = f"{text} (item {index + 1})"
    min_len = int(schema.get("minLength", 1) or 1)
    while len(text) < min_len:
        text += base
    max_len = schema.get("maxLength")
    if isinstance(max_len, int) and max_len >= 0:
        text = text[: max(max_len, 0)]
        if not text and max_len > 0:
            text = base[:max_len]
    return text


def _number_for(schema: dict, integer: bool) -> int | float:
    value: float = 1
    lo = schema.get("minimum")
    hi = schema.get("maximum")
    xlo = schema.get("exclusiveMinimum")
    xhi = schema.get("exclusiveMaximum")
    if isinstance(lo, (int, float)) and value < lo:
        value = lo
    if isinstance(xlo, (int, float)) and not isinstance(xlo, bool) and value <= xlo:
        value = xlo + 1 if integer else xlo + 0.5
    if isinstance(hi, (int, float)) and value > hi:
        value = hi
    if isinstance(xhi, (int, float)) and not isinstance(xhi, bool) and value >= xhi:
        value = xhi - 1 if integer else xhi - 0.5
    if integer:
        return int(value) if float(value).is_integer() else int(value) + 1
    return value


def instance_for_schema(
    schema: dict, lang: str = "en", root: dict | None = None, key: str = "", index: int | None = None, _depth: int = 0
) -> Any:
    """Build a value that validates against a (simple) JSON schema.

    Objects get all their properties, arrays ``max(minItems, 1)`` items (bounded
    by ``maxItems``), enums/const their first value, numbers 1 (clamped to
    bounds), strings a non-empty sentence in ``lang``. Handles ``$ref`` to
    ``#/$defs``/``#/definitions``, ``anyOf``/``oneOf`` (first non-null branch),
    ``allOf`` (merged) and nullable type lists.
    """
    root = root if root is not None else schema
    if not isinstance(schema, dict) or _depth > 30:
        return None
    if "$ref" in schema:
        target = _resolve_ref(schema["$ref"], root)
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return instance_for_schema(merged, lang, root, key, index, _depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for combo in ("anyOf", "oneOf"):
        options = schema.get(combo)
        if options:
            non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            chosen = (non_null or options)[0]
            rest = {k: v for k, v in schema.items() if k != combo}
            return instance_for_schema({**rest, **chosen}, lang, root, key, index, _depth + 1)
    if schema.get("allOf"):
        merged: dict = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            if isinstance(part, dict) and "$ref" in part:
                part = _resolve_ref(part["$ref"], root)
            for k, v in part.items():
                if k == "properties":
                    merged.setdefault("properties", {}).update(v)
                elif k == "required":
                    merged["required"] = list(dict.fromkeys([*merged.get("required", []), *v]))
                else:
                    merged.setdefault(k, v)
        return instance_for_schema(merged, lang, root, key, index, _depth + 1)

    typ = schema.get("type")
    if isinstance(typ, list):
        non_null = [t for t in typ if t != "null"]
        typ = non_null[0] if non_null else "null"
    if typ is None:
        if "properties" in schema:
            typ = "object"
        elif "items" in schema:
            typ = "array"
        else:
            typ = "string"

    if typ == "object":
        props = schema.get("properties") or {}
        out = {name: instance_for_schema(sub, lang, root, name, None, _depth + 1) for name, sub in props.items()}
        for name in schema.get("required") or []:
            if name not in out:
                out[name] = _string_for({}, name, lang, None)
        return out
    if typ == "array":
        items = schema.get("items") or {}
        prefix = schema.get("prefixItems") or []
        count = max(int(schema.get("minItems", 1) or 1), 1, len(prefix))
        if isinstance(schema.get("maxItems"), int):
            count = min(count, schema["maxItems"])
        result = []
        for i in range(count):
            sub = prefix[i] if i < len(prefix) else items
            result.append(instance_for_schema(sub, lang, root, key, i, _depth + 1))
        return result
    if typ == "string":
        return _string_for(schema, key, lang, index)
    if typ == "integer":
        return _number_for(schema, integer=True)
    if typ == "number":
        return _number_for(schema, integer=False)
    if typ == "boolean":
        return True
    return None


def _json_schema_of(body: dict) -> dict | None:
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        schema = spec.get("schema")
        return schema if isinstance(schema, dict) else {}
    return None


def answer_language(body: dict) -> str:
    """Language the default answer uses: :func:`detect_language`, except that a
    json_schema request is answered in Chinese whenever the prompt contains any
    CJK character (unless it explicitly asks for English)."""
    lang = detect_language(body)
    if lang == "en" and _json_schema_of(body) is not None:
        text = prompt_text(body)
        if has_cjk(text) and not any(d in text.lower() for d in _EN_DIRECTIVES):
            lang = "zh"
    return lang


BRIEF_TLDR = {"zh": "本文提出一种新方法，并在公开基准上验证了其有效性。",
              "en": "The paper proposes a new method and validates it on public benchmarks."}


def brief_ids(body: dict) -> list[str] | None:
    """The paper ids of a brief request (arxiv-digest's listed papers), or None when it is not one: from the
    json_schema's id enum, else from the prompt's ``[id] title`` lines when it asks for ``"briefs"``."""
    schema = _json_schema_of(body) or {}
    items = ((schema.get("properties") or {}).get("briefs") or {}).get("items") or {}
    ids = ((items.get("properties") or {}).get("id") or {}).get("enum")
    if ids:
        return list(ids)
    text = prompt_text(body, ("user",))
    if '"briefs"' not in text:
        return None
    return re.findall(r"^\[([^\]\s]+)\] ", text, re.M)


def brief_answer(body: dict, tldrs: dict[str, str] | None = None, lang: str | None = None) -> str:
    """A brief answer: one item per paper of the request, each with :data:`BRIEF_TLDR` (or ``tldrs[id]``) and
    the first tag of the schema's enum."""
    ids = brief_ids(body) or []
    lang = lang or answer_language(body)
    schema = _json_schema_of(body) or {}
    tag_items = ((((schema.get("properties") or {}).get("briefs") or {}).get("items") or {}).get("properties")
                 or {}).get("tags", {}).get("items", {})
    tags = tag_items.get("enum", [])[:1]
    return json.dumps({"briefs": [{"id": pid, "tldr": (tldrs or {}).get(pid, BRIEF_TLDR[lang]), "tags": tags}
                                  for pid in ids]}, ensure_ascii=False)


def default_responder(body: dict, lang: str | None = None) -> str:
    """Plausible answer for a chat request, in ``lang`` (default: the prompt's language).

    * ``response_format`` json_schema -> JSON valid against the schema;
    * ``response_format`` json_object -> ``{"answer": "..."}``;
    * prompt contains Markdown headings -> each heading followed by a paragraph;
    * otherwise a short paragraph.
    """
    schema = _json_schema_of(body)
    if lang is None:
        lang = answer_language(body)
    if brief_ids(body):
        return brief_answer(body, lang=lang)
    if schema is not None:
        return json.dumps(instance_for_schema(schema, lang), ensure_ascii=False)
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_object":
        return json.dumps({"answer": _SHORT[lang]}, ensure_ascii=False)
    headings = requested_headings(body)
    if headings:
        return "\n\n".join(f"{h}\n\n{_paragraph_for(h, lang)}" for h in headings) + "\n"
    return _PARAGRAPH[lang]


# --------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "model_not_found"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}


def _error_body(status: int, message: str | None = None) -> dict:
    etype, code = _ERROR_TYPES.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
    if not message:
        message = {
            429: "Rate limit reached for requests. Please try again in 1s.",
        }.get(status, "The server had an error while processing your request. Sorry about that!" if status >= 500
              else f"Fake error {status}.")
    return {"error": {"message": message, "type": etype, "param": None, "code": code}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive handler threads must not block stop()
    allow_reuse_address = True
    fake: "FakeOpenAI"

    def __init__(self, *args, **kwargs):
        self.open_sockets: set = set()
        self.sockets_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        """Cut kept-alive client connections so a stopped fake really stops answering."""
        with self.sockets_lock:
            socks = list(self.open_sockets)
            self.open_sockets.clear()
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):  # noqa: D401 - silence client disconnects
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    # -- helpers -----------------------------------------------------------
    def _send_json(self, status: int, payload: Any, headers: dict | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:24]}")
            for k, v in (headers or {}).items():
                self.send_header(str(k), str(v))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    # -- routes ------------------------------------------------------------
    def do_GET(self):  # noqa: N802
        path = self.path.split("?", 1)[0].rstrip("/")
        fake = self.server.fake
        if path == "/v1/models":
            self._send_json(200, {"object": "list", "data": [fake._model_obj(m) for m in fake.models]})
        elif path.startswith("/v1/models/"):
            mid = path[len("/v1/models/"):]
            if mid in fake.models:
                self._send_json(200, fake._model_obj(mid))
            else:
                self._send_json(404, _error_body(404, f"The model `{mid}` does not exist."))
        else:
            self._send_json(404, _error_body(404, f"Unknown path {path}"))

    def do_POST(self):  # noqa: N802
        path = self.path.split("?", 1)[0].rstrip("/")
        raw = self._read_body()
        if path != "/v1/chat/completions":
            self._send_json(404, _error_body(404, f"Unknown path {path}"))
            return
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._send_json(400, _error_body(400, f"Invalid JSON body: {exc}"))
            return
        self.server.fake._serve_chat(self, body, len(raw))


class FakeOpenAI:
    """Fake OpenAI-compatible server (``/v1/models``, ``/v1/chat/completions``).

    Use as a context manager or call :meth:`start` / :meth:`stop`. All
    recording attributes are safe to read from the test thread.
    """

    def __init__(
        self,
        responder: Callable[[dict], Reply | str] | None = None,
        latency: float = 0.0,
        behaviour_for: Callable[[dict], Any] | None = None,
        models: list[str] | None = None,
    ) -> None:
        self.responder = responder
        self.latency = latency
        self.behaviour_for = behaviour_for
        self.models: list[str] = list(models or ["gpt-4o-mini", "gpt-4o", "fake-model"])
        self.script: list = []  # FIFO of behaviours, one consumed per chat request
        self.requests: list[dict] = []  # parsed chat request bodies, in arrival order
        self.headers: list[dict] = []  # headers of those chat requests (keys lower-cased), same order
        self.responses: list[dict] = []  # what was answered: {"status", "content", "finish_reason", "behaviour"}
        self.max_in_flight = 0
        self.in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.port = 0

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> "FakeOpenAI":
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self.port = server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; handlers still sleeping (latency/timeout) are woken up."""
        self._stopping.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            server.close_open_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        """Clear recorded requests/headers/responses, the script and ``max_in_flight``."""
        with self._lock:
            self.requests.clear()
            self.headers.clear()
            self.responses.clear()
            self.script.clear()
            self.max_in_flight = self.in_flight

    @property
    def last_request(self) -> dict | None:
        """Most recent chat request body, or None."""
        with self._lock:
            return self.requests[-1] if self.requests else None

    # -- internals ---------------------------------------------------------
    @staticmethod
    def _model_obj(mid: str) -> dict:
        return {"id": mid, "object": "model", "created": 1700000000, "owned_by": "fake-openai"}

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _choose(self, body: dict) -> Any:
        with self._lock:
            if self.script:
                return self.script.pop(0)
        if self.behaviour_for is not None:
            chosen = self.behaviour_for(body)
            if chosen is not None:
                return chosen
        if self.responder is not None:
            return self.responder(body)
        return "ok"

    def _resolve(self, behaviour: Any, body: dict, depth: int = 0) -> tuple[Reply, float, str]:
        """Turn a behaviour into (Reply, extra_sleep_seconds, behaviour_label)."""
        if callable(behaviour) and not isinstance(behaviour, Reply) and depth < 5:
            return self._resolve(behaviour(body), body, depth + 1)
        if behaviour is None:
            behaviour = "ok"
        if isinstance(behaviour, Reply):
            return behaviour, 0.0, "reply"
        if isinstance(behaviour, tuple) and behaviour and behaviour[0] == "timeout":
            seconds = float(behaviour[1]) if len(behaviour) > 1 else DEFAULT_TIMEOUT_SECONDS
            return Reply(default_responder(body)), seconds, "timeout"
        if not isinstance(behaviour, str):
            raise TypeError(f"unsupported fake behaviour: {behaviour!r}")
        name = behaviour
        if name == "ok":
            return Reply(default_responder(body)), 0.0, name
        if name == "timeout":
            return Reply(default_responder(body)), DEFAULT_TIMEOUT_SECONDS, name
        if name.isdigit() and len(name) == 3 and int(name) >= 400:
            status = int(name)
            headers = {"Retry-After": "1"} if status == 429 else {}
            return Reply("", status=status, headers=headers), 0.0, name
        if name == "refusal":
            return Reply(REFUSAL_TEXT), 0.0, name
        if name == "truncated":
            full = default_responder(body)
            return Reply(full[: max(1, len(full) // 2)], finish_reason="length"), 0.0, name
        if name == "invalid_json":
            return Reply(INVALID_JSON_TEXT), 0.0, name
        if name == "empty":
            return Reply(""), 0.0, name
        if name == "wrong_language":
            other = "en" if answer_language(body) == "zh" else "zh"
            return Reply(default_responder(body, lang=other)), 0.0, name
        return Reply(name), 0.0, "content"

    def _serve_chat(self, handler: _Handler, body: dict, raw_len: int) -> None:
        with self._lock:
            self.requests.append(body)
            self.headers.append({k.lower(): v for k, v in handler.headers.items()})
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            try:
                reply, extra, label = self._resolve(self._choose(body), body)
            except Exception as exc:  # a broken responder should be visible, not hang the client
                reply, extra, label = Reply(f"fake responder failed: {exc!r}", status=500), 0.0, "error"
            self._sleep(self.latency + float(reply.delay or 0) + extra)
            with self._lock:
                self.responses.append({"status": reply.status, "content": reply.content,
                                       "finish_reason": reply.finish_reason, "behaviour": label})
            if self._stopping.is_set():
                handler.close_connection = True
                return
            if reply.status >= 400:
                error = _error_body(reply.status, reply.content)
                error["error"].update(reply.message)  # e.g. a provider's own "code"
                handler._send_json(reply.status, error, reply.headers)
                return
            if reply.raw is not None:
                handler._send_json(200, reply.raw, reply.headers)
                return
            if body.get("stream"):
                self._send_stream(handler, body, reply, raw_len)
            else:
                handler._send_json(reply.status, self._completion(body, reply, raw_len), reply.headers)
        finally:
            with self._lock:
                self.in_flight -= 1

    @staticmethod
    def _usage(reply: Reply, raw_len: int) -> dict:
        prompt = reply.prompt_tokens if reply.prompt_tokens is not None else max(1, raw_len // 4)
        completion = reply.completion_tokens if reply.completion_tokens is not None else len(reply.content or "") // 4
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def _completion(self, body: dict, reply: Reply, raw_len: int) -> dict:
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or "fake-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content, "refusal": None, **reply.message},
                    "logprobs": None,
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": self._usage(reply, raw_len),
            "system_fingerprint": "fp_fake",
        }

    def _send_stream(self, handler: _Handler, body: dict, reply: Reply, raw_len: int) -> None:
        cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        model = body.get("model") or "fake-model"

        def chunk(delta: dict, finish: str | None, usage: dict | None = None, choices: bool = True) -> bytes:
            payload = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                       "system_fingerprint": "fp_fake",
                       "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
                       if choices else []}
            if usage is not None:
                payload["usage"] = usage
            return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode("utf-8")

        parts = [chunk({"role": "assistant", "content": ""}, None)]
        for key in ("reasoning_content", "reasoning"):  # reasoning streams first, in its own delta field
            thought = reply.message.get(key) or ""
            for i in range(0, len(thought), 16):
                parts.append(chunk({key: thought[i:i + 16]}, None))
        text = reply.content or ""
        for i in range(0, len(text), 16):
            if reply.stream_error is not None and i >= len(text) // 2:
                parts.append(f"data: {json.dumps({'error': reply.stream_error})}\n\n".encode())
                break
            parts.append(chunk({"content": text[i:i + 16]}, None))
        else:
            parts.append(chunk({}, reply.finish_reason))
        if (body.get("stream_options") or {}).get("include_usage"):
            parts.append(chunk({}, None, usage=self._usage(reply, raw_len), choices=False))
        parts.append(b"data: [DONE]\n\n")
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream; charset=utf-8")
            handler.send_header("Cache-Control", "no-cache")
            handler.send_header("Connection", "close")
            for k, v in reply.headers.items():
                handler.send_header(str(k), str(v))
            handler.end_headers()
            for p in parts:
                handler.wfile.write(p)
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass
        handler.close_connection = True
