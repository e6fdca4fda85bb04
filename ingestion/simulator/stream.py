"""The event stream: directory first, then each simulated day of every tenant in turn."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ingestion.simulator.model import SimConfig
from ingestion.simulator.tenant import TenantSim


def default_start(days: int, today: date | None = None) -> date:
    """``days`` days before today, so the period ends with yesterday."""
    return (today or date.today()) - timedelta(days=days)


def generate(config: SimConfig) -> Iterator[dict]:
    """Every event of the simulation, as dicts, streamed (memory does not grow with days).

    Order: all tenants' directory events, then day by day (tenants interleaved per day):
    within a day roughly by channel, each event emitted once it has completed. Deterministic:
    the same config gives the same events in the same order.
    """
    streams = [_sections(config, k) for k in range(len(config.tenants))]
    for sections in zip(*streams, strict=True):
        for section in sections:
            yield from section


def _sections(config: SimConfig, tenant_index: int) -> Iterator[Iterator[dict]]:
    """One tenant's events in sections (directory, day -1 .. days-1, end); every tenant has
    the same sections, and the stream is section by section, tenant by tenant."""
    sim = TenantSim(config, config.tenants[tenant_index])
    yield sim.directory_events()
    for i in range(-1, config.days):
        yield sim.day(i)
    yield sim.finish()


@dataclass
class WriteReport:
    path: str
    events: int = 0
    bytes: int = 0
    by_type: Counter = field(default_factory=Counter)


def write_ndjson(events: Iterable[dict], path: str | os.PathLike[str]) -> WriteReport:
    """Write events as NDJSON (one compact JSON object per line, keys in generation order,
    so the same events give the same bytes). ``-`` writes to stdout."""
    import orjson

    dumps = orjson.dumps
    report = WriteReport(str(path))
    by_type: Counter = report.by_type
    out = sys.stdout.buffer if str(path) == "-" else open(Path(path), "wb")  # noqa: SIM115
    try:
        chunk: list[bytes] = []
        size = 0
        count = 0
        for event in events:
            line = dumps(event)
            chunk.append(line)
            size += len(line) + 1
            by_type[event["event_type"]] += 1
            count += 1
            if len(chunk) >= 4096:
                out.write(b"\n".join(chunk) + b"\n")
                chunk.clear()
        if chunk:
            out.write(b"\n".join(chunk) + b"\n")
        report.events, report.bytes = count, size
    finally:
        if out is not sys.stdout.buffer:
            out.close()
        else:
            out.flush()
    return report


# --- parallel writing --------------------------------------------------------------------

_CHUNK_EVENTS = 2048


def _worker(config: SimConfig, tenants: list[int], out) -> None:  # pragma: no cover - subprocess
    """Generate some tenants' sections and send them serialized, section by section in
    the order the parent writes them."""
    import traceback

    import orjson

    try:
        streams = [_sections(config, k) for k in tenants]
        for sections in zip(*streams, strict=True):
            for section in sections:
                lines: list[bytes] = []
                counts: Counter = Counter()
                for event in section:
                    lines.append(orjson.dumps(event))
                    counts[event["event_type"]] += 1
                    if len(lines) >= _CHUNK_EVENTS:
                        out.put(("chunk", b"\n".join(lines) + b"\n", len(lines), dict(counts)))
                        lines, counts = [], Counter()
                if lines:
                    out.put(("chunk", b"\n".join(lines) + b"\n", len(lines), dict(counts)))
                out.put(("end",))
    except BaseException:
        out.put(("error", traceback.format_exc()))


def write_simulation(
    config: SimConfig,
    path: str | os.PathLike[str],
    workers: int | None = None,
    on_progress=None,
) -> WriteReport:
    """Generate and write the simulation as NDJSON, byte-identical to
    ``write_ndjson(generate(config), path)``, with tenants generated in parallel processes
    (tenants are independent random streams, so any worker count gives the same bytes).
    ``on_progress(n)`` is called with the number of events written since the last call."""
    n_tenants = len(config.tenants)
    if workers is None:
        # more processes than cores is fine: it evens out tenants of different sizes
        workers = min(n_tenants, 2 * (os.cpu_count() or 1))
    workers = max(1, min(workers, n_tenants))
    if workers == 1:
        events = generate(config)
        if on_progress is not None:
            events = _counting(events, on_progress)
        return write_ndjson(events, path)

    import multiprocessing

    # fork where there is one: no re-import of the caller's __main__ (spawn would need an
    # ``if __name__ == "__main__"`` guard in every script that calls this)
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    owner = [k % workers for k in range(n_tenants)]
    queues = [ctx.Queue(maxsize=64) for _ in range(workers)]
    procs = [
        ctx.Process(
            target=_worker,
            args=(config, [k for k in range(n_tenants) if owner[k] == w], queues[w]),
            daemon=True,
        )
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    report = WriteReport(str(path))
    out = sys.stdout.buffer if str(path) == "-" else open(Path(path), "wb")  # noqa: SIM115
    try:
        for _section in range(config.days + 3):  # directory, days -1 .. days-1, end
            for k in range(n_tenants):
                while True:
                    msg = queues[owner[k]].get()
                    if msg[0] == "end":
                        break
                    if msg[0] == "error":
                        raise RuntimeError(f"simulator worker failed:\n{msg[1]}")
                    _, data, n, counts = msg
                    out.write(data)
                    report.events += n
                    report.bytes += len(data)
                    report.by_type.update(counts)
                    if on_progress is not None:
                        on_progress(n)
    finally:
        if out is not sys.stdout.buffer:
            out.close()
        else:
            out.flush()
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join()
    return report


def _counting(events: Iterable[dict], on_progress) -> Iterator[dict]:
    n = 0
    for event in events:
        yield event
        n += 1
        if n == 4096:
            on_progress(n)
            n = 0
    if n:
        on_progress(n)
