"""ccwh simulate: determinism, validity, the metric edge cases it must produce, and sending."""

from __future__ import annotations

import hashlib
import http.server
import importlib.util
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest

from ingestion.schemas import EVENT_TYPES, validate_event
from ingestion.simulator import (
    DEFAULT_TENANTS,
    SimConfig,
    generate,
    send,
    write_ndjson,
)
from ingestion.simulator.clock import standard_offset
from ingestion.simulator.statuses import COMPLETION_STATUSES, DC_STATUSES, RANKS
from ingestion.simulator.stream import write_simulation

REPO = Path(__file__).resolve().parent.parent
SEED_002 = REPO.parent / "shared" / "seeds" / "002_9e700768c6182ec8.txt"

# 2026-10-19 .. 25: Europe/Warsaw leaves summer time on Sunday 25 October (a 25-hour day).
START = date(2026, 10, 19)
FULL = SimConfig(start=START, days=7, seed=42)
SMALL = SimConfig(
    start=START,
    days=2,
    seed=7,
    tenants=DEFAULT_TENANTS[:2],
    calls_per_queue_day=60,
    clients_per_campaign_day=30,
    contacts=200,
)


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


# --- one pass over the default simulation, shared by the tests ------------------------------


@dataclass
class Facts:
    count: int = 0
    invalid: list = field(default_factory=list)
    types: Counter = field(default_factory=Counter)
    directory_prefix: int = 0  # directory events before the first activity event
    first_activity: int | None = None  # its index
    last_initial_directory_at: int = 0
    first_activity_at: int = 2**62
    declared: dict = field(default_factory=lambda: defaultdict(set))  # entity -> ids
    undeclared: list = field(default_factory=list)
    contact_orgs: dict = field(default_factory=lambda: defaultdict(list))
    tenant_zones: dict = field(default_factory=dict)
    queue_outcomes: Counter = field(default_factory=Counter)
    short_abandons: int = 0
    five_second_abandons: int = 0
    answered_at_20: int = 0
    answered_queue: dict = field(default_factory=dict)  # interaction -> (queue, entered, left)
    agent_side: dict = field(default_factory=dict)  # interaction -> (queue, offered, agent)
    negative_talk: list = field(default_factory=list)
    busy: set = field(default_factory=set)  # (agent, busy end)
    handled: list = field(default_factory=list)  # (agent, ended) of queue-handled interactions
    attempts: dict = field(default_factory=lambda: defaultdict(list))  # client -> statuses
    statuses: set = field(default_factory=set)
    dc_statuses: set = field(default_factory=set)
    multi_dc_calls: int = 0
    bridged_fast: int = 0
    bridged_late: int = 0
    never_bridged: int = 0
    inbound_contact_calls: int = 0
    sessions: dict = field(default_factory=lambda: defaultdict(dict))  # agent -> session -> info
    z_stamps: int = 0
    offset_stamps: int = 0
    local_minutes: dict = field(default_factory=lambda: defaultdict(list))  # tenant -> minutes
    ny_minutes: list = field(default_factory=list)  # behind-UTC tenant, New York minute of day
    transfers: int = 0
    nps: int = 0
    tickets: Counter = field(default_factory=Counter)
    crm_sources: Counter = field(default_factory=Counter)
    period_end: dict = field(default_factory=dict)


REFERENCES = {
    "queue_id": "queue",
    "agent_id": "agent",
    "contact_id": "contact",
    "organization_id": "organization",
    "campaign_id": "campaign",
    "sub_campaign_id": "sub_campaign",
    "portfolio_id": "portfolio",
    "transferred_to_agent_id": "agent",
}


