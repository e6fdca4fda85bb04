"""Landing segments: the durable hand-off from the receiver (and ``ccwh ingest``) to the loader.

The contract is in docs/architecture.md ("Landing segments"). In short: NDJSON files in
``landing/open/``, each held under an exclusive flock by its one writer, closed by fsync +
rename into ``landing/ready/`` + fsync of both folders. An event is acknowledged only after
the write holding it was fsync'd.

Writers:
- ``GroupCommitWriter`` (receiver, asyncio): requests hand their lines to one writer task;
  while one write + fsync runs in a thread, newer lines gather in the next buffer, so one
  fsync covers every request that arrived meanwhile and the event loop keeps serving.
- ``SyncLandingWriter`` (``ccwh ingest``): the same files, written from a plain loop.

``recover_orphans(home)`` is also run by the loader before each load, so this module must
stay importable without starting anything (no event loop, no server).
"""

from __future__ import annotations

import asyncio
import base64
import errno
import fcntl
import logging
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ccwh.paths import Home

log = logging.getLogger("ccwh.landing")

DEFAULT_SEGMENT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_SEGMENT_MAX_AGE = 5.0
SUFFIX = ".ndjson"
# Segments are created under a hidden name, locked, then renamed: recovery ignores hidden
# names, so it can never take a live writer's brand-new file for an orphan.
_CREATING_PREFIX = ".creating-"
# fsync latency histogram bounds (seconds), Prometheus style
FSYNC_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class LandingUnavailable(Exception):
    """The landing folder cannot take writes right now (disk full, read-only, I/O error)."""


# --- names and line format -------------------------------------------------------------------

_HOST = re.sub(r"[^A-Za-z0-9.]+", "_", socket.gethostname() or "host")[:64]
_stamp_second = -1
_stamp_prefix = ""


def utc_now_text() -> str:
    """Now as RFC 3339 UTC with microseconds, e.g. ``2026-11-22T23:40:01.123456Z``."""
    global _stamp_second, _stamp_prefix
    now = time.time()
    second = int(now)
    if second != _stamp_second:  # strftime once a second: this runs for every request
        _stamp_prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _stamp_second = second
    return f"{_stamp_prefix}.{int((now - second) * 1_000_000):06d}Z"


def new_file_name() -> str:
    """``<UTC yyyymmddTHHMMSSffffffZ>-<hostname>-<pid>-<8 hex>.ndjson``: unique, sortable."""
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now))
    micros = int((now - int(now)) * 1_000_000)
    return f"{stamp}{micros:06d}Z-{_HOST}-{os.getpid()}-{secrets.token_hex(4)}{SUFFIX}"


def format_lines(
    events: Iterable[dict], received_at: str, destination: str | None, source: str
) -> bytes:
    """Landing lines for accepted events: each event compact, plus the three receiver fields.

    The dicts are extended in place (they are the intake's own parse results).
    """
    dumps = orjson.dumps
    newline = orjson.OPT_APPEND_NEWLINE
    out = []
    for event in events:
        event["_ccwh_received_at"] = received_at
        event["_ccwh_destination"] = destination
        event["_ccwh_source"] = source
        out.append(dumps(event, option=newline))
    return b"".join(out)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- one segment file ------------------------------------------------------------------------


@dataclass
class LandingStats:
    """Counters the receiver exports on /metrics (updated by the writer thread only)."""

    writes: int = 0
    bytes_written: int = 0
    segments_closed: int = 0
    write_failures: int = 0
    fsync_seconds_sum: float = 0.0
    fsync_buckets: list[int] = field(default_factory=lambda: [0] * len(FSYNC_BUCKETS))

    def observe_fsync(self, seconds: float) -> None:
        self.writes += 1
        self.fsync_seconds_sum += seconds
        for i, bound in enumerate(FSYNC_BUCKETS):
            if seconds <= bound:
                self.fsync_buckets[i] += 1
                break


