"""Ready landing segments → ``raw.events``, exactly once (docs/architecture.md).

The manifest ``raw.loaded_segments`` is the truth about what is loaded. One batch of segments
is one DuckDB transaction that inserts the new events *and* the batch's manifest rows; only
after the commit are the files moved from ``landing/ready/`` to ``landing/loaded/``. A crash
before the commit leaves nothing behind (the next run loads the batch again); a crash after the
commit and before the move leaves files in ``ready/`` that the manifest already names, and the
next run only moves them. So killing the loader at any moment and re-running it gives exactly
the distinct events, once each.

Rows are parsed by DuckDB's own ``read_json`` with explicit column types (no sampling, no
per-line Python). ``raw.events`` holds one row per ``event_id``: within a batch the first
received copy wins (earliest ``_ccwh_received_at``, then segment name, then content), and a copy
whose id is already in the table is counted as a duplicate and skipped — raw rows are never
rewritten, so the row loaded first stays.

The functions take a ``Home`` and an open connection or the database path; Dagster's
``raw/events`` asset and the tests call them directly. The caller holds the writer lock
(``load_ready`` takes it itself).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccwh.paths import Home
from ccwh.warehouse import connect, fsync_dir, writer_lock

if TYPE_CHECKING:
    import duckdb

Progress = Callable[[str], None]

# Bounded memory: a batch is at most this many files and bytes of NDJSON (the parsed batch is
# about the size of its text; DuckDB spills to <db>.tmp beyond its memory limit anyway).
BATCH_MAX_FILES = 1000
BATCH_MAX_BYTES = 512 * 1024 * 1024

# Where the loader puts a segment DuckDB cannot read, with a sidecar naming the error.
QUARANTINE_SUBDIR = "segments"

# CCWH_RAW_LAKE=off: do not write the Parquet raw lake (only the Spark target reads it).
LAKE_ENV = "CCWH_RAW_LAKE"

RAW_DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.events (
    event_id       VARCHAR,
    event_type     VARCHAR,
    schema_version INTEGER,
    tenant_id      VARCHAR,
    occurred_at    TIMESTAMP,
    received_at    TIMESTAMP,
    destination    VARCHAR,
    source         VARCHAR,
    data           JSON,
    segment        VARCHAR,
    loaded_at      TIMESTAMP
);
CREATE TABLE IF NOT EXISTS raw.loaded_segments (
    segment    VARCHAR PRIMARY KEY,
    loaded_at  TIMESTAMP NOT NULL,
    lines      BIGINT NOT NULL,
    inserted   BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    bytes      BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.loaded_days (
    tenant_id  VARCHAR NOT NULL,
    report_day DATE NOT NULL,
    loaded_at  TIMESTAMP NOT NULL,
    events     BIGINT NOT NULL,
    late       BOOLEAN NOT NULL,
    built_at   TIMESTAMP
);
"""

# The report days a batch's queue events touch, by the dbt view that computes them with the
# same macro and tenant zones as the marts (no second copy of the report-day rule here). A
# (tenant, day) is *late* when the marts hold it already and it is older than the tenant's
# newest built day (that one is still open). The incremental marts rebuild new days in the
# next run; late days wait for their own partition run, which records the restatement
# (orchestration/restatements.py). Before the first dbt build the view does not exist and
# nothing is recorded: the first build is a full one anyway.
REPORT_DAYS_VIEW = ("intermediate", "int_queue_event_report_days")
DAILY_MART = ("main", "queue_kpis_daily")  # every queue event's (tenant, report day) is here

_INSERT_LOADED_DAYS = """
INSERT INTO raw.loaded_days BY NAME
SELECT tenant_id, report_day, loaded_at, events, {late} AS late
FROM (
    SELECT d.tenant_id, d.report_day, $loaded_at::TIMESTAMP AS loaded_at, count(*) AS events
    FROM intermediate.int_queue_event_report_days AS d
    WHERE d.event_id IN (SELECT event_id FROM raw.events WHERE loaded_at = $loaded_at::TIMESTAMP)
      AND d.report_day IS NOT NULL
    GROUP BY d.tenant_id, d.report_day
) AS p
"""

