# ruff: noqa: E501 — YAML examples and exact expected messages read best on one line
"""Report runs end to end on a small published warehouse: incremental rules, Best Contact in
range, output spec, skip-if-empty, limits, per-portfolio queue, retention, PGP, alerts, audit."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
import textwrap
import threading
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from exports_servers import (
    SmtpServer,
    WebhookServer,
    load_and_publish,
    make_home,
    make_tls_cert,
    write_warehouse,
)

from exports import runner
from exports.definitions import find, parse_timeframe
from exports.registry import Registry, parse_ts


def utc(*a) -> datetime:
    return datetime(*a, tzinfo=UTC)


def defs(home, body: str, tenant: str = "acme", header: str = "") -> None:
    (home.config_dir / "reports" / f"{tenant}.yaml").write_text(
        f"tenant: {tenant}\n{textwrap.dedent(header)}reports:\n"
        + textwrap.indent(textwrap.dedent(body), "  ")
    )


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def ids(result) -> list[str]:
    return [r["interaction_id"] for r in rows(result.file)] if result.file else []


# --- incremental ----------------------------------------------------------------------

ATTEMPTS = [
    # tenant, campaign, client, interaction, status, rank, started_at, ended_at
    (
        "acme",
        "C1",
        "c1",
        "old",
        "BUSY",
        4,
        "2024-03-09 18:00:00",
        "2024-03-09 18:55:00",
    ),  # > 15 h before 10:00
    ("acme", "C1", "c2", "early", "BUSY", 4, "2024-03-09 19:10:00", "2024-03-09 19:20:00"),
    ("acme", "C1", "c3", "a0950", "NOANSWER", 4, "2024-03-10 09:40:00", "2024-03-10 09:50:00"),
    (
        "acme",
        "C1",
        "c4",
        "a1015",
        "DELIVEREDPERSON",
        8,
        "2024-03-10 10:05:00",
        "2024-03-10 10:15:00",
    ),
    (
        "acme",
        "C1",
        "c5",
        "a1045",
        "DELIVEREDMACHINE",
        7,
        "2024-03-10 10:40:00",
        "2024-03-10 10:45:00",
    ),
    (
        "acme",
        "C1",
        "c6",
        "straddle",
        "DELIVEREDPERSON",
        8,
        "2024-03-10 10:50:00",
        "2024-03-10 11:01:00",
    ),
    ("acme", "C2", "c7", "other-campaign", "BUSY", 4, "2024-03-10 10:10:00", "2024-03-10 10:20:00"),
    ("globex", "C1", "c1", "other-tenant", "BUSY", 4, "2024-03-10 10:10:00", "2024-03-10 10:20:00"),
]


@pytest.fixture
def home(tmp_path):
    h = make_home(tmp_path)
    write_warehouse(h, ATTEMPTS)
    defs(
        h,
        """
        - name: inc
          type: all_attempts
          scope: {campaign: C1}
          timeframe: incremental
        - name: inc-best
          type: best_contact
          scope: {campaign: C1}
          timeframe: incremental
        - name: inc-c2
          type: all_attempts
          scope: {campaign: C2}
          timeframe: incremental
        """,
    )
    return h


def test_first_incremental_run_covers_previous_15_hours(home):
    r = runner.run_named(home, "inc", now=utc(2024, 3, 10, 10))
    assert r.status == "finished"
    assert r.period.start == utc(2024, 3, 9, 19) and r.period.end == utc(2024, 3, 10, 10)
    assert ids(r) == ["early", "a0950"]  # "old" completed more than 15 h ago


def test_incremental_covers_since_last_incremental_run(home):
    runner.run_named(home, "inc", now=utc(2024, 3, 10, 10))
    r = runner.run_named(home, "inc", now=utc(2024, 3, 10, 11))
    assert r.period.start == utc(2024, 3, 10, 10)
    assert ids(r) == ["a1015", "a1045"]


def test_attempt_completing_after_cutoff_goes_to_next_run(home):
    runner.run_named(home, "inc", now=utc(2024, 3, 10, 10))
    at_11 = runner.run_named(home, "inc", now=utc(2024, 3, 10, 11))
    assert "straddle" not in ids(at_11)  # started 10:50, completed 11:01
    at_12 = runner.run_named(home, "inc", now=utc(2024, 3, 10, 12))
    assert ids(at_12) == ["straddle"]


def test_manual_incremental_run_moves_the_watermark(home):
    runner.run_named(home, "inc", now=utc(2024, 3, 10, 10), trigger="schedule")
    manual = runner.run_named(
        home, "inc", now=utc(2024, 3, 10, 10, 30), trigger="manual", user="maria"
    )
    assert (manual.period.start, manual.period.end) == (
        utc(2024, 3, 10, 10),
        utc(2024, 3, 10, 10, 30),
    )
    assert ids(manual) == ["a1015"]
    scheduled = runner.run_named(home, "inc", now=utc(2024, 3, 10, 11), trigger="schedule")
    assert scheduled.period.start == utc(2024, 3, 10, 10, 30)
    assert ids(scheduled) == ["a1045"]


def test_non_incremental_run_does_not_move_the_watermark(home):
    runner.run_named(home, "inc", now=utc(2024, 3, 10, 10))
    other = runner.run_named(
        home, "inc", now=utc(2024, 3, 10, 10, 30), timeframe=parse_timeframe("last_7_days")
    )
    assert other.status == "finished" and other.period.start != utc(2024, 3, 10, 10)
    r = runner.run_named(home, "inc", now=utc(2024, 3, 10, 11))
    assert r.period.start == utc(2024, 3, 10, 10)
    assert ids(r) == ["a1015", "a1045"]


def test_watermark_is_per_report_type_and_scope(home):
    runner.run_named(home, "inc", now=utc(2024, 3, 10, 10))
    best = runner.run_named(home, "inc-best", now=utc(2024, 3, 10, 11))
    assert best.period.start == utc(2024, 3, 9, 20)  # its own first run: 15 hours
    c2 = runner.run_named(home, "inc-c2", now=utc(2024, 3, 10, 11))
    assert c2.period.start == utc(2024, 3, 9, 20) and ids(c2) == ["other-campaign"]


# --- incremental cut-off vs the published copy's lag -----------------------------------


def _attempt(interaction: str, ended: str) -> tuple:
    return ("acme", "C1", "c-" + interaction, interaction, "BUSY", 4, ended, ended)


@pytest.fixture
def lag_home(tmp_path):
    h = make_home(tmp_path)
    defs(h, "- {name: inc, type: all_attempts, scope: {campaign: C1}, timeframe: incremental}\n")
    return h


def test_attempt_completed_but_not_yet_published_goes_to_the_next_run(lag_home):
    home = lag_home
    allowance = runner.LANDING_ALLOWANCE
    assert allowance == timedelta(minutes=2)  # the times below are chosen around it
    exported: list[str] = []

    def run(at):
        r = runner.run_named(home, "inc", now=at)
        assert r.status == "finished", r.error
        exported.extend(ids(r))
        return r

    # the 10:00 load holds what completed by then; the copy is published at once
    load_and_publish(home, [_attempt("a0930", "2024-03-10 09:30:00")], "2024-03-10 10:00:00")
    # b1010 completes at 10:10, but the next load is only at 10:40: at 10:30 the copy lacks it
    first = run(utc(2024, 3, 10, 10, 30))
    assert first.period.end == utc(2024, 3, 10, 10) - allowance  # not 10:30
    assert ids(first) == ["a0930"]

    load_and_publish(
        home,
        [_attempt("b1010", "2024-03-10 10:10:00"), _attempt("c1037", "2024-03-10 10:37:00")],
        "2024-03-10 10:40:00",
    )
    second = run(utc(2024, 3, 10, 11))
    assert second.period == runner.Period(first.period.end, utc(2024, 3, 10, 10, 38))
    assert ids(second) == ["b1010", "c1037"]

    # no publish since: the cut-off stays where it was, the period is empty, nothing repeats
    third = run(utc(2024, 3, 10, 11, 30))
    assert third.period == runner.Period(second.period.end, second.period.end)
    assert third.record_count == 0

    # d1039 completed within the allowance before the 10:40 load and missed it: next run
    load_and_publish(
        home,
        [_attempt("d1039", "2024-03-10 10:39:30"), _attempt("e1120", "2024-03-10 11:20:00")],
        "2024-03-10 11:45:00",
    )
    fourth = run(utc(2024, 3, 10, 12))
    assert fourth.period == runner.Period(second.period.end, utc(2024, 3, 10, 11, 43))
    assert ids(fourth) == ["d1039", "e1120"]

    # every attempt exactly once across the runs, and the watermark is the last cut-off
    assert sorted(exported) == ["a0930", "b1010", "c1037", "d1039", "e1120"]
    wm = Registry.for_home(home).watermark(runner.watermark_key(find(home, "inc")))
    assert wm == fourth.period.end


def test_late_arrival_is_not_in_incremental_runs_but_in_a_rerun_of_its_period(lag_home):
    """docs/exports.md "Late arrivals": an attempt loaded after a run whose cut-off passed its
    completion time is not sent by a later incremental run; a rerun of its period has it."""
    home = lag_home
    load_and_publish(home, [_attempt("a0930", "2024-03-10 09:30:00")], "2024-03-10 10:00:00")
    first = runner.run_named(home, "inc", now=utc(2024, 3, 10, 10, 30))
    assert ids(first) == ["a0930"]
    # completed 09:40, before the first run's cut-off (09:58), but resent by the platform and
    # loaded only at 12:00
    load_and_publish(
        home,
        [_attempt("late0940", "2024-03-10 09:40:00"), _attempt("f1130", "2024-03-10 11:30:00")],
        "2024-03-10 12:00:00",
    )
    second = runner.run_named(home, "inc", now=utc(2024, 3, 10, 12, 30))
    assert ids(second) == ["f1130"]
    rerun = runner.run_named(
        home,
        "inc",
        now=utc(2024, 3, 10, 12, 30),
        timeframe=parse_timeframe(
            {
                "explicit": {
                    "start": "2024-03-10 09:00",
                    "end": "2024-03-10 12:00",
                    "time_zone": "UTC",
                }
            }
        ),
    )
    assert ids(rerun) == ["a0930", "late0940", "f1130"]


def test_copy_without_publication_view_caps_the_cut_off_at_its_file_time(home):
    published = utc(2024, 3, 10, 10, 20)
    os.utime(home.serving, (published.timestamp(), published.timestamp()))
    r = runner.run_named(home, "inc", now=utc(2024, 3, 10, 11))
    assert r.period.end == published - runner.LANDING_ALLOWANCE
    assert ids(r) == ["early", "a0950", "a1015"]


def test_publish_records_its_time_and_the_newest_load(lag_home):
    home = lag_home
    before = datetime.now(UTC).replace(tzinfo=None)
    load_and_publish(home, [], "2024-03-10 10:00:00")
    load_and_publish(home, [], "2024-03-10 10:05:00")
    after = datetime.now(UTC).replace(tzinfo=None)
    import duckdb

    with duckdb.connect(str(home.serving), read_only=True) as con:
        [(published_at, last_load_at)] = con.execute(
            "select published_at, last_load_at from main.ccwh_publication"
        ).fetchall()
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert before <= published_at <= after
    assert last_load_at == datetime(2024, 3, 10, 10, 5)
    assert tables == {"all_attempts"}  # the view adds no table to the copy


def test_tenant_isolation(home):
    r = runner.run_named(
        home, "inc", now=utc(2024, 3, 10, 12), timeframe=parse_timeframe("entire_campaign")
    )
    assert "other-tenant" not in ids(r) and "other-campaign" not in ids(r)
    assert len(ids(r)) == 6


# --- Best Contact within the range ----------------------------------------------------

BEST = [
    (
        "acme",
        "C1",
        "k1",
        "k1-a",
        "DELIVEREDPERSON",
        8,
        "2024-03-01 10:00:00",
        "2024-03-01 10:05:00",
    ),
    ("acme", "C1", "k1", "k1-b", "BUSY", 4, "2024-03-02 09:00:00", "2024-03-02 09:01:00"),
    ("acme", "C1", "k1", "k1-c", "NOANSWER", 4, "2024-03-02 11:00:00", "2024-03-02 11:01:00"),
    ("acme", "C1", "k2", "k2-a", "BUSY", 4, "2024-03-02 12:00:00", "2024-03-02 12:01:00"),
    (
        "acme",
        "C1",
        "k2",
        "k2-b",
        "NOANSWER",
        4,
        "2024-03-02 12:00:00",
        "2024-03-02 12:02:00",
    ),  # same start
    (
        "acme",
        "C1",
        "k3",
        "k3-a",
        "DELIVEREDMACHINE",
        7,
        "2024-03-02 08:00:00",
        "2024-03-02 08:01:00",
    ),
    ("acme", "C1", "k3", "k3-b", "NOANSWER", 4, "2024-03-02 13:00:00", "2024-03-02 13:01:00"),
]


def test_best_contact_recomputed_within_range(tmp_path):
    home = make_home(tmp_path)
    write_warehouse(home, BEST)
    day2 = "{explicit: {start: '2024-03-02 00:00', end: '2024-03-03 00:00', time_zone: UTC}}"
    defs(
        home,
        f"""
        - {{name: all, type: all_attempts, scope: {{campaign: C1}}, timeframe: {day2}}}
        - {{name: best, type: best_contact, scope: {{campaign: C1}}, timeframe: {day2}}}
        """,
    )
    now = utc(2024, 3, 5)
    flags = {
        r["interaction_id"]: r["best_contact"]
        for r in rows(runner.run_named(home, "all", now=now).file)
    }
    # k1: the rank-8 attempt is outside the range, so the most recent rank-4 attempt wins;
    # k2: equal rank and start → highest interaction_id; k3: the higher rank beats recency
    assert flags == {"k1-b": "0", "k1-c": "1", "k2-a": "0", "k2-b": "1", "k3-a": "1", "k3-b": "0"}
    assert sorted(ids(runner.run_named(home, "best", now=now))) == ["k1-c", "k2-b", "k3-a"]


# --- output, empty reports, limits ----------------------------------------------------


def test_output_spec_shapes_a_txt_file(home):
    defs(
        home,
        """
        - name: spec
          type: all_attempts
          scope: {campaign: C1}
          timeframe: {explicit: {start: '2024-03-10 10:00', end: '2024-03-10 10:30', time_zone: UTC}}
          file_name: "<REPORT>_<CAMPAIGN>_<START:yyyyMMdd>"
          output:
            spec:
              columns: [{column: completion_status, header: Status}, {column: interaction_id, header: "Attempt Id"}, started_at]
              delimiter: "|"
              quoting: all
              timestamp_format: "%d/%m/%Y %H:%M"
        """,
    )
    r = runner.run_named(home, "spec", now=utc(2024, 3, 11))
    assert r.file.name == "AllAttempts_C1_20240310.txt"
    # C2's attempt at 10:10 is outside the campaign scope
    assert (
        r.file.read_text()
        == '"Status"|"Attempt Id"|"started_at"\n"DELIVEREDPERSON"|"a1015"|"10/03/2024 10:05"\n'
    )


def test_skip_if_empty(home):
    defs(
        home,
        """
        - {name: empty-skip, type: all_attempts, timeframe: yesterday, skip_if_empty: true, deliver: [{local: {path: out}}]}
        - {name: empty-keep, type: all_attempts, timeframe: yesterday, deliver: [{local: {path: out}}]}
        """,
    )
    now = utc(2024, 6, 1, 12)
    skipped = runner.run_named(home, "empty-skip", now=now)
    assert skipped.status == "finished" and skipped.skipped and skipped.file is None
    assert skipped.record_count == 0
    assert not (home.config_dir / "reports" / "out").exists()
    kept = runner.run_named(home, "empty-keep", now=now)
    assert kept.status == "finished" and kept.record_count == 0
    delivered = home.config_dir / "reports" / "out" / kept.file.name
    assert delivered.read_text().startswith("interaction_id,")
    assert len(delivered.read_text().splitlines()) == 1  # header only


def test_limits_are_refused_not_truncated(tmp_path):
    home = make_home(tmp_path)
    write_warehouse(
        home,
        extra_sql="create table all_contacts as select 'acme' tenant_id, 'C1' campaign_id, 'ct' || i contact_id,"
        " 'cl' || i client_id, 'u' || i || '@example.com' device, 'email' pass_type,"
        " timestamp '2024-03-01 10:00:00' started_at, timestamp '2024-03-01 10:01:00' ended_at from range(10001) t(i)",
    )
    defs(
        home,
        """
        - name: emails
          type: contact_email_extraction
          timeframe: {explicit: {start: '2024-03-01 00:00', end: '2024-03-02 00:00'}}
        - name: emails-long
          type: contact_email_extraction
          timeframe: {explicit: {start: '2024-01-01 00:00', end: '2024-03-01 00:00'}}
        """,
    )
    r = runner.run_named(home, "emails", now=utc(2024, 4, 2))
    assert r.status == "failed" and r.file is None
    assert "at most 10,000 records; this run matched 10,001" in r.error
    r = runner.run_named(home, "emails-long", now=utc(2024, 4, 2))
    assert r.status == "failed" and "at most 30 days" in r.error and "60.0 days" in r.error
    assert not any((runner.files_dir(home)).rglob("*.csv"))


def test_missing_mart_fails_with_a_clear_reason(home):
    defs(home, "- {name: dialer, type: dialer, timeframe: yesterday}\n")
    r = runner.run_named(home, "dialer", now=utc(2024, 3, 11))
    assert (
        r.status == "failed"
        and "has no mart 'dialer_detail'" in r.error
        and "ccwh build" in r.error
    )


def test_tenant_zone_comes_from_the_tenants_mart(tmp_path):
    home = make_home(tmp_path)
    write_warehouse(home, ATTEMPTS, tenants=[("acme", "America/Sao_Paulo", True)])
    defs(home, "- {name: y, type: all_attempts, timeframe: yesterday}\n")
    r = runner.run_named(home, "y", now=utc(2024, 3, 10, 12))
    # behind UTC: report day 9 March = 03:00 ET 9 March → 03:00 ET 10 March (DST starts)
    assert (r.period.start, r.period.end) == (utc(2024, 3, 9, 8), utc(2024, 3, 10, 7))


# --- per-portfolio queue --------------------------------------------------------------


ABANDONS = (
    "create table abandoned_calls as select 'acme' tenant_id, 'i' || i interaction_id, 'q1' queue_id,"
    " 'P' || (i % 2) portfolio_id, timestamp '2024-03-10 10:00:00' + i * interval 1 minute entered_at,"
    " timestamp '2024-03-10 10:00:30' + i * interval 1 minute left_at, 30 wait_seconds from range(50) t(i)"
)


@pytest.fixture
def queue_home(tmp_path):
    home = make_home(tmp_path)
    write_warehouse(home, extra_sql=ABANDONS)
    defs(
        home,
        """
        - {name: p0, type: abandoned_calls, scope: {portfolio: P0}, timeframe: entire_campaign}
        - {name: p0-b, type: abandoned_calls, filters: {portfolio: P0}, timeframe: entire_campaign}
        - {name: p1, type: abandoned_calls, scope: {portfolio: P1}, timeframe: entire_campaign}
        """,
    )
    return home


def _status(home, run_id):
    return Registry.for_home(home).get(run_id).status


def _wait_for(predicate, what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def test_runs_of_one_portfolio_wait_other_portfolios_do_not(queue_home):
    home = queue_home
    results: dict[str, runner.RunResult] = {}
    lock = runner.portfolio_lock_path(home, "acme", "P0")
    with runner.file_lock(lock):  # a P0 run is "in progress"
        t = threading.Thread(target=lambda: results.setdefault("p0", runner.run_named(home, "p0")))
        t.start()
        registry = Registry.for_home(home)
        _wait_for(lambda: registry.runs(status="waiting"), "the P0 run to be registered")
        waiting_id = registry.runs(status="waiting")[0].id
        other = runner.run_named(home, "p1")  # another portfolio runs meanwhile
        assert other.status == "finished" and other.record_count == 25
        assert _status(home, waiting_id) == "waiting"  # still queued behind the held P0 lock
    t.join(30)
    assert results["p0"].status == "finished" and results["p0"].record_count == 25
    run = Registry.for_home(home).get(waiting_id)
    assert parse_ts(run.started_at) >= parse_ts(
        Registry.for_home(home).get(other.run_id).finished_at
    )


def test_runs_of_one_portfolio_never_overlap(queue_home):
    home = queue_home
    active, peak = [0], [0]
    guard = threading.Lock()

    def hold(_run_id):
        with guard:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.1)  # widen the window in which an overlap would show
        with guard:
            active[0] -= 1

    # "p0" (scope) and "p0-b" (filter) are the same portfolio, so they share one queue
    threads = [
        threading.Thread(target=runner.run_named, args=(home, name), kwargs={"on_processing": hold})
        for name in ("p0", "p0-b", "p0", "p0-b")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert peak[0] == 1
    runs = sorted(Registry.for_home(home).runs(), key=lambda r: r.started_at)
    assert [r.status for r in runs] == ["finished"] * 4
    for a, b in zip(runs, runs[1:], strict=False):
        assert parse_ts(a.finished_at) <= parse_ts(b.started_at)


# --- retention, audit, download -------------------------------------------------------


def test_retention_deletes_old_files_and_keeps_rows(home, tmp_path):
    r = runner.run_named(home, "inc", now=utc(2024, 3, 10, 10), user="maria")
    assert r.file.exists()
    assert runner.apply_retention(home, now=datetime.now(UTC) + timedelta(days=29)) == []
    assert r.file.exists()
    deleted = runner.apply_retention(home, now=datetime.now(UTC) + timedelta(days=31))
    assert deleted == [r.run_id] and not r.file.exists()
    row = Registry.for_home(home).get(r.run_id)
    assert row.status == "finished" and row.file_deleted_at and row.record_count == 2
    assert runner.apply_retention(home, now=datetime.now(UTC) + timedelta(days=31)) == []
    with pytest.raises(runner.RunError, match="deleted by retention"):
        runner.fetch_file(home, r.run_id, tmp_path, "maria")


def test_registry_row_and_audit_log(home, tmp_path):
    r = runner.run_named(home, "inc", now=utc(2024, 3, 10, 10), user="maria")
    got = runner.fetch_file(home, r.run_id, tmp_path, "joao")
    assert got.read_bytes() == r.file.read_bytes()
    reg = Registry.for_home(home)
    row = reg.get(r.run_id)
    assert (row.tenant, row.report_name, row.report_type, row.scope) == (
        "acme",
        "inc",
        "all_attempts",
        "campaign=C1",
    )
    assert (
        row.requested_by == "maria" and row.timeframe == "incremental" and row.trigger == "manual"
    )
    assert (
        row.period_start == "2024-03-09 19:00:00.000000"
        and row.period_end == "2024-03-10 10:00:00.000000"
    )
    assert row.record_count == 2 and row.file_path == str(r.file)
    actions = [(a["actor"], a["action"]) for a in reg.audit_entries(run_id=r.run_id)]
    assert actions == [
        ("maria", "run_requested"),
        ("maria", "run_started"),
        ("maria", "run_finished"),
        ("joao", "downloaded"),
    ]
    # the registry is plain SQLite in WAL mode: any reader (Superset) can open it
    import sqlite3

    con = sqlite3.connect(home.root / "exports" / "registry.sqlite")
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert (
        con.execute("select count(*) from report_runs where status = 'finished'").fetchone()[0] == 1
    )


# --- PGP ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pgp_keys():
    if not shutil.which("gpg"):
        pytest.skip("gpg is not installed (Debian: apt-get install gnupg)")
    import gnupg

    gh = tempfile.mkdtemp(prefix="ccwh-t-", dir="/tmp")
    gpg = gnupg.GPG(gnupghome=gh)
    key = gpg.gen_key(
        gpg.gen_key_input(
            key_type="EDDSA",
            key_curve="ed25519",
            subkey_type="ECDH",
            subkey_curve="cv25519",
            name_email="acme-reports@example.com",
            no_protection=True,
        )
    )
    public = Path(gh) / "acme-public.asc"
    public.write_text(gpg.export_keys(key.fingerprint))
    yield gpg, public
    subprocess.run(["gpgconf", "--homedir", gh, "--kill", "gpg-agent"], capture_output=True)
    shutil.rmtree(gh, ignore_errors=True)


def test_zip_and_pgp_round_trip(home, pgp_keys, tmp_path):
    gpg, public = pgp_keys
    defs(
        home,
        f"""
        - name: secure
          type: all_attempts
          scope: {{campaign: C1}}
          timeframe: entire_campaign
          file_name: "<ACCOUNT_UID>_<REPORT>"
          zip: true
          pgp_public_key: {public}
          deliver: [{{local: {{path: {tmp_path / "drop"}}}}}]
        """,
    )
    r = runner.run_named(home, "secure", now=utc(2024, 3, 10, 12))
    assert r.status == "finished" and r.file.name == "acme_AllAttempts.csv.zip.pgp"
    delivered = tmp_path / "drop" / r.file.name
    assert delivered.read_bytes() == r.file.read_bytes()
    assert b"a1015" not in delivered.read_bytes()
    plain = gpg.decrypt(delivered.read_bytes())
    assert plain.ok, plain.status
    with zipfile.ZipFile(io.BytesIO(plain.data)) as z:
        assert z.namelist() == ["acme_AllAttempts.csv"]
        text = z.read("acme_AllAttempts.csv").decode()
    assert text.startswith("interaction_id,") and "a1015" in text and "other-tenant" not in text


# --- alerts ---------------------------------------------------------------------------


def test_failed_run_alerts_by_webhook_and_email(home, tmp_path):
    cert, key = make_tls_cert(tmp_path / "tls")
    smtp = SmtpServer(cert=cert, key=key).start()
    hook = WebhookServer()
    try:
        defs(
            home,
            "- {name: broken, type: dialer, timeframe: yesterday}\n",
            header=f"""
            smtp: {{host: 127.0.0.1, port: {smtp.port}, ca_file: {cert}, from: ccwh@example.com}}
            alerts: {{email: ops@example.com, webhook: "{hook.url}"}}
            """,
        )
        r = runner.run_named(home, "broken", now=utc(2024, 3, 11))
        assert r.status == "failed"
        [post] = hook.posts
        assert post["json"]["event"] == "report_run_failed" and post["json"]["run_id"] == r.run_id
        assert "dialer_detail" in post["json"]["error"]
        [mail] = smtp.messages
        assert mail["to"] == ["ops@example.com"] and mail["tls"]
        assert b"report broken (acme) failed" in mail["data"]
        actions = [a["action"] for a in Registry.for_home(home).audit_entries(run_id=r.run_id)]
        assert actions.count("alert_sent") == 2
    finally:
        hook.stop()
        smtp.stop()


# --- the command ----------------------------------------------------------------------


def test_report_command(home, capsys):
    import argparse

    from exports import command

    parser = argparse.ArgumentParser()
    command.add_arguments(parser)

    def ccwh(*argv):
        args = parser.parse_args(list(argv))
        args.home = home
        return command.run(args)

    assert ccwh("run", "inc", "--timeframe", "entire_campaign", "--user", "ana") == 0
    out = capsys.readouterr().out
    assert "finished, 6 records" in out
    assert (
        ccwh(
            "run",
            "inc",
            "--start",
            "2024-03-10 10:00",
            "--end",
            "2024-03-10 11:00",
            "--time-zone",
            "UTC",
        )
        == 0
    )
    assert "finished, 3 records" in capsys.readouterr().out  # explicit dates filter on start time
    assert (
        ccwh("list") == 0
        and "inc: all_attempts @ campaign=C1, incremental; manual only" in capsys.readouterr().out
    )
    assert ccwh("runs", "--status", "finished") == 0 and "ana" in capsys.readouterr().out
    assert ccwh("validate") == 0
    assert ccwh("catalogue", "all_attempts") == 0 and "best_contact:" in capsys.readouterr().out
    assert ccwh("retention", "--days", "30") == 0
    assert (
        ccwh("run", "nope") == 2 and "no report definition named 'nope'" in capsys.readouterr().err
    )


def test_dagster_job_runs_a_definition(home):
    from exports.dagster_defs import export_report_job

    defs(home, "- {name: all, type: all_attempts, timeframe: entire_campaign}\n")
    config = {"home": str(home.root), "tenant": "acme", "report": "all"}
    result = export_report_job.execute_in_process(
        run_config={"ops": {"run_report_op": {"config": config}}}
    )
    assert result.success
    summary = result.output_for_node("run_report_op")
    assert summary["status"] == "finished" and summary["records"] == 7
    assert Registry.for_home(home).get(summary["run_id"]).trigger == "schedule"
