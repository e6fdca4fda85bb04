"""``landing_sensor``: start the pipeline when new segments are ready to load, and a
``rebuild_report_days`` run for each late report day the loader recorded."""

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
from orchestration.jobs import pipeline_job, rebuild_report_days_job
from orchestration.resources import WarehouseResource

_ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


def late_days(warehouse: WarehouseResource) -> list[tuple[str, str]]:
    """(report day, newest loaded_at) of the late days in raw.loaded_days not rebuilt yet.

    Read-only, between runs; if a writer holds the warehouse, the next tick sees them."""
    import duckdb

    from ccwh.warehouse import connect

    path = warehouse.paths.warehouse
    if not path.exists():
        return []
    try:
        with connect(path, read_only=True) as con:
            rows = con.execute(
                "SELECT report_day::VARCHAR, max(loaded_at)::VARCHAR FROM raw.loaded_days "
                "WHERE built_at IS NULL GROUP BY report_day HAVING bool_or(late) ORDER BY 1"
            ).fetchall()
    except duckdb.Error:
        return []  # locked by a writer, or loaded before raw.loaded_days existed
    return [(day, loaded) for day, loaded in rows]


def landing_requests(context: SensorEvaluationContext, warehouse: WarehouseResource):
    """Late days first (a rebuild each, keyed by day and load time, so a day loaded late
    again gets a new run), then the pipeline run for newly ready segments."""
    requests = [
        RunRequest(
            job_name=rebuild_report_days_job.name,
            partition_key=day,
            run_key=f"late:{day}:{loaded_at}",
            tags={"ccwh/trigger": "late_events"},
        )
        for day, loaded_at in late_days(warehouse)
    ]
    ready = ready_segments(warehouse.paths)
    newest = ready[-1].name if ready else None
    if newest and not (context.cursor and newest <= context.cursor):
        context.update_cursor(newest)
        requests.append(
            RunRequest(
                job_name=pipeline_job.name,
                run_key=newest,
                tags={"ccwh/ready_segments": str(len(ready))},
            )
        )
    return requests


# Running by default: a fresh `make dagster` loads whatever the receiver lands.
@sensor(
    jobs=[pipeline_job, rebuild_report_days_job],
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
)
def landing_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    """Request a run when landing/ready/ holds a segment newer than the last one seen, and a
    ``rebuild_report_days`` run per late report day (raw.loaded_days, written by the loader).

    The cursor is the newest ready segment's name (names sort by open time). While a run is
    in progress nothing is requested and the cursor stays, so the segments that arrive
    meanwhile start the next run once this one has finished; the late days the finished run
    loaded are requested at the next tick.
    """
    active = context.instance.get_run_records(
        filters=RunsFilter(job_name=pipeline_job.name, statuses=_ACTIVE),
        limit=1,
    ) or context.instance.get_run_records(
        filters=RunsFilter(job_name=rebuild_report_days_job.name, statuses=_ACTIVE), limit=1
    )
    if active:
        return SkipReason(f"run {active[0].dagster_run.run_id} is still in progress")
    requests = landing_requests(context, warehouse)
    if not requests:
        cursor = f" newer than {context.cursor}" if context.cursor else ""
        return SkipReason(f"no segment{cursor} in landing/ready/ and no late report day")
    return requests
