"""Copying a Spark build's tables into the DuckDB warehouse (ccwh/spark_marts.py).

The folders are written the way Spark lays out managed Parquet tables (part files, a
partition column in folder names, _SUCCESS, .crc, an unfinished _temporary/ write); the
end-to-end run through real Spark is in tests/test_spark.py (make test-spark).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from ccwh.paths import Home
from ccwh.spark_marts import copy_spark_marts


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.delenv("CCWH_SPARK_DIR", raising=False)
    return Home(tmp_path / "home").ensure()


def spark_table(home: Home, schema: str, table: str) -> Path:
    folder = home.spark_dir / "warehouse" / f"{schema}.db" / table
    folder.mkdir(parents=True)
    (folder / "_SUCCESS").write_text("")
    return folder


def write(folder: Path, name: str, sql: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(f"COPY ({sql}) TO '{folder / name}' (FORMAT parquet)")
    (folder / f".{name}.crc").write_bytes(b"\0")


def test_copies_plain_and_partitioned_tables_and_ignores_spark_leftovers(home: Home) -> None:
    plain = spark_table(home, "main", "tenants")
    write(plain, "part-00000.parquet", "SELECT 'acme' AS tenant_id, 1.5::DOUBLE AS x")
    write(plain, "part-00001.parquet", "SELECT 'zeta' AS tenant_id, 2.5::DOUBLE AS x")
    write(plain / "_temporary" / "0", "part-00009.parquet", "SELECT 'junk' AS tenant_id, 9.0 AS x")
    daily = spark_table(home, "main", "queue_kpis_daily")
    for day, offered in (("2026-11-21", 3), ("2026-11-22", 4)):
        write(
            daily / f"report_day={day}",
            "part-00000.parquet",
            f"SELECT 'acme' AS tenant_id, {offered}::BIGINT AS offered",
        )
    seed = spark_table(home, "reference", "completion_statuses")
    write(seed, "part-00000.parquet", "SELECT 'ANSWERED' AS status, 10 AS rank")
    other = spark_table(home, "staging", "stg_x")  # not a copied schema
    write(other, "part-00000.parquet", "SELECT 1 AS a")

    with duckdb.connect(str(home.warehouse)) as con:
        # An existing table keeps its types and comment; rows are replaced.
        con.execute("CREATE TABLE tenants (tenant_id VARCHAR, x DOUBLE)")
        con.execute("INSERT INTO tenants VALUES ('old', 0)")
        con.execute("COMMENT ON TABLE tenants IS 'the tenants'")
        summary = copy_spark_marts(home, con)
        assert summary.tables == {
            "main.queue_kpis_daily": 2,
            "main.tenants": 2,
            "reference.completion_statuses": 1,
        }
        assert con.execute("SELECT * FROM main.tenants ORDER BY 1").fetchall() == [
            ("acme", 1.5),
            ("zeta", 2.5),
        ]
        assert con.execute(
            "SELECT comment FROM duckdb_tables() WHERE table_name = 'tenants'"
        ).fetchone() == ("the tenants",)
        # The partition column comes back last, typed as a date.
        assert con.execute(
            "SELECT * FROM main.queue_kpis_daily ORDER BY report_day"
        ).fetchall() == [
            ("acme", 3, date(2026, 11, 21)),
            ("acme", 4, date(2026, 11, 22)),
        ]
        assert not con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'staging'"
        ).fetchone()[0]


def test_an_empty_partitioned_table_empties_the_duckdb_table(home: Home) -> None:
    spark_table(home, "main", "abandoned_calls")
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("CREATE TABLE abandoned_calls (tenant_id VARCHAR, report_day DATE)")
        con.execute("INSERT INTO abandoned_calls VALUES ('acme', DATE '2026-11-22')")
        assert copy_spark_marts(home, con).tables == {"main.abandoned_calls": 0}
        assert con.execute("SELECT count(*) FROM abandoned_calls").fetchone() == (0,)


def test_an_empty_table_without_a_duckdb_twin_is_a_clear_error(home: Home) -> None:
    spark_table(home, "main", "abandoned_calls")
    with duckdb.connect(str(home.warehouse)) as con:
        with pytest.raises(RuntimeError, match="main.abandoned_calls has no Parquet files"):
            copy_spark_marts(home, con)
