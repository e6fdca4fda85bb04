"""Write a report query to a file with DuckDB's own ``COPY (query) TO … (FORMAT csv)``.

COPY streams in DuckDB's threads without materialising rows in Python, so an export costs
about what the query costs (benchmarks/README_exports.md). CSV: comma, header, minimal
quoting (RFC 4180), ISO dates. With an output specification (.txt): the spec's columns in its
order under its header names, its delimiter, quoting (minimal / all / none), null text and
strftime date formats.
"""

from __future__ import annotations

from pathlib import Path

from exports.catalogue import Query
from exports.definitions import OutputSpec


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def copy_options(spec: OutputSpec | None) -> str:
    if spec is None:
        return "FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"'"
    opts = [
        "FORMAT csv",
        f"HEADER {'true' if spec.header else 'false'}",
        f"DELIMITER {_literal(spec.delimiter)}",
        f"NULLSTR {_literal(spec.null)}",
    ]
    if spec.quoting == "none":
        opts.append("QUOTE ''")
    else:
        opts.append("QUOTE '\"'")
    if spec.quoting == "all":
        opts.append("FORCE_QUOTE *")
    if spec.date_format:
        opts.append(f"DATEFORMAT {_literal(spec.date_format)}")
    if spec.timestamp_format:
        opts.append(f"TIMESTAMPFORMAT {_literal(spec.timestamp_format)}")
    return ", ".join(opts)


def shaped(query: Query, spec: OutputSpec | None) -> Query:
    """The query with the spec's column order and header names applied."""
    if spec is None:
        return query
    cols = ", ".join(f"{_ident(col)} as {_ident(header)}" for col, header in spec.columns)
    return Query(f"select {cols} from ({query.sql})", query.params)


def render(con, query: Query, path: Path, spec: OutputSpec | None = None) -> int:
    """Write the rows of ``query`` to ``path``; returns the number of records written."""
    q = shaped(query, spec)
    sql = f"COPY ({q.sql}) TO {_literal(str(path))} ({copy_options(spec)})"
    row = con.execute(sql, q.params).fetchall()
    return int(row[0][0]) if row else 0
