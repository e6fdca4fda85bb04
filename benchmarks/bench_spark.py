"""The same dbt build on DuckDB and on Spark (local[2], then local[1]) over N simulated events.
Prints figures; asserts nothing. Needs the Spark extra: ``make install-spark``.

    .venv/bin/python benchmarks/bench_spark.py [--events 10000000] [--home DIR] [--skip-local1]

For millions of events give Spark room (the profile's defaults suit the demo):
CCWH_SPARK_DRIVER_MEMORY=8g CCWH_SPARK_SHUFFLE_PARTITIONS=8.

Steps, each timed and printed:
1. simulate + land + load N events (bench_build.py's generator: 3 tenants, 28 days scaled),
   unless ``--home`` already holds a loaded warehouse;
2. raw lake: the loader's Parquet lake (ingestion/lake.py) written from raw.events — what
   Spark reads instead of DuckDB's raw table;
3. DuckDB: ``dbt seed`` + ``dbt run --full-refresh`` (every model; data tests left out on
   both engines, so the two runs do the same work);
4. Spark ``local[2]`` (both cores) and 5. Spark ``local[1]`` (one core): the same two
   commands with ``--target spark`` (dbt-spark, ``method: session``), each on an empty Spark
   warehouse and metastore, so both start cold; the ratio local[1] / local[2] shows how the
   build scales with cores on this machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_build import dbt, land, peak_rss_mib, say, sim_config  # noqa: E402
from machine_info import machine  # noqa: E402

from ccwh.paths import Home  # noqa: E402


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def build(env: dict, target_path: Path, *extra: str) -> tuple[float, float]:
    seed = dbt(["seed", "--full-refresh", "--quiet", *extra], env, target_path)
    run = dbt(["run", "--full-refresh", "--quiet", *extra], env, target_path)
    return seed, run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000_000, help="events to simulate")
    ap.add_argument("--home", help="data directory to use and keep (default: a temporary one)")
    ap.add_argument("--skip-local1", action="store_true", help="leave out the local[1] run")
    ap.add_argument(
        "--only-local1",
        type=float,
        metavar="DUCKDB_SECONDS",
        help="run only Spark local[1], reading against DuckDB's seed + run time of an "
        "earlier run on the same --home (the runs are long on 2 cores)",
    )
    args = ap.parse_args()

    root = Path(args.home).resolve() if args.home else Path(tempfile.mkdtemp(prefix="ccwh-bs-"))
    home = Home.resolve(str(root)).ensure()
    say(f"machine: {machine()}")
    say(f"home: {home.root}; load average at start {load_average()}")
    import duckdb

    loaded = 0
    if home.warehouse.exists():
        with duckdb.connect(str(home.warehouse), read_only=True) as con:
            loaded = con.execute("SELECT count(*) FROM raw.events").fetchone()[0]
    if loaded:
        say(f"1. reusing {loaded:,} loaded events in {home.warehouse}")
    else:
        from ingestion.loader import load_ready
        from ingestion.simulator import generate

        days = 28
        scale = max(0.05, 1.35 * args.events / (days * 24_000))
        t0 = time.perf_counter()
        n = land(home, generate(sim_config(days, scale)), args.events)
        os.environ["CCWH_RAW_LAKE"] = "off"  # timed on its own below
        summary = load_ready(home, progress=lambda m: None)
        del os.environ["CCWH_RAW_LAKE"]
        loaded = summary.inserted
        say(f"1. simulate + land + load: {n:,} events, {loaded:,} rows in "
            f"{time.perf_counter() - t0:.1f} s")  # fmt: skip

    from ccwh.warehouse import connect
    from ingestion.lake import write_pending

    with connect(home.warehouse) as con:
        lake = write_pending(con, home)
    size = sum(f.stat().st_size for f in home.lake_events.rglob("*.parquet"))
    if lake.rows:
        say(
            f"2. raw lake: {lake.rows:,} events into {lake.files:,} Parquet files "
            f"({size / 1e6:,.0f} MB) in {lake.seconds:.1f} s"
        )
    else:
        say(f"2. raw lake: already written ({size / 1e6:,.0f} MB)")

    base = dict(os.environ, CCWH_WAREHOUSE=str(home.warehouse), CCWH_HOME=str(home.root))
    base["CCWH_LAKE_DIR"] = str(home.lake_events)
    target = root / "bench-dbt-target"
    if args.only_local1 is not None:
        duck = args.only_local1
        say(f"3. DuckDB: {duck:.1f} s (given: an earlier run's seed + run)")
    else:
        seed, run = build(dict(base, CCWH_DBT_TARGET="duckdb"), target)
        duck = seed + run
        load = load_average()
        say(f"3. DuckDB: seed {seed:.1f} s + run {run:.1f} s = {duck:.1f} s (load {load})")

    say(
        "Spark settings: driver memory "
        f"{os.environ.get('CCWH_SPARK_DRIVER_MEMORY', '1g')}, shuffle partitions "
        f"{os.environ.get('CCWH_SPARK_SHUFFLE_PARTITIONS', '2')} "
        "(CCWH_SPARK_DRIVER_MEMORY, CCWH_SPARK_SHUFFLE_PARTITIONS)"
    )
    figures = {}
    if args.only_local1 is not None:
        cores_to_run: tuple[int, ...] = (1,)
    else:
        cores_to_run = (2,) if args.skip_local1 else (2, 1)
    for cores in cores_to_run:
        master = f"local[{cores}]"
        spark_dir = root / f"spark-{cores}"
        shutil.rmtree(spark_dir, ignore_errors=True)
        env = dict(base, CCWH_DBT_TARGET="spark", CCWH_SPARK_MASTER=master)
        env["CCWH_SPARK_DIR"] = str(spark_dir)
        seed, run = build(env, root / f"bench-dbt-target-{cores}")
        figures[master] = seed + run
        say(
            f"{6 - cores}. Spark {master}: seed {seed:.1f} s + run "
            f"{run:.1f} s = {seed + run:.1f} s; / DuckDB = {(seed + run) / duck:.1f}x "
            f"(load {load_average()})"
        )
    if len(figures) == 2:
        say(
            f"Spark local[1] / local[2] = {figures['local[1]'] / figures['local[2]']:.2f} "
            f"(2.0 would be perfect scaling over 2 cores)"
        )
    say(f"peak RSS of this process and dbt (Spark's JVM is dbt's child): {peak_rss_mib():,.0f} MiB")
    if not args.home:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
