"""Source stage: the papers of one announcement, from the arXiv API through the ``arxiv`` client."""

from __future__ import annotations

from mkdocs.plugins import get_plugin_logger

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import arxiv
import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from .announce import Announcement
from .ids import CATEGORY_RE, arxiv_links, split_id
from .links import code_links
from ..config import ArxivConfig
from ..model import Paper

log = get_plugin_logger(__name__)

class FetchError(Exception):
    """The arXiv API could not be read (after retries)."""


@dataclass
class DayFetch:
    """What the API returned for one announcement."""

    papers: list[Paper]
    skipped: list[str] = field(default_factory=list)


class _Session(requests.Session):
    """A session with a timeout (the arxiv client sets none) that remembers Retry-After."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self.retry_after: float | None = None
        self.complete = True
        self.entries = 0
        self.count = 0

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        self.count += 1
        response = super().request(*args, **kwargs)
        self.complete = response.content.rstrip().endswith(b"</feed>")
        self.entries = len(re.findall(rb"<entry[\s>]", response.content))
        header = response.headers.get("Retry-After")
        self.retry_after = float(header) if header and header.strip().isdigit() else None
        return response


class _Client(arxiv.Client):
    """arxiv.Client pointed at the configured endpoint; retries are ours (with backoff)."""

    def __init__(self, options: ArxivConfig) -> None:
        super().__init__(page_size=options.page_size, delay_seconds=options.delay_seconds, num_retries=0)
        self.query_url_format = options.api_url.split("?")[0] + "?{}"
        self._session = _Session(options.timeout)
        self.dropped = 0

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> Any:
        feed = super()._parse_feed(url, first_page=first_page, _try_index=_try_index)
        # The client parses with recovery and would read a broken page as "no papers".
        if feed.malformed or not self._session.complete:
            raise FetchError(f"malformed or truncated response ({feed.error or 'no closing </feed>'})")
        if not feed.results and feed.header.total_results > feed.header.start_index:
            raise FetchError(f"empty page although the API reports {feed.header.total_results} results")
        # The client drops entries without id/published/updated with only a log line: count them.
        self.dropped += max(0, self._session.entries - len(feed.results))
        return feed


def _transient(error: BaseException) -> bool:
    if isinstance(error, arxiv.HTTPError):
        return error.status == 429 or error.status >= 500
    return isinstance(error, (arxiv.UnexpectedEmptyPageError, requests.RequestException, FetchError))


def to_record(result: arxiv.Result) -> Paper:
    """The store's paper record for one API entry; ValueError when the entry is unusable."""
    paper_id, version = split_id(result.get_short_id())
    title = " ".join((result.title or "").split())
    if not title:
        raise ValueError(f"{paper_id}: entry has no title")
    # Categories become tags and URLs: keep only well-formed ones.
    categories = [c for c in dict.fromkeys(result.categories) if CATEGORY_RE.match(c)]
    return {
        "id": paper_id,
        "version": version,
        "title": title,
        "authors": [a.name.strip() for a in result.authors if a.name and a.name.strip()],
        "published": result.published.astimezone(timezone.utc).isoformat(),
        "updated": result.updated.astimezone(timezone.utc).isoformat(),
        "categories": categories,
        "primary_category": result.primary_category if CATEGORY_RE.match(result.primary_category or "") else
        (categories[0] if categories else ""),
        "abstract": (result.summary or "").strip(),
        "comment": (result.comment or "").strip() or None,
        "journal_ref": result.journal_ref or None,
        "doi": result.doi or None,
        "links": arxiv_links(paper_id, version),
        "code_links": code_links(result.summary, result.comment),
    }


def build_query(categories: list[str], ann: Announcement) -> str:
    cats = " OR ".join(f"cat:{c}" for c in categories)
    span = f"submittedDate:[{ann.start:%Y%m%d%H%M} TO {ann.end:%Y%m%d%H%M}]"
    return f"({cats}) AND {span}"


class ArxivSource:
    """One client per run, so ``delay_seconds`` holds between the days of a backfill too."""

    def __init__(self, options: ArxivConfig) -> None:
        self.options = options
        self.client = _Client(options)

    @property
    def requests(self) -> int:
        return self.client._session.count

    def fetch(self, ann: Announcement, categories: list[str]) -> DayFetch:
        """Every new submission of ``ann`` in ``categories``, newest first, each paper once."""
        options, client = self.options, self.client
        search = arxiv.Search(query=build_query(categories, ann), max_results=None,
                              sort_by=arxiv.SortCriterion.SubmittedDate, sort_order=arxiv.SortOrder.Descending)
        results: list[arxiv.Result] = []

        def wait(state: RetryCallState) -> float:
            backoff = options.delay_seconds * 2 ** (state.attempt_number - 1)
            return max(backoff, client._session.retry_after or 0)

        def before_sleep(state: RetryCallState) -> None:
            log.info("arXiv request failed (%s); retry %d of %d",
                     state.outcome.exception(), state.attempt_number, options.retries)

        def read_pages() -> None:
            # Resume from what already arrived, so a retry does not start over.
            for result in client.results(search, offset=len(results)):
                results.append(result)

        client.dropped = 0
        try:
            for attempt in Retrying(retry=retry_if_exception(_transient), stop=stop_after_attempt(options.retries + 1),
                                    wait=wait, before_sleep=before_sleep, reraise=True, sleep=time.sleep):
                with attempt:
                    read_pages()
        except (arxiv.ArxivError, requests.RequestException, FetchError) as error:
            raise FetchError(f"arXiv API at {options.api_url} failed for the {ann.digest_date} digest: {error}") from error

        papers: dict[str, Paper] = {}
        skipped = [f"{client.dropped} entries without id or dates"] if client.dropped else []
        for result in results:
            try:
                record = to_record(result)
            except ValueError as error:
                skipped.append(str(error))
                continue
            # Only new submissions of this window (replacements keep their first submission date).
            if ann.contains(datetime.fromisoformat(record["published"])) and record["id"] not in papers:
                papers[record["id"]] = record
        ordered = sorted(papers.values(), key=lambda p: (p["published"], p["id"]), reverse=True)
        return DayFetch(papers=ordered, skipped=skipped)
