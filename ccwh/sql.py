"""``ccwh sql "QUERY"``: ad-hoc SQL on the published, read-only copy of the warehouse."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, TextIO

HELP = "run a SQL query on the published warehouse (read-only) and print the result"
DESCRIPTION = """\
Run one SQL query on <home>/warehouse/serve.duckdb, the copy `ccwh build` publishes after
every successful pipeline run, opened read-only. It works while the pipeline is writing: the
pipeline's own database (ccwh.duckdb) is never opened.

Marts are in schema main (unqualified names work), seeds in schema reference. Examples:

  ccwh sql "SHOW ALL TABLES"
  ccwh sql "SELECT * FROM queue_kpis_daily ORDER BY report_day DESC LIMIT 20"
  ccwh sql --format csv "SELECT * FROM queue_kpis_interval" > kpis.csv
"""

NOT_PUBLISHED = "no published warehouse yet — run `ccwh build`"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help="the SQL to run (quote it)")
    parser.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: table; json = one object per row in an array)",
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=1000,
        help="table format only: rows to print (default 1000; 0 = all); csv/json print all",
    )


def run(args: argparse.Namespace) -> int:
    import duckdb

    path = args.home.serving
    if not path.exists():
        print(f"{NOT_PUBLISHED} ({path} does not exist)", file=sys.stderr)
        return 1
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            con.execute("SET TimeZone = 'UTC'")
            cursor = con.execute(args.query)
            if cursor.description is None:  # a statement without a result (e.g. SET)
                return 0
            columns = [d[0] for d in cursor.description]
            # fetchall gives Python objects: HUGEINT (e.g. sum() of integers) arrives as a
            # plain int, so nothing downstream chokes on 128-bit integers.
            rows = cursor.fetchall()
    except duckdb.Error as exc:
        print(f"query failed: {exc}", file=sys.stderr)
        return 1
    out = sys.stdout
    if args.format == "csv":
        write_csv(columns, rows, out)
    elif args.format == "json":
        write_json(columns, rows, out)
    else:
        write_table(columns, rows, out, max_rows=args.max_rows)
    return 0


def _text(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e15 else repr(value)
    return str(value)


def write_table(
    columns: Sequence[str], rows: Sequence[tuple], out: TextIO, *, max_rows: int = 1000
) -> None:
    """A plain aligned table: numbers right-aligned, NULL spelled out, long cells cut at 60."""
    from decimal import Decimal

    shown = rows if max_rows <= 0 else rows[:max_rows]
    cells = [[_text(v) for v in row] for row in shown]
    cells = [[c if len(c) <= 60 else c[:59] + "…" for c in row] for row in cells]
    widths = [len(c) for c in columns]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        bool(shown) and all(isinstance(r[i], int | float | Decimal) or r[i] is None for r in shown)
        for i in range(len(columns))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return " | ".join(parts).rstrip()

    out.write(line(columns) + "\n")
    out.write("-+-".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(line(row) + "\n")
    more = len(rows) - len(shown)
    suffix = f" (showing {len(shown)}; --max-rows 0 for all)" if more else ""
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''}){suffix}\n")


def write_csv(columns: Sequence[str], rows: Sequence[tuple], out: TextIO) -> None:
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)


def write_json(columns: Sequence[str], rows: Sequence[tuple], out: TextIO) -> None:
    import json
    from decimal import Decimal

    def default(value: Any) -> Any:
        # DECIMAL as a JSON number; timestamps, dates, UUIDs as their text.
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return str(value)

    records = [dict(zip(columns, row, strict=True)) for row in rows]
    out.write(json.dumps(records, default=default, ensure_ascii=False, indent=1) + "\n")
