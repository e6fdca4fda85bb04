"""Run one report definition: waiting → processing → finished | failed.

1. The run is registered as *waiting* (with who asked, when, and the definition's portfolio,
   channel and event type) and audited.
2. It waits for its portfolio's lock — runs of the same portfolio run one after another
   (seed 003's processing queue); runs without a portfolio share the tenant's "no portfolio"
   queue. Incremental runs also take their watermark's lock. Then it is *processing*.
3. The period is resolved *after* the wait. An incremental run covers, by completion time,
   since the last incremental run of the same report type and scope (or the last 15 hours)
   up to its cut-off: the moment the data is read, capped at what the published copy holds —
   its newest load (``main.ccwh_publication``) less ``LANDING_ALLOWANCE`` — so an attempt
   that completed but was not published yet goes to the next run instead of being skipped.
4. The published warehouse ``serve.duckdb`` is opened read-only; limits are checked (refused,
   never truncated); the rows are written by DuckDB's COPY (into a zip archive as they are
   written, if ``zip``); an empty report with ``skip_if_empty`` is not generated or delivered.
5. PGP, then every delivery target (retried with back-off).
6. *finished* (and, for an incremental run, its watermark moves to the cut-off in the same
   transaction) — or *failed* with the reason, the watermark unmoved, and an alert.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ccwh.publish import PUBLICATION_VIEW
from exports import catalogue, delivery, naming, package, render, timeframes
from exports.definitions import ReportDefinition, TenantReports, find, load_tenant
from exports.registry import Registry
from exports.timeframes import Period, Timeframe

log = logging.getLogger(__name__)
RETENTION_DAYS = 30
# How long before a load an attempt may complete and still miss it: its event is on the way
# from the platform (network, retries) or in the receiver's open landing segment (closed
# after 5 s). Incremental cut-offs stay this far behind the published copy's newest load.
LANDING_ALLOWANCE = timedelta(minutes=2)


@dataclass
class RunResult:
    run_id: int
    status: str  # finished | failed
    record_count: int | None = None
    file: Path | None = None
    period: Period | None = None
    deliveries: list[dict] = field(default_factory=list)
    error: str | None = None
    skipped: bool = False


class RunError(RuntimeError):
    pass


def exports_dir(home) -> Path:
    return home.root / "exports"


def files_dir(home) -> Path:
    return exports_dir(home) / "files"


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive flock held for the block (released if the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _slug(text: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[:60]
    return f"{safe}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def portfolio_lock_path(home, tenant: str, portfolio: str | None) -> Path:
    return (
        exports_dir(home)
        / "locks"
        / f"portfolio-{_slug(tenant + '|' + (portfolio or '(none)'))}.lock"
    )


def scope_label(d: ReportDefinition) -> str:
    return "tenant" if d.scope == "tenant" else f"{d.scope}={d.scope_value}"


def watermark_key(d: ReportDefinition) -> str:
    """Incremental runs share a watermark per tenant, report type and scope (filters included:
    they change which rows a run covers)."""
    filters = ",".join(f"{k}={v}" for k, v in sorted(d.filters.items()))
    return f"{d.tenant}|{d.type}|{scope_label(d)}|{filters}"


def timeframe_label(tf: Timeframe) -> str:
    if tf.kind == "explicit":
        return f"explicit {tf.start} – {tf.end} {tf.time_zone or ''}".strip()
    return tf.kind


def tenant_zone(con, tenant: str, configured: str | None) -> str:
    """The tenant's reports time zone: the definitions file, else the ``tenants`` mart, else UTC."""
    if configured:
        return configured
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'tenants'"
    ).fetchall()[0][0]
    if exists:
        row = con.execute(
            "select reports_time_zone from tenants where tenant_id = ?", [tenant]
        ).fetchall()
        if row and row[0][0]:
            return str(row[0][0])
    return "UTC"


