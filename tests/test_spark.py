"""The same dbt project on DuckDB and on Apache Spark gives identical marts (`make test-spark`).

One simulated data set (three tenants: acme-pl ahead of UTC, solaris-br behind, meridian at
UTC; three local days from 2026-03-07, across the US DST change of 2026-03-08 that moves the
behind-UTC report day) is loaded once, then:

1. DuckDB: `dbt build` (seeds, models, snapshot, data and unit tests) on the warehouse.
2. Spark, first load (side by side with 1): the raw lake without its newest UTC days
   (occurred_day >= 2026-03-09); `dbt build` of the report-day incremental marts, the
   snapshot and what they read.
3. Spark, second load: the held-back lake folders come back (as a later load adds them);
   `dbt build` of everything except tests, with vars min_date/max_date: table models rebuild,
   the incremental marts replace only the report days 2026-03-08..10 (insert_overwrite) and
   must keep the older days from step 2 untouched.
4. Every mart (dbt_project/models/marts) and seed is read from both engines and compared row
   by row: rows sorted by all columns; floats within 1e-9 relative; everything else exact;
   column names, order and type families equal.

The raw lake is the one the loader writes (ingestion/lake.py); when this checkout's loader
writes none, it is exported from raw.events with DuckDB's partitioned COPY (same layout).
Skipped when pyspark (the `[spark]` extra) or Java is missing. About 4.5 minutes on 2 quiet
cores (12-13 while other builds share them).
"""

from __future__ import annotations

import json
import math
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DBT_PROJECT = REPO / "dbt_project"
MARTS = DBT_PROJECT / "models" / "marts"
SEEDS = DBT_PROJECT / "seeds"
SNAPSHOT = "snapshots.directory_snapshot"

START = "2026-03-07"
DAYS = 3
# The second load: lake folders of these UTC days are held back from the first Spark build.
LATER_OCCURRED_DAYS = ("2026-03-09", "2026-03-10")
# Report days the second Spark build rebuilds incrementally (every report day that can hold
# an event of a held-back occurred_day, in any tenant's zone: 03-08 for the behind-UTC day).
INCREMENTAL_MIN_DATE = "2026-03-08"
INCREMENTAL_MAX_DATE = "2026-03-10"
# "Today" of the period reports (company_interaction_trends), the same for both engines: left
# to each tenant's current report day, a build before and one after a tenant's day boundary
# (03:00 New York for a tenant behind UTC) differ by a day.
AS_OF_DATE = "2026-03-10"

REL_TOL = 1e-9
ABS_TOL = 1e-12  # two zeros reached by different roundings: |a - b| below this is equal

DBT_ENV = {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}


def _have_pyspark_and_java() -> str | None:
    """Why the Spark tests cannot run here, or None."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed: `make install-spark` (pip install -e '.[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed: `make install-spark` (openjdk-17-jre-headless)"
    return None


needs_spark = pytest.mark.skipif(
    _have_pyspark_and_java() is not None, reason=str(_have_pyspark_and_java())
)
pytestmark = pytest.mark.spark


# --- the comparison ---------------------------------------------------------------------


@dataclass
class Table:
    """One table as an engine returned it: column names, engine type names, Python rows."""

    columns: list[str]
    types: list[str]
    rows: list[tuple]

    @classmethod
    def from_frame(cls, df, types: list[str] | None = None) -> Table:
        """A pandas DataFrame as a Table (types: the dtypes unless given)."""
        import pandas as pd

        rows = []
        for record in df.astype(object).itertuples(index=False, name=None):
            rows.append(tuple(_from_pandas(v, pd) for v in record))
        return cls(list(df.columns), types or [str(t) for t in df.dtypes], rows)


def _from_pandas(value, pd):
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        return value.item()
    return value


def type_family(name: str) -> str:
    """Engine type name -> what must agree across engines (widths of integers may differ)."""
    t = name.strip().lower()
    if t in ("varchar", "string", "json", "text", "object") or t.startswith("varchar("):
        return "string"
    if t in ("tinyint", "smallint", "int", "integer", "bigint", "hugeint", "int64", "int32"):
        return "integer"
    if t in ("double", "float", "real", "float64", "float32"):
        return "float"
    if t.startswith("decimal"):
        return t.replace(" ", "")
    if t in ("boolean", "bool"):
        return "boolean"
    if t == "date":
        return "date"
    if t in ("timestamp", "timestamp_ntz", "datetime64[ns]", "datetime64[us]"):
        return "timestamp"
    return t


def _is_number(v) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _sort_key(row: tuple) -> tuple:
    """Orders rows by every column; None first; floats by 9 significant digits, so that two
    engines' last-bit differences never reorder rows."""
    key = []
    for v in row:
        if v is None:
            key.append((0, 0))
        elif isinstance(v, bool):
            key.append((1, int(v)))
        elif isinstance(v, float):
            key.append((2, float(f"{v:.9g}") if math.isfinite(v) else v))
        elif _is_number(v):
            key.append((2, v))
        elif isinstance(v, datetime):
            key.append((3, v.isoformat()))
        elif isinstance(v, date):
            key.append((4, v.isoformat()))
        else:
            key.append((5, str(v)))
    return tuple(key)


