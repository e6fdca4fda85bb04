"""Report definitions: one YAML file per tenant at ``<home>/config/reports/<tenant>.yaml``.

Validation reports every problem at once, each as ``file:line: where: what — fix``, using
PyYAML's node marks for the line. The format is documented in docs/exports.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from exports import catalogue, naming, schedules, timeframes

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
EMAIL_LIMIT = 384  # seed 002: addresses, commas and spaces included
QUOTING = ("minimal", "all", "none")
TARGET_KINDS = ("local", "sftp", "ftp", "email")
FTP_TLS = ("none", "explicit", "implicit")


# --- records --------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretRef:
    """Where a credential comes from: an environment variable or a key of the secrets file."""

    env: str | None = None
    secret: str | None = None

    def describe(self) -> str:
        return f"env {self.env}" if self.env else f"secret {self.secret!r}"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    backoff_seconds: float = 2.0  # first wait; doubles each retry
    max_backoff_seconds: float = 60.0


@dataclass(frozen=True)
class LocalTarget:
    path: Path
    kind: str = "local"

    def describe(self) -> str:
        return f"local:{self.path}"


@dataclass(frozen=True)
class SftpTarget:
    host: str
    username: str
    port: int = 22
    directory: str = "."
    password: SecretRef | None = None
    private_key: Path | None = None
    private_key_passphrase: SecretRef | None = None
    host_key: str | None = None  # "SHA256:…" fingerprint of the server's host key
    known_hosts: Path | None = None
    kind: str = "sftp"

    def describe(self) -> str:
        return f"sftp://{self.username}@{self.host}:{self.port}/{self.directory.strip('/')}"


@dataclass(frozen=True)
class FtpTarget:
    host: str
    username: str
    password: SecretRef | None = None
    port: int = 21
    directory: str = "."
    tls: str = "explicit"  # none | explicit (FTPES, AUTH TLS) | implicit (FTPS, port 990)
    ca_file: Path | None = None
    verify: bool = True
    passive: bool = True
    kind: str = "ftp"

    def describe(self) -> str:
        scheme = {"none": "ftp", "explicit": "ftpes", "implicit": "ftps"}[self.tls]
        return f"{scheme}://{self.username}@{self.host}:{self.port}/{self.directory.strip('/')}"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: SecretRef | None = None
    sender: str = "ccwh-reports@localhost"
    ca_file: Path | None = None
    verify: bool = True


@dataclass(frozen=True)
class EmailTarget:
    to: tuple[str, ...]
    smtp: SmtpServer
    subject: str | None = None
    kind: str = "email"

    def describe(self) -> str:
        return f"email:{', '.join(self.to)}"


Target = LocalTarget | SftpTarget | FtpTarget | EmailTarget


@dataclass(frozen=True)
class OutputSpec:
    """The .txt output specification: columns, order, header names, delimiter, quoting."""

    columns: tuple[tuple[str, str], ...]  # (report column, header name)
    delimiter: str = "|"
    quoting: str = "minimal"
    header: bool = True
    date_format: str | None = None  # DuckDB strftime, e.g. %d/%m/%Y
    timestamp_format: str | None = None
    null: str = ""


@dataclass(frozen=True)
class Alerts:
    email: tuple[str, ...] = ()
    webhook: str | None = None
    smtp: SmtpServer | None = None


@dataclass(frozen=True)
class ReportDefinition:
    tenant: str
    name: str
    type: str
    scope: str = "tenant"
    scope_value: str | None = None
    scope_name: str | None = None  # display name for file names (default: scope_value)
    filters: dict[str, str] = field(default_factory=dict)
    timeframe: timeframes.Timeframe = timeframes.Timeframe("yesterday")
    output: OutputSpec | None = None
    file_name: str | None = None
    zip: bool = False
    pgp_public_key: Path | None = None
    skip_if_empty: bool = False
    deliver: tuple[Target, ...] = ()
    schedule: schedules.Schedule | None = None
    description: str = ""
    requested_by: str = "scheduler"
    retries: RetryPolicy = RetryPolicy()
    alerts: Alerts = Alerts()
    source: str = ""  # file:line of the definition, for messages

    @property
    def portfolio(self) -> str | None:
        if self.scope == "portfolio":
            return self.scope_value
        return self.filters.get("portfolio")


@dataclass(frozen=True)
class TenantReports:
    tenant: str
    account_name: str
    time_zone: str | None
    path: Path
    reports: dict[str, ReportDefinition]


class DefinitionError(ValueError):
    """Every problem of one definitions file, each naming file, line and fix."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# --- YAML with line numbers -----------------------------------------------------------


