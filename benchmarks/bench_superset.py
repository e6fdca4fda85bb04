"""Superset on a large warehouse: time to first full render of the Queue performance dashboard
and each chart's query time.

    .venv/bin/python benchmarks/bench_superset.py [--events 10000000] [--keep DIR]

The large warehouse: the queue marts (``queue_kpis_interval``, ``queue_kpis_hourly``,
``queue_kpis_daily``) are *synthesised directly* at the size that N queue events make — the
interval mart gets one row per tenant x queue x channel x 15-minute interval with traffic,
≈ 10 events per row, so 10 M events → ~1 M interval rows — with the exact schema of the real
marts (taken from a small warehouse built by the real pipeline: simulate → ingest → build). The
dashboards query only the marts, so their cost depends on the marts' rows, not on how they were
made. Everything else (other marts, seeds) is the small warehouse's.

Measured: (1) cold — Superset just started, caches empty; (2) after ``sync`` (warm-up) — what
the first viewer after a publish gets; each as Chromium's time from navigation to every chart
drawn; (3) each chart's query alone (``/api/v1/chart/<id>/data/?force=true``), 3 runs, median.
Prints a Markdown table for benchmarks/README_superset.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402
from superset_fixtures import (  # noqa: E402
    ENV,
    Server,
    browse,
    build_warehouse,
    ensure_chromium,
    ensure_superset_venv,
    manage,
    seed_registry,
)

ADMIN_PASSWORD = "ccwh-test-admin"
EVENTS_PER_INTERVAL_ROW = 10
TENANTS = 3
QUEUES_PER_TENANT = 12  # x 2 channels


def synthesise_queue_marts(serve: Path, events: int) -> dict[str, int]:
    """Replace the queue marts of ``serve`` with synthetic ones for ``events`` queue events."""
    rows = events // EVENTS_PER_INTERVAL_ROW
    series = TENANTS * QUEUES_PER_TENANT * 2
    intervals = max(1, rows // series)  # 15-minute intervals per series
    con = duckdb.connect(str(serve))
    try:
        con.execute("CREATE OR REPLACE TABLE _tpl AS SELECT * FROM queue_kpis_interval LIMIT 0")
        con.execute(
            f"""
            CREATE OR REPLACE TABLE queue_kpis_interval AS
            WITH g AS (
              SELECT s, i,
                'tenant-' || (s % {TENANTS})::VARCHAR AS tenant_id,
                'queue-' || ((s // {TENANTS}) % {QUEUES_PER_TENANT})::VARCHAR AS queue_id,
                CASE WHEN s // ({TENANTS} * {QUEUES_PER_TENANT}) = 0 THEN 'call' ELSE 'chat' END
                  AS channel,
                TIMESTAMP '2025-01-01' + INTERVAL 15 MINUTE * i AS interval_start,
                hash(s, i) AS h
              FROM range({series}) t(s), range({intervals}) u(i)
            ), k AS (
              SELECT *, 4 + (h % 13)::INTEGER AS offered,
                     (h // 13 % 4)::INTEGER AS abandoned, (h // 52 % 2)::INTEGER AS short_ab
              FROM g
            )
            SELECT
              tenant_id, queue_id, CAST(interval_start AS DATE) AS report_day, interval_start,
              offered::BIGINT AS offered, (offered - abandoned)::BIGINT AS answered,
              abandoned::BIGINT AS abandoned, least(short_ab, abandoned)::BIGINT AS short_abandoned,
              ((offered - abandoned) * 8 // 10)::BIGINT AS answered_within_sl,
              ((offered - abandoned) * 8 // 10) / nullif(offered - least(short_ab, abandoned), 0)
                AS service_level,
              abandoned / offered AS abandon_rate,
              (5 + h % 40)::DOUBLE AS asa_seconds,
              CASE WHEN abandoned > 0 THEN (10 + h % 60)::DOUBLE END AS avg_time_to_abandon_seconds,
              (120 + h % 200)::DOUBLE AS avg_talk_seconds, (160 + h % 240)::DOUBLE AS avg_handle_seconds,
              interval_start + INTERVAL 1 HOUR AS interval_start_local, channel,
              'excl_short_abandons' AS sl_formula, 20 AS sl_threshold_seconds, 5 AS short_abandon_seconds,
              least(abandoned, 1)::BIGINT AS abandoned_within_sl,
              (offered - least(short_ab, abandoned))::BIGINT AS offered_excl_short,
              (abandoned - least(short_ab, abandoned))::BIGINT AS abandoned_excl_short,
              ((offered - abandoned) * 8 // 10) / nullif(offered - least(short_ab, abandoned), 0)
                AS service_level_excl_short,
              ((offered - abandoned) * 8 // 10) / nullif(offered - abandoned, 0)
                AS service_level_of_answered,
              ((offered - abandoned) * 8 // 10 + least(abandoned, 1)) / offered
                AS service_level_incl_abandoned,
              (abandoned - least(short_ab, abandoned)) / nullif(offered - least(short_ab, abandoned), 0)
                AS abandon_rate_excl_short,
              CASE WHEN abandoned > short_ab THEN (12 + h % 60)::DOUBLE END
                AS avg_time_to_abandon_excl_short_seconds
            FROM k
            """  # noqa: E501
        )
        # keep the real schema's column types and order
        cols = [r[0] for r in con.execute("DESCRIBE _tpl").fetchall()]
        types = {r[0]: r[1] for r in con.execute("DESCRIBE _tpl").fetchall()}
        select = ", ".join(f'CAST("{c}" AS {types[c]}) AS "{c}"' for c in cols)
        interval = "queue_kpis_interval"
        con.execute(f"CREATE OR REPLACE TABLE {interval} AS SELECT {select} FROM {interval}")
        sums = """
          sum(offered)::BIGINT offered, sum(answered)::BIGINT answered, sum(abandoned)::BIGINT abandoned,
          sum(short_abandoned)::BIGINT short_abandoned, sum(answered_within_sl)::BIGINT answered_within_sl,
          sum(answered_within_sl) / nullif(sum(offered_excl_short), 0) service_level,
          sum(abandoned) / nullif(sum(offered), 0) abandon_rate,
          sum(asa_seconds * answered) / nullif(sum(answered), 0) asa_seconds,
          sum(avg_time_to_abandon_seconds * abandoned) / nullif(sum(abandoned), 0) avg_time_to_abandon_seconds,
          avg(avg_talk_seconds) avg_talk_seconds, avg(avg_handle_seconds) avg_handle_seconds,
        """  # noqa: E501
        tail = """
          any_value(sl_formula) sl_formula, any_value(sl_threshold_seconds) sl_threshold_seconds,
          any_value(short_abandon_seconds) short_abandon_seconds,
          sum(abandoned_within_sl)::BIGINT abandoned_within_sl,
          sum(offered_excl_short)::BIGINT offered_excl_short,
          sum(abandoned_excl_short)::BIGINT abandoned_excl_short,
          sum(answered_within_sl) / nullif(sum(offered_excl_short), 0) service_level_excl_short,
          sum(answered_within_sl) / nullif(sum(answered), 0) service_level_of_answered,
          (sum(answered_within_sl) + sum(abandoned_within_sl)) / nullif(sum(offered), 0)
            service_level_incl_abandoned,
          sum(abandoned_excl_short) / nullif(sum(offered_excl_short), 0) abandon_rate_excl_short,
          avg(avg_time_to_abandon_excl_short_seconds) avg_time_to_abandon_excl_short_seconds
        """
        for mart, key, extra in (
            ("queue_kpis_daily", "", ""),
            (
                "queue_kpis_hourly",
                "date_trunc('hour', interval_start) AS hour_start,",
                "date_trunc('hour', interval_start_local) AS hour_start_local,",
            ),
        ):
            con.execute(f"CREATE OR REPLACE TABLE _tpl AS SELECT * FROM {mart} LIMIT 0")
            cols = [r[0] for r in con.execute("DESCRIBE _tpl").fetchall()]
            types = {r[0]: r[1] for r in con.execute("DESCRIBE _tpl").fetchall()}
            con.execute(
                f"""CREATE OR REPLACE TABLE _agg AS SELECT tenant_id, queue_id, report_day, {key}
                    {sums} {extra} channel, {tail}
                    FROM queue_kpis_interval GROUP BY ALL"""
            )
            select = ", ".join(f'CAST("{c}" AS {types[c]}) AS "{c}"' for c in cols)
            con.execute(f"CREATE OR REPLACE TABLE {mart} AS SELECT {select} FROM _agg")
        con.execute("DROP TABLE _tpl; DROP TABLE _agg")
        # the tenants mart lists the synthetic tenants (roles, RLS, tenant files)
        con.execute("CREATE OR REPLACE TABLE _tpl AS SELECT * FROM tenants LIMIT 0")
        cols = [r[0] for r in con.execute("DESCRIBE _tpl").fetchall()]
        first = con.execute("SELECT * FROM tenants LIMIT 1").fetchone()
        con.execute("DELETE FROM tenants")
        for t in range(TENANTS):
            vals = list(first)
            vals[cols.index("tenant_id")] = f"tenant-{t}"
            con.execute(f"INSERT INTO tenants VALUES ({', '.join('?' * len(cols))})", vals)
        con.execute("DROP TABLE _tpl")
        con.execute("CHECKPOINT")
        return {
            m: con.execute(f"SELECT count(*) FROM {m}").fetchone()[0]
            for m in ("queue_kpis_interval", "queue_kpis_hourly", "queue_kpis_daily")
        } | {
            "events": int(con.execute("SELECT sum(offered) FROM queue_kpis_interval").fetchone()[0])
        }
    finally:
        con.close()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=10_000_000)
    p.add_argument("--keep", type=Path, help="work directory to keep (default: a tmp dir)")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    ensure_chromium()
    ensure_superset_venv()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-superset-"))
    home = work / "home"
    t0 = time.monotonic()
    if not (home / "warehouse" / "serve.duckdb").exists():
        print("building the small template warehouse…", flush=True)
        build_warehouse(home)
    serve = home / "warehouse" / "serve.duckdb"
    print(f"synthesising queue marts for {args.events:,} events…", flush=True)
    t = time.monotonic()
    sizes = synthesise_queue_marts(serve, args.events)
    print(f"  {sizes} in {time.monotonic() - t:.0f} s", flush=True)
    seed_registry(home, ["tenant-0", "tenant-1"])
    if not (home / "superset" / "superset.db").exists():
        manage(home, "bootstrap", "--no-warm")
    os.environ["CCWH_SUPERSET_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    from superset import api as ss_api
    from superset import sync as ss_sync

    results: dict = {"sizes": sizes, "runs": {}}
    server = Server(home).start()  # fresh process: empty caches
    try:
        admin = ss_api.Api(server.url, "admin", ADMIN_PASSWORD).login()
        # make sure the bundle matches the big warehouse (it may have been imported before)
        ss_sync.sync(home, server.url, warm=False, force_import=True, log=lambda *_: None)
        # restart with the caches emptied for a truly cold first render
        server.stop()
        shutil.rmtree(home / "superset" / "cache", ignore_errors=True)
        server = Server(home).start()
        cold = browse(server.url, "admin", ADMIN_PASSWORD, ["queue-performance"],
                      REPO / "test-artifacts" / "bench", runs=args.runs)  # fmt: skip
        results["timing_ms"] = [d["timing_ms"] for d in cold["dashboards"]]
        results["runs"]["run 1 cold (empty caches), runs 2-3 cached"] = [
            d["render_seconds"] for d in cold["dashboards"]
        ]
        for d in cold["dashboards"]:
            assert d["complete"] and not any(c["error"] for c in d["charts"]), d
        t = time.monotonic()
        summary = ss_sync.sync(home, server.url, log=lambda *_: None)
        results["sync_seconds"] = round(time.monotonic() - t, 2)
        results["warm_errors"] = summary["warm_errors"]
        warm = browse(
            server.url, "admin", ADMIN_PASSWORD, ["queue-performance"], None, runs=args.runs
        )
        results["runs"]["after sync (warmed)"] = [d["render_seconds"] for d in warm["dashboards"]]
        results["timing_ms"] += [d["timing_ms"] for d in warm["dashboards"]]
        admin = ss_api.Api(server.url, "admin", ADMIN_PASSWORD).login()
        dash = next(
            d
            for d in admin.list("dashboard", columns=["id", "slug"])
            if d["slug"] == "queue-performance"
        )
        charts = admin.get(f"/api/v1/dashboard/{dash['id']}/charts")["result"]
        per_chart = {}
        for ch in charts:
            times = []
            for _ in range(3):
                t = time.monotonic()
                admin.get(f"/api/v1/chart/{ch['id']}/data/", params={"force": "true"})
                times.append(time.monotonic() - t)
            per_chart[ch["slice_name"]] = round(statistics.median(times), 3)
        results["chart_query_seconds"] = per_chart
    finally:
        server.stop()
    results["total_seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(results, indent=2))
    print("\n| chart | query time (s, median of 3, force) |\n|---|---|")
    for name, s in sorted(results["chart_query_seconds"].items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {s:.3f} |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    _ = ENV, subprocess
    sys.exit(main())