def same_value(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if _is_number(a) and _is_number(b):
        if isinstance(a, float) or isinstance(b, float):
            fa, fb = float(a), float(b)
            if math.isnan(fa) or math.isnan(fb):
                return math.isnan(fa) and math.isnan(fb)
            return math.isclose(fa, fb, rel_tol=REL_TOL, abs_tol=ABS_TOL)
        return a == b
    if isinstance(a, datetime) or isinstance(b, datetime):
        return isinstance(a, datetime) and isinstance(b, datetime) and a == b
    if isinstance(a, date) or isinstance(b, date):
        return type(a) is type(b) and a == b
    return type(a) is type(b) and a == b


def compare_tables(
    name: str,
    left: Table,
    right: Table,
    labels: tuple[str, str] = ("duckdb", "spark"),
    max_rows: int = 5,
) -> list[str]:
    """The differences between two tables (empty when identical), naming the table and
    showing the first differing rows of both sides."""
    la, lb = labels
    if left.columns != right.columns:
        return [f"{name}: columns differ\n  {la}: {left.columns}\n  {lb}: {right.columns}"]
    problems = []
    for col, ta, tb in zip(left.columns, left.types, right.types, strict=True):
        fa, fb = type_family(ta), type_family(tb)
        if fa != fb:
            problems.append(f"{name}.{col}: type {la} {ta} ({fa}) != {lb} {tb} ({fb})")
    if len(left.rows) != len(right.rows):
        problems.append(f"{name}: {la} has {len(left.rows)} rows, {lb} {len(right.rows)}")
    a_rows = sorted(left.rows, key=_sort_key)
    b_rows = sorted(right.rows, key=_sort_key)
    shown = 0
    for i, (ra, rb) in enumerate(zip(a_rows, b_rows, strict=False)):
        bad = [c for c, x, y in zip(left.columns, ra, rb, strict=True) if not same_value(x, y)]
        if bad:
            problems.append(
                f"{name}: sorted row {i} differs in {bad}\n"
                f"  {la}: {dict(zip(left.columns, ra, strict=True))}\n"
                f"  {lb}: {dict(zip(right.columns, rb, strict=True))}"
            )
            shown += 1
            if shown >= max_rows:
                break
    if len(left.rows) != len(right.rows) and shown < max_rows:
        n = min(len(a_rows), len(b_rows))
        for side, rows in ((la, a_rows[n:]), (lb, b_rows[n:])):
            for row in rows[: max_rows - shown]:
                row_dict = dict(zip(left.columns, row, strict=True))
                problems.append(f"{name}: only in {side}: {row_dict}")
    return problems


# --- the unit test of the comparison (no Spark needed) ----------------------------------


def test_compare_reports_a_float_beyond_tolerance_and_a_missing_row():
    import pandas as pd

    duck = pd.DataFrame(
        {
            "tenant_id": ["a", "a", "b"],
            "report_day": [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 7)],
            "offered": [10, 12, 7],
            "service_level": [0.8, 0.75, 1 / 3],
        }
    )
    within = duck.copy()
    within.loc[2, "service_level"] = 1 / 3 * (1 + 1e-12)  # rounding noise: equal
    assert compare_tables("t", Table.from_frame(duck), Table.from_frame(within)) == []
    # rows in another order are the same table
    shuffled = within.iloc[[2, 0, 1]].reset_index(drop=True)
    assert compare_tables("t", Table.from_frame(duck), Table.from_frame(shuffled)) == []

    spark = within.copy()
    spark.loc[1, "service_level"] = 0.75 * (1 + 1e-6)  # beyond 1e-9 relative
    problems = compare_tables("queue_kpis_daily", Table.from_frame(duck), Table.from_frame(spark))
    assert len(problems) == 1, problems
    assert "queue_kpis_daily: sorted row 1 differs in ['service_level']" in problems[0]
    assert "duckdb: {'tenant_id': 'a', 'report_day': datetime.date(2026, 3, 8)" in problems[0]
    assert "spark: {'tenant_id': 'a'" in problems[0]
    assert "'service_level': 0.75000074999" in problems[0]

    fewer = spark.drop(index=0).reset_index(drop=True)
    problems = compare_tables("queue_kpis_daily", Table.from_frame(duck), Table.from_frame(fewer))
    assert problems[0] == "queue_kpis_daily: duckdb has 3 rows, spark 2"
    assert any("differs in" in p for p in problems)

    # a date against a timestamp, a string against a number, a type family
    assert not same_value(date(2026, 3, 7), datetime(2026, 3, 7))
    assert not same_value("1", 1)
    assert not same_value(None, 0.0)
    assert same_value(3, 3.0000000000001)
    t1 = Table(["x"], ["BIGINT"], [(1,)])
    t2 = Table(["x"], ["double"], [(1.0,)])
    assert compare_tables("t", t1, t2) == [
        "t.x: type duckdb BIGINT (integer) != spark double (float)"
    ]
    t3 = Table(["y"], ["bigint"], [(1,)])
    assert compare_tables("t", t1, t3)[0].startswith("t: columns differ")


