"""``ccwh serve``: run the HTTPS event receiver (granian ASGI server, TLS always)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HELP = "run the HTTPS event receiver (POST /events)"
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
DESCRIPTION = """Run the HTTPS event receiver: POST /events, GET /healthz, GET /metrics.

At start it recovers orphaned landing segments, validates the destinations file (exits 2 if
it is invalid, naming each bad line) and, unless --cert/--key are given, creates a
self-signed certificate in <home>/tls/ (clients verify against <home>/tls/cert.pem).
Ctrl-C or SIGTERM: stop accepting, finish in-flight requests, close the open segment into
landing/ready, exit 0. See docs/receiver.md."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    # landing.py is light (stdlib + orjson), so `ccwh --help` stays fast
    from ingestion.landing import DEFAULT_SEGMENT_MAX_AGE, DEFAULT_SEGMENT_MAX_BYTES

    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8443, help="port (default 8443)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes, each with its own landing segment (default 1)",
    )
    p.add_argument(
        "--destinations", help="destinations file (default <home>/config/destinations.yaml)"
    )
    p.add_argument("--cert", help="TLS certificate (PEM); default: self-signed in <home>/tls/")
    p.add_argument("--key", help="TLS private key (PEM), with --cert")
    p.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        help=f"largest request body accepted, larger gets 413 (default {DEFAULT_MAX_BODY_BYTES})",
    )
    p.add_argument(
        "--segment-max-bytes",
        type=int,
        default=DEFAULT_SEGMENT_MAX_BYTES,
        help=f"close a segment into ready/ at this size (default {DEFAULT_SEGMENT_MAX_BYTES})",
    )
    p.add_argument(
        "--segment-max-age",
        type=float,
        default=DEFAULT_SEGMENT_MAX_AGE,
        help=f"close a non-empty segment this many seconds after it opened "
        f"(default {DEFAULT_SEGMENT_MAX_AGE})",
    )
    p.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log level (default warning)",
    )


def run(args: argparse.Namespace) -> int:
    from ingestion.destinations import DestinationsError, load_destinations
    from ingestion.landing import recover_orphans
    from ingestion.receiver import CONFIG_ENV, ReceiverConfig
    from ingestion.tls import ensure_certificate

    if (args.cert is None) != (args.key is None):
        print("ccwh serve: give both --cert and --key, or neither", file=sys.stderr)
        return 2
    for name in ("max_body_bytes", "segment_max_bytes", "workers"):
        if getattr(args, name) < 1:
            print(f"ccwh serve: --{name.replace('_', '-')} must be at least 1", file=sys.stderr)
            return 2
    if args.segment_max_age <= 0:
        print("ccwh serve: --segment-max-age must be more than 0 seconds", file=sys.stderr)
        return 2
    home = args.home.ensure()
    destinations_file = (
        Path(args.destinations).resolve() if args.destinations else home.destinations_file
    )
    try:
        dests = load_destinations(destinations_file)
    except DestinationsError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"ccwh serve: {destinations_file} is invalid; fix it (ccwh destinations check)",
            file=sys.stderr,
        )
        return 2
    recovered = recover_orphans(home)
    if recovered:
        print(f"recovered {len(recovered)} orphan segment(s) into {home.landing_ready}")
    if args.cert:
        cert, key = Path(args.cert).resolve(), Path(args.key).resolve()
    else:
        cert, key = ensure_certificate(home.tls_dir, [args.host])
    config = ReceiverConfig(
        home=str(home.root),
        destinations_file=str(destinations_file),
        max_body_bytes=args.max_body_bytes,
        segment_max_bytes=args.segment_max_bytes,
        segment_max_age=args.segment_max_age,
    )
    os.environ[CONFIG_ENV] = config.to_env()
    print(
        f"ccwh receiver: https://{args.host}:{args.port}/events  ({args.workers} worker(s), "
        f"{len(dests.by_name)} destination(s) from {destinations_file})"
    )
    print(f"certificate: {cert}  (clients verify with it, e.g. curl --cacert {cert})")
    print(f"landing: {home.landing}", flush=True)
    return _serve(args, cert, key)


def _serve(args: argparse.Namespace, cert: Path, key: Path) -> int:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops, SSLProtocols
    from granian.log import LogLevels

    # granian: HTTP parsing and TLS run in Rust, the app in Python; measured here it doubles
    # the TLS ceiling of uvicorn + httptools (benchmarks/README_receiver.md). It handles
    # SIGINT/SIGTERM itself: workers run the lifespan shutdown (closing the open segment
    # into ready/) and the server returns.
    Granian(
        "ingestion.receiver:app_from_env",
        factory=True,
        address=args.host,
        port=args.port,
        interface=Interfaces.ASGI,
        workers=args.workers,
        loop=Loops.uvloop,
        http=HTTPModes.http1,
        websockets=False,
        backlog=4096,
        ssl_cert=cert,
        ssl_key=key,
        ssl_protocol_min=SSLProtocols.tls12,  # platforms still send TLS 1.2
        log_level=LogLevels(args.log_level),
        log_access=False,
        workers_kill_timeout=15,
        respawn_failed_workers=True,  # a crashed worker is replaced; it recovers the segment
    ).serve()
    print("ccwh receiver stopped; open segment closed into landing/ready", flush=True)
    return 0
