"""Event schemas: the one source of truth for what the receiver accepts (DESIGN.md §3).

Every event is an envelope (event_id, event_type, schema_version, tenant_id, occurred_at,
data) whose ``data`` has a shape per event type. Unknown extra fields are kept, at both
levels. ``schema_version`` selects the schema set; version 1 is the only one so far: a new
version adds an entry to ``SCHEMAS`` and senders on the old version keep working.

The shapes are TypedDicts validated by pydantic-core: no model instances are built, which
keeps validation near 8 µs an event (the receiver's budget is ~10 µs). Rules that span
fields (ordering of timestamps, answered_at required for answered) are checked in plain
Python. Timestamp order is not a rejection rule (see _QUEUE_RULES).

``validate_event(obj)`` returns every problem with one event, each with the JSON path of the
bad field and what was expected; an empty list means valid. ``json_schema()`` exports the
same rules as JSON Schema for senders (``ccwh schema``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, Literal, NotRequired, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from typing_extensions import TypedDict

CURRENT_SCHEMA_VERSION = 1

# Fields the receiver adds to each landed line (see ingestion/landing.py). Senders may not
# use names with this prefix.
RESERVED_PREFIX = "_ccwh_"

_OPEN = ConfigDict(extra="allow")  # unknown fields are kept, never rejected (DESIGN §3)

Id = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Seconds = Annotated[float, Field(ge=0)]
Direction = Literal["inbound", "outbound"]
Timestamp = AwareDatetime  # RFC 3339 with an offset; a naive timestamp is refused
OptId = NotRequired[Id | None]
OptTimestamp = NotRequired[Timestamp | None]


# --- data payloads -------------------------------------------------------------------------


class AgentInteractionData(TypedDict):
    """agent_call / agent_chat / agent_email / agent_sms: one interaction offered to an agent."""

    __pydantic_config__ = _OPEN
    interaction_id: Id
    agent_id: Id
    direction: Direction
    queue_id: OptId
    campaign_id: OptId
    contact_id: OptId
    organization_id: OptId
    offered_at: Timestamp
    answered_at: OptTimestamp
    ended_at: Timestamp
    hold_seconds: Seconds
    wrap_up_seconds: Seconds
    disposition_code: NotRequired[str | None]
    transferred_to_agent_id: OptId
    nps_score: NotRequired[Annotated[int, Field(ge=0, le=10)] | None]


class AgentStatusData(TypedDict):
    """agent_status: one agent state interval (ended_at absent while the state is open)."""

    __pydantic_config__ = _OPEN
    agent_id: Id
    session_id: Id
    status: Code
    reason_code: NotRequired[str | None]
    started_at: Timestamp
    ended_at: OptTimestamp


class DirectConnectAttempt(TypedDict):
    __pydantic_config__ = _OPEN
    attempted_at: Timestamp
    dc_number: str
    dc_status: Code
    ring_seconds: Seconds
    whisper_seconds: Seconds
    talk_seconds: Seconds


class ContactInteractionData(TypedDict):
    """contact_call / contact_chat / contact_email / contact_sms: one interaction or outbound
    attempt seen from the contact's side."""

    __pydantic_config__ = _OPEN
    interaction_id: Id
    contact_id: OptId
    organization_id: OptId
    direction: Direction
    campaign_id: OptId
    sub_campaign_id: OptId
    list_id: OptId
    client_id: OptId
    device: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    pass_type: Literal["voice", "text", "email"]
    completion_status: Code
    started_at: Timestamp
    connected_at: OptTimestamp
    ended_at: Timestamp
    talk_seconds: Seconds
    bridged_at: OptTimestamp
    dc_attempts: NotRequired[list[DirectConnectAttempt] | None]


class MissedCallData(TypedDict):
    __pydantic_config__ = _OPEN
    interaction_id: Id
    device: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    contact_id: OptId
    queue_id: OptId
    agent_id: OptId
    missed_at: Timestamp
    reason: Code