class Segment:
    """One open segment: created, locked, appended to with fsync, closed into ready/."""

    def __init__(self, fd: int, path: Path, ready_dir: Path):
        self.fd = fd
        self.path = path
        self.ready_dir = ready_dir
        self.size = 0
        self.opened_at = time.monotonic()

    @classmethod
    def create(cls, open_dir: Path, ready_dir: Path) -> Segment:
        name = new_file_name()
        temp = open_dir / (_CREATING_PREFIX + name)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.rename(temp, open_dir / name)
            # fdatasync of the file does not persist its directory entry: without this, a
            # power loss could drop a new segment whose lines were already acknowledged.
            fsync_dir(open_dir)
        except BaseException:
            os.close(fd)
            _unlink_quietly(temp)
            raise
        return cls(fd, open_dir / name, ready_dir)

    def write(self, data: bytes, stats: LandingStats | None = None) -> None:
        """Append and fsync. On failure, cut the file back to its last good size and raise."""
        good = self.size
        try:
            view = memoryview(data)
            while view:
                written = os.write(self.fd, view)
                if written == 0:
                    raise OSError(errno.ENOSPC, "write returned 0")
                view = view[written:]
            started = time.perf_counter()
            os.fdatasync(self.fd)  # also flushes the new file size, which is what we need
            if stats is not None:
                stats.observe_fsync(time.perf_counter() - started)
                stats.bytes_written += len(data)
        except OSError:
            if stats is not None:
                stats.write_failures += 1
            try:
                os.ftruncate(self.fd, good)
            except OSError:
                pass  # recovery cuts a partial last line; complete unacked lines become dups
            raise
        self.size = good + len(data)

    def close(self, stats: LandingStats | None = None) -> Path | None:
        """fsync, rename into ready/, fsync both folders, unlock. Empty segments are removed.

        Returns the ready path (None for an empty segment). If the disk refuses, the file is
        left in open/ unlocked: an orphan, which the next recovery moves.
        """
        try:
            if self.size == 0:
                os.unlink(self.path)
                return None
            os.fsync(self.fd)
            target = self.ready_dir / self.path.name
            os.rename(self.path, target)
            fsync_dir(self.ready_dir)
            fsync_dir(self.path.parent)
            if stats is not None:
                stats.segments_closed += 1
            return target
        except OSError as exc:
            log.error("closing segment %s failed (%s); left for orphan recovery", self.path, exc)
            return None
        finally:
            os.close(self.fd)  # releases the flock


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# --- quarantine ------------------------------------------------------------------------------


class Quarantine:
    """Appends rejected bodies, one NDJSON record each, to this process's quarantine file.

    Records: quarantined_at, reason, status, destination, remote, errors, body (text, or
    base64 with body_encoding) and any extra fields given (e.g. index, line, body_truncated).
    Writes are not fsync'd one by one: a rejection promises nothing to the sender; the file
    is fsync'd when closed.
    """

    def __init__(self, directory: Path, max_bytes: int = DEFAULT_SEGMENT_MAX_BYTES):
        self.directory = directory
        self.max_bytes = max_bytes
        self._fd: int | None = None
        self._size = 0
        self._lock = threading.Lock()
        self.records = 0
        self.failures = 0

    def record(
        self,
        reason: str,
        status: int | None,
        body: bytes,
        *,
        destination: str | None = None,
        remote: str | None = None,
        errors: list | None = None,
        **extra: Any,
    ) -> bool:
        """Store one rejected body; False (and a log line) if the disk refuses it."""
        item: dict[str, Any] = {
            "quarantined_at": utc_now_text(),
            "reason": reason,
            "status": status,
            "destination": destination,
            "remote": remote,
            "errors": errors or [],
        }
        item.update(extra)
        try:
            item["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            item["body"] = base64.b64encode(body).decode("ascii")
            item["body_encoding"] = "base64"
        line = orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE)
        with self._lock:
            try:
                if self._fd is None or self._size >= self.max_bytes:
                    self._close_file()
                    self.directory.mkdir(parents=True, exist_ok=True)
                    self._fd = os.open(
                        self.directory / new_file_name(),
                        os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC,
                        0o644,
                    )
                    self._size = 0
                view = memoryview(line)
                while view:
                    view = view[os.write(self._fd, view) :]
                self._size += len(line)
                self.records += 1
                return True
            except OSError as exc:
                self.failures += 1
                log.error("quarantine write failed (%s): %s %s body dropped", exc, status, reason)
                return False

    def _close_file(self) -> None:
        if self._fd is not None:
            try:
                os.fsync(self._fd)
            except OSError:
                pass
            os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        with self._lock:
            self._close_file()


