"""The Parquet raw lake: exactly raw.events, immutable files, rewritten only when cut short."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import ingestion.lake as lake
from ccwh.paths import Home
from ingestion.loader import load_ready
from tests.test_loader import event, query, write_segment


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home").ensure()


def lake_rows(home: Home) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(
            f"SELECT tenant_id, event_type, CAST(occurred_day AS VARCHAR), event_id, "
            f"CAST(occurred_at AS VARCHAR), segment, data::JSON->>'queue_id' "
            f"FROM read_parquet('{home.lake_events}/*/*/*/*.parquet', hive_partitioning = true) "
            f"ORDER BY event_id"
        ).fetchall()


def lake_files(home: Home) -> dict[Path, int]:
    return {p: p.stat().st_ino for p in home.lake_events.glob("*/*/*/*.parquet")}


def test_loaded_events_land_partitioned_by_tenant_type_and_utc_day(home: Home) -> None:
    # 00:30 at +01:00 is the previous UTC day: occurred_day is the UTC date.
    write_segment(
        home,
        1,
        [event("a"), event("b", occurred_at="2026-11-23T00:30:00+01:00", queue="q2")],
    )
    load_ready(home)
    seg = segment_of(home, "a")
    assert lake_rows(home) == [
        ("acme", "queue_call", "2026-11-22", "a", "2026-11-22 08:00:00", seg, "q1"),
        ("acme", "queue_call", "2026-11-22", "b", "2026-11-22 23:30:00", seg, "q2"),
    ]
    # The partition values are folder names only, not columns inside the files.
    one = next(iter(lake_files(home)))
    assert one.parent.name == "occurred_day=2026-11-22"
    assert one.parent.parent.name == "event_type=queue_call"
    with duckdb.connect() as con:
        cols = [
            r[0]
            for r in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{one}', hive_partitioning = false)"
            ).fetchall()
        ]
    assert cols == [
        "event_id", "schema_version", "occurred_at", "received_at", "destination", "source",
        "data", "segment", "loaded_at",
    ]  # fmt: skip


def segment_of(home: Home, event_id: str) -> str:
    return query(home, f"SELECT segment FROM raw.events WHERE event_id = '{event_id}'")[0][0]


def test_later_loads_add_files_and_never_rewrite_earlier_ones(home: Home) -> None:
    write_segment(home, 1, [event("a"), event("b")])
    load_ready(home)
    first = lake_files(home)
    # A resend of "a" (a duplicate, not loaded) and one new event on the same day.
    write_segment(home, 2, [event("a", received=5), event("c", received=6)])
    load_ready(home)
    second = lake_files(home)
    assert {p: second[p] for p in first} == first  # same files, same inodes: untouched
    assert len(second) == len(first) + 1
    assert [r[3] for r in lake_rows(home)] == ["a", "b", "c"]
    assert query(home, "SELECT count(*), sum(rows) FROM raw.lake_batches") == [(2, 3)]


def test_a_batch_cut_short_is_written_again_without_duplicates(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_segment(home, 1, [event("a"), event("b", occurred_at="2026-11-23T09:00:00+01:00")])
    real_fsync = lake._fsync_file
    synced: list[Path] = []

    def die_before_second_file(path: Path) -> None:  # killed between two files' renames
        if synced:
            raise KeyboardInterrupt("killed")
        synced.append(path)
        real_fsync(path)

    monkeypatch.setattr(lake, "_fsync_file", die_before_second_file)
    with pytest.raises(KeyboardInterrupt):
        load_ready(home)
    monkeypatch.setattr(lake, "_fsync_file", real_fsync)
    assert len(lake_files(home)) == 1  # half a batch is in the lake, not recorded
    assert query(home, "SELECT count(*) FROM raw.lake_batches") == [(0,)]

    load_ready(home)  # nothing new to load; the unrecorded batch is written again
    assert [r[3] for r in lake_rows(home)] == ["a", "b"]
    assert len(lake_files(home)) == 2
    assert not (home.lake / ".staging").exists()


def test_the_lake_can_be_switched_off(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCWH_RAW_LAKE", "off")
    write_segment(home, 1, [event("a")])
    load_ready(home)
    assert not home.lake_events.exists() or not lake_files(home)
    monkeypatch.delenv("CCWH_RAW_LAKE")
    load_ready(home)  # switched on again: the earlier batches are written then
    assert [r[3] for r in lake_rows(home)] == ["a"]
