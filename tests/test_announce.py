"""The announcement calendar (arxiv_digest.arxiv.announce).

Every expected instant below was worked out by hand from arXiv's rules (cutoff 14:00 US
Eastern; windows announced at 20:00 ET the same weekday, Friday's on Sunday) and the
US daylight-saving dates of 2026 (EST = UTC-5 until 2026-03-08, EDT = UTC-4 until
2026-11-01), not from the module.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from arxiv_digest.arxiv import announce

UTC = timezone.utc
SH = "Asia/Shanghai"
NY = "America/New_York"
LATER = datetime(2027, 1, 1, tzinfo=UTC)  # "now" after every date used here


def utc(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def window(ann):
    return ann.start, ann.end


# digest date (Asia/Shanghai) → (cutoff day, start UTC, end UTC, announced UTC); February: EST.
WEEK = {
    date(2026, 2, 16): (date(2026, 2, 13), utc(2026, 2, 12, 19), utc(2026, 2, 13, 19), utc(2026, 2, 16, 1)),
    date(2026, 2, 17): (date(2026, 2, 16), utc(2026, 2, 13, 19), utc(2026, 2, 16, 19), utc(2026, 2, 17, 1)),
    date(2026, 2, 18): (date(2026, 2, 17), utc(2026, 2, 16, 19), utc(2026, 2, 17, 19), utc(2026, 2, 18, 1)),
    date(2026, 2, 19): (date(2026, 2, 18), utc(2026, 2, 17, 19), utc(2026, 2, 18, 19), utc(2026, 2, 19, 1)),
    date(2026, 2, 20): (date(2026, 2, 19), utc(2026, 2, 18, 19), utc(2026, 2, 19, 19), utc(2026, 2, 20, 1)),
}


@pytest.mark.parametrize("digest", sorted(WEEK), ids=lambda d: d.strftime("%a-%m-%d"))
def test_each_weekday_digest_in_shanghai_gets_its_window_and_announcement_time(digest):
    cutoff, start, end, announced = WEEK[digest]
    ann = announce.for_digest_date(digest, SH)
    assert ann is not None
    assert (ann.digest_date, ann.cutoff_day, ann.start, ann.end, ann.announced) == (digest, cutoff, start, end, announced)


@pytest.mark.parametrize("digest", [date(2026, 2, 21), date(2026, 2, 22), date(2026, 1, 24), date(2026, 1, 25)])
def test_no_digest_on_saturday_or_sunday_in_shanghai(digest):
    assert announce.for_digest_date(digest, SH) is None


def test_monday_digest_holds_fridays_window_across_the_weekend():
    # Fixture: the 2026-01-26 digest = Friday 2026-01-23's window, Thu 14:00 ET → Fri 14:00 ET.
    ann = announce.for_digest_date(date(2026, 1, 26), SH)
    assert ann.cutoff_day == date(2026, 1, 23)
    assert window(ann) == (utc(2026, 1, 22, 19), utc(2026, 1, 23, 19))
    assert ann.announced == utc(2026, 1, 26, 1)  # Sunday 20:00 EST
    # Weekend submissions belong to Monday's cutoff (Tuesday's digest), not to Monday's digest.
    assert not ann.contains(utc(2026, 1, 24, 12))
    assert announce.for_digest_date(date(2026, 1, 27), SH).contains(utc(2026, 1, 24, 12))


def test_windows_chain_without_gaps_or_overlaps():
    anns = announce.between(date(2026, 1, 1), date(2026, 12, 31), SH)
    for older, newer in zip(anns, anns[1:]):
        assert older.end == newer.start, (older, newer)
        assert older.digest_date < newer.digest_date
    assert all(a.digest_date.weekday() < 5 for a in anns)
    # 2026 has 261 weekdays; with no holidays configured every one carries a digest.
    assert len(anns) == 261


def test_window_bounds_are_start_inclusive_end_exclusive():
    ann = announce.for_digest_date(date(2026, 2, 18), SH)
    assert ann.contains(utc(2026, 2, 16, 19))
    assert ann.contains(utc(2026, 2, 16, 20))  # the fixture paper 2602.14662
    assert ann.contains(utc(2026, 2, 17, 18, 59))
    assert not ann.contains(utc(2026, 2, 17, 19))
    assert not ann.contains(utc(2026, 2, 16, 18, 59))


def test_windows_follow_new_york_time_across_the_march_dst_change():
    # DST starts Sunday 2026-03-08. Friday's window (EST both ends) is Monday's digest.
    fri = announce.for_digest_date(date(2026, 3, 9), SH)
    assert fri.cutoff_day == date(2026, 3, 6)
    assert window(fri) == (utc(2026, 3, 5, 19), utc(2026, 3, 6, 19))
    assert fri.announced == utc(2026, 3, 9, 0)  # Sunday 20:00 EDT
    # The window closing Monday 2026-03-09 starts Friday 19:00 UTC and ends 18:00 UTC (14:00 EDT).
    mon = announce.for_digest_date(date(2026, 3, 10), SH)
    assert mon.cutoff_day == date(2026, 3, 9)
    assert window(mon) == (utc(2026, 3, 6, 19), utc(2026, 3, 9, 18))
    assert mon.announced == utc(2026, 3, 10, 0)
    tue = announce.for_digest_date(date(2026, 3, 11), SH)
    assert window(tue) == (utc(2026, 3, 9, 18), utc(2026, 3, 10, 18))


def test_windows_follow_new_york_time_across_the_november_dst_change():
    # DST ends Sunday 2026-11-01.
    fri = announce.for_digest_date(date(2026, 11, 2), SH)
    assert fri.cutoff_day == date(2026, 10, 30)
    assert window(fri) == (utc(2026, 10, 29, 18), utc(2026, 10, 30, 18))
    assert fri.announced == utc(2026, 11, 2, 1)  # Sunday 20:00 EST
    mon = announce.for_digest_date(date(2026, 11, 3), SH)
    assert window(mon) == (utc(2026, 10, 30, 18), utc(2026, 11, 2, 19))
    assert mon.announced == utc(2026, 11, 3, 1)


def test_new_york_dates_the_same_announcement_a_day_earlier():
    # Friday 2026-01-23's window is announced Sunday 20:00 EST: Sunday in New York, Monday in Shanghai and UTC.
    ny = announce.for_digest_date(date(2026, 1, 25), NY)
    assert ny is not None and ny.cutoff_day == date(2026, 1, 23)
    assert window(ny) == (utc(2026, 1, 22, 19), utc(2026, 1, 23, 19))
    assert announce.for_digest_date(date(2026, 1, 26), "UTC").cutoff_day == date(2026, 1, 23)
    # Monday 2026-01-26 in New York is Monday's own announcement (Fri 14:00 → Mon 14:00 ET).
    ny_mon = announce.for_digest_date(date(2026, 1, 26), NY)
    assert ny_mon.cutoff_day == date(2026, 1, 26)
    assert window(ny_mon) == (utc(2026, 1, 23, 19), utc(2026, 1, 26, 19))
    # New York digests run Sunday to Thursday: none on Friday or Saturday.
    assert announce.for_digest_date(date(2026, 1, 30), NY) is None
    assert announce.for_digest_date(date(2026, 1, 31), NY) is None
    ny_week = [a.digest_date.weekday() for a in announce.between(date(2026, 2, 1), date(2026, 2, 7), NY)]
    assert ny_week == [6, 0, 1, 2, 3]


def test_utc_digest_dates_in_winter_and_summer():
    # 20:00 EST = 01:00 UTC and 20:00 EDT = 00:00 UTC, both on the next day.
    assert announce.for_digest_date(date(2026, 2, 18), "UTC").cutoff_day == date(2026, 2, 17)
    assert announce.for_digest_date(date(2026, 7, 15), "UTC").cutoff_day == date(2026, 7, 14)
    assert announce.for_digest_date(date(2026, 7, 15), "UTC").announced == utc(2026, 7, 15, 0)
    assert announce.for_digest_date(date(2026, 7, 18), "UTC") is None  # Saturday
    # The same announcement, three digest dates:
    cutoff = date(2026, 7, 14)
    dated = {tz: next(a.digest_date for a in announce.between(date(2026, 7, 13), date(2026, 7, 16), tz)
                      if a.cutoff_day == cutoff) for tz in (NY, "UTC", SH)}
    assert dated == {NY: date(2026, 7, 14), "UTC": date(2026, 7, 15), SH: date(2026, 7, 15)}


def test_midweek_holiday_moves_submissions_to_the_next_window():
    thanksgiving = date(2026, 11, 26)  # Thursday
    holidays = [thanksgiving]
    # No Thursday-evening announcement, so no Friday digest in Shanghai.
    assert announce.for_digest_date(date(2026, 11, 27), SH, holidays) is None
    assert announce.for_digest_date(date(2026, 11, 27), SH) is not None
    wed = announce.for_digest_date(date(2026, 11, 26), SH, holidays)
    assert window(wed) == (utc(2026, 11, 24, 19), utc(2026, 11, 25, 19))
    fri = announce.for_digest_date(date(2026, 11, 30), SH, holidays)
    assert fri.cutoff_day == date(2026, 11, 27)
    assert window(fri) == (utc(2026, 11, 25, 19), utc(2026, 11, 27, 19))
    on_holiday = utc(2026, 11, 26, 15)
    assert fri.contains(on_holiday)
    assert announce.for_digest_date(date(2026, 11, 27), SH).contains(on_holiday)  # without the holiday
    dates = [a.digest_date for a in announce.between(date(2026, 11, 23), date(2026, 11, 29), SH, holidays)]
    assert dates == [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)]


def test_friday_holiday_skips_mondays_digest():
    holidays = [date(2026, 12, 25)]  # Friday
    assert announce.for_digest_date(date(2026, 12, 28), SH, holidays) is None
    mon = announce.for_digest_date(date(2026, 12, 29), SH, holidays)
    assert mon.cutoff_day == date(2026, 12, 28)
    assert window(mon) == (utc(2026, 12, 24, 19), utc(2026, 12, 28, 19))


def dates_of(anns):
    return [a.digest_date for a in anns]


def test_latest_until_counts_back_over_the_weekend():
    assert dates_of(announce.latest(3, SH, until=date(2026, 2, 18), now=LATER)) == [
        date(2026, 2, 18), date(2026, 2, 17), date(2026, 2, 16)]
    assert dates_of(announce.latest(5, SH, until=date(2026, 2, 18), now=LATER)) == [
        date(2026, 2, 18), date(2026, 2, 17), date(2026, 2, 16), date(2026, 2, 13), date(2026, 2, 12)]
    assert dates_of(announce.latest(1, SH, until=date(2026, 2, 22), now=LATER)) == [date(2026, 2, 20)]
    assert dates_of(announce.latest(2, NY, until=date(2026, 1, 25), now=LATER)) == [date(2026, 1, 25), date(2026, 1, 22)]


def test_latest_never_returns_an_unpublished_announcement():
    # The 2026-02-18 digest is published at 01:00 UTC that day.
    before = announce.latest(1, SH, until=date(2026, 2, 18), now=utc(2026, 2, 18, 0, 59))
    at = announce.latest(1, SH, until=date(2026, 2, 18), now=utc(2026, 2, 18, 1))
    assert dates_of(before) == [date(2026, 2, 17)]
    assert dates_of(at) == [date(2026, 2, 18)]
    # Without ``until``: on Saturday the newest digest is Friday's.
    assert dates_of(announce.latest(2, SH, now=utc(2026, 1, 24, 12))) == [date(2026, 1, 23), date(2026, 1, 22)]


def test_latest_respects_holidays():
    got = announce.latest(3, SH, until=date(2026, 11, 30), holidays=[date(2026, 11, 26)], now=LATER)
    assert dates_of(got) == [date(2026, 11, 30), date(2026, 11, 26), date(2026, 11, 25)]


def test_latest_and_between_agree():
    first, last = date(2026, 1, 1), date(2026, 3, 31)
    ranged = announce.between(first, last, SH)
    newest = announce.latest(len(ranged), SH, until=last, now=LATER)
    assert list(reversed(newest)) == ranged
    assert announce.latest(0, SH, until=last, now=LATER) == []


def test_between_skips_weekends():
    # Three weeks Saturday 2026-01-24 .. Sunday 2026-02-15 hold 15 weekdays.
    anns = announce.between(date(2026, 1, 24), date(2026, 2, 15), SH)
    assert len(anns) == 15
    assert anns[0].digest_date == date(2026, 1, 26) and anns[-1].digest_date == date(2026, 2, 13)
    assert anns[0].start == utc(2026, 1, 22, 19) and anns[-1].end == utc(2026, 2, 12, 19)
    assert anns[-1].end - anns[0].start == timedelta(days=21)
