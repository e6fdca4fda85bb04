"""The report catalogue: every detail report the marts support, as data.

Each report type names its source mart in the published warehouse, its columns (with the
description users see in docs/exports.md and `ccwh report catalogue`), the UTC timestamp
column timeframes filter on, the completion-time column incremental cut-offs use, the scopes
it runs at, the filters it accepts, and optional limits (seed 003's extractions).

Adjusting to the final marts means editing the entries below: a column the mart lacks makes a
run fail with a message naming the mart, the missing columns and this file.

Queries are built here too, always with ``tenant_id = ?`` first: a tenant's export can only
ever read that tenant's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from exports import timeframes
from exports.timeframes import Period

SCOPES = ("tenant", "campaign", "sub_campaign", "agent_group", "portfolio", "list")
# the name field (file-name token) that names each scope's level in the default file name
SCOPE_NAME_FIELD = {
    "tenant": "ACCOUNT",
    "campaign": "CAMPAIGN",
    "sub_campaign": "SUBCAMPAIGN",
    "agent_group": "GROUP",
    "portfolio": "GROUP",
    "list": "GROUP",
}
FILTERS = ("portfolio", "channel", "event_type", "user", "client_id")

STANDARD_SCOPE_COLUMNS = {
    "campaign": "campaign_id",
    "sub_campaign": "sub_campaign_id",
    "agent_group": "agent_group_id",
    "portfolio": "portfolio_id",
    "list": "list_id",
}


@dataclass(frozen=True)
class Column:
    name: str
    description: str


@dataclass(frozen=True)
class Limits:
    """Refused, never truncated: a run over a limit fails with a message saying so."""

    max_records: int | None = None
    max_days: int | None = None


@dataclass(frozen=True)
class ReportType:
    key: str  # used in definitions: type: all_attempts
    title: str  # <REPORT> in file names
    description: str
    mart: str
    columns: tuple[Column, ...]
    date_column: str  # UTC timestamp (or report-day date, see date_is_day) for timeframes
    completion_column: str  # UTC timestamp for incremental cut-offs
    scopes: tuple[str, ...]
    filters: dict[str, str] = field(default_factory=dict)  # filter name → column
    limits: Limits = Limits()
    day_rule: str = "tenant"  # or "usage": midnight–midnight America/New_York
    date_is_day: bool = False  # date_column is a report_day DATE, not a timestamp
    best_contact: str | None = None  # None, "flag" (All Attempts), "only" (Best Contact)
    where: str | None = None  # fixed condition (SQL over mart columns, no user input)
    order_by: tuple[str, ...] = ()

    def scope_column(self, scope: str) -> str | None:
        return None if scope == "tenant" else STANDARD_SCOPE_COLUMNS[scope]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _cols(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(n, d) for n, d in pairs)


_ATTEMPT_COLUMNS = (
    ("interaction_id", "Unique id of the attempt (one call, text or e-mail)."),
    ("campaign_id", "Campaign the attempt belongs to."),
    ("sub_campaign_id", "Sub-campaign the attempt belongs to."),
    ("list_id", "Contact list the client_id came from."),
    ("client_id", "Unique id of the contact in the campaign list (Best Contact is per client_id)."),
    ("contact_id", "Platform contact id, when known."),
    ("device", "Phone number or address attempted."),
    ("pass_type", "Channel of the pass: voice, text or email."),
    ("completion_status", "Outcome code of the attempt (seed 002 completion statuses)."),
    ("status_rank", "Rank of the completion status; higher is better."),
    ("started_at", "When the attempt started (UTC)."),
    ("ended_at", "When the attempt completed (UTC)."),
    ("report_day", "Report day the attempt counts for (tenant's report day rule)."),
)
_BEST = (
    (
        "best_contact",
        "1 if this attempt is the client_id's best result within the report's range "
        "(highest status rank, then most recent, then highest interaction_id), else 0.",
    ),
)
_ATTEMPT_FILTERS = {"channel": "pass_type", "client_id": "client_id"}

REPORTS: dict[str, ReportType] = {}


def _add(r: ReportType) -> None:
    REPORTS[r.key] = r


_add(
    ReportType(
        key="all_attempts",
        title="AllAttempts",
        description="Every contact attempt, several per client_id, with the BestContact flag "
        "for the report's range; filtered (not attempted) contacts are not included.",
        mart="all_attempts",
        columns=_cols(*_ATTEMPT_COLUMNS, *_BEST),
        date_column="started_at",
        completion_column="ended_at",
        scopes=("tenant", "campaign", "sub_campaign", "list"),
        filters=_ATTEMPT_FILTERS,
        best_contact="flag",
        order_by=("started_at", "interaction_id"),
    )
)
_add(
    ReportType(
        key="best_contact",
        title="BestContact",
        description="One record per client_id: its best attempt within the report's range.",
        mart="all_attempts",
        columns=_cols(*_ATTEMPT_COLUMNS),
        date_column="started_at",
        completion_column="ended_at",
        scopes=("tenant", "campaign", "sub_campaign", "list"),
        filters=_ATTEMPT_FILTERS,
        best_contact="only",
        order_by=("client_id", "interaction_id"),
    )
)
_add(
    ReportType(
        key="all_contacts",
        title="AllContacts",
        description="All Attempts plus the contacts filtered from the list (never attempted).",
        mart="all_contacts",
        columns=_cols(
            *_ATTEMPT_COLUMNS, ("best_contact", "1 if the best attempt (entire campaign).")
        ),
        date_column="started_at",
        completion_column="ended_at",
        scopes=("tenant", "campaign", "sub_campaign", "list"),
        filters=_ATTEMPT_FILTERS,
        order_by=("client_id", "started_at"),
    )
)
_add(
    ReportType(
        key="dialer",
        title="Dialer",
        description="One record per contact: first attempt, last attempt and up to ten attempts "
        "before the last.",
        mart="dialer_detail",
        columns=_cols(
            ("campaign_id", "Campaign."),
            ("sub_campaign_id", "Sub-campaign."),
            ("client_id", "Contact's id in the list."),
            ("attempts", "Number of attempts."),
            ("first_attempt_at", "Start of the first attempt (UTC)."),
            ("first_status", "Completion status of the first attempt."),
            ("last_attempt_at", "Start of the last attempt (UTC)."),
            ("last_status", "Completion status of the last attempt."),
            ("last_ended_at", "Completion of the last attempt (UTC)."),
            ("prior_attempts", "Up to ten attempts before the last (status@time list)."),
        ),
        date_column="last_attempt_at",
        completion_column="last_ended_at",
        scopes=("tenant", "campaign", "sub_campaign", "list"),
        filters={"client_id": "client_id"},
        order_by=("client_id",),
    )
)
_add(
    ReportType(
        key="contact_center",
        title="ContactCenter",
        description="One record per Direct Connect attempt (several per call when retried).",
        mart="contact_center_detail",
        columns=_cols(
            ("interaction_id", "The call."),
            ("campaign_id", "Campaign."),
            ("sub_campaign_id", "Sub-campaign."),
            ("client_id", "Contact's id in the list."),
            ("attempted_at", "When the Direct Connect was attempted (UTC)."),
            ("dc_number", "Contact-centre number dialled."),
            ("dc_status", "Direct Connect status (seed 002 table)."),
            ("ring_seconds", "Ring time at the contact centre."),
            ("whisper_seconds", "Whisper time."),
            ("talk_seconds", "Talk time after the connect."),
        ),
        date_column="attempted_at",
        completion_column="attempted_at",
        scopes=("tenant", "campaign", "sub_campaign"),
        order_by=("attempted_at", "interaction_id"),
    )
)
_add(
    ReportType(
        key="usage_detail",
        title="UsageDetail",
        description="Every attempt in every campaign of the account; days are midnight to "
        "midnight America/New_York.",
        mart="usage_detail",
        columns=_cols(
            ("interaction_id", "The attempt."),
            ("campaign_id", "Campaign."),
            ("sub_campaign_id", "Sub-campaign."),
            ("pass_type", "voice, text or email."),
            ("completion_status", "Outcome code."),
            ("started_at", "Start (UTC)."),
            ("ended_at", "Completion (UTC)."),
            ("billable_seconds", "Seconds billed for the attempt."),
        ),
        date_column="started_at",
        completion_column="ended_at",
        scopes=("tenant", "campaign"),
        filters={"channel": "pass_type"},
        day_rule="usage",
        order_by=("started_at", "interaction_id"),
    )
)
_add(
    ReportType(
        key="contact_trace",
        title="ContactTrace",
        description="Every attempt made to reach one individual (filter client_id).",
        mart="contact_trace",
        columns=_cols(
            ("client_id", "Contact's id in the list."),
            ("interaction_id", "The attempt."),
            ("campaign_id", "Campaign."),
            ("device", "Device attempted."),
            ("completion_status", "Outcome code."),
            ("started_at", "Start (UTC)."),
            ("ended_at", "Completion (UTC)."),
        ),
        date_column="started_at",
        completion_column="ended_at",
        scopes=("tenant", "campaign"),
        filters={"client_id": "client_id"},
        order_by=("started_at", "interaction_id"),
    )
)
_add(
    ReportType(
        key="text_opt_outs",
        title="TextOptOut",
        description="One record per consumer who opted out of a text campaign.",
        mart="text_opt_outs",
        columns=_cols(
            ("campaign_id", "Campaign."),
            ("sub_campaign_id", "Sub-campaign."),
            ("client_id", "Contact's id in the list."),
            ("device", "Wireless number that opted out."),
            ("opted_out_at", "When the STOP (or synonym) arrived (UTC)."),
        ),
        date_column="opted_out_at",
        completion_column="opted_out_at",
        scopes=("tenant", "campaign", "sub_campaign"),
        order_by=("opted_out_at", "client_id"),
    )
)
_add(
    ReportType(
        key="session_transfers",
        title="SessionTransfer",
        description="Calls transferred by agents: type, originating and target agents, durations.",
        mart="session_transfers",
        columns=_cols(
            ("interaction_id", "The call."),
            ("agent_id", "Originating agent."),
            ("transferred_to_agent_id", "Target agent."),
            ("queue_id", "Queue, when known."),
            ("transferred_at", "When the transfer happened (UTC)."),
            ("talk_seconds", "Talk time of the originating leg."),
        ),
        date_column="transferred_at",
        completion_column="transferred_at",
        scopes=("tenant", "campaign", "agent_group"),
        filters={"user": "agent_id"},
        order_by=("transferred_at", "interaction_id"),
    )
)
_add(
    ReportType(
        key="agent_states",
        title="AgentStates",
        description="Each change in an agent's state, with its duration.",
        mart="agent_state_intervals",
        columns=_cols(
            ("agent_id", "Agent."),
            ("agent_group_id", "Agent (skill) group."),
            ("session_id", "Login session."),
            ("status", "State: available, busy, wrap_up, break …"),
            ("reason_code", "Reason given for the state, if any."),
            ("started_at", "State start (UTC)."),
            ("ended_at", "State end (UTC)."),
            ("seconds", "Duration in seconds."),
        ),
        date_column="started_at",
        completion_column="ended_at",
        scopes=("tenant", "agent_group"),
        filters={"user": "agent_id"},
        order_by=("agent_id", "started_at"),
    )
)
_add(
    ReportType(
        key="agent_summary",
        title="AgentSummary",
        description="Per agent and 15-minute interval: calls, talk, hold and after-call work.",
        mart="agent_summary_15m",
        columns=_cols(
            ("agent_id", "Agent."),
            ("agent_group_id", "Agent (skill) group."),
            ("interval_start", "Start of the 15-minute interval (UTC)."),
            ("calls", "Calls handled."),
            ("talk_seconds", "Talk time."),
            ("hold_seconds", "Hold time."),
            ("wrap_up_seconds", "After-call work time."),
        ),
        date_column="interval_start",
        completion_column="interval_start",
        scopes=("tenant", "agent_group"),
        filters={"user": "agent_id"},
        order_by=("agent_id", "interval_start"),
    )
)
_add(
    ReportType(
        key="abandoned_calls",
        title="AbandonCall",
        description="Calls abandoned in a queue before an agent answered.",
        mart="abandoned_calls",
        columns=_cols(
            ("interaction_id", "The call."),
            ("queue_id", "Queue."),
            ("portfolio_id", "Portfolio (carteira) of the queue."),
            ("entered_at", "Entered the queue (UTC)."),
            ("left_at", "Hung up (UTC)."),
            ("wait_seconds", "Seconds waited before abandoning."),
        ),
        date_column="entered_at",
        completion_column="left_at",
        scopes=("tenant", "portfolio"),
        filters={"portfolio": "portfolio_id"},
        order_by=("entered_at", "interaction_id"),
    )
)
_add(
    ReportType(
        key="sessions",
        title="AgentSessions",
        description="Agent logins and logouts, including incorrect logouts (seed 003).",
        mart="agent_sessions",
        columns=_cols(
            ("agent_id", "Agent."),
            ("session_id", "Session."),
            ("login_at", "Login (UTC)."),
            ("logout_at", "Logout (UTC)."),
            (
                "is_incorrect_logout",
                "True if the session had no logout, or its logout was recorded after the next "
                "login; either way it was closed by the next login (seed 003).",
            ),
        ),
        date_column="login_at",
        completion_column="logout_at",
        scopes=("tenant", "agent_group"),
        filters={"user": "agent_id"},
        order_by=("agent_id", "login_at"),
    )
)
_add(
    ReportType(
        key="contacts_attended",
        title="ContactsAttended",
        description="Every contact attended by an agent or automation (seed 003).",
        mart="contacts_attended",
        columns=_cols(
            ("interaction_id", "The interaction."),
            ("agent_id", "Agent who attended."),
            ("portfolio_id", "Portfolio (carteira)."),
            ("channel", "call, chat, email or sms."),
            ("event_type", "Event type the row comes from."),
            ("answered_at", "Answered (UTC)."),
            ("ended_at", "Ended (UTC)."),
        ),
        date_column="answered_at",
        completion_column="ended_at",
        scopes=("tenant", "portfolio", "agent_group"),
        filters={
            "portfolio": "portfolio_id",
            "channel": "channel",
            "event_type": "event_type",
            "user": "agent_id",
        },
        order_by=("answered_at", "interaction_id"),
    )
)
_add(
    ReportType(
        key="company_interactions",
        title="CompanyInteractions",
        description="Per organization and report day: interactions by channel and CEL (seed 004).",
        mart="company_interactions_daily",
        columns=_cols(
            ("organization_id", "Organization (customer company)."),
            ("report_day", "Report day."),
            ("hotline_contacts", "Inbound calls answered by agents."),
            ("campaign_contacts", "Outbound calls answered by the contact."),
            ("ticket_contacts", "Tickets."),
            ("chat_contacts", "Chats."),
            ("cel", "Customer Engagement Load 0–100."),
        ),
        date_column="report_day",
        completion_column="report_day",
        date_is_day=True,
        scopes=("tenant",),
        order_by=("report_day", "organization_id"),
    )
)
_add(
    ReportType(
        key="communication_actions",
        title="CommunicationActions",
        description="Call results logged to the CRM (seed 001).",
        mart="communication_actions",
        columns=_cols(
            ("action_id", "The CRM action."),
            ("crm_user_id", "CRM user who logged it."),
            ("campaign_id", "Campaign, if any."),
            ("organization_id", "Organization, if any."),
            ("contact_id", "Contact, if any."),
            ("action_type", "Kind of action."),
            ("source", "Where it was logged from."),
            ("info", "Free text."),
            ("created_at", "Logged at (UTC)."),
        ),
        date_column="created_at",
        completion_column="created_at",
        scopes=("tenant", "campaign"),
        filters={"user": "crm_user_id"},
        order_by=("created_at", "action_id"),
    )
)
_QUEUE_KPI_COLUMNS = (
    ("queue_id", "Queue."),
    ("report_day", "Report day."),
    ("offered", "Queue events (contacts offered)."),
    ("answered", "Answered."),
    ("abandoned", "Abandoned."),
    ("short_abandoned", "Abandoned within the short-abandon threshold."),
    ("answered_within_sl", "Answered within the service-level threshold."),
    ("service_level", "Service level (null when nothing was offered)."),
    ("abandon_rate", "Abandoned ÷ offered (null when nothing was offered)."),
    ("asa_seconds", "Average speed of answer."),
    ("avg_time_to_abandon_seconds", "Average wait of abandoned contacts."),
    ("avg_talk_seconds", "Average talk time of answered contacts."),
)
_add(
    ReportType(
        key="queue_kpis_daily",
        title="QueueKpisDaily",
        description="Queue KPIs per queue and report day.",
        mart="queue_kpis_daily",
        columns=_cols(*_QUEUE_KPI_COLUMNS),
        date_column="report_day",
        completion_column="report_day",
        date_is_day=True,
        scopes=("tenant",),
        order_by=("report_day", "queue_id"),
    )
)
_add(
    ReportType(
        key="queue_kpis_interval",
        title="QueueKpisInterval",
        description="Queue KPIs per queue and interval.",
        mart="queue_kpis_interval",
        columns=_cols(
            _QUEUE_KPI_COLUMNS[0],
            ("interval_start", "Interval start (UTC)."),
            *_QUEUE_KPI_COLUMNS[1:],
        ),
        date_column="interval_start",
        completion_column="interval_start",
        scopes=("tenant",),
        order_by=("interval_start", "queue_id"),
    )
)
_add(
    ReportType(
        key="contact_phone_extraction",
        title="ContactPhones",
        description="Phone numbers of the contacts attempted in the period; at most 10,000 "
        "records (seed 003).",
        mart="all_contacts",
        columns=_cols(
            ("contact_id", "Platform contact id."),
            ("client_id", "Contact's id in the list."),
            ("device", "Phone number."),
            ("started_at", "Attempt start (UTC)."),
        ),
        date_column="started_at",
        completion_column="ended_at",
        scopes=("tenant", "campaign"),
        where="pass_type in ('voice', 'text')",
        limits=Limits(max_records=10_000),
        order_by=("contact_id", "device"),
    )
)
_add(
    ReportType(
        key="contact_email_extraction",
        title="ContactEmails",
        description="E-mail addresses of the contacts attempted in the period; at most 10,000 "
        "records and 30 days (seed 003).",
        mart="all_contacts",
        columns=_cols(
            ("contact_id", "Platform contact id."),
            ("client_id", "Contact's id in the list."),
            ("device", "E-mail address."),
            ("started_at", "Attempt start (UTC)."),
        ),
        date_column="started_at",
        completion_column="ended_at",
        scopes=("tenant", "campaign"),
        where="pass_type = 'email'",
        limits=Limits(max_records=10_000, max_days=30),
        order_by=("contact_id", "device"),
    )
)


class LimitExceeded(ValueError):
    """A run over a report's declared limit: refused, never truncated."""


