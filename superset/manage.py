"""ccwh's Superset: bootstrap, serve, stop, sync, bundle. Run through superset/manage.sh.

Runs with the Superset virtualenv's Python (``.venv-superset``); the ``superset`` command it
drives comes from the same virtualenv. Everything Superset keeps goes to ``<home>/superset/``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
ADMIN = "admin"


def superset_home(home: Path) -> Path:
    return home / "superset"


def environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "SUPERSET_CONFIG_PATH": str(HERE / "superset_config.py"),
            "CCWH_HOME": str(home),
            "CCWH_SUPERSET_HOME": str(superset_home(home)),
            "SUPERSET_HOME": str(superset_home(home)),
            "FLASK_APP": "superset",
            "DO_NOT_TRACK": "1",
            "SCARF_ANALYTICS": "false",
            "SUPERSET_LOAD_EXAMPLES": "no",
        }
    )
    return env


def superset(home: Path, *args: str, quiet: bool = True) -> None:
    cmd = [str(BIN / "superset"), *args]
    r = subprocess.run(
        cmd, env=environment(home), cwd=superset_home(home), capture_output=quiet, text=True
    )
    if r.returncode != 0:
        if quiet:
            sys.stderr.write((r.stdout or "")[-3000:] + (r.stderr or "")[-3000:])
        raise SystemExit(f"manage: `superset {' '.join(args[:2])}` failed ({r.returncode})")


def admin_password(home: Path) -> tuple[str, bool]:
    """(password, generated now). From CCWH_SUPERSET_ADMIN_PASSWORD, else the file in the home,
    else a new random one written there with mode 0600."""
    env = os.environ.get("CCWH_SUPERSET_ADMIN_PASSWORD")
    path = superset_home(home) / "admin_password"
    if env:
        return env, False
    if path.exists():
        return path.read_text().strip(), False
    password = secrets.token_urlsafe(18)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    return password, True


def admin_exists(home: Path) -> bool:
    db = superset_home(home) / "superset.db"
    if not db.exists():
        return False
    con = sqlite3.connect(db)
    try:
        return bool(con.execute("select 1 from ab_user where username = ?", (ADMIN,)).fetchone())
    except sqlite3.Error:
        return False
    finally:
        con.close()


def ensure_registry(home: Path) -> None:
    """The report-run registry exists before Superset points ccwh_ops at it (read-only)."""
    sys.path.insert(0, str(REPO))
    try:
        from exports.registry import Registry  # stdlib only

        Registry.for_home(type("H", (), {"root": home})())
    finally:
        sys.path.remove(str(REPO))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 180) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"manage: Superset exited with {proc.returncode} while starting")
        try:
            if requests.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"manage: Superset did not answer at {url} within {timeout:.0f} s")


def server_command(home: Path, host: str, port: int, workers: int, threads: int) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--timeout", "180",
        "--graceful-timeout", "10",
        "--pid", str(superset_home(home) / "superset.pid"),
        "--error-logfile", "-",
        "--log-level", "warning",
        "superset.app:create_app()",
    ]  # fmt: skip


def start_server(
    home: Path, host: str, port: int, log: Path | None = None, workers: int = 2, threads: int = 8
) -> subprocess.Popen:
    out = open(log, "ab") if log else None  # noqa: SIM115
    proc = subprocess.Popen(
        server_command(home, host, port, workers, threads),
        env=environment(home),
        cwd=superset_home(home),
        stdout=out,
        stderr=subprocess.STDOUT if out else None,
        start_new_session=True,
    )
    (superset_home(home) / "server.json").write_text(
        json.dumps({"url": f"http://{host}:{port}", "pid": proc.pid})
    )
    return proc


def stop_process(proc: subprocess.Popen, timeout: float = 30) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- commands --------------------------------------------------------------------------------


def cmd_bootstrap(home: Path, args) -> int:
    t0 = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - t0:5.0f} s] bootstrap: {text}", flush=True)

    sh = superset_home(home)
    sh.mkdir(parents=True, exist_ok=True)
    (sh / "tenants").mkdir(exist_ok=True)
    password, generated = admin_password(home)
    say("metadata database upgrade…")
    superset(home, "db", "upgrade")
    if not admin_exists(home):
        superset(
            home, "fab", "create-admin", "--username", ADMIN, "--firstname", "ccwh",
            "--lastname", "admin", "--email", "admin@ccwh.invalid", "--password", password,
        )  # fmt: skip
    elif os.environ.get("CCWH_SUPERSET_ADMIN_PASSWORD"):
        superset(home, "fab", "reset-password", "--username", ADMIN, "--password", password)
    say("superset init (roles and permissions)…")
    superset(home, "init")
    ensure_registry(home)
    # Import, tenants, roles and RLS go through the REST API (the same code the pipeline's sync
    # runs), against a temporary server on a free port.
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    say(f"starting a temporary server on {url}…")
    proc = start_server(home, "127.0.0.1", port, log=sh / "bootstrap.log")
    try:
        wait_healthy(url, proc)
        say("import, tenant databases, roles, RLS, warm-up through the REST API…")
        sys.path.insert(0, str(HERE))
        import sync as sync_mod

        os.environ.setdefault("CCWH_SUPERSET_ADMIN_PASSWORD", password)
        summary = sync_mod.sync(home, url, warm=not args.no_warm, force_import=True)
    finally:
        stop_process(proc)
        (sh / "server.json").unlink(missing_ok=True)
    for s in summary["skipped"]:
        print(f"  not yet (mart missing): {s}")
    say(
        f"done — dashboards: {', '.join(sorted(summary['dashboards']))}; "
        f"tenants: {', '.join(summary['tenants'])}"
    )
    if generated:
        print(
            f"\n  Superset admin login: {ADMIN} / {password}\n"
            f"  (generated once; stored 0600 in {sh / 'admin_password'})\n"
        )
    return 0


def cmd_serve(home: Path, args) -> int:
    sh = superset_home(home)
    if not (sh / "superset.db").exists():
        raise SystemExit(f"manage: no Superset in {sh}; run `superset/manage.sh bootstrap` first")
    url = f"http://{args.host}:{args.port}"
    proc = start_server(home, args.host, args.port, workers=args.workers, threads=args.threads)

    def forward(signum, _frame):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        wait_healthy(url, proc)
        print(f"Superset: {url}/  (log in as {ADMIN}; Ctrl-C stops it)", flush=True)
        if args.sync:
            sys.path.insert(0, str(HERE))
            import sync as sync_mod

            try:
                s = sync_mod.sync(home, url)
                print(
                    f"synced: {s['charts_warmed']} charts warmed in {s['seconds']} s, "
                    f"{len(s['warm_errors'])} errors {s['warm_errors'][:3]}",
                    flush=True,
                )
            except Exception as e:  # the server keeps running
                print(f"sync failed: {e}", file=sys.stderr, flush=True)
        while proc.poll() is None:
            try:
                proc.wait()
            except KeyboardInterrupt:
                forward(signal.SIGINT, None)
    finally:
        if proc.poll() is None:
            stop_process(proc)
        (sh / "server.json").unlink(missing_ok=True)
    print("Superset stopped.", flush=True)
    return 0


def cmd_stop(home: Path, args) -> int:
    pidfile = superset_home(home) / "superset.pid"
    info = superset_home(home) / "server.json"
    pids = []
    if info.exists():
        try:
            pids.append(int(json.loads(info.read_text())["pid"]))
        except (ValueError, KeyError):
            pass
    if pidfile.exists():
        pids.append(int(pidfile.read_text().strip()))
    stopped = False
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
            stopped = True
        except ProcessLookupError:
            continue
        for _ in range(300):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
    print("Superset stopped." if stopped else "Superset was not running.")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="superset/manage.sh", description=__doc__)
    p.add_argument("--home", default=os.environ.get("CCWH_HOME", ".ccwh"))
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bootstrap", help="metadata DB, admin, init, import, tenants, roles, RLS")
    b.add_argument("--no-warm", action="store_true")
    s = sub.add_parser("serve", help="serve on 127.0.0.1:8088 (foreground; Ctrl-C/SIGTERM stop)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=int(os.environ.get("CCWH_SUPERSET_PORT", 8088)))
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--threads", type=int, default=8)
    s.add_argument("--no-sync", dest="sync", action="store_false", help="skip the sync at start")
    sub.add_parser("stop", help="stop a server started by serve")
    y = sub.add_parser("sync", help="sync datasets, tenants, RLS, warm caches (server running)")
    y.add_argument("--url")
    y.add_argument("--no-warm", action="store_true")
    y.add_argument("--force-import", action="store_true")
    n = sub.add_parser("bundle", help="write the import bundle ZIP")
    n.add_argument("--out", required=True)
    args = p.parse_args(argv)
    home = Path(args.home).expanduser().resolve()
    if args.cmd == "bootstrap":
        return cmd_bootstrap(home, args)
    if args.cmd == "serve":
        return cmd_serve(home, args)
    if args.cmd == "stop":
        return cmd_stop(home, args)
    sys.path.insert(0, str(HERE))
    if args.cmd == "sync":
        import sync as sync_mod

        extra = ["--home", str(home)] + (["--url", args.url] if args.url else [])
        extra += ["--no-warm"] if args.no_warm else []
        extra += ["--force-import"] if args.force_import else []
        return sync_mod.main(extra)
    if args.cmd == "bundle":
        import bundle

        return bundle.main(["--home", str(home), "--out", args.out])
    return 2


if __name__ == "__main__":
    sys.exit(main())
