"""Receiver throughput over TLS, measured with wrk. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_receiver.py [--duration 20] [--connections 64]

Starts ``ccwh serve --workers 2`` on 127.0.0.1 in a throw-away home, then runs
(a) single-event POSTs (unique event_id per request), (b) 1000-event JSON arrays and
(c) 1000-event NDJSON bodies, each with wrk, and prints events/s and latency percentiles;
then the same wrk loads (a) and (b) against a bare granian TLS app that only reads the body
and answers 202: what the HTTP + TLS stack and wrk leave on this box at that moment.
Every 202 means validated and fsync'd. wrk shares the machine's cores with the server, as
on a small production box.
Installs wrk from Debian if it is missing. Figures are recorded in README_receiver.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from machine_info import machine

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


async def bare_app(scope, receive, send) -> None:
    """Calibration: the same granian + TLS stack doing no work, answering 202 at once."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):  # read the whole body, as the receiver does
        pass
    await send(
        {"type": "http.response.start", "status": 202, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"{}"})


def start_bare(home: Path, port: int, workers: int) -> subprocess.Popen:
    tls = home / "tls"
    cmd = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers), "--loop", "uvloop", "--http", "1"]
    cmd += ["--no-access-log", "--log-level", "warning", "--no-ws"]
    cmd += ["--ssl-certificate", str(tls / "cert.pem"), "--ssl-keyfile", str(tls / "key.pem")]
    cmd += ["bench_receiver:bare_app"]
    proc = subprocess.Popen(cmd, cwd=HERE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(4)
    return proc


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found; installing it from Debian (apt-get install -y wrk)", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, workers: int, token: str) -> subprocess.Popen:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(token.encode()).hexdigest()
    (config / "destinations.yaml").write_text(
        "destinations:\n"
        f'  central:\n    token_sha256: "{digest}"\n    tenants: [acme]\n'
        "routes:\n  acme:\n    central: ['*']\n"
    )
    cmd = [sys.executable, "-m", "ccwh.cli", "--home", str(home), "serve"]
    cmd += ["--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cert = home / "tls" / "cert.pem"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()}")
        if cert.exists():
            try:
                url = f"https://127.0.0.1:{port}/healthz"
                if requests.get(url, verify=str(cert), timeout=2).status_code == 200:
                    time.sleep(1)  # let the second worker come up too
                    return proc
            except requests.ConnectionError:
                pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start in 60 s")


def run_wrk(wrk: str, script: str, url: str, connections: int, duration: int, env: dict) -> dict:
    # Each run starts with the earlier runs' landed data on disk: without this, the kernel's
    # writeback of the previous run's ~2 GB of segments competes with the next run for the
    # 2 cores and the disk (the NDJSON run, after the arrays, lost ~4 % to it).
    os.sync()
    cmd = [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    cmd += ["-s", str(HERE / script), url]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def fsync_line(home: Path, port: int) -> str:
    """Group commits and their mean fdatasync time so far, from one worker's /metrics."""
    cert = str(home / "tls" / "cert.pem")
    text = requests.get(f"https://127.0.0.1:{port}/metrics", verify=cert, timeout=10).text
    values = {}
    for line in text.splitlines():
        for name in ("ccwh_landing_fsync_seconds_sum", "ccwh_landing_fsync_seconds_count"):
            if line.startswith(name + "{"):
                values[name] = float(line.rsplit(" ", 1)[1])
    count = values.get("ccwh_landing_fsync_seconds_count", 0)
    mean = values.get("ccwh_landing_fsync_seconds_sum", 0) / count if count else 0
    return f"one worker: {count:,.0f} group commits, mean fdatasync {mean * 1000:.2f} ms"


def count_landed(home: Path) -> int:
    total = 0
    for folder in ("ready", "open"):
        for path in (home / "landing" / folder).glob("*.ndjson"):
            with open(path, "rb") as f:
                total += sum(chunk.count(b"\n") for chunk in iter(lambda f=f: f.read(1 << 20), b""))
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--duration", type=int, default=20, help="seconds per wrk run (default 20)")
    ap.add_argument("--connections", type=int, default=64, help="single-event connections")
    ap.add_argument("--batch-connections", type=int, default=8, help="batch connections")
    ap.add_argument("--batch-size", type=int, default=1000, help="events per batch request")
    ap.add_argument("--workers", type=int, default=2, help="receiver worker processes")
    ap.add_argument("--keep", action="store_true", help="keep the temporary home")
    ap.add_argument(
        "--no-calibrate",
        action="store_true",
        help="skip the bare-granian run that shows this box's TLS ceiling right now",
    )
    args = ap.parse_args()

    wrk = ensure_wrk()
    home = Path(tempfile.mkdtemp(prefix="ccwh-bench-"))
    token = secrets.token_urlsafe(24)
    port = free_port()
    env = dict(os.environ, CCWH_BENCH_TOKEN=token, CCWH_BENCH_BATCH=str(args.batch_size))
    url = f"https://127.0.0.1:{port}/events"
    print(f"machine: {machine()}")
    print(f"receiver: ccwh serve --workers {args.workers}, TLS, home {home}", flush=True)
    proc = start_server(home, port, args.workers, token)
    try:
        single = run_wrk(wrk, "receiver_single.lua", url, args.connections, args.duration, env)
        secs = single["duration_us"] / 1e6
        print(
            f"(a) single-event POSTs, {args.connections} connections, {secs:.0f} s: "
            f"{single['accepted'] / secs:,.0f} events/s accepted (202); "
            f"p50 {single['p50_us'] / 1000:.2f} ms, p90 {single['p90_us'] / 1000:.2f} ms, "
            f"p99 {single['p99_us'] / 1000:.2f} ms; non-2xx {single['other']}, "
            f"socket errors {single['socket_errors']}",
            flush=True,
        )
        batch_accepted = 0
        for label, fmt in (("b", "JSON arrays"), ("c", "NDJSON bodies")):
            fmt_env = dict(env, CCWH_BENCH_FORMAT="ndjson" if label == "c" else "json")
            batch = run_wrk(
                wrk, "receiver_batch.lua", url, args.batch_connections, args.duration, fmt_env
            )
            batch_accepted += batch["accepted"]
            secs = batch["duration_us"] / 1e6
            events = batch["accepted"] * args.batch_size
            print(
                f"({label}) {args.batch_size}-event {fmt}, {args.batch_connections} connections, "
                f"{secs:.0f} s: {events / secs:,.0f} events/s accepted "
                f"({batch['accepted'] / secs:,.1f} requests/s); "
                f"p50 {batch['p50_us'] / 1000:.1f} ms, p99 {batch['p99_us'] / 1000:.1f} ms; "
                f"non-2xx {batch['other']}",
                flush=True,
            )
        print(fsync_line(home, port), flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
    if not args.no_calibrate:
        bare = start_bare(home, port, args.workers)
        try:
            ceiling = run_wrk(wrk, "receiver_single.lua", url, args.connections, args.duration, env)
            fmt_env = dict(env, CCWH_BENCH_FORMAT="json")
            batch_ceiling = run_wrk(
                wrk, "receiver_batch.lua", url, args.batch_connections, args.duration, fmt_env
            )
        finally:
            bare.send_signal(signal.SIGTERM)
            bare.wait(60)
        secs = ceiling["duration_us"] / 1e6
        print(
            f"(d) calibration, bare granian TLS app doing nothing, same load as (a): "
            f"{ceiling['accepted'] / secs:,.0f} requests/s; p50 {ceiling['p50_us'] / 1000:.2f} ms",
            flush=True,
        )
        secs = batch_ceiling["duration_us"] / 1e6
        print(
            f"(e) calibration, the same bare app reading {args.batch_size}-event JSON arrays, "
            f"same load as (b): {batch_ceiling['accepted'] * args.batch_size / secs:,.0f} "
            f"events/s; p50 {batch_ceiling['p50_us'] / 1000:.1f} ms",
            flush=True,
        )
    expected = single["accepted"] + batch_accepted * args.batch_size
    landed = count_landed(home)
    print(
        f"server exit {code}; lines landed {landed:,} (202'd events {expected:,}: landed >= 202'd)"
    )
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
