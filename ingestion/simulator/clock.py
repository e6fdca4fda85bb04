"""Time in the simulator: whole epoch seconds inside, RFC 3339 strings outside.

Everything is simulated in integer UTC epoch seconds (so wait boundaries like exactly 20 s are
exact) and formatted only when an event is built. Formatting is the hot path of generation,
so offsets are cached per 15-minute bucket (every modern zone changes offset on a multiple of
15 minutes of UTC) and dates per day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_SECONDS = [f"{i:02d}" for i in range(60)]


def _offset_text(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    h, m = divmod(abs(seconds) // 60, 60)
    return f"{sign}{h:02d}:{m:02d}"


class TenantClock:
    """Local time of one tenant: formatting, local days and local wall times."""

    def __init__(self, zone: str) -> None:
        self.zone_name = zone
        self.zone = ZoneInfo(zone)
        self._offsets: dict[int, tuple[int, str]] = {}
        self._dates: dict[int, str] = {}
        self._local_minutes: dict[int, tuple[str, str]] = {}
        self._utc_minutes: dict[int, tuple[str, str]] = {}
        self._walls: dict[tuple[date, int], int] = {}

    def offset(self, t: int) -> int:
        """UTC offset in seconds at instant t."""
        return self._offset(t)[0]

    def _offset(self, t: int) -> tuple[int, str]:
        bucket = t // 900
        hit = self._offsets.get(bucket)
        if hit is None:
            off = datetime.fromtimestamp(bucket * 900, self.zone).utcoffset()
            seconds = int(off.total_seconds()) if off is not None else 0
            hit = (seconds, _offset_text(seconds))
            self._offsets[bucket] = hit
        return hit

    def _date(self, day: int) -> str:
        text = self._dates.get(day)
        if text is None:
            text = date.fromordinal(day + _EPOCH_ORDINAL).isoformat()
            self._dates[day] = text
        return text

    def _format(self, t: int, utc: bool) -> str:
        off, text = (0, "Z") if utc else self._offset(t)
        day, sec = divmod(t + off, 86400)
        h, rest = divmod(sec, 3600)
        m, s = divmod(rest, 60)
        return f"{self._date(day)}T{h:02d}:{m:02d}:{s:02d}{text}"

    def local(self, t: int) -> str:
        """RFC 3339 in the tenant's local offset, e.g. 2026-11-20T10:00:00+01:00."""
        minute = t // 60
        try:
            hit = self._local_minutes[minute]
        except KeyError:
            hit = self._fill(self._local_minutes, minute, utc=False)
        return hit[0] + _SECONDS[t - minute * 60] + hit[1]

    def utc(self, t: int) -> str:
        """RFC 3339 in UTC with the Z suffix."""
        minute = t // 60
        try:
            hit = self._utc_minutes[minute]
        except KeyError:
            hit = self._fill(self._utc_minutes, minute, utc=True)
        return hit[0] + _SECONDS[t - minute * 60] + hit[1]

    def _fill(self, cache: dict[int, tuple[str, str]], minute: int, utc: bool) -> tuple[str, str]:
        # f-string formatting costs ~3 us a timestamp; a per-minute prefix cache makes it one
        # dict hit and two concatenations. A miss fills its whole quarter hour (the offset is
        # constant within one). Bounded for year-long runs.
        if len(cache) > 500_000:
            cache.clear()
        first = minute - minute % 15
        text = self._format(first * 60, utc)
        suffix = text[19:]
        if (0 if utc else self._offset(first * 60)[0]) % 900:
            # an offset that is not whole quarter hours: minutes may cross the local hour
            for m in range(first, first + 15):
                cache[m] = (self._format(m * 60, utc)[:17], suffix)
        else:
            head, mm = text[:14], int(text[14:16])
            for k in range(15):
                cache[first + k] = (f"{head}{_SECONDS[mm + k]}:", suffix)
        return cache[minute]

    def wall(self, d: date, minutes: int) -> int:
        """Epoch of local wall time ``minutes`` after midnight of local date d (may roll into
        the next day). Nonexistent times (spring forward) resolve forward, like clocks do."""
        key = (d, minutes)
        hit = self._walls.get(key)
        if hit is None:
            extra_days, minute = divmod(minutes, 1440)
            day = d + timedelta(days=extra_days)
            naive = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
            hit = self._walls[key] = int(naive.replace(tzinfo=self.zone).timestamp())
        return hit

    def midnight(self, d: date) -> int:
        return self.wall(d, 0)

    def minute_of_day(self, t: int) -> int:
        """Local minutes since local midnight at instant t."""
        return ((t + self._offset(t)[0]) % 86400) // 60

    def local_date(self, t: int) -> date:
        return date.fromordinal((t + self._offset(t)[0]) // 86400 + _EPOCH_ORDINAL)


def standard_offset(zone: str, year: int) -> int:
    """The zone's standard (non-DST) offset in seconds: the smaller of January and July."""
    tz = ZoneInfo(zone)
    offsets = []
    for month in (1, 7):
        off = datetime(year, month, 1, 12, tzinfo=tz).utcoffset()
        offsets.append(int(off.total_seconds()) if off is not None else 0)
    return min(offsets)
