"""Campaign marts on hand-made contact events, through the real completion-status seed.

One `dbt build` of the campaign marts and everything upstream (seeds, models, data tests,
unit tests) on a fresh DuckDB; the assertions compare the marts with outcomes worked out by
hand in the comments, and compile `best_contact_in_range` for a report range and run it.
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

T = "acme"  # Europe/Warsaw: UTC+1 in November


def _attempt(
    event_id,
    client_id,
    status,
    started,
    ended,
    *,
    campaign="renewals",
    channel="call",
    pass_type="voice",
    direction="outbound",
    connected=None,
    bridged=None,
    dc_attempts=None,
    **extra,
):
    data = {
        "interaction_id": f"i-{event_id}",
        "contact_id": f"ct-{client_id}",
        "direction": direction,
        "campaign_id": campaign,
        "sub_campaign_id": f"{campaign}-{pass_type}",
        "list_id": f"list-{campaign}",
        "device": "+48500000000" if pass_type != "email" else "x@example.com",
        "pass_type": pass_type,
        "completion_status": status,
        "started_at": started,
        "ended_at": ended,
        "talk_seconds": 0,
    }
    if client_id is not None:
        data["client_id"] = client_id
    if connected is not None:
        data["connected_at"] = connected
    if bridged is not None or status == "DELIVEREDPERSON":
        data["bridged_at"] = bridged
    if dc_attempts is not None:
        data["dc_attempts"] = dc_attempts
    data.update(extra)
    return event_id, f"contact_{channel}", T, data


def _directory(event_id, entity, entity_id, attributes):
    return event_id, "directory", T, {"entity": entity, "id": entity_id, "attributes": attributes}


def _dc(at, status, ring, whisper=0, talk=0):
    return {
        "attempted_at": at,
        "dc_number": "+48500099454",
        "dc_status": status,
        "ring_seconds": ring,
        "whisper_seconds": whisper,
        "talk_seconds": talk,
    }


EVENTS = [
    _directory("d-t", "tenant", T, {"reports_time_zone": "Europe/Warsaw"}),
    _directory("d-c1", "campaign", "renewals", {"dialing_mode": "predictive"}),
    _directory("d-c2", "campaign", "reminders", {"dialing_mode": "direct_connect"}),
    # client a: NOANSWER 10:00, live answer 11:00 bridged after 1 s, NOANSWER 12:00 (UTC).
    # Entire campaign: the live answer is best (rank 8 > 4). From 11:30 on: the 12:00 one.
    _attempt("a1", "a", "NOANSWER", "2026-11-20T10:00:00Z", "2026-11-20T10:01:00Z"),
    _attempt(
        "a2",
        "a",
        "DELIVEREDPERSON",
        "2026-11-20T11:00:00Z",
        "2026-11-20T11:05:00Z",
        connected="2026-11-20T11:00:10Z",
        bridged="2026-11-20T11:00:11Z",
    ),
    _attempt("a3", "a", "NOANSWER", "2026-11-20T12:00:00Z", "2026-11-20T12:01:00Z"),
    # client b: filtered (DNC) only -> All Contacts only
    _attempt("b1", "b", "DNC", "2026-11-20T08:45:00Z", "2026-11-20T08:45:00Z"),
    # client c: live answer bridged after 3 s (> 2 s: a dialer abandon), at 23:30 UTC =
    # 00:30 Warsaw -> report day 2026-11-21
    _attempt(
        "c1",
        "c",
        "DELIVEREDPERSON",
        "2026-11-20T23:30:00Z",
        "2026-11-20T23:35:00Z",
        connected="2026-11-20T23:30:05Z",
        bridged="2026-11-20T23:30:08Z",
    ),
    # no client_id: an attempt, never a Best Contact
    _attempt(
        "n1",
        None,
        "DELIVEREDMACHINE",
        "2026-11-20T13:00:00Z",
        "2026-11-20T13:01:00Z",
        connected="2026-11-20T13:00:20Z",
    ),
    # e-mail campaign: e1 only ever EMAIL_FILTERED (the seed's nameless row), e2 sent
    _attempt(
        "e1",
        "e1",
        "EMAIL_FILTERED",
        "2026-11-20T07:45:00Z",
        "2026-11-20T07:45:00Z",
        campaign="mail",
        channel="email",
        pass_type="email",
    ),
    _attempt(
        "e2",
        "e2",
        "SENTEMAIL",
        "2026-11-20T09:00:00Z",
        "2026-11-20T09:00:03Z",
        campaign="mail",
        channel="email",
        pass_type="email",
    ),
    # direct-connect campaign: a live answer (not a dialer call) with two DC attempts
    _attempt(
        "r1",
        "r",
        "DELIVEREDPERSON",
        "2026-11-20T14:00:00+01:00",
        "2026-11-20T14:06:00+01:00",
        campaign="reminders",
        connected="2026-11-20T14:00:10+01:00",
        dc_attempts=[
            _dc("2026-11-20T14:00:40+01:00", "DC_CALL_CENTER_BUSY", 4),
            _dc("2026-11-20T14:00:50+01:00", "DC_SUCCESS", 8, 5, 200),
        ],
    ),
    # a text opt-out
    _attempt(
        "s1",
        "s",
        "TEXT_MSG_OPT_OUT",
        "2026-11-20T15:00:00Z",
        "2026-11-20T15:20:00Z",
        campaign="mail",
        channel="sms",
        pass_type="text",
    ),
]


def _dbt(args: list[str], tmp: Path, warehouse: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, DO_NOT_TRACK="1", DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    env["CCWH_WAREHOUSE"] = str(warehouse)
    return subprocess.run(
        [
            str(DBT),
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ],
        env=env,
        cwd=str(tmp),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dbt_campaign")
    warehouse = tmp / "warehouse.duckdb"
    received = datetime(2026, 11, 22, 0, 0, 0)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw")
        con.execute(RAW_EVENTS_DDL)
        con.executemany(
            "insert into raw.events values (?, ?, 1, ?, ?, ?, 'test', 'ingest', ?, 'seg', ?)",
            [(e, t, ten, received, received, json.dumps(d), received) for e, t, ten, d in EVENTS],
        )
    result = _dbt(
        ["build", "--select", "+path:models/marts/campaign", "--indirect-selection", "cautious"],
        tmp,
        warehouse,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return tmp, warehouse


def _rows(warehouse: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rel = con.sql(sql)
        return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]


def test_all_attempts_and_best_contact(built):
    _, warehouse = built
    rows = _rows(warehouse, "select event_id, best_contact from all_attempts order by event_id")
    # filtered b1 (DNC) and e1 (EMAIL_FILTERED) are not attempts
    assert rows == [
        {"event_id": "a1", "best_contact": 0},
        {"event_id": "a2", "best_contact": 1},
        {"event_id": "a3", "best_contact": 0},
        {"event_id": "c1", "best_contact": 1},
        {"event_id": "e2", "best_contact": 1},
        {"event_id": "n1", "best_contact": 0},  # no client_id: never best
        {"event_id": "r1", "best_contact": 1},
        {"event_id": "s1", "best_contact": 1},
    ]
    best = _rows(warehouse, "select client_id, event_id from best_contact order by client_id")
    assert [(r["client_id"], r["event_id"]) for r in best] == [
        ("a", "a2"),
        ("c", "c1"),
        ("e2", "e2"),
        ("r", "r1"),
        ("s", "s1"),
    ]
    c1 = _rows(warehouse, "select report_day, status_rank from all_attempts where event_id = 'c1'")
    assert c1 == [{"report_day": date(2026, 11, 21), "status_rank": 8}]  # 00:30 Warsaw


def test_all_contacts_adds_filtered_records(built):
    _, warehouse = built
    rows = _rows(
        warehouse,
        "select event_id, is_filtered, is_contact_record from all_contacts "
        "where is_filtered or is_contact_record order by event_id",
    )
    assert rows == [
        {"event_id": "a2", "is_filtered": False, "is_contact_record": True},
        {"event_id": "b1", "is_filtered": True, "is_contact_record": True},
        {"event_id": "c1", "is_filtered": False, "is_contact_record": True},
        {"event_id": "e1", "is_filtered": True, "is_contact_record": True},
        {"event_id": "e2", "is_filtered": False, "is_contact_record": True},
        {"event_id": "r1", "is_filtered": False, "is_contact_record": True},
        {"event_id": "s1", "is_filtered": False, "is_contact_record": True},
    ]


def test_best_contact_in_range(built):
    tmp, warehouse = built
    inline = (
        "{{ best_contact_in_range('2026-11-20 11:30:00', '2026-11-21 00:00:00', 'acme', "
        "'campaign', 'renewals') }}"
    )
    result = _dbt(["compile", "--quiet", "--inline", inline, "--output", "json"], tmp, warehouse)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    sql = json.loads(result.stdout)["compiled"]
    rows = _rows(warehouse, f"select client_id, event_id, best_contact from ({sql}) order by 1")
    # a's live answer (11:00) is outside the range: the 12:00 NOANSWER is best within it
    assert rows == [
        {"client_id": "a", "event_id": "a3", "best_contact": 1},
        {"client_id": "c", "event_id": "c1", "best_contact": 1},
    ]


def test_dialer_compliance_and_direct_connect(built):
    _, warehouse = built
    rows = _rows(
        warehouse,
        "select campaign_id, report_day, live_answered_calls, abandoned_calls, "
        "window_abandon_rate, is_over_threshold from dialer_compliance order by report_day",
    )
    # a2 bridged in 1 s (compliant); c1 in 3 s (abandon) on the next report day; r1 is on
    # a direct_connect campaign and is not a dialer call
    assert rows == [
        {
            "campaign_id": "renewals",
            "report_day": date(2026, 11, 20),
            "live_answered_calls": 1,
            "abandoned_calls": 0,
            "window_abandon_rate": 0.0,
            "is_over_threshold": False,
        },
        {
            "campaign_id": "renewals",
            "report_day": date(2026, 11, 21),
            "live_answered_calls": 1,
            "abandoned_calls": 1,
            "window_abandon_rate": 0.5,
            "is_over_threshold": True,
        },
    ]
    dcs = _rows(
        warehouse,
        "select dc_attempt_number, attempted_at, dc_status, is_final_dc_attempt, client_id "
        "from contact_center_detail order by dc_attempt_number",
    )
    assert dcs == [
        {
            "dc_attempt_number": 1,
            "attempted_at": datetime(2026, 11, 20, 13, 0, 40),
            "dc_status": "DC_CALL_CENTER_BUSY",
            "is_final_dc_attempt": False,
            "client_id": "r",
        },
        {
            "dc_attempt_number": 2,
            "attempted_at": datetime(2026, 11, 20, 13, 0, 50),
            "dc_status": "DC_SUCCESS",
            "is_final_dc_attempt": True,
            "client_id": "r",
        },
    ]
    summary = _rows(
        warehouse,
        "select successful_dcs, failed_dcs, avg_ring_seconds, avg_talk_seconds from dc_summary",
    )
    assert summary == [
        {"successful_dcs": 1, "failed_dcs": 1, "avg_ring_seconds": 8.0, "avg_talk_seconds": 200.0}
    ]


def test_opt_outs_usage_and_trace(built):
    _, warehouse = built
    opt = _rows(warehouse, "select client_id, opted_out_at from text_opt_outs")
    assert opt == [{"client_id": "s", "opted_out_at": datetime(2026, 11, 20, 15, 20)}]
    # usage day is New York's date: c1 at 23:30 UTC is 18:30 in New York, still 2026-11-20
    usage = _rows(warehouse, "select usage_day, report_day from usage_detail where event_id = 'c1'")
    assert usage == [{"usage_day": date(2026, 11, 20), "report_day": date(2026, 11, 21)}]
    # the trace of one device holds attempts and filtered records across campaigns
    trace = _rows(
        warehouse,
        "select count(*) as n, count(distinct campaign_id) as campaigns from contact_trace "
        "where tenant_id = 'acme' and device = '+48500000000'",
    )
    assert trace == [{"n": 8, "campaigns": 3}]
