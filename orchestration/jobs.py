"""Jobs: ``pipeline`` (load → dbt build, tests and checks → publish) and ``export_retention``."""

# no `from __future__ import annotations`: Dagster reads the annotations at runtime

from dagster import (
    AssetSelection,
    OpExecutionContext,
    define_asset_job,
    in_process_executor,
    job,
    op,
)

from orchestration.resources import WarehouseResource

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