# --- the build on both engines ----------------------------------------------------------


def mart_tables() -> list[str]:
    """schema.table of every mart (models/marts/**.sql, schema main) and seed (reference)."""
    marts = sorted(f"main.{p.stem}" for p in MARTS.rglob("*.sql"))
    seeds = sorted(f"reference.{p.stem}" for p in SEEDS.glob("*.csv"))
    return marts + seeds


class _Step:
    """A command running in the background, its output in a log file."""

    def __init__(self, cmd: list[str], env: dict[str, str], log: Path, what: str) -> None:
        self.log, self.what = log, what
        self.started = time.monotonic()
        with log.open("w") as out:
            # own process group: stopping it also stops the JVM that dbt's pyspark started
            self.proc = subprocess.Popen(
                cmd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                start_new_session=True,
            )

    def wait(self) -> float:
        if hasattr(self, "seconds"):
            return self.seconds
        code = self.proc.wait()
        seconds = getattr(self, "ended", time.monotonic()) - self.started
        if code != 0:
            lines = self.log.read_text(errors="replace").splitlines()
            errors = [line for line in lines if "Error" in line or "ERROR" in line][:20]
            tail = "\n".join([*errors, "...", *lines[-30:]])
            pytest.fail(f"{self.what} failed (exit {code}, log {self.log}):\n{tail}")
        print(f"{self.what}: {seconds:.0f} s", flush=True)
        self.seconds = seconds
        return seconds


def _run(cmd: list[str], env: dict[str, str], log: Path, what: str) -> float:
    return _Step(cmd, env, log, what).wait()


def _wait_all(*steps: _Step) -> list[float]:
    """Wait for every step (each one's own duration); a failed one stops the others."""
    try:
        pending = list(steps)
        while pending:
            for step in list(pending):
                if step.proc.poll() is not None:
                    step.ended = time.monotonic()
                    pending.remove(step)
                    step.wait()  # fails the test at once if it failed
            time.sleep(0.5)
        return [step.wait() for step in steps]
    finally:
        for step in steps:
            if step.proc.poll() is None:
                os.killpg(step.proc.pid, signal.SIGKILL)
                step.proc.wait()


