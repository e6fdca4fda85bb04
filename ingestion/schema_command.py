"""``ccwh schema``: print the event contract as JSON Schema, or check events against it."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "print the event JSON Schema, or validate event files against it"
DESCRIPTION = """Print the JSON Schema of the event contract (DESIGN §3), for senders.

With FILE arguments, validate each event in them instead (JSON object, JSON array or NDJSON)
and print every problem with its file, line and JSON path; nothing is landed. To land events,
use `ccwh ingest`."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="*", metavar="FILE", help="event files to check")
    p.add_argument("--schema-version", type=int, default=1, help="schema version (default 1)")


def run(args: argparse.Namespace) -> int:
    from ingestion.schemas import SCHEMAS, json_schema

    if args.schema_version not in SCHEMAS:
        print(
            f"ccwh schema: unknown --schema-version {args.schema_version} "
            f"(known: {sorted(SCHEMAS)})",
            file=sys.stderr,
        )
        return 2
    if not args.files:
        json.dump(json_schema(args.schema_version), sys.stdout, indent=2)
        print()
        return 0
    from ingestion.intake import check_files

    return check_files(args.files)
