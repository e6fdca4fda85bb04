"""Report schedules: weekly day(s) and time, or seed 002's crontab string in GMT.

Seed 002's crontab has five fields — minute (0-59), hour (0-23), day of month (1-31), month
(1-12), day of week (**1-7, 1 = Monday**) — each "one or two digits, a comma-separated list or
an asterisk". We also accept ranges (``1-5``) and steps (``*/15``, ``0-30/10``). Day of week 0
is rejected: in this crontab Sunday is 7, and silently reading 0 as Sunday would hide a
mistake made with the Unix convention in mind.

Dagster (like Unix cron) numbers days 0-6 from Sunday, so day-of-week values are translated:
1-6 stay, 7 becomes 0. Crontab schedules run in UTC ("GMT"); weekly schedules run in their
``time_zone`` (default: the tenant file's ``time_zone``, else UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 1, 7),
)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    def __init__(self, message: str, where: tuple = ()):
        super().__init__(message)
        self.where = where


@dataclass(frozen=True)
class Schedule:
    cron: str  # Dagster/Unix cron (day of week 0-6, 0 = Sunday)
    time_zone: str  # execution time zone
    source: str  # as written, for listings

    def describe(self) -> str:
        return f"{self.source} ({self.time_zone})"


def parse(value: Any, default_zone: str | None = None) -> Schedule:
    if isinstance(value, dict) and set(value) == {"cron"}:
        return Schedule(
            cron=crontab_to_dagster(value["cron"]), time_zone="UTC", source=f"cron {value['cron']}"
        )
    if isinstance(value, dict) and set(value) == {"weekly"} and isinstance(value["weekly"], dict):
        return _weekly(value["weekly"], default_zone)
    raise ScheduleError(
        "schedule is either {weekly: {day: monday, time: '06:00'}} (day may be a list or "
        "'daily') or {cron: 'M H DOM MON DOW'} in GMT with day of week 1-7, 1 = Monday"
    )


def _weekly(w: dict, default_zone: str | None) -> Schedule:
    unknown = set(w) - {"day", "days", "time", "time_zone"}
    if unknown:
        raise ScheduleError(
            f"weekly: unknown keys {sorted(unknown)} (known: day, time, time_zone)", ("weekly",)
        )
    days = w.get("day", w.get("days"))
    if days is None:
        raise ScheduleError("weekly: give day: monday (or a list, or daily)", ("weekly",))
    if isinstance(days, str):
        days = DAY_NAMES if days.lower() == "daily" else [days]
    numbers = []
    for d in days:
        name = str(d).strip().lower()
        matches = (
            [i for i, n in enumerate(DAY_NAMES) if n.startswith(name[:3])] if len(name) >= 3 else []
        )
        if not matches:
            raise ScheduleError(
                f"weekly: unknown day {d!r} (use {', '.join(DAY_NAMES)})", ("weekly", "day")
            )
        numbers.append((matches[0] + 1) % 7)  # Monday=1 … Sunday=0 in Dagster cron
    t = w.get("time")
    if isinstance(t, int) and not isinstance(t, bool):
        # YAML 1.1 reads an unquoted 06:00 as the sexagesimal number 360
        raise ScheduleError(
            f"weekly: time {t!r} was read as a number; quote it: time: '06:00'", ("weekly", "time")
        )
    m = _TIME.match(str(t or ""))
    if not m:
        raise ScheduleError(
            f"weekly: time {t!r} must be HH:MM (24-hour), quoted", ("weekly", "time")
        )
    zone = w.get("time_zone") or default_zone or "UTC"
    from exports.timeframes import zone as check_zone

    try:
        check_zone(zone)
    except ValueError as e:
        raise ScheduleError(f"weekly: {e}", ("weekly", "time_zone")) from None
    dow = ",".join(str(n) for n in sorted(set(numbers))) if len(set(numbers)) < 7 else "*"
    days_text = ",".join(str(d) for d in days)
    return Schedule(
        cron=f"{int(m.group(2))} {int(m.group(1))} * * {dow}",
        time_zone=zone,
        source=f"weekly {days_text} {t}",
    )


def _field_values(text: str, name: str, lo: int, hi: int) -> str:
    """Validate one crontab field; return it unchanged (numbers normalised)."""
    out = []
    for part in text.split(","):
        step = None
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"crontab {name}: step {step_text!r} must be a positive number")
            step = int(step_text)
        if part == "*":
            piece = "*"
        else:
            bounds = part.split("-")
            if len(bounds) > 2 or not all(b.isdigit() and 1 <= len(b) <= 2 for b in bounds):
                raise ScheduleError(
                    f"crontab {name}: {part!r} is not one or two digits, a range a-b or *"
                )
            nums = [int(b) for b in bounds]
            for n in nums:
                if name == "day of week" and n == 0:
                    raise ScheduleError(
                        "crontab day of week 0 is not valid: days run 1-7 with 1 = Monday and "
                        "7 = Sunday (seed 002); write 7 for Sunday"
                    )
                if not lo <= n <= hi:
                    raise ScheduleError(f"crontab {name}: {n} is outside {lo}-{hi}")
            if len(nums) == 2 and nums[0] > nums[1]:
                raise ScheduleError(f"crontab {name}: range {part!r} runs backwards")
            piece = "-".join(str(n) for n in nums)
        out.append(piece + (f"/{step}" if step else ""))
    return ",".join(out)


def _dow_to_unix(text: str) -> str:
    """1-7 (Mon=1) → 0-6 (Sun=0). Ranges/steps are expanded so that 7 can become 0."""
    if text == "*":
        return "*"
    days: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, s = part.split("/")
            step = int(s)
        if part == "*":
            lo, hi = 1, 7
        elif "-" in part:
            lo, hi = (int(x) for x in part.split("-"))
        else:
            lo = hi = int(part)
            if step != 1:
                hi = 7
        days.update(range(lo, hi + 1, step))
    unix = sorted({d % 7 for d in days})
    return "*" if len(unix) == 7 else ",".join(str(d) for d in unix)


def crontab_to_dagster(text: Any) -> str:
    """Seed 002's GMT crontab (day of week 1-7, 1 = Monday) → Dagster's cron string."""
    if not isinstance(text, str):
        raise ScheduleError(f"crontab {text!r} must be text with five fields, e.g. '0 6 * * 1-5'")
    fields = text.split()
    if len(fields) != 5:
        raise ScheduleError(
            f"crontab {text!r} has {len(fields)} fields; it needs five: minute hour "
            "day-of-month month day-of-week (1-7, 1 = Monday)"
        )
    checked = [
        _field_values(f, name, lo, hi) for f, (name, lo, hi) in zip(fields, _FIELDS, strict=True)
    ]
    checked[4] = _dow_to_unix(checked[4])
    return " ".join(checked)
