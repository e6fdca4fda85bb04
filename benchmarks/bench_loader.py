"""Loader throughput: our loader end to end vs DuckDB's own typed read_json of the same files.

    .venv/bin/python benchmarks/bench_loader.py [--events 2000000] [--segment-mb 16] [--keep DIR]

Writes N synthetic queue_call events (~600 bytes each, ~5 % of them resent into a later
segment) as landing segments, then times
  (a) ``CREATE TABLE t AS SELECT * FROM read_json(files, columns={...})`` — the parse floor;
  (b) ``ingestion.loader.load_ready`` on a fresh warehouse: parse + dedup + manifest + moves.
Prints rows/s for both, the ratio (goal: loader >= 0.5 x read_json), peak RSS of each phase
(each runs in its own child process so the figures do not mix) and the machine. Never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from machine_info import machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = {
    "event_id": "VARCHAR",
    "event_type": "VARCHAR",
    "schema_version": "INTEGER",
    "tenant_id": "VARCHAR",
    "occurred_at": "TIMESTAMPTZ",
    "_ccwh_received_at": "TIMESTAMPTZ",
    "_ccwh_destination": "VARCHAR",
    "_ccwh_source": "VARCHAR",
    "data": "JSON",
}


def generate(folder: Path, events: int, segment_bytes: int, seed: int = 7) -> tuple[int, int]:
    """Write segments into folder; return (lines written, distinct event ids)."""
    import orjson

    rng = random.Random(seed)
    # orjson writes aware datetimes as RFC 3339 itself (fast); offsets vary like real senders.
    zones = [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))]
    cet = zones[1]
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    outcomes = ["answered"] * 8 + ["abandoned", "overflowed"]
    resend: list[bytes] = []  # lines to repeat in a later segment (duplicates across segments)
    seg_no, lines, distinct = 0, 0, 0
    out = None
    size = 0

    def open_segment():
        nonlocal seg_no, size
        seg_no += 1
        size = 0
        opened = start + timedelta(seconds=seg_no)
        name = f"{opened:%Y%m%dT%H%M%S%f}Z-benchhost-{os.getpid()}-{seg_no:08x}.ndjson"
        return open(folder / name, "wb")

    opts = orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE
    out = open_segment()
    buf: list[bytes] = []
    i = 0
    while lines < events:
        if resend and rng.random() < 0.05:
            line = resend.pop(rng.randrange(len(resend)))
        else:
            i += 1
            distinct += 1
            t = start + timedelta(seconds=i * 0.3)
            wait = rng.uniform(1, 120)
            outcome = rng.choice(outcomes)
            answered = outcome == "answered"
            event = {
                "event_id": f"evt-{i:012d}-{rng.getrandbits(64):016x}",
                "event_type": "queue_call",
                "schema_version": 1,
                "tenant_id": f"tenant-{i % 7:02d}",
                "occurred_at": (t + timedelta(seconds=wait + 200)).astimezone(rng.choice(zones)),
                "data": {
                    "interaction_id": f"int-{i:012d}",
                    "queue_id": f"queue-{rng.randrange(40):03d}",
                    "portfolio_id": f"portfolio-{rng.randrange(6)}",
                    "contact_id": f"contact-{rng.randrange(10**6):07d}",
                    "organization_id": f"org-{rng.randrange(5000):05d}",
                    "entered_at": t.astimezone(cet),
                    "answered_at": (t + timedelta(seconds=wait)).astimezone(cet)
                    if answered
                    else None,
                    "left_at": (t + timedelta(seconds=wait + 200)).astimezone(cet),
                    "outcome": outcome,
                    "agent_id": f"agent-{rng.randrange(300):04d}" if answered else None,
                    "note": "x" * rng.randrange(20, 60),
                },
                "_ccwh_received_at": t + timedelta(seconds=wait + 201, microseconds=1),
                "_ccwh_destination": "bench",
                "_ccwh_source": "receiver",
            }
            line = orjson.dumps(event, option=opts)
            if rng.random() < 0.06:
                resend.append(line)
        buf.append(line)
        size += len(line)
        lines += 1
        if len(buf) >= 2000:
            out.write(b"".join(buf))
            buf.clear()
        if size >= segment_bytes:
            out.write(b"".join(buf))
            buf.clear()
            out.close()
            out = open_segment()
    out.write(b"".join(buf))
    out.close()
    return lines, distinct


def _phase_read_json(ready: str, db: str) -> dict:
    import duckdb

    files = sorted(str(p) for p in Path(ready).glob("*.ndjson"))
    t0 = time.perf_counter()
    with duckdb.connect(db) as con:
        con.execute(
            "CREATE TABLE t AS SELECT * FROM read_json($files, format='newline_delimited', "
            "columns=$columns)",
            {"files": files, "columns": COLUMNS},
        )
        rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    return {"seconds": time.perf_counter() - t0, "rows": rows}


def _phase_loader(home: str) -> dict:
    from ccwh.paths import Home
    from ingestion.loader import load_ready

    t0 = time.perf_counter()
    s = load_ready(Home.resolve(home))
    return {
        "seconds": time.perf_counter() - t0,
        "rows": s.lines,
        "inserted": s.inserted,
        "duplicates": s.duplicates,
        "segments": s.segments,
        "batches": s.batches,
    }


def _child(phase: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--segment-mb", type=float, default=16.0)
    parser.add_argument(
        "--keep",
        default=None,
        help="work in this folder and keep it; a rerun with the same --events reuses the data",
    )
    parser.add_argument("--phase", default=None, help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:  # child process: one measured phase, result as JSON on the last line
        result = (
            _phase_read_json(*args.args) if args.phase == "read_json" else _phase_loader(*args.args)
        )
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["peak_rss_mb"] = usage.ru_maxrss / 1024
        # CPU seconds of all threads: steadier than wall time when the machine is shared.
        result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
        print(json.dumps(result))
        return 0

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ccwh-bench-"))
    segments = work / "segments"  # generated once; each loader run gets hard links to them
    meta = work / "segments.json"
    try:
        import duckdb

        print(f"machine: {machine(f'duckdb {duckdb.__version__}')}")
        if meta.exists() and json.loads(meta.read_text())["events"] == args.events:
            lines, distinct = json.loads(meta.read_text())["counts"]
            print(f"reusing the segments in {segments}")
        else:
            shutil.rmtree(segments, ignore_errors=True)
            t0 = time.perf_counter()
            lines, distinct = generate(segments, args.events, int(args.segment_mb * 1024 * 1024))
            meta.write_text(json.dumps({"events": args.events, "counts": [lines, distinct]}))
            print(f"generated in {time.perf_counter() - t0:.1f} s")
        total = sum(p.stat().st_size for p in segments.glob("*.ndjson"))
        nseg = len(list(segments.glob("*.ndjson")))
        print(
            f"{lines:,} lines ({distinct:,} distinct ids, {lines - distinct:,} duplicates) in "
            f"{nseg} segments, {total / 1e6:,.0f} MB ({total / lines:.0f} B/line)"
        )
        home = work / "home"
        shutil.rmtree(home, ignore_errors=True)
        ready = home / "landing" / "ready"
        ready.mkdir(parents=True)
        for p in segments.glob("*.ndjson"):
            os.link(p, ready / p.name)
            # Warm the page cache for both phases alike.
            with open(p, "rb") as f:
                while f.read(1 << 24):
                    pass
        (work / "readjson.duckdb").unlink(missing_ok=True)

        a = _child("read_json", str(segments), str(work / "readjson.duckdb"))
        rate_a = a["rows"] / a["seconds"]
        print(
            f"(a) read_json typed CTAS: {a['rows']:,} rows in {a['seconds']:.2f} s = "
            f"{rate_a:,.0f} rows/s, peak RSS {a['peak_rss_mb']:,.0f} MB"
        )
        b = _child("loader", str(home))
        rate_b = b["rows"] / b["seconds"]
        print(
            f"(b) loader end to end:    {b['rows']:,} rows in {b['seconds']:.2f} s = "
            f"{rate_b:,.0f} rows/s, peak RSS {b['peak_rss_mb']:,.0f} MB "
            f"({b['segments']} segments in {b['batches']} batches; {b['inserted']:,} inserted, "
            f"{b['duplicates']:,} duplicates)"
        )
        ratio = rate_b / rate_a
        cpu_ratio = a["cpu_seconds"] / b["cpu_seconds"]
        verdict = "meets" if ratio >= 0.5 else "BELOW"
        print(
            f"ratio loader / read_json: {ratio:.2f} by wall time ({verdict} the 0.5 goal); "
            f"{cpu_ratio:.2f} by CPU time ({a['cpu_seconds']:.1f} vs {b['cpu_seconds']:.1f} "
            "CPU-s, all threads)"
        )
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        if b["inserted"] != distinct:
            print(f"NOTE: inserted {b['inserted']:,} != distinct ids {distinct:,}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
