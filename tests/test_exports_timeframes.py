"""Report days and timeframes at their boundaries, on both sides of UTC and across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from exports.timeframes import Period, Timeframe, day_window, report_day_of, resolve


def utc(*a) -> datetime:
    return datetime(*a, tzinfo=UTC)


# --- the report day rule ---------------------------------------------------------------


@pytest.mark.parametrize(
    "zone, day, start, end, hours",
    [
        # ahead of UTC: local midnight to midnight
        ("Europe/Warsaw", date(2024, 1, 15), utc(2024, 1, 14, 23), utc(2024, 1, 15, 23), 24),
        (
            "Europe/Warsaw",
            date(2024, 3, 31),
            utc(2024, 3, 30, 23),
            utc(2024, 3, 31, 22),
            23,
        ),  # DST on
        (
            "Europe/Warsaw",
            date(2024, 10, 27),
            utc(2024, 10, 26, 22),
            utc(2024, 10, 27, 23),
            25,
        ),  # DST off
        ("UTC", date(2024, 6, 1), utc(2024, 6, 1), utc(2024, 6, 2), 24),  # at UTC counts as "ahead"
        (
            "Europe/London",
            date(2024, 7, 1),
            utc(2024, 6, 30, 23),
            utc(2024, 7, 1, 23),
            24,
        ),  # standard +0
        ("Asia/Kolkata", date(2024, 6, 1), utc(2024, 5, 31, 18, 30), utc(2024, 6, 1, 18, 30), 24),
        # behind UTC: 03:00 to 03:00 America/New_York, whatever the tenant's own zone does
        ("America/Sao_Paulo", date(2024, 1, 15), utc(2024, 1, 15, 8), utc(2024, 1, 16, 8), 24),
        ("America/Sao_Paulo", date(2024, 3, 10), utc(2024, 3, 10, 7), utc(2024, 3, 11, 7), 24),
        (
            "America/Sao_Paulo",
            date(2024, 3, 9),
            utc(2024, 3, 9, 8),
            utc(2024, 3, 10, 7),
            23,
        ),  # NY DST on
        (
            "America/Sao_Paulo",
            date(2024, 11, 2),
            utc(2024, 11, 2, 7),
            utc(2024, 11, 3, 8),
            25,
        ),  # NY DST off
        ("America/Los_Angeles", date(2024, 7, 4), utc(2024, 7, 4, 7), utc(2024, 7, 5, 7), 24),
    ],
)
def test_day_window(zone, day, start, end, hours):
    assert day_window(day, zone) == (start, end)
    assert end - start == timedelta(hours=hours)


def test_usage_rule_is_new_york_midnight_for_every_tenant():
    assert day_window(date(2024, 1, 15), "Europe/Warsaw", "usage") == (
        utc(2024, 1, 15, 5),
        utc(2024, 1, 16, 5),
    )
    assert day_window(date(2024, 7, 15), "America/Sao_Paulo", "usage") == (
        utc(2024, 7, 15, 4),
        utc(2024, 7, 16, 4),
    )


def test_day_starting_in_a_dst_gap_starts_at_the_change():
    # Africa/Cairo skipped 00:00-01:00 on 28 April 2023: the day starts at 01:00 local = 22:00 UTC
    assert day_window(date(2023, 4, 28), "Africa/Cairo") == (
        utc(2023, 4, 27, 22),
        utc(2023, 4, 28, 21),
    )


@pytest.mark.parametrize(
    "zone, instant, day",
    [
        ("Europe/Warsaw", utc(2024, 1, 14, 22, 59, 59), date(2024, 1, 14)),
        ("Europe/Warsaw", utc(2024, 1, 14, 23), date(2024, 1, 15)),
        ("Europe/Warsaw", utc(2024, 3, 31, 21, 59, 59), date(2024, 3, 31)),
        ("Europe/Warsaw", utc(2024, 3, 31, 22), date(2024, 4, 1)),
        ("Europe/Warsaw", utc(2024, 10, 27, 22, 59), date(2024, 10, 27)),
        ("Europe/Warsaw", utc(2024, 10, 27, 23), date(2024, 10, 28)),
        ("America/Sao_Paulo", utc(2024, 1, 15, 7, 59, 59), date(2024, 1, 14)),
        ("America/Sao_Paulo", utc(2024, 1, 15, 8), date(2024, 1, 15)),
        ("America/Sao_Paulo", utc(2024, 3, 10, 6, 59, 59), date(2024, 3, 9)),
        ("America/Sao_Paulo", utc(2024, 3, 10, 7), date(2024, 3, 10)),
        ("America/Sao_Paulo", utc(2024, 11, 3, 7, 59, 59), date(2024, 11, 2)),
        ("America/Sao_Paulo", utc(2024, 11, 3, 8), date(2024, 11, 3)),
    ],
)
def test_report_day_of_at_boundaries(zone, instant, day):
    assert report_day_of(instant, zone) == day


def test_report_day_of_agrees_with_day_window_every_hour_of_a_dst_year():
    for zone in ("Europe/Warsaw", "America/Sao_Paulo", "Australia/Sydney", "America/New_York"):
        t = utc(2024, 1, 1)
        while t < utc(2025, 1, 1):
            start, end = day_window(report_day_of(t, zone), zone)
            assert start <= t < end, (zone, t)
            t += timedelta(minutes=59)


# --- timeframes -----------------------------------------------------------------------


NOW_WARSAW = utc(2024, 3, 31, 10)  # 12:00 CEST on the day DST began
NOW_SP = utc(2024, 3, 10, 6, 30)  # before 03:00 ET: still report day 9 March


@pytest.mark.parametrize(
    "kind, zone, now, expected",
    [
        ("today", "Europe/Warsaw", NOW_WARSAW, Period(utc(2024, 3, 30, 23), NOW_WARSAW)),
        (
            "yesterday",
            "Europe/Warsaw",
            NOW_WARSAW,
            Period(utc(2024, 3, 29, 23), utc(2024, 3, 30, 23)),
        ),
        (
            "last_7_days",
            "Europe/Warsaw",
            NOW_WARSAW,
            Period(utc(2024, 3, 23, 23), utc(2024, 3, 30, 23)),
        ),
        ("month_to_date", "Europe/Warsaw", NOW_WARSAW, Period(utc(2024, 2, 29, 23), NOW_WARSAW)),
        (
            "last_month",
            "Europe/Warsaw",
            NOW_WARSAW,
            Period(utc(2024, 1, 31, 23), utc(2024, 2, 29, 23)),
        ),
        ("entire_campaign", "Europe/Warsaw", NOW_WARSAW, Period(None, NOW_WARSAW)),
        ("today", "America/Sao_Paulo", NOW_SP, Period(utc(2024, 3, 9, 8), NOW_SP)),
        ("yesterday", "America/Sao_Paulo", NOW_SP, Period(utc(2024, 3, 8, 8), utc(2024, 3, 9, 8))),
        (
            "last_7_days",
            "America/Sao_Paulo",
            NOW_SP,
            Period(utc(2024, 3, 2, 8), utc(2024, 3, 9, 8)),
        ),
        ("month_to_date", "America/Sao_Paulo", NOW_SP, Period(utc(2024, 3, 1, 8), NOW_SP)),
        ("last_month", "America/Sao_Paulo", NOW_SP, Period(utc(2024, 2, 1, 8), utc(2024, 3, 1, 8))),
    ],
)
def test_named_timeframes(kind, zone, now, expected):
    assert resolve(Timeframe(kind), now, zone) == expected


def test_today_one_second_either_side_of_the_day_change():
    # São Paulo tenant, report day changes at 03:00 ET = 08:00 UTC in January
    assert resolve(
        Timeframe("today"), utc(2024, 1, 15, 7, 59, 59), "America/Sao_Paulo"
    ).start == utc(2024, 1, 14, 8)
    assert resolve(Timeframe("today"), utc(2024, 1, 15, 8), "America/Sao_Paulo").start == utc(
        2024, 1, 15, 8
    )
    # Warsaw tenant, at local midnight
    assert resolve(
        Timeframe("yesterday"), utc(2024, 1, 14, 22, 59, 59), "Europe/Warsaw"
    ).start == utc(2024, 1, 12, 23)
    assert resolve(Timeframe("yesterday"), utc(2024, 1, 14, 23), "Europe/Warsaw").start == utc(
        2024, 1, 13, 23
    )


def test_last_month_in_january_is_december():
    p = resolve(Timeframe("last_month"), utc(2024, 1, 10, 12), "Europe/Warsaw")
    assert p == Period(utc(2023, 11, 30, 23), utc(2023, 12, 31, 23))


def test_explicit_dates_in_a_time_zone():
    tf = Timeframe("explicit", datetime(2010, 11, 1, 4), datetime(2010, 12, 1, 4), "GMT")
    assert resolve(tf, NOW_WARSAW, "Europe/Warsaw") == Period(
        utc(2010, 11, 1, 4), utc(2010, 12, 1, 4)
    )
    # no zone given: the tenant's reports zone
    tf = Timeframe("explicit", datetime(2024, 3, 31, 0), datetime(2024, 4, 1, 0))
    assert resolve(tf, NOW_WARSAW, "Europe/Warsaw") == Period(
        utc(2024, 3, 30, 23), utc(2024, 3, 31, 22)
    )
    with pytest.raises(ValueError, match="swap"):
        resolve(
            Timeframe("explicit", datetime(2024, 2, 1), datetime(2024, 1, 1)), NOW_WARSAW, "UTC"
        )


def test_incremental_first_run_is_15_hours_then_since_watermark():
    assert resolve(Timeframe("incremental"), NOW_WARSAW, "Europe/Warsaw") == Period(
        utc(2024, 3, 30, 19), NOW_WARSAW
    )
    wm = utc(2024, 3, 31, 9)
    assert resolve(Timeframe("incremental"), NOW_WARSAW, "Europe/Warsaw", watermark=wm) == Period(
        wm, NOW_WARSAW
    )


def test_incremental_cut_off_is_capped_at_the_data_and_never_runs_backwards():
    inc = Timeframe("incremental")
    data = utc(2024, 3, 31, 9, 30)  # the published copy is complete until here
    # first run: 15 hours before the capped cut-off
    assert resolve(inc, NOW_WARSAW, "UTC", data_until=data) == Period(
        data - timedelta(hours=15), data
    )
    wm = utc(2024, 3, 31, 9)
    assert resolve(inc, NOW_WARSAW, "UTC", watermark=wm, data_until=data) == Period(wm, data)
    # data fresher than now: now stays the cut-off
    later = NOW_WARSAW + timedelta(hours=1)
    assert resolve(inc, NOW_WARSAW, "UTC", watermark=wm, data_until=later) == Period(wm, NOW_WARSAW)
    # a copy (or a clock) behind the watermark: an empty period at the watermark, so the
    # watermark stays and nothing before it is covered twice
    assert resolve(inc, NOW_WARSAW, "UTC", watermark=wm, data_until=wm - timedelta(hours=2)) == (
        Period(wm, wm)
    )
    assert resolve(inc, wm - timedelta(minutes=5), "UTC", watermark=wm) == Period(wm, wm)
