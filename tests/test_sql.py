"""``ccwh sql``: read-only queries on the published copy, in three output formats."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ccwh.paths import REPO_ROOT, Home
from ccwh.publish import publish


def ccwh(home: Home, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    return subprocess.run(
        [sys.executable, "-m", "ccwh.cli", "--home", str(home.root), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home").ensure()
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute(
            """
            CREATE TABLE main.queue_kpis_daily (
                tenant_id VARCHAR, report_day DATE, queue_id VARCHAR, offered BIGINT,
                service_level DOUBLE, asa DECIMAL(10, 2));
            INSERT INTO queue_kpis_daily VALUES
                ('acme', '2026-11-22', 'q1', 120, 0.8125, 12.50),
                ('acme', '2026-11-22', 'q2', 7, NULL, 3.00);
            """
        )
    publish(home)
    return home


def test_table_output(home: Home) -> None:
    result = ccwh(home, "sql", "SELECT * FROM queue_kpis_daily ORDER BY queue_id")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [c.strip() for c in lines[0].split("|")] == [
        "tenant_id",
        "report_day",
        "queue_id",
        "offered",
        "service_level",
        "asa",
    ]
    assert set(lines[1]) <= {"-", "+"}
    assert lines[2].startswith("acme      | 2026-11-22 | q1       |     120 |")
    assert "NULL" in lines[3]
    assert lines[-1] == "(2 rows)"


def test_csv_and_json_output_with_hugeint(home: Home) -> None:
    # sum() of BIGINT is HUGEINT in DuckDB: it must come out as a plain number.
    query = "SELECT queue_id, sum(offered) AS offered, avg(asa) AS asa FROM queue_kpis_daily "
    query += "GROUP BY queue_id ORDER BY queue_id"
    as_csv = ccwh(home, "sql", "--format", "csv", query)
    assert as_csv.returncode == 0, as_csv.stderr
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [
        ["queue_id", "offered", "asa"],
        ["q1", "120", "12.5"],
        ["q2", "7", "3.0"],
    ]
    as_json = ccwh(home, "sql", "--format", "json", query)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [
        {"queue_id": "q1", "offered": 120, "asa": 12.5},
        {"queue_id": "q2", "offered": 7, "asa": 3.0},
    ]


def test_works_while_the_warehouse_is_held_by_a_writer(home: Home) -> None:
    with duckdb.connect(str(home.warehouse)):  # a pipeline run has the warehouse open
        result = ccwh(home, "sql", "SELECT count(*) AS n FROM queue_kpis_daily")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2].strip() == "2"


def test_is_read_only(home: Home) -> None:
    result = ccwh(home, "sql", "DROP TABLE queue_kpis_daily")
    assert result.returncode == 1
    assert "read-only" in result.stderr.lower()


def test_bad_query_names_the_error(home: Home) -> None:
    result = ccwh(home, "sql", "SELECT nope FROM queue_kpis_daily")
    assert result.returncode == 1
    assert "query failed" in result.stderr and "nope" in result.stderr


def test_no_published_warehouse_yet(tmp_path: Path) -> None:
    result = ccwh(Home(tmp_path / "new"), "sql", "SELECT 1")
    assert result.returncode == 1
    assert "no published warehouse yet — run `ccwh build`" in result.stderr