def _load_with_lines(text: str) -> tuple[Any, dict[tuple, int]]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[tuple, int] = {}

        def walk(n: yaml.Node, path: tuple) -> None:
            lines[path] = n.start_mark.line + 1
            if isinstance(n, yaml.MappingNode):
                for k, v in n.value:
                    key = loader.construct_object(k, deep=True)
                    lines[(*path, key, "<key>")] = k.start_mark.line + 1
                    walk(v, (*path, key))
            elif isinstance(n, yaml.SequenceNode):
                for i, v in enumerate(n.value):
                    walk(v, (*path, i))

        walk(node, ())
        data = loader.construct_document(node)
        return data, lines
    finally:
        loader.dispose()


class _Checker:
    def __init__(self, path: Path, lines: dict[tuple, int]):
        self.path = path
        self.lines = lines
        self.problems: list[str] = []

    def line(self, where: tuple) -> int:
        while where and where not in self.lines:
            where = where[:-1]
        return self.lines.get(where, 1)

    def err(self, where: tuple, message: str) -> None:
        label = "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in where if p != "<key>"
        ).lstrip(".")
        self.problems.append(f"{self.path}:{self.line(where)}: {label or '(top)'}: {message}")

    def mapping(self, value: Any, where: tuple, known: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.err(where, f"expected a mapping with keys from: {', '.join(known)}")
            return None
        for k in value:
            if k not in known:
                self.err((*where, k, "<key>"), f"unknown key {k!r} (known: {', '.join(known)})")
        return value

    def string(self, m: dict, key: str, where: tuple, required: bool = False) -> str | None:
        if key not in m or m[key] is None:
            if required:
                self.err(where, f"missing required key {key!r}")
            return None
        v = m[key]
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            self.err((*where, key), f"{key} must be text, got {type(v).__name__}")
            return None
        return str(v)

    def boolean(self, m: dict, key: str, where: tuple, default: bool) -> bool:
        v = m.get(key, default)
        if not isinstance(v, bool):
            self.err((*where, key), f"{key} must be true or false, got {v!r}")
            return default
        return v

    def integer(self, m: dict, key: str, where: tuple, default: int, lo: int, hi: int) -> int:
        v = m.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            self.err((*where, key), f"{key} must be a whole number from {lo} to {hi}, got {v!r}")
            return default
        return v

    def secret(self, m: dict, key: str, where: tuple) -> SecretRef | None:
        if key not in m or m[key] is None:
            return None
        v = m[key]
        if isinstance(v, dict) and len(v) == 1 and ("env" in v or "secret" in v):
            ref = SecretRef(env=v.get("env"), secret=v.get("secret"))
            name = ref.env or ref.secret
            if not isinstance(name, str) or not name:
                self.err((*where, key), f"{key}: give the variable or secret name as text")
                return None
            return ref
        self.err(
            (*where, key),
            f"{key} may not be written in a definition file; write {key}: {{env: VARIABLE}} "
            f"or {key}: {{secret: KEY}} and put the value in the secrets file "
            "(<home>/config/secrets.yaml or $CCWH_SECRETS_FILE)",
        )
        return None


# --- parsing --------------------------------------------------------------------------


def reports_dir(home) -> Path:
    return home.config_dir / "reports"


def load_tenant(home, tenant: str) -> TenantReports:
    path = reports_dir(home) / f"{tenant}.yaml"
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no report definitions for tenant {tenant!r}; create it (see docs/exports.md)"
        )
    return parse_file(path, home)


