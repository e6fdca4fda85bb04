"""Publish: copy what readers need from ``ccwh.duckdb`` into ``serve.duckdb``, atomically.

Readers never open the warehouse itself (DuckDB's writer excludes every other process). They
open ``serve.duckdb`` read-only per query. Publishing builds a complete new file next to it
(``serve.duckdb.next``) and swaps it in with ``os.replace``: a reader that opened the old file
keeps reading the old inode, the next one gets the new file, and nobody ever sees a half-written
database (STACK.md: 0 errors over 311 swaps under Superset load). A crash mid-publish leaves
only a stale ``.next``, which the next publish deletes; the serving copy stays intact.

Only ``main`` (marts) and ``reference`` (seeds) are copied. ``raw``, ``staging`` and
``intermediate`` are pipeline internals, and raw would double the disk. Views are
materialised as tables, since what they select from is not in the copy.

Each copy says how fresh it is in the one-row view ``main.ccwh_publication``, written inside
the copy (so it is swapped in atomically with the data it describes): ``published_at``, when
the copy was taken, and ``last_load_at``, when the loader's newest batch in it was loaded
(the latest ``raw.loaded_segments.loaded_at``; NULL if the warehouse has no load manifest).
Events that reached the landing area after ``last_load_at`` are not in the copy, however long
before ``published_at`` they arrived: incremental exports cap their cut-off there
(docs/exports.md). It is a view, not a table, so the copy's tables stay exactly the marts and
seeds.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ccwh.paths import Home
from ccwh.warehouse import connect, fsync_dir, writer_lock

if TYPE_CHECKING:
    import duckdb

PUBLISHED_SCHEMAS: tuple[str, ...] = ("main", "reference")
PUBLICATION_VIEW = "ccwh_publication"  # in schema main of the copy
_ALIAS = "ccwh_serve_next"


@dataclass(frozen=True)
class Publication:
    """When a copy was taken and how recent its data is; naive UTC, as DuckDB stores them."""

    published_at: datetime
    last_load_at: datetime | None


@dataclass
class PublishSummary:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)  # "schema.table" -> rows
    bytes: int = 0
    seconds: float = 0.0
    publication: Publication | None = None

    def describe(self) -> str:
        return (
            f"published {len(self.tables)} tables ({sum(self.tables.values())} rows, "
            f"{self.bytes / 1e6:.1f} MB) to {self.path} in {self.seconds:.2f} s"
        )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _relations(con: duckdb.DuckDBPyConnection, schema: str) -> list[tuple[str, str | None]]:
    """(name, comment) of the tables and views of one schema of the main database."""
    return con.execute(
        """
        SELECT table_name, comment FROM duckdb_tables()
        WHERE database_name = current_database() AND schema_name = $s AND NOT temporary
        UNION ALL
        SELECT view_name, comment FROM duckdb_views()
        WHERE database_name = current_database() AND schema_name = $s AND NOT temporary
          AND NOT internal
        ORDER BY 1
        """,
        {"s": schema},
    ).fetchall()


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str, comment: str | None):
    # dbt's descriptions (persist_docs) reach Superset and `ccwh sql` users through these.
    target = f"{_ALIAS}.{_ident(schema)}.{_ident(table)}"
    if comment:
        con.execute(f"COMMENT ON TABLE {target} IS {_literal(comment)}")
    columns = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = "
        "current_database() AND schema_name = $s AND table_name = $t AND comment IS NOT NULL",
        {"s": schema, "t": table},
    ).fetchall()
    for column, text in columns:
        con.execute(f"COMMENT ON COLUMN {target}.{_ident(column)} IS {_literal(text)}")


def last_load_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the newest loader batch in the open warehouse was loaded (None: no manifest)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'raw' AND table_name = 'loaded_segments'"
    ).fetchone()[0]
    if not exists:
        return None
    return con.execute("SELECT max(loaded_at) FROM raw.loaded_segments").fetchone()[0]


def _timestamp(value: datetime | None) -> str:
    if value is None:
        return "CAST(NULL AS TIMESTAMP)"
    return f"CAST({_literal(value.isoformat(sep=' '))} AS TIMESTAMP)"


def _write_publication(con: duckdb.DuckDBPyConnection, publication: Publication) -> None:
    view = f"{_ALIAS}.main.{_ident(PUBLICATION_VIEW)}"
    con.execute(
        f"CREATE VIEW {view} AS SELECT {_timestamp(publication.published_at)} AS published_at, "
        f"{_timestamp(publication.last_load_at)} AS last_load_at"
    )
    con.execute(
        f"COMMENT ON VIEW {view} IS "
        + _literal(
            "When this copy was published (published_at, UTC) and when the newest data in it "
            "was loaded (last_load_at, UTC): events that reached ccwh after last_load_at are "
            "not in it yet."
        )
    )


def copy_schemas(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    publication: Publication | None = None,
) -> dict[str, int]:
    """Copy the given schemas of the open warehouse into a new database file ``target``, and
    describe the copy in ``main.ccwh_publication`` if ``publication`` is given."""
    copied: dict[str, int] = {}
    con.execute(f"ATTACH {_literal(str(target))} AS {_ALIAS}")
    try:
        for schema in schemas:
            relations = [
                (name, comment)
                for name, comment in _relations(con, schema)
                if not (schema == "main" and name == PUBLICATION_VIEW)  # a copy's, not ours
            ]
            if not relations:
                continue
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ALIAS}.{_ident(schema)}")
            for name, comment in relations:
                source = f"{_ident(schema)}.{_ident(name)}"
                con.execute(
                    f"CREATE TABLE {_ALIAS}.{_ident(schema)}.{_ident(name)} AS "
                    f"SELECT * FROM {source}"
                )
                _copy_comments(con, schema, name, comment)
                copied[f"{schema}.{name}"] = con.execute(
                    f"SELECT count(*) FROM {_ALIAS}.{_ident(schema)}.{_ident(name)}"
                ).fetchone()[0]
        if publication is not None:
            _write_publication(con, publication)
    finally:
        con.execute(f"DETACH {_ALIAS}")  # checkpoints the new file and closes it
    return copied


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def publish(home: Home, database: str | os.PathLike[str] | None = None) -> PublishSummary:
    """Replace ``serve.duckdb`` with a fresh copy of the warehouse's marts and seeds."""
    started = time.monotonic()
    source = Path(database) if database is not None else home.warehouse
    if not source.exists():
        raise FileNotFoundError(
            f"{source}: no warehouse to publish yet; run `ccwh build` (it loads, models and "
            "then publishes)"
        )
    serving = home.serving
    staging = serving.with_name(serving.name + ".next")
    with writer_lock(home):
        _remove(staging)  # left by a publish that died half-way
        with connect(source) as con:
            # Taken under the writer lock: nothing changes the warehouse until the copy is done.
            publication = Publication(
                published_at=datetime.now(UTC).replace(tzinfo=None),
                last_load_at=last_load_at(con),
            )
            tables = copy_schemas(con, staging, publication=publication)
        # The new file must be on disk before the rename makes it the one readers open.
        fd = os.open(staging, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(staging, serving)
        fsync_dir(serving.parent)
    return PublishSummary(
        path=serving,
        tables=tables,
        bytes=serving.stat().st_size,
        seconds=time.monotonic() - started,
        publication=publication,
    )
