"""How far the store lags arXiv: the announcement days missing since its newest digest (status, stale notices)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .arxiv import announce
from .config import DigestConfig
from .store import Store


def freshness(store: Store, config: DigestConfig, now: datetime | None = None) -> tuple[int, str | None, str]:
    """(announcement days the store is behind, newest stored date, newest announced date)."""
    latest = announce.latest(1, config.timezone, config.until, config.arxiv.holidays, now=now)[0]
    dates = [d["date"] for d in store.days() if d.get("complete", True)]
    newest = dates[0] if dates else None
    if newest is None:
        return -1, None, latest.digest_date.isoformat()
    behind = len(announce.between(date.fromisoformat(newest) + timedelta(days=1), latest.digest_date,
                                  config.timezone, config.arxiv.holidays))
    return behind, newest, latest.digest_date.isoformat()


def stale_message(store: Store, config: DigestConfig) -> str | None:
    """A warning when the newest digest lags arXiv by more than ``freshness_days`` announcements."""
    if not config.freshness_days:
        return None
    behind, newest, latest = freshness(store, config)
    if newest is None:
        return f"the store has no digest yet (latest arXiv announcement: {latest})"
    if behind > config.freshness_days:
        return (f"the newest digest ({newest}) is {behind} announcement days behind arXiv ({latest}); "
                f"run 'arxiv-digest fetch' or check the scheduled job")
    return None