def load_all(home) -> list[TenantReports]:
    folder = reports_dir(home)
    if not folder.is_dir():
        return []
    return [parse_file(p, home) for p in sorted(folder.glob("*.yaml"))]


def find(home, name: str, tenant: str | None = None) -> ReportDefinition:
    """The definition called ``name`` (in ``tenant``'s file, or the only one of that name)."""
    files = [load_tenant(home, tenant)] if tenant else load_all(home)
    found = [t.reports[name] for t in files if name in t.reports]
    if not found:
        where = f"tenant {tenant!r}" if tenant else str(reports_dir(home))
        raise KeyError(f"no report definition named {name!r} in {where} (see `ccwh report list`)")
    if len(found) > 1:
        tenants = ", ".join(d.tenant for d in found)
        raise KeyError(f"report {name!r} is defined for several tenants ({tenants}); pass --tenant")
    return found[0]


def parse_file(path: Path, home=None) -> TenantReports:
    text = path.read_text(encoding="utf-8")
    try:
        data, lines = _load_with_lines(text)
    except yaml.MarkedYAMLError as e:
        line = (
            (e.problem_mark or e.context_mark).line + 1 if (e.problem_mark or e.context_mark) else 1
        )
        raise DefinitionError([f"{path}:{line}: not valid YAML: {e.problem or e}"]) from None
    c = _Checker(path, lines)
    top = c.mapping(
        data,
        (),
        ("tenant", "account_name", "time_zone", "smtp", "alerts", "retries", "reports"),
    )
    if top is None:
        raise DefinitionError(c.problems)
    tenant = c.string(top, "tenant", (), required=True) or path.stem
    if tenant != path.stem:
        c.err(
            ("tenant",),
            f"tenant {tenant!r} does not match the file name; rename the file to {tenant}.yaml",
        )
    tz = c.string(top, "time_zone", ())
    if tz:
        try:
            timeframes.zone(tz)
        except ValueError as e:
            c.err(("time_zone",), str(e))
    smtp = _smtp(c, top.get("smtp"), ("smtp",), path) if "smtp" in top else None
    alerts = _alerts(c, top.get("alerts"), ("alerts",), smtp) if "alerts" in top else Alerts()
    retries = _retries(c, top.get("retries"), ("retries",)) if "retries" in top else RetryPolicy()
    config_dir = path.parent
    reports: dict[str, ReportDefinition] = {}
    items = top.get("reports") or []
    if not isinstance(items, list):
        c.err(
            ("reports",),
            "reports must be a list of report definitions (each starting with '- name:')",
        )
        items = []
    for i, item in enumerate(items):
        d = _report(c, item, ("reports", i), tenant, smtp, alerts, retries, config_dir, tz)
        if d is None:
            continue
        if d.name in reports:
            c.err(
                ("reports", i, "name"),
                f"report name {d.name!r} is used twice; names must be unique",
            )
            continue
        reports[d.name] = d
    if c.problems:
        raise DefinitionError(c.problems)
    return TenantReports(
        tenant=tenant,
        account_name=c.string(top, "account_name", ()) or tenant,
        time_zone=tz,
        path=path,
        reports=reports,
    )


_REPORT_KEYS = (
    "name",
    "type",
    "scope",
    "filters",
    "timeframe",
    "output",
    "file_name",
    "zip",
    "pgp_public_key",
    "skip_if_empty",
    "deliver",
    "schedule",
    "description",
    "requested_by",
    "retries",
    "alerts",
)


