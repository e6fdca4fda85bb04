"""The Great Expectations suite on ``raw.events``, run inside the loader's step.

Why in the step and not a separate ``@asset_check``: the dbt multi-asset carries the dbt
source tests of ``raw/events`` as its own checks, and Dagster then exempts it from waiting
for other blocking checks of ``raw/events`` (dagster asset_job.build_node_deps), so dbt could
build on data a separate check rejects. In the loader's step a failed ERROR check fails the
step, and neither dbt nor publish runs. The checks still show on ``raw/events`` in the UI.

The frames stay small at any warehouse size: a per-tenant, per-type profile of the whole
table (volume, types), the events dated after now (future), and the event_ids loaded by this
run together with any older row sharing one (uniqueness: the loader's anti-join guarantees
it; a duplicate means a writer other than the loader).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec

from ingestion.schemas import EVENT_TYPES
from orchestration.quality.gx import Expect, check_result, validate

if TYPE_CHECKING:
    import duckdb

RAW_EVENTS = ["raw", "events"]
FUTURE_TOLERANCE = timedelta(days=1)  # sender clocks drift; a day ahead is a wrong clock

VOLUME = AssetCheckSpec(
    name="gx_raw_events_volume",
    asset=RAW_EVENTS,
    blocking=True,
    description="Great Expectations: raw.events is not empty once a segment has been loaded.",
)
EVENT_TYPES_KNOWN = AssetCheckSpec(
    name="gx_raw_events_known_types",
    asset=RAW_EVENTS,
    blocking=True,
    description=f"Great Expectations: every event_type is one of the {len(EVENT_TYPES)} known "
    "types (ingestion/schemas.py).",
)
NOT_IN_FUTURE = AssetCheckSpec(
    name="gx_raw_events_not_in_future",
    asset=RAW_EVENTS,
    blocking=True,
    description="Great Expectations: no occurred_at more than 1 day after the check runs (a "
    "sender with a wrong clock would fill report days that have not happened).",
)
UNIQUE_IDS = AssetCheckSpec(
    name="gx_raw_events_unique_event_id",
    asset=RAW_EVENTS,
    blocking=True,
    description="Great Expectations: the event_ids loaded by this run appear once in "
    "raw.events (exactly once; the whole table is covered run by run).",
)
SPECS = [VOLUME, EVENT_TYPES_KNOWN, NOT_IN_FUTURE, UNIQUE_IDS]

_DELETE_HINT = (
    "Remove the rows named (DELETE FROM raw.events WHERE event_id IN (...) with no run in "
    "progress; the loader's manifest check allows deletions), then rerun `ccwh build`."
)


def check_raw_events(
    con: duckdb.DuckDBPyConnection, *, loaded_since: datetime, now: datetime
) -> list[AssetCheckResult]:
    """Run the suite on ``con`` (the run's own connection); ``loaded_since`` (naive UTC) is
    when this run's load started, ``now`` (naive UTC) the reference for "future"."""
    error = AssetCheckSeverity.ERROR
    results = []

    segments = con.execute("SELECT count(*) FROM raw.loaded_segments").fetchone()[0]
    profile = con.execute(
        "SELECT tenant_id, event_type, count(*) AS events FROM raw.events GROUP BY ALL"
    ).df()
    if segments:
        outcomes = validate(
            "raw_events_profile",
            profile,
            [Expect("ExpectTableRowCountToBeBetween", {"min_value": 1})],
        )
        results.append(check_result(VOLUME.name, error, outcomes, int(profile["events"].sum())))
    else:
        results.append(
            AssetCheckResult(
                check_name=VOLUME.name,
                passed=True,
                severity=error,
                description="no segment loaded yet: nothing to check",
            )
        )

    outcomes = validate(
        "raw_events_profile",
        profile,
        [
            Expect(
                "ExpectColumnValuesToBeInSet",
                {"column": "event_type", "value_set": list(EVENT_TYPES)},
            )
        ],
    )
    results.append(
        check_result(
            EVENT_TYPES_KNOWN.name,
            error,
            outcomes,
            int(profile["events"].sum()),
            fix="The receiver validates types, so such rows came from another writer. "
            + _DELETE_HINT,
        )
    )

    future = con.execute(
        "SELECT event_id, tenant_id, occurred_at FROM raw.events WHERE occurred_at > $now",
        {"now": now},
    ).df()
    outcomes = validate(
        "raw_events_future",
        future,
        [
            Expect(
                "ExpectColumnValuesToBeBetween",
                {"column": "occurred_at", "max_value": now + FUTURE_TOLERANCE},
            )
        ],
    )
    if not outcomes[0].success:
        late = future[future["occurred_at"] > now + FUTURE_TOLERANCE]
        ids = ", ".join(f"{r.event_id} ({r.tenant_id})" for r in late.head(5).itertuples())
        outcomes[0] = replace(outcomes[0], detail=f"{outcomes[0].detail}; events: {ids}")
    results.append(check_result(NOT_IN_FUTURE.name, error, outcomes, len(future), fix=_DELETE_HINT))

    ids = con.execute(
        """
        SELECT event_id FROM raw.events
        WHERE event_id IN (SELECT event_id FROM raw.events WHERE loaded_at >= $since)
        """,
        {"since": loaded_since},
    ).df()
    outcomes = validate(
        "raw_events_new_ids", ids, [Expect("ExpectColumnValuesToBeUnique", {"column": "event_id"})]
    )
    results.append(
        check_result(
            UNIQUE_IDS.name,
            error,
            outcomes,
            len(ids),
            fix="The loader never inserts an event_id twice: another writer did. " + _DELETE_HINT,
        )
    )
    return results
