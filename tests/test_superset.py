"""Superset end to end (issue 5): a real Superset (own virtualenv) bootstrapped from scratch on a
small published warehouse, every dashboard opened in headless Chromium, tenant isolation in
charts, the API and SQL Lab, dashboard queries during publish swaps every 100 ms, and the sync.

Slow (a few minutes): it builds a warehouse, bootstraps Superset and drives a browser.
Screenshots go to test-artifacts/superset/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest
from superset_fixtures import (
    ARTIFACTS,
    REPO,
    SS_PY,
    Server,
    browse,
    build_warehouse,
    ensure_chromium,
    ensure_superset_venv,
    free_port,
    log,
    manage,
    seed_registry,
)

# Every test but the last one (a unit test of the Dagster asset with nothing listening) needs
# the real Superset and Chromium: marked one by one, not with a module-wide pytestmark.
superset_stack = [pytest.mark.superset, pytest.mark.slow]


def needs_stack(test):
    for mark in superset_stack:
        test = mark(test)
    return test


ADMIN_PASSWORD = "ccwh-test-admin"
ANALYST_PASSWORD = "analyst-pw-1"


def _serve_query(home: Path, sql: str, *params):
    con = duckdb.connect(str(home / "warehouse" / "serve.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from superset import api as ss_api
    from superset import bundle as ss_bundle

    ensure_chromium()
    ensure_superset_venv()
    root = tmp_path_factory.mktemp("superset")
    home = root / "home"
    t0 = time.monotonic()
    log("building a small warehouse (simulate -> ingest -> build)…")
    build_warehouse(home)
    tenants = [t for (t,) in _serve_query(home, "select tenant_id from tenants order by 1")]
    assert len(tenants) >= 2, tenants
    registry = seed_registry(home, tenants)
    log(f"warehouse ready in {time.monotonic() - t0:.0f} s; tenants {tenants}; bootstrapping…")
    t1 = time.monotonic()
    boot = manage(home, "bootstrap")
    log(f"bootstrap from scratch: {time.monotonic() - t1:.0f} s")
    server = Server(home).start()
    admin = ss_api.Api(server.url, "admin", ADMIN_PASSWORD).login()
    # two tenants' analysts: Gamma + sql_lab + their tenant role
    roles = admin.by_name("security/roles", "name")
    users = {}
    for t in tenants[:2]:
        name = f"analyst_{t}".replace("-", "_")
        existing = admin.by_name("security/users", "username")
        if name not in existing:
            admin.post(
                "/api/v1/security/users/",
                json={
                    "first_name": "Analyst",
                    "last_name": t,
                    "username": name,
                    "email": f"{name}@example.invalid",
                    "password": ANALYST_PASSWORD,
                    "active": True,
                    "roles": [
                        roles["Gamma"]["id"],
                        roles["sql_lab"]["id"],
                        roles[f"ccwh_tenant_{t}"]["id"],
                    ],
                },
            )
        users[t] = name
    yield {
        "home": home,
        "server": server,
        "admin": admin,
        "tenants": tenants,
        "users": users,
        "registry": registry,
        "bootstrap_output": boot,
        "bundle": ss_bundle,
        "api": ss_api,
    }
    rc = server.stop()
    log(f"server stopped with {rc}")


def _login(stack, tenant):
    return stack["api"].Api(stack["server"].url, stack["users"][tenant], ANALYST_PASSWORD).login()


def _dataset_id(api, name):
    return next(
        d["id"]
        for d in api.list("dataset", columns=["id", "table_name"])
        if d["table_name"] == name
    )


def _database_id(api, name):
    rows = api.list("database", columns=["id", "database_name"])
    return next((d["id"] for d in rows if d["database_name"] == name), None)


def _chart_data(api, dataset_id, columns, metrics, force=False):
    body = {
        "datasource": {"id": dataset_id, "type": "table"},
        "force": force,
        "queries": [
            {
                "columns": columns,
                "metrics": metrics,
                "filters": [],
                "extras": {"where": "", "having": ""},
                "row_limit": 10000,
                "orderby": [],
            }
        ],
        "result_format": "json",
        "result_type": "full",
    }
    return api.post("/api/v1/chart/data", json=body)["result"][0]["data"]


def _sqllab(api, database_id, sql, ok=(200,)):
    return api.request(
        "POST",
        "/api/v1/sqllab/execute/",
        ok=ok,
        json={"database_id": database_id, "sql": sql, "runAsync": False, "schema": "main"},
    )


# --- tests -----------------------------------------------------------------------------------


@needs_stack
def test_bootstrap_imported_everything(stack):
    admin = stack["admin"]
    slugs = {d["slug"] for d in admin.list("dashboard", columns=["id", "slug"])}
    assert {"queue-performance", "report-runs"} <= slugs
    dbs = {d["database_name"] for d in admin.list("database", columns=["id", "database_name"])}
    assert {"ccwh", "ccwh_ops"} <= dbs
    for t in stack["tenants"]:
        assert f"ccwh_tenant_{t}" in dbs


@needs_stack
def test_bundle_is_deterministic_and_reimport_is_idempotent(stack):
    home, admin, b = stack["home"], stack["admin"], stack["bundle"]
    first = b.build(home, tenants=stack["tenants"]).zip_bytes()
    second = b.build(home, tenants=stack["tenants"]).zip_bytes()
    assert first == second
    before = {
        r: len(admin.list(r, columns=["id"])) for r in ("dashboard", "chart", "dataset", "database")
    }
    admin.import_assets(first)
    admin.import_assets(first)
    after = {
        r: len(admin.list(r, columns=["id"])) for r in ("dashboard", "chart", "dataset", "database")
    }
    assert before == after


@needs_stack
def test_descriptions_come_from_dbt(stack):
    from superset import dbt_docs

    docs = dbt_docs.load()
    admin = stack["admin"]
    ds = admin.get(f"/api/v1/dataset/{_dataset_id(admin, 'queue_kpis_daily')}")["result"]
    cols = {c["column_name"]: c for c in ds["columns"]}
    for name in ("offered", "service_level", "sl_formula"):
        assert cols[name]["description"] == docs["queue_kpis_daily"].columns[name]
    metrics = {m["metric_name"]: m for m in ds["metrics"]}
    assert metrics["abandon_rate"]["description"].startswith(
        docs["queue_kpis_daily"].columns["abandon_rate"]
    )
    assert ds["description"] == docs["queue_kpis_daily"].description


@needs_stack
def test_every_dashboard_renders_in_chromium_with_the_marts_numbers(stack):
    home, server = stack["home"], stack["server"]
    slugs = sorted(d["slug"] for d in stack["admin"].list("dashboard", columns=["id", "slug"]))
    result = browse(server.url, "admin", ADMIN_PASSWORD, slugs, ARTIFACTS)
    (ARTIFACTS / "admin-dashboards.json").write_text(json.dumps(result, indent=1))
    for dash in result["dashboards"]:
        assert dash["complete"], f"{dash['slug']}: charts still loading after the timeout"
        assert dash["charts"], f"{dash['slug']}: no chart found"
        for chart in dash["charts"]:
            assert not chart["error"], f"{dash['slug']} / {chart['title']}: {chart['error']}"
            assert chart["drawn"], f"{dash['slug']} / {chart['title']}: nothing drawn"
    by_slug = {d["slug"]: d for d in result["dashboards"]}
    offered = _serve_query(home, "select sum(offered)::BIGINT from queue_kpis_daily")[0][0]
    shown = {c["title"]: c["big_number"] for c in by_slug["queue-performance"]["charts"]}
    assert shown["Offered"] == f"{offered:,}", shown
    runs = sum(r["runs"] for r in stack["registry"].values())
    shown = {c["title"]: c["big_number"] for c in by_slug["report-runs"]["charts"]}
    assert shown["Runs"] == f"{runs:,}", shown
    records = sum(r["records"] for r in stack["registry"].values())
    assert shown["Records delivered"] == f"{records:,}", shown


# Superset's time-range grammar, rebuilt and then parsed by 8 threads at once per round (as the
# first chart requests of a fresh gunicorn worker do): without ccwh's lock most rounds fail.
_TIME_RANGE_RACE = r"""
import json, os, sys, threading
sys.setswitchinterval(1e-6)  # switch threads as often as CPython allows
sys.path.insert(0, sys.argv[1])
os.environ["CCWH_SUPERSET_HOME"] = sys.argv[2]
from superset.utils import date_parser
if sys.argv[3] == "with-ccwh-config":
    import superset_config
    superset_config.FLASK_APP_MUTATOR(None)
