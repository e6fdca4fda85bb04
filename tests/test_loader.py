"""The loader: ready segments → raw.events exactly once (real DuckDB files, no mocks)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ccwh.paths import REPO_ROOT, Home
from ingestion.loader import load_ready

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home").ensure()


def event(
    event_id: str,
    *,
    received: float = 0.0,
    occurred_at: str = "2026-11-22T09:00:00+01:00",
    queue: str = "q1",
) -> dict:
    """One landed queue_call line (the receiver's shape, see architecture.md)."""
    return {
        "event_id": event_id,
        "event_type": "queue_call",
        "schema_version": 1,
        "tenant_id": "acme",
        "occurred_at": occurred_at,
        "data": {
            "interaction_id": f"i-{event_id}",
            "queue_id": queue,
            "entered_at": "2026-11-22T08:59:00+01:00",
            "left_at": occurred_at,
            "outcome": "abandoned",
        },
        "_ccwh_received_at": (T0 + timedelta(seconds=received)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "_ccwh_destination": "main",
        "_ccwh_source": "receiver",
    }


def segment_name(n: int) -> str:
    return f"{(T0 + timedelta(seconds=n)):%Y%m%dT%H%M%S%f}Z-testhost-1-{n:08x}.ndjson"


def write_segment(home: Home, n: int, events: list[dict], *, raw: str = "") -> Path:
    path = home.landing_ready / segment_name(n)
    path.write_text("".join(json.dumps(e) + "\n" for e in events) + raw, encoding="utf-8")
    return path


def query(home: Home, sql: str) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_loads_rows_with_receiver_fields_and_manifest(home: Home) -> None:
    write_segment(home, 1, [event("a"), event("b", received=1)])
    summary = load_ready(home)
    assert (summary.segments, summary.lines, summary.inserted, summary.duplicates) == (1, 2, 2, 0)
    rows = query(
        home,
        "SELECT event_id, event_type, schema_version, tenant_id, destination, source, "
        "data->>'queue_id', segment FROM raw.events ORDER BY event_id",
    )
    assert rows == [
        ("a", "queue_call", 1, "acme", "main", "receiver", "q1", segment_name(1)),
        ("b", "queue_call", 1, "acme", "main", "receiver", "q1", segment_name(1)),
    ]
    manifest = query(
        home, "SELECT segment, lines, inserted, duplicates, bytes FROM raw.loaded_segments"
    )
    size = (home.landing_loaded / segment_name(1)).stat().st_size
    assert manifest == [(segment_name(1), 2, 2, 0, size)]
    assert not list(home.landing_ready.iterdir())


def test_occurred_at_offsets_become_utc(home: Home) -> None:
    write_segment(
        home,
        1,
        [
            event("plus1", occurred_at="2026-11-22T10:00:00+01:00"),
            event("zulu", occurred_at="2026-11-22T10:00:00Z"),
            event("minus530", occurred_at="2026-11-22T10:00:00.250-05:30"),
            event("utc0", occurred_at="2026-03-29T02:30:00+00:00"),
        ],
    )
    load_ready(home)
    rows = dict(query(home, "SELECT event_id, occurred_at FROM raw.events"))
    assert rows == {
        "plus1": datetime(2026, 11, 22, 9, 0),
        "zulu": datetime(2026, 11, 22, 10, 0),
        "minus530": datetime(2026, 11, 22, 15, 30, 0, 250000),
        "utc0": datetime(2026, 3, 29, 2, 30),
    }
    types = dict(
        query(
            home,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = 'events'",
        )
    )
    assert types["occurred_at"] == types["received_at"] == "TIMESTAMP"
    received = query(home, "SELECT received_at FROM raw.events WHERE event_id = 'zulu'")
    assert received == [(T0.replace(tzinfo=None),)]


def test_duplicates_within_one_batch_first_received_wins(home: Home) -> None:
    # The later-named segment holds the earlier-received copy: receive time decides.
    write_segment(home, 1, [event("x", received=5, queue="late"), event("y")])
    write_segment(home, 2, [event("x", received=1, queue="early"), event("x", received=9)])
    summary = load_ready(home)
    assert (summary.lines, summary.inserted, summary.duplicates) == (4, 2, 2)
    assert query(home, "SELECT data->>'queue_id', segment FROM raw.events WHERE event_id='x'") == [
        ("early", segment_name(2))
    ]
    per_segment = query(
        home, "SELECT lines, inserted, duplicates FROM raw.loaded_segments ORDER BY segment"
    )
    assert per_segment == [(2, 1, 1), (2, 1, 1)]


def test_identical_receive_times_break_ties_by_content(home: Home) -> None:
    write_segment(home, 1, [event("t", queue="b"), event("t", queue="a")])
    load_ready(home)
    assert query(home, "SELECT data->>'queue_id' FROM raw.events") == [("a",)]


def test_duplicates_across_batches_and_runs(home: Home) -> None:
    write_segment(home, 1, [event("a"), event("b")])
    write_segment(home, 2, [event("b", received=3), event("c")])
    first = load_ready(home, max_files=1)  # one segment per batch
    assert (first.batches, first.inserted, first.duplicates) == (2, 3, 1)
    write_segment(home, 3, [event("a", received=9), event("d")])
    second = load_ready(home)
    assert (second.segments, second.inserted, second.duplicates) == (1, 1, 1)
    assert query(home, "SELECT count(*), count(DISTINCT event_id) FROM raw.events") == [(4, 4)]


def test_reordered_delivery_loads_every_event_once(home: Home) -> None:
    # Events arrive out of occurrence order, resent copies land before and after the original.
    ids = [f"e{i:03d}" for i in range(60)]
    rng = random.Random(3)
    for n in range(6):
        batch = rng.sample(ids, 25)
        write_segment(
            home,
            n,
            [
                event(
                    i,
                    received=rng.uniform(0, 100),
                    occurred_at=(T0 - timedelta(minutes=rng.randrange(500))).isoformat(),
                )
                for i in batch
            ],
        )
    sent = {e["event_id"] for p in home.landing_ready.iterdir() for e in _lines(p)}
    summary = load_ready(home, max_files=2)
    assert summary.inserted == len(sent)
    assert summary.lines == 150
    assert query(home, "SELECT count(*), count(DISTINCT event_id) FROM raw.events") == [
        (len(sent), len(sent))
    ]


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_orphan_of_a_dead_writer_is_recovered_and_loaded(home: Home) -> None:
    # A receiver died mid-write: its open segment (no lock held) ends in half a line.
    orphan = home.landing_open / segment_name(1)
    complete = json.dumps(event("kept")) + "\n"
    orphan.write_text(complete + '{"event_id": "half', encoding="utf-8")
    summary = load_ready(home)
    assert summary.recovered_orphans == 1
    assert (summary.segments, summary.lines, summary.inserted) == (1, 1, 1)
    assert query(home, "SELECT event_id FROM raw.events") == [("kept",)]
    assert not list(home.landing_open.iterdir())


def test_rerun_is_a_no_op(home: Home) -> None:
    write_segment(home, 1, [event("a")])
    load_ready(home)
    again = load_ready(home)
    assert (again.segments, again.inserted) == (0, 0)
    assert query(home, "SELECT count(*) FROM raw.loaded_segments") == [(1,)]


def test_committed_segment_left_in_ready_is_moved_not_reloaded(home: Home) -> None:
    # A crash after the commit and before the move leaves the file in ready/: manifest wins.
    path = write_segment(home, 1, [event("a"), event("b")])
    load_ready(home)
    (home.landing_loaded / path.name).rename(path)
    summary = load_ready(home)
    assert (summary.already_loaded, summary.segments, summary.inserted) == (1, 0, 0)
    assert (home.landing_loaded / path.name).exists() and not path.exists()
    assert query(home, "SELECT count(*) FROM raw.events") == [(2,)]


def test_malformed_segment_is_quarantined_and_the_rest_loads(home: Home) -> None:
    write_segment(home, 1, [event("a")])
    bad = write_segment(home, 2, [event("b")], raw='{"event_id": "c", "occurred_at": \n')
    no_id = write_segment(home, 3, [event("d"), {**event("x"), "event_id": None}])
    write_segment(home, 4, [event("e")])
    empty = write_segment(home, 5, [])
    summary = load_ready(home)
    assert sorted(summary.quarantined) == [bad.name, no_id.name]
    assert (summary.segments, summary.inserted) == (3, 2)
    assert sorted(r[0] for r in query(home, "SELECT event_id FROM raw.events")) == ["a", "e"]
    qdir = home.quarantine / "segments"
    assert (qdir / bad.name).exists() and (qdir / no_id.name).exists()
    assert "JSON" in (qdir / f"{bad.name}.error.txt").read_text()
    assert "without event_id" in (qdir / f"{no_id.name}.error.txt").read_text()
    assert (home.landing_loaded / empty.name).exists()
    assert not list(home.landing_ready.iterdir())
    assert load_ready(home).segments == 0  # nothing stuck in ready/


def test_wrong_type_is_quarantined(home: Home) -> None:
    write_segment(home, 1, [{**event("a"), "schema_version": "one"}])
    summary = load_ready(home)
    assert summary.quarantined == [segment_name(1)]


def _loader(home: Home, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ingestion.loader", "--home", str(home.root), "--quiet", *extra],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_kill_9_at_random_moments_then_rerun_gives_exact_counts(home: Home) -> None:
    rng = random.Random(20261122)
    distinct: set[str] = set()
    total_lines = 0
    pool: list[str] = []
    n_segments = 120
    for n in range(n_segments):
        events = []
        for k in range(150):
            if pool and rng.random() < 0.1:
                eid = rng.choice(pool)  # resend: a duplicate across segments
            else:
                eid = f"s{n:03d}-{k:03d}"
                pool.append(eid)
            distinct.add(eid)
            events.append(event(eid, received=n + k / 1000))
        write_segment(home, n, events)
        total_lines += len(events)

    kills = 0
    for _round in range(8):
        before = len(os.listdir(home.landing_loaded))
        proc = _loader(home, "--max-files", "3")
        # Kill after the loader has made progress (or at a random moment during start-up),
        # so the kills land mid-batch, mid-commit and mid-move rather than only before start.
        deadline = time.monotonic() + 60
        wait_for_progress = rng.random() < 0.75
        while wait_for_progress and proc.poll() is None and time.monotonic() < deadline:
            if len(os.listdir(home.landing_loaded)) > before:
                break
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.15))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        if not list(home.landing_ready.iterdir()):
            break
    assert kills > 0

    final = _loader(home)
    _out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err.decode()

    assert query(home, "SELECT count(*), count(DISTINCT event_id) FROM raw.events") == [
        (len(distinct), len(distinct))
    ]
    assert {r[0] for r in query(home, "SELECT event_id FROM raw.events")} == distinct
    manifest = query(
        home,
        "SELECT count(*), count(DISTINCT segment), sum(lines), sum(inserted), sum(duplicates) "
        "FROM raw.loaded_segments",
    )
    assert manifest == [
        (n_segments, n_segments, total_lines, len(distinct), total_lines - len(distinct))
    ]
    # Every manifest row agrees with the rows that point at its segment.
    mismatched = query(
        home,
        "SELECT m.segment FROM raw.loaded_segments m LEFT JOIN "
        "(SELECT segment, count(*) n FROM raw.events GROUP BY segment) e USING (segment) "
        "WHERE m.inserted <> coalesce(e.n, 0) OR m.lines <> m.inserted + m.duplicates",
    )
    assert mismatched == []
    assert not list(home.landing_ready.iterdir())
    assert len(os.listdir(home.landing_loaded)) == n_segments
    # The raw lake (written after each commit, rewritten when a kill cut it short) holds
    # exactly raw.events: every event once.
    lake = f"read_parquet('{home.lake_events}/*/*/*/*.parquet', hive_partitioning = true)"
    assert query(home, f"SELECT count(*), count(DISTINCT event_id) FROM {lake}") == [
        (len(distinct), len(distinct))
    ]


def test_writer_lock_makes_a_second_loader_wait(home: Home) -> None:
    from ccwh.warehouse import writer_lock

    write_segment(home, 1, [event("a")])
    with writer_lock(home):
        proc = _loader(home)
        # While we hold the lock the loader can only wait (and says so on stderr).
        line = proc.stderr.readline().decode()
        assert "waiting for another pipeline run" in line
        assert f"pid {os.getpid()}" in line
        assert proc.poll() is None
    _out, _err = proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert query(home, "SELECT count(*) FROM raw.events") == [(1,)]
