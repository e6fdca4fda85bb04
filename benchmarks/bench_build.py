"""Full dbt build over N simulated events (default 10 million) beside the same SQL run
directly in DuckDB, and one incremental day. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_build.py [--events 10000000] [--home DIR] [--keep]

Steps, each timed and printed:
1. simulate: ``ccwh simulate``'s generator (3 tenants: ahead of, behind and at UTC), scaled
   to N events, written as landing segments through the ingest writer (fsync'd, with the
   receiver's fields; schema validation is left out here: the receiver benchmark covers it);
2. load: the loader (typed read_json + dedup by event_id) into raw.events;
3. dbt: ``dbt seed``, then ``dbt run --full-refresh`` (every model, no tests), then
   ``dbt test`` (the data tests) — the full build is run + test;
4. direct SQL: a copy of the warehouse as it was before step 3's run (raw + seeds), and
   every model's compiled SQL from the run's manifest executed in DuckDB in dependency
   order as CREATE VIEW/TABLE … AS, one connection, no dbt: the floor the build is compared
   with (the ratio is the figure);
5. incremental day: one more simulated day is landed and loaded, then
   ``dbt run --select config.materialized:incremental --vars '{min_date: D, max_date: D}'``
   rebuilds that report day's partitions, and ``dbt run --vars …`` everything (the tables
   over all history are rebuilt in full).

Use ``--home`` to keep the generated data between runs (steps 1–2 are skipped when the
home already has a loaded warehouse).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from machine_info import machine  # noqa: E402

from ccwh.paths import Home  # noqa: E402

DBT_DIR = REPO / "dbt_project"
START = date(2026, 1, 5)  # a Monday; the simulated period runs from here
EVENTS_PER_SCALED_DAY = 24_000  # measured: one default day, 3 tenants, without directory


def peak_rss_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def say(message: str) -> None:
    print(message, flush=True)


def sim_config(days: int, scale: float):
    from ingestion.simulator import SimConfig

    return SimConfig(
        start=START,
        days=days,
        calls_per_queue_day=400.0 * scale,
        clients_per_campaign_day=150.0 * scale,
        contacts=int(2000 * max(1.0, scale)),
    )


def land(home: Home, events, limit: int | None = None, label: str = "simulate") -> int:
    """Write events as landing segments (ready/), the way `ccwh ingest` does."""
    from tqdm import tqdm

    from ingestion.landing import SyncLandingWriter, format_lines, utc_now_text

    writer = SyncLandingWriter(home)
    chunk: list[dict] = []
    n = 0
    bar = tqdm(total=limit, unit="ev", unit_scale=True, desc=label, file=sys.stderr)
    for event in events:
        chunk.append(event)
        n += 1
        if len(chunk) == 20_000:
            writer.append(format_lines(chunk, utc_now_text(), "bench", "ingest"))
            bar.update(len(chunk))
            chunk = []
        if limit is not None and n >= limit:
            break
    if chunk:
        writer.append(format_lines(chunk, utc_now_text(), "bench", "ingest"))
        bar.update(len(chunk))
    writer.close()
    bar.close()
    return n


def _renamed(event: dict) -> dict:
    event["event_id"] = "d2:" + event["event_id"]
    data = event["data"]
    for key in ("interaction_id", "session_id", "ticket_id", "action_id"):
        if key in data:
            data[key] = "d2:" + data[key]
    return event


def dbt(args: list[str], env: dict, target_path: Path) -> float:
    cmd = [str(REPO / ".venv" / "bin" / "dbt"), *args, "--project-dir", str(DBT_DIR)]
    cmd += ["--profiles-dir", str(DBT_DIR), "--target-path", str(target_path)]
    cmd += ["--log-path", str(target_path / "logs")]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=DBT_DIR, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:])
        raise SystemExit(f"dbt {' '.join(args)} failed (exit {proc.returncode})")
    return elapsed


def direct_sql(database: Path, manifest_path: Path) -> tuple[float, int]:
    """Run every model's compiled SQL in dependency order; (seconds, models)."""
    import duckdb

    manifest = json.loads(manifest_path.read_text())
    nodes = {
        uid: n
        for uid, n in manifest["nodes"].items()
        if n["resource_type"] == "model" and n["config"].get("enabled", True)
    }
    order: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in nodes:
            return
        seen.add(uid)
        for dep in nodes[uid]["depends_on"]["nodes"]:
            visit(dep)
        order.append(uid)

    for uid in sorted(nodes):
        visit(uid)
    # The compiled SQL names the catalog after the warehouse file (ccwh.duckdb → "ccwh").
    catalog = manifest["nodes"][order[0]]["database"]
    con = duckdb.connect()
    con.execute(f"ATTACH '{database}' AS \"{catalog}\"")
    con.execute(f'USE "{catalog}"')
    con.execute("SET TimeZone = 'UTC'")
    # Start from raw + seeds only: drop whatever an earlier build left of the models.
    existing = dict(
        ((schema, name), kind)
        for schema, name, kind in con.execute(
            "SELECT table_schema, table_name, table_type FROM information_schema.tables "
            "WHERE table_catalog = ?",
            [catalog],
        ).fetchall()
    )
    for uid in reversed(order):
        key = (nodes[uid]["schema"], nodes[uid]["alias"])
        if key in existing:
            kind = "VIEW" if existing[key] == "VIEW" else "TABLE"
            con.execute(f'DROP {kind} "{key[0]}"."{key[1]}" CASCADE')
    t0 = time.perf_counter()
    for uid in order:
        node = nodes[uid]
        code = node.get("compiled_code")
        if not code:
            raise SystemExit(f"{uid} has no compiled SQL in {manifest_path}")
        relation = f'"{node["schema"]}"."{node["alias"]}"'
        kind = "VIEW" if node["config"]["materialized"] == "view" else "TABLE"
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{node["schema"]}"')
        con.execute(f"CREATE {kind} {relation} AS {code}")
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed, len(order)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000_000, help="events to simulate")
    ap.add_argument("--home", help="data directory to use and keep (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary home")
    args = ap.parse_args()

    root = Path(args.home).resolve() if args.home else Path(tempfile.mkdtemp(prefix="ccwh-bb-"))
    home = Home.resolve(str(root)).ensure()
    target = root / "bench-dbt-target"
    env = dict(os.environ, CCWH_WAREHOUSE=str(home.warehouse), CCWH_HOME=str(home.root))
    say(f"machine: {machine()}")
    say(f"home: {home.root}")

    # A 28-day period scaled so the whole holds at least N events (agent states do not grow
    # with the volumes, so scale up by a third and stop at N).
    days = 28
    scale = max(0.05, 1.35 * args.events / (days * EVENTS_PER_SCALED_DAY))
    config = sim_config(days, scale)
    import duckdb

    loaded = 0
    if home.warehouse.exists():
        with duckdb.connect(str(home.warehouse), read_only=True) as con:
            loaded = con.execute("SELECT count(*) FROM raw.events").fetchone()[0]
    if loaded:
        say(f"1-2. reusing {loaded:,} loaded events in {home.warehouse}")
    else:
        from ingestion.loader import load_ready
        from ingestion.simulator import generate

        t0 = time.perf_counter()
        n = land(home, generate(config), args.events)
        t = time.perf_counter() - t0
        say(f"1. simulate + land: {n:,} events in {t:.1f} s ({n / t:,.0f} events/s)")
        t0 = time.perf_counter()
        summary = load_ready(home, progress=lambda m: None)
        t = time.perf_counter() - t0
        loaded = summary.inserted
        say(
            f"2. load: {summary.inserted:,} rows ({summary.duplicates:,} duplicates) from "
            f"{summary.segments} segments in {t:.1f} s ({summary.lines / t:,.0f} lines/s)"
        )

    seed_s = dbt(["seed", "--full-refresh", "--quiet"], env, target)
    before = root / "before-build.duckdb"
    shutil.copyfile(home.warehouse, before)  # raw + seeds: the direct-SQL starting point
    run_s = dbt(["run", "--full-refresh", "--quiet"], env, target)
    manifest = root / "run-manifest.json"  # `dbt test` rewrites target/manifest.json
    shutil.copyfile(target / "manifest.json", manifest)
    test_s = dbt(["test", "--quiet"], env, target)
    say(
        f"3. dbt on {loaded:,} events: seed {seed_s:.1f} s, run --full-refresh {run_s:.1f} s, "
        f"test {test_s:.1f} s; full build (run + test) {run_s + test_s:.1f} s"
    )
    direct_s, models = direct_sql(before, manifest)
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT sum(estimated_size) FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchone()[0]
    say(
        f"4. direct SQL in DuckDB (same compiled SQL of {models} models, no dbt): "
        f"{direct_s:.1f} s; dbt run / direct = {run_s / direct_s:.2f}x, "
        f"full build (run + test) / direct = {(run_s + test_s) / direct_s:.2f}x; "
        f"mart rows {rows:,}"
    )
    before.unlink()

    # 5. One more day arrives: land, load, rebuild that report day's partitions only.
    from dataclasses import replace

    from ingestion.loader import load_ready
    from ingestion.simulator import generate

    last_day = START + timedelta(days=days)
    # The simulator's ids count from 1 in every run: prefix the new day's ids so they are
    # new events, not resends of the first days' (which dedup would drop).
    day_events = (
        _renamed(e)
        for e in generate(replace(config, start=last_day, days=1, seed=7))
        if e["event_type"] != "directory"
    )
    n = land(home, day_events, label="next day")
    load_ready(home, progress=lambda m: None)
    vars_ = json.dumps({"min_date": last_day.isoformat(), "max_date": last_day.isoformat()})
    part_s = dbt(
        ["run", "--select", "config.materialized:incremental", "--vars", vars_, "--quiet"],
        env,
        target,
    )
    all_s = dbt(["run", "--vars", vars_, "--quiet"], env, target)
    say(
        f"5. incremental day {last_day}: {n:,} new events loaded; the report-day "
        f"(incremental) marts rebuilt for that day only: {part_s:.1f} s; every model with "
        f"those vars (tables over all history rebuilt too): {all_s:.1f} s; "
        f"full run was {run_s:.1f} s"
    )
    say(f"peak RSS {peak_rss_mib():,.0f} MiB")
    if not args.home and not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
