"""Report file names: seed 002's "File name format" tokens and Java SimpleDateFormat dates.

A format is literal text with special fields::

    <REPORT> <CAMPAIGN> <SUBCAMPAIGN> <GROUP> <ACCOUNT> <ACCOUNT_UID> <REPORTID>
    <START:fmt> <END:fmt> <DATE:fmt>

``fmt`` uses Java ``SimpleDateFormat`` pattern letters (G y M w W D d F E a H k K h m s S z Z)
with Java's count rules (``yy`` = two-digit year, ``MMM`` = ``Jul``, ``EEEE`` = ``Tuesday``,
text in single quotes is literal, ``''`` is a quote). Java's defaults for ``Locale.US`` apply:
weeks start on Sunday and week 1 is the week holding January 1st.

A date field without a format (``<START>`` or ``<START:>``) is a **Julian date** in the
mainframe sense, ``yyDDD``: two-digit year and three-digit day of the year (17 July 2003 →
``03198``).

The characters ``* ? | " / < > :`` may not appear in the literal text (``<``, ``>`` and ``:``
only inside the fields). Field *values* (campaign names …) have those characters, path
separators and control characters replaced by ``_`` so that a name can never leave its folder.

The extension is not part of the format: ``.txt`` when the report has an output
specification, else ``.csv`` (a format ending in ``.csv`` or ``.txt`` has that ending
replaced). Packaging adds ``.zip`` and then ``.pgp``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

FORBIDDEN = '*?|"/<>:'
JULIAN = "yyDDD"
# seed 002: "<ReportName>_<NameAtLevelRun>_<DateRun>"; the level name is the scope's field
DEFAULT_FORMAT = "<REPORT>_{level}_<DATE:yyyyMMdd_HHmmss>"
NAME_FIELDS = ("REPORT", "CAMPAIGN", "SUBCAMPAIGN", "GROUP", "ACCOUNT", "ACCOUNT_UID", "REPORTID")
DATE_FIELDS = ("START", "END", "DATE")
PATTERN_LETTERS = "GyMwWDdFEaHkKhmsSzZ"

_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
# Java's long names for the zones whose abbreviations Python reports; any other zone gets
# Java's fallback for a zone without a name, "GMT+hh:mm".
_LONG_ZONE_NAMES = {
    "UTC": "Coordinated Universal Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "IST": "Irish Standard Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "MSK": "Moscow Standard Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time",
    "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii Standard Time",
    "JST": "Japan Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
}

_FIELD = re.compile(r"<([A-Z_]+)(?::([^<>]*))?>")


class NameFormatError(ValueError):
    """A file-name format or date pattern that cannot be used; the message says the fix."""


@dataclass(frozen=True)
class NameContext:
    """The values a file name is built from."""

    report: str
    account: str
    account_uid: str
    report_id: str
    date: datetime  # when the run started generating (aware)
    start: datetime | None  # period start (aware); None → the run time
    end: datetime  # period end, exclusive (aware)
    zone: str  # the tenant's reports time zone: dates are formatted in it
    campaign: str = ""
    subcampaign: str = ""
    group: str = ""


# --- SimpleDateFormat ------------------------------------------------------------------


def _tokens(pattern: str) -> list[tuple[str, str | int]]:
    """('lit', text) and (letter, count) runs of a SimpleDateFormat pattern."""
    out: list[tuple[str, str | int]] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "'":
            if i + 1 < n and pattern[i + 1] == "'":
                out.append(("lit", "'"))
                i += 2
                continue
            j = pattern.find("'", i + 1)
            text = []
            while True:
                if j < 0:
                    raise NameFormatError(
                        f"date format {pattern!r}: unterminated quote; close the text with '"
                    )
                text.append(pattern[i + 1 : j])
                if j + 1 < n and pattern[j + 1] == "'":  # '' inside quotes is a quote
                    text.append("'")
                    i = j + 1
                    j = pattern.find("'", i + 1)
                    continue
                break
            out.append(("lit", "".join(text)))
            i = j + 1
        elif c.isascii() and c.isalpha():
            if c not in PATTERN_LETTERS:
                raise NameFormatError(
                    f"date format {pattern!r}: unknown pattern letter {c!r} (known: "
                    f"{' '.join(PATTERN_LETTERS)}); put literal letters in single quotes"
                )
            j = i
            while j < n and pattern[j] == c:
                j += 1
            out.append((c, j - i))
            i = j
        else:
            out.append(("lit", c))
            i += 1
    return out


def _week_fields(local: datetime) -> tuple[int, int]:
    """Java's week-in-year and week-in-month for Locale.US (Sunday first, minimal days 1)."""

    def sunday_index(d: datetime) -> int:  # 0 = Sunday
        return (d.weekday() + 1) % 7

    jan1 = local.replace(month=1, day=1)
    week_in_year = (local.timetuple().tm_yday - 1 + sunday_index(jan1)) // 7 + 1
    # the last days of December that share a week with next 1 January are week 1
    next_jan1 = jan1.replace(year=jan1.year + 1)
    days_to_next = (next_jan1.date() - local.date()).days
    if days_to_next <= sunday_index(next_jan1):
        week_in_year = 1
    first = local.replace(day=1)
    week_in_month = (local.day - 1 + sunday_index(first)) // 7 + 1
    return week_in_year, week_in_month


