"""dbt models and seeds as assets, dbt tests as asset checks (``dbt build`` in one step).

dagster-dbt maps the source ``raw.events`` to the asset key ``raw/events`` (the loader's
asset), so every model depends on the load. Tests of severity ``error`` are blocking checks:
when one fails, ``dbt build`` skips what depends on it and exits non-zero, this step fails,
and ``serving/warehouse`` (publish) does not run, so readers keep the last good copy.
"""

import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetMaterialization,
    Failure,
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
from orchestration.dbt_project import dbt_project
from orchestration.progress import quiet_stdout, say
from orchestration.resources import WarehouseResource, WriterLockResource

# Node kinds in run_results.json, by unique_id prefix, in the order the summary names them.
_KINDS = ("seed", "model", "snapshot", "test", "unit_test")
_FAILED = {"error", "fail", "runtime error"}


def _kind(unique_id: str) -> str:
    return unique_id.split(".", 1)[0]


def planned_counts(manifest: dict[str, Any]) -> Counter:
    """What a full ``dbt build`` will run, by node kind."""
    counts: Counter = Counter()
    for node in manifest.get("nodes", {}).values():
        counts[node.get("resource_type")] += 1
    counts["unit_test"] = len(manifest.get("unit_tests", {}))
    return counts


def summarise(run_results: dict[str, Any]) -> tuple[str, list[str]]:
    """(one summary line, the failing nodes with dbt's message) from run_results.json."""
    by_kind: dict[str, Counter] = {}
    failures: list[str] = []
    for result in run_results.get("results", []):
        kind = _kind(result["unique_id"])
        status = str(result.get("status"))
        by_kind.setdefault(kind, Counter())[status] += 1
        if status in _FAILED:
            name = result["unique_id"].split(".", 2)[-1]
            message = (result.get("message") or "").strip().splitlines()
            failures.append(f"{kind} {name}: {message[0] if message else status}")
    parts = []
    for kind in _KINDS:
        counts = by_kind.get(kind)
        if counts:
            detail = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            parts.append(f"{sum(counts.values())} {kind}s ({detail})")
    return "dbt: " + ("; ".join(parts) or "nothing ran"), failures


# Tests on the source raw.events (unique/not_null event_id, …) become checks of the loader's
# asset raw/events, so the UI shows them where the data comes from.
translator = DagsterDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
)


# The report-day marts (tag report_day_partitioned, incremental) are their own partitioned
# asset (assets/report_days.py); everything else is built whole by this one.
REPORT_DAY_TAG = "tag:report_day_partitioned"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    name="dbt_models",
    exclude=REPORT_DAY_TAG,
    dagster_dbt_translator=translator,
)
def dbt_models(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    writer_lock: WriterLockResource,  # dbt must never overlap the loader or publish
) -> Iterator[Any]:
    yield from dbt_build(context, dbt, warehouse)


def dbt_build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    extra_args: list[str] | None = None,
) -> Iterator[Any]:
    """``dbt build`` of this step's selection; yields dagster-dbt's events, raises Failure
    (after the events) when a model or a blocking test failed."""
    home = warehouse.paths
    # Per-run artifacts and dbt.log under the install's data directory, not in the repo.
    runs_dir = home.dbt_dir / "target"
    step = context.op_execution_context.op.name
    suffix = "" if step == "dbt_models" else f"-{step}"
    target = runs_dir / f"run-{context.run.run_id[:8]}{suffix}"
    prune_old_runs(runs_dir)
    if extra_args is None:
        planned = planned_counts(_manifest())
        say(
            context,
            f"dbt build: {planned['model']} models, {planned['seed']} seeds, {planned['test']} "
            f"tests, {planned['unit_test']} unit tests…",
        )
    else:
        say(context, f"dbt build: {step} {' '.join(extra_args)}…")
    with warehouse.dbt_environment(), quiet_stdout(target / "console.log"):
        invocation = dbt.cli(
            ["build", *(extra_args or [])],
            context=context,
            target_path=target,
            raise_on_error=False,
        )
        try:
            for event in invocation.stream():
                report(context, event)
                yield event
        finally:
            # If this step stops early (an error while reading dbt's events, a cancel), dbt
            # must not keep the warehouse open while the run goes on or the lock is released.
            stop(invocation.process)
        ok = invocation.is_successful()
        try:
            run_results = invocation.get_artifact("run_results.json")
        except FileNotFoundError:
            run_results = {}
    line, failures = summarise(run_results)
    say(context, line)
    if ok and is_spark(dbt.target or dbt_target()):
        copy_from_spark(context, dbt.target or dbt_target(), warehouse)
    if not ok:
        error = invocation.get_error()
        detail = failures or [str(getattr(error, "description", error) or "see the dbt log")]
        raise Failure(
            description="dbt build failed:\n  "
            + "\n  ".join(detail[:10])
            + f"\n(dbt log: {target / 'dbt.log'})",
            metadata={
                "dbt_log": MetadataValue.path(str(target / "dbt.log")),
                "failures": MetadataValue.md("\n".join(f"- {f}" for f in failures) or "-"),
            },
        )


def copy_from_spark(
    context: AssetExecutionContext, target: str, warehouse: WarehouseResource
) -> None:
    """After a Spark build: its marts and seeds into the DuckDB warehouse (ccwh/spark_marts.py),
    so the checks, publish, exports and Superset read them as after a DuckDB build."""
    if target != "spark":
        raise Failure(
            description=f"dbt built on the cluster target {target!r}, but copying its marts "
            "into the DuckDB warehouse is only implemented for the in-process `spark` target "
            "(the cluster's tables are not on this machine). README 'Scaling out' says what "
            "runs on a cluster today."
        )
    from ccwh.spark_marts import copy_spark_marts

    with warehouse.connect() as con:
        summary = copy_spark_marts(warehouse.paths, con)
    say(context, summary.describe())


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def report(context: AssetExecutionContext, event: Any) -> None:
    """One progress line per model built and per test that did not pass."""
    if isinstance(event, Output | AssetMaterialization):
        key = (
            context.asset_key_for_output(event.output_name)
            if isinstance(event, Output)
            else (event.asset_key)
        )
        say(context, f"  built {key.to_user_string()}")
    elif isinstance(event, AssetCheckResult) and not event.passed:
        level = "warning" if event.severity == AssetCheckSeverity.WARN else "FAILED"
        say(context, f"  test {level}: {event.check_name}")


def prune_old_runs(runs_dir: Path, keep: int = 20) -> None:
    """Each run leaves its dbt artifacts (~MBs); keep the newest few for debugging."""
    if not runs_dir.is_dir():
        return
    runs = sorted(
        (p for p in runs_dir.iterdir() if p.is_dir() and p.name.startswith("run-")),
        key=lambda p: p.stat().st_mtime,
    )
    for old in runs[:-keep] if len(runs) > keep else []:
        shutil.rmtree(old, ignore_errors=True)


def _manifest() -> dict[str, Any]:
    import json

    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
