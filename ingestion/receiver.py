"""The receiver: a bare ASGI app (no framework; Starlette costs ~35 % here, STACK.md).

    POST /events    one event (JSON object), or a batch (JSON array or NDJSON)
    GET  /healthz   200 {"status":"ok"} (503 while landing writes fail)
    GET  /metrics   Prometheus text: events, rejections, bytes, fsync latency, segments

Status codes follow DESIGN §3 (docs/receiver.md has the full table): 202 only after the
event's line was fsync'd; 400 malformed JSON; 401 missing/wrong credentials; 403 tenant not
allowed / event type not routed; 413 body too large; 422 schema violation, every bad field
listed; 503 when the landing disk refuses writes. A batch with mixed results gets 207 and a
per-event result list. Every rejected body (or rejected event of a batch) is quarantined.

Configuration arrives as JSON in $CCWH_RECEIVER_CONFIG (``app_from_env``), because the server
starts each worker process from an import string.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import orjson

from ccwh.paths import Home
from ingestion.destinations import Destination, load_destinations
from ingestion.intake import MalformedBody, check_event, is_ndjson_type, judge
from ingestion.landing import (
    DEFAULT_SEGMENT_MAX_AGE,
    DEFAULT_SEGMENT_MAX_BYTES,
    FSYNC_BUCKETS,
    GroupCommitWriter,
    LandingUnavailable,
    Quarantine,
    format_lines,
    recover_orphans,
    utc_now_text,
)
from ingestion.schemas import json_event_is_valid
from ingestion.server import DEFAULT_MAX_BODY_BYTES

log = logging.getLogger("ccwh.receiver")

CONFIG_ENV = "CCWH_RECEIVER_CONFIG"
# Past the limit the rest of a body is read and thrown away (up to this much), so the client
# sees a clean 413 instead of a connection reset in the middle of its upload.
_DRAIN_LIMIT = 64 * 1024 * 1024
SOURCE = "receiver"
_AUTH_CACHE_SIZE = 256


@dataclass(frozen=True)
class ReceiverConfig:
    home: str
    destinations_file: str
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    segment_max_bytes: int = DEFAULT_SEGMENT_MAX_BYTES
    segment_max_age: float = DEFAULT_SEGMENT_MAX_AGE

    def to_env(self) -> str:
        return json.dumps(asdict(self))


def app_from_env() -> Receiver:
    """Server factory: the app configured by $CCWH_RECEIVER_CONFIG (runs in each worker)."""
    _die_with_parent()
    return Receiver(ReceiverConfig(**json.loads(os.environ[CONFIG_ENV])))


def _die_with_parent() -> None:
    """Linux: this worker gets SIGKILL when the server process that started it dies.

    Without it, a `kill -9` of `ccwh serve` would leave its workers running, still holding
    the port and their segments' locks. A worker that dies releases its segment's lock, and
    the next start (or a respawned worker) moves the segment to ready/ (recover_orphans).
    """
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: workers outlive a killed server until their next write fails
    if os.getppid() == 1:  # the server died before prctl took effect
        os._exit(1)


# --- responses -------------------------------------------------------------------------------

_JSON = (b"content-type", b"application/json")


def _start(status: int, length: int, extra: list | None = None) -> dict:
    headers = [_JSON, (b"content-length", str(length).encode())]
    if extra:
        headers.extend(extra)
    return {"type": "http.response.start", "status": status, "headers": headers}


class _Fixed:
    """A response computed once: the hot path only sends two prebuilt messages."""

    def __init__(self, status: int, body: bytes, extra: list | None = None):
        self.start = _start(status, len(body), extra)
        self.body = {"type": "http.response.body", "body": body}

    async def send(self, send: Any) -> None:
        await send(self.start)
        await send(self.body)


_ACCEPTED_ONE = _Fixed(202, b'{"accepted":1,"rejected":0}')
_HEALTHY = _Fixed(200, b'{"status":"ok"}')
_UNHEALTHY = _Fixed(503, b'{"status":"landing_unavailable"}')
_NOT_FOUND = _Fixed(
    404, b'{"error":"not_found","message":"endpoints: POST /events, GET /healthz, GET /metrics"}'
)
_NOT_ALLOWED = _Fixed(
    405, b'{"error":"method_not_allowed","message":"use POST /events"}', [(b"allow", b"POST")]
)
_CHALLENGE = [
    (b"www-authenticate", b'Bearer realm="ccwh"'),
    (b"www-authenticate", b'Basic realm="ccwh"'),
]
_RETRY_AFTER = [(b"retry-after", b"5")]
_PLAIN_JSON = frozenset([None, b"application/json", b"application/json; charset=utf-8"])


async def _send_json(send: Any, status: int, payload: dict, extra: list | None = None) -> None:
    body = orjson.dumps(payload)
    await send(_start(status, len(body), extra))
    await send({"type": "http.response.body", "body": body})


# --- metrics -----------------------------------------------------------------------------------


class Metrics:
    def __init__(self) -> None:
        self.accepted = 0
        self.rejected: Counter[tuple[str, int]] = Counter()
        self.responses: Counter[int] = Counter()
        self.body_bytes = 0

    def render(self, writer: GroupCommitWriter | None, quarantine: Quarantine) -> bytes:
        worker = f'worker="{os.getpid()}"'
        out = [
            "# HELP ccwh_receiver_events_accepted_total Events acknowledged with 202 (fsync'd).",
            "# TYPE ccwh_receiver_events_accepted_total counter",
            f"ccwh_receiver_events_accepted_total{{{worker}}} {self.accepted}",
            "# HELP ccwh_receiver_events_rejected_total Events or bodies refused, by reason.",
            "# TYPE ccwh_receiver_events_rejected_total counter",
        ]
        for (reason, status), n in sorted(self.rejected.items()):
            out.append(
                f'ccwh_receiver_events_rejected_total{{{worker},reason="{reason}",'
                f'status="{status}"}} {n}'
            )
        out += [
            "# HELP ccwh_receiver_responses_total HTTP responses to POST /events, by status.",
            "# TYPE ccwh_receiver_responses_total counter",
        ]
        for status, n in sorted(self.responses.items()):
            out.append(f'ccwh_receiver_responses_total{{{worker},status="{status}"}} {n}')
        out += [
            "# HELP ccwh_receiver_body_bytes_total Request body bytes received on POST /events.",
            "# TYPE ccwh_receiver_body_bytes_total counter",
            f"ccwh_receiver_body_bytes_total{{{worker}}} {self.body_bytes}",
            "# HELP ccwh_quarantine_records_total Rejected bodies written to the quarantine.",
            "# TYPE ccwh_quarantine_records_total counter",
            f"ccwh_quarantine_records_total{{{worker}}} {quarantine.records}",
            "# HELP ccwh_quarantine_failures_total Rejected bodies the quarantine could not store.",
            "# TYPE ccwh_quarantine_failures_total counter",
            f"ccwh_quarantine_failures_total{{{worker}}} {quarantine.failures}",
        ]
        if writer is not None:
            stats = writer.stats
            out += [
                "# HELP ccwh_landing_fsync_seconds Latency of one group commit's fsync.",
                "# TYPE ccwh_landing_fsync_seconds histogram",
            ]
            cumulative = 0
            for bound, n in zip(FSYNC_BUCKETS, stats.fsync_buckets, strict=True):
                cumulative += n
                out.append(
                    f'ccwh_landing_fsync_seconds_bucket{{{worker},le="{bound}"}} {cumulative}'
                )
            out += [
                f'ccwh_landing_fsync_seconds_bucket{{{worker},le="+Inf"}} {stats.writes}',
                f"ccwh_landing_fsync_seconds_sum{{{worker}}} {stats.fsync_seconds_sum:.6f}",
                f"ccwh_landing_fsync_seconds_count{{{worker}}} {stats.writes}",
                "# HELP ccwh_landing_bytes_written_total Bytes written and fsync'd to segments.",
                "# TYPE ccwh_landing_bytes_written_total counter",
                f"ccwh_landing_bytes_written_total{{{worker}}} {stats.bytes_written}",
                "# HELP ccwh_landing_segments_closed_total Segments closed into landing/ready.",
                "# TYPE ccwh_landing_segments_closed_total counter",
                f"ccwh_landing_segments_closed_total{{{worker}}} {stats.segments_closed}",
                "# HELP ccwh_landing_write_failures_total Failed segment writes (503s).",
                "# TYPE ccwh_landing_write_failures_total counter",
                f"ccwh_landing_write_failures_total{{{worker}}} {stats.write_failures}",
            ]
        return ("\n".join(out) + "\n").encode()


# --- the app ---------------------------------------------------------------------------------


class _Disconnected(Exception):
    pass


class Receiver:
    def __init__(self, config: ReceiverConfig):
        self.config = config
        self.home = Home.resolve(config.home)
        self.destinations = load_destinations(config.destinations_file)
        self.max_body = config.max_body_bytes
        self.metrics = Metrics()
        self.quarantine = Quarantine(self.home.quarantine)
        self.writer: GroupCommitWriter | None = None
        # Authorization header -> its destination, for headers that authenticated: a dict
        # hit instead of parsing the header, hashing the token and comparing every digest
        # (~3 us a request). Failures are never cached; the size is bounded.
        self._authenticated: dict[bytes, Destination] = {}

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            path = scope["path"]
            if path == "/events":
                if scope["method"] == "POST":
                    await self.post_events(scope, receive, send)
                else:
                    await _NOT_ALLOWED.send(send)
            elif path == "/healthz":
                healthy = self.writer is None or self.writer.healthy
                await (_HEALTHY if healthy else _UNHEALTHY).send(send)
            elif path == "/metrics":
                body = self.metrics.render(self.writer, self.quarantine)
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"text/plain; version=0.0.4; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
            else:
                await _NOT_FOUND.send(send)
        elif kind == "lifespan":
            await self.lifespan(receive, send)

    async def lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    # A worker that replaces a crashed one takes over its segment (the
                    # crashed worker's lock is gone; live workers' segments stay locked).
                    recover_orphans(self.home, self.quarantine)
                    self._start_writer()
                except Exception as exc:  # noqa: BLE001 - reported to the server, which exits
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.writer is not None:
                    await self.writer.close()
                self.quarantine.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _start_writer(self) -> GroupCommitWriter:
        if self.writer is None:
            self.writer = GroupCommitWriter(
                self.home, self.config.segment_max_bytes, self.config.segment_max_age
            )
            self.writer.start()
        return self.writer

    # --- POST /events ------------------------------------------------------------------------

    async def post_events(self, scope: dict, receive: Any, send: Any) -> None:
        authorization = content_type = length = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"content-length":
                length = value
            elif name == b"content-type":
                content_type = value
        declared_too_large = False
        if length is not None:
            try:
                declared_too_large = int(length) > self.max_body
            except ValueError:
                declared_too_large = False
        try:
            body, too_large = await self._read_body(receive)
        except _Disconnected:
            return
        self.metrics.body_bytes += len(body)
        destination = self._authenticated.get(authorization)  # type: ignore[arg-type]
        if destination is None:
            destination = self.destinations.authenticate(authorization)
            if destination is not None and authorization is not None:
                if len(self._authenticated) >= _AUTH_CACHE_SIZE:
                    self._authenticated.clear()
                self._authenticated[authorization] = destination
        dest_name = destination.name if destination is not None else None

        if declared_too_large or too_large:
            message = f"body larger than {self.max_body} bytes; send smaller batches"
            self._quarantine(
                "body_too_large", 413, body, dest_name, scope, message, body_truncated=True
            )
            await _send_json(send, 413, {"error": "body_too_large", "message": message})
            return
        if destination is None:
            message = (
                "missing or wrong credentials: send 'Authorization: Bearer <token>' with a "
                "token configured for a destination"
            )
            self._quarantine("unauthorized", 401, body, None, scope, message)
            await _send_json(send, 401, {"error": "unauthorized", "message": message}, _CHALLENGE)
            return
        if body[:1] == b"{" and content_type in _PLAIN_JSON:
            # Fast path for the common case, one event: no batch bookkeeping, and the accept
            # decision by msgspec from the bytes; pydantic only if that is in doubt.
            try:
                event = orjson.loads(body)
            except orjson.JSONDecodeError:
                event = None  # maybe NDJSON without its Content-Type: the general path
            landing = None
            if type(event) is dict:
                if (
                    json_event_is_valid(body, event, exact=False)
                    and destination.refusal(event["tenant_id"], event["event_type"]) is None
                ) or check_event(event, destination) is None:
                    landing = self._land([event], destination)
            if landing is not None:
                try:
                    await landing
                except LandingUnavailable as exc:
                    await self._landing_failed(send, body, dest_name, scope, exc)
                    return
                self.metrics.accepted += 1
                self.metrics.responses[202] += 1
                await _ACCEPTED_ONE.send(send)
                return
        try:
            verdicts = judge(body, destination, is_ndjson_type(content_type))
        except MalformedBody as exc:
            self._quarantine("malformed_json", 400, body, dest_name, scope, exc.message)
            await _send_json(send, 400, {"error": "malformed_json", "message": exc.message})
            return

        for r in verdicts.rejections:
            extra = {"index": r.index, "line": r.line} if verdicts.batch else {}
            self.quarantine.record(
                r.reason,
                r.status,
                r.raw,
                destination=dest_name,
                remote=_remote(scope),
                errors=r.errors or [{"path": "$", "message": r.message}],
                **extra,
            )
            self.metrics.rejected[(r.reason, r.status)] += 1

        if verdicts.accepted:
            try:
                await self._land(verdicts.accepted, destination)
            except LandingUnavailable as exc:
                await self._landing_failed(send, body, dest_name, scope, exc)
                return
            self.metrics.accepted += len(verdicts.accepted)

        if not verdicts.batch:
            if verdicts.accepted:
                self.metrics.responses[202] += 1
                await _ACCEPTED_ONE.send(send)
                return
            r = verdicts.rejections[0]
            self.metrics.responses[r.status] += 1
            payload = {"error": r.reason, "message": r.message, "event_id": r.event_id}
            if r.errors:
                payload["errors"] = r.errors
            await _send_json(send, r.status, payload)
            return
        await self._send_batch_result(send, verdicts)

    async def _land(self, events: list[dict], destination: Destination) -> None:
        writer = self.writer or self._start_writer()
        await writer.append(format_lines(events, utc_now_text(), destination.name, SOURCE))

    async def _send_batch_result(self, send: Any, verdicts: Any) -> None:
        if not verdicts.rejections:
            # Everything accepted (the common case): one comprehension, no per-index lookups.
            self.metrics.responses[202] += 1
            results = [
                {"index": index, "event_id": event.get("event_id"), "status": 202}
                for index, event in enumerate(verdicts.accepted)
            ]
            payload = {"accepted": len(results), "rejected": 0, "results": results}
            await _send_json(send, 202, payload)
            return
        rejected = {r.index: r for r in verdicts.rejections}
        results = []
        accepted_ids = iter(verdicts.accepted)
        for index in range(verdicts.total):
            r = rejected.get(index)
            if r is None:
                event = next(accepted_ids)
                results.append({"index": index, "event_id": event.get("event_id"), "status": 202})
                continue
            item: dict[str, Any] = {
                "index": index,
                "event_id": r.event_id,
                "status": r.status,
                "error": r.reason,
                "message": r.message,
            }
            if r.line is not None:
                item["line"] = r.line
            if r.errors:
                item["errors"] = r.errors
            results.append(item)
        statuses = {r.status for r in verdicts.rejections}
        if not verdicts.rejections:
            status = 202
        elif not verdicts.accepted and len(statuses) == 1:
            status = statuses.pop()
        else:
            status = 207
        self.metrics.responses[status] += 1
        await _send_json(
            send,
            status,
            {
                "accepted": len(verdicts.accepted),
                "rejected": len(verdicts.rejections),
                "results": results,
            },
        )

    async def _landing_failed(
        self, send: Any, body: bytes, dest_name: str | None, scope: dict, exc: Exception
    ) -> None:
        message = (
            "events could not be stored durably (landing disk full or unwritable); nothing "
            "in this request was accepted; retry later"
        )
        self._quarantine("landing_unavailable", 503, body, dest_name, scope, f"{message}: {exc}")
        await _send_json(
            send, 503, {"error": "landing_unavailable", "message": message}, _RETRY_AFTER
        )

    def _quarantine(
        self,
        reason: str,
        status: int,
        body: bytes,
        dest_name: str | None,
        scope: dict,
        message: str,
        **extra: Any,
    ) -> None:
        self.metrics.rejected[(reason, status)] += 1
        self.metrics.responses[status] += 1
        self.quarantine.record(
            reason,
            status,
            body,
            destination=dest_name,
            remote=_remote(scope),
            errors=[{"path": "$", "message": message}],
            **extra,
        )

    async def _read_body(self, receive: Any) -> tuple[bytes, bool]:
        """(body up to max_body bytes, whether it was longer)."""
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        body = message.get("body", b"")
        if not message.get("more_body", False):
            if len(body) > self.max_body:
                return body[: self.max_body], True
            return body, False
        chunks = [body]
        total = len(body)
        while message.get("more_body", False):
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            total += len(chunk)
            if total <= self.max_body:
                chunks.append(chunk)
            elif total - len(chunk) < self.max_body:
                chunks.append(chunk)  # keep the part up to the cap for the quarantine
            if total > self.max_body + _DRAIN_LIMIT:
                break
        data = b"".join(chunks)
        if total > self.max_body:
            return data[: self.max_body], True
        return data, False


def _remote(scope: dict) -> str | None:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else None