def _report(
    c, item, where, tenant, smtp, alerts, retries, config_dir, tz
) -> ReportDefinition | None:
    before = len(c.problems)
    m = c.mapping(item, where, _REPORT_KEYS)
    if m is None:
        return None
    name = c.string(m, "name", where, required=True) or ""
    if name and not NAME_RE.match(name):
        c.err((*where, "name"), f"name {name!r}: use letters, digits, '.', '_' and '-' only")
    rtype = c.string(m, "type", where, required=True)
    report = None
    if rtype:
        try:
            report = catalogue.get(rtype)
        except KeyError as e:
            c.err((*where, "type"), str(e.args[0]))
    scope, scope_value, scope_name = _scope(c, m.get("scope", "tenant"), (*where, "scope"), report)
    filters = _filters(c, m.get("filters"), (*where, "filters"), report)
    tf = _timeframe(c, m.get("timeframe", "yesterday"), (*where, "timeframe"))
    output = _output(c, m.get("output"), (*where, "output"), report)
    fmt = c.string(m, "file_name", where)
    if fmt:
        try:
            naming.check_format(fmt)
        except naming.NameFormatError as e:
            c.err((*where, "file_name"), str(e))
    key = c.string(m, "pgp_public_key", where)
    key_path = None
    if key:
        key_path = (config_dir / key).resolve() if not Path(key).is_absolute() else Path(key)
        if not key_path.is_file():
            c.err(
                (*where, "pgp_public_key"),
                f"public key file {key_path} not found; export it "
                "with `gpg --armor --export KEYID > FILE`",
            )
    deliver = _targets(c, m.get("deliver"), (*where, "deliver"), smtp, config_dir)
    sched = None
    if m.get("schedule") is not None:
        try:
            sched = schedules.parse(m["schedule"], default_zone=tz)
        except schedules.ScheduleError as e:
            c.err((*where, "schedule", *e.where), str(e))
    rules = _retries(c, m["retries"], (*where, "retries")) if "retries" in m else retries
    own_alerts = _alerts(c, m["alerts"], (*where, "alerts"), smtp) if "alerts" in m else alerts
    if own_alerts.email and smtp is None:
        c.err((*where, "alerts"), "alerts by e-mail need an smtp: section at the top of the file")
    if report and report.limits.max_days and tf.kind == "entire_campaign":
        c.err(
            (*where, "timeframe"),
            f"report type {report.key} covers at most "
            f"{report.limits.max_days} days; choose a shorter timeframe than entire_campaign",
        )
    if len(c.problems) > before:
        return None
    return ReportDefinition(
        tenant=tenant,
        name=name,
        type=rtype or "",
        scope=scope,
        scope_value=scope_value,
        scope_name=scope_name,
        filters=filters,
        timeframe=tf,
        output=output,
        file_name=fmt,
        zip=c.boolean(m, "zip", where, False),
        pgp_public_key=key_path,
        skip_if_empty=c.boolean(m, "skip_if_empty", where, False),
        deliver=deliver,
        schedule=sched,
        description=c.string(m, "description", where) or "",
        requested_by=c.string(m, "requested_by", where) or "scheduler",
        retries=rules,
        alerts=own_alerts,
        source=f"{c.path}:{c.line(where)}",
    )


def _scope(c, value, where, report):
    if value == "tenant" or value is None:
        return "tenant", None, None
    if isinstance(value, str):
        c.err(
            where,
            f"scope {value!r}: write scope: tenant, or a mapping such as "
            "scope: {campaign: C1} (scopes: " + ", ".join(catalogue.SCOPES) + ")",
        )
        return "tenant", None, None
    m = c.mapping(value, where, (*catalogue.SCOPES[1:], "name"))
    if m is None:
        return "tenant", None, None
    kinds = [k for k in m if k in catalogue.SCOPES]
    if len(kinds) != 1:
        c.err(where, "give exactly one of: " + ", ".join(catalogue.SCOPES[1:]))
        return "tenant", None, None
    kind = kinds[0]
    if report and kind not in report.scopes:
        c.err(
            (*where, kind),
            f"report type {report.key} does not run at scope {kind!r} "
            f"(it runs at: {', '.join(report.scopes)})",
        )
    return kind, c.string(m, kind, where), c.string(m, "name", where)