def _collect(events) -> Facts:
    f = Facts()
    ny = ZoneInfo("America/New_York")
    for i, e in enumerate(events):
        f.count += 1
        problems = validate_event(e)
        if problems and len(f.invalid) < 5:
            f.invalid.append((e["event_id"], problems))
        t, d, tenant = e["event_type"], e["data"], e["tenant_id"]
        f.types[t] += 1
        occurred = e["occurred_at"]
        if occurred.endswith("Z"):
            f.z_stamps += 1
        else:
            f.offset_stamps += 1
        if t == "directory":
            if f.first_activity is None:
                f.directory_prefix += 1
                f.last_initial_directory_at = max(f.last_initial_directory_at, ts(occurred))
            f.declared[d["entity"]].add(d["id"])
            if d["entity"] == "tenant":
                f.tenant_zones[d["id"]] = d["attributes"]["reports_time_zone"]
            if d["entity"] == "contact":
                f.contact_orgs[d["id"]].append(d["attributes"]["organization_id"])
            continue
        if f.first_activity is None:
            f.first_activity = i
        f.first_activity_at = min(f.first_activity_at, ts(occurred))
        for key, entity in REFERENCES.items():
            ref = d.get(key)
            if ref is not None and ref not in f.declared[entity]:
                f.undeclared.append((e["event_id"], key, ref))
        zone = ZoneInfo(f.tenant_zones[tenant])
        when = datetime.fromisoformat(occurred)
        local = when.astimezone(zone)
        f.local_minutes[tenant].append(local.hour * 60 + local.minute)
        if standard_offset(f.tenant_zones[tenant], when.year) < 0:
            n = when.astimezone(ny)
            f.ny_minutes.append(n.hour * 60 + n.minute)

        if t.startswith("queue_"):
            f.queue_outcomes[d["outcome"]] += 1
            entered = ts(d["entered_at"])
            if d["outcome"] == "answered":
                wait = ts(d["answered_at"]) - entered
                f.answered_at_20 += wait == 20
                f.answered_queue[d["interaction_id"]] = (d["queue_id"], entered, ts(d["left_at"]))
            elif d["outcome"] == "abandoned":
                wait = ts(d["left_at"]) - entered
                f.short_abandons += wait < 5
                f.five_second_abandons += wait == 5
        elif t == "agent_status":
            s = f.sessions[d["agent_id"]].setdefault(
                d["session_id"], {"login": None, "logout": False, "open": False}
            )
            if d["status"] == "logged_in":
                s["login"] = ts(d["started_at"])
            if d["status"] == "logged_out":
                s["logout"] = True
            if d.get("ended_at") is None and d["status"] != "logged_out":
                s["open"] = True
            if d["status"] == "busy" and d.get("ended_at"):
                f.busy.add((d["agent_id"], ts(d["ended_at"])))
        elif t.startswith("agent_"):
            talk = ts(d["ended_at"]) - ts(d["answered_at"]) - d["hold_seconds"]
            if talk < 0:
                f.negative_talk.append(e["event_id"])
            if d.get("queue_id"):
                f.agent_side[d["interaction_id"]] = (
                    d["queue_id"],
                    ts(d["offered_at"]),
                    d["agent_id"],
                )
                if t != "agent_sms":
                    f.handled.append((d["agent_id"], ts(d["ended_at"])))
            f.transfers += bool(d.get("transferred_to_agent_id"))
            f.nps += d.get("nps_score") is not None
        elif t.startswith("contact_"):
            f.statuses.add(d["completion_status"])
            if d.get("client_id"):
                rank = RANKS[d["completion_status"]]
                f.attempts[d["client_id"]].append(rank)
                if d["direction"] == "inbound":
                    f.inbound_contact_calls += 1
            dcs = d.get("dc_attempts") or []
            f.dc_statuses.update(a["dc_status"] for a in dcs)
            f.multi_dc_calls += len(dcs) > 1
            if "bridged_at" in d:
                if d["bridged_at"] is None:
                    f.never_bridged += 1
                elif ts(d["bridged_at"]) - ts(d["connected_at"]) <= 2:
                    f.bridged_fast += 1
                else:
                    f.bridged_late += 1
        elif t == "ticket":
            f.tickets[d["status"]] += 1
        elif t == "crm_action":
            f.crm_sources[d["source"]] += 1
    return f


