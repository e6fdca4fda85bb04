"""The event contract: every problem named by its JSON path; the fast accept decision
(msgspec) == validate_event (pydantic)."""

from __future__ import annotations

import copy
import json
import random
from datetime import date

import orjson
import pytest

from ingestion.schemas import (
    EVENT_TYPES,
    json_event_is_valid,
    json_events_are_valid,
    json_lines_are_valid,
    json_lines_events,
    json_schema,
    validate_event,
)
from ingestion.simulator import SimConfig, generate


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    """One simulated day: every event type, all valid."""
    config = SimConfig(start=date(2026, 3, 9), days=1, calls_per_queue_day=60, contacts=50)
    return list(generate(config))


def queue_event(**data_changes) -> dict:
    data = {
        "interaction_id": "i1",
        "queue_id": "q1",
        "entered_at": "2026-03-07T10:00:00+01:00",
        "answered_at": "2026-03-07T10:00:20+01:00",
        "left_at": "2026-03-07T10:00:20+01:00",
        "outcome": "answered",
    }
    data.update(data_changes)
    return {
        "event_id": "e1",
        "event_type": "queue_call",
        "schema_version": 1,
        "tenant_id": "acme",
        "occurred_at": "2026-03-07T10:00:20Z",
        "data": {k: v for k, v in data.items() if v is not ...},
    }


def paths(obj) -> list[str]:
    return [p["path"] for p in validate_event(obj)]


def test_simulated_events_of_every_type_are_valid(sample: list[dict]) -> None:
    assert {e["event_type"] for e in sample} == set(EVENT_TYPES)
    assert [e for e in sample if validate_event(e)] == []


def test_every_bad_field_is_listed_with_its_path() -> None:
    bad = queue_event(queue_id=..., entered_at="yesterday", outcome="hung_up")
    bad["occurred_at"] = "2026-03-07T10:00:20"  # no offset
    bad["event_id"] = ""
    assert sorted(paths(bad)) == [
        "$.data.entered_at",
        "$.data.outcome",
        "$.data.queue_id",
        "$.event_id",
        "$.occurred_at",
    ]
    by_path = {p["path"]: p for p in validate_event(bad)}
    assert by_path["$.data.queue_id"]["message"] == "Field required"
    assert "timezone" in by_path["$.occurred_at"]["message"]
    assert by_path["$.data.outcome"]["got"] == "hung_up"


def test_unknown_fields_are_kept_and_reserved_ones_refused() -> None:
    ok = queue_event(platform_extra={"a": 1})
    ok["another_extra"] = True
    assert validate_event(ok) == []
    reserved = queue_event()
    reserved["_ccwh_received_at"] = "x"
    assert paths(reserved) == ["$._ccwh_received_at"]


def test_answered_needs_answered_at_but_timestamp_order_is_not_a_rejection() -> None:
    assert paths(queue_event(answered_at=None)) == ["$.data.answered_at"]
    skewed = queue_event(left_at="2026-03-07T09:59:00+01:00")  # before entered_at
    assert validate_event(skewed) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("schema_version", True, "must be an integer"),
        ("schema_version", 2, "unsupported schema_version"),
        ("event_type", "queue_sms", "unknown event type"),
    ],
)
def test_envelope_problems(field: str, value: object, message: str) -> None:
    event = queue_event()
    event[field] = value
    problems = validate_event(event)
    assert [p["path"] for p in problems] == [f"$.{field}"]
    assert message in problems[0]["message"]


def test_non_object_event() -> None:
    assert validate_event([1, 2]) == [
        {"path": "$", "message": "an event must be a JSON object, got list"}
    ]


def test_unknown_time_zone_in_directory_is_refused(sample: list[dict]) -> None:
    tenant = next(
        e for e in sample if e["event_type"] == "directory" and e["data"]["entity"] == "tenant"
    )
    bad = copy.deepcopy(tenant)
    bad["data"]["attributes"]["reports_time_zone"] = "Mars/Olympus"
    assert paths(bad) == ["$.data.attributes.reports_time_zone"]


# --- the fast accept decision (msgspec) agrees with validate_event ----------------------------