def _offset_text(offset: timedelta, colon: bool) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    return f"{sign}{hh:02d}{':' if colon else ''}{mm:02d}"


def _zone_text(local: datetime, count: int) -> str:
    abbr = local.tzname() or ""
    offset = local.utcoffset() or timedelta(0)
    if not abbr.isalpha():  # e.g. "-03": the zone has no name, Java prints GMT-03:00
        return "GMT" + _offset_text(offset, colon=True)
    if count >= 4:
        return _LONG_ZONE_NAMES.get(abbr, "GMT" + _offset_text(offset, colon=True))
    return abbr


def format_date(instant: datetime, pattern: str, zone_name: str = "UTC") -> str:
    """``instant`` (aware) formatted in ``zone_name`` by a Java SimpleDateFormat pattern."""
    if instant.tzinfo is None:
        raise ValueError("format_date needs an aware datetime")
    local = instant.astimezone(ZoneInfo(zone_name or "UTC"))
    parts: list[str] = []
    for kind, value in _tokens(pattern):
        if kind == "lit":
            parts.append(str(value))
            continue
        count = int(value)
        parts.append(_field(local, kind, count))
    return "".join(parts)


def _num(value: int, count: int) -> str:
    return str(value).zfill(count)


def _field(local: datetime, letter: str, count: int) -> str:
    if letter == "G":
        return "AD"
    if letter == "y":
        return _num(local.year % 100, 2) if count == 2 else _num(local.year, count)
    if letter == "M":
        if count >= 4:
            return _MONTHS[local.month - 1]
        if count == 3:
            return _MONTHS[local.month - 1][:3]
        return _num(local.month, count)
    if letter in "wW":
        week_in_year, week_in_month = _week_fields(local)
        return _num(week_in_year if letter == "w" else week_in_month, count)
    if letter == "D":
        return _num(local.timetuple().tm_yday, count)
    if letter == "d":
        return _num(local.day, count)
    if letter == "F":
        return _num((local.day - 1) // 7 + 1, count)
    if letter == "E":
        name = _DAYS[local.weekday()]
        return name if count >= 4 else name[:3]
    if letter == "a":
        return "AM" if local.hour < 12 else "PM"
    if letter == "H":
        return _num(local.hour, count)
    if letter == "k":
        return _num(local.hour or 24, count)
    if letter == "K":
        return _num(local.hour % 12, count)
    if letter == "h":
        return _num(local.hour % 12 or 12, count)
    if letter == "m":
        return _num(local.minute, count)
    if letter == "s":
        return _num(local.second, count)
    if letter == "S":
        return _num(local.microsecond // 1000, count)
    if letter == "z":
        return _zone_text(local, count)
    if letter == "Z":
        return _offset_text(local.utcoffset() or timedelta(0), colon=False)
    raise NameFormatError(f"unknown pattern letter {letter!r}")  # unreachable: _tokens checks


# --- file-name formats -----------------------------------------------------------------


def _sanitise(value: str) -> str:
    return "".join("_" if (c in FORBIDDEN or c in "\\" or ord(c) < 32) else c for c in value)


def check_format(fmt: str) -> None:
    """Raise NameFormatError naming every problem of a file-name format."""
    _split(fmt)


def _split(fmt: str) -> list[tuple[str, str, str | None]]:
    """('lit', text, None) and ('field', NAME, date pattern or None) parts of a format."""
    parts: list[tuple[str, str, str | None]] = []
    pos = 0
    bad: set[str] = set()
    for m in _FIELD.finditer(fmt):
        parts.append(("lit", fmt[pos : m.start()], None))
        name, pattern = m.group(1), m.group(2)
        if name in NAME_FIELDS:
            if pattern is not None:
                raise NameFormatError(
                    f"file name format {fmt!r}: <{name}> takes no date format; write <{name}>"
                )
        elif name in DATE_FIELDS:
            if pattern:
                _tokens(pattern)  # validates letters and quotes
                if any(c in pattern for c in FORBIDDEN if c not in ":"):
                    used = sorted({c for c in pattern if c in FORBIDDEN and c != ":"})
                    raise NameFormatError(
                        f"file name format {fmt!r}: <{name}:{pattern}> would put "
                        f"{' '.join(used)} into the file name; those characters are not allowed"
                    )
        else:
            raise NameFormatError(
                f"file name format {fmt!r}: unknown field <{name}> (known: "
                + " ".join(f"<{f}>" for f in NAME_FIELDS)
                + " "
                + " ".join(f"<{f}:fmt>" for f in DATE_FIELDS)
                + ")"
            )
        parts.append(("field", name, pattern))
        pos = m.end()
    parts.append(("lit", fmt[pos:], None))
    for kind, text, _ in parts:
        if kind == "lit":
            bad.update(c for c in text if c in FORBIDDEN)
    if bad:
        raise NameFormatError(
            f"file name format {fmt!r}: the characters {' '.join(sorted(bad))} are not allowed "
            f"in the text of a file name (forbidden: {' '.join(FORBIDDEN)}; <, > and : only "
            "inside fields such as <DATE:yyyyMMdd>); remove them or use _ or -"
        )
    return parts


def render_name(fmt: str | None, ctx: NameContext, level_field: str, txt: bool) -> str:
    """The file name (with .csv/.txt) for ``fmt``, or the default name when fmt is None.

    ``level_field`` is the field naming the level the report runs at (e.g. "CAMPAIGN"): the
    default name is ``<REPORT>_<level>_<DATE:yyyyMMdd_HHmmss>``."""
    if not fmt:
        fmt = DEFAULT_FORMAT.format(level=f"<{level_field}>")
    values = {
        "REPORT": ctx.report,
        "CAMPAIGN": ctx.campaign,
        "SUBCAMPAIGN": ctx.subcampaign,
        "GROUP": ctx.group,
        "ACCOUNT": ctx.account,
        "ACCOUNT_UID": ctx.account_uid,
        "REPORTID": ctx.report_id,
    }
    # END is exclusive; the name shows the last instant the period covers
    dates = {
        "START": ctx.start or ctx.date,
        "END": ctx.end - timedelta(milliseconds=1),
        "DATE": ctx.date,
    }
    out: list[str] = []
    for kind, text, pattern in _split(fmt):
        if kind == "lit":
            out.append(text)
        elif text in values:
            out.append(_sanitise(values[text]))
        else:
            out.append(_sanitise(format_date(dates[text], pattern or JULIAN, ctx.zone)))
    name = "".join(out).strip()
    for ext in (".csv", ".txt"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
    if not name or name.strip(".") == "":
        raise NameFormatError(f"file name format {fmt!r} gives an empty file name")
    return name + (".txt" if txt else ".csv")


def utc_now() -> datetime:
    return datetime.now(UTC)
