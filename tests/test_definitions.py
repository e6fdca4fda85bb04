"""The Dagster definitions as a whole: jobs, schedules (close of day, retention, exports),
the landing sensor's default, and `make dagster` (orchestration.dev) starting and stopping."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from datetime import UTC, datetime

import duckdb
import pytest
from dagster import DefaultScheduleStatus, DefaultSensorStatus, build_schedule_context

from ccwh.paths import REPO_ROOT, Home

ENV = {**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}


@pytest.fixture(scope="module", autouse=True)
def manifest() -> None:
    from orchestration.dbt_project import dbt_project, prepare

    if not dbt_project.manifest_path.exists():
        prepare()


REPORTS = """
tenant: acme
time_zone: Europe/Warsaw
reports:
  - name: kpis-weekly
    type: queue_kpis_daily
    timeframe: last_7_days
    schedule: {weekly: {day: monday, time: "06:30"}}
"""


def test_definitions_load_without_great_expectations_and_wire_everything(tmp_path) -> None:
    """In a fresh process, as the webserver loads them: GE stays unimported (it costs 5-15 s)
    and a tenant's report schedules come from <home>/config/reports."""
    home = Home(tmp_path).ensure()
    (home.config_dir / "reports").mkdir()
    (home.config_dir / "reports" / "acme.yaml").write_text(REPORTS, encoding="utf-8")
    probe = textwrap.dedent(
        """
        import json, sys
        from orchestration.definitions import defs
        print(json.dumps({
            "gx": "great_expectations" in sys.modules,
            "jobs": sorted(j.name for j in defs.jobs),
            "schedules": {s.name: [s.job_name, s.cron_schedule, s.execution_timezone,
                                   s.default_status.value] for s in defs.schedules},
            "sensors": {s.name: s.default_status.value for s in defs.sensors},
            "checks": sorted(k.name for k in defs.resolve_asset_graph().asset_check_keys),
        }))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env={**ENV, "CCWH_HOME": str(home.root)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    got = json.loads(out.strip().splitlines()[-1])
    assert got["gx"] is False
    assert {"pipeline", "export_report", "export_retention"} <= set(got["jobs"])
    assert got["schedules"]["close_of_day"] == ["pipeline", "*/15 * * * *", "UTC", "RUNNING"]
    assert got["schedules"]["export_retention"][:3] == ["export_retention", "0 4 * * *", "UTC"]
    assert got["schedules"]["report__acme__kpis_weekly"][0] == "export_report"
    assert got["sensors"] == {"landing_sensor": "RUNNING"}
    assert {
        "gx_raw_events_volume",
        "gx_raw_events_known_types",
        "gx_raw_events_not_in_future",
        "gx_raw_events_unique_event_id",
        "gx_abandon_rate_plausible",
        "gx_service_level_in_range",
        "gx_one_row_per_client",
        "gx_cel_in_range",
        "raw_events_match_manifest",
    } <= set(got["checks"])


def test_landing_sensor_and_schedules_default_to_running() -> None:
    from orchestration.schedules import close_of_day_schedule, retention_schedule
    from orchestration.sensors import landing_sensor

    assert landing_sensor.default_status == DefaultSensorStatus.RUNNING
    assert close_of_day_schedule.default_status == DefaultScheduleStatus.RUNNING
    assert retention_schedule.default_status == DefaultScheduleStatus.RUNNING


# --- close of day ---------------------------------------------------------------------------


def publish_tenants(home: Home, rows: list[tuple[str, str, bool]]) -> None:
    home.ensure()
    with duckdb.connect(str(home.serving)) as con:
        con.execute(
            "CREATE TABLE main.tenants (tenant_id VARCHAR, reports_time_zone VARCHAR, "
            "behind_utc BOOLEAN)"
        )
        con.executemany("INSERT INTO main.tenants VALUES (?, ?, ?)", rows)


def test_report_zones_from_the_published_tenants(tmp_path) -> None:
    from orchestration.schedules import report_zones

    home = Home(tmp_path)
    assert report_zones(home) == ["UTC"]  # nothing published yet
    publish_tenants(
        home,
        [
            ("acme", "Europe/Warsaw", False),
            ("beta", "Europe/Warsaw", False),
            ("gamma", "America/Sao_Paulo", True),  # report day 03:00-03:00 New York
            ("delta", "Asia/Kolkata", False),
        ],
    )
    assert report_zones(home) == ["America/New_York", "Asia/Kolkata", "Europe/Warsaw"]


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        ("2026-11-23T02:30", [("Europe/Warsaw", "2026-11-22")]),  # CET: 03:30 local
        ("2026-07-23T01:30", [("Europe/Warsaw", "2026-07-22")]),  # CEST
        ("2026-11-22T22:00", [("Asia/Kolkata", "2026-11-22")]),  # +05:30: 03:30 on the 23rd
        ("2026-11-23T08:30", [("America/New_York", "2026-11-22")]),  # EST
        ("2026-11-23T03:30", [("UTC", "2026-11-22")]),
        ("2026-11-23T02:45", []),  # Warsaw 03:45: the next tick, already done
        ("2026-11-23T02:15", []),
    ],
)
def test_zones_closing(utc: str, due: list[tuple[str, str]]) -> None:
    from orchestration.schedules import zones_closing

    zones = ["America/New_York", "Asia/Kolkata", "Europe/Warsaw", "UTC", "Not/AZone"]
    at = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert [(z, d.isoformat()) for z, d in zones_closing(zones, at)] == due


def test_close_of_day_schedule_requests_one_run_per_zone_day(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CCWH_HOME", str(tmp_path))
    from orchestration.definitions import defs
    from orchestration.resources import WarehouseResource
    from orchestration.schedules import close_of_day_schedule

    home = Home(tmp_path)
    publish_tenants(home, [("acme", "Europe/Warsaw", False)])
    resources = {"warehouse": WarehouseResource(home=str(home.root))}

    def tick(utc: str):
        at = datetime.fromisoformat(utc).replace(tzinfo=UTC)
        # partitioned run requests are resolved against the repository
        with build_schedule_context(
            scheduled_execution_time=at,
            resources=resources,
            repository_def=defs.get_repository_def(),
        ) as ctx:
            return close_of_day_schedule.evaluate_tick(ctx)

    due = tick("2026-11-23T02:30")
    assert [r.run_key for r in due.run_requests] == ["close_of_day:Europe/Warsaw=2026-11-22"]
    assert due.run_requests[0].tags["ccwh/trigger"] == "close_of_day"
    assert due.run_requests[0].partition_key == "2026-11-22"  # builds the closed report day
    assert tick("2026-11-23T03:30").run_requests == []  # UTC's 03:30, no UTC tenant


def test_retention_job_runs_on_an_empty_install(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CCWH_HOME", str(tmp_path))
    from orchestration.jobs import retention_job
    from orchestration.resources import WarehouseResource

    result = retention_job.execute_in_process(
        resources={"warehouse": WarehouseResource(home=str(tmp_path))}
    )
    assert result.success
    assert result.output_for_node("apply_retention_op") == 0


# --- make dagster ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


ASSET_GRAPH = """
{ assetNodes { assetKey { path }
    assetChecksOrError { ... on AssetChecks { checks { name } } } } }
"""


def group(pgid: int) -> list[str]:
    return subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout.split()


def group_empties(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while group(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


def _ignore_interrupts() -> None:
    # What a non-interactive shell does to a background job: the trap dev.py must undo.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def test_dev_command_defaults() -> None:
    from orchestration.dev import command

    assert command("127.0.0.1", 3000)[2:] == [
        "dagster",
        "dev",
        "-w",
        str(REPO_ROOT / "workspace.yaml"),
        "-h",
        "127.0.0.1",
        "-p",
        "3000",
    ]


@pytest.mark.slow
def test_make_dagster_starts_answers_and_stops_on_sigterm(tmp_path) -> None:
    """dagster dev needs 20-30 s (3 min on a busy machine) and ~740 MB; a free port instead of
    3000 so that a developer's own `make dagster` does not fail the test. Started with SIGINT
    and SIGTERM ignored, as a script's background job would be: dev.py must undo that."""
    port = free_port()
    home = Home(tmp_path / "home")
    log = open(tmp_path / "dev.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "orchestration.dev", "--home", str(home.root), "--port", str(port)],
        cwd=REPO_ROOT,
        env=ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_ignore_interrupts,
        start_new_session=True,  # its own process group: cleanup below reaches its children
    )
    try:
        deadline = time.monotonic() + 300
        nodes = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                data = graphql(port, ASSET_GRAPH)["data"]
                nodes = data["assetNodes"]
                if nodes:
                    break
            except (OSError, KeyError, TypeError, ValueError):
                pass
            time.sleep(2)
        assert nodes, f"dagster dev did not answer: {(tmp_path / 'dev.log').read_text()[-3000:]}"
        keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
        assert {"raw/events", "queue_kpis_daily", "best_contact", "serving/warehouse"} <= keys
        checks = {c["name"] for n in nodes for c in n["assetChecksOrError"].get("checks", [])}
        assert {"gx_raw_events_not_in_future", "gx_service_level_in_range"} <= checks
        assert (home.dagster_home / "dagster.yaml").exists()

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) is not None
        time.sleep(1)
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        # The code server exits a few seconds after `dagster dev` itself.
        assert group_empties(proc.pid, timeout=60), f"left running: {group(proc.pid)}"
    finally:
        if proc.poll() is None or group(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)  # only the group this test started
            proc.wait()
        log.close()