_LATE = """coalesce(
    EXISTS (SELECT 1 FROM main.queue_kpis_daily AS k
            WHERE k.tenant_id = p.tenant_id AND k.report_day = p.report_day)
    AND p.report_day < (SELECT max(k.report_day) FROM main.queue_kpis_daily AS k
                        WHERE k.tenant_id = p.tenant_id),
    false)"""

# The landed line's fields and their types; read_json gets them explicitly so nothing is
# guessed from a sample and a wrong type is an error, not a silently NULL column.
JSON_COLUMNS: dict[str, str] = {
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

# TIMESTAMPTZ → UTC timestamp with timezone('UTC', …): independent of the session's zone.
_READ_BATCH = """
CREATE OR REPLACE TEMP TABLE _ccwh_batch AS
SELECT
    event_id,
    event_type,
    schema_version,
    tenant_id,
    timezone('UTC', occurred_at)       AS occurred_at,
    timezone('UTC', _ccwh_received_at) AS received_at,
    _ccwh_destination                  AS destination,
    _ccwh_source                       AS source,
    data,
    parse_filename(filename)           AS segment
FROM read_json(
    $files,
    format = 'newline_delimited',
    columns = $columns,
    filename = true
)
"""

_CHECK_BATCH = """
SELECT segment, count(*) AS bad
FROM _ccwh_batch
WHERE event_id IS NULL OR event_type IS NULL OR tenant_id IS NULL OR occurred_at IS NULL
   OR received_at IS NULL OR data IS NULL
GROUP BY segment
ORDER BY segment
"""

# First received wins among the batch's own copies of an id. Only ids that occur more than
# once are sorted (~5 % of a batch): a window over every row cost ~20 % of the load time and
# memory to match. Copies received in the same microsecond into the same segment are told
# apart by their content, so the choice never depends on scan order (a line-number tie-break
# via WITH ORDINALITY cost ~40 % of the load time).
_FIRST_COPIES = """
CREATE OR REPLACE TEMP TABLE _ccwh_first AS
SELECT rowid AS first_rowid, event_id
FROM _ccwh_batch
WHERE event_id IN (SELECT event_id FROM _ccwh_batch GROUP BY event_id HAVING count(*) > 1)
QUALIFY row_number() OVER (
    PARTITION BY event_id
    ORDER BY received_at, segment, occurred_at, event_type, tenant_id, schema_version,
             destination, source, data
) = 1
"""

# Anti-join (hash join) against what is loaded already; of repeated ids only the first copy.
_INSERT_EVENTS = """
INSERT INTO raw.events BY NAME
SELECT
    b.event_id, b.event_type, b.schema_version, b.tenant_id, b.occurred_at, b.received_at,
    b.destination, b.source, b.data, b.segment, $loaded_at::TIMESTAMP AS loaded_at
FROM _ccwh_batch AS b
LEFT JOIN _ccwh_first AS f ON f.event_id = b.event_id
WHERE (f.first_rowid IS NULL OR f.first_rowid = b.rowid)
  AND NOT EXISTS (SELECT 1 FROM raw.events AS r WHERE r.event_id = b.event_id)
"""

_INSERT_MANIFEST = """
INSERT INTO raw.loaded_segments BY NAME
SELECT
    f.segment,
    $loaded_at::TIMESTAMP                                  AS loaded_at,
    coalesce(l.lines, 0)                                   AS lines,
    coalesce(i.inserted, 0)                                AS inserted,
    coalesce(l.lines, 0) - coalesce(i.inserted, 0)         AS duplicates,
    f.bytes
FROM _ccwh_files AS f
LEFT JOIN (SELECT segment, count(*) AS lines FROM _ccwh_batch GROUP BY segment) AS l
    USING (segment)
LEFT JOIN (
    SELECT segment, count(*) AS inserted
    FROM raw.events
    WHERE loaded_at = $loaded_at::TIMESTAMP
      AND segment IN (SELECT segment FROM _ccwh_files)
    GROUP BY segment
) AS i USING (segment)
"""


class SegmentError(Exception):
    """A segment's content cannot be loaded (bad JSON, wrong types, missing envelope fields)."""


@dataclass
class LoadSummary:
    """What one loader run did; also the ``raw/events`` asset's metadata."""

    segments: int = 0
    lines: int = 0
    inserted: int = 0
    duplicates: int = 0
    bytes: int = 0
    batches: int = 0
    already_loaded: int = 0  # found in ready/ but named in the manifest: only moved
    recovered_orphans: int = 0
    quarantined: list[str] = field(default_factory=list)
    lake_files: int = 0  # Parquet files written to the raw lake (ingestion/lake.py)
    seconds: float = 0.0

    def as_metadata(self) -> dict[str, Any]:
        d = asdict(self)
        d["quarantined"] = ", ".join(self.quarantined) or "none"
        d["seconds"] = round(self.seconds, 3)
        return d

    def describe(self) -> str:
        if self.segments:
            text = (
                f"loaded {self.segments} segments: {self.lines} lines, {self.inserted} new "
                f"events, {self.duplicates} duplicates in {self.seconds:.1f} s"
            )
        else:
            text = "no new events"
        if self.already_loaded:
            text += f"; {self.already_loaded} already-loaded segment(s) moved to loaded/"
        if self.quarantined:
            text += f"; {len(self.quarantined)} segment(s) quarantined"
        return text


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``raw.events`` and ``raw.loaded_segments`` if absent."""
    con.execute(RAW_DDL)


def recover_orphans(home: Home) -> int:
    """Move dead writers' open segments to ready/ so their acknowledged events are loaded."""
    from ingestion.landing import recover_orphans as recover

    return len(recover(home))


def ready_segments(home: Home) -> list[Path]:
    """Closed segments waiting in ready/, oldest first (names sort by open time)."""
    if not home.landing_ready.is_dir():
        return []
    return sorted(p for p in home.landing_ready.glob("*.ndjson") if p.is_file())


def manifest_names(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> set[str]:
    """Which of ``names`` the manifest already holds."""
    if not names:
        return set()
    rows = con.execute(
        "SELECT segment FROM raw.loaded_segments WHERE segment IN (SELECT unnest($names))",
        {"names": list(names)},
    ).fetchall()
    return {r[0] for r in rows}


def plan_batches(
    files: Iterable[Path],
    *,
    max_files: int = BATCH_MAX_FILES,
    max_bytes: int = BATCH_MAX_BYTES,
) -> Iterator[list[tuple[Path, int]]]:
    """Group segments (in order) into batches of at most max_files files and ~max_bytes."""
    batch: list[tuple[Path, int]] = []
    size = 0
    for path in files:
        n = path.stat().st_size
        if batch and (len(batch) >= max_files or size + n > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append((path, n))
        size += n
    if batch:
        yield batch


def _move_all(paths: Iterable[Path], dest: Path) -> None:
    sources: set[Path] = set()
    for p in paths:
        try:
            os.replace(p, dest / p.name)
        except FileNotFoundError:
            continue  # moved already by an earlier run that died before fsyncing the folder
        sources.add(p.parent)
    if sources:
        fsync_dir(dest)
        for src in sources:
            fsync_dir(src)


def load_batch(
    con: duckdb.DuckDBPyConnection, batch: Sequence[tuple[Path, int]]
) -> tuple[int, int, int]:
    """Load one batch in one transaction; return (lines, inserted, duplicates).

    Raises SegmentError (after rolling back) if DuckDB cannot parse the files or a line lacks
    an envelope field; the caller then isolates the bad segment.
    """
    import duckdb

    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    files = [str(p) for p, _ in batch]
    con.execute("BEGIN TRANSACTION")
    try:
        try:
            con.execute(_READ_BATCH, {"files": files, "columns": JSON_COLUMNS})
        except (duckdb.InvalidInputException, duckdb.ConversionException) as exc:
            raise SegmentError(str(exc).splitlines()[0]) from exc
        bad = con.execute(_CHECK_BATCH).fetchall()
        if bad:
            where = ", ".join(f"{seg} ({n} lines)" for seg, n in bad)
            raise SegmentError(
                "lines without event_id, event_type, tenant_id, occurred_at, "
                f"_ccwh_received_at or data: {where}"
            )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _ccwh_files AS "
            "SELECT unnest($names)::VARCHAR AS segment, unnest($sizes)::BIGINT AS bytes",
            {"names": [p.name for p, _ in batch], "sizes": [n for _, n in batch]},
        )
        con.execute(_FIRST_COPIES)
        con.execute(_INSERT_EVENTS, {"loaded_at": loaded_at})
        con.execute(_INSERT_MANIFEST, {"loaded_at": loaded_at})
        record_loaded_days(con, loaded_at)
        lines, inserted = con.execute(
            "SELECT sum(lines)::BIGINT, sum(inserted)::BIGINT FROM raw.loaded_segments "
            "WHERE segment IN (SELECT segment FROM _ccwh_files)"
        ).fetchone()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for table in ("_ccwh_batch", "_ccwh_first", "_ccwh_files"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    lines, inserted = int(lines or 0), int(inserted or 0)
    return lines, inserted, lines - inserted


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = "
            "current_database() AND schema_name = $s AND table_name = $n) + (SELECT count(*) "
            "FROM duckdb_views() WHERE database_name = current_database() AND schema_name = "
            "$s AND view_name = $n)",
            {"s": schema, "n": name},
        ).fetchone()[0]
    )


def record_loaded_days(con: duckdb.DuckDBPyConnection, loaded_at: datetime) -> None:
    """raw.loaded_days: the (tenant, report day) pairs of the events loaded at ``loaded_at``."""
    if not _relation_exists(con, *REPORT_DAYS_VIEW):
        return
    late = _LATE if _relation_exists(con, *DAILY_MART) else "false"
    con.execute(_INSERT_LOADED_DAYS.format(late=late), {"loaded_at": loaded_at})


def quarantine_segment(home: Home, path: Path, error: str) -> Path:
    """Move an unloadable segment out of ready/ with a sidecar file holding the error."""
    dest_dir = home.quarantine / QUARANTINE_SUBDIR
    dest_dir.mkdir(parents=True, exist_ok=True)
    reason = dest_dir / f"{path.name}.error.txt"
    reason.write_text(
        f"quarantined_at: {datetime.now(UTC).isoformat()}\n"
        f"segment: {path.name}\n"
        f"reason: the loader could not load this segment; fix or remove the bad lines and "
        f"move the file back to {home.landing_ready} to load it.\n"
        f"error: {error}\n",
        encoding="utf-8",
    )
    dest = dest_dir / path.name
    os.replace(path, dest)
    fsync_dir(dest_dir)
    fsync_dir(path.parent)
    return dest


def load_segments(
    home: Home,
    con: duckdb.DuckDBPyConnection,
    *,
    max_files: int = BATCH_MAX_FILES,
    max_bytes: int = BATCH_MAX_BYTES,
    progress: Progress | None = None,
) -> LoadSummary:
    """Load every ready segment not in the manifest, batch by batch, on an open connection."""
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    summary = LoadSummary()
    for d in (home.landing_ready, home.landing_loaded, home.quarantine):
        d.mkdir(parents=True, exist_ok=True)
    ensure_raw_tables(con)
    # raw.events has no meaningful row order; letting DuckDB write batches unordered saves
    # time and memory on big inserts.
    con.execute("SET preserve_insertion_order = false")
    summary.recovered_orphans = recover_orphans(home)

    ready = ready_segments(home)
    done = manifest_names(con, [p.name for p in ready])
    if done:
        # Committed by an earlier run that died before moving them: the manifest wins.
        _move_all([p for p in ready if p.name in done], home.landing_loaded)
        summary.already_loaded = len(done)
    pending = [p for p in ready if p.name not in done]
    if not pending:
        _write_lake(home, con, summary, say)
        summary.seconds = time.monotonic() - started
        return summary
    total_bytes = sum(p.stat().st_size for p in pending)
    say(f"loading {len(pending)} segments ({total_bytes / 1e6:.1f} MB)…")

    queue = list(plan_batches(pending, max_files=max_files, max_bytes=max_bytes))
    while queue:
        batch = queue.pop(0)
        try:
            lines, inserted, duplicates = load_batch(con, batch)
        except SegmentError as exc:
            if len(batch) == 1:
                path = batch[0][0]
                quarantine_segment(home, path, str(exc))
                summary.quarantined.append(path.name)
                say(f"quarantined {path.name}: {exc}")
            else:
                # Find the bad file(s) by halving: the good halves still load together.
                mid = len(batch) // 2
                queue[0:0] = [batch[:mid], batch[mid:]]
            continue
        _move_all([p for p, _ in batch], home.landing_loaded)
        summary.batches += 1
        summary.segments += len(batch)
        summary.lines += lines
        summary.inserted += inserted
        summary.duplicates += duplicates
        summary.bytes += sum(n for _, n in batch)
        say(
            f"  batch {summary.batches}: {len(batch)} segments, {lines} lines, "
            f"{inserted} new, {duplicates} duplicates"
        )
    _write_lake(home, con, summary, say)
    summary.seconds = time.monotonic() - started
    return summary


def lake_enabled() -> bool:
    """The raw lake is written unless CCWH_RAW_LAKE=off (a DuckDB-only install saving disk)."""
    return os.environ.get(LAKE_ENV, "on").strip().lower() not in ("off", "0", "false", "no")


def _write_lake(home: Home, con: duckdb.DuckDBPyConnection, summary: LoadSummary, say) -> None:
    """Land every committed, not yet written load batch in the Parquet raw lake.

    After the batches' commits, so the lake holds only what raw.events holds; a batch whose
    lake write dies is written again by the next run (ingestion/lake.py).
    """
    if not lake_enabled():
        return
    from ingestion.lake import write_pending

    summary.lake_files += write_pending(con, home, progress=say).files


def load_ready(
    home: Home,
    database: str | os.PathLike[str] | None = None,
    *,
    max_files: int = BATCH_MAX_FILES,
    max_bytes: int = BATCH_MAX_BYTES,
    progress: Progress | None = None,
) -> LoadSummary:
    """Take the writer lock, open the warehouse (default: the home's) and load ready segments."""
    target = Path(database) if database is not None else home.warehouse
    target.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(home, announce=progress or _stderr), connect(target) as con:
        return load_segments(home, con, max_files=max_files, max_bytes=max_bytes, progress=progress)


def _stderr(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m ingestion.loader [--home DIR]``: load once (used by tests and benchmarks)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ingestion.loader", description=__doc__)
    parser.add_argument("--home", default=None)
    parser.add_argument("--max-files", type=int, default=BATCH_MAX_FILES)
    parser.add_argument("--max-bytes", type=int, default=BATCH_MAX_BYTES)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    summary = load_ready(
        Home.resolve(args.home),
        max_files=args.max_files,
        max_bytes=args.max_bytes,
        progress=None if args.quiet else _stderr,
    )
    print(summary.describe())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
