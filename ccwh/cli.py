"""The ``ccwh`` command line.

Each subcommand lives in its own module, which exposes ``HELP`` (one line), ``DESCRIPTION``
(optional, longer), ``add_arguments(parser)`` and ``run(args) -> int``. Modules keep heavy
imports (dagster, dbt, duckdb) inside ``run`` so that ``ccwh --help`` stays fast. Every
command gets ``args.home``: the resolved data directory (``--home`` / ``$CCWH_HOME`` /
``./.ccwh``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ccwh.paths import HOME_ENV, Home

# name -> module implementing it, in the order --help lists them
COMMANDS: dict[str, str] = {
    "demo": "ccwh.demo",
    "serve": "ingestion.server",
    "simulate": "ingestion.simulator.command",
    "ingest": "ingestion.ingest",
    "build": "orchestration.build",
    "sql": "ccwh.sql",
    "report": "exports.command",
    "schema": "ingestion.schema_command",
    "destinations": "ingestion.destinations_command",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only``, just that subcommand's module is imported (fast start)."""
    parser = argparse.ArgumentParser(
        prog="ccwh",
        description="Contact-centre reporting warehouse: receive platform events over HTTPS, "
        "load them into DuckDB, model them with dbt, publish a read-only copy for readers.",
    )
    parser.add_argument(
        "--home",
        default=None,
        help=f"data directory of this install (default: ${HOME_ENV}, else ./.ccwh)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            continue
        module = importlib.import_module(module_name)
        p = sub.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def _command_in(argv: list[str]) -> str | None:
    """The subcommand named in argv (skipping the global --home option), if any."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--home":
            skip = True
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(only=_command_in(argv))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    args.home = Home.resolve(args.home)
    try:
        return int(args._module.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
