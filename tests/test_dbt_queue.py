"""Queue family end to end: hand-made queue events of every channel through the queue models.

Builds only the queue family and what it needs (`+queue_kpis_* +abandoned_calls_summary
+tenants`) on a fresh DuckDB file, then checks the marts against hand-computed values and
against each other (interval, hour and day agree; abandoned_calls and its summary add up to the
daily abandoned counts). A second build with `--vars` shows the SL formula switch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
PROJECT_DIR = REPO / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"
SELECT = [
    "+queue_kpis_interval",
    "+queue_kpis_hourly",
    "+queue_kpis_daily",
    "+abandoned_calls_summary",
    "+tenants",
]

RAW_EVENTS_DDL = """
create table raw.events (
    event_id varchar, event_type varchar, schema_version integer, tenant_id varchar,
    occurred_at timestamp, received_at timestamp, destination varchar, source varchar,
    data json, segment varchar, loaded_at timestamp
)
"""


def _queue(event_id, etype, queue, entered, left, outcome, answered=None, portfolio="retail"):
    data = {
        "interaction_id": f"i-{event_id}",
        "queue_id": queue,
        "portfolio_id": portfolio,
        "contact_id": f"c-{event_id}",
        "entered_at": entered,
        "left_at": left,
        "outcome": outcome,
    }
    if answered is not None:
        data["answered_at"] = answered
    return event_id, etype, "kol", data


# Tenant kol reports in Asia/Kolkata (UTC+5:30, ahead: midnight-to-midnight local days).
EVENTS = [
    (
        "d-kol",
        "directory",
        "kol",
        {"entity": "tenant", "id": "kol", "attributes": {"reports_time_zone": "Asia/Kolkata"}},
    ),
    # voice queue hotline, report day 2026-11-20 (local 10:00-10:59 = 04:30-05:29 UTC)
    _queue(
        "v1",
        "queue_call",
        "hotline",
        "2026-11-20T04:30:00Z",
        "2026-11-20T04:30:20Z",
        "answered",
        answered="2026-11-20T04:30:20Z",
    ),  # within SL (20 s inclusive)
    _queue(
        "v2",
        "queue_call",
        "hotline",
        "2026-11-20T04:40:00Z",
        "2026-11-20T04:40:30Z",
        "answered",
        answered="2026-11-20T04:40:30Z",
    ),  # not within SL
    _queue(
        "v3",
        "queue_call",
        "hotline",
        "2026-11-20T04:50:00Z",
        "2026-11-20T04:50:04.99Z",
        "abandoned",
    ),  # short abandon, bucket 0-5s
    _queue(
        "v4",
        "queue_call",
        "hotline",
        "2026-11-20T05:29:00Z",
        "2026-11-20T05:29:05Z",
        "abandoned",
        portfolio=None,
    ),  # 5.0 s: not short, bucket 5-10s, within SL
    # local 11:00 (05:30 UTC): the next hour
    _queue(
        "v5", "queue_call", "hotline", "2026-11-20T05:30:00Z", "2026-11-20T05:32:00Z", "abandoned"
    ),  # 120 s: bucket 120s+, not within SL
    # 18:29 UTC = 23:59 local on 11-20; 18:30 UTC = 00:00 local on 11-21
    _queue(
        "v6",
        "queue_call",
        "hotline",
        "2026-11-20T18:29:00Z",
        "2026-11-20T18:29:10Z",
        "answered",
        answered="2026-11-20T18:29:10Z",
    ),
    _queue(
        "v7",
        "queue_call",
        "hotline",
        "2026-11-20T18:30:00Z",
        "2026-11-20T18:30:10Z",
        "answered",
        answered="2026-11-20T18:30:10Z",
    ),
    # chat queue web
    _queue(
        "h1",
        "queue_chat",
        "web",
        "2026-11-20T04:30:00Z",
        "2026-11-20T04:30:12Z",
        "answered",
        answered="2026-11-20T04:30:12Z",
    ),
    _queue("h2", "queue_chat", "web", "2026-11-20T04:31:00Z", "2026-11-20T04:31:40Z", "abandoned"),
    # email queue mail: answered after 1 h, one timed out
    _queue(
        "m1",
        "queue_email",
        "mail",
        "2026-11-20T04:30:00Z",
        "2026-11-20T05:30:00Z",
        "answered",
        answered="2026-11-20T05:30:00Z",
    ),
    _queue(
        "m2", "queue_email", "mail", "2026-11-20T04:35:00Z", "2026-11-21T04:35:00Z", "timed_out"
    ),
]


def _env(warehouse: Path) -> dict[str, str]:
    env = dict(os.environ, DO_NOT_TRACK="1", DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    env["CCWH_WAREHOUSE"] = str(warehouse)
    return env


def _dbt(tmp: Path, warehouse: Path, command: str, select: list[str], *extra: str):
    return subprocess.run(
        [
            str(DBT),
            command,
            "--select",
            *select,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
            *extra,
        ],
        env=_env(warehouse),
        cwd=str(tmp),
        capture_output=True,
        text=True,
        timeout=900,
    )


def _build(tmp: Path, warehouse: Path) -> subprocess.CompletedProcess:
    # cautious: only tests whose every parent is built here (other families' relationships
    # tests pointing at int_tenants would otherwise run against tables not built)
    return _dbt(tmp, warehouse, "build", SELECT, "--indirect-selection", "cautious")


def _write_raw_events(path: Path) -> None:
    received = datetime(2026, 11, 22, 0, 0, 0)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(RAW_EVENTS_DDL)
        con.executemany(
            "insert into raw.events values (?, ?, 1, ?, ?, ?, 'test', 'ingest', ?, 'seg', ?)",
            [
                (e, t, tenant, received, received, json.dumps(d), received)
                for e, t, tenant, d in EVENTS
            ],
        )


def _rows(warehouse: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rel = con.sql(sql)
        return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dbt_queue")
    warehouse = tmp / "warehouse.duckdb"
    _write_raw_events(warehouse)
    result = _build(tmp, warehouse)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return tmp, warehouse


def test_daily_per_channel_with_sl_variants(built):
    _, warehouse = built
    rows = _rows(
        warehouse,
        "select queue_id, channel, report_day, offered, answered, abandoned, short_abandoned,"
        " answered_within_sl, abandoned_within_sl, service_level, service_level_excl_short,"
        " service_level_of_answered, service_level_incl_abandoned, abandon_rate_excl_short,"
        " sl_formula from queue_kpis_daily order by queue_id, report_day",
    )
    assert rows[0] == {
        "queue_id": "hotline",
        "channel": "call",
        "report_day": date(2026, 11, 20),
        "offered": 6,  # v1..v6
        "answered": 3,  # v1, v2, v6
        "abandoned": 3,  # v3, v4, v5
        "short_abandoned": 1,  # v3 (4.99 s)
        "answered_within_sl": 2,  # v1 (20 s), v6 (10 s)
        "abandoned_within_sl": 2,  # v3, v4
        "service_level": 0.4,  # default formula: 2 / (6 - 1)
        "service_level_excl_short": 0.4,
        "service_level_of_answered": pytest.approx(2 / 3),
        "service_level_incl_abandoned": pytest.approx(4 / 6),
        "abandon_rate_excl_short": 0.4,  # (3 - 1) / (6 - 1)
        "sl_formula": "excl_short_abandons",
    }
    assert (rows[1]["report_day"], rows[1]["offered"]) == (date(2026, 11, 21), 1)  # v7
    mail = next(r for r in rows if r["queue_id"] == "mail")
    assert (mail["channel"], mail["offered"], mail["answered"], mail["answered_within_sl"]) == (
        "email",
        2,
        1,
        0,  # 1 h is far over the voice default of 20 s
    )
    web = next(r for r in rows if r["queue_id"] == "web")
    assert (web["channel"], web["service_level"], web["abandon_rate_excl_short"]) == (
        "chat",
        0.5,
        0.5,
    )


def test_hours_are_local_and_add_up(built):
    _, warehouse = built
    hours = _rows(
        warehouse,
        "select report_day, hour_start, hour_start_local, offered from queue_kpis_hourly"
        " where queue_id = 'hotline' order by hour_start",
    )
    t = datetime
    assert hours == [
        {
            "report_day": date(2026, 11, 20),
            "hour_start": t(2026, 11, 20, 4, 30),
            "hour_start_local": t(2026, 11, 20, 10, 0),
            "offered": 4,
        },
        {
            "report_day": date(2026, 11, 20),
            "hour_start": t(2026, 11, 20, 5, 30),
            "hour_start_local": t(2026, 11, 20, 11, 0),
            "offered": 1,
        },
        {
            "report_day": date(2026, 11, 20),
            "hour_start": t(2026, 11, 20, 17, 30),
            "hour_start_local": t(2026, 11, 20, 23, 0),
            "offered": 1,
        },
        {
            "report_day": date(2026, 11, 21),
            "hour_start": t(2026, 11, 20, 18, 30),
            "hour_start_local": t(2026, 11, 21, 0, 0),
            "offered": 1,
        },
    ]
    totals = _rows(
        warehouse,
        "select (select sum(offered) from queue_kpis_interval) as interval_offered,"
        " (select sum(offered) from queue_kpis_hourly) as hourly_offered,"
        " (select sum(offered) from queue_kpis_daily) as daily_offered",
    )[0]
    assert set(totals.values()) == {len(EVENTS) - 1}


def test_abandoned_calls_and_summary(built):
    _, warehouse = built
    detail = _rows(
        warehouse,
        "select interaction_id, channel, portfolio_id, hour_local, wait_bucket, is_short_abandon"
        " from abandoned_calls order by interaction_id",
    )
    assert detail == [
        {
            "interaction_id": "i-h2",
            "channel": "chat",
            "portfolio_id": "retail",
            "hour_local": 10,
            "wait_bucket": "30-60s",
            "is_short_abandon": False,
        },
        {
            "interaction_id": "i-v3",
            "channel": "call",
            "portfolio_id": "retail",
            "hour_local": 10,
            "wait_bucket": "0-5s",
            "is_short_abandon": True,
        },
        {
            "interaction_id": "i-v4",
            "channel": "call",
            "portfolio_id": None,
            "hour_local": 10,
            "wait_bucket": "5-10s",
            "is_short_abandon": False,
        },
        {
            "interaction_id": "i-v5",
            "channel": "call",
            "portfolio_id": "retail",
            "hour_local": 11,
            "wait_bucket": "120s+",
            "is_short_abandon": False,
        },
    ]
    agree = _rows(
        warehouse,
        "select (select sum(abandoned) from abandoned_calls_summary) as summary,"
        " (select count(*) from abandoned_calls) as detail,"
        " (select sum(abandoned) from queue_kpis_daily) as daily",
    )[0]
    assert set(agree.values()) == {4}


def test_tenants_mart(built):
    _, warehouse = built
    assert _rows(warehouse, "select * from tenants") == [
        {
            "tenant_id": "kol",
            "reports_time_zone": "Asia/Kolkata",
            "behind_utc": False,
            "standard_utc_offset_seconds": 19800,
            "sl_threshold_seconds": 20.0,
            "short_abandon_seconds": 5.0,
            "sl_formula": "excl_short_abandons",
            "dialer_bridge_seconds": 2.0,
            "dialer_abandon_threshold": 0.03,
            "dialer_window_days": 30,
        }
    ]


def test_project_default_formula_switch(built):
    """The var switches every tenant without a setting; service_level follows, variants don't."""
    tmp, warehouse = built
    models = ["int_tenants", "int_queue_interactions", "queue_kpis_daily"]
    switched = "{sl_formula: answered, sl_threshold_seconds: 30}"
    # queue_kpis_daily is incremental by report day: a changed metric setting restates every
    # day, so it needs --full-refresh (an incremental run without vars rebuilds no old day).
    result = _dbt(tmp, warehouse, "run", models, "--vars", switched, "--full-refresh")
    try:
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
        row = _rows(
            warehouse,
            "select sl_formula, sl_threshold_seconds, answered_within_sl, service_level,"
            " service_level_of_answered from queue_kpis_daily"
            " where queue_id = 'hotline' and report_day = date '2026-11-20'",
        )[0]
        assert row == {
            "sl_formula": "answered",
            "sl_threshold_seconds": 30.0,
            "answered_within_sl": 3,  # v2's 30 s is now within SL (<= 30)
            "service_level": 1.0,
            "service_level_of_answered": 1.0,
        }
    finally:
        _dbt(tmp, warehouse, "run", models, "--full-refresh")