def _dbt(root: Path, engine: str, *args: str) -> list[str]:
    dbt = Path(sys.executable).parent / "dbt"
    return [
        str(dbt),
        *args,
        "--target",
        engine,
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(root / f"target-{engine}"),
        "--log-path",
        str(root / f"logs-{engine}"),
    ]


def _move_day_folders(src: Path, dst: Path, days: tuple[str, ...]) -> int:
    moved = 0
    for day in days:
        for folder in sorted(src.glob(f"tenant_id=*/event_type=*/occurred_day={day}")):
            target = dst / folder.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            folder.rename(target)
            moved += 1
    return moved


def read_duckdb(warehouse: Path, tables: list[str]) -> dict[str, Table]:
    import duckdb

    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name in tables:
            rel = con.sql(f"select * from {name}")
            out[name] = Table(list(rel.columns), [str(t) for t in rel.types], rel.fetchall())
    return out


def read_spark(root: Path, spark_dir: Path, tables: list[str], env: dict[str, str]) -> dict:
    out = root / "spark_tables.pickle"
    helper = Path(__file__).resolve().parent / "spark_read_tables.py"
    _run(
        [sys.executable, str(helper), str(spark_dir), str(out), *tables],
        env,
        root / "read-spark.log",
        "read the Spark tables",
    )
    raw = pickle.loads(out.read_bytes())
    return {n: Table(t["columns"], t["types"], t["rows"]) for n, t in raw.items()}


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory: pytest.TempPathFactory):
    reason = _have_pyspark_and_java()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("spark")
    home = root / "home"
    spark_dir = home / "spark"
    lake = home / "lake" / "events"
    held = root / "lake-later-load"
    warehouse = home / "warehouse" / "ccwh.duckdb"
    env = {
        **os.environ,
        **DBT_ENV,
        "CCWH_HOME": str(home),
        "CCWH_WAREHOUSE": str(warehouse),
        "CCWH_SPARK_DIR": str(spark_dir),
        "CCWH_LAKE_DIR": str(lake),
    }
    env.pop("DBT_TARGET", None)
    env.pop("CCWH_DBT_TARGET", None)
    ccwh = [sys.executable, "-m", "ccwh.cli", "--home", str(home)]
    timings: dict[str, float] = {}
    events = root / "events.ndjson"
    timings["simulate"] = _run(
        [
            *ccwh,
            "simulate",
            "--days",
            str(DAYS),
            "--start",
            START,
            "--calls-per-queue-day",
            "60",
            "--clients-per-campaign-day",
            "20",
            "--contacts",
            "100",
            "--out",
            str(events),
            "--no-progress",
        ],
        env,
        root / "simulate.log",
        "simulate",
    )
    _run([*ccwh, "ingest", str(events), "--no-progress"], env, root / "ingest.log", "ingest")
    timings["load"] = _run(
        [sys.executable, "-m", "ingestion.loader", "--home", str(home), "--quiet"],
        env,
        root / "load.log",
        "load",
    )
    # Spark reads the lake the loader wrote (ingestion/lake.py), the same as in production.
    assert any(lake.rglob("*.parquet")), f"the loader wrote no raw lake in {lake}"
    assert _move_day_folders(lake, held, LATER_OCCURRED_DAYS) > 0, "nothing to hold back"

    window = json.dumps(
        {
            "min_date": INCREMENTAL_MIN_DATE,
            "max_date": INCREMENTAL_MAX_DATE,
            "as_of_date": AS_OF_DATE,
        }
    )
    # DuckDB (the warehouse file) and Spark's first load (the lake, its own metastore) share
    # nothing: run them side by side, much of either is waiting (JVM start, task scheduling).
    duckdb_build = _Step(
        _dbt(root, "duckdb", "build", "--vars", json.dumps({"as_of_date": AS_OF_DATE})),
        env,
        root / "dbt-duckdb.log",
        "dbt build on DuckDB",
    )
    spark_first = _Step(
        _dbt(
            root,
            "spark",
            "build",
            "--select",
            "+tag:report_day_partitioned",
            "+directory_snapshot",
            "--exclude-resource-type",
            "test",
            "unit_test",
            # the second load's vars already: a first build ignores the window (every day is
            # built), and equal vars let the second run reuse this run's parse
            "--vars",
            window,
        ),
        env,
        root / "dbt-spark-1.log",
        "dbt build on Spark (first load: incremental marts, snapshot)",
    )
    timings["duckdb build"], timings["spark first load"] = _wait_all(duckdb_build, spark_first)

    assert _move_day_folders(held, lake, LATER_OCCURRED_DAYS) > 0
    timings["spark second load"] = _run(
        _dbt(
            root,
            "spark",
            "build",
            "--exclude-resource-type",
            "test",
            "unit_test",
            "--vars",
            window,
        ),
        env,
        root / "dbt-spark-2.log",
        "dbt build on Spark (second load, incremental window)",
    )
    tables = [*mart_tables(), SNAPSHOT]
    duck = read_duckdb(warehouse, tables)
    spark = read_spark(root, spark_dir, tables, env)
    return {"root": root, "duckdb": duck, "spark": spark, "timings": timings}


