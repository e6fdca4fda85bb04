"""Checks of our own; dbt's tests become checks through dagster-dbt (assets/dbt.py).

The loader's check runs inside the ``raw/events`` step rather than as a separate
``@asset_check`` op: Dagster does not order a separate blocking check before the dbt
multi-asset here (that asset also carries checks of ``raw/events``, the source tests), so the
dbt build could start before, or despite, a failed check. In the same step a failure stops
the run before dbt for certain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec

if TYPE_CHECKING:
    import duckdb

RAW_EVENTS_MATCH_MANIFEST = AssetCheckSpec(
    name="raw_events_match_manifest",
    asset=["raw", "events"],
    blocking=True,
    description="Exactly-once bookkeeping: raw.events has no more rows than the loader's "
    "manifest says it inserted (more means a writer other than the loader; the dbt build "
    "does not run on such data).",
)


def raw_events_match_manifest(con: duckdb.DuckDBPyConnection) -> AssetCheckResult:
    rows, inserted, segments = con.execute(
        "SELECT (SELECT count(*) FROM raw.events), "
        "(SELECT coalesce(sum(inserted), 0) FROM raw.loaded_segments), "
        "(SELECT count(*) FROM raw.loaded_segments)"
    ).fetchone()
    # Fewer rows than inserted is allowed: deleting a bad event by hand is how an operator
    # removes data that fails a dbt test. More rows means a writer other than the loader.
    passed = rows <= inserted
    removed = inserted - rows
    return AssetCheckResult(
        check_name=RAW_EVENTS_MATCH_MANIFEST.name,
        passed=bool(passed),
        severity=AssetCheckSeverity.ERROR,
        description=(
            f"{removed} row(s) were deleted by hand since loading" if removed > 0 else None
        )
        if passed
        else f"raw.events has {rows} rows but raw.loaded_segments says only {inserted} were "
        "inserted: something other than the loader wrote to raw.events. Find the writer and "
        "remove its rows before rebuilding.",
        metadata={"rows": int(rows), "manifest_inserted": int(inserted), "segments": int(segments)},
    )
