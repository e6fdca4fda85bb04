"""Body parsing and per-event verdicts, and `ccwh schema FILE` (check_files)."""

from __future__ import annotations

import json

import orjson
import pytest
from receiver_fixtures import DESTINATIONS_YAML, OTHER_TOKEN, ccwh, queue_event, status_event

from ingestion.destinations import load_destinations
from ingestion.intake import (
    Malformed,
    MalformedBody,
    check_files,
    is_ndjson_type,
    iter_file_events,
    judge,
    parse_body,
)


@pytest.fixture()
def central(tmp_path):
    path = tmp_path / "destinations.yaml"
    path.write_text(DESTINATIONS_YAML)
    return load_destinations(path, env={"CCWH_TEST_PARTNER_TOKEN": OTHER_TOKEN}).by_name["central"]


def test_parse_single_array_and_ndjson():
    one = orjson.dumps(queue_event("a"))
    assert parse_body(one) == (False, [queue_event("a")], None)
    batch, items, lines = parse_body(orjson.dumps([queue_event("a"), queue_event("b")]))
    assert batch and len(items) == 2 and lines is None
    nd = one + b"\n\n" + orjson.dumps(queue_event("b")) + b"\n"
    assert parse_body(nd, ndjson=True)[2] == [1, 3]
    assert parse_body(nd)[2] == [1, 3]  # sniffed: several lines, first one is a document


def test_malformed_bodies():
    with pytest.raises(MalformedBody):
        parse_body(b'{"a": ')
    with pytest.raises(MalformedBody):
        parse_body(b"[]")
    with pytest.raises(MalformedBody):
        parse_body(b"  \n ", ndjson=True)
    batch, items, _ = parse_body(b'{"a":1}\n{nope\n', ndjson=True)
    assert isinstance(items[1], Malformed)
    assert is_ndjson_type(b"application/x-ndjson; charset=utf-8")
    assert not is_ndjson_type(b"application/json")


def test_judge_orders_schema_then_tenant_then_route(central):
    bad_schema_and_tenant = queue_event("x", tenant="umbrella")
    del bad_schema_and_tenant["data"]["queue_id"]
    body = orjson.dumps(
        [
            queue_event("ok"),
            bad_schema_and_tenant,
            queue_event("t", tenant="umbrella"),
            queue_event("r", tenant="globex", event_type="queue_chat"),
            status_event("ok2", tenant="globex"),
            "not an object",
        ]
    )
    v = judge(body, central)
    assert [e["event_id"] for e in v.accepted] == ["ok", "ok2"]
    assert [(r.index, r.status, r.reason) for r in v.rejections] == [
        (1, 422, "schema_violation"),
        (2, 403, "tenant_not_allowed"),
        (3, 403, "event_type_not_routed"),
        (5, 422, "schema_violation"),
    ]
    assert json.loads(v.rejections[0].raw)["event_id"] == "x"


def test_judge_without_destination_skips_routing():
    v = judge(orjson.dumps(queue_event("t", tenant="umbrella")), None)
    assert len(v.accepted) == 1 and not v.batch


def test_array_file_elements_get_their_line(tmp_path):
    bad = queue_event("bad")
    bad["data"]["outcome"] = "lost"
    path = tmp_path / "events.json"
    path.write_text(json.dumps([queue_event("a"), bad, {"x": "[,]{"}], indent=2))
    lines = [line for line, _obj, _raw in iter_file_events(path)]
    text = path.read_text().splitlines()
    assert text[lines[1] - 1].strip() == "{" and '"event_id": "bad"' in text[lines[1]]
    assert lines[0] == 2 and lines[2] > lines[1]


def test_check_files_prints_file_line_path_message(tmp_path, capsys):
    bad = queue_event("bad")
    bad["data"]["outcome"] = "lost"
    del bad["data"]["left_at"]
    good = tmp_path / "good.ndjson"
    good.write_text(json.dumps(queue_event("a")) + "\n")
    mixed = tmp_path / "mixed.ndjson"
    mixed.write_text("\n".join([json.dumps(queue_event("a")), json.dumps(bad), "{oops"]) + "\n")
    assert check_files([str(good)]) == 0
    capsys.readouterr()
    assert check_files([str(good), str(mixed), str(tmp_path / "absent.ndjson")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{mixed}:2: $.data.outcome: " in out[0] or f"{mixed}:2: $.data.outcome: " in out[1]
    assert any(line.startswith(f"{mixed}:2: $.data.left_at: Field required") for line in out)
    assert any(line.startswith(f"{mixed}:3: $: malformed JSON") for line in out)
    assert any(line.startswith(f"{tmp_path / 'absent.ndjson'}: cannot read") for line in out)


def test_schema_command_uses_check_files(tmp_path):
    path = tmp_path / "one.json"
    event = queue_event("a")
    event["schema_version"] = 7
    path.write_text(json.dumps(event, indent=2))
    result = ccwh(tmp_path, "schema", str(path))
    assert result.returncode == 1
    assert f"{path}:1: $.schema_version: unsupported schema_version" in result.stdout


def test_ndjson_fast_path_agrees_with_the_general_path(central):
    events = [queue_event(f"f-{i}") for i in range(5)]
    events[2]["extra_field"] = {"kept": [1, 2]}
    body = b"\r\n".join(orjson.dumps(e) for e in events) + b"\n\n"
    v = judge(body, central, ndjson=True)
    assert v.rejections == [] and v.total == 5
    assert v.accepted == events  # the parsed events, landed by format_lines
    # One bad line anywhere: the general path, which names the problem and its line.
    events[3]["schema_version"] = True
    body = b"\n".join(orjson.dumps(e) for e in events)
    v = judge(body, central, ndjson=True)
    assert [(r.index, r.line, r.status) for r in v.rejections] == [(3, 4, 422)]
    assert len(v.accepted) == 4


@pytest.mark.parametrize("ndjson", [False, True])
def test_batch_fast_paths_defer_to_validate_event_when_in_doubt(central, ndjson):
    """Lax but valid values (a number as text, a unix time) fail the strict msgspec check;
    the general path then accepts them as validate_event does. A route refusal after a
    strictly valid schema is still a 403."""
    events = [queue_event(f"lax-{i}") for i in range(3)]
    events[1]["occurred_at"] = 1700000000
    events[2]["data"]["hold"] = "x"  # unknown data fields are kept, whatever their type
    body = b"\n".join(orjson.dumps(e) for e in events) if ndjson else orjson.dumps(events)
    v = judge(body, central, ndjson=ndjson)
    assert v.rejections == [] and v.accepted == events
    events[0]["tenant_id"] = "umbrella"
    body = b"\n".join(orjson.dumps(e) for e in events) if ndjson else orjson.dumps(events)
    v = judge(body, central, ndjson=ndjson)
    assert [(r.index, r.status, r.reason) for r in v.rejections] == [(0, 403, "tenant_not_allowed")]
