"""Report days and timeframes → [start, end) UTC instants (DESIGN §5, seed 002).

Report day rule:

* ``tenant`` rule — if the tenant's reports time zone is at or ahead of UTC by its *standard*
  (non-DST) offset, a report day runs midnight to midnight in that zone; if it is behind UTC,
  a report day runs 03:00 to 03:00 America/New_York.
* ``usage`` rule — usage reports always run midnight to midnight America/New_York.

A report day is therefore 23, 24 or 25 hours of real time around DST changes.

Everything here is pure: instants are timezone-aware ``datetime`` objects in UTC, ``now`` is
passed in, nothing reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

NEW_YORK = ZoneInfo("America/New_York")
BEHIND_UTC_DAY_START = time(3, 0)
INCREMENTAL_FIRST_RUN = timedelta(hours=15)

# the named timeframes a definition or `--timeframe` may use
NAMED = ("today", "yesterday", "last_7_days", "month_to_date", "last_month", "entire_campaign")
TIMEFRAMES = (*NAMED, "explicit", "incremental")
DAY_RULES = ("tenant", "usage")


@dataclass(frozen=True)
class Period:
    """A report's time range: ``start <= t < end`` in UTC; ``start`` None = unbounded."""

    start: datetime | None
    end: datetime


@dataclass(frozen=True)
class Timeframe:
    kind: str  # one of TIMEFRAMES
    # explicit dates only: local wall-clock start/end (naive) and their zone
    start: datetime | None = None
    end: datetime | None = None
    time_zone: str | None = None


def zone(name: str | None) -> ZoneInfo:
    """The ZoneInfo for a name; None or empty means UTC."""
    if not name:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Warsaw)"
        ) from e


def standard_offset(tz: ZoneInfo, year: int) -> timedelta:
    """The zone's standard (non-DST) offset in ``year``.

    DST only ever adds to the standard offset (Europe/Dublin's "negative DST" included, when
    read as wall-clock offsets), so the smaller of the January and July offsets is standard in
    both hemispheres."""
    jan = datetime(year, 1, 1, 12, tzinfo=tz).utcoffset()
    jul = datetime(year, 7, 1, 12, tzinfo=tz).utcoffset()
    return min(jan, jul)  # type: ignore[type-var]


def is_behind_utc(tz: ZoneInfo, year: int) -> bool:
    return standard_offset(tz, year) < timedelta(0)


def _local_midnight(day: date, tz: ZoneInfo, at: time = time(0)) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``tz``.

    A wall time that exists twice (DST fold) is its first occurrence; one that does not exist
    (DST gap, e.g. Africa/Cairo skips 00:00–01:00) is read with the offset before the change,
    which for a day starting exactly at the gap is the instant of the change itself."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def day_window(day: date, zone_name: str | None, rule: str = "tenant") -> tuple[datetime, datetime]:
    """[start, end) in UTC of report day ``day`` for a tenant in ``zone_name``."""
    day_zone, at = _day_clock(zone_name, rule, day.year)
    return _local_midnight(day, day_zone, at), _local_midnight(
        day + timedelta(days=1), day_zone, at
    )


def report_day_of(instant: datetime, zone_name: str | None, rule: str = "tenant") -> date:
    """The report day an instant (aware) counts for."""
    instant = _aware(instant)
    day_zone, at = _day_clock(zone_name, rule, instant.astimezone(UTC).year)
    local = instant.astimezone(day_zone)
    shifted = local - timedelta(hours=at.hour, minutes=at.minute)
    candidate = shifted.date()
    # wall-clock arithmetic can be an hour off around DST: settle it against the real windows
    start, end = day_window(candidate, zone_name, rule)
    if instant < start:
        return candidate - timedelta(days=1)
    if instant >= end:
        return candidate + timedelta(days=1)
    return candidate


def _day_clock(zone_name: str | None, rule: str, year: int) -> tuple[ZoneInfo, time]:
    if rule == "usage":
        return NEW_YORK, time(0)
    if rule != "tenant":
        raise ValueError(f"unknown day rule {rule!r} (known: {', '.join(DAY_RULES)})")
    tz = zone(zone_name)
    if is_behind_utc(tz, year):
        return NEW_YORK, BEHIND_UTC_DAY_START
    return tz, time(0)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"instant {instant.isoformat()} has no time zone; pass an aware datetime")
    return instant


def _first_of_month(day: date, months_back: int = 0) -> date:
    y, m = day.year, day.month - months_back
    while m < 1:
        m += 12
        y -= 1
    return date(y, m, 1)


def resolve(
    timeframe: Timeframe,
    now: datetime,
    zone_name: str | None,
    rule: str = "tenant",
    watermark: datetime | None = None,
    data_until: datetime | None = None,
) -> Period:
    """The [start, end) UTC period of ``timeframe`` for a run at ``now``.

    * today: start of the current report day → now
    * yesterday: the whole previous report day
    * last_7_days: the seven whole report days before today
    * month_to_date: the first report day of the current month → now
    * last_month: every report day of the previous calendar month
    * entire_campaign: unbounded start → now
    * explicit: the given local start/end in the given zone (default: the tenant's zone)
    * incremental: the watermark (else cut-off − 15 h) → the cut-off, which is ``now`` capped
      at ``data_until`` (how far the data read is complete) and never before the watermark:
      consecutive periods always join up, none overlaps another, none runs backwards
    """
    now = _aware(now).astimezone(UTC)
    kind = timeframe.kind
    if kind == "incremental":
        cutoff = now if data_until is None else min(now, _aware(data_until).astimezone(UTC))
        if watermark is None:
            return Period(cutoff - INCREMENTAL_FIRST_RUN, cutoff)
        start = _aware(watermark).astimezone(UTC)
        return Period(start, max(start, cutoff))
    if kind == "entire_campaign":
        return Period(None, now)
    if kind == "explicit":
        if timeframe.start is None or timeframe.end is None:
            raise ValueError("explicit timeframe needs both start and end")
        tz = zone(timeframe.time_zone or zone_name)
        start = _to_utc(timeframe.start, tz)
        end = _to_utc(timeframe.end, tz)
        if end <= start:
            raise ValueError(
                f"explicit timeframe ends ({timeframe.end}) at or before it starts "
                f"({timeframe.start}); swap them"
            )
        return Period(start, end)
    today = report_day_of(now, zone_name, rule)
    if kind == "today":
        return Period(day_window(today, zone_name, rule)[0], now)
    if kind == "yesterday":
        return Period(*day_window(today - timedelta(days=1), zone_name, rule))
    if kind == "last_7_days":
        return Period(
            day_window(today - timedelta(days=7), zone_name, rule)[0],
            day_window(today, zone_name, rule)[0],
        )
    if kind == "month_to_date":
        return Period(day_window(_first_of_month(today), zone_name, rule)[0], now)
    if kind == "last_month":
        return Period(
            day_window(_first_of_month(today, 1), zone_name, rule)[0],
            day_window(_first_of_month(today), zone_name, rule)[0],
        )
    raise ValueError(f"unknown timeframe {kind!r} (known: {', '.join(TIMEFRAMES)})")


def _to_utc(value: datetime, tz: ZoneInfo) -> datetime:
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return _local_midnight(value.date(), tz, value.time())
