"""From bytes to per-event verdicts, shared by the receiver and ``ccwh ingest``.

A body is one JSON object, a JSON array of objects, or NDJSON (one object per line). NDJSON
is chosen by Content-Type ``application/x-ndjson``, or detected when the body is not one
JSON document but has several lines. In NDJSON each line stands alone: a malformed line is
that event's 400, the other lines still count. In a JSON array a syntax error anywhere makes
the whole body malformed (400), since nothing can be trusted after it.

Each event then gets, in order: schema validation (422, every bad field listed), and when it
came through a destination, the tenant check (403) and the route check (403).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from ingestion.destinations import Destination
from ingestion.schemas import json_events_are_valid, json_lines_events, validate_event

ACCEPTED = 202
MALFORMED = 400
SCHEMA_VIOLATION = 422
FORBIDDEN = 403

REASON_MALFORMED = "malformed_json"
REASON_SCHEMA = "schema_violation"
REASON_TENANT = "tenant_not_allowed"
REASON_ROUTE = "event_type_not_routed"


class MalformedBody(Exception):
    """The body (or a whole file) is not JSON we can read; the request gets 400."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(message)


@dataclass(slots=True)
class Malformed:
    """Stands in for one NDJSON line that is not valid JSON."""

    message: str


@dataclass(slots=True)
class Rejection:
    index: int
    status: int
    reason: str
    message: str
    errors: list[dict] = field(default_factory=list)
    event_id: Any = None
    line: int | None = None
    raw: bytes = b""


@dataclass(slots=True)
class Verdicts:
    """What became of each event of one body."""

    batch: bool
    total: int
    accepted: list[dict]
    rejections: list[Rejection]


def _json_error(exc: orjson.JSONDecodeError) -> str:
    return f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"


def is_ndjson_type(content_type: bytes | str | None) -> bool:
    if not content_type:
        return False
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("application/x-ndjson", "application/ndjson", "application/jsonlines")


def parse_body(body: bytes, ndjson: bool = False) -> tuple[bool, list[Any], list[int] | None]:
    """(batch?, items, line numbers or None). Items are parsed values or ``Malformed``.

    Raises MalformedBody when the body as a whole is unreadable.
    """
    if not ndjson:
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            # Several lines and a syntax error after the first document: NDJSON without the
            # Content-Type. A lone broken document stays a plain 400.
            stripped = body.strip()
            if b"\n" not in stripped:
                raise MalformedBody(_json_error(exc), exc.lineno) from None
            first = stripped.split(b"\n", 1)[0]
            try:
                orjson.loads(first)
            except orjson.JSONDecodeError:
                raise MalformedBody(_json_error(exc), exc.lineno) from None
        else:
            if isinstance(value, list):
                if not value:
                    raise MalformedBody("empty batch: the JSON array has no events")
                return True, value, None
            return False, [value], None
    items: list[Any] = []
    lines: list[int] = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            items.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            items.append(Malformed(f"malformed JSON: {exc.msg} at column {exc.colno}"))
        lines.append(number)
    if not items:
        raise MalformedBody("empty body: no events")
    return True, items, lines


def check_event(
    obj: Any, destination: Destination | None
) -> tuple[int, str, str, list[dict]] | None:
    """None when the event is accepted, else (status, reason, message, errors)."""
    if isinstance(obj, Malformed):
        return MALFORMED, REASON_MALFORMED, obj.message, []
    problems = validate_event(obj)
    if problems:
        return SCHEMA_VIOLATION, REASON_SCHEMA, f"{len(problems)} schema problem(s)", problems
    if destination is not None:
        refusal = destination.refusal(obj["tenant_id"], obj["event_type"])
        if refusal is not None:
            reason = REASON_TENANT if obj["tenant_id"] not in destination.tenants else REASON_ROUTE
            return FORBIDDEN, reason, refusal, []
    return None


def judge(
    body: bytes, destination: Destination | None, ndjson: bool = False, keep_raw: bool = True
) -> Verdicts:
    """Parse a body and check each event. Raises MalformedBody for an unreadable body."""
    if ndjson:
        fast = _all_lines_valid(body, destination)
        if fast is not None:
            return fast
    batch, items, lines = parse_body(body, ndjson)
    if (
        batch
        and lines is None
        and json_events_are_valid(body, items, exact=False)
        and routed(items, destination)
    ):
        # Fast path: every event strictly valid (one msgspec call for the whole array, which
        # also says each item is an object) and routed.
        return Verdicts(batch=True, total=len(items), accepted=items, rejections=[])
    accepted: list[dict] = []
    rejections: list[Rejection] = []
    body_lines: list[bytes] | None = None
    for index, obj in enumerate(items):
        verdict = check_event(obj, destination)
        if verdict is None:
            accepted.append(obj)
            continue
        status, reason, message, errors = verdict
        line = lines[index] if lines is not None else None
        raw = b""
        if keep_raw:
            if not batch:
                raw = body
            elif line is not None:
                body_lines = body_lines or body.split(b"\n")
                raw = body_lines[line - 1]
            else:
                raw = orjson.dumps(obj)
        rejections.append(
            Rejection(
                index=index,
                status=status,
                reason=reason,
                message=message,
                errors=errors,
                event_id=obj.get("event_id") if isinstance(obj, dict) else None,
                line=line,
                raw=raw,
            )
        )
    return Verdicts(batch=batch, total=len(items), accepted=accepted, rejections=rejections)