class QueueData(TypedDict):
    """queue_call / queue_chat / queue_email: one interaction's stay in a queue."""

    __pydantic_config__ = _OPEN
    interaction_id: Id
    queue_id: Id
    portfolio_id: OptId
    contact_id: OptId
    organization_id: OptId
    entered_at: Timestamp
    answered_at: OptTimestamp
    left_at: Timestamp
    outcome: Literal["answered", "abandoned", "overflowed", "timed_out"]
    agent_id: OptId


class TicketData(TypedDict):
    __pydantic_config__ = _OPEN
    ticket_id: Id
    organization_id: OptId
    contact_id: OptId
    created_at: Timestamp
    resolved_at: OptTimestamp
    status: Code


class CrmActionData(TypedDict):
    __pydantic_config__ = _OPEN
    action_id: Id
    crm_user_id: Id
    campaign_id: OptId
    organization_id: OptId
    contact_id: OptId
    info: str
    created_at: Timestamp
    source: Code
    action_type: Code


DirectoryEntity = Literal[
    "tenant",
    "organization",
    "contact",
    "agent",
    "agent_group",
    "queue",
    "campaign",
    "sub_campaign",
    "portfolio",
]


class DirectoryData(TypedDict):
    """Reference-data upsert. ``attributes`` is free-form; the known ones are documented in
    docs/events.md (tenant.reports_time_zone, contact.organization_id, agent.agent_group_id…)."""

    __pydantic_config__ = _OPEN
    entity: DirectoryEntity
    id: Id
    attributes: dict[str, Any]


# --- rules across fields ---------------------------------------------------------------------

Rule = Callable[[dict], list[tuple[str, str]]]


def _answered_needs_time(data: dict) -> list[tuple[str, str]]:
    if data.get("outcome") == "answered" and data.get("answered_at") is None:
        return [("answered_at", "answered_at is required when outcome is 'answered'")]
    return []


def _known_time_zone(data: dict) -> list[tuple[str, str]]:
    attrs = data.get("attributes") or {}
    tz = attrs.get("reports_time_zone")
    if tz is not None and not is_time_zone(tz):
        return [
            (
                "attributes.reports_time_zone",
                f"{tz!r} is not an IANA time zone name (e.g. 'Europe/Warsaw', 'UTC')",
            )
        ]
    return []


@cache
def is_time_zone(name: Any) -> bool:
    if not isinstance(name, str) or not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# Timestamp order (answered_at >= entered_at, ...) is deliberately not a rejection rule: a
# sender's clock skew must not lose an event. dbt tests flag such rows downstream instead.
_QUEUE_RULES = [_answered_needs_time]

# event_type -> (data shape, rules)
DATA_SHAPES: dict[str, tuple[type, list[Rule]]] = {
    "agent_call": (AgentInteractionData, []),
    "agent_chat": (AgentInteractionData, []),
    "agent_email": (AgentInteractionData, []),
    "agent_sms": (AgentInteractionData, []),
    "agent_status": (AgentStatusData, []),
    "contact_call": (ContactInteractionData, []),
    "contact_chat": (ContactInteractionData, []),
    "contact_email": (ContactInteractionData, []),
    "contact_sms": (ContactInteractionData, []),
    "missed_call": (MissedCallData, []),
    "queue_call": (QueueData, _QUEUE_RULES),
    "queue_chat": (QueueData, _QUEUE_RULES),
    "queue_email": (QueueData, _QUEUE_RULES),
    "ticket": (TicketData, []),
    "crm_action": (CrmActionData, []),
    "directory": (DirectoryData, [_known_time_zone]),
}
EVENT_TYPES: tuple[str, ...] = tuple(DATA_SHAPES)
DIRECTORY_ENTITIES: tuple[str, ...] = DirectoryEntity.__args__


