"""Write a report query to a file with DuckDB's own ``COPY (query) TO … (FORMAT csv)``.

COPY streams in DuckDB's threads without materialising rows in Python, so an export costs
about what the query costs (benchmarks/README_exports.md). CSV: comma, header, minimal
quoting (RFC 4180), ISO dates. With an output specification (.txt): the spec's columns in its
order under its header names, its delimiter, quoting (minimal / all / none), null text and
strftime date formats.

A zipped report is compressed while DuckDB writes it: COPY writes into a named pipe and a
thread deflates what comes out of it into the archive, so compression runs beside the query
on the second core instead of after it, and the plain file never touches the disk.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import zipfile
from pathlib import Path

from exports.catalogue import Query
from exports.definitions import OutputSpec

# zlib's fastest level: on report CSVs about 2.5× the speed of the default level 6 for files
# ~20 % larger (benchmarks/README_exports.md); any unzip reads either.
ZIP_LEVEL = 1
_PIPE_BYTES = 1 << 20  # Linux's default limit for an unprivileged pipe buffer


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
    # USE_TMP_FILE false: DuckDB writes the path itself, never a temporary file renamed over
    # it — which would replace the named pipe of render_zipped instead of writing into it
    sql = f"COPY ({q.sql}) TO {_literal(str(path))} ({copy_options(spec)}, USE_TMP_FILE false)"
    row = con.execute(sql, q.params).fetchall()
    return int(row[0][0]) if row else 0


def render_zipped(
    con,
    query: Query,
    target: Path,
    name: str,
    spec: OutputSpec | None = None,
    level: int = ZIP_LEVEL,
) -> int:
    """Write the rows of ``query`` as the file ``name`` inside a new zip archive ``target``
    (deflate); returns the number of records. On any failure no archive is left behind."""
    fifo = target.with_name(f".{name}.fifo")
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo, 0o600)
    failures: list[BaseException] = []
    try:
        # Both ends are opened here, before COPY: DuckDB's open never waits for a reader, and
        # the reader sees the end of the data only once COPY is over and ``keep`` is closed
        # (also when COPY fails before it opens the pipe). The reader reads to the end even
        # if the archive fails (disk full): its end stays open, so COPY never blocks on a
        # full pipe or on opening one nobody reads.
        read_fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(read_fd, True)
        keep = os.open(fifo, os.O_WRONLY)
        if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux: fewer, larger reads
            try:
                fcntl.fcntl(keep, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
            except OSError:
                pass

        def compress() -> None:
            with os.fdopen(read_fd, "rb", buffering=0) as source:
                try:
                    with (
                        zipfile.ZipFile(target, "w") as archive,
                        archive.open(_zip_entry(name, level), "w", force_zip64=True) as entry,
                    ):
                        # force_zip64: the size is unknown until the end and may pass 4 GiB
                        while chunk := source.read(_PIPE_BYTES):
                            entry.write(chunk)
                except BaseException as e:  # noqa: BLE001 — handed to the calling thread
                    failures.append(e)
                    while source.read(_PIPE_BYTES):
                        pass

        worker = threading.Thread(target=compress, name="ccwh-zip", daemon=True)
        worker.start()
        copy_error: Exception | None = None
        try:
            records = render(con, query, fifo, spec)
        except Exception as e:  # noqa: BLE001 — raised below, after the archive's own error
            copy_error = e
        finally:
            os.close(keep)
            worker.join()
        if failures:
            raise failures[0]
        if copy_error is not None:
            raise copy_error
    except BaseException:
        if not target.is_dir():
            target.unlink(missing_ok=True)
        raise
    finally:
        fifo.unlink(missing_ok=True)
    return records


def _zip_entry(name: str, level: int) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry._compresslevel = level  # public as compress_level from Python 3.13
    entry.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
    return entry
