"""``ccwh build``: run the pipeline once, in this process, through Dagster."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from ccwh.paths import HOME_ENV, Home

HELP = "run the pipeline once: load ready segments → dbt build (+ tests) → publish"
DESCRIPTION = """\
Run the Dagster job `pipeline` once, in this process:

  1. load   landing/ready/*.ndjson → raw.events (exactly once per event_id)
  2. dbt    dbt build: seeds, models and their tests (tests are Dagster asset checks)
  3. publish  copy the marts and seeds to warehouse/serve.duckdb, which readers open

If a step fails (e.g. a dbt test), nothing is published: readers keep the last good copy.
The run is recorded in <home>/dagster (DAGSTER_HOME), so `dagster dev` shows it; each run's
dbt artifacts and dbt.log are in <home>/dbt/target/.

--prepare-only just writes the dbt manifest (`dbt parse`) that Dagster loads the dbt
assets from; it needs no warehouse and is run at install.
"""

DAGSTER_YAML = """\
# Written by `ccwh build` (orchestration/build.py). Your edits are kept; delete the file to
# get the default back.
telemetry:
  enabled: false
concurrency:
  runs:
    # One pipeline run at a time: runs of the job `pipeline` carry this tag (jobs.py).
    tag_concurrency_limits:
      - key: "ccwh/warehouse"
        limit: 1
"""

STEP_NAMES = {
    "raw__events": "load",
    "dbt_models": "dbt build",
    "report_day_marts": "dbt build",
    "serving__warehouse": "publish",
    "serving__superset": "superset sync",
}

HINTS = {
    "load": "the loader could not read landing/ready or write raw.events; fix the cause "
    "named above and rerun `ccwh build` (loading is exactly-once, a rerun is safe).",
    "dbt build": "a dbt model or test failed; nothing was published, readers keep the last "
    "good copy. Fix the model or the data it names, then rerun `ccwh build`.",
    "publish": "serve.duckdb still holds the previous copy; fix the cause above and rerun "
    "`ccwh build`.",
    "superset sync": "the warehouse was built and published (readers and exports have the "
    "new data); only Superset was not synced. Start it (`make superset`) and re-run the "
    "`superset_sync` job, or rerun `ccwh build`.",
    "run": "the run could not start its steps; fix the cause above (CCWH_HOME, the dbt "
    "manifest: `ccwh build --prepare-only`) and rerun `ccwh build`.",
    "check": "a blocking check failed, so the steps after it did not run; see its "
    "description above, fix the data, rerun `ccwh build`.",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="only write the dbt manifest (dbt parse); no warehouse needed",
    )
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default=None,
        help="the engine dbt builds with: duckdb (default) or spark (in-process pyspark, "
        "needs `make install-spark`); default $CCWH_DBT_TARGET or duckdb. README 'Scaling out'",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="also print Dagster's own log lines (they are always kept in <home>/dagster)",
    )


TARGETS = ("duckdb", "spark", "spark_thrift", "spark_http")


def spark_missing() -> str | None:
    """Why the Spark target cannot run here, or None."""
    import shutil

    missing = [m for m in ("pyspark", "dbt.adapters.spark") if _not_installed(m)]
    if missing:
        return (
            f"the Spark target needs the optional extra [spark] ({', '.join(missing)} not "
            "installed): run `make install-spark` (or `pip install -e '.[spark]'`)"
        )
    if not shutil.which("java"):
        return "the Spark target needs Java 17: `apt-get install openjdk-17-jre-headless`"
    return None


def _not_installed(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


def write_dagster_yaml(home: Home) -> Path:
    """DAGSTER_HOME's dagster.yaml (telemetry off, one run at a time), unless one exists."""
    home.dagster_home.mkdir(parents=True, exist_ok=True)
    path = home.dagster_home / "dagster.yaml"
    if not path.exists():
        path.write_text(DAGSTER_YAML, encoding="utf-8")
    return path


def _quiet_console() -> None:
    """Keep Dagster's and dbt's own chatter off the console; the progress lines stay."""
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    # Python prints records of loggers without handlers to stderr ("last resort"). A
    # NullHandler stops that; during a run Dagster still captures these loggers into the
    # run's event log, which is kept in <home>/dagster. (Levels cannot be used: dagster
    # resets its base logger to DEBUG.)
    for name in ("dagster", "dagster_dbt", "alembic", "dbt"):
        logging.getLogger(name).addHandler(logging.NullHandler())


def run(args: argparse.Namespace) -> int:
    home: Home = args.home
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    if not args.verbose:
        _quiet_console()

    from orchestration.dbt_project import dbt_project, manifest_is_stale, prepare
    from orchestration.resources import WAREHOUSE_ENV

    # dbt keys its partial-parse cache on the rendered profile: parse with the same warehouse
    # path the runs use, or every run re-parses the whole project.
    os.environ[WAREHOUSE_ENV] = str(home.warehouse)
    if args.prepare_only:
        print("dbt parse: writing the manifest…", flush=True)
        if not _prepare(prepare, verbose=args.verbose):
            return 1
        print(f"wrote {dbt_project.manifest_path}")
        return 0

    from ccwh.spark_marts import TARGET_ENV, dbt_target, is_spark

    if getattr(args, "target", None):  # callers building their own Namespace may omit it
        os.environ[TARGET_ENV] = args.target
    target = dbt_target()
    if target == "spark" and (why := spark_missing()):
        print(f"ccwh build: {why}", file=sys.stderr)
        return 2
    if is_spark(target):
        print(f"ccwh build: dbt target {target} (the marts are built by Spark)", flush=True)

    home.ensure()
    write_dagster_yaml(home)
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    os.environ[HOME_ENV] = str(home.root)
    if manifest_is_stale():
        print("dbt parse: writing the manifest for this data directory…", flush=True)
        if not _prepare(prepare, verbose=args.verbose):
            return 1
    return run_pipeline(home, verbose=args.verbose)


def _prepare(prepare: Any, *, verbose: bool = False) -> bool:
    """Run ``dbt parse``; on failure print dbt's own error lines and a hint, return False."""
    import contextlib
    import io

    from dagster_dbt.errors import DagsterDbtCliRuntimeError

    # dagster-dbt echoes every dbt log line to stdout; the errors are repeated below.
    echo = contextlib.nullcontext() if verbose else contextlib.redirect_stdout(io.StringIO())
    try:
        with echo:
            prepare()
    except DagsterDbtCliRuntimeError as exc:
        text = str(getattr(exc, "description", None) or exc)
        errors = text.split("Errors parsed from dbt logs:", 1)[-1].strip()
        print(f"ccwh build: dbt parse failed (step: prepare)\n{_indent(errors)}", file=sys.stderr)
        print(
            "\nwhat to do: fix the dbt project file named above (dbt_project/), then rerun; "
            "`.venv/bin/dbt parse --project-dir dbt_project --profiles-dir dbt_project` "
            "shows the same error.",
            file=sys.stderr,
        )
        return False
    return True


def run_pipeline(home: Home, *, verbose: bool = False) -> int:
    """Execute the job in-process; print progress, a summary, or the failing step and why."""
    from dagster import DagsterInstance

    from orchestration.assets.report_days import INCLUDE_LATE_TAG
    from orchestration.definitions import defs
    from orchestration.progress import PROGRESS_ENV

    os.environ[PROGRESS_ENV] = "1"
    job = defs.resolve_job_def("pipeline")
    started = time.monotonic()
    print(f"ccwh build: {home.root}", flush=True)
    run_config: dict[str, Any] = {}
    if not verbose:
        run_config = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    with DagsterInstance.get() as instance:
        # ccwh build leaves every mart complete: late report days too (restatements recorded).
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=run_config,
            tags={INCLUDE_LATE_TAG: "true"},
        )
    seconds = time.monotonic() - started
    checks = result.get_asset_check_evaluations()
    failed_checks = [c for c in checks if not c.passed]
    skipped = [e.step_key for e in result.all_events if e.event_type_value == "STEP_SKIPPED"]
    if result.success and skipped:
        # Dagster skips a step whose upstream did not produce an output: not a success.
        names = ", ".join(f"{STEP_NAMES.get(k, k)} ({k})" for k in skipped)
        print(
            f"ccwh build: INCOMPLETE after {seconds:.1f} s (run {result.run_id}): steps "
            f"skipped: {names}. An earlier step did not report all of its outputs (e.g. dbt "
            f"log lines it could not read); nothing after it ran, readers keep the last "
            f"published copy. See the run in {home.dagster_home} (`dagster dev`), fix, rerun.",
            file=sys.stderr,
        )
        return 1
    if result.success:
        warned = len(failed_checks)
        print(
            f"ccwh build: done in {seconds:.1f} s — {len(checks)} checks ran"
            + (f", {warned} warned (non-blocking)" if warned else ", all passed")
            + f"; run {result.run_id[:8]} (full log in {home.dagster_home})"
        )
        return 0
    print(f"ccwh build: FAILED after {seconds:.1f} s (run {result.run_id})", file=sys.stderr)
    for step, message in step_failures(result):
        label = STEP_NAMES.get(step, step)
        # The load step runs raw.events' checks itself; its failure may be one of them.
        kind = "check" if message.startswith("check ") or label not in HINTS else label
        print(f"\nstep failed: {label} ({step})", file=sys.stderr)
        print(_indent(message), file=sys.stderr)
        print(f"\nwhat to do: {HINTS.get(kind, HINTS['check'])}", file=sys.stderr)
    for check in failed_checks:
        if check.severity.value == "ERROR":
            print(
                f"failed check: {check.asset_key.to_user_string()} {check.check_name}",
                file=sys.stderr,
            )
    print(
        f"\nfull logs: Dagster run {result.run_id} in {home.dagster_home} (`dagster dev` shows "
        f"it); dbt logs in {home.dbt_dir / 'target'}",
        file=sys.stderr,
    )
    return 1


def _error_text(error: Any) -> str:
    # Dagster wraps the user's exception; the cause holds what actually went wrong.
    while error.cause is not None and (error.cls_name or "").startswith("Dagster"):
        error = error.cause
    message = error.message.strip()
    return message if message.startswith(error.cls_name or "") else f"{error.cls_name}: {message}"


def step_failures(result: Any) -> list[tuple[str, str]]:
    """(step key, first lines of the error) for each failed step, user message first.

    A failure outside any step (e.g. a resource that could not start) is reported as step
    "run".
    """
    failures = []
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            user = getattr(data, "user_failure_data", None)
            if user is not None and user.description:
                text = user.description
            else:
                text = _error_text(data.error)
            step = event.step_key or "?"
        elif event.event_type_value in ("RUN_FAILURE", "RESOURCE_INIT_FAILURE") and getattr(
            event.event_specific_data, "error", None
        ):
            text = f"{event.message}\n{_error_text(event.event_specific_data.error)}"
            step = "run"
        else:
            continue
        lines = text.strip().splitlines()
        failures.append((step, "\n".join(lines[:15])))
    return failures


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