@pytest.fixture(scope="module")
def facts() -> Facts:
    return _collect(generate(FULL))


# --- determinism ------------------------------------------------------------------------------


def _digest(config: SimConfig) -> str:
    h = hashlib.sha256()
    for event in generate(config):
        h.update(orjson.dumps(event) + b"\n")
    return h.hexdigest()


def test_same_seed_gives_identical_bytes(tmp_path):
    a, b = tmp_path / "a.ndjson", tmp_path / "b.ndjson"
    write_ndjson(generate(SMALL), a)
    write_ndjson(generate(SMALL), b)
    assert a.read_bytes() == b.read_bytes()
    assert hashlib.sha256(a.read_bytes()).hexdigest() == _digest(SMALL)


def test_different_seed_gives_different_events():
    other = SimConfig(**{**SMALL.__dict__, "seed": SMALL.seed + 1})
    assert _digest(other) != _digest(SMALL)


def test_parallel_writer_gives_the_same_bytes(tmp_path):
    serial, parallel = tmp_path / "serial.ndjson", tmp_path / "parallel.ndjson"
    write_ndjson(generate(SMALL), serial)
    report = write_simulation(SMALL, parallel, workers=2)
    assert parallel.read_bytes() == serial.read_bytes()
    assert report.events == serial.read_bytes().count(b"\n")


def test_volume_scales_with_the_options():
    def queue_events(calls: float) -> int:
        config = SimConfig(**{**SMALL.__dict__, "calls_per_queue_day": calls})
        return sum(1 for e in generate(config) if e["event_type"].startswith("queue_"))

    low, high = queue_events(60), queue_events(240)
    assert 3.0 < high / low < 5.0


# --- contents -------------------------------------------------------------------------------


def test_default_volume(facts):
    assert 100_000 <= facts.count <= 200_000


def test_every_event_passes_the_schema(facts):
    assert facts.invalid == []


def test_every_event_type_is_present(facts):
    assert set(facts.types) == set(EVENT_TYPES)


def test_directory_comes_first_and_declares_what_activity_uses(facts):
    assert facts.directory_prefix > 1000
    assert facts.first_activity == facts.directory_prefix
    assert facts.last_initial_directory_at < facts.first_activity_at
    assert facts.undeclared == []
    for entity in ("tenant", "portfolio", "queue", "agent_group", "agent", "organization"):
        assert facts.declared[entity], entity
    assert facts.declared["campaign"] and facts.declared["sub_campaign"]


def test_some_contacts_move_to_another_organization(facts):
    moved = [orgs for orgs in facts.contact_orgs.values() if len(set(orgs)) > 1]
    assert moved


def test_default_tenants_are_ahead_of_behind_and_at_utc(facts):
    offsets = sorted(standard_offset(zone, 2026) for zone in facts.tenant_zones.values())
    assert len(offsets) == 3
    assert offsets[0] < 0 and offsets[1] == 0 and offsets[2] > 0
    assert set(facts.tenant_zones) == {t.tenant_id for t in DEFAULT_TENANTS}


def test_timestamps_mix_local_offsets_and_z(facts):
    assert facts.z_stamps > 1000 and facts.offset_stamps > 1000


def test_queue_metric_boundaries_occur(facts):
    assert facts.short_abandons > 0  # wait < 5 s
    assert facts.five_second_abandons > 0  # exactly at the short-abandon threshold
    assert facts.answered_at_20 > 0  # exactly at the service-level threshold
    for outcome in ("answered", "abandoned", "overflowed", "timed_out"):
        assert facts.queue_outcomes[outcome] > 0, outcome


def test_answered_queue_interactions_have_their_agent_event(facts):
    assert facts.negative_talk == []
    missing = []
    for iid, (queue_id, entered, left) in facts.answered_queue.items():
        if left > facts.first_activity_at + 6 * 86400:
            continue  # the last day may end mid-call: the agent event is not sent yet
        agent = facts.agent_side.get(iid)
        if agent is None or agent[0] != queue_id or agent[1] != entered:
            missing.append(iid)
    assert missing == []
    assert facts.transfers > 0 and facts.nps > 0


