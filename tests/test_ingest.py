"""`ccwh ingest FILE...`: same validation and landing format as the receiver."""

from __future__ import annotations

import json

from receiver_fixtures import (
    ccwh,
    landed_lines,
    quarantine_records,
    queue_event,
    status_event,
    write_destinations,
)


def test_ingest_valid_files_exit_0(tmp_path):
    home = tmp_path / "home"
    nd = tmp_path / "a.ndjson"
    nd.write_text("\n".join(json.dumps(queue_event(f"n{i}")) for i in range(3)) + "\n")
    arr = tmp_path / "b.json"
    arr.write_text(json.dumps([status_event("s1"), status_event("s2")], indent=2))
    result = ccwh(home, "ingest", str(nd), str(arr))
    assert result.returncode == 0, result.stderr
    assert "5 event(s) in 2 file(s): 5 landed in 1 segment(s)" in result.stderr
    lines = landed_lines(home)
    assert [x["event_id"] for x in lines] == ["n0", "n1", "n2", "s1", "s2"]
    assert all(x["_ccwh_source"] == "ingest" and x["_ccwh_destination"] is None for x in lines)
    assert not list((home / "landing" / "open").iterdir())


def test_ingest_rejections_exit_1_and_accepted_still_landed(tmp_path):
    home = tmp_path / "home"
    bad = queue_event("bad")
    bad["data"]["outcome"] = "lost"
    path = tmp_path / "mixed.ndjson"
    path.write_text("\n".join([json.dumps(queue_event("ok")), json.dumps(bad), "{broken"]) + "\n")
    result = ccwh(home, "ingest", str(path))
    assert result.returncode == 1
    assert f"{path}:2: $.data.outcome: Input should be" in result.stdout
    assert f"{path}:3: $: malformed JSON" in result.stdout
    assert "1 landed" in result.stderr and "2 rejected" in result.stderr
    assert [x["event_id"] for x in landed_lines(home)] == ["ok"]
    records = quarantine_records(home)
    assert {(r["reason"], r["status"], r["line"]) for r in records} == {
        ("schema_violation", 422, 2),
        ("malformed_json", 400, 3),
    }
    assert all(r["source"] == "ingest" for r in records)


def test_ingest_with_destination_applies_routes(tmp_path):
    home = tmp_path / "home"
    write_destinations(home)
    path = tmp_path / "events.ndjson"
    events = [
        queue_event("ok", tenant="globex"),
        queue_event("unrouted", tenant="globex", event_type="queue_chat"),
        queue_event("stranger", tenant="umbrella"),
    ]
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    result = ccwh(home, "ingest", "--destination", "central", str(path))
    assert result.returncode == 1
    assert f"{path}:2: $: tenant 'globex' does not route event type 'queue_chat'" in result.stdout
    assert f"{path}:3: $: tenant 'umbrella' is not allowed" in result.stdout
    lines = landed_lines(home)
    assert [(x["event_id"], x["_ccwh_destination"]) for x in lines] == [("ok", "central")]


def test_ingest_usage_errors_exit_2(tmp_path):
    home = tmp_path / "home"
    write_destinations(home)
    path = tmp_path / "e.ndjson"
    path.write_text(json.dumps(queue_event("a")) + "\n")
    result = ccwh(home, "ingest", "--destination", "nowhere", str(path))
    assert result.returncode == 2
    assert "unknown destination 'nowhere'" in result.stderr and "known: central" in result.stderr
    missing = ccwh(home, "ingest", str(tmp_path / "absent.ndjson"))
    assert missing.returncode == 1 and "cannot read" in missing.stdout
