"""Dagster definitions for ccwh: `dagster dev -w workspace.yaml` (with CCWH_HOME set);
`python -m orchestration.dev` (`make dagster`) sets everything up and runs it."""

from dagster import Definitions

from ccwh.paths import Home
from exports.dagster_defs import build_schedules, export_report_job
from orchestration.assets.dbt import dbt_models
from orchestration.assets.ingest import raw_events
from orchestration.assets.publish import serving_warehouse
from orchestration.assets.report_days import report_day_marts
from orchestration.jobs import pipeline_job, rebuild_report_days_job, retention_job
from orchestration.quality.marts import MART_CHECKS
from orchestration.resources import build_resources
from orchestration.schedules import close_of_day_schedule, retention_schedule
from orchestration.sensors import landing_sensor
from orchestration.superset_sync import SUPERSET_ASSETS, SUPERSET_JOBS

defs = Definitions(
    assets=[raw_events, dbt_models, report_day_marts, serving_warehouse, *SUPERSET_ASSETS],
    asset_checks=MART_CHECKS,
    jobs=[
        pipeline_job,
        rebuild_report_days_job,
        export_report_job,
        retention_job,
        *SUPERSET_JOBS,
    ],
    schedules=[close_of_day_schedule, retention_schedule, *build_schedules(Home.resolve())],
    sensors=[landing_sensor],
    resources=build_resources(),
)