def test_agent_statuses_agree_with_handled_interactions(facts):
    # every interaction an agent handled ends a busy interval of that agent
    not_busy = [h for h in facts.handled if h not in facts.busy]
    assert len(not_busy) <= len(facts.handled) * 0.001  # only calls running at the period end


def test_an_agent_session_without_logout_is_followed_by_a_login(facts):
    found = False
    for sessions in facts.sessions.values():
        logins = sorted(s["login"] for s in sessions.values() if s["login"] is not None)
        for s in sessions.values():
            if not s["logout"] and s["open"] and s["login"] is not None:
                if any(later > s["login"] for later in logins):
                    found = True
    assert found


def test_traffic_near_local_midnight_and_the_new_york_report_day_boundary(facts):
    for tenant, minutes in facts.local_minutes.items():
        near_midnight = sum(1 for m in minutes if m >= 1425 or m < 15)
        assert near_midnight > 0, tenant
    # behind-UTC tenants' report day runs 03:00 to 03:00 America/New_York (DESIGN §5)
    assert sum(1 for m in facts.ny_minutes if 165 <= m < 195) > 0


def test_outbound_campaign_edge_cases(facts):
    attempts = facts.attempts
    assert any(len(ranks) > 11 for ranks in attempts.values())
    # Best Contact ties: two or more attempts share the client's best rank
    assert any(len(r) > 1 and r.count(max(r)) > 1 for r in attempts.values())
    assert facts.multi_dc_calls > 0
    assert facts.bridged_fast > 0 and facts.bridged_late > 0 and facts.never_bridged > 0
    assert facts.bridged_fast > 10 * (facts.bridged_late + facts.never_bridged) / 2
    assert facts.inbound_contact_calls > 0
    common = {"NOANSWER", "BUSY", "DELIVEREDMACHINE", "DELIVEREDPERSON", "DNC"}
    assert common <= facts.statuses
    assert {"TEXT_MSG_SENT", "SENTEMAIL", "CALL_PASS_REJECTED"} & facts.statuses
    assert {"DC_SUCCESS", "DC_CALL_CENTER_BUSY"} <= facts.dc_statuses


def test_tickets_and_crm_actions(facts):
    assert facts.tickets["open"] > facts.tickets["resolved"] > 0
    assert facts.crm_sources["Contact Center"] > 0


# --- statuses against seed 002 ---------------------------------------------------------------


def _seed_tables() -> tuple[dict, set]:
    if not SEED_002.exists():
        pytest.skip(f"shared seeds not found at {SEED_002} (the repo's ../shared folder)")
    text = SEED_002.read_text(encoding="utf-8")
    completion = text.split("\nCompletion Statuses", 1)[1].split("\nDirect Connect Statuses")[0]
    rows = {}
    for line in completion.splitlines():
        m = re.match(r"^([A-Z][A-Z0-9_]+) \| (.*)", line)
        if not m:
            continue
        fields = [x.strip() for x in m.group(2).split("|")]
        if fields[0].isdigit():  # email rows leave the channel column out
            channels, rank = set(), int(fields[0])
        else:
            channels = {c.strip().lower() for c in fields[0].split(",")}
            rank = int(fields[1])
        rows[m.group(1)] = (channels, rank)
    dc_part = text.split("The Direct Connect (DC) statuses are:")[1].split("Response Groups")[0]
    dc = {m.group(1) for m in re.finditer(r"^([A-Z][A-Z0-9_]+) \|", dc_part, re.M)}
    return rows, dc


