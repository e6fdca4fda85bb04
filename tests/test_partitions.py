"""Report-day partitions, late events and restatements, in-process through Dagster.

A week of queue calls is built with ``ccwh build``; then one late call for a day already built
is landed and loaded by the sensor's normal run (which must leave that day alone), the sensor
requests the day's partition, the partition run rebuilds it, and audit.restatements names
exactly the mart rows that moved. Finally every report-day mart equals a fresh full build of
the same events.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ccwh.paths import Home

MARTS = [
    "queue_kpis_interval",
    "queue_kpis_hourly",
    "queue_kpis_daily",
    "abandoned_calls",
    "abandoned_calls_summary",
]
DAYS = [date(2026, 11, d) for d in range(14, 21)]  # a week, UTC tenant (default zone)
LATE_DAY = date(2026, 11, 17)


def _call(eid: str, day: date, hhmm: str, wait: int, outcome: str) -> dict:
    entered = f"{day.isoformat()}T{hhmm}:00Z"
    left_s = f"{day.isoformat()}T{hhmm}:{wait:02d}Z"
    data = {
        "interaction_id": f"i-{eid}",
        "queue_id": "q1",
        "entered_at": entered,
        "left_at": left_s,
        "outcome": outcome,
    }
    if outcome == "answered":
        data["answered_at"] = left_s
    return {
        "event_id": eid,
        "event_type": "queue_call",
        "schema_version": 1,
        "tenant_id": "acme",
        "occurred_at": left_s,
        "data": data,
        "_ccwh_received_at": "2026-11-21T00:00:00Z",
        "_ccwh_destination": "main",
        "_ccwh_source": "ingest",
    }


def week() -> list[dict]:
    """Each day: one call answered after 10 s, one abandoned after 30 s (10:00 interval)."""
    events = []
    for day in DAYS:
        events.append(_call(f"a-{day.day}", day, "10:00", 10, "answered"))
        events.append(_call(f"b-{day.day}", day, "10:05", 30, "abandoned"))
    return events


LATE = _call("late-1", LATE_DAY, "10:10", 20, "answered")  # within SL (20 s inclusive)


def land(home: Home, name: str, events: list[dict]) -> None:
    home.landing_ready.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(e) + "\n" for e in events)
    (home.landing_ready / name).write_text(text, encoding="utf-8")


def ccwh_build(home: Home, monkeypatch) -> None:
    from orchestration.build import run

    for var in ("CCWH_HOME", "DAGSTER_HOME", "CCWH_WAREHOUSE", "CCWH_PROGRESS"):
        monkeypatch.setenv(var, os.environ.get(var, ""))
    args = argparse.Namespace(home=home, prepare_only=False, verbose=False)
    assert run(args) == 0


def rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    return Home(tmp_path_factory.mktemp("late")), Home(tmp_path_factory.mktemp("full"))


def test_late_event_rebuilds_its_day_and_records_the_restatement(homes, monkeypatch) -> None:
    from dagster import DagsterInstance, build_sensor_context

    home, fresh = homes
    land(home, "20261121T000000-0001.ndjson", week())
    ccwh_build(home, monkeypatch)
    daily = f"SELECT offered FROM queue_kpis_daily WHERE report_day = DATE '{LATE_DAY}'"
    assert rows(home.warehouse, daily) == [(2,)]

    from orchestration.definitions import defs
    from orchestration.resources import WarehouseResource

    # The sensor's normal run loads the late call; the day waits for its own partition run.
    land(home, "20261121T010000-0002.ndjson", [LATE])
    with DagsterInstance.get() as instance:
        normal = defs.resolve_job_def("pipeline").execute_in_process(instance=instance)
        assert normal.success
        assert rows(home.warehouse, daily) == [(2,)]
        assert rows(
            home.warehouse,
            "SELECT tenant_id, report_day, events, late, built_at IS NULL FROM raw.loaded_days",
        ) == [("acme", LATE_DAY, 1, True, True)]

        resources = {"warehouse": WarehouseResource(home=str(home.root))}
        with build_sensor_context(instance=instance, resources=resources, definitions=defs) as ctx:
            result = defs.get_sensor_def("landing_sensor").evaluate_tick(ctx)
        requests = [(r.job_name, r.partition_key) for r in result.run_requests]
        assert requests == [("rebuild_report_days", LATE_DAY.isoformat())]

        rebuild = defs.resolve_job_def("rebuild_report_days").execute_in_process(
            instance=instance, partition_key=LATE_DAY.isoformat()
        )
        assert rebuild.success
    assert rows(home.warehouse, daily) == [(3,)]
    assert rows(home.warehouse, "SELECT count(*) FROM raw.loaded_days WHERE built_at IS NULL") == [
        (0,)
    ]

    restated = rows(
        home.warehouse,
        "SELECT mart, tenant_id, report_day, status, rows_before, rows_after, rows_added, "
        "rows_removed, rows_changed, changes FROM audit.restatements WHERE run_id = "
        f"'{rebuild.run_id}' ORDER BY mart",
    )
    summary = [r[:9] for r in restated]
    assert summary == [
        ("abandoned_calls", "acme", LATE_DAY, "no change", 1, 1, 0, 0, 0),
        ("abandoned_calls_summary", "acme", LATE_DAY, "no change", 1, 1, 0, 0, 0),
        ("queue_kpis_daily", "acme", LATE_DAY, "changed", 1, 1, 0, 0, 1),
        ("queue_kpis_hourly", "acme", LATE_DAY, "changed", 1, 1, 0, 0, 1),
        ("queue_kpis_interval", "acme", LATE_DAY, "changed", 1, 1, 0, 0, 1),
    ]
    by_mart = {r[0]: json.loads(r[9]) for r in restated}
    assert by_mart["abandoned_calls"] == []
    [change] = by_mart["queue_kpis_daily"]
    assert change["change"] == "changed"
    assert change["key"] == {
        "tenant_id": "acme",
        "queue_id": "q1",
        "channel": "call",
        "report_day": LATE_DAY.isoformat(),
    }
    # Before: 2 offered (answered 10 s, abandoned 30 s); after: + answered 20 s (within SL).
    assert change["columns"] == {
        "offered": [2, 3],
        "answered": [1, 2],
        "answered_within_sl": [1, 2],
        "service_level": [0.5, pytest.approx(2 / 3)],
        "abandon_rate": [0.5, pytest.approx(1 / 3)],
        "asa_seconds": [10.0, 15.0],
        "offered_excl_short": [2, 3],
        "service_level_excl_short": [0.5, pytest.approx(2 / 3)],
        "service_level_incl_abandoned": [0.5, pytest.approx(2 / 3)],
        "abandon_rate_excl_short": [0.5, pytest.approx(1 / 3)],
    }
    [interval] = by_mart["queue_kpis_interval"]
    assert interval["key"]["interval_start"] == f"{LATE_DAY.isoformat()}T10:00:00"
    assert interval["columns"]["offered"] == [2, 3]

    # The same events built from scratch give exactly the same marts.
    land(fresh, "20261121T000000-0001.ndjson", [*week(), LATE])
    ccwh_build(fresh, monkeypatch)
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        con.execute(f"ATTACH '{fresh.warehouse}' AS fresh (READ_ONLY)")
        for mart in MARTS:
            one_way = con.execute(
                f"SELECT count(*) FROM (SELECT * FROM main.{mart} EXCEPT ALL "
                f"SELECT * FROM fresh.main.{mart})"
            ).fetchone()[0]
            other_way = con.execute(
                f"SELECT count(*) FROM (SELECT * FROM fresh.main.{mart} EXCEPT ALL "
                f"SELECT * FROM main.{mart})"
            ).fetchone()[0]
            total = con.execute(f"SELECT count(*) FROM main.{mart}").fetchone()[0]
            assert (mart, one_way, other_way) == (mart, 0, 0)
            assert total > 0
