"""Helpers for tests/test_superset.py: Chromium, the Superset virtualenv, a small published
warehouse, registry rows, and a Superset server on a free port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SS_VENV = REPO / ".venv-superset"
SS_PY = SS_VENV / "bin" / "python"
MANAGE = REPO / "superset" / "manage.py"
ARTIFACTS = REPO / "test-artifacts" / "superset"

if str(REPO) not in sys.path:  # superset/ (sync, api, bundle) as a namespace package
    sys.path.insert(0, str(REPO))

ENV = {
    **os.environ,
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "PYTHONUNBUFFERED": "1",
}


def log(msg: str) -> None:
    print(f"[superset test {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def ensure_chromium() -> None:
    """Debian chromium + chromium-driver, installed with apt when missing (root only)."""
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        why = "chromium/chromium-driver missing and cannot apt-get install them here"
        if os.environ.get("CI"):  # in CI a missing browser is a failure, never a skip
            pytest.fail(f"{why} (`make test` installs them as root)")
        pytest.skip(why)
    log("installing chromium and chromium-driver with apt…")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"], check=True, env=env
    )


def ensure_superset_venv() -> None:
    if (SS_VENV / "bin" / "superset").exists() and (SS_VENV / "bin" / "gunicorn").exists():
        return
    log("installing the Superset virtualenv (superset/manage.sh install)…")
    subprocess.run([str(REPO / "superset" / "manage.sh"), "install"], check=True, env=ENV)


def ccwh(home: Path, *args: str, timeout: float = 1800) -> None:
    cmd = [sys.executable, "-m", "ccwh.cli", "--home", str(home), *args]
    r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{' '.join(args)} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"


def build_warehouse(home: Path) -> None:
    """simulate (2 tenants, 2 days) -> ingest -> build (load, dbt, checks, publish)."""
    events = home.parent / "events.ndjson"
    start = (datetime.now(UTC).date() - timedelta(days=3)).isoformat()
    ccwh(
        home, "simulate", "--tenants", "2", "--days", "2", "--start", start,
        "--calls-per-queue-day", "60", "--clients-per-campaign-day", "30",
        "--out", str(events), "--no-progress",
    )  # fmt: skip
    ccwh(home, "ingest", str(events))
    ccwh(home, "build")


def seed_registry(home: Path, tenants: list[str]) -> dict[str, dict[str, int]]:
    """A few finished and failed report runs per tenant, through the registry's own API."""
    from exports.registry import Registry

    reg = Registry.for_home(type("H", (), {"root": home})())
    expected: dict[str, dict[str, int]] = {}
    now = datetime.now(UTC)
    for i, tenant in enumerate(tenants):
        runs = failed = records = 0
        for j in range(3 + i):
            rid = reg.create_run(
                tenant=tenant, report_name=f"daily-{j % 2}", report_type="all_attempts",
                scope="campaign", trigger="schedule", timeframe="yesterday",
                requested_by="scheduler", portfolio=None, channel=None, event_type=None,
                at=now - timedelta(hours=5 * j),
            )  # fmt: skip
            reg.mark_processing(rid, "scheduler", tenant)
            runs += 1
            if j == 1:
                reg.fail_run(
                    rid, actor="scheduler", tenant=tenant, error="SFTP: connection refused"
                )
                failed += 1
            else:
                n = 100 * (j + 1) + i
                reg.finish_run(
                    rid, actor="scheduler", tenant=tenant, record_count=n,
                    file_path=f"/tmp/{tenant}-{rid}.csv", file_bytes=10 * n, deliveries=[],
                )  # fmt: skip
                records += n
        expected[tenant] = {"runs": runs, "failed": failed, "records": records}
    return expected


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(home: Path, *args: str, timeout: float = 1800) -> str:
    r = subprocess.run(
        [str(SS_PY), str(MANAGE), "--home", str(home), *args],
        env={**ENV, "CCWH_SUPERSET_ADMIN_PASSWORD": "ccwh-test-admin"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert r.returncode == 0, f"manage {args[0]} failed:\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return r.stdout


class Server:
    def __init__(self, home: Path):
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home / "superset" / "test-server.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Server:
        import requests

        out = open(self.log, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(SS_PY), str(MANAGE), "--home", str(self.home), "serve", "--port", str(self.port),
             "--no-sync"],
            env={**ENV, "CCWH_SUPERSET_ADMIN_PASSWORD": "ccwh-test-admin"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if requests.get(f"{self.url}/health", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise AssertionError(f"Superset did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> int | None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: manage.py stops gunicorn cleanly
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None


def browse(
    url: str,
    user: str,
    password: str,
    dashboards: list[str],
    shots: Path | None,
    runs: int = 1,
    time_filter: str | None = None,
    cache_report: bool = False,
) -> dict:
    cmd = [str(SS_PY), str(REPO / "superset" / "browser.py"), "--url", url, "--user", user,
           "--password", password, "--runs", str(runs)]  # fmt: skip
    for d in dashboards:
        cmd += ["--dashboard", d]
    if shots:
        cmd += ["--screenshots", str(shots)]
    if time_filter:
        cmd += ["--time-filter", time_filter]
    if cache_report:
        cmd += ["--cache-report"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, env=ENV)
    assert r.returncode == 0, f"browser failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return json.loads(r.stdout)
