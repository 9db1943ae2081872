"""A fake arXiv query API (``/api/query``) served over HTTP on 127.0.0.1, for tests.

Usage::

    with FakeArxiv() as fake:                       # all entries of shared/fixtures/arxiv/*.xml
        client = arxiv.Client(page_size=3, delay_seconds=0, num_retries=0)
        client.query_url_format = fake.url + "?{}"
        results = list(client.results(arxiv.Search(query="cat:cs.RO", max_results=None)))
        fake.requests[0]["params"]["start"]         # -> "0"

Query semantics (modelled on https://info.arxiv.org/help/api/user-manual.html):

* ``search_query``: terms ``field:value`` combined with ``AND``, ``ANDNOT``, ``OR`` and
  parentheses; ``AND``/``ANDNOT`` bind tighter than ``OR``, all left-associative.
  Fields: ``cat:`` (exact, case-insensitive, against every ``<category term>``, so
  cross-lists count; a trailing ``*`` is a prefix match), ``submittedDate:[A TO B]`` and
  ``lastUpdatedDate:[A TO B]`` (``YYYYMMDDHHMM`` UTC, inclusive, compared at minute
  precision with ``<published>`` / ``<updated>``), ``id:`` (with or without version),
  and case-insensitive substring fields ``ti:``, ``abs:``, ``au:``, ``co:``, ``jr:``,
  ``all:`` (values may be ``"quoted phrases"``); a bare word means ``all:``.
  Two terms side by side without an operator, an unknown field or a bad date range is
  rejected with a 400 error feed (the fake refuses what it cannot model faithfully).
* ``id_list``: comma-separated ids; an id without version matches the newest version.
  Alone, results come in ``id_list`` order; with ``search_query`` both must match.
  Neither given: an empty feed.
* ``sortBy``: ``relevance`` (fixture/file order; ``sortOrder`` ignored), ``submittedDate``
  (``<published>``), ``lastUpdatedDate`` (``<updated>``); ``sortOrder``: ``ascending`` |
  ``descending`` (default). ``start`` (default 0) / ``max_results`` (default 10) paginate;
  ``<opensearch:itemsPerPage>`` echoes ``max_results`` as arXiv does.
* Bad parameters get HTTP 400 with an arXiv-style Atom error feed; other paths get 404.

Scripted faults: ``fake.faults`` is a FIFO list; each incoming request (any path) pops one
fault before being answered. ``fake.fail_always``, when not None, is applied to *every*
request instead (the queue is then left untouched). Fault forms:

* ``None`` or ``("ok",)``: answer normally (a placeholder to target a later request);
* ``("status", code)`` / ``("status", code, {"Retry-After": "1"})``: that status, those
  headers and a short text body;
* ``("malformed",)`` / ``("malformed", body_bytes)``: 200 with a truncated, ill-formed
  Atom document (``MALFORMED_BODY``), or with the given bytes;
* ``("empty",)``: 200 with a valid feed carrying the real ``totalResults`` and
  ``startIndex`` but no entries (arXiv's empty-page-mid-pagination bug);
* ``("hang", seconds)``: status, headers (full ``Content-Length``) and half the body, then
  silence for ``seconds``, then the connection is closed (timeout mid-body);
* ``("delay", seconds)``: wait ``seconds`` before sending anything, then answer normally;
* ``("drop",)``: close the connection without answering.

A bare string is accepted for argument-less faults (``"malformed"``, ``"empty"``,
``"drop"``, ``"ok"``). ``fake.requests`` records every request as
``{"path", "params", "fault", "headers", "at"}`` (``at``: ``time.monotonic()`` of its arrival); ``fake.errors`` collects exceptions raised
inside the fake itself (answered as 500), so tests can assert it stays empty.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit

from lxml import etree

from support import ARXIV_FIXTURES as FIXTURES

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
NSMAP = {None: ATOM, "opensearch": OPENSEARCH, "arxiv": ARXIV}
_NS = {"atom": ATOM, "arxiv": ARXIV, "opensearch": OPENSEARCH}
QUERY_PATH = "/api/query"

_VERSION = re.compile(r"v\d+$")
_ID_FORMAT = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z\-]*(\.[A-Z]{2})?/\d{7})(v\d+)?$")


# --------------------------------------------------------------------------- entries


def _parse_time(text: str | None) -> datetime:
    if not text:
        raise ValueError("entry lacks a timestamp")
    dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _atom_time(dt: datetime) -> str:
    return _utc(dt).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Entry:
    """One arXiv ``<entry>``: its raw XML plus the fields the fake queries on."""

    xml: str
    arxiv_id: str  # e.g. "2601.16982v1"
    categories: tuple[str, ...]
    published: datetime  # UTC
    updated: datetime  # UTC
    title: str = ""
    abstract: str = ""
    authors: tuple[str, ...] = ()
    comment: str | None = None
    journal_ref: str | None = None

    @property
    def base_id(self) -> str:
        """The id without its version suffix."""
        return _VERSION.sub("", self.arxiv_id)

    @property
    def version(self) -> int:
        m = _VERSION.search(self.arxiv_id)
        return int(m.group()[1:]) if m else 0

    def element(self) -> etree._Element:
        """A fresh lxml element for this entry."""
        return etree.fromstring(self.xml)

    @classmethod
    def from_xml(cls, xml: str | bytes | etree._Element) -> "Entry":
        """Parse an ``<entry>`` given as text or as an lxml element."""
        el = xml if isinstance(xml, etree._Element) else etree.fromstring(xml)
        if el.tag != f"{{{ATOM}}}entry":
            raise ValueError(f"not an Atom <entry>: {el.tag}")
        raw_id = el.findtext("atom:id", namespaces=_NS) or ""
        return cls(
            xml=etree.tostring(el, encoding="unicode", with_tail=False),
            arxiv_id=raw_id.strip().rsplit("/abs/", 1)[-1],
            categories=tuple(c.get("term", "") for c in el.iterfind("atom:category", _NS)),
            published=_parse_time(el.findtext("atom:published", namespaces=_NS)),
            updated=_parse_time(el.findtext("atom:updated", namespaces=_NS)),
            title=el.findtext("atom:title", default="", namespaces=_NS),
            abstract=el.findtext("atom:summary", default="", namespaces=_NS),
            authors=tuple(
                a.findtext("atom:name", default="", namespaces=_NS)
                for a in el.iterfind("atom:author", _NS)
            ),
            comment=el.findtext("arxiv:comment", namespaces=_NS),
            journal_ref=el.findtext("arxiv:journal_ref", namespaces=_NS),
        )


def load_entries(fixtures_dir: Path = FIXTURES) -> list[Entry]:
    """All entries of every ``*.xml`` feed in ``fixtures_dir`` (files sorted by name)."""
    files = sorted(Path(fixtures_dir).glob("*.xml"))
    if not files:
        raise FileNotFoundError(f"no arXiv fixture feeds in {fixtures_dir}")
    return [
        Entry.from_xml(el)
        for f in files
        for el in etree.parse(str(f)).getroot().iterfind("atom:entry", _NS)
    ]


def make_entry(
    id: str = "2601.00001v1",
    title: str = "A synthetic paper",
    abstract: str = "A synthetic abstract.",
    authors: Sequence[str] = ("Ada Lovelace",),
    categories: Sequence[str] = ("cs.CV",),
    published: datetime = datetime(2026, 1, 22, 12, 0, tzinfo=timezone.utc),
    updated: datetime | None = None,
    comment: str | None = None,
    journal_ref: str | None = None,
    doi: str | None = None,
    primary_category: str | None = None,
) -> Entry:
    """Build a well-formed entry shaped like arXiv's; all text is XML-escaped.

    Naive datetimes are taken as UTC; ``updated`` defaults to ``published``;
    ``primary_category`` defaults to the first category. Characters XML 1.0 cannot
    carry (e.g. NUL) raise ``ValueError``, since no real arXiv feed can contain them.
    """
    published = _utc(published)
    updated = _utc(updated) if updated is not None else published
    el = etree.Element(f"{{{ATOM}}}entry", nsmap={None: ATOM, "arxiv": ARXIV})

    def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        child = etree.SubElement(parent, tag, {k: v for k, v in attrs.items()})
        if text is not None:
            child.text = text
        return child

    sub(el, f"{{{ATOM}}}id", f"http://arxiv.org/abs/{id}")
    sub(el, f"{{{ATOM}}}title", title)
    sub(el, f"{{{ATOM}}}updated", _atom_time(updated))
    sub(el, f"{{{ATOM}}}link", href=f"https://arxiv.org/abs/{id}", rel="alternate", type="text/html")
    sub(el, f"{{{ATOM}}}link", href=f"https://arxiv.org/pdf/{id}", rel="related",
        type="application/pdf", title="pdf")
    sub(el, f"{{{ATOM}}}summary", abstract)
    for term in categories:
        sub(el, f"{{{ATOM}}}category", term=term, scheme="http://arxiv.org/schemas/atom")
    sub(el, f"{{{ATOM}}}published", _atom_time(published))
    primary = primary_category if primary_category is not None else (categories[0] if categories else None)
    if primary is not None:
        sub(el, f"{{{ARXIV}}}primary_category", term=primary)
    if comment is not None:
        sub(el, f"{{{ARXIV}}}comment", comment)
    if journal_ref is not None:
        sub(el, f"{{{ARXIV}}}journal_ref", journal_ref)
    if doi is not None:
        sub(el, f"{{{ARXIV}}}doi", doi)
    for name in authors:
        sub(sub(el, f"{{{ATOM}}}author"), f"{{{ATOM}}}name", name)
    return Entry.from_xml(el)


# --------------------------------------------------------------------------- query language


class QueryError(ValueError):
    """A request the fake answers with a 400 error feed."""


Predicate = Callable[[Entry], bool]

_TOKEN = re.compile(
    r'\s*(?:(?P<lpar>\()|(?P<rpar>\))|'
    r'(?:(?P<field>[A-Za-z_]+):)?(?P<value>"[^"]*"|\[[^\]]*\]|[^\s()"]+))'
)
_OPERATORS = {"AND", "OR", "ANDNOT"}
_TEXT_FIELDS: dict[str, Callable[[Entry], Iterable[str]]] = {
    "ti": lambda e: [e.title],
    "abs": lambda e: [e.abstract],
    "au": lambda e: e.authors,
    "co": lambda e: [e.comment or ""],
    "jr": lambda e: [e.journal_ref or ""],
    "all": lambda e: [e.title, e.abstract, *e.authors, e.comment or "", e.journal_ref or "",
                      *e.categories],
}


def _tokenize(query: str) -> list[tuple[str, str | None, str]]:
    """Tokens as (kind, field, value); kind is '(', ')', 'op' or 'term'."""
    tokens: list[tuple[str, str | None, str]] = []
    pos, query = 0, query.strip()
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise QueryError(f"cannot parse search_query near {query[pos:]!r}")
        pos = m.end()
        if m.group("lpar"):
            tokens.append(("(", None, "("))
        elif m.group("rpar"):
            tokens.append((")", None, ")"))
        elif m.group("field") is None and m.group("value") in _OPERATORS:
            tokens.append(("op", None, m.group("value")))
        else:
            tokens.append(("term", m.group("field"), m.group("value")))
    return tokens


def _parse_stamp(text: str) -> datetime:
    if not re.fullmatch(r"\d{12}", text):
        raise QueryError(f"date bound {text!r} is not YYYYMMDDHHMM")
    return datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=timezone.utc)


def _term(field: str | None, value: str) -> Predicate:
    field = (field or "all").lower()
    if field in ("submitteddate", "lastupdateddate"):
        parts = value.strip("[]").split()
        if not (value.startswith("[") and len(parts) == 3 and parts[1] == "TO"):
            raise QueryError(f"bad date range {value!r}; expected [YYYYMMDDHHMM TO YYYYMMDDHHMM]")
        lo, hi = _parse_stamp(parts[0]), _parse_stamp(parts[2])
        attr = "published" if field == "submitteddate" else "updated"
        return lambda e: lo <= getattr(e, attr).replace(second=0, microsecond=0) <= hi
    needle = value[1:-1] if value.startswith('"') and value.endswith('"') else value
    needle = needle.lower()
    if not needle:
        raise QueryError(f"empty value for {field}:")
    if field == "cat":
        if needle.endswith("*"):
            return lambda e: any(c.lower().startswith(needle[:-1]) for c in e.categories)
        return lambda e: any(c.lower() == needle for c in e.categories)
    if field == "id":
        return lambda e: needle in (e.arxiv_id.lower(), e.base_id.lower())
    if field in _TEXT_FIELDS:
        get = _TEXT_FIELDS[field]
        return lambda e: any(needle in s.lower() for s in get(e))
    raise QueryError(f"unsupported field {field!r}")


def parse_query(query: str) -> Predicate:
    """Compile an arXiv ``search_query`` into a predicate over entries."""
    tokens = _tokenize(query)
    if not tokens:
        raise QueryError("empty search_query")
    pos = 0

    def peek() -> tuple[str, str | None, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str | None, str]:
        nonlocal pos
        tok = peek()
        if tok is None:
            raise QueryError("search_query ends unexpectedly")
        pos += 1
        return tok

    def primary() -> Predicate:
        kind, field, value = take()
        if kind == "(":
            inner = disjunction()
            if take()[0] != ")":
                raise QueryError("missing ')' in search_query")
            return inner
        if kind == "term":
            return _term(field, value)
        raise QueryError(f"unexpected {value!r} in search_query")

    def conjunction() -> Predicate:
        left = primary()
        while (tok := peek()) and tok[0] == "op" and tok[2] in ("AND", "ANDNOT"):
            take()
            right = primary()
            if tok[2] == "AND":
                left = (lambda a, b: lambda e: a(e) and b(e))(left, right)
            else:
                left = (lambda a, b: lambda e: a(e) and not b(e))(left, right)
        return left

    def disjunction() -> Predicate:
        left = conjunction()
        while (tok := peek()) and tok[0] == "op" and tok[2] == "OR":
            take()
            left = (lambda a, b: lambda e: a(e) or b(e))(left, conjunction())
        return left

    result = disjunction()
    if (tok := peek()) is not None:
        text = f"{tok[1]}:{tok[2]}" if tok[1] else tok[2]
        raise QueryError(
            f"unexpected {text!r} in search_query (join terms with AND/OR/ANDNOT, "
            "or quote a phrase)"
        )
    return result


# --------------------------------------------------------------------------- search + feeds


@dataclass
class _Page:
    total: int
    start: int
    per_page: int
    entries: list[Entry] = field(default_factory=list)


def _int_param(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name} must be an integer") from None
    if value < 0:
        raise QueryError(f"{name} must be non-negative")
    return value


def search(entries: Sequence[Entry], params: dict[str, str]) -> _Page:
    """Run an API query (already-decoded parameters) over ``entries``."""
    start = _int_param(params, "start", 0)
    per_page = _int_param(params, "max_results", 10)
    sort_by = params.get("sortBy") or "relevance"
    order = params.get("sortOrder") or "descending"
    if sort_by not in ("relevance", "submittedDate", "lastUpdatedDate"):
        raise QueryError(f"unknown sortBy {sort_by!r}")
    if order not in ("ascending", "descending"):
        raise QueryError(f"unknown sortOrder {order!r}")
    query = params.get("search_query", "").strip()
    ids = [i.strip() for i in params.get("id_list", "").split(",") if i.strip()]
    for i in ids:
        if not _ID_FORMAT.match(i):
            raise QueryError(f"incorrect id format for {i}")

    if ids:
        hits: list[Entry] = []
        for i in ids:
            candidates = [e for e in entries if i in (e.arxiv_id, e.base_id)]
            if candidates:
                best = max(candidates, key=lambda e: e.version)
                if best not in hits:
                    hits.append(best)
        if query:
            pred = parse_query(query)
            hits = [e for e in hits if pred(e)]
    elif query:
        pred = parse_query(query)
        hits = [e for e in entries if pred(e)]
    else:
        hits = []

    if sort_by != "relevance":
        attr = "published" if sort_by == "submittedDate" else "updated"
        hits = sorted(hits, key=lambda e: getattr(e, attr), reverse=order == "descending")
    return _Page(len(hits), start, per_page, hits[start:start + per_page])


def _feed_root(params: dict[str, str]) -> etree._Element:
    qs = urlencode(params)
    root = etree.Element(f"{{{ATOM}}}feed", nsmap=NSMAP)
    etree.SubElement(root, f"{{{ATOM}}}id").text = f"https://arxiv.org/api/fake/{abs(hash(qs))}"
    etree.SubElement(root, f"{{{ATOM}}}title").text = f"arXiv Query: {qs}"
    etree.SubElement(root, f"{{{ATOM}}}updated").text = _atom_time(datetime.now(timezone.utc))
    etree.SubElement(root, f"{{{ATOM}}}link", href=f"https://arxiv.org/api/query?{qs}",
                     rel="self", type="application/atom+xml")
    return root


def render_feed(page: _Page, params: dict[str, str], with_entries: bool = True) -> bytes:
    """An Atom feed for ``page`` in arXiv's layout (namespaces atom, opensearch, arxiv)."""
    root = _feed_root(params)
    for tag, value in (("itemsPerPage", page.per_page), ("totalResults", page.total),
                       ("startIndex", page.start)):
        etree.SubElement(root, f"{{{OPENSEARCH}}}{tag}").text = str(value)
    if with_entries:
        for entry in page.entries:
            root.append(entry.element())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def render_error(message: str, params: dict[str, str]) -> bytes:
    """arXiv's error format: a feed with one entry titled 'Error'."""
    root = _feed_root(params)
    for tag, value in (("totalResults", 1), ("startIndex", 0), ("itemsPerPage", 1)):
        etree.SubElement(root, f"{{{OPENSEARCH}}}{tag}").text = str(value)
    entry = etree.SubElement(root, f"{{{ATOM}}}entry")
    anchor = "http://arxiv.org/api/errors#" + re.sub(r"\W+", "_", message)
    etree.SubElement(entry, f"{{{ATOM}}}id").text = anchor
    etree.SubElement(entry, f"{{{ATOM}}}title").text = "Error"
    etree.SubElement(entry, f"{{{ATOM}}}summary").text = message
    etree.SubElement(entry, f"{{{ATOM}}}updated").text = _atom_time(datetime.now(timezone.utc))
    etree.SubElement(entry, f"{{{ATOM}}}link", href=anchor, rel="alternate", type="text/html")
    etree.SubElement(etree.SubElement(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = (
        "arXiv api core"
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


MALFORMED_BODY = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n"
    b'<feed xmlns="http://www.w3.org/2005/Atom"><opensearch:totalResults>7</opensearch:total'
    b"<entry><id>http://arxiv.org/abs/2601.99999v1</id><title>Trunc"
)


# --------------------------------------------------------------------------- faults


def normalize_fault(fault: Any) -> tuple | None:
    """Validate a fault and return it as a tuple (None for 'answer normally')."""
    if fault is None:
        return None
    if isinstance(fault, str):
        fault = (fault,)
    if not isinstance(fault, tuple) or not fault:
        raise ValueError(f"bad fault {fault!r}")
    kind, args = fault[0], fault[1:]
    ok = {
        "ok": len(args) == 0,
        "malformed": len(args) == 0 or (len(args) == 1 and isinstance(args[0], bytes)),
        "empty": len(args) == 0,
        "drop": len(args) == 0,
        "status": len(args) in (1, 2) and isinstance(args[0], int)
        and (len(args) == 1 or isinstance(args[1], dict)),
        "hang": len(args) == 1 and isinstance(args[0], (int, float)),
        "delay": len(args) == 1 and isinstance(args[0], (int, float)),
    }.get(kind, False)
    if not ok:
        raise ValueError(f"bad fault {fault!r}")
    return None if kind == "ok" else fault


# --------------------------------------------------------------------------- server


class FakeArxiv:
    """A threaded fake of ``export.arxiv.org/api/query`` on 127.0.0.1 (see module doc)."""

    def __init__(self, entries: list[Entry] | None = None, fixtures_dir: Path = FIXTURES) -> None:
        self.entries: list[Entry] = list(entries) if entries is not None else load_entries(fixtures_dir)
        self.requests: list[dict] = []
        self.faults: list = []
        self.fail_always: tuple | None = None
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # lifecycle
    def start(self) -> "FakeArxiv":
        """Bind a free port and serve in a daemon thread; sets ``url``."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01},
            name="fake-arxiv", daemon=True,
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}{QUERY_PATH}"
        return self

    def stop(self) -> None:
        """Stop serving, cut short any hang/delay faults and free the port."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "FakeArxiv":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # used by the handler
    def _next_fault(self) -> tuple | None:
        with self._lock:
            if self.fail_always is not None:
                return normalize_fault(self.fail_always)
            return normalize_fault(self.faults.pop(0)) if self.faults else None

    def _record(self, request: dict) -> None:
        with self._lock:
            self.requests.append(request)

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients must not overflow the backlog
    fake: FakeArxiv


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 10  # never let a stuck client pin a thread forever

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._handle(urlsplit(self.path).query)

    def do_POST(self) -> None:  # the real API accepts form-encoded POSTs too
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length).decode("utf-8", "replace"))

    def _handle(self, query: str) -> None:
        fake = self.server.fake
        path = urlsplit(self.path).path
        params = dict(parse_qsl(query, keep_blank_values=True))
        try:
            fault = fake._next_fault()
        except ValueError as exc:
            fake.errors.append(exc)
            fault = ("status", 500)
        fake._record({"path": path, "params": params, "fault": fault,
                      "headers": dict(self.headers.items()), "at": time.monotonic()})
        self.close_connection = True
        try:
            self._answer(fake, path, params, fault)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up; nothing to report
        except Exception as exc:  # a bug in the fake: make it visible to tests
            fake.errors.append(exc)
            try:
                self._send(500, b"fake_arxiv internal error\n", "text/plain")
            except OSError:
                pass

    def _answer(self, fake: FakeArxiv, path: str, params: dict[str, str], fault: tuple | None) -> None:
        kind = fault[0] if fault else None
        if kind == "drop":
            return
        if kind == "delay":
            fake._sleep(fault[1])
        if kind == "status":
            code, headers = fault[1], (fault[2] if len(fault) > 2 else {})
            self._send(code, f"fake arXiv: scripted HTTP {code}\n".encode(), "text/plain", headers)
            return
        if kind == "malformed":
            self._send(200, fault[1] if len(fault) > 1 else MALFORMED_BODY)
            return
        if path != QUERY_PATH:
            self._send(404, b"Not Found\n", "text/plain")
            return
        try:
            page = search(list(fake.entries), params)
        except QueryError as exc:
            self._send(400, render_error(str(exc), params))
            return
        body = render_feed(page, params, with_entries=kind != "empty")
        if kind == "hang":
            self._send_headers(200, len(body))
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            fake._sleep(fault[1])
            return
        self._send(200, body)

    def _send_headers(self, code: int, length: int, ctype: str = "application/atom+xml; charset=UTF-8",
                      extra: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Connection", "close")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def _send(self, code: int, body: bytes, ctype: str = "application/atom+xml; charset=UTF-8",
              extra: dict[str, str] | None = None) -> None:
        self._send_headers(code, len(body), ctype, extra)
        self.wfile.write(body)
        self.wfile.flush()