def routed(events: list[dict], destination: Destination | None) -> bool:
    """True when the destination takes every one of these (valid) events."""
    if destination is None:
        return True
    pairs = {(e["tenant_id"], e["event_type"]) for e in events}
    return all(destination.refusal(tenant, kind) is None for tenant, kind in pairs)


def _all_lines_valid(body: bytes, destination: Destination | None) -> Verdicts | None:
    """Verdicts for an NDJSON body whose every line is a strictly valid, routed event, else
    None: on any doubt the caller takes the general path, which names every problem.
    """
    lines = [line for line in body.split(b"\n") if line and not line.isspace()]
    if not lines:
        return None
    events = json_lines_events(lines)
    if events is None or not routed(events, destination):
        return None
    return Verdicts(batch=True, total=len(events), accepted=events, rejections=[])


# --- files (ccwh schema FILE, ccwh ingest FILE) -------------------------------------------

# Tokens of a JSON text that matter for finding where each top-level array element starts.
_TOKENS = re.compile(rb'"(?:[^"\\\n]|\\.)*"|[\[\]{},\n]|[^\s\[\]{},"]+')


def _array_element_lines(text: bytes) -> list[int]:
    """Line number where each element of a top-level JSON array starts."""
    starts: list[int] = []
    line = 1
    depth = 0
    expect_value = False
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token == b"\n":
            line += 1
            continue
        if depth == 1 and expect_value and token not in (b"]", b","):
            starts.append(line)
            expect_value = False
        if token in (b"[", b"{"):
            depth += 1
            if depth == 1:
                expect_value = True
        elif token in (b"]", b"}"):
            depth -= 1
        elif token == b"," and depth == 1:
            expect_value = True
    return starts


def iter_file_events(
    path: str | Path, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[int, Any, bytes]]:
    """(line, parsed event or Malformed, raw text) for each event of a file.

    NDJSON is streamed line by line (files may be many GB); a JSON object or array file is
    read whole. ``progress`` is called with the number of bytes consumed since the last call.
    Raises MalformedBody when a JSON (non-NDJSON) file is unreadable, OSError when it cannot
    be opened.
    """
    with open(path, "rb") as f:
        first_line = _first_content_line(f)
        if first_line is None:
            return
        mode = _file_mode(first_line)
        f.seek(0)
        if mode == "ndjson":
            yield from _iter_ndjson(f, progress)
            return
        text = f.read()
        if progress is not None:
            progress(len(text))
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise MalformedBody(_json_error(exc), exc.lineno) from None
    if isinstance(value, list):
        starts = _array_element_lines(text)
        for index, obj in enumerate(value):
            yield (starts[index] if index < len(starts) else 1), obj, orjson.dumps(obj)
    else:
        yield text[: len(text) - len(text.lstrip())].count(b"\n") + 1, value, text


def _first_content_line(f: IO[bytes]) -> bytes | None:
    for line in f:
        if line.strip():
            return line
    return None


def _file_mode(first_line: bytes) -> str:
    """NDJSON when the first non-blank line is a whole JSON object on its own."""
    stripped = first_line.strip()
    if stripped.startswith(b"["):
        return "json"
    try:
        orjson.loads(stripped)
    except orjson.JSONDecodeError:
        return "json"
    return "ndjson"


def _iter_ndjson(
    f: IO[bytes], progress: Callable[[int], None] | None
) -> Iterator[tuple[int, Any, bytes]]:
    pending = 0
    for number, line in enumerate(f, start=1):
        pending += len(line)
        if progress is not None and pending >= 1 << 20:
            progress(pending)
            pending = 0
        line = line.rstrip(b"\r\n")
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            obj = Malformed(f"malformed JSON: {exc.msg} at column {exc.colno}")
        yield number, obj, line
    if progress is not None and pending:
        progress(pending)


def format_problem(file: str, line: int | None, path: str, message: str, got: Any = ...) -> str:
    """``file:line: $.path: message`` (plus what was found, when the schema reports it)."""
    where = f"{file}:{line}" if line is not None else file
    text = f"{where}: {path}: {message}"
    if got is not ...:
        text += f" (got {got!r})"
    return text


def problem_lines(
    file: str, line: int | None, verdict: tuple[int, str, str, list[dict]]
) -> list[str]:
    status, reason, message, errors = verdict
    if not errors:
        return [format_problem(file, line, "$", message)]
    return [format_problem(file, line, e["path"], e["message"], e.get("got", ...)) for e in errors]


def check_files(paths: list[str]) -> int:
    """``ccwh schema FILE...``: print every problem as ``file:line: $.path: message``.

    Exit status 1 when anything is wrong (including unreadable files), else 0.
    """
    events = bad_events = 0
    failed = False
    for name in paths:
        try:
            for line, obj, _raw in iter_file_events(name):
                events += 1
                verdict = check_event(obj, None)
                if verdict is not None:
                    bad_events += 1
                    for text in problem_lines(name, line, verdict):
                        print(text)
        except MalformedBody as exc:
            failed = True
            print(format_problem(name, exc.line, "$", exc.message))
        except OSError as exc:
            failed = True
            print(f"{name}: cannot read: {exc.strerror or exc}")
    print(
        f"{events} event(s) in {len(paths)} file(s): {events - bad_events} valid, "
        f"{bad_events} with problems",
        file=sys.stderr,
    )
    return 1 if failed or bad_events else 0