def published_as_of(con, db: Path) -> datetime:
    """Until when the published copy holds the data: its newest load, else its publish time
    (``main.ccwh_publication``); a copy published without that view: the file's mtime."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'main' "
        "and table_name = ?",
        [PUBLICATION_VIEW],
    ).fetchall()[0][0]
    if exists:
        published_at, last_load_at = con.execute(
            f"select published_at, last_load_at from main.{PUBLICATION_VIEW}"
        ).fetchall()[0]
        as_of = min(t for t in (published_at, last_load_at) if t is not None)
        return as_of.replace(tzinfo=UTC)
    return datetime.fromtimestamp(db.stat().st_mtime, UTC)


def _check_mart(con, report: catalogue.ReportType, needed: set[str], db: Path) -> None:
    rows = con.execute(
        "select column_name from information_schema.columns where table_name = ?", [report.mart]
    ).fetchall()
    if not rows:
        raise RunError(
            f"the published warehouse {db} has no mart {report.mart!r} (needed by report type "
            f"{report.key}); run `ccwh build` so the marts are built and published"
        )
    missing = sorted(needed - {r[0] for r in rows})
    if missing:
        raise RunError(
            f"mart {report.mart!r} lacks columns {', '.join(missing)} that report type "
            f"{report.key} needs; adjust exports/catalogue.py to the mart's columns"
        )


def run_report(
    home,
    definition: ReportDefinition,
    *,
    timeframe: Timeframe | None = None,
    user: str | None = None,
    trigger: str = "manual",
    now: datetime | None = None,
    account_name: str | None = None,
    time_zone: str | None = None,
    secrets: delivery.Secrets | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_processing: Callable[[int], None] | None = None,
) -> RunResult:
    """Run ``definition`` once. ``timeframe`` overrides the definition's; ``now`` (tests) fixes
    the clock; ``user`` is the requesting user (default: the definition's requested_by)."""
    registry = Registry.for_home(home)
    secrets = secrets or delivery.Secrets(home)
    d = definition if timeframe is None else replace(definition, timeframe=timeframe)
    actor = user or d.requested_by
    run_id = registry.create_run(
        tenant=d.tenant,
        report_name=d.name,
        report_type=d.type,
        scope=scope_label(d),
        trigger=trigger,
        timeframe=timeframe_label(d.timeframe),
        requested_by=actor,
        portfolio=d.portfolio,
        channel=d.filters.get("channel"),
        event_type=d.filters.get("event_type"),
    )
    incremental = d.timeframe.kind == "incremental"
    try:
        with file_lock(portfolio_lock_path(home, d.tenant, d.portfolio)):
            wm_lock = (
                file_lock(exports_dir(home) / "locks" / f"watermark-{_slug(watermark_key(d))}.lock")
                if incremental
                else _no_lock()
            )
            with wm_lock:
                registry.mark_processing(run_id, actor, d.tenant)
                if on_processing:
                    on_processing(run_id)
                return _process(
                    home,
                    registry,
                    d,
                    run_id,
                    actor,
                    incremental,
                    now=now,
                    account_name=account_name,
                    time_zone=time_zone,
                    secrets=secrets,
                    sleep=sleep,
                )
    except Exception as e:  # noqa: BLE001 — every failure ends as a failed run with its reason
        error = secrets.scrub(
            f"{e}"
            if isinstance(e, RunError | catalogue.LimitExceeded)
            else f"{type(e).__name__}: {e}"
        )
        log.error("report run %d (%s/%s) failed: %s", run_id, d.tenant, d.name, error)
        registry.fail_run(run_id, actor=actor, tenant=d.tenant, error=error)
        send_alert(home, d, run_id, error, secrets, registry)
        return RunResult(run_id, "failed", error=error)


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


def _process(
    home, registry, d, run_id, actor, incremental, *, now, account_name, time_zone, secrets, sleep
) -> RunResult:
    import duckdb

    report = catalogue.get(d.type)
    db = home.serving
    if not db.exists():
        raise RunError(f"no published warehouse at {db}; run `ccwh build` first")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    columns = [c for c, _ in d.output.columns] if d.output else None
    wkey = watermark_key(d)
    con = duckdb.connect(str(db), read_only=True)
    try:
        zone = tenant_zone(con, d.tenant, time_zone)
        data_until = None
        if incremental:
            data_until = published_as_of(con, db) - LANDING_ALLOWANCE
            if data_until < now:
                log.info(
                    "report run %d: incremental cut-off capped at %s (the published copy's "
                    "data less %s), not now (%s)",
                    run_id,
                    data_until.isoformat(),
                    LANDING_ALLOWANCE,
                    now.isoformat(),
                )
        period = timeframes.resolve(
            d.timeframe,
            now,
            zone,
            report.day_rule,
            watermark=registry.watermark(wkey) if incremental else None,
            data_until=data_until,
        )
        registry.set_period(run_id, period.start, period.end)
        catalogue.check_limits_period(report, period)
        needed = catalogue.required_columns(report, columns, d.scope, d.filters, incremental)
        _check_mart(con, report, needed, db)
        query = catalogue.build_query(
            report,
            d.tenant,
            d.scope,
            d.scope_value,
            period,
            incremental=incremental,
            filters=d.filters,
            columns=columns,
            zone_name=zone,
        )
        if report.limits.max_records is not None:
            count = con.execute(f"select count(*) from ({query.sql})", query.params).fetchall()[0][
                0
            ]
            catalogue.check_limits_count(report, int(count))
        run_dir = files_dir(home) / _slug(d.tenant) / str(run_id)
        run_dir.mkdir(parents=True, exist_ok=True)
        ctx = naming.NameContext(
            report=report.title,
            account=account_name or d.tenant,
            account_uid=d.tenant,
            report_id=str(run_id),
            date=now,
            start=period.start or _first_time(con, query, report),
            end=period.end,
            zone=zone,
            campaign=(d.scope_name or d.scope_value or "") if d.scope == "campaign" else "",
            subcampaign=(d.scope_name or d.scope_value or "") if d.scope == "sub_campaign" else "",
            group=(d.scope_name or d.scope_value or "")
            if d.scope in ("agent_group", "list", "portfolio")
            else "",
        )
        name = naming.render_name(
            d.file_name, ctx, catalogue.SCOPE_NAME_FIELD[d.scope], txt=d.output is not None
        )
        if d.zip:
            path = run_dir / f"{name}.zip"
            records = render.render_zipped(con, query, path, name, d.output)
        else:
            path = run_dir / name
            records = render.render(con, query, path, d.output)
    finally:
        con.close()

    cutoff = (wkey, d.type, scope_label(d), period.end) if incremental else None
    if records == 0 and d.skip_if_empty:
        path.unlink(missing_ok=True)
        _rmdir_quiet(run_dir)
        skipped = [{"skipped": "the report is empty and skip_if_empty is set: not generated"}]
        registry.finish_run(
            run_id,
            actor=actor,
            tenant=d.tenant,
            record_count=0,
            file_path=None,
            file_bytes=None,
            deliveries=skipped,
            watermark=cutoff,
        )
        return RunResult(run_id, "finished", 0, None, period, skipped, skipped=True)

    if d.pgp_public_key:
        path = package.encrypt(path, d.pgp_public_key)
    size = path.stat().st_size

    results = []
    for target in d.deliver:
        outcome = delivery.deliver(
            target,
            path,
            secrets,
            d.retries,
            ctx={"report": f"{d.name} ({d.tenant})"},
            sleep=sleep,
        )
        results.append(outcome.as_dict())
        registry.audit(
            actor,
            "delivered" if outcome.ok else "delivery_failed",
            d.tenant,
            run_id,
            outcome.as_dict(),
        )
    failed = [r for r in results if not r["ok"]]
    if failed:
        error = "delivery failed: " + "; ".join(f"{r['target']}: {r['error']}" for r in failed)
        registry.fail_run(
            run_id,
            actor=actor,
            tenant=d.tenant,
            error=error,
            record_count=records,
            file_path=str(path),
            deliveries=results,
        )
        send_alert(home, d, run_id, error, secrets, registry)
        return RunResult(run_id, "failed", records, path, period, results, error)
    registry.finish_run(
        run_id,
        actor=actor,
        tenant=d.tenant,
        record_count=records,
        file_path=str(path),
        file_bytes=size,
        deliveries=results,
        watermark=cutoff,
    )
    return RunResult(run_id, "finished", records, path, period, results)


def _first_time(con, query, report) -> datetime | None:
    """For an entire-campaign run, <START> is the earliest record's time."""
    col = report.date_column
    if col not in report.column_names:
        return None
    row = con.execute(f'select min("{col}") from ({query.sql})', query.params).fetchall()
    value = row[0][0] if row else None
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _rmdir_quiet(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def send_alert(home, d: ReportDefinition, run_id: int, error: str, secrets, registry) -> None:
    """Tell someone a run failed: webhook (POST JSON) and/or e-mail. Never raises."""
    alerts = d.alerts
    if not alerts.webhook and not alerts.email:
        return
    payload = {
        "event": "report_run_failed",
        "tenant": d.tenant,
        "report": d.name,
        "report_type": d.type,
        "run_id": run_id,
        "error": error,
        "at": datetime.now(UTC).isoformat(),
    }
    if alerts.webhook:
        try:
            import requests

            r = requests.post(alerts.webhook, json=payload, timeout=15)
            r.raise_for_status()
            registry.audit("ccwh", "alert_sent", d.tenant, run_id, {"webhook": alerts.webhook})
        except Exception as e:  # noqa: BLE001
            registry.audit(
                "ccwh",
                "alert_failed",
                d.tenant,
                run_id,
                {"webhook": alerts.webhook, "error": secrets.scrub(str(e))},
            )
    if alerts.email and alerts.smtp:
        try:
            delivery.send_mail(
                alerts.smtp,
                alerts.email,
                f"[ccwh] report {d.name} ({d.tenant}) failed",
                f"Report run {run_id} of {d.name} for tenant {d.tenant} failed:\n\n{error}\n",
                secrets,
            )
            registry.audit("ccwh", "alert_sent", d.tenant, run_id, {"email": list(alerts.email)})
        except Exception as e:  # noqa: BLE001
            registry.audit(
                "ccwh",
                "alert_failed",
                d.tenant,
                run_id,
                {"email": list(alerts.email), "error": secrets.scrub(str(e))},
            )


def run_named(home, name: str, tenant: str | None = None, **kwargs) -> RunResult:
    """Run the definition called ``name`` (see run_report for the keyword arguments)."""
    d = find(home, name, tenant)
    t: TenantReports = load_tenant(home, d.tenant)
    kwargs.setdefault("account_name", t.account_name)
    kwargs.setdefault("time_zone", t.time_zone)
    return run_report(home, d, **kwargs)


def apply_retention(
    home, days: int = RETENTION_DAYS, now: datetime | None = None, actor: str = "retention"
) -> list[int]:
    """Delete generated files older than ``days``; registry rows stay, with file_deleted_at."""
    registry = Registry.for_home(home)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    deleted = []
    for run in registry.files_older_than(cutoff):
        path = Path(run.file_path)  # type: ignore[arg-type]
        path.unlink(missing_ok=True)
        _rmdir_quiet(path.parent)
        registry.mark_file_deleted(run.id, run.tenant, actor, str(path))
        deleted.append(run.id)
    return deleted


def fetch_file(home, run_id: int, dest: Path, user: str) -> Path:
    """Copy a run's file to ``dest`` (a folder or file name); audited as a download."""
    registry = Registry.for_home(home)
    run = registry.get(run_id)
    if not run.file_path or run.file_deleted_at:
        why = "was deleted by retention" if run.file_deleted_at else "has no file"
        raise RunError(f"report run {run_id} {why}")
    src = Path(run.file_path)
    target = dest / src.name if dest.is_dir() else dest
    shutil.copyfile(src, target)
    registry.audit(user, "downloaded", run.tenant, run_id, {"file": str(src), "to": str(target)})
    return target
