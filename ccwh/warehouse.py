"""The warehouse's one-writer rule and DuckDB connection helpers.

DuckDB lets one process open a database file read-write, and that process excludes every other
one (readers included). The loader, dbt and publish therefore run under one ``flock`` on
``<home>/warehouse/.writer.lock``: a second pipeline run waits for the first instead of failing
half-way with "Could not set lock on file". The kernel drops the lock when its holder dies, so a
killed run never leaves a stale lock behind.

The lock is re-entrant within a process (a Dagster run holds it for the whole run through its
resource, and the steps inside take it again), because two ``flock``s on separate file
descriptors of the same file would block each other even in one process.
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ccwh.paths import Home

if TYPE_CHECKING:
    import duckdb

LOCK_NAME = ".writer.lock"

_held: dict[Path, int] = {}  # lock file -> nesting depth in this process
_held_guard = threading.Lock()


def lock_path(home: Home) -> Path:
    return home.warehouse_dir / LOCK_NAME


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _holder_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return "?"
    return text or "?"


@contextmanager
def writer_lock(home: Home, *, announce: Callable[[str], None] = _say) -> Iterator[None]:
    """Hold the warehouse writer lock; wait (saying so once) while another process has it."""
    path = lock_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _held_guard:
        if path in _held:
            _held[path] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _held_guard:
                _held[path] -= 1
        return

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            announce(
                f"waiting for another pipeline run (pid {_holder_pid(fd)}) to finish… "
                f"(lock: {path})"
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
        # The pid is informational only (for the waiting message); the flock is the lock.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        with _held_guard:
            _held[path] = 1
        try:
            yield
        finally:
            with _held_guard:
                del _held[path]
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def connect(
    database: str | os.PathLike[str], *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection in a UTC session; use it in a ``with`` block so it is always closed.

    Opening read-write while another process holds the file fails at once; the error names the
    file and the usual cause instead of DuckDB's bare "Conflicting lock".
    """
    import duckdb

    try:
        con = duckdb.connect(str(database), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise RuntimeError(
                f"{database}: another process has the warehouse open ({exc}). Readers must use "
                "serve.duckdb (`ccwh sql`); wait for the running pipeline or stop the other "
                "process."
            ) from exc
        raise
    # Timestamps are UTC everywhere (architecture.md); a local session zone would shift casts.
    con.execute("SET TimeZone = 'UTC'")
    return con


def fsync_path(path: Path) -> None:
    """fsync a file's data, or a folder's entries (renames into/out of it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


fsync_dir = fsync_path  # make renames into/out of a folder durable