def _filters(c, value, where, report) -> dict[str, str]:
    if value is None:
        return {}
    m = c.mapping(value, where, catalogue.FILTERS)
    if m is None:
        return {}
    out = {}
    for k in m:
        if k not in catalogue.FILTERS:
            continue
        if report and k not in report.filters:
            c.err(
                (*where, k),
                f"report type {report.key} cannot be filtered by {k!r} "
                f"(filters: {', '.join(report.filters) or 'none'})",
            )
        v = c.string(m, k, where, required=True)
        if v is not None:
            out[k] = v
    return out


def parse_timeframe(value: Any) -> timeframes.Timeframe:
    """A timeframe from YAML or the command line (raises ValueError with the fix)."""
    if isinstance(value, str):
        kind = value.strip().lower().replace(" ", "_").replace("-", "_")
        if kind in timeframes.NAMED or kind == "incremental":
            return timeframes.Timeframe(kind)
        raise ValueError(
            f"unknown timeframe {value!r} (known: {', '.join(timeframes.NAMED)}, incremental, "
            "or explicit: {start: 'YYYY-MM-DD HH:MM', end: …, time_zone: …})"
        )
    if (
        isinstance(value, dict)
        and set(value) == {"explicit"}
        and isinstance(value["explicit"], dict)
    ):
        e = value["explicit"]
        unknown = set(e) - {"start", "end", "time_zone"}
        if unknown:
            raise ValueError(
                f"explicit timeframe: unknown keys {sorted(unknown)} (known: start, end, time_zone)"
            )
        start, end = _local_time(e.get("start"), "start"), _local_time(e.get("end"), "end")
        tz = e.get("time_zone")
        if tz is not None:
            timeframes.zone(tz)
        if end <= start:
            raise ValueError("explicit timeframe: end must be after start")
        return timeframes.Timeframe("explicit", start, end, tz)
    raise ValueError(
        "timeframe must be one of "
        + ", ".join(timeframes.NAMED)
        + ", incremental, or explicit: {start: 'YYYY-MM-DD HH:MM', end: 'YYYY-MM-DD HH:MM', "
        "time_zone: Europe/Warsaw}"
    )


def _local_time(value: Any, what: str) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value
    if hasattr(value, "year") and not isinstance(value, datetime):  # a YAML date
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(
        f"explicit timeframe: {what} {value!r} is not a date-time; write 'YYYY-MM-DD HH:MM'"
    )


def _timeframe(c, value, where) -> timeframes.Timeframe:
    try:
        return parse_timeframe(value)
    except ValueError as e:
        c.err(where, str(e))
        return timeframes.Timeframe("yesterday")


def _output(c, value, where, report) -> OutputSpec | None:
    if value is None:
        return None
    m = c.mapping(value, where, ("format", "spec"))
    if m is None:
        return None
    fmt = m.get("format", "txt" if "spec" in m else "csv")
    if fmt not in ("csv", "txt"):
        c.err((*where, "format"), f"format {fmt!r}: use csv, or txt with a spec")
    if fmt == "csv":
        if "spec" in m:
            c.err((*where, "format"), "a spec makes a .txt file; write format: txt or drop format")
        return None
    spec_where = (*where, "spec")
    s = c.mapping(
        m.get("spec"),
        spec_where,
        ("columns", "delimiter", "quoting", "header", "date_format", "timestamp_format", "null"),
    )
    if s is None:
        return None
    cols: list[tuple[str, str]] = []
    raw = s.get("columns")
    if not isinstance(raw, list) or not raw:
        c.err(
            (*spec_where, "columns"),
            "columns must be a non-empty list of report columns, "
            "each a name or {column: NAME, header: 'Header text'}",
        )
        raw = []
    known = report.column_names if report else ()
    for i, col in enumerate(raw):
        cw = (*spec_where, "columns", i)
        if isinstance(col, str):
            name, header = col, col
        elif isinstance(col, dict) and "column" in col and set(col) <= {"column", "header"}:
            name, header = str(col["column"]), str(col.get("header", col["column"]))
        else:
            c.err(cw, "write a column name or {column: NAME, header: 'Header text'}")
            continue
        if report and name not in known:
            c.err(
                cw, f"report type {report.key} has no column {name!r} (columns: {', '.join(known)})"
            )
        cols.append((name, header))
    delimiter = c.string(s, "delimiter", spec_where) or "|"
    if len(delimiter) != 1 or delimiter in '\r\n"':
        c.err(
            (*spec_where, "delimiter"),
            f"delimiter {delimiter!r} must be one character, not a quote or newline",
        )
    quoting = c.string(s, "quoting", spec_where) or "minimal"
    if quoting not in QUOTING:
        c.err((*spec_where, "quoting"), f"quoting {quoting!r}: use one of {', '.join(QUOTING)}")
    for key in ("date_format", "timestamp_format"):
        f = c.string(s, key, spec_where)
        if f is not None and "%" not in f:
            c.err((*spec_where, key), f"{key} {f!r} uses strftime codes such as %d/%m/%Y %H:%M:%S")
    return OutputSpec(
        columns=tuple(cols),
        delimiter=delimiter,
        quoting=quoting,
        header=c.boolean(s, "header", spec_where, True),
        date_format=c.string(s, "date_format", spec_where),
        timestamp_format=c.string(s, "timestamp_format", spec_where),
        null=c.string(s, "null", spec_where) or "",
    )


