"""The raw lake: every loaded event also lands as immutable Parquet, partitioned for Spark.

    <home>/lake/events/tenant_id=<t>/event_type=<e>/occurred_day=<YYYY-MM-DD>/load_<stamp>_<i>.parquet

Files hold the other columns of ``raw.events`` (event_id, schema_version, occurred_at,
received_at, destination, source, data as JSON text, segment, loaded_at); the three partition
columns are in the folder names only (hive partitioning, what Spark's ``partitioned by`` and
DuckDB's ``hive_partitioning`` read). ``occurred_day`` is the UTC date of occurred_at: report
days are tenant-specific and computed by the dbt models, on either engine.

Exactly once, by construction: the lake is written *from* raw.events (already deduplicated
by event_id) one load batch at a time, identified by its ``loaded_at``. Each batch is written
to ``lake/.staging/<stamp>/``, its files fsync'd and renamed into place, and only then
recorded in ``raw.lake_batches``. A batch that is not recorded (the process died midway) is
written again: its earlier files (same ``load_<stamp>_`` names) are removed first, so no row
is ever there twice. A recorded batch's files are never touched again.

Readers may see a batch's files appear one partition at a time while it is being written;
the Spark build runs after the loader in the same pipeline run, so it never does.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ccwh.paths import Home
from ccwh.warehouse import fsync_dir, fsync_path

if TYPE_CHECKING:
    import duckdb

Progress = Callable[[str], None]

PARTITION_COLUMNS = ("tenant_id", "event_type", "occurred_day")

LAKE_DDL = """
CREATE TABLE IF NOT EXISTS raw.lake_batches (
    loaded_at  TIMESTAMP PRIMARY KEY,
    files      BIGINT NOT NULL,
    rows       BIGINT NOT NULL,
    written_at TIMESTAMP NOT NULL
)
"""

_PENDING = """
SELECT loaded_at, count(*)::BIGINT AS n
FROM raw.events
WHERE loaded_at NOT IN (SELECT loaded_at FROM raw.lake_batches)
GROUP BY loaded_at
ORDER BY loaded_at NULLS FIRST
"""

# Explicit columns and types: the Parquet schema is a contract with the Spark source.
_BATCH_SELECT = """
SELECT event_id, schema_version, occurred_at, received_at, destination, source,
       CAST(data AS VARCHAR) AS data, segment, loaded_at,
       tenant_id, event_type, CAST(occurred_at AS DATE) AS occurred_day
FROM raw.events
WHERE loaded_at = CAST('{loaded_at}' AS TIMESTAMP)
"""


@dataclass
class LakeSummary:
    batches: int = 0
    rows: int = 0
    files: int = 0
    seconds: float = 0.0


def stamp(loaded_at: datetime) -> str:
    """A batch's file-name stamp: its loaded_at to the microsecond (sorts in load order)."""
    return loaded_at.strftime("%Y%m%dT%H%M%S%f")


def ensure_lake_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(LAKE_DDL)


_fsync_file = fsync_path  # its own name: tests cut a batch short here


def _remove_unrecorded(events_dir: Path, tag: str) -> int:
    """Remove the files of a batch that died before it was recorded."""
    gone = 0
    for f in events_dir.glob(f"*/*/*/load_{tag}_*.parquet"):
        f.unlink()
        gone += 1
    return gone


def write_batch(con: duckdb.DuckDBPyConnection, home: Home, loaded_at: datetime, rows: int) -> int:
    """Write one load batch to the lake and record it; return the number of files."""
    tag = stamp(loaded_at)
    events_dir = home.lake_events
    staging = home.lake / ".staging" / tag
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    events_dir.mkdir(parents=True, exist_ok=True)
    literal = loaded_at.isoformat(sep=" ")
    con.execute(
        f"COPY ({_BATCH_SELECT.format(loaded_at=literal)}) TO '{staging}' "
        f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({', '.join(PARTITION_COLUMNS)}), "
        f"FILENAME_PATTERN 'load_{tag}_{{i}}')"
    )
    _remove_unrecorded(events_dir, tag)
    files = sorted(staging.glob("*/*/*/*.parquet"))
    touched: set[Path] = set()
    for f in files:
        _fsync_file(f)
        dest = events_dir / f.relative_to(staging)
        if dest.parent not in touched:
            dest.parent.mkdir(parents=True, exist_ok=True)
            touched.add(dest.parent)
        os.replace(f, dest)
    # Each new file's folder and the tenant and event-type folders above it, each once.
    folders = {events_dir} | {p for d in touched for p in (d, d.parent, d.parent.parent)}
    for d in folders:
        fsync_dir(d)
    con.execute(
        "INSERT INTO raw.lake_batches VALUES ($1, $2, $3, now()::TIMESTAMP)",
        [loaded_at, len(files), rows],
    )
    shutil.rmtree(staging, ignore_errors=True)
    return len(files)


def write_pending(
    con: duckdb.DuckDBPyConnection, home: Home, *, progress: Progress | None = None
) -> LakeSummary:
    """Write every load batch of raw.events that is not in the lake yet (oldest first)."""
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    ensure_lake_table(con)
    summary = LakeSummary()
    pending = con.execute(_PENDING).fetchall()
    if pending:
        total = sum(n for _, n in pending)
        say(f"raw lake: writing {len(pending)} load batches ({total:,} events) as Parquet…")
    for loaded_at, n in pending:
        summary.files += write_batch(con, home, loaded_at, n)
        summary.batches += 1
        summary.rows += n
    shutil.rmtree(home.lake / ".staging", ignore_errors=True)
    summary.seconds = time.monotonic() - started
    return summary
