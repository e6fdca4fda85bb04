"""Restatements: what a rebuild of report days changed in the incremental marts.

Before the dbt step rebuilds report days that were built before, the rows of those days of
each incremental mart are copied to ``audit._before_<mart>``; after dbt, they are compared
with the rebuilt rows on the mart's key (``meta.restatement_key`` in the model's config, plus
report_day) and one row per (mart, tenant, report day) goes to ``audit.restatements``:

    run_id, built_at, mart, tenant_id, report_day, status ('changed' | 'no change'),
    rows_before, rows_after, rows_added, rows_removed, rows_changed, changes (JSON)

``changes`` is a JSON list, at most ``MAX_CHANGES`` entries (the counts are always complete):
``{"change": "added"|"removed"|"changed", "key": {column: value, ...},
"columns": {column: [old, new], ...}}`` — ``columns`` only for changed rows and only the
columns whose value differs. A rebuild that changes nothing still writes its rows, with
status 'no change' (tenant_id is null when the day has no rows at all): no restatement is
silent.

The pending report days come from ``raw.loaded_days`` (written by the loader): a day is
*late* when the loader found it already built and older than the tenant's newest built day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

SCHEMA = "audit"
MAX_CHANGES = 100

RESTATEMENTS_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.restatements (
    run_id       VARCHAR NOT NULL,
    built_at     TIMESTAMP NOT NULL,
    mart         VARCHAR NOT NULL,
    tenant_id    VARCHAR,
    report_day   DATE NOT NULL,
    status       VARCHAR NOT NULL,
    rows_before  BIGINT NOT NULL,
    rows_after   BIGINT NOT NULL,
    rows_added   BIGINT NOT NULL,
    rows_removed BIGINT NOT NULL,
    rows_changed BIGINT NOT NULL,
    changes      JSON
);
"""


@dataclass
class Restatement:
    mart: str
    tenant_id: str | None
    report_day: date
    rows_before: int
    rows_after: int
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[dict[str, Any]]

    @property
    def status(self) -> str:
        return "changed" if self.added or self.removed or self.changed else "no change"

    def changes(self) -> list[dict[str, Any]]:
        out = [{"change": "added", "key": k} for k in self.added]
        out += [{"change": "removed", "key": k} for k in self.removed]
        out += [{"change": "changed", **c} for c in self.changed]
        return out[:MAX_CHANGES]

    def describe(self) -> str:
        head = f"{self.mart} {self.tenant_id or '-'} {self.report_day.isoformat()}"
        if self.status == "no change":
            return f"{head}: no change ({self.rows_after} rows)"
        parts = []
        for c in self.changed[:3]:
            key = ",".join(str(v) for v in c["key"].values())
            cols = ", ".join(f"{n} {o}→{v}" for n, (o, v) in list(c["columns"].items())[:4])
            parts.append(f"[{key}] {cols}")
        return f"{head}: +{len(self.added)} -{len(self.removed)} ~{len(self.changed)} rows" + (
            f"; {'; '.join(parts)}" if parts else ""
        )


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = $s AND table_name = $t",
            {"s": schema, "t": table},
        ).fetchone()[0]
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _differs(column: str, data_type: str) -> str:
    """SQL: the column's value before (b) and after (a) differ. Doubles within a relative
    1e-9 are equal: a parallel sum may add in another order from one build to the next."""
    b, a = f"b.{_q(column)}", f"a.{_q(column)}"
    if data_type in ("DOUBLE", "FLOAT"):
        return (
            f"({b} IS DISTINCT FROM {a} AND NOT coalesce("
            f"abs({b} - {a}) <= 1e-9 * greatest(1, abs({b})), false))"
        )
    return f"({b} IS DISTINCT FROM {a})"


def pending_days(con: duckdb.DuckDBPyConnection) -> tuple[list[date], list[date]]:
    """(new days, late days) of raw.loaded_days not built yet; a day with any late pair is
    late (its rebuild is a restatement), the others are new."""
    if not _exists(con, "raw", "loaded_days"):
        return [], []
    rows = con.execute(
        "SELECT report_day, bool_or(late) FROM raw.loaded_days WHERE built_at IS NULL "
        "GROUP BY report_day ORDER BY report_day"
    ).fetchall()
    return [d for d, late in rows if not late], [d for d, late in rows if late]


def mark_built(con: duckdb.DuckDBPyConnection, days: list[date], at: datetime) -> None:
    if days and _exists(con, "raw", "loaded_days"):
        con.execute(
            "UPDATE raw.loaded_days SET built_at = $at "
            "WHERE built_at IS NULL AND report_day IN (SELECT unnest($days))",
            {"at": at, "days": days},
        )


