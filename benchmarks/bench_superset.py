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

Measured, each as Chromium's time from navigation to every chart drawn, ``--runs`` times in one
browser (run 1 with a fresh browser profile: the front end's JavaScript is downloaded; later
runs have it in the browser's cache), with how many of the dashboard's chart-data responses
came from Superset's results cache:

1. cold — Superset just started, results cache empty (runs 2+ read what run 1 cached);
2. after ``sync`` (what the Dagster asset runs after each publish; the results cache emptied
   first) — what the first viewers after a publish get: admin, and a tenant-0 analyst (row-level
   security, so cache entries of their own, warmed by the sync's per-tenant warm-up);
3. each chart's saved query alone (``/api/v1/chart/<id>/data/?force=true``), 3 runs, median.

Prints the machine (cores, load average) at start and end, and Markdown tables for
benchmarks/README_superset.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine_info import machine

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402
from superset_fixtures import (  # noqa: E402
    Server,
    browse,
    build_warehouse,
    ensure_chromium,
    ensure_superset_venv,
    manage,
    seed_registry,
)

ADMIN_PASSWORD = "ccwh-test-admin"
ANALYST = "bench_analyst_tenant_0"
ANALYST_PASSWORD = "bench-analyst-pw"
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


def summarise(label: str, result: dict) -> list[dict]:
    rows = []
    for d in result["dashboards"]:
        assert d["complete"] and not any(c["error"] for c in d["charts"]), d
        t = d["timing_ms"] or {}
        cache = d.get("chart_data_cache") or {}
        rows.append(
            {
                "case": label,
                "run": d["run"],
                "render_s": d["render_seconds"],
                "first_chart_request_s": round((t.get("first_chart_request_start") or 0) / 1000, 2),
                "last_chart_response_s": round((t.get("last_chart_response_end") or 0) / 1000, 2),
                "from_cache": f"{cache.get('cached', '?')}/{cache.get('requests', '?')}",
            }
        )
    return rows


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=10_000_000)
    p.add_argument("--keep", type=Path, help="work directory to keep (default: a tmp dir)")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    ensure_chromium()
    ensure_superset_venv()
    print(f"machine at start: {machine()}", flush=True)
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

    slug = ["queue-performance"]
    shots = REPO / "test-artifacts" / "bench"
    results: dict = {"sizes": sizes}
    rows: list[dict] = []
    cache_dir = home / "superset" / "cache"
    server = Server(home).start()
    try:
        # the bundle must match the big warehouse (it may have been imported before)
        ss_sync.sync(home, server.url, warm=False, force_import=True, log=lambda *_: None)
        admin = ss_api.Api(server.url, "admin", ADMIN_PASSWORD).login()
        roles = admin.by_name("security/roles", "name")
        if ANALYST not in admin.by_name("security/users", "username"):
            admin.post(
                "/api/v1/security/users/",
                json={
                    "first_name": "Bench", "last_name": "Analyst", "username": ANALYST,
                    "email": f"{ANALYST}@example.invalid", "password": ANALYST_PASSWORD,
                    "active": True,
                    "roles": [roles[r]["id"] for r in ("Gamma", "sql_lab", "ccwh_tenant_tenant-0")],
                },
            )  # fmt: skip
        # 1. cold: a fresh server process, the results cache empty, a fresh browser profile
        server.stop()
        shutil.rmtree(cache_dir, ignore_errors=True)
        server = Server(home).start()
        cold = browse(server.url, "admin", ADMIN_PASSWORD, slug, shots, runs=args.runs,
                      cache_report=True)  # fmt: skip
        rows += summarise("cold: empty results cache (runs 2+: cached by run 1)", cold)
        print(json.dumps(rows[-args.runs :]), flush=True)
        # 2. what the first viewers after a publish get: the sync (the Dagster asset) warmed
        #    the cache for admin and every tenant; each browse starts with a fresh profile
        for entry in (cache_dir / "data").iterdir():  # files only: the running server's
            entry.unlink()  # FileSystemCache writes into this folder, it does not recreate it
        t = time.monotonic()
        summary = ss_sync.sync(home, server.url, log=lambda *_: None)
        results["sync_seconds"] = round(time.monotonic() - t, 2)
        results["sync_tenants_warmed"] = summary["tenants_warmed"]
        results["warm_errors"] = summary["warm_errors"]
        warm = browse(server.url, "admin", ADMIN_PASSWORD, slug, None, runs=args.runs,
                      cache_report=True)  # fmt: skip
        rows += summarise("after the sync, admin", warm)
        print(json.dumps(rows[-args.runs :]), flush=True)
        analyst = browse(server.url, ANALYST, ANALYST_PASSWORD, slug, None, runs=args.runs,
                         cache_report=True)  # fmt: skip
        rows += summarise("after the sync, tenant-0 analyst", analyst)
        print(json.dumps(rows[-args.runs :]), flush=True)
        # 3. each chart's saved query alone, cache bypassed
        admin = ss_api.Api(server.url, "admin", ADMIN_PASSWORD).login()  # the new server
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
    results["renders"] = rows
    results["total_seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(results, indent=2))
    print(f"\nmachine at end: {machine()}")
    print(
        "\n| case | run | first full render (s) | first chart request (s) "
        "| last chart response (s) | chart data from cache |\n|---|---|---|---|---|---|"
    )
    for r in rows:
        print(
            f"| {r['case']} | {r['run']} | {r['render_s']:.1f} | {r['first_chart_request_s']:.1f} "
            f"| {r['last_chart_response_s']:.1f} | {r['from_cache']} |"
        )
    print("\n| chart | query time (s, median of 3, force) |\n|---|---|")
    for name, secs in sorted(results["chart_query_seconds"].items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {secs:.3f} |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
