"""Bring the marts a Spark build wrote back into the DuckDB warehouse, for checks and publish.

With the ``spark`` dbt target (dbt-spark, ``method: session``) the models are built by Spark
and stored as Parquet tables in ``$CCWH_SPARK_DIR/warehouse/<schema>.db/<table>/`` (the
Spark warehouse of this install, ``<home>/spark`` by default). Everything after dbt — the data
quality checks, publish to ``serve.duckdb``, the exports and Superset — reads the DuckDB
warehouse, so after each Spark build the marts (``main``) and seeds (``reference``) Spark
wrote are copied into ``ccwh.duckdb`` under the same names: one read of their Parquet files
per table, in one transaction. Then the rest of the pipeline is the same on both engines.

Only tables Spark holds are copied; DuckDB's ``raw``, ``staging`` and ``intermediate`` are
untouched (on Spark those live in Spark). A table that already exists in DuckDB with the same
columns is emptied and refilled (``INSERT … BY NAME``), keeping its column types and comments;
otherwise it is created from the files.

A cluster target (``spark_thrift``, ``spark_http``) keeps its tables in the cluster's storage,
which this machine cannot list: copying from there is not implemented (README "Scaling out").
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ccwh.paths import Home

if TYPE_CHECKING:
    import duckdb

TARGET_ENV = "CCWH_DBT_TARGET"  # read by dbt_project/profiles.yml too
SPARK_DIR_ENV = "CCWH_SPARK_DIR"
LAKE_DIR_ENV = "CCWH_LAKE_DIR"
COPIED_SCHEMAS = ("main", "reference")


def dbt_target() -> str:
    """The dbt output this process builds with (profiles.yml): CCWH_DBT_TARGET or duckdb."""
    return os.environ.get(TARGET_ENV, "").strip() or "duckdb"


def is_spark(target: str) -> bool:
    return target.startswith("spark")


def spark_dir(home: Home) -> Path:
    return Path(os.environ.get(SPARK_DIR_ENV) or home.spark_dir)


def spark_tables(home: Home, schema: str) -> dict[str, Path]:
    """Spark's managed tables of one schema: name -> folder of its Parquet files."""
    root = spark_dir(home) / "warehouse" / f"{schema}.db"
    if not root.is_dir():
        return {}
    return {p.name: p for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")}


@dataclass
class CopySummary:
    tables: dict[str, int] = field(default_factory=dict)  # "schema.table" -> rows
    seconds: float = 0.0

    def describe(self) -> str:
        rows = sum(self.tables.values())
        return (
            f"copied {len(self.tables)} Spark tables ({rows:,} rows) into the DuckDB warehouse "
            f"in {self.seconds:.1f} s"
        )


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = $s AND table_name = $t ORDER BY column_index",
        {"s": schema, "t": table},
    ).fetchall()
    return [r[0] for r in rows]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def copy_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, folder: Path) -> int:
    """Replace DuckDB's ``schema.table`` by the rows of Spark's table files; return the rows."""
    # Not Spark's hidden files: _temporary/ of an unfinished write, .crc checksums.
    files = sorted(
        f
        for f in folder.rglob("*.parquet")
        if not any(part.startswith(("_", ".")) for part in f.relative_to(folder).parts)
    )
    target = f"{_q(schema)}.{_q(table)}"
    existing = _columns(con, schema, table)
    if not files:  # Spark writes no file for an empty partitioned table
        if not existing:
            raise RuntimeError(
                f"Spark table {schema}.{table} has no Parquet files in {folder} and DuckDB has "
                f"no such table to take its columns from; rebuild it with dbt on Spark"
            )
        con.execute(f"DELETE FROM {target}")
        return 0
    # Partitioned tables keep the partition column (report_day) in folder names: hive
    # partitioning reads it back, last, where the model selects it too.
    source = f"read_parquet({[str(f) for f in files]!r}, hive_partitioning = true)"
    read = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    if existing and sorted(existing) == sorted(read):
        con.execute(f"DELETE FROM {target}")
        con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {source}")
    else:
        con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {source}")
    return int(con.execute(f"SELECT count(*) FROM {target}").fetchone()[0])


def copy_spark_marts(
    home: Home, con: duckdb.DuckDBPyConnection, only: set[str] | None = None
) -> CopySummary:
    """Copy Spark's ``main`` and ``reference`` tables (or the names in ``only``) into DuckDB."""
    started = time.monotonic()
    summary = CopySummary()
    con.execute("BEGIN TRANSACTION")
    try:
        for schema in COPIED_SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(schema)}")
            for table, folder in spark_tables(home, schema).items():
                if only is not None and table not in only:
                    continue
                summary.tables[f"{schema}.{table}"] = copy_table(con, schema, table, folder)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    summary.seconds = time.monotonic() - started
    return summary
