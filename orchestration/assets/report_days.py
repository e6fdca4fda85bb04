"""``report_day_marts``: the incremental marts (dbt tag report_day_partitioned), partitioned
by report day (docs/architecture.md "Partitions, late events and restatements").

A run for a partition (or a backfill range) passes the window to dbt as ``--vars
{min_date, max_date}``; the marts replace exactly those report days. A run without a
partition (the ``pipeline`` job started by the landing sensor) rebuilds the report days the
loader recorded in raw.loaded_days since the last build, except late ones, which wait for
their own partition run (the sensor requests it); ``ccwh build`` (tag ``ccwh/include_late``)
takes the late days too, so one command leaves every mart complete.

Every rebuild of days that were built before records what changed in audit.restatements
(orchestration/restatements.py), logs a warning per changed (mart, tenant, day) and attaches
the summary to each mart's materialization.
"""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dagster import (
    AssetExecutionContext,
    DailyPartitionsDefinition,
    MetadataValue,
    Output,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from ccwh.spark_marts import dbt_target, is_spark
from orchestration import restatements
from orchestration.assets.dbt import REPORT_DAY_TAG, _manifest, dbt_build
from orchestration.dbt_project import dbt_project
from orchestration.progress import say
from orchestration.resources import WarehouseResource, WriterLockResource

# Report days, not UTC days; the first one any tenant may report. end_offset=1: today's
# (UTC) partition exists, so close of day and late days are always inside the range.
REPORT_DAY_PARTITIONS = DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1)
INCLUDE_LATE_TAG = "ccwh/include_late"


class ReportDayTranslator(DagsterDbtTranslator):
    """Drops the edges between report-day marts (abandoned_calls -> abandoned_calls_summary).

    dbt still builds them in order in one invocation; but Dagster 1.13 fails an
    unpartitioned run of a partitioned multi-asset whose outputs depend on each other (it
    looks up the input's partition range for data-version provenance: "Cannot access
    partition_key for a non-partitioned run"), and the pipeline job runs this asset without
    a partition.
    """

    def get_asset_spec(self, manifest, unique_id, project):  # noqa: ANN001, ANN201
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id, {})
        if node.get("resource_type") != "model":
            return spec
        marts = _report_day_mart_names(manifest)
        deps = [d for d in spec.deps if d.asset_key.path[-1] not in marts]
        return spec.replace_attributes(deps=deps)


def _report_day_mart_names(manifest: dict[str, Any]) -> set[str]:
    tag = REPORT_DAY_TAG.split(":", 1)[1]
    return {
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and tag in n.get("tags", [])
    }


translator = ReportDayTranslator(
    settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
)


def restatement_keys() -> dict[str, list[str]]:
    """mart name -> its row key (meta.restatement_key) for every report-day mart."""
    tag = REPORT_DAY_TAG.split(":", 1)[1]
    return {
        node["name"]: list(node["config"]["meta"]["restatement_key"])
        for node in _manifest()["nodes"].values()
        if node["resource_type"] == "model" and tag in node.get("tags", [])
    }


def _days(start: str, end: str) -> list[date]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def plan(
    context: AssetExecutionContext, warehouse: WarehouseResource, target: str = "duckdb"
) -> tuple[dict[str, Any], list[date], list[date]]:
    """(dbt vars, days whose rebuild is a restatement, days to mark built)."""
    if context.has_partition_key:
        window = context.partition_key_range
        days = _days(window.start, window.end)
        return {"min_date": window.start, "max_date": window.end}, days, days
    if is_spark(target):
        # The loaded-days bookkeeping needs the dbt view int_queue_event_report_days in the
        # DuckDB warehouse, which a Spark build does not write: without vars the Spark build
        # rebuilds every report day (report_day_window_without_loaded_days), never stale.
        return {}, [], []
    with warehouse.connect() as con:
        new, late = restatements.pending_days(con)
    if context.run.tags.get(INCLUDE_LATE_TAG) != "true":
        late = []
    days = sorted(new + late)
    return {"report_days": [d.isoformat() for d in days]}, late, days


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    name="report_day_marts",
    select=REPORT_DAY_TAG,
    partitions_def=REPORT_DAY_PARTITIONS,
    dagster_dbt_translator=translator,
)
def report_day_marts(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    writer_lock: WriterLockResource,
) -> Iterator[Any]:
    keys = restatement_keys()
    marts = sorted(k.path[-1] for k in context.selected_asset_keys if k.path[-1] in keys)
    dbt_vars, restate_days, built_days = plan(context, warehouse, dbt.target or dbt_target())
    copied: list[str] = []
    if restate_days:
        with warehouse.connect() as con:
            copied = restatements.snapshot(con, marts, restate_days)
    # Held back until the diff is done, so each mart's materialization carries its changes.
    events = list(dbt_build(context, dbt, warehouse, ["--vars", json.dumps(dbt_vars)]))
    built_at = datetime.now(UTC).replace(tzinfo=None)
    found: dict[str, list[restatements.Restatement]] = {}
    with warehouse.connect() as con:
        for mart in copied:
            found[mart] = restatements.diff(con, mart, keys[mart], restate_days)
        restatements.record(con, context.run.run_id, built_at, sum(found.values(), []))
        restatements.drop_snapshots(con, copied)
        restatements.mark_built(con, built_days, built_at)
    for rows in found.values():
        for r in rows:
            if r.status == "changed":
                context.log.warning(f"restatement: {r.describe()}")
            else:
                say(context, f"restatement: {r.describe()}")
    for event in events:
        if isinstance(event, Output):
            mart = context.asset_key_for_output(event.output_name).path[-1]
            rows = found.get(mart)
            metadata = {"report_days": MetadataValue.json(dbt_vars)}
            if rows is not None:
                metadata["restatements"] = MetadataValue.md(
                    "\n".join(f"- {r.describe()}" for r in rows) or "-"
                )
                metadata["rows_restated"] = sum(
                    len(r.added) + len(r.removed) + len(r.changed) for r in rows
                )
            event = event.with_metadata({**event.metadata, **metadata})
        yield event
