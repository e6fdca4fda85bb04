"""POST events to a receiver over several keep-alive HTTPS connections.

An event counts as sent only when the response to the body that carried it is 202 (the
receiver's "stored durably"). Connection errors, timeouts, 429 and 5xx are retried with
exponential back-off (safe: the receiver keeps one copy per event_id); any other answer is a
refusal and stops the run with the receiver's own error text. Options exercise the
receiver's idempotency and ordering: ``resend_share`` posts that share of events a second
time a little later (often in a batch posted concurrently), ``shuffle`` randomises the order
within a window of ``shuffle_window`` events (bounded memory for any stream length).
"""

from __future__ import annotations

import heapq
import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class SendReport:
    url: str
    events: int = 0  # distinct events taken from the stream
    resent: int = 0  # extra copies posted because of resend_share
    posted: int = 0  # events in bodies that got a final answer (copies included)
    acknowledged: int = 0  # events in bodies answered 202
    responses_202: int = 0
    requests: int = 0  # HTTP requests made, retries included
    retries: int = 0
    failed: int = 0  # events not acknowledged (refused, or never delivered)
    by_type: Counter = field(default_factory=Counter)
    error: str | None = None  # why sending stopped early
    status: int | None = None  # HTTP status of the refusal, if there was one
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.failed == 0

    def summary(self) -> str:
        rate = self.acknowledged / self.elapsed if self.elapsed else 0.0
        lines = [
            f"sent to {self.url}: {self.events} events ({self.resent} sent twice), "
            f"{self.acknowledged} acknowledged by {self.responses_202} responses 202, "
            f"{self.failed} failed; {self.requests} requests ({self.retries} retries) "
            f"in {self.elapsed:.1f} s ({rate:,.0f} events/s)"
        ]
        if self.error:
            lines.append(f"stopped: {self.error}")
        return "\n".join(lines)


class _Refused(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def send(
    events: Iterable[dict],
    url: str,
    token: str | None,
    cacert: str | None = None,
    connections: int = 8,
    batch_size: int = 500,
    resend_share: float = 0.0,
    shuffle: bool = False,
    shuffle_window: int = 100_000,
    seed: int = 0,
    timeout: float = 60.0,
    max_retries: int = 6,
    progress: bool = False,
) -> SendReport:
    """POST ``events`` to ``url`` and report what the receiver acknowledged.

    ``batch_size`` 1 posts each event as a JSON object, larger sizes post JSON arrays.
    ``cacert`` is the CA bundle or self-signed certificate to verify TLS with (None: the
    system's CAs). Never raises for HTTP or network trouble: see ``SendReport.error``.
    """
    import orjson

    if connections < 1 or batch_size < 1:
        raise ValueError("connections and batch_size must be at least 1")
    if not 0.0 <= resend_share <= 1.0:
        raise ValueError("resend_share must be between 0 and 1")
    report = SendReport(url)
    rng = random.Random(f"send|{seed}")
    lock = threading.Lock()
    stop = threading.Event()
    work: queue.Queue = queue.Queue(maxsize=connections * 2)
    bar = _progress_bar(progress)

    def on_done(count: int, acknowledged: bool) -> None:
        with lock:
            report.posted += count
            if acknowledged:
                report.acknowledged += count
                report.responses_202 += 1
            else:
                report.failed += count
        if acknowledged and bar is not None:
            bar.update(count)

    def on_request(retry: bool) -> None:
        with lock:
            report.requests += 1
            report.retries += retry

    def fail(message: str, status: int | None) -> None:
        with lock:
            if report.error is None:
                report.error, report.status = message, status
        stop.set()

    poster = _Poster(url, token, cacert, timeout, max_retries, on_request, stop)
    workers = [
        threading.Thread(
            target=_work, args=(poster, work, stop, on_done, fail), name=f"send-{i}", daemon=True
        )
        for i in range(connections)
    ]
    started = time.monotonic()
    for w in workers:
        w.start()

    def serialized() -> Iterator[bytes]:
        dumps = orjson.dumps
        for event in events:
            report.events += 1
            report.by_type[event.get("event_type")] += 1
            yield dumps(event)

    stream = serialized()
    if resend_share > 0:
        stream = _with_resends(stream, rng, resend_share, batch_size, report)
    if shuffle:
        stream = _shuffled(stream, rng, shuffle_window)
    try:
        for batch in _batches(stream, batch_size):
            while not stop.is_set():
                try:
                    work.put(batch, timeout=0.2)
                    break
                except queue.Full:
                    continue
            if stop.is_set():
                break
    except KeyboardInterrupt:
        fail("interrupted", None)
        raise
    finally:
        for _ in workers:
            while True:
                try:
                    work.put(None, timeout=0.2)
                    break
                except queue.Full:
                    if not any(w.is_alive() for w in workers):
                        break
        for w in workers:
            w.join()
        report.elapsed = time.monotonic() - started
        if bar is not None:
            bar.close()
    if report.error is not None:
        # events taken from the stream but never acknowledged
        report.failed = report.events + report.resent - report.acknowledged
    return report


def _work(poster, work: queue.Queue, stop: threading.Event, on_done, fail) -> None:
    while True:
        batch = work.get()
        if batch is None:
            return
        if stop.is_set():
            continue  # drain: the run is over
        body, count = batch
        try:
            poster.post(body, count)
        except _Refused as exc:
            on_done(count, acknowledged=False)
            fail(str(exc), exc.status)
        else:
            on_done(count, acknowledged=True)


class _Poster:
    """One requests.Session per thread: each holds one keep-alive connection."""

    def __init__(self, url, token, cacert, timeout, max_retries, on_request, stop) -> None:
        self.url = url
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.verify = str(cacert) if cacert else True
        self.timeout = timeout
        self.max_retries = max_retries
        self.on_request = on_request
        self.stop = stop
        self.local = threading.local()

    def _session(self):
        session = getattr(self.local, "session", None)
        if session is None:
            import requests
            from requests.adapters import HTTPAdapter

            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            session.headers.update(self.headers)
            session.verify = self.verify
            self.local.session = session
        return session

    def post(self, body: bytes, count: int) -> None:
        """Return once the body got a 202; raise _Refused otherwise."""
        import requests

        session = self._session()
        for attempt in range(self.max_retries + 1):
            if attempt and self.stop.is_set():
                raise _Refused("stopped", None)
            self.on_request(attempt > 0)
            last = attempt == self.max_retries
            try:
                # verify per request: requests lets $REQUESTS_CA_BUNDLE override session.verify
                resp = session.post(self.url, data=body, timeout=self.timeout, verify=self.verify)
            except requests.exceptions.SSLError as exc:
                raise _Refused(
                    f"TLS verification with {self.url} failed ({_short(exc)}); pass the "
                    "receiver's certificate with --cacert (ccwh serve prints its path: "
                    "<home>/tls/cert.pem)"
                ) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last:
                    raise _Refused(_unreachable(self.url, exc)) from None
                _sleep(attempt, None)
                continue
            if resp.status_code == 202:
                return
            if resp.status_code in RETRY_STATUSES and not last:
                _sleep(attempt, resp.headers.get("Retry-After"))
                continue
            raise _Refused(_refusal(resp, count), resp.status_code)


def _sleep(attempt: int, retry_after: str | None) -> None:
    delay = min(0.25 * 2**attempt, 8.0) * (0.5 + random.random())
    if retry_after:
        try:
            delay = max(delay, min(float(retry_after), 30.0))
        except ValueError:
            pass
    time.sleep(delay)


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) < 200 else text[:197] + "..."


