"""The arXiv announcement calendar.

arXiv's daily cutoff is 14:00 US Eastern. Submissions between two cutoffs are
announced at 20:00 ET on the cutoff day (Monday to Thursday); Friday's window
is announced on Sunday evening. A digest dated D (in the site's time zone)
carries the announcement whose instant falls on D in that zone: for readers
in China the Sunday-evening announcement is Monday morning's digest.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
CUTOFF = time(14, 0)
ANNOUNCEMENT = time(20, 0)


@dataclass(frozen=True)
class Announcement:
    """One arXiv announcement and the submission window it covers."""

    digest_date: date
    """Date of the digest page, in the site's time zone."""
    cutoff_day: date
    """US Eastern date of the cutoff that closes the window."""
    start: datetime
    """Window start (UTC, inclusive): the previous cutoff."""
    end: datetime
    """Window end (UTC, exclusive): this cutoff."""
    announced: datetime
    """When arXiv publishes it (UTC)."""

    def contains(self, submitted: datetime) -> bool:
        return self.start <= submitted < self.end


def _eastern(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=EASTERN).astimezone(timezone.utc)


def is_cutoff_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def previous_cutoff_day(day: date, holidays: Collection[date] = ()) -> date:
    day -= timedelta(days=1)
    while not is_cutoff_day(day, holidays):
        day -= timedelta(days=1)
    return day


def for_cutoff(cutoff_day: date, tz: str, holidays: Collection[date] = ()) -> Announcement:
    """The announcement that closes on ``cutoff_day`` (a weekday that is not a holiday)."""
    announce_day = cutoff_day + timedelta(days=2) if cutoff_day.weekday() == 4 else cutoff_day
    announced = _eastern(announce_day, ANNOUNCEMENT)
    return Announcement(
        digest_date=announced.astimezone(ZoneInfo(tz)).date(),
        cutoff_day=cutoff_day,
        start=_eastern(previous_cutoff_day(cutoff_day, holidays), CUTOFF),
        end=_eastern(cutoff_day, CUTOFF),
        announced=announced,
    )


def for_digest_date(digest_date: date, tz: str, holidays: Collection[date] = ()) -> Announcement | None:
    """The announcement published as the digest of ``digest_date``, or None (weekend, holiday)."""
    # The announcement instant is within a day of the digest date in any zone;
    # Sunday's announcement closes on Friday, so look back up to four days.
    for offset in range(-1, 5):
        cutoff_day = digest_date - timedelta(days=offset)
        if is_cutoff_day(cutoff_day, holidays):
            ann = for_cutoff(cutoff_day, tz, holidays)
            if ann.digest_date == digest_date:
                return ann
    return None


def announcements_until(moment: datetime, tz: str, holidays: Collection[date] = ()) -> Iterator[Announcement]:
    """Announcements already published at ``moment``, newest first."""
    cutoff_day = moment.astimezone(EASTERN).date() + timedelta(days=1)
    while True:
        if is_cutoff_day(cutoff_day, holidays):
            ann = for_cutoff(cutoff_day, tz, holidays)
            if ann.announced <= moment:
                yield ann
        cutoff_day -= timedelta(days=1)


def latest(count: int, tz: str, until: date | None = None, holidays: Collection[date] = (),
           now: datetime | None = None) -> list[Announcement]:
    """The ``count`` most recent announcements (newest first) up to the digest date ``until``."""
    now = now or datetime.now(timezone.utc)
    if until is not None:
        # End of that digest day in the site's zone, but never in the future.
        end_of_day = datetime.combine(until + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))
        now = min(now, end_of_day - timedelta(microseconds=1))
    out: list[Announcement] = []
    for ann in announcements_until(now, tz, holidays):
        if len(out) >= count:
            break
        out.append(ann)
    return out


def between(first: date, last: date, tz: str, holidays: Collection[date] = ()) -> list[Announcement]:
    """Announcements whose digest date lies in [first, last], oldest first."""
    out = []
    day = first
    while day <= last:
        ann = for_digest_date(day, tz, holidays)
        if ann:
            out.append(ann)
        day += timedelta(days=1)
    return out