@needs_spark
def test_every_mart_and_seed_is_identical_on_duckdb_and_spark(both_engines):
    duck, spark = both_engines["duckdb"], both_engines["spark"]
    assert set(duck) == set(spark) == {*mart_tables(), SNAPSHOT}
    problems = []
    for name in mart_tables():
        problems += compare_tables(name, duck[name], spark[name])
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:40])


@needs_spark
def test_the_data_set_covers_every_mart_and_three_kinds_of_tenant(both_engines):
    """Identical empty tables would prove nothing: every mart has rows, and the queue marts
    have all three tenants (ahead of, behind and at UTC) over several report days."""
    duck = both_engines["duckdb"]
    empty = [n for n in mart_tables() if not duck[n].rows and n.startswith("main.")]
    assert not empty, f"marts without rows in the test data set: {empty}"
    daily = duck["main.queue_kpis_daily"]
    tenant = daily.columns.index("tenant_id")
    day = daily.columns.index("report_day")
    assert {r[tenant] for r in daily.rows} == {"acme-pl", "solaris-br", "meridian"}
    days = {r[day] for r in daily.rows}
    assert len(days) >= 3
    # the incremental window left older report days from the first Spark load in place
    assert min(days) < date.fromisoformat(INCREMENTAL_MIN_DATE)


def current_snapshot_rows(table: Table) -> Table:
    """The snapshot's current rows without dbt's columns (build times differ per engine)."""
    keep = [i for i, c in enumerate(table.columns) if not c.startswith("dbt_")]
    valid_to = table.columns.index("dbt_valid_to")
    return Table(
        [table.columns[i] for i in keep],
        [table.types[i] for i in keep],
        [tuple(row[i] for i in keep) for row in table.rows if row[valid_to] is None],
    )


@needs_spark
def test_snapshot_on_spark_holds_the_current_directory_after_two_loads(both_engines):
    """Spark snapshotted twice (first load, then the rewrite that replaces MERGE on parquet);
    DuckDB once. Their current rows are the same directory state."""
    duck, spark = both_engines["duckdb"][SNAPSHOT], both_engines["spark"][SNAPSHOT]
    assert duck.columns == spark.columns
    problems = compare_tables(SNAPSHOT, current_snapshot_rows(duck), current_snapshot_rows(spark))
    assert not problems, "\n".join(problems)
    valid_to = spark.columns.index("dbt_valid_to")
    assert any(r[valid_to] is not None for r in spark.rows), (
        "the second load changed no directory entity: the rewrite's update path went untested"
    )
    scd = spark.columns.index("dbt_scd_id")
    assert len({r[scd] for r in spark.rows}) == len(spark.rows), "dbt_scd_id repeats"
