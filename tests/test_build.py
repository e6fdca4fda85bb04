"""Orchestration: the Dagster definitions, the landing sensor, and `ccwh build` end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from ccwh.paths import REPO_ROOT, Home
from ccwh.warehouse import writer_lock

ENV = {
    **os.environ,
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "PYTHONUNBUFFERED": "1",
}


@pytest.fixture(scope="module", autouse=True)
def manifest() -> None:
    """The dbt assets load from the manifest; `make install` writes it, tests make sure."""
    from orchestration.dbt_project import dbt_project, prepare

    if not dbt_project.manifest_path.exists():
        prepare()


def _event(eid: str, etype: str, occurred: str, data: dict, received: str) -> dict:
    return {
        "event_id": eid,
        "event_type": etype,
        "schema_version": 1,
        "tenant_id": "acme",
        "occurred_at": occurred,
        "data": data,
        "_ccwh_received_at": received,
        "_ccwh_destination": "main",
        "_ccwh_source": "ingest",
    }


def tiny_landing(home: Home) -> None:
    """Two segments: directory, three queue calls (one resent), one agent call (DESIGN §3)."""
    r = "2026-11-20T10:00:00.000001Z"
    events = [
        _event(
            "d1",
            "directory",
            "2026-11-20T08:00:00Z",
            {"entity": "tenant", "id": "acme", "attributes": {"reports_time_zone": "UTC"}},
            r,
        ),
        _event(
            "q1",
            "queue_call",
            "2026-11-20T09:01:00+01:00",
            {
                "interaction_id": "i1",
                "queue_id": "support",
                "entered_at": "2026-11-20T09:00:00+01:00",
                "answered_at": "2026-11-20T09:00:10+01:00",
                "left_at": "2026-11-20T09:01:00+01:00",
                "outcome": "answered",
                "agent_id": "a1",
            },
            r,
        ),
        _event(
            "q2",
            "queue_call",
            "2026-11-20T08:05:30Z",
            {
                "interaction_id": "i2",
                "queue_id": "support",
                "entered_at": "2026-11-20T08:05:00Z",
                "left_at": "2026-11-20T08:05:30Z",
                "outcome": "abandoned",
            },
            r,
        ),
        _event(
            "a1",
            "agent_call",
            "2026-11-20T09:06:00+01:00",
            {
                "interaction_id": "i1",
                "agent_id": "a1",
                "direction": "inbound",
                "queue_id": "support",
                "offered_at": "2026-11-20T09:00:05+01:00",
                "answered_at": "2026-11-20T09:00:10+01:00",
                "ended_at": "2026-11-20T09:05:10+01:00",
                "hold_seconds": 20,
                "wrap_up_seconds": 30,
            },
            r,
        ),
    ]
    resent = {**events[1], "_ccwh_received_at": "2026-11-20T10:00:07Z"}
    write(home, "20261120T100000000000Z-test-1-00000001.ndjson", events[:2])
    write(home, "20261120T100001000000Z-test-1-00000002.ndjson", [*events[2:], resent])


def write(home: Home, name: str, events: list[dict]) -> Path:
    home.landing_ready.mkdir(parents=True, exist_ok=True)
    path = home.landing_ready / name
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def ccwh_build(home: Home, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ccwh.cli", "--home", str(home.root), "build", *args],
        cwd=REPO_ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=900)
    return proc.returncode, out, err


# --- definitions and sensor (no dbt run) ---------------------------------------------------


def test_definitions_wire_load_dbt_checks_publish(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CCWH_HOME", str(tmp_path))
    from dagster import AssetKey

    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    raw = AssetKey(["raw", "events"])
    serving = AssetKey(["serving", "warehouse"])
    daily = AssetKey(["queue_kpis_daily"])
    assert {raw, serving, daily} <= set(graph.get_all_asset_keys())
    # dbt's source raw.events is the loader's asset; publish waits for every dbt asset.
    staging = {k for k in graph.get(raw).child_keys if k.path[0] == "staging"}
    assert staging
    superset = AssetKey(["serving", "superset"])
    dbt_keys = {k for k in graph.get_all_asset_keys() if k not in (raw, serving, superset)}
    assert dbt_keys <= set(graph.get(serving).parent_keys)
    # Superset is synced after publish, and nothing waits for it.
    assert set(graph.get(superset).parent_keys) == {serving}
    assert not graph.get(superset).child_keys
    checks = {k.name: k for k in graph.asset_check_keys}
    assert "raw_events_match_manifest" in checks
    assert "source_unique_raw_events_event_id" in checks  # a dbt test, surfaced as a check
    job = defs.resolve_job_def("pipeline")
    assert job.tags.get("ccwh/warehouse") == "writer"
    sensor = defs.resolve_sensor_def("landing_sensor")
    assert {j.name for j in sensor.jobs} == {"pipeline", "rebuild_report_days"}


def _requested(result) -> list[str]:
    """The jobs of a sensor result that is a list of run requests (no late days here)."""
    from dagster import RunRequest

    assert isinstance(result, list) and all(isinstance(r, RunRequest) for r in result), result
    return [r.job_name for r in result]


def test_landing_sensor_requests_a_run_for_new_segments(tmp_path: Path) -> None:
    from dagster import DagsterInstance, SkipReason, build_sensor_context
    from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus

    from orchestration.resources import WarehouseResource
    from orchestration.sensors import landing_sensor

    home = Home(tmp_path / "home").ensure()
    resources = {"warehouse": WarehouseResource(home=str(home.root))}
    with DagsterInstance.ephemeral() as instance:

        def evaluate(cursor: str | None):
            context = build_sensor_context(instance=instance, cursor=cursor, resources=resources)
            return landing_sensor(context), context.cursor

        result, _ = evaluate(None)
        assert isinstance(result, SkipReason)

        write(home, "20261120T100000000000Z-h-1-00000001.ndjson", [])
        newest = write(home, "20261120T100005000000Z-h-1-00000002.ndjson", []).name
        result, cursor = evaluate(None)
        assert _requested(result) == ["pipeline"] and cursor == newest

        result, _ = evaluate(newest)  # nothing newer than the cursor
        assert isinstance(result, SkipReason)

        newer = write(home, "20261120T100009000000Z-h-1-00000003.ndjson", []).name
        instance.add_run(
            DagsterRun(job_name="pipeline", run_id="busy", status=DagsterRunStatus.STARTED)
        )
        result, cursor = evaluate(newest)
        assert isinstance(result, SkipReason) and "in progress" in str(result.skip_message)
        assert cursor == newest  # kept: the next evaluation after the run picks them up
        instance.report_run_canceled(instance.get_run_by_id("busy"))
        result, cursor = evaluate(newest)
        assert _requested(result) == ["pipeline"] and cursor == newer


def test_prepare_only_needs_no_warehouse(tmp_path: Path) -> None:
    home = Home(tmp_path / "fresh")
    code, out, err = finish(ccwh_build(home, "--prepare-only"))
    assert code == 0, err
    assert "manifest" in out
    assert not home.warehouse.exists()


# --- ccwh build end to end -----------------------------------------------------------------


@pytest.mark.slow
def test_build_end_to_end_then_a_failing_test_keeps_the_published_copy(tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    tiny_landing(home)

    # Another pipeline run holds the writer lock: the build waits, saying so, then runs.
    release = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with writer_lock(home):
            holding.set()
            release.wait(timeout=600)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(timeout=10)
    proc = ccwh_build(home)
    seen: list[str] = []
    for line in proc.stdout:
        seen.append(line)
        if "waiting for another pipeline run" in line:
            assert f"pid {os.getpid()}" in line
            release.set()
            break
    release.set()
    holder.join()
    code, out, err = finish(proc)
    out = "".join(seen) + out
    assert code == 0, out + err
    assert "loaded 2 segments: 5 lines, 4 new events, 1 duplicates" in out
    assert "dbt build:" in out and "built queue_kpis_daily" in out
    assert "published" in out and "ccwh build: done" in out
    assert "Running with dbt" not in out  # dbt's own log stays in <home>/dbt

    with duckdb.connect(str(home.serving), read_only=True) as con:
        rows = con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()
        schemas = {r[0] for r in rows}
        daily = con.execute(
            "SELECT tenant_id, queue_id, report_day::VARCHAR, offered, answered, abandoned "
            "FROM queue_kpis_daily"
        ).fetchall()
    assert schemas == {"main", "reference"}
    assert daily == [("acme", "support", "2026-11-20", 2, 1, 1)]
    assert "enabled: false" in (home.dagster_home / "dagster.yaml").read_text()
    assert list((home.dbt_dir / "target").glob("run-*/dbt.log"))
    published = home.serving.stat().st_mtime_ns

    # A hand-placed event with an outcome the schema does not allow fails a dbt test.
    bad = _event(
        "q9",
        "queue_call",
        "2026-11-20T08:10:00Z",
        {
            "interaction_id": "i9",
            "queue_id": "support",
            "entered_at": "2026-11-20T08:09:00Z",
            "left_at": "2026-11-20T08:10:00Z",
            "outcome": "vanished",
        },
        "2026-11-20T10:00:09Z",
    )
    write(home, "20261120T100002000000Z-test-1-00000003.ndjson", [bad])
    code, out, err = finish(ccwh_build(home))
    assert code == 1, out + err
    assert "step failed: dbt build" in err
    assert "accepted_values" in err and "outcome" in err
    assert "what to do:" in err
    assert home.serving.stat().st_mtime_ns == published  # readers keep the last good copy
