"""Dagster schedules for report definitions: one parametrised job, one schedule per definition.

``build_schedules(home)`` reads every ``<home>/config/reports/*.yaml`` and returns a
``ScheduleDefinition`` for each definition with a ``schedule:``; all of them target the single
job ``export_report`` with the tenant and report name in the run config. The data directory
is passed in the run config too (no module-level paths). Wire it in
``orchestration/definitions.py``::

    from exports.dagster_defs import build_schedules, export_report_job
    Definitions(..., jobs=[..., export_report_job], schedules=[..., *build_schedules(home)])

A definitions file with errors is skipped with its errors logged, so that one tenant's typo
does not take every other schedule (and the pipeline's own definitions) down.
"""

# no `from __future__ import annotations`: Dagster reads the op's config annotation at runtime
import logging

import dagster as dg

log = logging.getLogger(__name__)
JOB_NAME = "export_report"


class ExportReportConfig(dg.Config):
    home: str
    tenant: str
    report: str
    trigger: str = "schedule"
    user: str | None = None


@dg.op(description="Run one report definition (exports.runner.run_named) and fail if it failed.")
def run_report_op(context: dg.OpExecutionContext, config: ExportReportConfig) -> dict:
    from ccwh.paths import Home
    from exports.runner import run_named

    result = run_named(
        Home.resolve(config.home),
        config.report,
        config.tenant,
        trigger=config.trigger,
        user=config.user,
    )
    summary = {
        "run_id": result.run_id,
        "status": result.status,
        "records": result.record_count,
        "file": str(result.file) if result.file else None,
        "deliveries": result.deliveries,
    }
    context.add_output_metadata(
        {
            k: dg.MetadataValue.json(v) if isinstance(v, list) else v
            for k, v in summary.items()
            if v is not None
        }
    )
    if result.status != "finished":
        raise dg.Failure(
            description=f"report run {result.run_id} failed: {result.error}", metadata=summary
        )
    return summary


@dg.job(
    name=JOB_NAME,
    description="Generate and deliver one scheduled detail report.",
    tags={"ccwh/kind": "export"},
)
def export_report_job() -> None:
    run_report_op()


def schedule_name(tenant: str, report: str) -> str:
    safe = "".join(c if c.isalnum() else "_" for c in f"{tenant}__{report}")
    return f"report__{safe}"


def build_schedules(home) -> list[dg.ScheduleDefinition]:
    from exports.definitions import DefinitionError, parse_file, reports_dir

    out: list[dg.ScheduleDefinition] = []
    folder = reports_dir(home)
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yaml")):
        try:
            tenant = parse_file(path, home)
        except DefinitionError as e:
            log.error("report definitions skipped: %s", e)
            continue
        for d in tenant.reports.values():
            if d.schedule is None:
                continue
            out.append(
                dg.ScheduleDefinition(
                    name=schedule_name(d.tenant, d.name),
                    job=export_report_job,
                    cron_schedule=d.schedule.cron,
                    execution_timezone=d.schedule.time_zone,
                    description=f"{d.name} ({d.type}) for {d.tenant}: {d.schedule.describe()}",
                    run_config={
                        "ops": {
                            "run_report_op": {
                                "config": {
                                    "home": str(home.root),
                                    "tenant": d.tenant,
                                    "report": d.name,
                                }
                            }
                        }
                    },
                    tags={"ccwh/tenant": d.tenant, "ccwh/report": d.name},
                    default_status=dg.DefaultScheduleStatus.RUNNING,
                )
            )
    return out
