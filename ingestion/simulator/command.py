"""``ccwh simulate``: generate a contact centre's events, write them as NDJSON and/or POST
them to a receiver."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

HELP = "generate a deterministic contact-centre event stream; write NDJSON and/or POST it"
DESCRIPTION = """Simulate tenants' contact centres (queues with agents on shifts, outbound
campaigns, tickets, CRM call results) and emit every event type of the event contract,
directory first. The same seed and options give byte-identical output.

  ccwh simulate --out events.ndjson                      # 3 tenants x 7 days, ~140k events
  ccwh simulate --days 28 --calls-per-queue-day 2000 --out big.ndjson
  ccwh serve &                                           # then, with the destination's token:
  CCWH_TOKEN=... ccwh simulate --url https://127.0.0.1:8443/events --shuffle --resend-share 0.05

The period is --days local days from --start (default: --days days before today, so it ends
with yesterday). See docs/simulator.md for what is simulated and the distributions used."""

DEFAULT_URL = "https://127.0.0.1:8443/events"


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("what to simulate")
    g.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    g.add_argument(
        "--tenants",
        type=int,
        default=3,
        help="number of tenants (default 3: ahead of, behind, at UTC)",
    )
    g.add_argument(
        "--tenant",
        action="append",
        metavar="ID=ZONE[,STYLE]",
        help="an explicit tenant instead of --tenants, repeatable, e.g. acme=Europe/Warsaw; "
        "STYLE is how it writes timestamps: local (default), utc or mixed",
    )
    g.add_argument("--days", type=int, default=7, help="local days to simulate (default 7)")
    g.add_argument("--start", help="first day, YYYY-MM-DD (default: --days days before today)")
    g.add_argument(
        "--calls-per-queue-day",
        type=float,
        default=400.0,
        help="weekday arrivals into the hotline queue; other queues scale with it (default 400)",
    )
    g.add_argument(
        "--clients-per-campaign-day",
        type=float,
        default=150.0,
        help="new list records a weekday for the main voice sub-campaign (default 150)",
    )
    g.add_argument("--contacts", type=int, default=2000, help="contacts per tenant (default 2000)")

    o = p.add_argument_group("output")
    o.add_argument("--out", metavar="FILE|DIR", help="write NDJSON here (- for stdout)")
    o.add_argument(
        "--workers",
        type=int,
        help="processes generating tenants in parallel for --out (default: up to 2 per core)",
    )
    o.add_argument(
        "--input", metavar="FILE", help="send the events of this NDJSON file instead of simulating"
    )

    s = p.add_argument_group("sending")
    s.add_argument("--url", help=f"POST events to this receiver, e.g. {DEFAULT_URL}")
    s.add_argument("--token", help="bearer token of the destination (default: $CCWH_TOKEN)")
    s.add_argument(
        "--cacert",
        help="certificate to verify the receiver with (default: <home>/tls/cert.pem if present)",
    )
    s.add_argument("--connections", type=int, default=8, help="keep-alive connections (default 8)")
    s.add_argument(
        "--batch-size",
        type=int,
        default=500,
        help="events per POST as a JSON array; 1 posts single events (default 500)",
    )
    s.add_argument(
        "--resend-share",
        type=float,
        default=0.0,
        help="share of events posted a second time, e.g. 0.05 (default 0)",
    )
    s.add_argument(
        "--shuffle", action="store_true", help="post in a random order (within --shuffle-window)"
    )
    s.add_argument(
        "--shuffle-window",
        type=int,
        default=100_000,
        help="events held for shuffling (default 100000)",
    )
    s.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")


def _fail(message: str, code: int = 2) -> int:
    print(f"ccwh simulate: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from datetime import date

    from ingestion.simulator.model import SimConfig, TenantSpec, default_tenants
    from ingestion.simulator.stream import default_start

    if not args.out and not args.url:
        return _fail("nothing to do: give --out FILE (write NDJSON) and/or --url URL (POST)")
    if args.input and not args.url:
        return _fail("--input sends a file: give --url too")
    if args.input and args.out:
        return _fail("--input and --out do not go together (the file is already written)")
    for name in ("days", "connections", "batch_size", "shuffle_window", "contacts"):
        if getattr(args, name) < 1:
            return _fail(f"--{name.replace('_', '-')} must be at least 1")
    if args.tenants < 1:
        return _fail("--tenants must be at least 1")
    if not 0.0 <= args.resend_share <= 1.0:
        return _fail("--resend-share must be between 0 and 1, e.g. 0.05")

    config = None
    if not args.input:
        if args.tenant:
            try:
                tenants = tuple(_tenant_spec(text, TenantSpec) for text in args.tenant)
            except ValueError as exc:
                return _fail(str(exc))
        else:
            tenants = default_tenants(args.tenants)
        try:
            start = date.fromisoformat(args.start) if args.start else default_start(args.days)
        except ValueError:
            return _fail(f"--start {args.start!r} is not a date like 2026-11-01")
        try:
            config = SimConfig(
                start=start,
                days=args.days,
                seed=args.seed,
                tenants=tenants,
                calls_per_queue_day=args.calls_per_queue_day,
                clients_per_campaign_day=args.clients_per_campaign_day,
                contacts=args.contacts,
            )
        except ValueError as exc:
            return _fail(str(exc))
        names = ", ".join(f"{t.tenant_id} ({t.time_zone})" for t in config.tenants)
        print(
            f"simulating {config.days} days from {config.start} for {names}, seed {config.seed}",
            file=sys.stderr,
        )

    if args.url:
        return _send(args, config)
    return _write(args, config)


def _tenant_spec(text: str, spec_type):
    ident, sep, rest = text.partition("=")
    zone, _, style = rest.partition(",")
    style = style or "local"
    from ingestion.schemas import is_time_zone

    if not sep or not ident or not zone:
        raise ValueError(f"--tenant {text!r}: write ID=ZONE, e.g. acme=Europe/Warsaw")
    if not is_time_zone(zone):
        raise ValueError(
            f"--tenant {text!r}: {zone!r} is not an IANA time zone (e.g. Europe/Warsaw)"
        )
    if style not in ("local", "utc", "mixed"):
        raise ValueError(f"--tenant {text!r}: timestamp style must be local, utc or mixed")
    return spec_type(ident, zone, ident, style, "en")


def _out_path(args: argparse.Namespace, config) -> str:
    out = args.out
    if out != "-" and (out.endswith(os.sep) or Path(out).is_dir()):
        Path(out).mkdir(parents=True, exist_ok=True)
        name = f"ccwh-sim-seed{config.seed}-{config.start}-{config.days}d.ndjson"
        return str(Path(out) / name)
    return out


def _write(args: argparse.Namespace, config) -> int:
    from ingestion.simulator.stream import write_simulation

    path = _out_path(args, config)
    bar = None
    if not args.no_progress and path != "-":
        from tqdm import tqdm

        bar = tqdm(unit=" events", unit_scale=True, desc="generated", file=sys.stderr)
    started = time.monotonic()
    try:
        report = write_simulation(
            config, path, workers=args.workers, on_progress=bar.update if bar else None
        )
    except OSError as exc:
        return _fail(f"cannot write {path}: {exc.strerror or exc}", 1)
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.monotonic() - started
    _print_types(report.by_type)
    print(
        f"wrote {report.events:,} events ({report.bytes / 1e6:,.1f} MB) to {path} in "
        f"{elapsed:.1f} s ({report.events / max(elapsed, 1e-9):,.0f} events/s)",
        file=sys.stderr,
    )
    return 0


def _send(args: argparse.Namespace, config) -> int:
    from ingestion.simulator.send import send
    from ingestion.simulator.stream import generate

    token = args.token or os.environ.get("CCWH_TOKEN")
    if not token:
        return _fail("no token: pass --token TOKEN or set $CCWH_TOKEN (the destination's token)")
    cacert = args.cacert
    if cacert is None and (args.home.tls_dir / "cert.pem").exists():
        cacert = str(args.home.tls_dir / "cert.pem")
    if cacert is not None and not Path(cacert).exists():
        return _fail(f"--cacert {cacert}: no such file (ccwh serve writes <home>/tls/cert.pem)")

    if args.input:
        events = _read_ndjson(args.input)
    else:
        events = generate(config)
    out = None
    if args.out:
        path = _out_path(args, config)
        out = sys.stdout.buffer if path == "-" else open(path, "wb")  # noqa: SIM115
        events = _tee(events, out)
    try:
        report = send(
            events,
            args.url,
            token,
            cacert=cacert,
            connections=args.connections,
            batch_size=args.batch_size,
            resend_share=args.resend_share,
            shuffle=args.shuffle,
            shuffle_window=args.shuffle_window,
            seed=config.seed if config else 0,
            timeout=args.timeout,
            progress=not args.no_progress,
        )
    except FileNotFoundError as exc:
        return _fail(f"--input {exc.filename}: no such file")
    except ValueError as exc:
        return _fail(str(exc))
    finally:
        if out is not None and out is not sys.stdout.buffer:
            out.close()
    _print_types(report.by_type)
    print(report.summary(), file=sys.stderr)
    if report.error:
        return _fail(report.error, 1)
    if report.failed:
        return _fail(f"{report.failed} events were not acknowledged", 1)
    return 0


def _read_ndjson(path: str):
    import orjson

    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise ValueError(f"--input {path}:{n}: not JSON ({exc})") from None


def _tee(events, out):
    import orjson

    for event in events:
        out.write(orjson.dumps(event) + b"\n")
        yield event


def _print_types(by_type: Counter) -> None:
    total = sum(by_type.values())
    print("events by type:", file=sys.stderr)
    for name, n in sorted(by_type.items()):
        print(f"  {name:<14} {n:>10,}", file=sys.stderr)
    print(f"  {'total':<14} {total:>10,}", file=sys.stderr)
