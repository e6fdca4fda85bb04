"""The dbt project builds on a hand-made raw.events and yields hand-computed queue KPIs.

One `dbt build` (seeds, models, data tests, unit tests) runs on a fresh DuckDB file in a tmp
dir; the assertions below compare the marts with values worked out by hand in the comments.
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

RAW_EVENTS_DDL = """
create table raw.events (
    event_id varchar, event_type varchar, schema_version integer, tenant_id varchar,
    occurred_at timestamp, received_at timestamp, destination varchar, source varchar,
    data json, segment varchar, loaded_at timestamp
)
"""


def _queue(event_id, tenant, queue, entered, left, outcome, answered=None, etype="queue_call"):
    data = {
        "interaction_id": f"i-{event_id}",
        "queue_id": queue,
        "entered_at": entered,
        "left_at": left,
        "outcome": outcome,
    }
    if answered is not None:
        data["answered_at"] = answered
    return event_id, etype, tenant, data


def _agent(event_id, tenant, interaction_id, answered, ended, hold, wrap_up):
    data = {
        "interaction_id": interaction_id,
        "agent_id": "agent-1",
        "direction": "inbound",
        "offered_at": answered,
        "answered_at": answered,
        "ended_at": ended,
        "hold_seconds": hold,
        "wrap_up_seconds": wrap_up,
    }
    return event_id, "agent_call", tenant, data


def _tenant_zone(event_id, tenant, zone):
    data = {"entity": "tenant", "id": tenant, "attributes": {"reports_time_zone": zone}}
    return event_id, "directory", tenant, data


# acme: Europe/Warsaw (UTC+1 in November, ahead of UTC -> midnight-to-midnight Warsaw days).
# brasil: America/Sao_Paulo (behind UTC -> report day 03:00-03:00 New York, UTC-5 in
# November, so the boundary is 08:00 UTC). nozone: no directory event -> UTC.
EVENTS = [
    _tenant_zone("d-acme", "acme", "Europe/Warsaw"),
    _tenant_zone("d-brasil", "brasil", "America/Sao_Paulo"),
    # acme / sales, report day 2026-11-20
    # c1 answered after 20 s (within SL: <= 20), offset +01:00 -> 09:00:00 UTC
    _queue(
        "c1",
        "acme",
        "sales",
        "2026-11-20T10:00:00+01:00",
        "2026-11-20T10:00:20+01:00",
        "answered",
        answered="2026-11-20T10:00:20+01:00",
    ),
    # c2 abandoned after 4 s (short: < 5)
    _queue("c2", "acme", "sales", "2026-11-20T09:05:00Z", "2026-11-20T09:05:04Z", "abandoned"),
    # c3 abandoned after 30 s
    _queue("c3", "acme", "sales", "2026-11-20T09:10:00Z", "2026-11-20T09:10:30Z", "abandoned"),
    # c4 answered after 3 s
    _queue(
        "c4",
        "acme",
        "sales",
        "2026-11-20T09:20:00Z",
        "2026-11-20T09:20:03Z",
        "answered",
        answered="2026-11-20T09:20:03Z",
    ),
    # c5 answered after 25.5 s (not within SL), offset -05:00 -> 09:30:00 UTC
    _queue(
        "c5",
        "acme",
        "sales",
        "2026-11-20T04:30:00-05:00",
        "2026-11-20T04:30:25.5-05:00",
        "answered",
        answered="2026-11-20T04:30:25.5-05:00",
    ),
    # c6 timed out after 10 s at 23:59:59 Warsaw -> still 2026-11-20
    _queue("c6", "acme", "sales", "2026-11-20T22:59:59Z", "2026-11-20T23:00:09Z", "timed_out"),
    # c7 abandoned after 30 s at 00:30 Warsaw -> report day 2026-11-21
    _queue("c7", "acme", "sales", "2026-11-20T23:30:00Z", "2026-11-20T23:30:30Z", "abandoned"),
    # a chat: not in the voice marts
    _queue(
        "h1",
        "acme",
        "sales",
        "2026-11-20T09:00:00Z",
        "2026-11-20T09:00:01Z",
        "abandoned",
        etype="queue_chat",
    ),
    # clock skew: answered 5 s *before* it entered; kept (wait -5) and flagged by a warn test
    _queue(
        "k1",
        "acme",
        "skewed",
        "2026-11-20T12:00:05Z",
        "2026-11-20T12:00:00Z",
        "answered",
        answered="2026-11-20T12:00:00Z",
    ),
    # agent legs: c1 talk 300 - 10 hold = 290, handle 290 + 10 + 30 = 330
    _agent("a1", "acme", "i-c1", "2026-11-20T09:00:20Z", "2026-11-20T09:05:20Z", 10, 30),
    # c4 talk 120, handle 120 + 0 + 15 = 135
    _agent("a4", "acme", "i-c4", "2026-11-20T09:20:03Z", "2026-11-20T09:22:03Z", 0, 15),
    # c5 talk 60 - 5 = 55, handle 55 + 5 + 0 = 60
    _agent("a5", "acme", "i-c5", "2026-11-20T09:30:25.5Z", "2026-11-20T09:31:25.5Z", 5, 0),
    # brasil / suporte
    # b1 at 07:59 UTC = 02:59 New York -> report day 2026-11-19; answered after 10 s
    _queue(
        "b1",
        "brasil",
        "suporte",
        "2026-11-20T07:59:00Z",
        "2026-11-20T07:59:10Z",
        "answered",
        answered="2026-11-20T07:59:10Z",
    ),
    # b2 at 08:01 UTC = 03:01 New York -> 2026-11-20; abandoned after 2 s (short)
    _queue("b2", "brasil", "suporte", "2026-11-20T08:01:00Z", "2026-11-20T08:01:02Z", "abandoned"),
    # b3 at 05:00 Sao Paulo = 08:00 UTC = 03:00 New York exactly -> 2026-11-20; answered 15 s
    _queue(
        "b3",
        "brasil",
        "suporte",
        "2026-11-20T05:00:00-03:00",
        "2026-11-20T05:00:15-03:00",
        "answered",
        answered="2026-11-20T05:00:15-03:00",
    ),
    # nozone: UTC days; 23:59 UTC is still 2026-11-20
    _queue(
        "n1",
        "nozone",
        "q",
        "2026-11-20T23:59:00Z",
        "2026-11-20T23:59:40Z",
        "answered",
        answered="2026-11-20T23:59:40Z",
    ),
]


def _dbt_env(warehouse: Path | None) -> dict[str, str]:
    env = dict(os.environ, DO_NOT_TRACK="1", DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    env.pop("CCWH_WAREHOUSE", None)
    if warehouse is not None:
        env["CCWH_WAREHOUSE"] = str(warehouse)
    return env


def _dbt(command: str, tmp: Path, warehouse: Path | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(DBT),
            command,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ],
        env=_dbt_env(warehouse),
        cwd=str(tmp),
        capture_output=True,
        text=True,
        timeout=1800,
    )


def _write_raw_events(path: Path) -> None:
    received = datetime(2026, 11, 21, 0, 0, 0)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(RAW_EVENTS_DDL)
        con.executemany(
            "insert into raw.events values (?, ?, 1, ?, ?, ?, 'test', 'ingest', ?, 'seg', ?)",
            [
                (event_id, etype, tenant, received, received, json.dumps(data), received)
                for event_id, etype, tenant, data in EVENTS
            ],
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dbt")
    warehouse = tmp / "warehouse.duckdb"
    _write_raw_events(warehouse)
    result = _dbt("build", tmp, warehouse)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return tmp, warehouse, result


def _rows(warehouse: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rel = con.sql(sql)
        return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]


def _kpis(warehouse: Path, table: str, where: str) -> dict:
    rows = _rows(warehouse, f"select * from {table} where {where}")
    assert len(rows) == 1, rows
    return rows[0]


def test_build_is_green_and_flags_clock_skew(built):
    tmp, _, result = built
    results = json.loads((tmp / "target" / "run_results.json").read_text())["results"]
    by_status: dict[str, list[str]] = {}
    for r in results:
        by_status.setdefault(r["status"], []).append(r["unique_id"])
    assert set(by_status) <= {"success", "pass", "warn"}, by_status
    # the skewed event is the only warning, on wait_seconds >= 0
    assert len(by_status.get("warn", [])) == 1, by_status.get("warn")
    assert "int_queue_interactions_wait_seconds" in by_status["warn"][0]
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert {"seed", "model", "test", "unit_test"} <= kinds


def test_daily_kpis_ahead_of_utc(built):
    _, warehouse, _ = built
    day = _kpis(
        warehouse,
        "queue_kpis_daily",
        "tenant_id = 'acme' and queue_id = 'sales' and channel = 'call'"
        " and report_day = date '2026-11-20'",
    )
    expected = {
        "tenant_id": "acme",
        "queue_id": "sales",
        "report_day": date(2026, 11, 20),
        "offered": 6,  # c1..c6 (the chat h1 is not voice)
        "answered": 3,  # c1, c4, c5
        "abandoned": 2,  # c2, c3
        "short_abandoned": 1,  # c2 (4 s)
        "answered_within_sl": 2,  # c1 (20 s), c4 (3 s); c5 25.5 s is not
        "service_level": 0.4,  # 2 / (6 - 1)
        "abandon_rate": pytest.approx(2 / 6),
        "asa_seconds": pytest.approx((20 + 3 + 25.5) / 3),
        "avg_time_to_abandon_seconds": 17.0,  # (4 + 30) / 2
        "avg_talk_seconds": 155.0,  # (290 + 120 + 55) / 3
        "avg_handle_seconds": 175.0,  # (330 + 135 + 60) / 3
    }
    # the original columns keep their meaning and their order; the queue family's columns
    # follow them, and report_day, the partition column, comes last (PORTABILITY rule 8:
    # Spark's partition overwrite needs it there; DECISIONLOG.md)
    assert {k: day[k] for k in expected} == expected
    spec = [k for k in expected if k != "report_day"]
    assert list(day)[: len(spec)] == spec
    assert list(day)[-1] == "report_day"
    assert day["channel"] == "call"
    assert day["sl_formula"] == "excl_short_abandons"
    assert day["service_level_of_answered"] == pytest.approx(2 / 3)  # 2 / 3 answered
    assert day["service_level_incl_abandoned"] == pytest.approx(3 / 6)  # (2 + c2 4 s) / 6
    assert day["abandon_rate_excl_short"] == 0.2  # c3 / (6 - 1)
    # the chat h1 in the same queue is a row of its own: one short abandon (1 s)
    chat = _kpis(
        warehouse,
        "queue_kpis_daily",
        "tenant_id = 'acme' and queue_id = 'sales' and channel = 'chat'",
    )
    assert (chat["offered"], chat["short_abandoned"], chat["service_level"]) == (1, 1, None)
    # c7 at 00:30 Warsaw: its own report day; no answers -> ASA and talk null, SL 0 / 1
    next_day = _kpis(
        warehouse,
        "queue_kpis_daily",
        "tenant_id = 'acme' and queue_id = 'sales' and channel = 'call'"
        " and report_day = date '2026-11-21'",
    )
    assert (next_day["offered"], next_day["abandoned"], next_day["short_abandoned"]) == (1, 1, 0)
    assert next_day["service_level"] == 0.0
    assert next_day["abandon_rate"] == 1.0
    assert next_day["asa_seconds"] is None
    assert next_day["avg_time_to_abandon_seconds"] == 30.0
    assert next_day["avg_talk_seconds"] is None


def test_daily_kpis_behind_utc_and_default_zone(built):
    _, warehouse, _ = built
    rows = _rows(
        warehouse,
        "select report_day, offered, answered, abandoned, short_abandoned, answered_within_sl,"
        " service_level, abandon_rate, asa_seconds, avg_time_to_abandon_seconds"
        " from queue_kpis_daily where tenant_id = 'brasil' order by report_day",
    )
    assert rows == [
        # b1 (02:59 New York) belongs to the day before
        {
            "report_day": date(2026, 11, 19),
            "offered": 1,
            "answered": 1,
            "abandoned": 0,
            "short_abandoned": 0,
            "answered_within_sl": 1,
            "service_level": 1.0,
            "abandon_rate": 0.0,
            "asa_seconds": 10.0,
            "avg_time_to_abandon_seconds": None,
        },
        # b2 (short abandon, 2 s) and b3 (15 s): SL 1 / (2 - 1), abandon rate 1 / 2
        {
            "report_day": date(2026, 11, 20),
            "offered": 2,
            "answered": 1,
            "abandoned": 1,
            "short_abandoned": 1,
            "answered_within_sl": 1,
            "service_level": 1.0,
            "abandon_rate": 0.5,
            "asa_seconds": 15.0,
            "avg_time_to_abandon_seconds": 2.0,
        },
    ]
    nozone = _rows(
        warehouse, "select report_day, asa_seconds from queue_kpis_daily where tenant_id = 'nozone'"
    )
    assert nozone == [{"report_day": date(2026, 11, 20), "asa_seconds": 40.0}]
    tenants = _rows(
        warehouse,
        "select tenant_id, reports_time_zone, behind_utc"
        " from intermediate.int_tenants order by tenant_id",
    )
    assert tenants == [
        {"tenant_id": "acme", "reports_time_zone": "Europe/Warsaw", "behind_utc": False},
        {"tenant_id": "brasil", "reports_time_zone": "America/Sao_Paulo", "behind_utc": True},
        {"tenant_id": "nozone", "reports_time_zone": "UTC", "behind_utc": False},
    ]


def test_interval_kpis(built):
    _, warehouse, _ = built
    rows = _rows(
        warehouse,
        "select interval_start, interval_start_local, offered, answered, abandoned,"
        " short_abandoned, answered_within_sl, service_level, abandon_rate, asa_seconds,"
        " avg_time_to_abandon_seconds, avg_talk_seconds from queue_kpis_interval"
        " where tenant_id = 'acme' and queue_id = 'sales' and channel = 'call'"
        " order by interval_start",
    )
    t = datetime
    assert rows == [
        # c1 (answered 20 s), c2 (short abandon 4 s), c3 (abandoned 30 s): SL 1 / (3 - 1)
        {
            "interval_start": t(2026, 11, 20, 9, 0),
            "interval_start_local": t(2026, 11, 20, 10, 0),
            "offered": 3,
            "answered": 1,
            "abandoned": 2,
            "short_abandoned": 1,
            "answered_within_sl": 1,
            "service_level": 0.5,
            "abandon_rate": pytest.approx(2 / 3),
            "asa_seconds": 20.0,
            "avg_time_to_abandon_seconds": 17.0,
            "avg_talk_seconds": 290.0,
        },
        # c4 (answered 3 s)
        {
            "interval_start": t(2026, 11, 20, 9, 15),
            "interval_start_local": t(2026, 11, 20, 10, 15),
            "offered": 1,
            "answered": 1,
            "abandoned": 0,
            "short_abandoned": 0,
            "answered_within_sl": 1,
            "service_level": 1.0,
            "abandon_rate": 0.0,
            "asa_seconds": 3.0,
            "avg_time_to_abandon_seconds": None,
            "avg_talk_seconds": 120.0,
        },
        # c5 (answered 25.5 s)
        {
            "interval_start": t(2026, 11, 20, 9, 30),
            "interval_start_local": t(2026, 11, 20, 10, 30),
            "offered": 1,
            "answered": 1,
            "abandoned": 0,
            "short_abandoned": 0,
            "answered_within_sl": 0,
            "service_level": 0.0,
            "abandon_rate": 0.0,
            "asa_seconds": 25.5,
            "avg_time_to_abandon_seconds": None,
            "avg_talk_seconds": 55.0,
        },
        # c6 (timed out): offered only
        {
            "interval_start": t(2026, 11, 20, 22, 45),
            "interval_start_local": t(2026, 11, 20, 23, 45),
            "offered": 1,
            "answered": 0,
            "abandoned": 0,
            "short_abandoned": 0,
            "answered_within_sl": 0,
            "service_level": 0.0,
            "abandon_rate": 0.0,
            "asa_seconds": None,
            "avg_time_to_abandon_seconds": None,
            "avg_talk_seconds": None,
        },
        # c7 (abandoned 30 s at 00:30 Warsaw)
        {
            "interval_start": t(2026, 11, 20, 23, 30),
            "interval_start_local": t(2026, 11, 21, 0, 30),
            "offered": 1,
            "answered": 0,
            "abandoned": 1,
            "short_abandoned": 0,
            "answered_within_sl": 0,
            "service_level": 0.0,
            "abandon_rate": 1.0,
            "asa_seconds": None,
            "avg_time_to_abandon_seconds": 30.0,
            "avg_talk_seconds": None,
        },
    ]


def test_clock_skewed_event_is_counted_not_dropped(built):
    _, warehouse, _ = built
    row = _kpis(warehouse, "queue_kpis_daily", "tenant_id = 'acme' and queue_id = 'skewed'")
    assert (row["offered"], row["answered"], row["asa_seconds"]) == (1, 1, -5.0)


def test_mart_column_types(built):
    _, warehouse, _ = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'main' and table_name = 'queue_kpis_interval'"
                " order by ordinal_position"
            ).fetchall()
        )
    # The columns in its order, except report_day, the partition column, which comes
    # last (PORTABILITY rule 8; DECISIONLOG.md).
    assert list(types)[-1] == "report_day"
    assert list(types)[:13] == [
        "tenant_id",
        "queue_id",
        "interval_start",
        "offered",
        "answered",
        "abandoned",
        "short_abandoned",
        "answered_within_sl",
        "service_level",
        "abandon_rate",
        "asa_seconds",
        "avg_time_to_abandon_seconds",
        "avg_talk_seconds",
    ]
    assert types["report_day"] == "DATE"
    assert types["interval_start"] == "TIMESTAMP"
    for count in ("offered", "answered", "abandoned", "short_abandoned", "answered_within_sl"):
        assert types[count] == "BIGINT"
    for ratio in ("service_level", "abandon_rate", "asa_seconds", "avg_talk_seconds"):
        assert types[ratio] == "DOUBLE"


def test_seeds_loaded_into_reference(built):
    _, warehouse, _ = built
    statuses = _rows(
        warehouse, "select status, channel_types, rank from reference.completion_statuses"
    )
    assert len(statuses) == 79
    by_status = {r["status"]: r for r in statuses}
    assert by_status["EMAIL_FILTERED"] == {
        "status": "EMAIL_FILTERED",
        "channel_types": "Email",
        "rank": 1,
    }
    assert by_status["SENTEMAIL"]["channel_types"] == "Email"
    assert by_status["TMS_ERROR_PROVIDER"]["rank"] == by_status["NOTCONNECTED"]["rank"] == 3
    dc = _rows(warehouse, "select status from reference.dc_statuses where is_success")
    assert dc == [{"status": "DC_SUCCESS"}]


def test_parse_needs_neither_warehouse_nor_variable(tmp_path):
    # `make install` parses the project for Dagster's manifest before any warehouse exists,
    # possibly without CCWH_WAREHOUSE set: the profile's default path is only opened by runs.
    result = _dbt("parse", tmp_path, None)
    assert result.returncode == 0, result.stdout[-4000:]
    assert not (tmp_path / ".ccwh").exists()
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert "source.ccwh.raw.events" in manifest["sources"]
    assert {"model.ccwh.queue_kpis_daily", "model.ccwh.queue_kpis_interval"} <= set(
        manifest["nodes"]
    )