# --- orphan recovery -------------------------------------------------------------------------


def recover_orphans(home: Home, quarantine: Quarantine | None = None) -> list[Path]:
    """Move every segment of a dead writer from open/ to ready/; returns the new paths.

    A segment whose flock can be taken has no live writer. Its incomplete last line (never
    acknowledged: the writer died mid-write) is cut off and quarantined. Empty orphans are
    deleted. Safe to run concurrently with live writers and with other recoveries.
    """
    open_dir, ready_dir = home.landing_open, home.landing_ready
    if not open_dir.is_dir():
        return []
    ready_dir.mkdir(parents=True, exist_ok=True)
    own_quarantine = quarantine is None
    quarantine = quarantine or Quarantine(home.quarantine)
    moved: list[Path] = []
    try:
        for path in sorted(open_dir.iterdir()):
            if path.name.startswith("."):
                _remove_dead_temp(path)
                continue
            if path.suffix != SUFFIX:
                continue
            target = _recover_one(path, ready_dir, quarantine)
            if target is not None:
                moved.append(target)
        if moved:
            fsync_dir(ready_dir)
            fsync_dir(open_dir)
    finally:
        if own_quarantine:
            quarantine.close()
    return moved


def _recover_one(path: Path, ready_dir: Path, quarantine: Quarantine) -> Path | None:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return None  # another recovery moved it
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # a live writer holds it
        try:
            if os.fstat(fd).st_ino != os.stat(path).st_ino:
                return None
        except FileNotFoundError:
            return None  # moved by another recovery between our open and our lock
        size = os.fstat(fd).st_size
        keep = _complete_prefix(fd, size)
        if keep < size:
            fragment = os.pread(fd, size - keep, keep)
            quarantine.record(
                "orphan_fragment",
                None,
                fragment,
                segment=path.name,
                offset=keep,
                errors=[
                    {"path": "$", "message": "incomplete last line of a dead writer's segment"}
                ],
            )
            os.ftruncate(fd, keep)
        if keep == 0:
            os.unlink(path)
            return None
        os.fsync(fd)
        target = ready_dir / path.name
        os.rename(path, target)
        log.warning("recovered orphan segment %s (%d bytes)", path.name, keep)
        return target
    finally:
        os.close(fd)


def _complete_prefix(fd: int, size: int) -> int:
    """Length of the file up to and including its last newline."""
    end = size
    chunk = 64 * 1024
    while end > 0:
        start = max(0, end - chunk)
        data = os.pread(fd, end - start, start)
        cut = data.rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
        end = start
    return 0


def _remove_dead_temp(path: Path) -> None:
    if not path.name.startswith(_CREATING_PREFIX):
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_size == 0:
            _unlink_quietly(path)
    except BlockingIOError:
        pass
    finally:
        os.close(fd)


# --- writers -----------------------------------------------------------------------------------


class _SegmentOwner:
    """Opens segments on demand and rotates them by size; shared by both writers."""

    def __init__(self, home: Home, max_bytes: int, stats: LandingStats):
        home.landing_open.mkdir(parents=True, exist_ok=True)
        home.landing_ready.mkdir(parents=True, exist_ok=True)
        self.home = home
        self.max_bytes = max_bytes
        self.stats = stats
        self.segment: Segment | None = None
        self.closed: list[Path] = []

    def write(self, data: bytes) -> None:
        """Write + fsync ``data`` into the current segment (opening one if needed).

        On failure the segment is closed (its good part goes to ready/) and OSError is
        raised; the next write opens a fresh segment, which is how the writer recovers once
        the disk works again.
        """
        if self.segment is None:
            self.segment = Segment.create(self.home.landing_open, self.home.landing_ready)
        segment = self.segment
        try:
            segment.write(data, self.stats)
        except OSError:
            self.segment = None
            self._close(segment)
            raise
        if segment.size >= self.max_bytes:
            self.rotate()

    def rotate(self) -> None:
        if self.segment is not None:
            segment, self.segment = self.segment, None
            self._close(segment)

    def age(self) -> float:
        return time.monotonic() - self.segment.opened_at if self.segment is not None else 0.0

    def _close(self, segment: Segment) -> None:
        target = segment.close(self.stats)
        if target is not None:
            self.closed.append(target)


