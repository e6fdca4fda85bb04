"""Publish: serve.duckdb is swapped atomically and holds only what readers need."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from ccwh.paths import Home
from ccwh.publish import publish


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home").ensure()
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute(
            """
            CREATE SCHEMA raw; CREATE SCHEMA staging; CREATE SCHEMA intermediate;
            CREATE SCHEMA reference;
            CREATE TABLE raw.events AS SELECT range AS id FROM range(1000);
            CREATE VIEW staging.stg AS SELECT id FROM raw.events;
            CREATE TABLE intermediate.i AS SELECT id FROM raw.events;
            CREATE TABLE main.kpis (version INTEGER, n INTEGER);
            INSERT INTO main.kpis SELECT 1, range FROM range(10);
            COMMENT ON TABLE main.kpis IS 'KPIs per version';
            COMMENT ON COLUMN main.kpis.n IS 'a number';
            CREATE VIEW main.kpis_view AS SELECT version, count(*) AS rows FROM main.kpis
                GROUP BY version;
            CREATE TABLE reference.statuses AS SELECT 'ok' AS status, 1 AS rank;
            """
        )
    return home


def tables(path: Path) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(
            con.execute(
                "SELECT schema_name || '.' || table_name, coalesce(comment, '') FROM "
                "duckdb_tables() WHERE database_name = current_database()"
            ).fetchall()
        )


def test_publishes_marts_and_seeds_only(home: Home) -> None:
    summary = publish(home)
    assert summary.tables == {
        "main.kpis": 10,
        "main.kpis_view": 1,
        "reference.statuses": 1,
    }
    # Views become tables: what they read from (staging, raw) is not in the copy.
    assert tables(home.serving) == {
        "main.kpis": "KPIs per version",
        "main.kpis_view": "",
        "reference.statuses": "",
    }
    with duckdb.connect(str(home.serving), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM kpis").fetchone() == (10,)
        comment = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE table_name='kpis' AND column_name='n'"
        ).fetchone()
        assert comment == ("a number",)
    assert not home.serving.with_name("serve.duckdb.next").exists()


def test_publish_is_idempotent_and_replaces_a_stale_next(home: Home) -> None:
    publish(home)
    first = tables(home.serving)
    # A publish that died half-way left a broken .next behind.
    home.serving.with_name("serve.duckdb.next").write_bytes(b"not a database")
    publish(home)
    assert tables(home.serving) == first


def test_failed_publish_keeps_the_previous_copy(home: Home) -> None:
    publish(home)
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("INSERT INTO main.kpis VALUES (2, 0)")
        con.execute("CREATE VIEW main.broken AS SELECT * FROM raw.events")
        con.execute("DROP TABLE raw.events")  # the view now fails to materialise
    with pytest.raises(duckdb.Error):
        publish(home)
    with duckdb.connect(str(home.serving), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM kpis").fetchone() == (10,)


def test_no_published_warehouse_message(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="ccwh build"):
        publish(Home(tmp_path / "empty").ensure())


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    path, seconds = sys.argv[1], float(sys.argv[2])
    queries = errors = torn = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with duckdb.connect(path, read_only=True) as con:
                version, rows, versions = con.execute(
                    "SELECT max(version), count(*), count(DISTINCT version) FROM kpis"
                ).fetchone()
            # Each published copy holds 10 rows of exactly one version.
            if rows != 10 or versions != 1:
                torn += 1
            queries += 1
        except Exception as exc:
            errors += 1
            print("ERROR", exc, file=sys.stderr)
    print(queries, errors, torn)
    """
)


def test_readers_see_no_errors_while_publish_swaps(home: Home) -> None:
    publish(home)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home.serving), "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    swaps = 0
    version = 1
    while reader.poll() is None:
        version += 1
        with duckdb.connect(str(home.warehouse)) as con:
            con.execute("UPDATE main.kpis SET version = $v", {"v": version})
        publish(home)
        swaps += 1
        time.sleep(0.1)
    out, err = reader.communicate()
    queries, errors, torn = (int(x) for x in out.split())
    assert reader.returncode == 0, err
    assert errors == 0, err
    assert torn == 0
    assert queries > 0 and swaps > 1
