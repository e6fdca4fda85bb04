"""Jobs: ``pipeline`` (load → dbt build, tests and checks → publish), ``rebuild_report_days``
(chosen report days of the incremental marts → checks → publish) and ``export_retention``."""

# no `from __future__ import annotations`: Dagster reads the annotations at runtime

from dagster import (
    AssetSelection,
    OpExecutionContext,
    define_asset_job,
    in_process_executor,
    job,
    op,
)

from orchestration.assets.ingest import RAW_EVENTS_KEY
from orchestration.assets.publish import serving_warehouse
from orchestration.assets.report_days import report_day_marts
from orchestration.resources import WarehouseResource
from orchestration.superset_sync import SUPERSET_KEY

# Runs sharing this tag are limited to one at a time by the run queue (dagster.yaml written
# by `ccwh build`); the writer lock serialises whatever starts outside the queue.
CONCURRENCY_TAG = "ccwh/warehouse"

pipeline_job = define_asset_job(
    name="pipeline",
    selection=AssetSelection.all(),
    description="Load ready landing segments, build and test the dbt models, run the Great "
    "Expectations checks, publish serve.duckdb. Started by landing_sensor, the close_of_day "
    "schedule, `ccwh build`, or from the UI.",
    # In-process: faster here (STACK.md: 14-23 s vs 22-46 s) and the run's resources, the
    # writer lock included, live for the whole run.
    executor_def=in_process_executor,
    tags={CONCURRENCY_TAG: "writer"},
)

# Dagster 1.13 allows unpartitioned assets in a job with one partitions definition: a run for
# a report day rebuilds the unpartitioned dbt models it needs whole (they are tables; a late
# event must reach int_queue_interactions) and the report-day marts for that day only.
# `pipeline` holds the partitioned marts too, so it can run with or without a partition.
rebuild_report_days_job = define_asset_job(
    name="rebuild_report_days",
    selection=(
        AssetSelection.assets(report_day_marts).upstream() - AssetSelection.assets(RAW_EVENTS_KEY)
        | AssetSelection.assets(serving_warehouse)
        | AssetSelection.assets(SUPERSET_KEY)  # the published restatement reaches Superset
    ),
    description="Rebuild the chosen report days (a partition or a backfill range) of the "
    "incremental marts, with the dbt models they read, their tests and checks; record what "
    "changed in audit.restatements; publish. Requested by landing_sensor for late events.",
    executor_def=in_process_executor,
    tags={CONCURRENCY_TAG: "writer"},
)


@op(description="exports.runner.apply_retention: delete export files older than 30 days.")
def apply_retention_op(context: OpExecutionContext, warehouse: WarehouseResource) -> int:
    from exports.runner import RETENTION_DAYS, apply_retention

    deleted = apply_retention(warehouse.paths, days=RETENTION_DAYS)
    context.log.info(f"retention: deleted the files of {len(deleted)} report run(s)")
    context.add_output_metadata({"deleted_runs": len(deleted)})
    return len(deleted)


@job(
    name="export_retention",
    description="`ccwh report retention`: delete generated export files older than 30 days.",
    tags={"ccwh/kind": "export"},
)
def retention_job() -> None:
    apply_retention_op()
