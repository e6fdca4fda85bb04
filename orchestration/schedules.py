"""Schedules of the pipeline: close of day per tenant report zone, and export retention.

Close of day (DESIGN §4, seed 004: "the previous day's data is refreshed at 3:30 every day"):
the pipeline runs once a day at 03:30 in each tenant's report zone, after that zone's report
day has closed. The zones are read at every tick from the published ``main.tenants``, so a new
tenant (or a changed zone) needs no code reload; with nothing published yet the zone is UTC.

The report zone is ``reports_time_zone`` for tenants at or ahead of UTC (report day midnight
to midnight there) and America/New_York for tenants behind UTC, whose report day runs 03:00 to
03:00 New York time (DESIGN §5): 03:30 in, say, America/Sao_Paulo would be before their day
closed.

The run is for the closed report day's partition ("a close-of-day schedule builds
yesterday"): the report-day marts rebuild exactly that day (orchestration/assets/report_days.py).

One schedule ticks every 15 minutes (UTC) and requests a run when some zone's local time is in
[03:30, 03:45) at the tick: every UTC offset in use is a multiple of 15 minutes, and Dagster
evaluates ticks at their scheduled time, so DST changes need no special case. The run key
names the zones and the report day that closed, so a zone gets one run a day.
"""

# no `from __future__ import annotations`: Dagster reads the annotations at runtime

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from ccwh.paths import Home
from orchestration.jobs import pipeline_job, retention_job
from orchestration.resources import WarehouseResource

CLOSE_OF_DAY = time(3, 30)
TICK = timedelta(minutes=15)
BEHIND_UTC_ZONE = "America/New_York"
DEFAULT_ZONE = "UTC"


def report_zones(home: Home) -> list[str]:
    """The distinct report zones of the published tenants; ["UTC"] if none are published."""
    if not home.serving.exists():
        return [DEFAULT_ZONE]
    import duckdb

    from ccwh.warehouse import connect

    try:
        with connect(home.serving, read_only=True) as con:
            rows = con.execute(
                "SELECT DISTINCT CASE WHEN behind_utc THEN $ny ELSE reports_time_zone END "
                "FROM main.tenants",
                {"ny": BEHIND_UTC_ZONE},
            ).fetchall()
    except duckdb.Error:
        return [DEFAULT_ZONE]  # published before the tenants mart existed
    return sorted({zone for (zone,) in rows if zone}) or [DEFAULT_ZONE]


def zones_closing(zones: Iterable[str], at: datetime) -> list[tuple[str, date]]:
    """(zone, report day that closed) for each zone whose local time at ``at`` (aware) is in
    [03:30, 03:30 + TICK); unknown zone names are ignored (the tenants mart tests them)."""
    due = []
    for zone in zones:
        try:
            local = at.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            continue
        start = datetime.combine(local.date(), CLOSE_OF_DAY, tzinfo=local.tzinfo)
        if start <= local < start + TICK:
            due.append((zone, local.date() - timedelta(days=1)))
    return due


@schedule(
    name="close_of_day",
    job=pipeline_job,
    cron_schedule="*/15 * * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Runs the pipeline at 03:30 in each tenant's report zone (America/New_York "
    "for tenants behind UTC; UTC before anything is published), after the report day closed.",
)
def close_of_day_schedule(context: ScheduleEvaluationContext, warehouse: WarehouseResource):
    at = context.scheduled_execution_time
    zones = report_zones(warehouse.paths)
    due = zones_closing(zones, at)
    if not due:
        return SkipReason(f"no report zone at 03:30 ({', '.join(zones)})")
    # One run per closed report day (zones closing the same day share it), for that day's
    # partition: load, the unpartitioned models, the report-day marts of that day (a change
    # to a day built before is recorded as a restatement), publish.
    by_day: dict[date, list[str]] = {}
    for zone, day in due:
        by_day.setdefault(day, []).append(zone)
    return [
        RunRequest(
            run_key="close_of_day:" + ",".join(f"{zone}={day.isoformat()}" for zone in zones),
            partition_key=day.isoformat(),
            tags={
                "ccwh/trigger": "close_of_day",
                "ccwh/closed_days": ",".join(f"{zone}={day.isoformat()}" for zone in zones),
            },
        )
        for day, zones in sorted(by_day.items())
    ]


@schedule(
    name="export_retention",
    job=retention_job,
    cron_schedule="0 4 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Daily `ccwh report retention`: delete generated export files older than 30 "
    "days (registry rows stay, with file_deleted_at).",
)
def retention_schedule(context: ScheduleEvaluationContext):
    return RunRequest(run_key=f"retention:{context.scheduled_execution_time.date().isoformat()}")