def _unreachable(url: str, exc: BaseException) -> str:
    text = str(exc)
    if "refused" in text.lower():
        why = "connection refused"
    elif "timed out" in text.lower() or "timeout" in type(exc).__name__.lower():
        why = "timed out"
    else:
        why = _short(exc)
    return (
        f"cannot reach the receiver at {url} ({why}); start it with `ccwh serve` "
        "(it listens on https://127.0.0.1:8443/events by default) or check --url"
    )


def _refusal(resp, count: int) -> str:
    """The receiver's own error, e.g. HTTP 403 tenant_not_allowed: tenant 'x' ..."""
    head = f"the receiver refused a body of {count} event(s): HTTP {resp.status_code}"
    try:
        body = resp.json()
    except ValueError:
        text = resp.text.strip()
        return f"{head}: {text[:300]}" if text else head
    if not isinstance(body, dict):
        return f"{head}: {str(body)[:300]}"
    parts = [str(body[k]) for k in ("error", "message") if body.get(k)]
    first_bad = next((r for r in body.get("results") or [] if r.get("status") != 202), None)
    if first_bad is not None:
        parts.append(
            f"first rejected event {first_bad.get('event_id')!r}: HTTP {first_bad.get('status')} "
            f"{first_bad.get('error', '')}: {first_bad.get('message', '')}"
        )
        if body.get("accepted"):
            parts.append(f"({body['accepted']} events of that body were accepted)")
    for problem in (body.get("errors") or (first_bad or {}).get("errors") or [])[:5]:
        parts.append(f"{problem.get('path')}: {problem.get('message')}")
    if resp.status_code == 401:
        parts.append("pass the destination's token with --token or $CCWH_TOKEN")
    if resp.status_code == 413:
        parts.append("use a smaller --batch-size")
    return f"{head}: " + "; ".join(parts) if parts else head


def _with_resends(
    stream: Iterator[bytes], rng: random.Random, share: float, batch_size: int, report: SendReport
) -> Iterator[bytes]:
    """Each event, and for ``share`` of them a second copy a few batches later."""
    later: list[tuple[int, int, bytes]] = []
    position = 0
    for item in stream:
        while later and later[0][0] <= position:
            yield heapq.heappop(later)[2]
        yield item
        position += 1
        if rng.random() < share:
            report.resent += 1
            due = position + rng.randint(1, 4 * batch_size + 16)
            heapq.heappush(later, (due, position, item))
    while later:
        yield heapq.heappop(later)[2]


def _shuffled(stream: Iterator[bytes], rng: random.Random, window: int) -> Iterator[bytes]:
    """A random order within a sliding window (a full shuffle when the stream fits)."""
    buffer: list[bytes] = []
    for item in stream:
        if len(buffer) < window:
            buffer.append(item)
            continue
        i = rng.randrange(window)
        yield buffer[i]
        buffer[i] = item
    rng.shuffle(buffer)
    yield from buffer


def _batches(stream: Iterator[bytes], size: int) -> Iterator[tuple[bytes, int]]:
    if size == 1:
        for item in stream:
            yield item, 1
        return
    batch: list[bytes] = []
    for item in stream:
        batch.append(item)
        if len(batch) >= size:
            yield b"[" + b",".join(batch) + b"]", len(batch)
            batch = []
    if batch:
        yield b"[" + b",".join(batch) + b"]", len(batch)


def _progress_bar(enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit=" events", unit_scale=True, desc="sent (202)", smoothing=0.1)
