"""Per-tenant SQL Lab databases: one DuckDB file per tenant with only that tenant's rows.

Superset's row-level security filters charts and the chart-data API, not raw SQL Lab queries.
Tenant analysts therefore run SQL Lab against ``ccwh_tenant_<tenant>``, a DuckDB file under
``<home>/superset/tenants/`` that is derived from the published ``serve.duckdb`` after every
publish (sync.py): every table of schemas main and reference, filtered to
``tenant_id = <tenant>`` when it has a tenant_id column (tables without one — seeds such as the
completion-status ranks — are shared reference data and copied whole), plus the tenant's
``report_runs`` from the exports registry. Each file is built next to its target and swapped
in with ``os.replace``, like serve.duckdb itself, so a SQL Lab query never sees half a file.

Superset opens these files read-only with external access disabled and the configuration
locked (bundle.duckdb_uri), so a query cannot ATTACH or read any other file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

if __package__:
    from .bundle import registry_path, serving_path, tenant_file
else:
    from bundle import registry_path, serving_path, tenant_file

SCHEMAS = ("main", "reference")
INTEGER_COLUMNS = ("id", "record_count", "file_bytes")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tenants_in_warehouse(home: Path) -> list[str]:
    """Tenants with data in the published warehouse (the ``tenants`` mart, else every distinct
    tenant_id of the marts) and in the report-run registry."""
    import duckdb

    found: set[str] = set()
    serving = serving_path(home)
    if serving.exists():
        con = duckdb.connect(str(serving), read_only=True)
        try:
            tables = con.execute(
                "SELECT DISTINCT table_name FROM duckdb_columns() WHERE database_name = "
                "current_database() AND schema_name = 'main' AND column_name = 'tenant_id'"
            ).fetchall()
            names = [t for (t,) in tables]
            if "tenants" in names:
                names = ["tenants"]
            for t in names:
                for (tenant,) in con.execute(
                    f"SELECT DISTINCT tenant_id FROM main.{_ident(t)} WHERE tenant_id IS NOT NULL"
                ).fetchall():
                    found.add(str(tenant))
        finally:
            con.close()
    registry = registry_path(home)
    if registry.exists():
        rcon = sqlite3.connect(f"file:{registry}?mode=ro", uri=True)
        try:
            found.update(r[0] for r in rcon.execute("select distinct tenant from report_runs"))
        except sqlite3.Error:
            pass
        finally:
            rcon.close()
    return sorted(found)


def build_tenant_file(home: Path, tenant: str) -> dict[str, int]:
    """(Re)build one tenant's file; returns table -> rows."""
    import duckdb

    target = tenant_file(home, tenant)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".next")
    for p in (staging, staging.with_name(staging.name + ".wal")):
        p.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(staging))
    try:
        serving = serving_path(home)
        if serving.exists():
            con.execute(f"ATTACH '{str(serving).replace(chr(39), chr(39) * 2)}' AS src (READ_ONLY)")
            cols = con.execute(
                "SELECT schema_name, table_name, list(column_name) FROM duckdb_columns() "
                "WHERE database_name = 'src' GROUP BY ALL ORDER BY ALL"
            ).fetchall()
            for schema, table, columns in cols:
                if schema not in SCHEMAS:
                    continue
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)}")
                source = f"src.{_ident(schema)}.{_ident(table)}"
                where = " WHERE tenant_id = $t" if "tenant_id" in columns else ""
                dest = f"{_ident(schema)}.{_ident(table)}"
                con.execute(
                    f"CREATE TABLE {dest} AS SELECT * FROM {source}{where}",
                    {"t": tenant} if where else None,
                )
                counts[f"{schema}.{table}"] = con.execute(
                    f"SELECT count(*) FROM {_ident(schema)}.{_ident(table)}"
                ).fetchone()[0]
            con.execute("DETACH src")
        registry = registry_path(home)
        if registry.exists():
            rcon = sqlite3.connect(f"file:{registry}?mode=ro", uri=True)
            try:
                cur = rcon.execute("select * from report_runs where tenant = ?", (tenant,))
                names = [d[0] for d in cur.description]
                rows = cur.fetchall()
            except sqlite3.Error:
                names, rows = [], []
            finally:
                rcon.close()
            if names:
                con.execute(
                    "CREATE TABLE main.report_runs ("
                    + ", ".join(
                        f"{_ident(n)} {'BIGINT' if n in INTEGER_COLUMNS else 'VARCHAR'}"
                        for n in names
                    )
                    + ")"
                )
                if rows:
                    con.executemany(
                        f"INSERT INTO main.report_runs VALUES ({', '.join('?' * len(names))})",
                        [tuple(r) for r in rows],
                    )
                counts["main.report_runs"] = len(rows)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    fd = os.open(staging, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(staging, target)
    return counts


def build_all(home: Path, tenants: list[str] | None = None) -> dict[str, dict]:
    started = time.monotonic()
    tenants = tenants if tenants is not None else tenants_in_warehouse(home)
    out = {t: build_tenant_file(home, t) for t in tenants}
    return {"tenants": out, "seconds": round(time.monotonic() - started, 3)}
