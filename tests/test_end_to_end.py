"""End to end: simulate → POST over TLS (resends, shuffled) → ccwh build → compare KPIs.

Every step runs the real `ccwh` command in a subprocess, against a real receiver on
127.0.0.1. The expected KPIs are computed by tests/reference_kpis.py straight from the
simulator's NDJSON, sharing no code with the dbt models.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import orjson
import pytest
from receiver_fixtures import Server
from reference_kpis import queue_kpis_daily

from ccwh.demo import demo_token
from ccwh.paths import Home

pytestmark = pytest.mark.slow

KEYS = ["tenant_id", "queue_id", "report_day"]
COUNTS = ["offered", "answered", "abandoned", "short_abandoned", "answered_within_sl"]
RATES = [
    "service_level",
    "abandon_rate",
    "asa_seconds",
    "avg_time_to_abandon_seconds",
    "avg_talk_seconds",
]


def ccwh(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ccwh.cli", "--home", str(home), *args]


def same(a: object, b: object) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return False
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Home, Path]:
    """A home where two simulated days were POSTed (with resends, shuffled) and built."""
    root = tmp_path_factory.mktemp("e2e")
    home = Home(root / "home").ensure()
    events_file = root / "events.ndjson"
    tenants = ["acme-pl", "solaris-br", "meridian"]
    token = demo_token(home, tenants)
    env = {**os.environ, "CCWH_TOKEN": token}
    receiver = Server(home.root)
    try:
        sim = subprocess.run(
            ccwh(
                home.root,
                "simulate",
                "--days",
                "2",
                "--start",
                "2026-03-07",
                "--calls-per-queue-day",
                "120",
                "--clients-per-campaign-day",
                "40",
                "--contacts",
                "200",
                "--out",
                str(events_file),
                "--url",
                f"{receiver.url}/events",
                "--resend-share",
                "0.1",
                "--shuffle",
                "--no-progress",
            ),
            env=env,
            capture_output=True,
            text=True,
        )
        assert sim.returncode == 0, sim.stdout + sim.stderr
    finally:
        assert receiver.stop() == 0, receiver.output()
    build = subprocess.run(ccwh(home.root, "build"), capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    return home, events_file


def test_every_event_loaded_exactly_once(built: tuple[Home, Path]) -> None:
    home, events_file = built
    ids = [orjson.loads(line)["event_id"] for line in events_file.read_bytes().splitlines()]
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        total, distinct = con.sql(
            "select count(*), count(distinct event_id) from raw.events"
        ).fetchall()[0]
        segments = con.sql("select sum(lines), sum(duplicates) from raw.loaded_segments").fetchall()
    assert total == distinct == len(set(ids)) == len(ids)
    lines, duplicates = segments[0]
    assert lines > len(ids), "the simulator resent 10 % of the events"
    assert lines - duplicates == len(ids)
    assert not list(home.landing_ready.iterdir()) and not list(home.landing_open.iterdir())


def test_queue_kpis_daily_match_independent_computation(built: tuple[Home, Path]) -> None:
    home, events_file = built
    events = [orjson.loads(line) for line in events_file.read_bytes().splitlines()]
    expected = queue_kpis_daily(events)
    with duckdb.connect(str(home.serving), read_only=True) as con:
        columns = [r[0] for r in con.sql("describe queue_kpis_daily").fetchall()]
        where = "where channel = 'call'" if "channel" in columns else ""
        actual = con.sql(
            f"select {', '.join(KEYS + COUNTS + RATES)} from queue_kpis_daily {where} "
            "order by tenant_id, queue_id, report_day"
        ).df()
    assert len(expected) > 10, "the simulation should cover several queues and days"
    assert len(actual) == len(expected), (actual[KEYS], expected[KEYS])
    actual["report_day"] = [d.date() if hasattr(d, "date") else d for d in actual["report_day"]]
    problems = []
    for (_, exp), (_, act) in zip(expected.iterrows(), actual.iterrows(), strict=True):
        key = tuple(exp[k] for k in KEYS)
        if tuple(act[k] for k in KEYS) != key:
            problems.append(f"row keys differ: {tuple(act[k] for k in KEYS)} != {key}")
            continue
        for col in COUNTS:
            if int(act[col]) != int(exp[col]):
                problems.append(f"{key} {col}: warehouse {act[col]} != expected {exp[col]}")
        for col in RATES:
            got = (
                None
                if act[col] is None or (isinstance(act[col], float) and math.isnan(act[col]))
                else act[col]
            )
            if not same(got, exp[col]):
                problems.append(f"{key} {col}: warehouse {act[col]} != expected {exp[col]}")
    assert not problems, "\n".join(problems[:20])


def test_published_copy_is_queryable_through_ccwh_sql(built: tuple[Home, Path]) -> None:
    home, _ = built
    out = subprocess.run(
        ccwh(home.root, "sql", "select count(*) as n from queue_kpis_interval", "--format", "csv"),
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    n = int(out.stdout.strip().splitlines()[-1])
    with duckdb.connect(str(home.serving), read_only=True) as con:
        assert n == con.sql("select count(*) from queue_kpis_interval").fetchall()[0][0] > 0