def _envelope(data_shape: Any) -> type:
    fields = {
        "event_id": Annotated[str, StringConstraints(min_length=1, max_length=128)],
        "event_type": str,
        "schema_version": int,
        "tenant_id": Id,
        "occurred_at": Timestamp,
        "data": data_shape,
    }
    event = TypedDict("Event", fields)  # type: ignore[misc]
    event.__pydantic_config__ = _OPEN  # type: ignore[attr-defined]
    return event


def _tagged_envelope(
    event_type: str, version: int, data_shape: Any, strict_version: bool = False
) -> type:
    # JSON input in lax mode lets `true` and `1.0` through as Literal[1]; the JSON fast path
    # needs the version strictly an integer, like validate_event.
    version_type: Any = Literal[version]
    if strict_version:
        version_type = Annotated[int, Strict(), Field(ge=version, le=version)]
    fields = {
        "event_id": Annotated[str, StringConstraints(min_length=1, max_length=128)],
        "event_type": Literal[event_type],
        "schema_version": version_type,
        "tenant_id": Id,
        "occurred_at": Timestamp,
        "data": data_shape,
    }
    event = TypedDict(f"Event_{event_type}_v{version}", fields)  # type: ignore[misc]
    event.__pydantic_config__ = _OPEN  # type: ignore[attr-defined]
    return event


# schema_version -> event_type -> (validator of the whole event, rules on its data)
SCHEMAS: dict[int, dict[str, tuple[TypeAdapter, list[Rule]]]] = {
    1: {
        name: (TypeAdapter(_envelope(shape)), rules) for name, (shape, rules) in DATA_SHAPES.items()
    }
}
_ANY_ENVELOPE = TypeAdapter(_envelope(dict[str, Any]))

# The receiver's fast path for batches: the whole list in one pydantic-core call, the event
# type picking the shape (~20 % less CPU than one call per event). Any failure falls back to
# validate_event per event, which names each problem.
_BATCH = TypeAdapter(
    list[
        Annotated[
            Union[  # noqa: UP007 - a runtime tuple of types, not an annotation
                tuple(_tagged_envelope(name, 1, shape) for name, (shape, _r) in DATA_SHAPES.items())
            ],
            Discriminator("event_type"),
        ]
    ]
)
_RULES_V1 = {name: rules for name, (_shape, rules) in DATA_SHAPES.items()}

# The receiver's fast path for NDJSON: each line validated straight from its bytes (pydantic's
# own JSON parser; no intermediate dicts), so the line itself can be landed as it came.
_LINE = TypeAdapter(
    Annotated[
        Union[  # noqa: UP007 - a runtime tuple of types, not an annotation
            tuple(
                _tagged_envelope(name, 1, shape, strict_version=True)
                for name, (shape, _r) in DATA_SHAPES.items()
            )
        ],
        Discriminator("event_type"),
    ]
)


# --- validation ------------------------------------------------------------------------------


def _path(loc: tuple[Any, ...]) -> str:
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 80:
        return value[:77] + "..."
    if isinstance(value, (dict, list)):
        return f"<{type(value).__name__}>"
    return value


def _problems(exc: ValidationError) -> list[dict]:
    out = []
    for err in exc.errors(include_url=False):
        item = {"path": _path(tuple(err["loc"])), "message": err["msg"]}
        if err["type"] != "missing":
            item["got"] = _short(err.get("input"))
        out.append(item)
    return out


