"""``raw/events``: the loader as an asset (ready landing segments → raw.events)."""

from collections.abc import Iterator
from datetime import UTC, datetime

from dagster import AssetCheckSeverity, AssetExecutionContext, Failure, MaterializeResult, asset

from ingestion.loader import load_ready
from orchestration.checks import RAW_EVENTS_MATCH_MANIFEST, raw_events_match_manifest
from orchestration.progress import say
from orchestration.quality import raw as raw_suite
from orchestration.resources import WarehouseResource, WriterLockResource

RAW_EVENTS_KEY = ["raw", "events"]  # = the dbt source raw.events, so dbt models depend on it


@asset(
    key=RAW_EVENTS_KEY,
    group_name="ingest",
    kinds={"duckdb", "python"},
    check_specs=[RAW_EVENTS_MATCH_MANIFEST, *raw_suite.SPECS],
    description="Ready landing segments loaded into raw.events, exactly once per event_id "
    "(ingestion/loader.py). Metadata: what this run loaded. Its checks (the manifest and the "
    "Great Expectations suite) run in this step; a failed one stops the run before dbt.",
)
def raw_events(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    writer_lock: WriterLockResource,  # held for the run: no other writer while we load
) -> Iterator[MaterializeResult]:
    home = warehouse.paths
    started = datetime.now(UTC).replace(tzinfo=None)  # raw.events.loaded_at is naive UTC
    summary = load_ready(home, progress=lambda message: say(context, message))
    say(context, summary.describe())
    for name in summary.quarantined:
        context.log.warning(
            f"segment {name} could not be loaded and was moved to "
            f"{home.quarantine / 'segments'} (the .error.txt beside it says why)"
        )
    say(context, "checks: raw.events (manifest, Great Expectations suite)…")
    with warehouse.connect() as con:
        checks = [raw_events_match_manifest(con)]
        checks += raw_suite.check_raw_events(
            con, loaded_since=started, now=datetime.now(UTC).replace(tzinfo=None)
        )
    yield MaterializeResult(metadata=summary.as_metadata(), check_results=checks)
    failed = [c for c in checks if not c.passed and c.severity == AssetCheckSeverity.ERROR]
    if failed:
        raise Failure(
            description="\n".join(f"check {c.check_name} failed: {c.description}" for c in failed)
        )