def _retries(c, value, where) -> RetryPolicy:
    m = c.mapping(value, where, ("attempts", "backoff_seconds", "max_backoff_seconds"))
    if m is None:
        return RetryPolicy()
    backoff = m.get("backoff_seconds", 2.0)
    cap = m.get("max_backoff_seconds", 60.0)
    for k, v in (("backoff_seconds", backoff), ("max_backoff_seconds", cap)):
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            c.err((*where, k), f"{k} must be a number of seconds ≥ 0")
    return RetryPolicy(
        attempts=c.integer(m, "attempts", where, 3, 1, 20),
        backoff_seconds=float(backoff) if isinstance(backoff, int | float) else 2.0,
        max_backoff_seconds=float(cap) if isinstance(cap, int | float) else 60.0,
    )


def _alerts(c, value, where, smtp) -> Alerts:
    m = c.mapping(value, where, ("email", "webhook"))
    if m is None:
        return Alerts()
    to = _addresses(c, m, "email", where) if "email" in m else ()
    hook = c.string(m, "webhook", where)
    if hook and not hook.startswith(("http://", "https://")):
        c.err((*where, "webhook"), f"webhook {hook!r} must be an http:// or https:// URL")
    return Alerts(email=to, webhook=hook, smtp=smtp)


def _addresses(c, m, key, where) -> tuple[str, ...]:
    raw = m.get(key)
    if isinstance(raw, list):
        raw = ", ".join(str(a) for a in raw)
    if not isinstance(raw, str) or not raw.strip():
        c.err((*where, key), f"{key}: comma-separated e-mail addresses")
        return ()
    if len(raw) > EMAIL_LIMIT:
        c.err(
            (*where, key),
            f"{key}: {len(raw)} characters of addresses; at most {EMAIL_LIMIT} "
            "(commas and spaces included) — use a distribution list",
        )
    addrs = tuple(a.strip() for a in raw.split(",") if a.strip())
    for a in addrs:
        if not re.match(r"^[^@\s,<>]+@[^@\s,<>]+$", a):
            c.err((*where, key), f"{a!r} is not an e-mail address")
    return addrs


