"""The report-run registry: SQLite in WAL mode at ``<home>/exports/registry.sqlite``.

SQLite rather than the warehouse because runs are written while the pipeline holds DuckDB's
single writer lock, and because Superset (and `sqlite3` on a shell) can read it directly while
runs write it: WAL lets readers and one writer proceed at once; writers queue on a busy
timeout. Timestamps are ISO-8601 UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``), which sorts and
which Superset parses as a datetime.

Tables:

* ``report_runs`` — one row per run: status waiting → processing → finished | failed.
* ``audit_log`` — who did what, when, on which tenant's data (seed 003's GDPR/LGPD audit):
  every request, start, finish, failure, delivery, download and file deletion.
* ``watermarks`` — per incremental key (tenant, report type, scope and filters): the
  cut-off of the last successful incremental run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

STATUSES = ("waiting", "processing", "finished", "failed")

SCHEMA = """
create table if not exists report_runs (
    id              integer primary key autoincrement,
    tenant          text not null,
    report_name     text not null,
    report_type     text not null,
    scope           text not null,
    status          text not null check (status in ('waiting','processing','finished','failed')),
    trigger         text not null,
    timeframe       text not null,
    requested_by    text not null,
    requested_at    text not null,
    started_at      text,
    finished_at     text,
    period_start    text,
    period_end      text,
    record_count    integer,
    portfolio       text,
    channel         text,
    event_type      text,
    file_path       text,
    file_bytes      integer,
    file_deleted_at text,
    delivery_results text,
    error           text
);
create index if not exists report_runs_tenant on report_runs (tenant, requested_at);
create index if not exists report_runs_status on report_runs (status);
create table if not exists audit_log (
    id      integer primary key autoincrement,
    at      text not null,
    actor   text not null,
    action  text not null,
    tenant  text not null,
    run_id  integer,
    detail  text
);
create index if not exists audit_log_tenant on audit_log (tenant, at);
create table if not exists watermarks (
    key         text primary key,
    tenant      text not null,
    report_type text not null,
    scope       text not null,
    cutoff      text not null,
    run_id      integer,
    updated_at  text not null
);
"""


def ts(t: datetime | None) -> str | None:
    """UTC text for the registry."""
    if t is None:
        return None
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def parse_ts(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass
class Run:
    id: int
    tenant: str
    report_name: str
    report_type: str
    scope: str
    status: str
    trigger: str
    timeframe: str
    requested_by: str
    requested_at: str
    started_at: str | None
    finished_at: str | None
    period_start: str | None
    period_end: str | None
    record_count: int | None
    portfolio: str | None
    channel: str | None
    event_type: str | None
    file_path: str | None
    file_bytes: int | None
    file_deleted_at: str | None
    delivery_results: str | None
    error: str | None

    @property
    def deliveries(self) -> list[dict]:
        return json.loads(self.delivery_results) if self.delivery_results else []


class Registry:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute("pragma journal_mode=wal")
            con.executescript(SCHEMA)

    @classmethod
    def for_home(cls, home) -> Registry:
        return cls(home.root / "exports" / "registry.sqlite")

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        con.execute("pragma busy_timeout = 60000")
        con.execute("pragma synchronous = normal")
        con.row_factory = sqlite3.Row
        return con

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            con.execute("begin immediate")
            yield con
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            con.close()

    # --- runs ---

    def create_run(
        self,
        *,
        tenant: str,
        report_name: str,
        report_type: str,
        scope: str,
        trigger: str,
        timeframe: str,
        requested_by: str,
        portfolio: str | None,
        channel: str | None,
        event_type: str | None,
        at: datetime | None = None,
    ) -> int:
        at = at or now_utc()
        with self.transaction() as con:
            cur = con.execute(
                "insert into report_runs (tenant, report_name, report_type, scope, status, trigger,"
                " timeframe, requested_by, requested_at, portfolio, channel, event_type)"
                " values (?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?)",
                (
                    tenant,
                    report_name,
                    report_type,
                    scope,
                    trigger,
                    timeframe,
                    requested_by,
                    ts(at),
                    portfolio,
                    channel,
                    event_type,
                ),
            )
            run_id = int(cur.lastrowid)
            self._audit(
                con,
                requested_by,
                "run_requested",
                tenant,
                run_id,
                {
                    "report": report_name,
                    "type": report_type,
                    "scope": scope,
                    "timeframe": timeframe,
                    "trigger": trigger,
                },
            )
        return run_id

    def mark_processing(self, run_id: int, actor: str, tenant: str) -> None:
        with self.transaction() as con:
            con.execute(
                "update report_runs set status = 'processing', started_at = ? where id = ?",
                (ts(now_utc()), run_id),
            )
            self._audit(con, actor, "run_started", tenant, run_id, None)

    def set_period(self, run_id: int, start: datetime | None, end: datetime) -> None:
        with self.transaction() as con:
            con.execute(
                "update report_runs set period_start = ?, period_end = ? where id = ?",
                (ts(start), ts(end), run_id),
            )

    def finish_run(
        self,
        run_id: int,
        *,
        actor: str,
        tenant: str,
        record_count: int,
        file_path: str | None,
        file_bytes: int | None,
        deliveries: list[dict],
        watermark: tuple[str, str, str, datetime] | None = None,
    ) -> None:
        """Mark finished and, for an incremental run, move its watermark — atomically, so a
        watermark never moves past data that was not delivered."""
        with self.transaction() as con:
            con.execute(
                "update report_runs set status = 'finished', finished_at = ?, record_count = ?,"
                " file_path = ?, file_bytes = ?, delivery_results = ?, error = null where id = ?",
                (
                    ts(now_utc()),
                    record_count,
                    file_path,
                    file_bytes,
                    json.dumps(deliveries),
                    run_id,
                ),
            )
            if watermark is not None:
                key, report_type, scope, cutoff = watermark
                con.execute(
                    "insert into watermarks"
                    " (key, tenant, report_type, scope, cutoff, run_id, updated_at)"
                    " values (?, ?, ?, ?, ?, ?, ?) on conflict (key) do update set"
                    " cutoff = excluded.cutoff, run_id = excluded.run_id,"
                    " updated_at = excluded.updated_at",
                    (key, tenant, report_type, scope, ts(cutoff), run_id, ts(now_utc())),
                )
            self._audit(
                con,
                actor,
                "run_finished",
                tenant,
                run_id,
                {"records": record_count, "file": file_path},
            )

    def fail_run(
        self,
        run_id: int,
        *,
        actor: str,
        tenant: str,
        error: str,
        record_count: int | None = None,
        file_path: str | None = None,
        deliveries: list[dict] | None = None,
    ) -> None:
        with self.transaction() as con:
            con.execute(
                "update report_runs set status = 'failed', finished_at = ?, error = ?,"
                " record_count = coalesce(?, record_count), file_path = coalesce(?, file_path),"
                " delivery_results = ?, started_at = coalesce(started_at, ?) where id = ?",
                (
                    ts(now_utc()),
                    error,
                    record_count,
                    file_path,
                    json.dumps(deliveries or []),
                    ts(now_utc()),
                    run_id,
                ),
            )
            self._audit(con, actor, "run_failed", tenant, run_id, {"error": error})

    def get(self, run_id: int) -> Run:
        con = self._connect()
        try:
            row = con.execute("select * from report_runs where id = ?", (run_id,)).fetchone()
        finally:
            con.close()
        if row is None:
            raise KeyError(f"no report run {run_id}")
        return Run(**dict(row))

    def runs(
        self, *, tenant: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[Run]:
        conds, params = [], []
        if tenant:
            conds.append("tenant = ?")
            params.append(tenant)
        if status:
            conds.append("status = ?")
            params.append(status)
        where = f"where {' and '.join(conds)}" if conds else ""
        con = self._connect()
        try:
            rows = con.execute(
                f"select * from report_runs {where} order by id desc limit ?", (*params, limit)
            ).fetchall()
        finally:
            con.close()
        return [Run(**dict(r)) for r in rows]

    def files_older_than(self, cutoff: datetime) -> list[Run]:
        con = self._connect()
        try:
            rows = con.execute(
                "select * from report_runs where file_path is not null and file_deleted_at is null"
                " and coalesce(finished_at, requested_at) < ? order by id",
                (ts(cutoff),),
            ).fetchall()
        finally:
            con.close()
        return [Run(**dict(r)) for r in rows]

    def mark_file_deleted(self, run_id: int, tenant: str, actor: str, file_path: str) -> None:
        with self.transaction() as con:
            con.execute(
                "update report_runs set file_deleted_at = ? where id = ?", (ts(now_utc()), run_id)
            )
            self._audit(con, actor, "file_deleted", tenant, run_id, {"file": file_path})

    # --- watermarks ---

    def watermark(self, key: str) -> datetime | None:
        con = self._connect()
        try:
            row = con.execute("select cutoff from watermarks where key = ?", (key,)).fetchone()
        finally:
            con.close()
        return parse_ts(row["cutoff"]) if row else None

    # --- audit ---

    def audit(
        self, actor: str, action: str, tenant: str, run_id: int | None, detail: dict | None
    ) -> None:
        with self.transaction() as con:
            self._audit(con, actor, action, tenant, run_id, detail)

    @staticmethod
    def _audit(con, actor, action, tenant, run_id, detail) -> None:
        con.execute(
            "insert into audit_log (at, actor, action, tenant, run_id, detail)"
            " values (?, ?, ?, ?, ?, ?)",
            (
                ts(now_utc()),
                actor,
                action,
                tenant,
                run_id,
                json.dumps(detail, default=str) if detail is not None else None,
            ),
        )

    def audit_entries(self, tenant: str | None = None, run_id: int | None = None) -> list[dict]:
        conds, params = [], []
        if tenant:
            conds.append("tenant = ?")
            params.append(tenant)
        if run_id is not None:
            conds.append("run_id = ?")
            params.append(run_id)
        where = f"where {' and '.join(conds)}" if conds else ""
        con = self._connect()
        try:
            rows = con.execute(f"select * from audit_log {where} order by id", params).fetchall()
        finally:
            con.close()
        return [dict(r) for r in rows]
