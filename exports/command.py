"""``ccwh report``: run, list and inspect scheduled detail exports without the Dagster UI.

  ccwh report run NAME [--tenant T] [--timeframe yesterday|…] [--user U]
                 [--start 'YYYY-MM-DD HH:MM' --end … --time-zone ZONE]
  ccwh report list [--tenant T]          definitions and their schedules
  ccwh report runs [--status S] [--tenant T] [--limit N]
  ccwh report retention [--days 30]      delete generated files older than N days
  ccwh report validate                   check every definitions file
  ccwh report catalogue [TYPE]           report types, their columns and scopes
  ccwh report fetch RUN_ID --to PATH     copy a run's file (audited as a download)

Definitions live in <home>/config/reports/<tenant>.yaml (docs/exports.md).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

HELP = "run, list and inspect scheduled detail exports (CSV/zip/PGP → folder/SFTP/FTP/e-mail)"
DESCRIPTION = __doc__


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="report_command", metavar="ACTION", required=True)
    r = sub.add_parser("run", help="run one report definition now")
    r.add_argument("name", help="report name from the definitions file")
    r.add_argument(
        "--tenant", help="tenant whose definition to run (needed if the name is ambiguous)"
    )
    r.add_argument(
        "--timeframe",
        help="override the timeframe: today, yesterday, last_7_days, month_to_date, last_month, "
        "entire_campaign, incremental, or explicit (with --start/--end)",
    )
    r.add_argument("--start", help="explicit timeframe start, 'YYYY-MM-DD HH:MM' local time")
    r.add_argument("--end", help="explicit timeframe end, 'YYYY-MM-DD HH:MM' local time")
    r.add_argument("--time-zone", help="zone of --start/--end (default: the tenant's reports zone)")
    r.add_argument(
        "--user",
        help="requesting user recorded in the registry and audit log (default: the login name)",
    )
    ls = sub.add_parser("list", help="list report definitions and schedules")
    ls.add_argument("--tenant")
    rs = sub.add_parser("runs", help="list report runs from the registry")
    rs.add_argument("--status", choices=("waiting", "processing", "finished", "failed"))
    rs.add_argument("--tenant")
    rs.add_argument("--limit", type=int, default=30)
    rt = sub.add_parser("retention", help="delete generated files older than N days (rows stay)")
    rt.add_argument("--days", type=int, default=30)
    sub.add_parser("validate", help="check every definitions file and print the problems")
    c = sub.add_parser("catalogue", help="report types with their columns, scopes and limits")
    c.add_argument("type", nargs="?")
    f = sub.add_parser("fetch", help="copy a run's file to PATH (written to the audit log)")
    f.add_argument("run_id", type=int)
    f.add_argument("--to", required=True, type=Path)
    f.add_argument("--user")


def _user(args) -> str:
    return getattr(args, "user", None) or getpass.getuser()


def run(args: argparse.Namespace) -> int:
    from exports import catalogue, definitions, runner
    from exports.registry import Registry

    home = args.home
    action = args.report_command
    try:
        if action == "run":
            tf = None
            if args.timeframe == "explicit" or args.start or args.end:
                spec = {"start": args.start, "end": args.end}
                if args.time_zone:
                    spec["time_zone"] = args.time_zone
                tf = definitions.parse_timeframe({"explicit": spec})
            elif args.timeframe:
                tf = definitions.parse_timeframe(args.timeframe)
            result = runner.run_named(home, args.name, args.tenant, timeframe=tf, user=_user(args))
            period = result.period
            print(
                f"run {result.run_id}: {result.status}"
                + (f", {result.record_count} records" if result.record_count is not None else "")
            )
            if period:
                print(
                    f"  period: {period.start.isoformat() if period.start else '(start)'} – "
                    f"{period.end.isoformat()}"
                )
            if result.file:
                print(f"  file: {result.file}")
            for dlv in result.deliveries:
                print(f"  delivery: {dlv}")
            if result.error:
                print(f"  error: {result.error}", file=sys.stderr)
            return 0 if result.status == "finished" else 1
        if action == "list":
            tenants = (
                [definitions.load_tenant(home, args.tenant)]
                if args.tenant
                else definitions.load_all(home)
            )
            if not tenants:
                print(f"no report definitions in {definitions.reports_dir(home)}")
            for t in tenants:
                print(f"{t.tenant} ({t.path}):")
                for d in t.reports.values():
                    sched = d.schedule.describe() if d.schedule else "manual only"
                    targets = (
                        ", ".join(x.describe() for x in d.deliver) or "no delivery (registry only)"
                    )
                    print(
                        f"  {d.name}: {d.type} @ {runner.scope_label(d)}, "
                        f"{runner.timeframe_label(d.timeframe)}; "
                        f"{sched}; → {targets}"
                    )
            return 0
        if action == "runs":
            rows = Registry.for_home(home).runs(
                tenant=args.tenant, status=args.status, limit=args.limit
            )
            print(
                f"{'id':>5} {'status':<10} {'tenant':<12} {'report':<24} {'requested_at':<20} "
                f"{'by':<12} {'records':>8}  file / error"
            )
            for r in rows:
                tail = r.error or (
                    r.file_path + (" (deleted)" if r.file_deleted_at else "") if r.file_path else ""
                )
                print(
                    f"{r.id:>5} {r.status:<10} {r.tenant:<12} {r.report_name:<24} "
                    f"{r.requested_at[:19]:<20} "
                    f"{r.requested_by:<12} {'' if r.record_count is None else r.record_count:>8}  "
                    f"{tail}"
                )
            return 0
        if action == "retention":
            deleted = runner.apply_retention(home, days=args.days)
            print(
                f"deleted the files of {len(deleted)} run(s) older than {args.days} days"
                + (f": {', '.join(map(str, deleted))}" if deleted else "")
            )
            return 0
        if action == "validate":
            folder = definitions.reports_dir(home)
            bad = 0
            for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
                try:
                    t = definitions.parse_file(path, home)
                    print(f"ok  {path}: {len(t.reports)} report(s)")
                except definitions.DefinitionError as e:
                    bad += 1
                    print(str(e), file=sys.stderr)
            return 1 if bad else 0
        if action == "catalogue":
            types = [catalogue.get(args.type)] if args.type else list(catalogue.REPORTS.values())
            for rt in types:
                limits = []
                if rt.limits.max_records:
                    limits.append(f"≤ {rt.limits.max_records:,} records")
                if rt.limits.max_days:
                    limits.append(f"≤ {rt.limits.max_days} days")
                print(f"{rt.key} ({rt.title}) — {rt.description}")
                print(
                    f"  mart {rt.mart}; scopes {', '.join(rt.scopes)}; filters "
                    f"{', '.join(rt.filters) or 'none'}"
                    + (f"; limits {', '.join(limits)}" if limits else "")
                )
                if args.type:
                    for col in rt.columns:
                        print(f"    {col.name}: {col.description}")
            return 0
        if action == "fetch":
            target = runner.fetch_file(home, args.run_id, args.to, _user(args))
            print(target)
            return 0
    except (
        definitions.DefinitionError,
        KeyError,
        FileNotFoundError,
        ValueError,
        runner.RunError,
    ) as e:
        print(
            f"ccwh report {action}: {e.args[0] if isinstance(e, KeyError) else e}", file=sys.stderr
        )
        return 2
    return 2