def _path(config_dir: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (config_dir / p).resolve()


def _smtp(c, value, where, config_path) -> SmtpServer | None:
    m = c.mapping(
        value,
        where,
        ("host", "port", "starttls", "username", "password", "from", "ca_file", "verify"),
    )
    if m is None:
        return None
    host = c.string(m, "host", where, required=True) or ""
    ca = c.string(m, "ca_file", where)
    return SmtpServer(
        host=host,
        port=c.integer(m, "port", where, 587, 1, 65535),
        starttls=c.boolean(m, "starttls", where, True),
        username=c.string(m, "username", where),
        password=c.secret(m, "password", where),
        sender=c.string(m, "from", where) or "ccwh-reports@localhost",
        ca_file=_path(config_path.parent, ca) if ca else None,
        verify=c.boolean(m, "verify", where, True),
    )


def _targets(c, value, where, smtp, config_dir) -> tuple[Target, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        c.err(where, "deliver must be a list, e.g. - local: {path: /srv/reports}")
        return ()
    out: list[Target] = []
    for i, item in enumerate(value):
        w = (*where, i)
        if not isinstance(item, dict) or len(item) != 1 or next(iter(item)) not in TARGET_KINDS:
            c.err(
                w,
                "each delivery target is one of: " + ", ".join(f"{k}: {{…}}" for k in TARGET_KINDS),
            )
            continue
        kind, body = next(iter(item.items()))
        tw = (*w, kind)
        if kind == "local":
            m = c.mapping(body, tw, ("path",))
            p = c.string(m, "path", tw, required=True) if m else None
            if p:
                out.append(LocalTarget(path=_path(config_dir, p)))
        elif kind == "sftp":
            m = c.mapping(
                body,
                tw,
                (
                    "host",
                    "port",
                    "username",
                    "password",
                    "private_key",
                    "private_key_passphrase",
                    "directory",
                    "host_key",
                    "known_hosts",
                ),
            )
            if m is None:
                continue
            pw = c.secret(m, "password", tw)
            key = c.string(m, "private_key", tw)
            host_key = c.string(m, "host_key", tw)
            known = c.string(m, "known_hosts", tw)
            if not pw and not key and "password" not in m:
                c.err(tw, "give password: {env|secret: …} or private_key: PATH")
            if not host_key and not known:
                c.err(
                    tw,
                    "give host_key: 'SHA256:…' (ssh-keygen -lf the server's key) or "
                    "known_hosts: PATH, so the server is verified",
                )
            if host_key and not host_key.startswith("SHA256:"):
                c.err((*tw, "host_key"), "host_key is the SHA256 fingerprint, e.g. 'SHA256:abc…'")
            out.append(
                SftpTarget(
                    host=c.string(m, "host", tw, required=True) or "",
                    port=c.integer(m, "port", tw, 22, 1, 65535),
                    username=c.string(m, "username", tw, required=True) or "",
                    password=pw,
                    private_key=_path(config_dir, key) if key else None,
                    private_key_passphrase=c.secret(m, "private_key_passphrase", tw),
                    directory=c.string(m, "directory", tw) or ".",
                    host_key=host_key,
                    known_hosts=_path(config_dir, known) if known else None,
                )
            )
        elif kind == "ftp":
            m = c.mapping(
                body,
                tw,
                (
                    "host",
                    "port",
                    "username",
                    "password",
                    "directory",
                    "tls",
                    "ca_file",
                    "verify",
                    "passive",
                ),
            )
            if m is None:
                continue
            tls = c.string(m, "tls", tw) or "explicit"
            if tls not in FTP_TLS:
                c.err(
                    (*tw, "tls"),
                    f"tls {tls!r}: use explicit (FTPES), implicit (FTPS) or none (plain FTP)",
                )
                tls = "explicit"
            ca = c.string(m, "ca_file", tw)
            out.append(
                FtpTarget(
                    host=c.string(m, "host", tw, required=True) or "",
                    port=c.integer(m, "port", tw, 990 if tls == "implicit" else 21, 1, 65535),
                    username=c.string(m, "username", tw, required=True) or "",
                    password=c.secret(m, "password", tw),
                    directory=c.string(m, "directory", tw) or ".",
                    tls=tls,
                    ca_file=_path(config_dir, ca) if ca else None,
                    verify=c.boolean(m, "verify", tw, True),
                    passive=c.boolean(m, "passive", tw, True),
                )
            )
        else:
            m = c.mapping(body, tw, ("to", "subject"))
            if m is None:
                continue
            if smtp is None:
                c.err(tw, "e-mail delivery needs an smtp: section at the top of the file")
                continue
            to = _addresses(c, m, "to", tw)
            if to:
                out.append(EmailTarget(to=to, smtp=smtp, subject=c.string(m, "subject", tw)))
    return tuple(out)
