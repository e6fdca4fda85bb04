"""Helpers for the receiver/landing/ingest tests: events, destinations files, real servers."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
TOKEN = "central-test-token-0123456789"
OTHER_TOKEN = "partner-test-token-9876543210"

DESTINATIONS_YAML = f"""\
destinations:
  central:
    token_sha256: "{hashlib.sha256(TOKEN.encode()).hexdigest()}"
    tenants: [acme, globex, initech]
  partner:
    token_env: CCWH_TEST_PARTNER_TOKEN
    tenants: [acme]
routes:
  acme:
    central: ["*"]
    partner: [queue_call]
  globex:
    central: [queue_call, agent_status]
"""


def queue_event(event_id: str, tenant: str = "acme", event_type: str = "queue_call") -> dict:
    return {
        "event_id": event_id,
        "event_type": event_type,
        "schema_version": 1,
        "tenant_id": tenant,
        "occurred_at": "2026-11-22T10:00:30+01:00",
        "data": {
            "interaction_id": f"i-{event_id}",
            "queue_id": "q1",
            "entered_at": "2026-11-22T10:00:00+01:00",
            "answered_at": "2026-11-22T10:00:12+01:00",
            "left_at": "2026-11-22T10:00:30+01:00",
            "outcome": "answered",
            "custom_field": {"kept": True},
        },
    }


def status_event(event_id: str, tenant: str = "acme") -> dict:
    return {
        "event_id": event_id,
        "event_type": "agent_status",
        "schema_version": 1,
        "tenant_id": tenant,
        "occurred_at": "2026-11-22T10:05:00Z",
        "data": {
            "agent_id": "a1",
            "session_id": "s1",
            "status": "available",
            "started_at": "2026-11-22T10:00:00Z",
            "ended_at": "2026-11-22T10:05:00Z",
        },
    }


def write_destinations(home: Path, text: str = DESTINATIONS_YAML) -> Path:
    path = home / "config" / "destinations.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ccwh(home: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run the ccwh CLI in a subprocess and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "ccwh.cli", "--home", str(home), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        **kwargs,
    )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["CCWH_TEST_PARTNER_TOKEN"] = OTHER_TOKEN
    env["PYTHONPATH"] = str(REPO)
    return env


class Server:
    """A real ``ccwh serve`` subprocess on 127.0.0.1 with a free port."""

    def __init__(self, home: Path, *extra: str, prefix: list[str] | None = None):
        self.home = home
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.cert = home / "tls" / "cert.pem"
        cmd = [sys.executable, "-m", "ccwh.cli", "--home", str(home), "serve"]
        cmd += ["--port", str(self.port), *extra]
        self.log_path = home.parent / f"server-{self.port}.log"
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                (prefix or []) + cmd, cwd=REPO, env=_env(), stdout=log, stderr=subprocess.STDOUT
            )
        self.session = requests.Session()
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}:\n{self.output()}")
            if self.cert.exists():
                try:
                    r = requests.get(f"{self.url}/healthz", verify=str(self.cert), timeout=2)
                    if r.status_code == 200:
                        return
                except requests.ConnectionError:
                    pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not become ready:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text()

    def post(self, body, token: str | None = TOKEN, headers: dict | None = None, **kw):
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            hdrs.setdefault("Content-Type", "application/json")
        return self.session.post(
            f"{self.url}/events", data=body, headers=hdrs, verify=str(self.cert), timeout=30, **kw
        )

    def get(self, path: str) -> requests.Response:
        return self.session.get(f"{self.url}{path}", verify=str(self.cert), timeout=10)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM and wait: the graceful path."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self.session.close()
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.session.close()


def landed_lines(home: Path, folder: str = "ready") -> list[dict]:
    out = []
    for path in sorted((home / "landing" / folder).glob("*.ndjson")):
        out += [json.loads(line) for line in path.read_text().splitlines()]
    return out


def quarantine_records(home: Path) -> list[dict]:
    out = []
    for path in sorted((home / "landing" / "quarantine").glob("*.ndjson")):
        out += [json.loads(line) for line in path.read_text().splitlines() if line]
    return out
