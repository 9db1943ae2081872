"""The fixture papers as the *latest* arXiv announcements, for sites that fetch "the latest days" (no ``until``).

A site made by ``arxiv-digest init`` fetches the announcements before now. ``recent_entries()`` moves each fixture
day's papers into one of the latest submission windows (oldest fixture day → oldest of them), keeping every
paper's place within its window, so :class:`fake_arxiv.FakeArxiv` answers those queries with real fixture papers.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from lxml import etree

from arxiv_digest.arxiv import announce
from fake_arxiv import ATOM, Entry, load_entries
from support import FIXTURE_DATES

FIXTURE_TZ = "Asia/Shanghai"  # the zone of the fixtures' digest dates (file names)


def latest_dates(tz: str = FIXTURE_TZ, count: int = len(FIXTURE_DATES)) -> list[str]:
    """Digest dates of the ``count`` latest announcements, oldest first."""
    return [a.digest_date.isoformat() for a in reversed(announce.latest(count, tz))]


def recent_entries(tz: str = FIXTURE_TZ, days: int = len(FIXTURE_DATES)) -> list[list[Entry]]:
    """The entries of the first ``days`` fixture days, each moved into one of the latest windows (oldest first)."""
    targets = list(reversed(announce.latest(len(FIXTURE_DATES), tz)))
    entries = load_entries()
    out = []
    for fixture, target in list(zip(FIXTURE_DATES, targets))[:days]:
        source = announce.for_digest_date(date.fromisoformat(fixture), FIXTURE_TZ)
        scale = (target.end - target.start) / (source.end - source.start)
        moved = []
        for entry in entries:
            if not source.contains(entry.published):
                continue
            published = target.start + (entry.published - source.start) * scale
            moved.append(_redated(entry, published, published + (entry.updated - entry.published)))
        out.append(moved)
    return out


def _redated(entry: Entry, published: datetime, updated: datetime) -> Entry:
    element = entry.element()
    for tag, when in (("published", published), ("updated", updated)):
        element.find(f"{{{ATOM}}}{tag}").text = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Entry.from_xml(etree.tostring(element))