def get(key: str) -> ReportType:
    try:
        return REPORTS[key]
    except KeyError:
        raise KeyError(
            f"unknown report type {key!r} (known: {', '.join(sorted(REPORTS))})"
        ) from None


@dataclass(frozen=True)
class Query:
    sql: str
    params: list[object]


def _quote(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _naive_utc(t: datetime) -> datetime:
    # marts hold UTC as naive TIMESTAMP; compare like with like
    return t.astimezone(UTC).replace(tzinfo=None)


def check_limits_period(report: ReportType, period: Period) -> None:
    days = report.limits.max_days
    if days is None:
        return
    if period.start is None:
        raise LimitExceeded(
            f"report type {report.key} covers at most {days} days; an entire-campaign "
            f"timeframe has no start — choose a timeframe of {days} days or fewer"
        )
    if period.end - period.start > timedelta(days=days):
        span = (period.end - period.start).total_seconds() / 86400
        raise LimitExceeded(
            f"report type {report.key} covers at most {days} days; the requested period "
            f"{period.start.isoformat()} – {period.end.isoformat()} is {span:.1f} days — "
            "split it into shorter runs"
        )


def check_limits_count(report: ReportType, count: int) -> None:
    cap = report.limits.max_records
    if cap is not None and count > cap:
        raise LimitExceeded(
            f"report type {report.key} returns at most {cap:,} records; this run matched "
            f"{count:,} — narrow the period or the scope (nothing was exported)"
        )


def build_query(
    report: ReportType,
    tenant: str,
    scope: str,
    scope_value: str | None,
    period: Period,
    *,
    incremental: bool,
    filters: dict[str, str] | None = None,
    columns: list[str] | None = None,
    zone_name: str | None = None,
) -> Query:
    """The SELECT for one run. ``columns`` (default: all of the report's) in that order."""
    filters = filters or {}
    conds = ["tenant_id = ?"]
    params: list[object] = [tenant]
    if scope != "tenant":
        if scope not in report.scopes:
            raise ValueError(
                f"report type {report.key} does not run at scope {scope!r} "
                f"(it runs at: {', '.join(report.scopes)})"
            )
        conds.append(f"{_quote(report.scope_column(scope))} = ?")  # type: ignore[arg-type]
        params.append(scope_value)
    for name, value in filters.items():
        if name not in report.filters:
            raise ValueError(
                f"report type {report.key} has no filter {name!r} "
                f"(it has: {', '.join(report.filters) or 'none'})"
            )
        conds.append(f"{_quote(report.filters[name])} = ?")
        params.append(value)
    if report.where:
        conds.append(f"({report.where})")
    time_col = report.completion_column if incremental else report.date_column
    if report.date_is_day:
        first, last = _day_range(period, zone_name, report.day_rule)
        if first is not None:
            conds.append(f"{_quote(time_col)} >= ?")
            params.append(first)
        conds.append(f"{_quote(time_col)} < ?")
        params.append(last)
    else:
        if period.start is not None:
            conds.append(f"{_quote(time_col)} >= ?")
            params.append(_naive_utc(period.start))
        conds.append(f"{_quote(time_col)} < ?")
        params.append(_naive_utc(period.end))
    where = " and ".join(conds)
    wanted = columns or list(report.column_names)
    order = ", ".join(_quote(c) for c in report.order_by) or "1"
    base = f"select * from {_quote(report.mart)} where {where}"

    if report.best_contact is None:
        select = ", ".join(_quote(c) for c in wanted)
        return Query(f"select {select} from ({base}) order by {order}", params)

    # Best Contact within the range, in the same order as the marts (dbt macro
    # best_contact_order): per campaign x client_id the highest status rank, then the latest
    # started_at, ended_at, interaction_id and event_id (unique), nulls losing every step.
    # Attempts without a client_id are never a best contact, as in the best_contact mart.
    best = (
        "select event_id from ("
        " select event_id, row_number() over (partition by campaign_id, client_id order by"
        " status_rank desc nulls last, started_at desc nulls last, ended_at desc nulls last,"
        " interaction_id desc nulls last, event_id desc nulls last) as rn"
        " from base where client_id is not null) where rn = 1"
    )
    use_mart_flag = (
        period.start is None
        and scope in ("tenant", "campaign")
        and not filters
        and not report.where
    )
    if report.best_contact == "flag":
        if use_mart_flag:  # the mart's flag is exactly the entire-campaign best contact
            cols = ", ".join(_quote(c) for c in wanted)
            return Query(f"select {cols} from ({base}) order by {order}", params)
        cols = ", ".join(
            "cast(best.event_id is not null as integer) as best_contact"
            if c == "best_contact"
            else f"base.{_quote(c)}"
            for c in wanted
        )
        sql = (
            f"with base as ({base}), best as ({best}) "
            f"select {cols} from base left join best using (event_id) "
            f"order by {', '.join('base.' + _quote(c) for c in report.order_by)}"
        )
        return Query(sql, params)
    cols = ", ".join(_quote(c) for c in wanted)
    if use_mart_flag:
        return Query(f"select {cols} from ({base}) where best_contact = 1 order by {order}", params)
    sql = (
        f"with base as ({base}), best as ({best}) "
        f"select {cols} from base semi join best using (event_id) order by {order}"
    )
    return Query(sql, params)


def _day_range(period: Period, zone_name: str | None, rule: str):
    """The report days [first, last) a period covers, for marts keyed by report_day."""
    first = None
    if period.start is not None:
        first = timeframes.report_day_of(period.start, zone_name, rule)
    last_day = timeframes.report_day_of(period.end - timedelta(microseconds=1), zone_name, rule)
    return first, last_day + timedelta(days=1)


def required_columns(
    report: ReportType,
    columns: list[str] | None,
    scope: str,
    filters: dict[str, str],
    incremental: bool,
) -> set[str]:
    """Mart columns one run needs: selected, tenant, scope, filter, time and order columns."""
    need = set(columns or report.column_names)
    if report.best_contact == "flag":
        need.discard("best_contact")  # recomputed within the range
    need |= {"tenant_id", *report.order_by}
    need.add(report.completion_column if incremental else report.date_column)
    if scope != "tenant":
        need.add(STANDARD_SCOPE_COLUMNS[scope])
    need |= {report.filters[f] for f in filters if f in report.filters}
    if report.best_contact:
        need |= {
            "event_id",
            "interaction_id",
            "campaign_id",
            "client_id",
            "status_rank",
            "started_at",
            "ended_at",
        }
    return need