errors = []
for _ in range(int(sys.argv[4])):
    date_parser.datetime_parser.cache_clear()
    date_parser.datetime_parser()  # built, not yet streamlined: a fresh worker's state
    barrier = threading.Barrier(8)
    def parse(k):
        barrier.wait()
        try:
            date_parser.get_since_until(f"2026-11-{10 + k} : 2026-11-{11 + k}")
        except ValueError as e:
            errors.append(str(e))
    threads = [threading.Thread(target=parse, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
print(json.dumps(errors))
"""


@pytest.mark.superset
def test_time_range_parsing_is_thread_safe(tmp_path):
    """CI once showed a dashboard chart failing with "Expected '(', found ')'" under the Report
    day filter: Superset's pyparsing grammar is streamlined on first use outside pyparsing's
    lock, so concurrent first parses can meet it half-rewritten. superset_config's
    FLASK_APP_MUTATOR serialises the parse."""
    ensure_superset_venv()

    def errors(mode: str) -> list[str]:
        r = subprocess.run(
            [str(SS_PY), "-c", _TIME_RANGE_RACE, str(REPO / "superset"), str(tmp_path), mode, "60"],
            capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr[-3000:]
        return json.loads(r.stdout.strip().splitlines()[-1])

    # the control shows the race is real here (measured: ~75 of 100 rounds fail); if a later
    # pyparsing/Superset fixes it, this fails and the lock in superset_config.py can go
    assert errors("plain"), "no race without the lock: drop _serialise_time_range_parsing?"
    assert errors("with-ccwh-config") == []


@needs_stack
def test_report_day_filter_applies(stack):
    home, server = stack["home"], stack["server"]
    day, offered = _serve_query(
        home,
        "select report_day, sum(offered)::BIGINT from queue_kpis_daily group by 1 "
        "order by 2 desc limit 1",
    )[0]
    nxt = day.fromordinal(day.toordinal() + 1)
    result = browse(
        server.url, "admin", ADMIN_PASSWORD, ["queue-performance"], None,
        time_filter=f"Report day={day} : {nxt}",
    )  # fmt: skip
    charts = result["dashboards"][0]["charts"]
    errors = {c["title"]: c["error"] for c in charts if c["error"]}
    assert not errors, (day, errors)
    shown = {c["title"]: c["big_number"] for c in charts}
    assert shown["Offered"] == f"{offered:,}", (day, shown)


@needs_stack
def test_tenant_analyst_sees_only_own_rows_in_dashboard(stack):
    home, server = stack["home"], stack["server"]
    t = stack["tenants"][0]
    result = browse(
        server.url, stack["users"][t], ANALYST_PASSWORD, ["queue-performance"], ARTIFACTS
    )
    dash = result["dashboards"][0]
    for chart in dash["charts"]:
        assert not chart["error"], f"{chart['title']}: {chart['error']}"
    offered = _serve_query(
        home, "select sum(offered)::BIGINT from queue_kpis_daily where tenant_id = ?", t
    )[0][0]
    shown = {c["title"]: c["big_number"] for c in dash["charts"]}
    assert shown["Offered"] == f"{offered:,}"
    table = next(c for c in dash["charts"] if c["title"] == "Per queue and channel")
    for other in stack["tenants"]:
        if other != t:
            assert other not in table["text"]


@needs_stack
def test_tenant_isolation_api_and_sqllab(stack):
    home, admin, tenants = stack["home"], stack["admin"], stack["tenants"]
    ds_id = _dataset_id(admin, "queue_kpis_daily")
    everyone = _chart_data(admin, ds_id, ["tenant_id"], ["offered"])
    assert {r["tenant_id"] for r in everyone} >= set(tenants[:2])
    ccwh_db = _database_id(admin, "ccwh")
    ops_db = _database_id(admin, "ccwh_ops")
    for t in tenants[:2]:
        other = next(o for o in tenants if o != t)
        api = _login(stack, t)
        # charts / chart-data API: RLS
        rows = _chart_data(api, ds_id, ["tenant_id"], ["offered"], force=True)
        assert {r["tenant_id"] for r in rows} == {t}
        expected = _serve_query(
            home, "select sum(offered)::BIGINT from queue_kpis_daily where tenant_id = ?", t
        )[0][0]
        assert rows[0]["offered"] == expected
        runs = _chart_data(api, _dataset_id(admin, "report_runs"), ["tenant"], ["runs"], force=True)
        assert {r["tenant"] for r in runs} == {t}
        # samples (drill to detail) go through RLS too; a classic endpoint: session login
        api.web_login()
        samples = api.post(
            f"/datasource/samples?datasource_id={ds_id}&datasource_type=table&force=true",
            json={},
        )["result"]["data"]
        assert samples and {r["tenant_id"] for r in samples} == {t}
        # SQL Lab: own tenant database only, holding only own rows
        own_db = _database_id(api, f"ccwh_tenant_{t}")
        assert own_db is not None
        assert _database_id(api, f"ccwh_tenant_{other}") is None
        res = _sqllab(
            api, own_db, "select tenant_id, count(*) as n from queue_kpis_daily group by 1"
        )
        assert [r["tenant_id"] for r in res["data"]] == [t]
        res = _sqllab(api, own_db, "select distinct tenant from report_runs")
        assert [r["tenant"] for r in res["data"]] == [t]
        # the shared databases are refused in SQL Lab, however the query is written
        for db in (ccwh_db, ops_db):
            for sql in ("select * from queue_kpis_daily", "select * from report_runs"):
                res = _sqllab(api, db, sql, ok=(400, 401, 403, 404, 422, 500))
                assert "needs access to the whole database" in json.dumps(res), res
        # the other tenant's database is refused
        other_db = _database_id(admin, f"ccwh_tenant_{other}")
        _sqllab(api, other_db, "select 1", ok=(400, 401, 403, 404, 422, 500))
        # no way out of the own file: ATTACH and file reads are disabled, configuration locked
        for sql in (
            f"attach '{home / 'warehouse' / 'serve.duckdb'}' as w",
            f"select * from read_csv('{home / 'superset' / 'secret_key'}')",
            "set enable_external_access = true",
        ):
            res = _sqllab(api, own_db, sql, ok=(200, 400, 403, 422, 500))
            assert res.get("status") != "success", (sql, res)


@needs_stack
def test_dashboard_queries_survive_publish_swaps_every_100ms(stack):
    home, admin = stack["home"], stack["admin"]
    serve = home / "warehouse" / "serve.duckdb"
    copies = [serve.with_name(f"swap-{i}.duckdb") for i in range(2)]
    for c in copies:
        c.unlink(missing_ok=True)
        shutil.copyfile(serve, c)
    stop = threading.Event()
    swaps = [0]

    def swapper():
        i = 0
        while not stop.is_set():
            nxt = serve.with_name("serve.duckdb.next")
            nxt.unlink(missing_ok=True)
            os.link(copies[i % 2], nxt)  # a complete file, like publish's .next
            os.replace(nxt, serve)
            swaps[0] += 1
            i += 1
            time.sleep(0.1)

    ds_daily = _dataset_id(admin, "queue_kpis_daily")
    ds_interval = _dataset_id(admin, "queue_kpis_interval")
    th = threading.Thread(target=swapper, daemon=True)
    th.start()
    errors, queries = [], 0
    deadline = time.monotonic() + 12
    try:
        while time.monotonic() < deadline:
            for ds, cols, metrics in (
                (ds_daily, ["queue_id"], ["offered", "service_level"]),
                (ds_interval, ["channel"], ["asa_seconds", "abandon_rate"]),
            ):
                try:
                    rows = _chart_data(admin, ds, cols, metrics, force=True)
                    assert rows
                    queries += 1
                except Exception as e:  # noqa: BLE001
                    errors.append(repr(e)[:300])
    finally:
        stop.set()
        th.join()
        # leave an ordinary serve.duckdb (not a hard link of a copy) behind, as publish would
        nxt = serve.with_name("serve.duckdb.next")
        shutil.copyfile(copies[0], nxt)
        os.replace(nxt, serve)
        for c in copies:
            c.unlink()
    log(f"swap test: {queries} dashboard queries, {swaps[0]} swaps, {len(errors)} errors")
    assert swaps[0] >= 50
    assert queries >= 10
    assert errors == []


@needs_stack
def test_sync_after_publish_and_superset_down(stack):
    from superset import sync as ss_sync

    home, server = stack["home"], stack["server"]
    os.environ["CCWH_SUPERSET_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    try:
        summary = ss_sync.sync_after_publish(home, server.url)
        assert summary["warm_errors"] == []
        assert summary["charts_warmed"] >= 10
        assert {"queue-performance", "report-runs"} <= set(summary["dashboards"])
        for entry in summary["dashboards"].values():
            assert entry["last_new_data_at"]
        state = json.loads((home / "superset" / "sync_state.json").read_text())
        assert state["dashboards"]["queue-performance"]["last_new_data_at"]
        dash = next(
            d
            for d in stack["admin"].list("dashboard", columns=["id", "slug"])
            if d["slug"] == "queue-performance"
        )
        detail = stack["admin"].get(f"/api/v1/dashboard/{dash['id']}")["result"]
        assert "New data last seen" in (detail.get("certification_details") or "")
        with pytest.raises(ss_sync.SupersetDown, match="not answering"):
            ss_sync.sync_after_publish(home, "http://127.0.0.1:9")
    finally:
        os.environ.pop("CCWH_SUPERSET_ADMIN_PASSWORD", None)


def _materialize_sync_asset(home: Path, url: str):
    from dagster import materialize

    from orchestration.resources import WarehouseResource
    from orchestration.superset_sync import superset_sync

    return materialize(
        [superset_sync],
        resources={"warehouse": WarehouseResource(home=str(home))},
        run_config={"ops": {"serving__superset": {"config": {"url": url}}}},
        raise_on_error=False,
    )


def _publish_like(home: Path, sql: str) -> None:
    """Change serve.duckdb the way publish does: a complete .next file renamed over it."""
    serve = home / "warehouse" / "serve.duckdb"
    nxt = serve.with_name("serve.duckdb.next")
    shutil.copyfile(serve, nxt)
    con = duckdb.connect(str(nxt))
    try:
        con.execute(sql)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(nxt, serve)


@needs_stack
def test_dagster_asset_syncs_new_columns_warms_and_records_freshness(stack, monkeypatch):
    home, server, admin = stack["home"], stack["server"], stack["admin"]
    monkeypatch.setenv("CCWH_SUPERSET_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.delenv("CCWH_SUPERSET_URL", raising=False)
    before = json.loads((home / "superset" / "sync_state.json").read_text())["dashboards"]
    # a publish that brings a new column (and new rows) to a mart the dashboards use
    _publish_like(
        home,
        "ALTER TABLE queue_kpis_daily ADD COLUMN ccwh_test_new_column INTEGER DEFAULT 7;"
        "INSERT INTO queue_kpis_daily SELECT * REPLACE (report_day + 1 AS report_day) "
        "FROM queue_kpis_daily WHERE report_day = (SELECT max(report_day) FROM queue_kpis_daily)",
    )
    try:
        result = _materialize_sync_asset(home, server.url)
        assert result.success, [
            e.message for e in result.all_events if e.event_type_value == "STEP_FAILURE"
        ]
        (mat,) = result.asset_materializations_for_node("serving__superset")
        md = {k: v.value for k, v in mat.metadata.items()}
        assert md["datasets_synced"] >= 10 and "queue_kpis_daily" in md["datasets"]
        assert md["bundle_imported"] is True  # the new column changed the bundle
        assert md["charts_warmed"] >= 10
        assert {"queue-performance", "report-runs"} <= set(md["dashboards_warmed"])
        assert md["last_new_data/queue-performance"]
        assert "| queue-performance |" in md["last_new_data"]
        ds = admin.get(f"/api/v1/dataset/{_dataset_id(admin, 'queue_kpis_daily')}")["result"]
        assert "ccwh_test_new_column" in {c["column_name"] for c in ds["columns"]}
        after = json.loads((home / "superset" / "sync_state.json").read_text())["dashboards"]
        # the queue dashboard saw new data; report runs (registry untouched) did not
        assert (
            after["queue-performance"]["latest_data"] > before["queue-performance"]["latest_data"]
        )
        assert after["report-runs"]["last_new_data_at"] == before["report-runs"]["last_new_data_at"]
    finally:
        _publish_like(
            home,
            "DELETE FROM queue_kpis_daily WHERE ccwh_test_new_column = 7 AND report_day = "
            "(SELECT max(report_day) FROM queue_kpis_daily);"
            "ALTER TABLE queue_kpis_daily DROP COLUMN ccwh_test_new_column",
        )
    result = _materialize_sync_asset(home, server.url)
    assert result.success
    ds = admin.get(f"/api/v1/dataset/{_dataset_id(admin, 'queue_kpis_daily')}")["result"]
    assert "ccwh_test_new_column" not in {c["column_name"] for c in ds["columns"]}


@needs_stack
def test_first_render_after_the_sync_asset_is_served_from_the_cache(stack, monkeypatch):
    """The sync asset warms the results cache for admin and for each tenant's analysts (whose
    cache keys include their row-level security): a first render after it computes nothing."""
    home, server = stack["home"], stack["server"]
    monkeypatch.setenv("CCWH_SUPERSET_ADMIN_PASSWORD", ADMIN_PASSWORD)
    for entry in (home / "superset" / "cache" / "data").iterdir():  # as if nobody had looked
        entry.unlink()  # (files only: the running server's FileSystemCache needs its folder)
    result = _materialize_sync_asset(home, server.url)
    assert result.success
    (mat,) = result.asset_materializations_for_node("serving__superset")
    t = stack["tenants"][0]
    assert t in mat.metadata["tenants_warmed"].value
    views = [("admin", ADMIN_PASSWORD, ["queue-performance", "report-runs"])]
    views.append((stack["users"][t], ANALYST_PASSWORD, ["queue-performance"]))
    for user, password, slugs in views:
        shown = browse(server.url, user, password, slugs, ARTIFACTS, cache_report=True)
        for dash in shown["dashboards"]:
            assert dash["complete"] and not any(c["error"] for c in dash["charts"]), dash
            cache = dash["chart_data_cache"]
            log(f"{user} {dash['slug']}: {cache['cached']}/{cache['requests']} from cache")
            assert cache["requests"] >= len(dash["charts"]), cache
            assert cache["not_cached"] == [], (user, dash["slug"], cache)


@needs_stack
def test_serve_stops_cleanly_on_sigterm(stack):
    # last: stops the module's server (the fixture's stop() is then a no-op)
    rc = stack["server"].stop()
    assert rc == 0
    assert not (stack["home"] / "superset" / "superset.pid").exists()


# --- not marked superset: runs in the default suite, needs no Superset and no browser ---------


def test_dagster_asset_fails_clearly_when_superset_is_down(tmp_path, monkeypatch):
    from orchestration.superset_sync import CLIENT_PACKAGE, load_sync

    monkeypatch.delenv("CCWH_SUPERSET_URL", raising=False)
    monkeypatch.delenv("CCWH_SUPERSET_ADMIN_PASSWORD", raising=False)
    sync = load_sync()  # superset/sync.py from the pipeline's virtualenv, under a private name
    assert sync.__name__ == f"{CLIENT_PACKAGE}.sync"
    assert Path(sync.__file__) == Path(__file__).resolve().parent.parent / "superset" / "sync.py"

    home = tmp_path / "home"
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = _materialize_sync_asset(home, url)
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert len(failures) == 1
    error = failures[0].step_failure_data.user_failure_data.description
    assert error.startswith(f"Superset at {url} is down: start it with `make superset`"), error
    assert result.asset_materializations_for_node("serving__superset") == []

    # never set up in this home and no URL configured: skipped, not failed (ccwh build, demo)
    from dagster import materialize

    from orchestration.resources import WarehouseResource
    from orchestration.superset_sync import superset_sync

    skipped = materialize(
        [superset_sync], resources={"warehouse": WarehouseResource(home=str(home))}
    )
    assert skipped.success
    assert skipped.asset_materializations_for_node("serving__superset") == []
