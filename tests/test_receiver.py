"""The receiver end to end: a real ``ccwh serve`` over TLS on 127.0.0.1, real requests."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from receiver_fixtures import (
    OTHER_TOKEN,
    TOKEN,
    Server,
    ccwh,
    landed_lines,
    quarantine_records,
    queue_event,
    status_event,
    write_destinations,
)

from ccwh.paths import Home
from ingestion.landing import recover_orphans

MAX_BODY = 64 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("receiver") / "home"
    home.mkdir()
    write_destinations(home)
    srv = Server(home, "--segment-max-age", "0.5", "--max-body-bytes", str(MAX_BODY))
    yield srv
    srv.kill()


def wait_for(predicate, timeout: float = 10.0):
    """Poll until predicate() is truthy (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def landed_ids(home: Path) -> list[str]:
    return [line["event_id"] for line in landed_lines(home)]


def quarantined(home: Path, **match) -> list[dict]:
    return [q for q in quarantine_records(home) if all(q.get(k) == v for k, v in match.items())]


# --- 202 and the landed line ------------------------------------------------------------------


def test_single_event_is_acknowledged_and_landed_with_receiver_fields(server):
    event = queue_event("single-1")
    r = server.post(event)
    assert r.status_code == 202
    assert r.json() == {"accepted": 1, "rejected": 0}
    # rotation by age (0.5 s) moves the segment into ready/
    line = wait_for(lambda: [x for x in landed_lines(server.home) if x["event_id"] == "single-1"])[
        0
    ]
    assert line["_ccwh_destination"] == "central"
    assert line["_ccwh_source"] == "receiver"
    assert line["_ccwh_received_at"].endswith("Z") and len(line["_ccwh_received_at"]) == 27
    # the event exactly as sent, unknown fields included
    assert {k: v for k, v in line.items() if not k.startswith("_ccwh_")} == event
    assert line["data"]["custom_field"] == {"kept": True}


def test_rotation_by_age_leaves_no_open_segment(server):
    assert server.post(queue_event("age-1")).status_code == 202
    wait_for(lambda: "age-1" in landed_ids(server.home))
    assert wait_for(lambda: not list((server.home / "landing" / "open").glob("*.ndjson")))


def test_same_event_id_twice_is_landed_twice(server):
    for _ in range(2):
        assert server.post(queue_event("dup-1")).status_code == 202
    assert wait_for(lambda: landed_ids(server.home).count("dup-1") == 2)


def test_basic_auth_with_token_as_password(server):
    basic = base64.b64encode(f"anyone:{TOKEN}".encode()).decode()
    r = server.post(queue_event("basic-1"), token=None, headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 202


def test_token_env_destination(server):
    r = server.post(queue_event("partner-1"), token=OTHER_TOKEN)
    assert r.status_code == 202
    wait_for(lambda: "partner-1" in landed_ids(server.home))
    line = next(x for x in landed_lines(server.home) if x["event_id"] == "partner-1")
    assert line["_ccwh_destination"] == "partner"


# --- rejections --------------------------------------------------------------------------------


def test_malformed_json_400(server):
    r = server.post(b'{"event_id": "m1", ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == "malformed_json"
    record = quarantined(server.home, reason="malformed_json", body='{"event_id": "m1", ')
    assert record and record[0]["status"] == 400 and record[0]["destination"] == "central"
    assert record[0]["remote"].startswith("127.0.0.1:")


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_missing_or_wrong_credentials_401(server, token):
    body = json.dumps(queue_event(f"auth-{token}"))
    r = server.post(body, token=token, headers={"Content-Type": "application/json"})
    assert r.status_code == 401
    assert "Bearer" in r.headers["WWW-Authenticate"]
    assert r.json()["error"] == "unauthorized"
    assert quarantined(server.home, reason="unauthorized", body=body, destination=None)
    assert f"auth-{token}" not in landed_ids(server.home)


def test_tenant_not_allowed_403(server):
    r = server.post(queue_event("t-1", tenant="umbrella"))
    assert r.status_code == 403
    assert r.json()["error"] == "tenant_not_allowed"
    assert "umbrella" in r.json()["message"]
    assert quarantined(server.home, reason="tenant_not_allowed", status=403)


def test_event_type_not_routed_403(server):
    # globex routes queue_call and agent_status to central, not queue_chat
    assert server.post(status_event("r-ok", tenant="globex")).status_code == 202
    r = server.post(queue_event("r-1", tenant="globex", event_type="queue_chat"))
    assert r.status_code == 403
    assert r.json()["error"] == "event_type_not_routed"
    # the partner destination allows acme but routes only queue_call there
    r = server.post(status_event("r-2"), token=OTHER_TOKEN)
    assert r.status_code == 403 and r.json()["error"] == "event_type_not_routed"


def test_schema_violation_422_lists_every_bad_field(server):
    event = queue_event("bad-1")
    event["occurred_at"] = "yesterday"
    del event["data"]["queue_id"]
    event["data"]["outcome"] = "lost"
    event["_ccwh_source"] = "spoofed"
    r = server.post(event)
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "schema_violation" and body["event_id"] == "bad-1"
    paths = {e["path"] for e in body["errors"]}
    assert paths == {"$.occurred_at", "$.data.queue_id", "$.data.outcome", "$._ccwh_source"}
    assert all(e["message"] for e in body["errors"])
    record = quarantined(server.home, reason="schema_violation", status=422)
    assert any(json.loads(q["body"])["event_id"] == "bad-1" for q in record)


def test_body_too_large_413_by_content_length(server):
    batch = [queue_event(f"big-{i}") for i in range(200)]  # ~100 KB > 64 KiB
    r = server.post(batch)
    assert r.status_code == 413
    assert r.json()["error"] == "body_too_large"
    record = quarantined(server.home, reason="body_too_large")[-1]
    assert record["body_truncated"] is True
    assert len(record["body"]) == MAX_BODY  # stored, capped at max-body-bytes
    assert "big-0" not in landed_ids(server.home)


def test_body_too_large_413_while_streaming(server):
    chunk = json.dumps(queue_event("stream")).encode()

    def chunks():  # no Content-Length: chunked transfer, caught while reading
        yield b"["
        for i in range(200):
            yield (b"," if i else b"") + chunk
        yield b"]"

    r = server.post(chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


# --- batches ------------------------------------------------------------------------------------


def test_batch_array_all_accepted_202(server):
    batch = [queue_event(f"arr-{i}") for i in range(5)]
    r = server.post(batch)
    assert r.status_code == 202
    body = r.json()
    assert body["accepted"] == 5 and body["rejected"] == 0
    assert [x["status"] for x in body["results"]] == [202] * 5
    wait_for(lambda: {f"arr-{i}" for i in range(5)} <= set(landed_ids(server.home)))


def test_batch_mixed_results_207(server):
    bad = queue_event("mix-bad")
    bad["data"]["hold"] = 1
    del bad["data"]["left_at"]
    batch = [queue_event("mix-ok"), bad, queue_event("mix-403", tenant="umbrella")]
    r = server.post(batch)
    assert r.status_code == 207
    body = r.json()
    assert (body["accepted"], body["rejected"]) == (1, 2)
    results = body["results"]
    assert [x["status"] for x in results] == [202, 422, 403]
    assert results[1]["errors"][0]["path"] == "$.data.left_at"
    assert results[2]["error"] == "tenant_not_allowed"
    wait_for(lambda: "mix-ok" in landed_ids(server.home))
    assert "mix-bad" not in landed_ids(server.home)
    # each rejected event of the batch is quarantined on its own, with its index
    records = quarantined(server.home, reason="schema_violation", index=1)
    assert any(json.loads(q["body"])["event_id"] == "mix-bad" for q in records)


def test_batch_all_rejected_uses_their_common_status(server):
    batch = [queue_event("rej-1", tenant="umbrella"), queue_event("rej-2", tenant="umbrella")]
    r = server.post(batch)
    assert r.status_code == 403
    assert r.json()["accepted"] == 0 and r.json()["rejected"] == 2


@pytest.mark.parametrize("content_type", ["application/x-ndjson", None])
def test_ndjson_batch_with_a_malformed_line(server, content_type):
    tag = "ct" if content_type else "sniffed"
    lines = [json.dumps(queue_event(f"nd-{tag}-{i}")) for i in range(3)]
    lines.insert(1, '{"event_id": broken')
    headers = {"Content-Type": content_type} if content_type else {}
    r = server.post("\n".join(lines) + "\n", headers=headers)
    assert r.status_code == 207
    results = r.json()["results"]
    assert [x["status"] for x in results] == [202, 400, 202, 202]
    assert results[1]["line"] == 2 and results[1]["error"] == "malformed_json"
    wait_for(lambda: {f"nd-{tag}-{i}" for i in range(3)} <= set(landed_ids(server.home)))


def test_empty_batch_is_400(server):
    assert server.post(b"[]", headers={"Content-Type": "application/json"}).status_code == 400


# --- other endpoints ---------------------------------------------------------------------------


def test_healthz_metrics_and_unknown_paths(server):
    assert server.get("/healthz").json() == {"status": "ok"}
    server.post(queue_event("metrics-1"))
    text = server.get("/metrics").text
    assert "ccwh_receiver_events_accepted_total{" in text
    assert 'reason="unauthorized",status="401"' in text or "rejected_total" in text
    assert "ccwh_landing_fsync_seconds_bucket{" in text
    assert "ccwh_landing_segments_closed_total{" in text
    assert "ccwh_receiver_body_bytes_total{" in text
    assert server.get("/nope").status_code == 404
    assert server.get("/events").status_code == 405


def test_plain_http_is_not_served(server):
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{server.port}/healthz", timeout=5)


def test_compact_and_pretty_bodies_land_as_one_identical_line_each(tmp_path):
    # A compact body is landed as it came (plus the receiver's fields); a pretty-printed one
    # is re-serialised onto one line. Both read back as the same event.
    home = tmp_path / "home"
    write_destinations(home)
    srv = Server(home)
    compact, pretty = queue_event("c-1"), queue_event("c-2")
    assert srv.post(json.dumps(compact, separators=(",", ":"))).status_code == 202
    assert srv.post(json.dumps(pretty, indent=2)).status_code == 202
    assert srv.stop() == 0
    lines = {line["event_id"]: line for line in landed_lines(home)}
    assert set(lines) == {"c-1", "c-2"}
    for event in (compact, pretty):
        got = dict(lines[event["event_id"]])
        assert got.pop("_ccwh_destination") == "central"
        assert got.pop("_ccwh_source") == "receiver"
        assert got.pop("_ccwh_received_at").endswith("Z")
        assert got == event


# --- lifecycle ---------------------------------------------------------------------------------


def test_a_duplicated_key_is_landed_once_with_the_value_that_was_checked(tmp_path):
    # JSON lets a key repeat; the receiver checks (and routes by) the last value, as its
    # parser keeps it, and must land that one only: DuckDB refuses a line with a repeated
    # key, which would hold up the loading of the whole segment.
    home = tmp_path / "home"
    write_destinations(home)
    srv = Server(home)
    single = json.dumps(queue_event("dup-1"), separators=(",", ":"))
    single = '{"tenant_id":"umbrella",' + single[1:]  # then "acme", the allowed tenant
    lines = [single.replace("dup-1", f"dup-nd-{i}") for i in range(2)]
    assert srv.post(single).status_code == 202
    ndjson = {"Content-Type": "application/x-ndjson"}
    assert srv.post("\n".join(lines), headers=ndjson).status_code == 202
    assert srv.post("[" + ",".join(lines).replace("dup-nd", "dup-arr") + "]").status_code == 202
    assert srv.stop() == 0
    texts = [
        line
        for path in sorted((home / "landing" / "ready").glob("*.ndjson"))
        for line in path.read_text().splitlines()
    ]
    assert len(texts) == 5
    for text in texts:
        assert text.count('"tenant_id"') == 1 and json.loads(text)["tenant_id"] == "acme"


def test_graceful_shutdown_closes_the_segment(tmp_path):
    home = tmp_path / "home"
    write_destinations(home)
    srv = Server(home, "--segment-max-age", "3600")
    for i in range(10):
        assert srv.post(queue_event(f"g-{i}")).status_code == 202
    assert list((home / "landing" / "open").glob("*.ndjson"))  # still open: age is 1 h
    assert srv.stop() == 0
    assert not list((home / "landing" / "open").iterdir())
    assert sorted(landed_ids(home)) == sorted(f"g-{i}" for i in range(10))


def test_kill_9_under_load_loses_no_acknowledged_event(tmp_path):
    home = tmp_path / "home"
    write_destinations(home)
    srv = Server(home, "--segment-max-age", "3600")
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        session = requests.Session()
        i = 0
        while not stop.is_set():
            event_id = f"k-{n}-{i}"
            i += 1
            try:
                r = session.post(
                    f"{srv.url}/events",
                    data=json.dumps(queue_event(event_id)),
                    headers={"Authorization": f"Bearer {TOKEN}"},
                    verify=str(srv.cert),
                    timeout=10,
                )
            except requests.RequestException:
                return  # the server died mid-request: no 202, no promise
            if r.status_code == 202:
                with lock:
                    acknowledged.append(event_id)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    wait_for(lambda: len(acknowledged) >= 200, timeout=30)
    os.kill(srv.proc.pid, signal.SIGKILL)
    srv.proc.wait(10)
    stop.set()
    for t in threads:
        t.join(15)
    assert list((home / "landing" / "open").glob("*.ndjson"))  # the dead writers' segments

    # Killing the server kills its workers too (PR_SET_PDEATHSIG); a segment is recovered
    # once its worker is gone and its lock released, which takes a moment after the kill.
    def recovered() -> bool:
        recover_orphans(Home.resolve(home))
        return not list((home / "landing" / "open").glob("*.ndjson"))

    wait_for(recovered, timeout=20)
    landed = set(landed_ids(home))  # parses every line: no torn line survived recovery
    missing = [e for e in acknowledged if e not in landed]
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {missing[:5]}"


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        out.extend(int(c) for c in children)
    return out


def test_a_crashed_worker_is_replaced_and_its_segment_recovered(tmp_path):
    home = tmp_path / "home"
    write_destinations(home)
    srv = Server(home, "--workers", "2", "--segment-max-age", "3600")
    acknowledged = []
    for i in range(40):
        r = srv.post(queue_event(f"w-{i}"))
        assert r.status_code == 202
        acknowledged.append(f"w-{i}")
    wait_for(lambda: len(_children(srv.proc.pid)) == 2)
    # The worker that wrote these events: segment names end in -<pid>-<random>.ndjson.
    (segment,) = (home / "landing" / "open").glob("*.ndjson")
    victim = int(segment.name.split("-")[-2])
    assert victim in _children(srv.proc.pid)
    os.kill(victim, signal.SIGKILL)
    # The server starts a new worker, which moves the dead one's segment to ready/.
    wait_for(lambda: (home / "landing" / "ready" / segment.name).exists(), timeout=30)
    assert len(_children(srv.proc.pid)) == 2
    for i in range(40, 80):
        srv.session.close()  # new connections, so both workers (old and new) get some
        r = srv.post(queue_event(f"w-{i}"))
        assert r.status_code == 202
        acknowledged.append(f"w-{i}")
    assert srv.stop() == 0
    assert not list((home / "landing" / "open").glob("*.ndjson"))
    assert sorted(landed_ids(home)) == sorted(acknowledged)


def test_disk_refusing_writes_gives_503_then_recovers(tmp_path):
    # A real write failure without root-only tricks: the server runs under
    # `prlimit --fsize`, so writing past 16 KiB fails with EFBIG (CPython ignores SIGXFSZ,
    # so the process is not killed). A full segment fails like a full disk would; the next
    # write goes to a fresh segment, which is how the writer recovers when the disk works.
    home = tmp_path / "home"
    write_destinations(home)
    srv = Server(home, "--segment-max-age", "3600", prefix=["prlimit", "--fsize=16384"])
    codes = [srv.post(queue_event(f"d-{i}")).status_code for i in range(60)]
    assert 503 in codes
    first_503 = codes.index(503)
    assert set(codes) == {202, 503}
    assert 202 in codes[first_503 + 1 :]  # recovered: later requests are accepted again
    assert srv.stop() == 0
    accepted = {f"d-{i}" for i, c in enumerate(codes) if c == 202}
    landed = set(landed_ids(home))
    assert accepted <= landed
    assert f"d-{first_503}" not in landed  # the failed write was cut back out of the file
    assert quarantined(home, reason="landing_unavailable", status=503)


def test_invalid_destinations_file_stops_startup_with_the_line(tmp_path):
    home = tmp_path / "home"
    write_destinations(
        home,
        "destinations:\n"
        "  central:\n"
        '    token_sha256: "00"\n'
        "    tenants: [acme]\n"
        "routes:\n"
        "  acme:\n"
        "    central: [queue_sms]\n",
    )
    result = ccwh(home, "serve", "--port", "1")
    assert result.returncode == 2
    assert (
        "destinations.yaml:3: destination 'central': token_sha256 must be 64 hex" in result.stderr
    )
    assert "destinations.yaml:7: destination 'central': unknown event type 'queue_sms'" in (
        result.stderr
    )


def test_serve_help_is_fast_and_lists_options():
    result = subprocess.run(
        [os.sys.executable, "-m", "ccwh.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 0
    for option in ("--max-body-bytes", "--segment-max-age", "--workers", "--cert"):
        assert option in result.stdout