# Values tried in every field: of every JSON type, valid and invalid for the field at hand.
INTERESTING = [
    None, True, False, 0, 1, 2, -1, 1.0, 1.5, 5.0, 10, 11, 2**63 - 1, 1e20, 1e300, -0.0,
    "", "x", "1", "1.5", "true", "x" * 129, "x" * 257, "\U0001f600" * 256, "\U0001f600" * 257,
    "inbound", "answered", "voice", "tenant", "available", "queue_call", "directory",
    "Europe/Warsaw", "Mars/Olympus",
    "2026-03-07T10:00:20Z", "2026-03-07T10:00:20+01:00", "2026-03-07t10:00:20z",
    "2026-03-07 10:00:20+01:00", "2026-03-07T10:00:20.123456789-05:30", "2026-03-07T10:00:20",
    "2026-03-07T10:00Z", "2026-03-07T10:00:20+0100", "2026-03-07T10:00:20+01",
    "2026-02-30T10:00:00Z", "2026-03-07T24:00:00Z", "2026-03-07T23:59:60Z", "2026-03-07",
    "2026-03-07T10:00:20,5Z", "1700000000", 1700000000, 1700000000.5,
    [], [1], {}, {"reports_time_zone": "UTC"}, {"reports_time_zone": "Nowhere/Land"},
    [{"attempted_at": "2026-03-07T10:00:00Z", "dc_number": "1", "dc_status": "ok",
      "ring_seconds": 1, "whisper_seconds": 0, "talk_seconds": 2.5}],
    [{"attempted_at": "2026-03-07T10:00:00", "dc_number": "1", "dc_status": "ok",
      "ring_seconds": 1, "whisper_seconds": 0, "talk_seconds": 2.5}],
]  # fmt: skip


def _containers(event: dict) -> list[dict]:
    """The event's objects whose fields a mutation may touch: envelope, data, nested ones."""
    out = [event]
    data = event.get("data")
    if isinstance(data, dict):
        out.append(data)
        for value in data.values():
            if isinstance(value, dict):
                out.append(value)
            elif isinstance(value, list):
                out.extend(v for v in value if isinstance(v, dict))
    return out


def mutate(event: dict, rng: random.Random) -> dict:
    """A copy of the event with one to three random changes: a field set to an interesting
    value, removed, added (also reserved names, at the top or inside data), or the event
    type, schema_version or the whole data object replaced."""
    e = copy.deepcopy(event)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        target = rng.choice(_containers(e))
        kind = rng.random()
        if kind < 0.5 and target:
            target[rng.choice(list(target))] = copy.deepcopy(rng.choice(INTERESTING))
        elif kind < 0.65 and target:
            del target[rng.choice(list(target))]
        elif kind < 0.75:
            name = rng.choice(["extra", "_ccwh_source", "_ccwh_x", "_ccw", "data", "id"])
            target[name] = copy.deepcopy(rng.choice(INTERESTING))
        elif kind < 0.85:
            e["event_type"] = rng.choice([*EVENT_TYPES, "nope", "Queue_call", 1, None])
        elif kind < 0.95:
            e["schema_version"] = rng.choice([1, 2, 0, True, "1", 1.0, None])
        else:
            e["data"] = rng.choice([[], "x", None, {}])
    return e


def encodings(event: dict) -> list[bytes]:
    """The same event as different senders write it: compact, pretty, ASCII-only escapes."""
    return [
        orjson.dumps(event),
        orjson.dumps(event, option=orjson.OPT_INDENT_2),
        json.dumps(event).encode(),  # ensure_ascii: non-ASCII as \\u escapes
    ]


def test_fast_accept_agrees_with_validate_event_on_mutated_events(sample: list[dict]) -> None:
    """json_event_is_valid (msgspec from the bytes) says yes exactly when validate_event
    finds no problem; its strict answer (exact=False) never says yes to an invalid event
    and says yes to every simulated (valid) event, so the fast path is the common path."""
    rng = random.Random(2026)
    by_type: dict[str, list[dict]] = {}
    for event in sample:
        by_type.setdefault(event["event_type"], []).append(event)
    events = [e for group in by_type.values() for e in rng.sample(group, min(len(group), 40))]
    checked = {True: 0, False: 0}
    for event in events:
        for text in encodings(event):
            assert json_event_is_valid(text, orjson.loads(text), exact=False), event
        for _ in range(12):
            bad = mutate(event, rng)
            expected = validate_event(bad) == []
            for text in encodings(bad):
                parsed = orjson.loads(text)
                assert json_event_is_valid(text, parsed) == expected, (bad, text)
                if json_event_is_valid(text, parsed, exact=False):
                    assert expected, (bad, text)
            checked[expected] += 1
    assert checked[True] > 500 and checked[False] > 2000, checked


