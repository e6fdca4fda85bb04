"""``ccwh ingest FILE...``: land event files through the receiver's intake and landing code."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HELP = "land NDJSON/JSON event files (validated, like the receiver) for the next build"
DESCRIPTION = """Land events from files into landing/ready, exactly as the receiver would.

Each FILE is NDJSON (one event per line), a JSON array of events, or one JSON event. Every
event is schema-validated; with --destination NAME the destination's tenant and route rules
apply too and the events are stamped with it. Rejected events go to the quarantine and are
printed as `file:line: $.path: message`; the accepted ones are landed regardless. The
segment is closed into landing/ready at the end; `ccwh build` loads it into the warehouse.

Exit status: 0 all landed; 1 some events rejected or a file unreadable; 2 usage or
destinations-file error; 3 the landing folder refused writes (events up to then are kept)."""

_PROGRESS_FROM_BYTES = 16 * 1024 * 1024  # smaller files finish before a bar helps
_CHUNK_EVENTS = 2000
_MAX_PRINTED = 1000
SOURCE = "ingest"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ingestion.landing import DEFAULT_SEGMENT_MAX_BYTES

    p.add_argument("files", nargs="+", metavar="FILE", help="event files (NDJSON or JSON)")
    p.add_argument(
        "--destination",
        metavar="NAME",
        help="apply this destination's tenant and route rules and stamp events with it",
    )
    p.add_argument(
        "--destinations", help="destinations file (default <home>/config/destinations.yaml)"
    )
    p.add_argument(
        "--segment-max-bytes",
        type=int,
        default=DEFAULT_SEGMENT_MAX_BYTES,
        help=f"start a new segment at this size (default {DEFAULT_SEGMENT_MAX_BYTES})",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


class _Report:
    """Counts and prints rejections, capping the printout for very dirty files."""

    def __init__(self) -> None:
        self.events = self.landed = self.rejected = self.printed = 0
        self.unreadable = 0

    def problem(self, lines: list[str]) -> None:
        for text in lines:
            if self.printed < _MAX_PRINTED:
                print(text)
            self.printed += 1


def run(args: argparse.Namespace) -> int:
    from ingestion.destinations import DestinationsError, load_destinations
    from ingestion.landing import LandingUnavailable, Quarantine, SyncLandingWriter

    home = args.home.ensure()
    destination = None
    if args.destination:
        path = Path(args.destinations) if args.destinations else home.destinations_file
        try:
            dests = load_destinations(path)
        except DestinationsError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return 2
        destination = dests.by_name.get(args.destination)
        if destination is None:
            known = ", ".join(dests.by_name) or "none"
            print(
                f"ccwh ingest: unknown destination {args.destination!r} in {path} (known: {known})",
                file=sys.stderr,
            )
            return 2
    writer = SyncLandingWriter(home, max_bytes=args.segment_max_bytes)
    quarantine = Quarantine(home.quarantine)
    report = _Report()
    status = 0
    try:
        for name in args.files:
            _ingest_file(name, destination, writer, quarantine, report, not args.no_progress)
        writer.close()
    except LandingUnavailable as exc:
        print(f"ccwh ingest: landing folder refused writes: {exc}", file=sys.stderr)
        status = 3
    finally:
        quarantine.close()
    if report.printed > _MAX_PRINTED:
        print(f"... {report.printed - _MAX_PRINTED} more problem line(s) not shown")
    segments = len(writer.closed_segments)
    summary = (
        f"ingest: {report.events} event(s) in {len(args.files)} file(s): {report.landed} landed "
        f"in {segments} segment(s) in {home.landing_ready}, {report.rejected} rejected"
    )
    if report.rejected:
        summary += f" (quarantined in {home.quarantine})"
    if report.unreadable:
        summary += f", {report.unreadable} file(s) unreadable"
    print(summary, file=sys.stderr)
    if status:
        return status
    return 1 if report.rejected or report.unreadable else 0


def _ingest_file(name, destination, writer, quarantine, report, progress) -> None:  # noqa: ANN001
    from ingestion.intake import MalformedBody, check_event, iter_file_events, problem_lines
    from ingestion.landing import format_lines, utc_now_text

    dest_name = destination.name if destination is not None else None
    try:
        size = os.path.getsize(name)
    except OSError as exc:
        print(f"{name}: cannot read: {exc.strerror or exc}")
        report.unreadable += 1
        return
    bar = None
    if progress and size >= _PROGRESS_FROM_BYTES:
        from tqdm import tqdm

        bar = tqdm(
            total=size, unit="B", unit_scale=True, desc=os.path.basename(name), file=sys.stderr
        )
    chunk: list[dict] = []

    def land() -> None:
        writer.append(format_lines(chunk, utc_now_text(), dest_name, SOURCE))
        report.landed += len(chunk)
        chunk.clear()

    try:
        for line, obj, raw in iter_file_events(name, bar.update if bar is not None else None):
            report.events += 1
            verdict = check_event(obj, destination)
            if verdict is None:
                chunk.append(obj)
                if len(chunk) >= _CHUNK_EVENTS:
                    land()
                continue
            report.rejected += 1
            report.problem(problem_lines(name, line, verdict))
            status, reason, message, errors = verdict
            quarantine.record(
                reason,
                status,
                raw,
                destination=dest_name,
                errors=errors or [{"path": "$", "message": message}],
                source=SOURCE,
                file=str(Path(name).resolve()),
                line=line,
            )
        if chunk:
            land()
    except MalformedBody as exc:
        report.rejected += 1
        report.problem(problem_lines(name, exc.line, (400, "malformed_json", exc.message, [])))
        with open(name, "rb") as f:
            head = f.read(8 * 1024 * 1024)
        quarantine.record(
            "malformed_json",
            400,
            head,
            destination=dest_name,
            errors=[{"path": "$", "message": exc.message}],
            source=SOURCE,
            file=str(Path(name).resolve()),
            body_truncated=len(head) < size,
        )
    except OSError as exc:
        print(f"{name}: cannot read: {exc.strerror or exc}")
        report.unreadable += 1
    finally:
        if bar is not None:
            bar.close()