def snapshot(con: duckdb.DuckDBPyConnection, marts: list[str], days: list[date]) -> list[str]:
    """Copy the rows of ``days`` of each existing mart to audit._before_<mart>; return the
    marts copied (a mart built for the first time has nothing to restate)."""
    con.execute(RESTATEMENTS_DDL)
    copied = []
    for mart in marts:
        before = f"{SCHEMA}.{_q('_before_' + mart)}"
        con.execute(f"DROP TABLE IF EXISTS {before}")
        if not _exists(con, "main", mart):
            continue
        con.execute(
            f"CREATE TABLE {before} AS SELECT * FROM main.{_q(mart)} "
            "WHERE report_day IN (SELECT unnest($days))",
            {"days": days},
        )
        copied.append(mart)
    return copied


def diff(
    con: duckdb.DuckDBPyConnection, mart: str, key: list[str], days: list[date]
) -> list[Restatement]:
    """Compare audit._before_<mart> with the rebuilt rows of ``days``, per tenant and day."""
    before = f"{SCHEMA}.{_q('_before_' + mart)}"
    after = f"(SELECT * FROM main.{_q(mart)} WHERE report_day IN (SELECT unnest($days)))"
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = "
            "current_database() AND schema_name = 'main' AND table_name = $t "
            "ORDER BY column_index",
            {"t": mart},
        ).fetchall()
    )
    full_key = [c for c in key if c != "report_day"] + ["report_day"]
    others = [c for c in types if c not in full_key]
    on = " AND ".join(f"b.{_q(c)} IS NOT DISTINCT FROM a.{_q(c)}" for c in full_key)
    select = ", ".join(
        ["coalesce(a.tenant_id, b.tenant_id) AS tenant_id"]
        + ["coalesce(a.report_day, b.report_day) AS report_day"]
        + ["b.report_day IS NULL AS is_added", "a.report_day IS NULL AS is_removed"]
        + [f"coalesce(a.{_q(c)}, b.{_q(c)}) AS {_q('k_' + c)}" for c in full_key]
        + [
            f"b.{_q(c)} AS {_q('o_' + c)}, a.{_q(c)} AS {_q('n_' + c)}, "
            f"{_differs(c, types[c])} AS {_q('d_' + c)}"
            for c in others
        ]
    )
    differs = " OR ".join(_differs(c, types[c]) for c in others) or "false"
    rel = con.execute(
        f"SELECT {select} FROM {before} AS b FULL OUTER JOIN {after} AS a ON {on} "
        f"WHERE b.report_day IS NULL OR a.report_day IS NULL OR ({differs}) "
        "ORDER BY 1 NULLS FIRST, 2, " + ", ".join(str(i + 5) for i in range(len(full_key))),
        {"days": days},
    )
    names = [d[0] for d in rel.description]
    # fetch now: con.execute returns the connection, the next query would replace the result
    moved = rel.fetchall()
    found: dict[tuple[str | None, date], Restatement] = {}
    counts = con.execute(
        f"SELECT tenant_id, report_day, sum(b), sum(a) FROM ("
        f"SELECT tenant_id, report_day, 1 AS b, 0 AS a FROM {before} "
        f"UNION ALL SELECT tenant_id, report_day, 0, 1 FROM {after}) "
        "GROUP BY tenant_id, report_day",
        {"days": days},
    ).fetchall()
    for tenant, day, n_before, n_after in counts:
        found[(tenant, day)] = Restatement(
            mart, tenant, day, int(n_before), int(n_after), [], [], []
        )
    for row in moved:
        r = dict(zip(names, row, strict=True))
        item = found[(r["tenant_id"], r["report_day"])]
        k = {c: _json_value(r["k_" + c]) for c in full_key}
        if r["is_added"]:
            item.added.append(k)
        elif r["is_removed"]:
            item.removed.append(k)
        else:
            cols = {
                c: [_json_value(r["o_" + c]), _json_value(r["n_" + c])]
                for c in others
                if r["d_" + c]
            }
            item.changed.append({"key": k, "columns": cols})
    seen_days = {day for _, day in found}
    for day in days:
        if day not in seen_days:
            found[(None, day)] = Restatement(mart, None, day, 0, 0, [], [], [])
    return sorted(found.values(), key=lambda r: (r.report_day, r.tenant_id or ""))


def record(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    built_at: datetime,
    restatements: list[Restatement],
) -> None:
    con.execute(RESTATEMENTS_DDL)
    if not restatements:
        return
    con.executemany(
        f"INSERT INTO {SCHEMA}.restatements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                run_id,
                built_at,
                r.mart,
                r.tenant_id,
                r.report_day,
                r.status,
                r.rows_before,
                r.rows_after,
                len(r.added),
                len(r.removed),
                len(r.changed),
                json.dumps(r.changes(), default=str),
            )
            for r in restatements
        ],
    )


def drop_snapshots(con: duckdb.DuckDBPyConnection, marts: list[str]) -> None:
    for mart in marts:
        con.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{_q('_before_' + mart)}")
