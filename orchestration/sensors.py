"""``landing_sensor``: start the pipeline when new segments are ready to load."""

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from ingestion.loader import ready_segments
from orchestration.jobs import pipeline_job
from orchestration.resources import WarehouseResource

_ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


# Running by default: a fresh `make dagster` loads whatever the receiver lands.
@sensor(
    job=pipeline_job,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
)
def landing_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    """Request a run when landing/ready/ holds a segment newer than the last one seen.

    The cursor is the newest ready segment's name (names sort by open time). While a run is
    in progress nothing is requested and the cursor stays, so the segments that arrive
    meanwhile start the next run once this one has finished.
    """
    ready = ready_segments(warehouse.paths)
    if not ready:
        return SkipReason("no segments in landing/ready/")
    newest = ready[-1].name
    if context.cursor and newest <= context.cursor:
        return SkipReason(f"no segment newer than {context.cursor}")
    active = context.instance.get_run_records(
        filters=RunsFilter(job_name=pipeline_job.name, statuses=_ACTIVE), limit=1
    )
    if active:
        return SkipReason(f"run {active[0].dagster_run.run_id} is still in progress")
    context.update_cursor(newest)
    return RunRequest(run_key=newest, tags={"ccwh/ready_segments": str(len(ready))})