def test_fast_accept_on_bytes_only_traps(sample: list[dict]) -> None:
    """What only the bytes show: a reserved name behind a \\u escape, duplicate keys (orjson
    keeps the last), fields in any order, JSON true/1.0 as schema_version."""
    event = next(e for e in sample if e["event_type"] == "queue_call")
    text = orjson.dumps(event)
    escaped = text[:-1] + b',"\\u005fccwh_source":"x"}'
    assert validate_event(orjson.loads(escaped)) != []
    assert not json_event_is_valid(escaped, orjson.loads(escaped))
    in_data = text[:-2] + b',"_ccwh_note":"x"}}'  # reserved only at the top level
    assert validate_event(orjson.loads(in_data)) == []
    assert json_event_is_valid(in_data, orjson.loads(in_data), exact=False)
    verdicts = set()
    for dup in [
        b'"event_id":""',
        b'"event_id":"ok"',
        b'"event_type":"nope"',
        b'"event_type":"agent_call"',
        b'"schema_version":2',
        b'"schema_version":true',
        b'"data":{}',
    ]:
        for doubled in (b"{" + dup + b"," + text[1:], text[:-1] + b"," + dup + b"}"):
            parsed = orjson.loads(doubled)
            expected = validate_event(parsed) == []
            assert json_event_is_valid(doubled, parsed) is expected, doubled
            if json_event_is_valid(doubled, parsed, exact=False):
                assert expected, doubled
            verdicts.add(expected)
    assert verdicts == {True, False}
    reordered = orjson.dumps(dict(reversed(list(event.items()))))
    assert json_event_is_valid(reordered, orjson.loads(reordered), exact=False)
    for version in (b"true", b"1.0", b'"1"'):
        bad = text.replace(b'"schema_version":1', b'"schema_version":' + version)
        assert not json_event_is_valid(bad, orjson.loads(bad))


def test_batch_fast_accept_agrees_with_per_event_validation(sample: list[dict]) -> None:
    """json_events_are_valid (one msgspec call for a JSON array) and json_lines_are_valid
    (NDJSON) are True exactly when every event is valid; strictly (exact=False) never True
    when one is not."""
    rng = random.Random(7)
    for _ in range(60):
        batch = rng.sample(sample, 30)
        if rng.random() < 0.7:
            i = rng.randrange(len(batch))
            batch[i] = mutate(batch[i], rng)
        expected = not any(validate_event(e) for e in batch)
        text = orjson.dumps(batch)
        assert json_events_are_valid(text, orjson.loads(text)) == expected
        if json_events_are_valid(text, orjson.loads(text), exact=False):
            assert expected
        lines = [orjson.dumps(e) for e in batch]
        parsed = [orjson.loads(line) for line in lines]
        assert json_lines_are_valid(lines, parsed) == expected
        if json_lines_are_valid(lines, parsed, exact=False):
            assert expected
        fast = json_lines_events(lines)
        assert (fast is not None) == json_lines_are_valid(lines, parsed, exact=False)
        if fast is not None:
            assert fast == parsed
    text = orjson.dumps(sample)
    assert json_events_are_valid(text, orjson.loads(text), exact=False)
    for e in sample:
        if e["event_type"] == "queue_call" and e["data"]["outcome"] == "answered":
            e = copy.deepcopy(e)
            del e["data"]["answered_at"]  # a cross-field rule, checked after msgspec
            text = orjson.dumps([e])
            assert validate_event(e) and not json_events_are_valid(text, [e])
            break
    else:
        raise AssertionError("no answered queue_call in the sample")


def test_json_schema_covers_every_event_type() -> None:
    schema = json_schema()
    assert schema["properties"]["event_type"]["enum"] == list(EVENT_TYPES)
    assert len(schema["allOf"]) == len(EVENT_TYPES)
    assert schema["properties"]["schema_version"]["const"] == 1


def test_lines_fast_path_needs_one_event_a_line(sample: list[dict]) -> None:
    """Lines that are not one JSON value each can join into a valid array of as many valid
    events (two values on one line, one value over two lines); the fast path refuses them."""
    a, b, c = (orjson.dumps(e) for e in sample[:3])
    assert json_lines_events([a, b, c]) == [orjson.loads(x) for x in (a, b, c)]
    # Event c cut at its first top-level comma: the two halves joined by the comma the fast
    # path puts between lines are c again, and a line with a and b makes up the count.
    cut = c.index(b',"')
    lines = [a + b"," + b, c[:cut], c[cut + 1 :]]
    joined = orjson.loads(b"[" + b",".join(lines) + b"]")
    assert joined == [orjson.loads(x) for x in (a, b, c)]  # 3 lines, 3 valid events
    assert json_lines_events(lines) is None
    assert json_lines_events([a + b"," + b, c]) is None  # two values on one line
    assert json_lines_events([a, b"", c]) is None
