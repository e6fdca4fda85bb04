"""Great Expectations suites as Dagster checks: raw.events in the loader's step, the marts as
blocking checks that gate publish (serving/warehouse)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, AssetSelection, Definitions, define_asset_job, in_process_executor

from ccwh.paths import Home

PUBLISH = AssetKey(["serving", "warehouse"])
NOW = datetime(2026, 11, 22, 12, 0)


@pytest.fixture(scope="module", autouse=True)
def manifest() -> None:
    from orchestration.dbt_project import dbt_project, prepare

    if not dbt_project.manifest_path.exists():
        prepare()


# --- raw.events suite ------------------------------------------------------------------------


def raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA raw")
    con.execute(
        "CREATE TABLE raw.events (event_id VARCHAR, event_type VARCHAR, tenant_id VARCHAR, "
        "occurred_at TIMESTAMP, loaded_at TIMESTAMP)"
    )
    con.execute("CREATE TABLE raw.loaded_segments (segment VARCHAR, inserted BIGINT)")


def add(con, event_id, event_type="queue_call", occurred=NOW, loaded=NOW) -> None:
    con.execute(
        "INSERT INTO raw.events VALUES (?, ?, 'acme', ?, ?)",
        [event_id, event_type, occurred, loaded],
    )


def results_by_name(con, since=NOW) -> dict:
    from orchestration.quality.raw import check_raw_events

    return {r.check_name: r for r in check_raw_events(con, loaded_since=since, now=NOW)}


def test_raw_suite_passes_on_good_events_and_on_a_fresh_install() -> None:
    con = duckdb.connect()
    raw_tables(con)
    fresh = results_by_name(con)
    assert all(r.passed for r in fresh.values())
    assert "no segment loaded yet" in fresh["gx_raw_events_volume"].description

    con.execute("INSERT INTO raw.loaded_segments VALUES ('s1', 3)")
    add(con, "e1")
    add(con, "e2", "directory", occurred=NOW + timedelta(hours=23))  # within a day: a clock
    add(con, "e3", "agent_status", occurred=NOW - timedelta(days=3))
    results = results_by_name(con)
    assert set(results) == {
        "gx_raw_events_volume",
        "gx_raw_events_known_types",
        "gx_raw_events_not_in_future",
        "gx_raw_events_unique_event_id",
    }
    assert all(r.passed for r in results.values()), {k: r.description for k, r in results.items()}


def test_raw_suite_names_what_is_wrong() -> None:
    con = duckdb.connect()
    raw_tables(con)
    con.execute("INSERT INTO raw.loaded_segments VALUES ('s1', 1)")
    old = NOW - timedelta(days=2)
    add(con, "dup", loaded=old)
    add(con, "dup")  # loaded by this run again: only another writer does that
    add(con, "odd", "queue_sms")
    add(con, "late", occurred=NOW + timedelta(days=2))
    results = results_by_name(con)
    assert results["gx_raw_events_volume"].passed
    assert not results["gx_raw_events_known_types"].passed
    assert "queue_sms" in results["gx_raw_events_known_types"].description
    assert not results["gx_raw_events_not_in_future"].passed
    assert "late (acme)" in results["gx_raw_events_not_in_future"].description
    assert not results["gx_raw_events_unique_event_id"].passed
    assert "dup" in results["gx_raw_events_unique_event_id"].description
    assert all(r.severity.value == "ERROR" for r in results.values())

    empty = duckdb.connect()
    raw_tables(empty)
    empty.execute("INSERT INTO raw.loaded_segments VALUES ('s1', 1)")  # loaded, then wiped
    assert not results_by_name(empty)["gx_raw_events_volume"].passed


# --- mart suites gate publish ---------------------------------------------------------------


def tiny_warehouse(home: Home, *, service_level: float, abandon_rate: float = 0.2) -> None:
    home.ensure()
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("CREATE SCHEMA reference")
        con.execute("CREATE TABLE reference.tenant_settings AS SELECT 'acme' AS tenant_id")
        con.execute(
            "CREATE TABLE main.queue_kpis_daily AS SELECT 'acme' AS tenant_id, "
            f"{service_level}::DOUBLE AS service_level, {abandon_rate}::DOUBLE AS abandon_rate "
            "UNION ALL SELECT 'acme', NULL, NULL"
        )
        con.execute(
            "CREATE TABLE main.best_contact AS SELECT * FROM (VALUES ('acme', 'c1', 'k1'), "
            "('acme', 'c1', 'k2'), ('acme', 'c2', 'k1')) t(tenant_id, campaign_id, client_id)"
        )
        con.execute("CREATE TABLE main.company_interaction_trends AS SELECT 42 AS cel")


def publish_after_checks(home: Home, monkeypatch):
    """The real assets, mart checks and resources with publish: the dbt step is left out (the
    marts are already in the tiny warehouse), everything else is as in the `pipeline` job."""
    from orchestration.assets.dbt import dbt_models
    from orchestration.assets.ingest import raw_events
    from orchestration.assets.publish import serving_warehouse
    from orchestration.quality.marts import MART_CHECKS
    from orchestration.resources import build_resources

    monkeypatch.setenv("CCWH_HOME", str(home.root))

    job = define_asset_job(
        "publish_after_checks",
        selection=AssetSelection.assets(PUBLISH) | AssetSelection.checks(*MART_CHECKS),
        executor_def=in_process_executor,
    )
    defs = Definitions(
        assets=[raw_events, dbt_models, serving_warehouse],
        asset_checks=MART_CHECKS,
        jobs=[job],
        resources=build_resources(),
    )
    return defs.resolve_job_def(job.name)


def test_pipeline_plan_orders_publish_after_the_blocking_checks(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CCWH_HOME", str(tmp_path))
    from dagster._core.execution.api import create_execution_plan

    from orchestration.definitions import defs

    plan = create_execution_plan(defs.resolve_job_def("pipeline"))
    order = [s.key for s in plan.get_steps_to_execute_in_topo_order()]
    publish = plan.get_step_by_key("serving__warehouse")
    upstream = {key for i in publish.step_inputs for key in i.dependency_keys}
    blocking = {
        "queue_kpis_daily_gx_service_level_in_range",
        "best_contact_gx_one_row_per_client",
        "company_interaction_trends_gx_cel_in_range",
    }
    assert blocking | {"dbt_models"} <= upstream
    assert "queue_kpis_daily_gx_abandon_rate_plausible" not in upstream  # WARN: never blocks
    assert order[0] == "raw__events" and order[1] == "dbt_models"
    # publish is the last step but the Superset sync, which runs after it
    assert order[-2:] == [publish.key, "serving__superset"]
    assert all(order.index(check) < order.index(publish.key) for check in blocking)


def test_failed_blocking_check_skips_publish(monkeypatch, tmp_path: Path) -> None:
    home = Home(tmp_path)
    tiny_warehouse(home, service_level=1.7)  # a service level above 100 %
    result = publish_after_checks(home, monkeypatch).execute_in_process(raise_on_error=False)

    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    failed = checks["gx_service_level_in_range"]
    assert not failed.passed and failed.severity.value == "ERROR"
    assert "1.7" in failed.description
    assert checks["gx_one_row_per_client"].passed and checks["gx_cel_in_range"].passed
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "queue_kpis_daily_gx_service_level_in_range" in started
    assert "serving__warehouse" not in started  # "Dependencies ... failed. Not executing."
    assert not result.success
    assert not home.serving.exists()  # readers never saw the bad row


def test_warning_check_does_not_block_publish(monkeypatch, tmp_path: Path) -> None:
    home = Home(tmp_path)
    tiny_warehouse(home, service_level=0.8, abandon_rate=0.75)  # a bad day, not bad data
    result = publish_after_checks(home, monkeypatch).execute_in_process(raise_on_error=False)

    assert result.success
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    warned = checks["gx_abandon_rate_plausible"]
    assert not warned.passed and warned.severity.value == "WARN"
    assert all(c.passed for name, c in checks.items() if name != warned.check_name)
    assert home.serving.exists()
    with duckdb.connect(str(home.serving), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM main.best_contact").fetchone()[0] == 3
