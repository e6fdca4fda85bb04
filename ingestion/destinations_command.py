"""``ccwh destinations``: check the destinations file, hash tokens, write a starter file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "check the receiver's destinations file, hash a token, or write a starter file"
DESCRIPTION = """Manage the receiver's destinations file (default <home>/config/destinations.yaml).

  ccwh destinations check [FILE]          validate and print what the file allows
  ccwh destinations hash-token            read a token on stdin, print its token_sha256 line
  ccwh destinations hash-token --generate make a random token, print it once and its hash
  ccwh destinations init --tenant acme    write a starter file with a new token

The file format is described in docs/receiver.md."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="validate a destinations file and print a summary")
    check.add_argument("file", nargs="?", help="file to check (default: the home's)")
    hash_token = sub.add_parser("hash-token", help="print the token_sha256 line for a token")
    hash_token.add_argument(
        "--generate", action="store_true", help="generate a random token instead of reading stdin"
    )
    init = sub.add_parser("init", help="write a starter destinations file with a new token")
    init.add_argument("--file", help="where to write (default: the home's destinations file)")
    init.add_argument("--name", default="central", help="destination name (default central)")
    init.add_argument(
        "--tenant", action="append", required=True, help="allowed tenant_id (repeatable)"
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")


def run(args: argparse.Namespace) -> int:
    if args.action == "check":
        return _check(Path(args.file) if args.file else args.home.destinations_file)
    if args.action == "hash-token":
        return _hash_token(args.generate)
    return _init(args)


def _check(path: Path) -> int:
    from ingestion.destinations import DestinationsError, load_destinations, summary

    try:
        dests = load_destinations(path)
    except DestinationsError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{path}: {len(exc.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{path}: ok")
    for line in summary(dests):
        print(line)
    return 0


def new_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _hash_token(generate: bool) -> int:
    from ingestion.destinations import token_digest_hex

    if generate:
        token = new_token()
        print(f"token (shown once; give it to the sender): {token}", file=sys.stderr)
    else:
        token = sys.stdin.readline().rstrip("\r\n")
        if not token:
            print(
                "ccwh destinations hash-token: no token on stdin (or use --generate)",
                file=sys.stderr,
            )
            return 2
    print(f'token_sha256: "{token_digest_hex(token)}"')
    return 0


def _init(args: argparse.Namespace) -> int:
    from ingestion.destinations import token_digest_hex

    path = Path(args.file) if args.file else args.home.destinations_file
    if path.exists() and not args.force:
        print(f"ccwh destinations init: {path} exists; pass --force to overwrite", file=sys.stderr)
        return 1
    token = new_token()
    tenants = ", ".join(args.tenant)
    routes = "".join(f"  {t}:\n    {args.name}: ['*']\n" for t in args.tenant)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Receiver destinations (docs/receiver.md). Tokens are stored as sha256 digests only.\n"
        "destinations:\n"
        f"  {args.name}:\n"
        f'    token_sha256: "{token_digest_hex(token)}"\n'
        f"    tenants: [{tenants}]\n"
        "routes:\n" + routes,
        encoding="utf-8",
    )
    print(f"wrote {path}")
    print(f"token for destination {args.name!r} (shown once): {token}")
    return 0