def test_statuses_are_the_seed_tables():
    rows, dc = _seed_tables()
    assert len(rows) > 70 and len(dc) == 10  # the parse found the tables
    for s in COMPLETION_STATUSES:
        assert s.name in rows, f"{s.name} is not in seed 002's Completion Statuses"
        channels, rank = rows[s.name]
        assert RANKS[s.name] == rank, s.name
        if channels and s.phase != "web":
            assert set(s.pass_types) <= channels, (s.name, s.pass_types, channels)
    assert {s.name for s in DC_STATUSES} == dc


# --- command line ----------------------------------------------------------------------------


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ccwh.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_cli_writes_ndjson(tmp_path):
    out = tmp_path / "out"
    r = _cli(
        "--home", str(tmp_path / "home"), "simulate", "--tenants", "1", "--days", "1",
        "--start", "2026-03-28", "--calls-per-queue-day", "40", "--contacts", "100",
        "--out", f"{out}/", "--no-progress",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    files = list(out.glob("*.ndjson"))
    assert len(files) == 1
    lines = files[0].read_bytes().splitlines()
    assert lines and all(validate_event(orjson.loads(x)) == [] for x in lines)
    assert "queue_call" in r.stderr and "wrote" in r.stderr


def test_cli_explains_usage_errors(tmp_path):
    r = _cli("--home", str(tmp_path), "simulate")
    assert r.returncode == 2 and "--out" in r.stderr and "--url" in r.stderr
    r = _cli("--home", str(tmp_path), "simulate", "--tenant", "x=Mars/Base", "--out", "-")
    assert r.returncode == 2 and "IANA" in r.stderr


def test_cli_says_how_to_start_an_unreachable_receiver(tmp_path):
    port = _free_port()
    r = _cli(
        "--home", str(tmp_path), "simulate", "--tenants", "1", "--days", "1",
        "--calls-per-queue-day", "20", "--contacts", "50", "--start", "2026-11-02",
        "--url", f"https://127.0.0.1:{port}/events", "--token", "t", "--no-progress",
    )  # fmt: skip
    assert r.returncode == 1
    assert "cannot reach" in r.stderr and "ccwh serve" in r.stderr


# --- sending to a real local HTTPS server ----------------------------------------------------

TOKEN = "simulator-test-token-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Receiver:
    url: str
    cacert: str
    received_ids: object  # () -> list of event_ids stored (with duplicates)
    kind: str


def _start_ccwh_serve(home: Path):
    """`ccwh serve` (ingestion.server) as a subprocess, or None if it is not usable here."""
    if importlib.util.find_spec("ingestion.server") is None:
        return None
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    (home / "config").mkdir(parents=True, exist_ok=True)
    tenants = [t.tenant_id for t in DEFAULT_TENANTS]
    routes = "".join(f'  {t}:\n    sim: ["*"]\n' for t in tenants)
    (home / "config" / "destinations.yaml").write_text(
        f'destinations:\n  sim:\n    token_sha256: "{digest}"\n    tenants: {tenants}\n'
        f"routes:\n{routes}"
    )
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccwh.cli", "--home", str(home), "serve", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    import requests

    cacert = home / "tls" / "cert.pem"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        try:
            if (
                cacert.exists()
                and requests.get(
                    f"https://127.0.0.1:{port}/healthz", verify=str(cacert), timeout=2
                ).ok
            ):
                return proc, f"https://127.0.0.1:{port}/events", str(cacert)
        except requests.RequestException:
            pass
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    return None


def _landed_ids(home: Path) -> list[str]:
    ids = []
    for path in sorted((home / "landing").rglob("*.ndjson")):
        if "quarantine" in path.parts:
            continue
        for line in path.read_bytes().splitlines():
            if line.strip():
                ids.append(orjson.loads(line)["event_id"])
    return ids


class _StandIn(http.server.BaseHTTPRequestHandler):
    """Stand-in for the platform side's peer when `ccwh serve` is not available: records
    every body and answers 202 (401 for a wrong token, like the receiver)."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the real receiver
    bodies: list[bytes]
    lock: threading.Lock

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._answer(401, b'{"error":"unauthorized","message":"wrong token"}')
            return
        with self.lock:
            self.bodies.append(body)
        self._answer(202, b'{"accepted":1}')

    def _answer(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def _start_stand_in(tmp: Path):
    from ingestion.tls import self_signed_certificate

    cert, key = self_signed_certificate([])
    (tmp / "cert.pem").write_bytes(cert)
    (tmp / "key.pem").write_bytes(key)
    handler = type("Handler", (_StandIn,), {"bodies": [], "lock": threading.Lock()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp / "cert.pem", tmp / "key.pem")
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def ids() -> list[str]:
        out = []
        for body in handler.bodies:
            parsed = orjson.loads(body)
            out.extend(e["event_id"] for e in (parsed if isinstance(parsed, list) else [parsed]))
        return out

    url = f"https://127.0.0.1:{server.server_address[1]}/events"
    return server, url, str(tmp / "cert.pem"), ids


@pytest.fixture(scope="module")
def receiver(tmp_path_factory):
    home = tmp_path_factory.mktemp("serve-home")
    started = _start_ccwh_serve(home)
    if started is not None:
        proc, url, cacert = started
        yield Receiver(url, cacert, lambda: _landed_ids(home), "ccwh serve")
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return
    server, url, cacert, ids = _start_stand_in(tmp_path_factory.mktemp("stand-in"))
    yield Receiver(url, cacert, ids, "stand-in")
    server.shutdown()


def test_send_with_resends_and_shuffle_delivers_every_event(receiver):
    events = list(generate(SMALL))
    before = Counter(receiver.received_ids())
    report = send(
        iter(events),
        receiver.url,
        TOKEN,
        cacert=receiver.cacert,
        connections=4,
        batch_size=50,
        resend_share=0.1,
        shuffle=True,
        shuffle_window=5000,
        seed=1,
    )
    assert report.ok, report.summary()
    assert report.events == len(events)
    assert report.resent > 0
    assert report.acknowledged == report.posted == len(events) + report.resent
    assert report.responses_202 == -(-(len(events) + report.resent) // 50)
    assert sum(report.by_type.values()) == len(events)
    received = Counter(receiver.received_ids()) - before
    assert {e["event_id"] for e in events} <= set(received)  # every event at least once
    assert sum(received.values()) == report.acknowledged  # nothing stored that was not 202'd


def test_send_single_event_posts(receiver):
    events = [e for e in generate(SMALL) if e["event_type"] == "queue_call"][:30]
    report = send(iter(events), receiver.url, TOKEN, cacert=receiver.cacert, batch_size=1)
    assert report.ok, report.summary()
    assert report.responses_202 == report.acknowledged == 30


def test_send_reports_a_refusal_with_the_receivers_error(receiver):
    events = [e for e in generate(SMALL) if e["event_type"] == "ticket"][:5]
    report = send(iter(events), receiver.url, "wrong-token", cacert=receiver.cacert)
    assert not report.ok
    assert report.status == 401
    assert "HTTP 401" in report.error and "unauthorized" in report.error
    assert report.acknowledged == 0 and report.failed == 5


def test_send_to_nowhere_says_how_to_start_the_receiver():
    url = f"https://127.0.0.1:{_free_port()}/events"
    events = [e for e in generate(SMALL) if e["event_type"] == "ticket"][:3]
    report = send(iter(events), url, TOKEN, max_retries=1)
    assert not report.ok and "ccwh serve" in report.error
    assert report.failed == 3


def test_days_are_report_days_of_the_tenant():
    # every activity of the period happens in local days start .. start+days-1
    config = SimConfig(**{**SMALL.__dict__, "days": 1})
    for e in generate(config):
        if e["event_type"] == "directory":
            continue
        zone = ZoneInfo(dict((t.tenant_id, t.time_zone) for t in config.tenants)[e["tenant_id"]])
        day = datetime.fromisoformat(e["occurred_at"]).astimezone(zone).date()
        assert START - timedelta(days=1) <= day <= START, e["event_id"]