def validate_event(obj: Any) -> list[dict]:
    """Every problem with one event, each ``{"path", "message"[, "got"]}``; [] when valid."""
    if not isinstance(obj, dict):
        return [
            {"path": "$", "message": f"an event must be a JSON object, got {type(obj).__name__}"}
        ]
    version = obj.get("schema_version")
    schema = SCHEMAS.get(version) if type(version) is int else None
    entry = schema.get(obj.get("event_type")) if schema is not None else None  # type: ignore[arg-type]
    problems: list[dict] = []
    if entry is None:
        # Unknown version or type: report the envelope's problems and what is supported.
        try:
            _ANY_ENVELOPE.validate_python(obj)
        except ValidationError as exc:
            problems = _problems(exc)
        if "schema_version" in obj and type(version) is not int:
            problems = [p for p in problems if p["path"] != "$.schema_version"]
            problems.append(
                {
                    "path": "$.schema_version",
                    "message": "must be an integer",
                    "got": _short(version),
                }
            )
        elif type(version) is int and schema is None:
            problems.append(
                {
                    "path": "$.schema_version",
                    "message": f"unsupported schema_version (supported: {sorted(SCHEMAS)})",
                    "got": version,
                }
            )
        elif schema is not None and isinstance(obj.get("event_type"), str):
            problems.append(
                {
                    "path": "$.event_type",
                    "message": f"unknown event type (known: {', '.join(sorted(schema))})",
                    "got": _short(obj["event_type"]),
                }
            )
    else:
        adapter, rules = entry
        try:
            valid = adapter.validate_python(obj)
        except ValidationError as exc:
            problems = _problems(exc)
        else:
            for rule in rules:
                for field, message in rule(valid["data"]):
                    problems.append({"path": f"$.data.{field}", "message": message})
    for key in obj:
        if isinstance(key, str) and key.startswith(RESERVED_PREFIX):
            message = f"names starting with {RESERVED_PREFIX!r} are reserved for the receiver"
            problems.append({"path": f"$.{key}", "message": message})
    return problems


def json_schema(version: int = CURRENT_SCHEMA_VERSION) -> dict:
    """The event contract as one JSON Schema document (draft 2020-12), for senders."""
    variants = []
    defs: dict[str, Any] = {}
    for name, (shape, _rules) in DATA_SHAPES.items():
        data_schema = TypeAdapter(shape).json_schema(ref_template="#/$defs/{model}")
        defs.update(data_schema.pop("$defs", {}))
        defs[shape.__name__] = data_schema
        variants.append(
            {
                "if": {"properties": {"event_type": {"const": name}}},
                "then": {"properties": {"data": {"$ref": f"#/$defs/{shape.__name__}"}}},
            }
        )
    envelope = _ANY_ENVELOPE.json_schema()
    envelope["properties"]["event_type"]["enum"] = list(SCHEMAS[version])
    envelope["properties"]["schema_version"]["const"] = version
    envelope.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"ccwh event, schema_version {version}",
        **envelope,
        "allOf": variants,
        "$defs": defs,
    }


def batch_is_valid(objs: list[Any]) -> bool:
    """True when every event of a batch is valid (one validation call for all of them).

    False says only that some event is not: run validate_event on each to learn which and
    why. Equivalent to ``not any(validate_event(o) for o in objs)``.
    """
    try:
        _BATCH.validate_python(objs)
    except ValidationError:
        return False
    for obj in objs:
        if type(obj["schema_version"]) is not int:  # Literal[1] also matches JSON true
            return False
        for rule in _RULES_V1[obj["event_type"]]:
            if rule(obj["data"]):
                return False
        for key in obj:
            if key.startswith(RESERVED_PREFIX):
                return False
    return True


def valid_json_event(line: bytes) -> dict | None:
    """The validated event in one JSON text if it is entirely valid, else None.

    None says only that something is wrong: parse the line and run validate_event to learn
    what. Equivalent to ``not validate_event(orjson.loads(line))``, but ~40 % cheaper, and
    the returned dict is for routing only (its timestamps are datetimes): land the line.
    """
    try:
        valid = _LINE.validate_json(line)
    except ValidationError:
        return None
    for rule in _RULES_V1[valid["event_type"]]:
        if rule(valid["data"]):
            return None
    for key in valid:
        if key.startswith(RESERVED_PREFIX):
            return None
    return valid
