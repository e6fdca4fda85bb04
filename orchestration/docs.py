"""``make docs``: build the dbt docs against the current warehouse and serve them.

``python -m orchestration.docs [--home DIR] [--host 127.0.0.1] [--port 8080] [--no-serve]``
runs ``dbt docs generate`` with its target in ``<home>/dbt/docs`` (the catalog reads the
column types from ``<home>/warehouse/ccwh.duckdb``), then ``dbt docs serve --host 127.0.0.1
--port 8080 --no-browser`` from there until Ctrl-C.

DuckDB allows one process on the warehouse file, so ``generate`` takes the writer lock: it
waits for a running pipeline, and no run starts while it reads (a few seconds). Serving reads
only the generated files and holds nothing.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

from ccwh.paths import DBT_PROJECT_DIR, HOME_ENV, Home
from orchestration.dev import WAREHOUSE_ENV


def dbt() -> str:
    return os.path.join(os.path.dirname(sys.executable), "dbt")


def generate(home: Home, env: dict[str, str]) -> int:
    from ccwh.warehouse import writer_lock

    target = home.dbt_dir / "docs"
    if not home.warehouse.exists():
        print(
            f"{home.warehouse}: no warehouse yet; run `ccwh build` (or `make demo`) first, the "
            "docs' catalog (column types, row counts) is read from it",
            file=sys.stderr,
        )
        return 1
    with writer_lock(home):
        return subprocess.call(
            [
                dbt(),
                "docs",
                "generate",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(target),
                "--log-path",
                str(home.dbt_dir / "logs"),
            ],
            env=env,
        )


def main(argv: list[str] | None = None) -> int:  # returns only when not serving
    parser = argparse.ArgumentParser(prog="python -m orchestration.docs")
    parser.add_argument("--home", help=f"data directory (default: ${HOME_ENV}, else ./.ccwh)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--no-serve", action="store_true", help="only generate the docs")
    args = parser.parse_args(argv)

    home = Home.resolve(args.home).ensure()
    env = {
        **os.environ,
        "DO_NOT_TRACK": os.environ.get("DO_NOT_TRACK", "1"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        HOME_ENV: str(home.root),
        WAREHOUSE_ENV: str(home.warehouse),
    }
    code = generate(home, env)
    if code or args.no_serve:
        return code
    target = home.dbt_dir / "docs"
    print(f"dbt docs: http://{args.host}:{args.port} (from {target}); Ctrl-C stops it", flush=True)
    serve = [
        dbt(),
        "docs",
        "serve",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--no-browser",
    ]
    # Same trap as dagster dev (orchestration/dev.py): undo an inherited "ignore SIGINT".
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    os.chdir(target)  # dbt docs serve serves the current directory's files in some versions
    os.execve(serve[0], serve, env)


if __name__ == "__main__":
    sys.exit(main())
