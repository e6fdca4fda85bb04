"""The event contract: every problem named by its JSON path; batch fast path == slow path."""

from __future__ import annotations

import copy
import random
from datetime import date

import orjson
import pytest

from ingestion.schemas import (
    EVENT_TYPES,
    batch_is_valid,
    json_schema,
    valid_json_event,
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
    assert batch_is_valid(sample)


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


def test_batch_fast_path_agrees_with_per_event_validation(sample: list[dict]) -> None:
    """Break random events in random ways: batch_is_valid is False exactly when some
    event has a problem."""
    rng = random.Random(7)
    breakers = [
        lambda e: e.pop("tenant_id"),
        lambda e: e.__setitem__("schema_version", True),
        lambda e: e.__setitem__("event_type", "nope"),
        lambda e: e["data"].__setitem__("_x", 1) or e.__setitem__("_ccwh_source", "x"),
        lambda e: e.__setitem__("occurred_at", "2026-03-07 10:00"),
        lambda e: e["data"].clear(),
    ]
    for _ in range(40):
        batch = copy.deepcopy(rng.sample(sample, 30))
        if rng.random() < 0.7:
            rng.choice(breakers)(rng.choice(batch))
        assert batch_is_valid(batch) == (not any(validate_event(e) for e in batch))


def test_line_fast_path_agrees_with_per_event_validation(sample: list[dict]) -> None:
    """valid_json_event (pydantic straight from the bytes, for NDJSON lines) accepts exactly
    the events validate_event finds no problem with, including the JSON-only traps: `true`
    and `1.0` as schema_version, which JSON-mode lax validation would let through."""
    breakers = [
        lambda e: e.pop("tenant_id"),
        lambda e: e.__setitem__("schema_version", True),
        lambda e: e.__setitem__("schema_version", 1.0),
        lambda e: e.__setitem__("schema_version", "1"),
        lambda e: e.__setitem__("event_type", "nope"),
        lambda e: e.__setitem__("_ccwh_source", "x"),
        lambda e: e["data"].__setitem__("_x", 1),  # unknown data fields are kept: valid
        lambda e: e.__setitem__("occurred_at", "2026-03-07 10:00"),
        lambda e: e.__setitem__("occurred_at", "2026-03-07T10:00:00"),  # naive
        lambda e: e["data"].clear(),
        lambda e: e.__setitem__("event_id", ""),
    ]
    rng = random.Random(11)
    checked = {True: 0, False: 0}
    for event in sample[:300]:
        for breaker in [None, rng.choice(breakers), rng.choice(breakers)]:
            e = copy.deepcopy(event)
            if breaker is not None:
                breaker(e)
            expected = not validate_event(e)
            assert (valid_json_event(orjson.dumps(e)) is not None) == expected, e
            checked[expected] += 1
    assert checked[True] > 100 and checked[False] > 100
    for e in sample:
        if e["event_type"] == "queue_call" and e["data"]["outcome"] == "answered":
            e = copy.deepcopy(e)
            del e["data"]["answered_at"]  # a cross-field rule, checked after the schema
            assert validate_event(e) and valid_json_event(orjson.dumps(e)) is None
            break
    else:
        raise AssertionError("no answered queue_call in the sample")


def test_json_schema_covers_every_event_type() -> None:
    schema = json_schema()
    assert schema["properties"]["event_type"]["enum"] == list(EVENT_TYPES)
    assert len(schema["allOf"]) == len(EVENT_TYPES)
    assert schema["properties"]["schema_version"]["const"] == 1