class SyncLandingWriter:
    """Buffered writer for batch jobs (``ccwh ingest``): fsync per ``flush_bytes`` of lines."""

    def __init__(
        self,
        home: Home,
        max_bytes: int = DEFAULT_SEGMENT_MAX_BYTES,
        flush_bytes: int = 4 * 1024 * 1024,
    ):
        self.stats = LandingStats()
        self._owner = _SegmentOwner(home, max_bytes, self.stats)
        self._buffer: list[bytes] = []
        self._buffered = 0
        self.flush_bytes = flush_bytes

    @property
    def closed_segments(self) -> list[Path]:
        return self._owner.closed

    def append(self, lines: bytes) -> None:
        self._buffer.append(lines)
        self._buffered += len(lines)
        if self._buffered >= self.flush_bytes:
            self.flush()

    def flush(self) -> None:
        """Make everything appended so far durable; raises LandingUnavailable on failure."""
        if not self._buffer:
            return
        data = b"".join(self._buffer)
        self._buffer, self._buffered = [], 0
        try:
            self._owner.write(data)
        except OSError as exc:
            raise LandingUnavailable(f"{self._owner.home.landing_open}: {exc}") from exc

    def close(self) -> None:
        """Flush and close the segment into ready/."""
        try:
            self.flush()
        finally:
            self._owner.rotate()


class GroupCommitWriter:
    """The receiver's writer: one task writes and fsyncs for all waiting requests.

    ``await append(lines)`` returns once the lines are fsync'd, or raises LandingUnavailable.
    File work runs in one dedicated thread, so the event loop serves while fsync waits on
    the disk, and the next group gathers meanwhile. Create and ``start()`` inside the loop.
    """

    def __init__(
        self,
        home: Home,
        max_bytes: int = DEFAULT_SEGMENT_MAX_BYTES,
        max_age: float = DEFAULT_SEGMENT_MAX_AGE,
    ):
        self.stats = LandingStats()
        self.max_age = max_age
        self.healthy = True
        self._owner = _SegmentOwner(home, max_bytes, self.stats)
        self._buffer: list[bytes] = []
        self._waiters: list[asyncio.Future] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ccwh-landing")
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="ccwh-landing")

    async def append(self, lines: bytes) -> None:
        if self._closing:
            raise LandingUnavailable("the receiver is shutting down")
        future = asyncio.get_running_loop().create_future()
        self._buffer.append(lines)
        self._waiters.append(future)
        self._wake.set()
        await future

    async def close(self) -> None:
        """Write what is pending, close the segment into ready/, stop the thread."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task
        self._executor.shutdown(wait=True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self._buffer:
                if self._closing:
                    break
                try:
                    await asyncio.wait_for(self._wake.wait(), self._until_rotation())
                except TimeoutError:
                    pass
                self._wake.clear()
            if self._buffer:
                await self._commit(loop)
            if self._owner.segment is not None and self._owner.age() >= self.max_age:
                await loop.run_in_executor(self._executor, self._owner.rotate)
        await loop.run_in_executor(self._executor, self._owner.rotate)

    def _until_rotation(self) -> float | None:
        if self._owner.segment is None:
            return None  # nothing open: sleep until a request arrives
        return max(0.0, self.max_age - self._owner.age())

    async def _commit(self, loop: asyncio.AbstractEventLoop) -> None:
        data = b"".join(self._buffer)
        waiters = self._waiters
        self._buffer, self._waiters = [], []
        try:
            await loop.run_in_executor(self._executor, self._owner.write, data)
        except Exception as exc:  # noqa: BLE001 - any failure must answer the waiters
            self.healthy = False
            log.error("landing write failed: %s (answering 503 until a write succeeds)", exc)
            error = LandingUnavailable(str(exc))
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(error)
            return
        self.healthy = True
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
