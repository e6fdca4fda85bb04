"""``make dagster``: the Dagster webserver and daemon for ``workspace.yaml``.

``python -m orchestration.dev [--home DIR] [--host 127.0.0.1] [--port 3000]`` sets
``CCWH_HOME`` (default ``./.ccwh``) and ``DAGSTER_HOME=$CCWH_HOME/dagster`` (with the
dagster.yaml ``ccwh build`` writes: telemetry off, one pipeline run at a time), then replaces
itself with ``dagster dev -w workspace.yaml -h HOST -p PORT``.

Signals: a process started in the background by a non-interactive shell (a script, make
under some CI runners) inherits SIGINT as *ignored*; Python then keeps ignoring it, and
``dagster dev`` maps SIGTERM to whatever SIGINT does, so neither Ctrl-C nor ``kill`` would
stop it (STACK.md). Both are reset to their defaults before the exec, so Ctrl-C and SIGTERM
shut the webserver, the daemon and the code server down cleanly.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import NoReturn

from ccwh.paths import HOME_ENV, REPO_ROOT, Home
from orchestration.build import write_dagster_yaml

WAREHOUSE_ENV = "CCWH_WAREHOUSE"  # = orchestration.resources.WAREHOUSE_ENV (no dagster import)


def command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-w",
        str(REPO_ROOT / "workspace.yaml"),
        "-h",
        host,
        "-p",
        str(port),
    ]


def environment(home: Home) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    env[HOME_ENV] = str(home.root)
    env["DAGSTER_HOME"] = str(home.dagster_home)
    # dbt's partial-parse cache is keyed on the rendered profile: parse for this warehouse.
    env[WAREHOUSE_ENV] = str(home.warehouse)
    return env


def main(argv: list[str] | None = None) -> NoReturn:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.dev", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--home", help=f"data directory (default: ${HOME_ENV}, else ./.ccwh)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)

    home = Home.resolve(args.home).ensure()
    write_dagster_yaml(home)
    argv_dev = command(args.host, args.port)
    print(
        f"dagster dev: http://{args.host}:{args.port}  (CCWH_HOME={home.root}, "
        f"DAGSTER_HOME={home.dagster_home}); Ctrl-C stops it",
        flush=True,
    )
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    os.chdir(REPO_ROOT)  # workspace.yaml's working_directory is "."
    os.execve(argv_dev[0], argv_dev, environment(home))


if __name__ == "__main__":
    main()
