"""What the simulated contact centres look like: tenants, queues, groups, campaigns, people.

A tenant gets the same shape every time (five queues in three portfolios, five agent groups,
two campaigns with two sub-campaigns each) so that reports have something in every column;
volumes and head counts scale with the configuration. Names and numbers come from the
tenant's own random stream, so adding a tenant does not change the others.
"""

from __future__ import annotations

import bisect
import math
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

TimestampStyle = Literal["local", "utc", "mixed"]


@dataclass(frozen=True)
class TenantSpec:
    tenant_id: str
    time_zone: str
    name: str = ""
    # How this sender writes timestamps: its local offset, Z, or a mix of both per event.
    timestamps: TimestampStyle = "local"
    locale: str = "en"


DEFAULT_TENANTS: tuple[TenantSpec, ...] = (
    TenantSpec("acme-pl", "Europe/Warsaw", "Acme Polska", "mixed", "pl"),  # ahead of UTC, DST
    TenantSpec("solaris-br", "America/Sao_Paulo", "Solaris Brasil", "local", "pt"),  # behind
    TenantSpec("meridian", "UTC", "Meridian Contact", "mixed", "en"),  # at UTC
)
# Zones for tenants beyond the default three: half-hour offsets and both hemispheres' DST.
EXTRA_ZONES = (
    "Asia/Kolkata",
    "America/New_York",
    "Australia/Sydney",
    "Europe/London",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Africa/Johannesburg",
    "Europe/Berlin",
)


def default_tenants(n: int) -> tuple[TenantSpec, ...]:
    """The first n tenants: the default three, then tenantN in EXTRA_ZONES round-robin."""
    out = list(DEFAULT_TENANTS[:n])
    for i in range(len(out), n):
        zone = EXTRA_ZONES[(i - len(DEFAULT_TENANTS)) % len(EXTRA_ZONES)]
        out.append(TenantSpec(f"tenant{i + 1}", zone, f"Tenant {i + 1}", "local", "en"))
    return tuple(out)


@dataclass(frozen=True)
class SimConfig:
    start: date  # first simulated local day (each tenant's own midnight)
    days: int = 7
    seed: int = 42
    tenants: tuple[TenantSpec, ...] = DEFAULT_TENANTS
    # inbound arrivals on a weekday into a queue of weight 1.0 (the hotline)
    calls_per_queue_day: float = 400.0
    # new list records per weekday for a voice sub-campaign of weight 1.0
    clients_per_campaign_day: float = 150.0
    contacts: int = 2000

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("days must be at least 1")
        if not self.tenants:
            raise ValueError("at least one tenant is needed")
        ids = [t.tenant_id for t in self.tenants]
        if len(set(ids)) != len(ids):
            raise ValueError(f"tenant ids must be unique, got {ids}")
        if self.calls_per_queue_day < 0 or self.clients_per_campaign_day < 0:
            raise ValueError("volumes must not be negative")
        if self.contacts < 10:
            raise ValueError("contacts must be at least 10")


# --- queues, groups, shifts ----------------------------------------------------------------

DayType = Literal["wd", "sat", "sun"]


def day_type(d: date) -> DayType:
    wd = d.weekday()
    return "sat" if wd == 5 else "sun" if wd == 6 else "wd"


def _g(h: float, mu: float, sigma: float) -> float:
    return math.exp(-0.5 * ((h - mu) / sigma) ** 2)


# Intraday arrival shapes in local hours: a morning and an afternoon peak, quiet nights.
PROFILES = {
    "hotline": lambda h: (
        0.06 + _g(h, 10.5, 1.5) + 0.85 * _g(h, 14.5, 1.7) + 0.35 * _g(h, 19.5, 1.5)
    ),
    "business": lambda h: 0.015 + _g(h, 10.0, 1.4) + 0.9 * _g(h, 14.0, 1.6),
    "chat": lambda h: 0.03 + 0.8 * _g(h, 11.0, 1.8) + _g(h, 20.0, 2.0),
    "email": lambda h: 0.15 + _g(h, 10.0, 2.5) + 0.7 * _g(h, 15.0, 2.5),
}
# share of a weekday's volume, Monday..Sunday: lighter weekends
WEEKDAY_FACTORS = {
    "hotline": (1.1, 1.0, 1.0, 1.0, 0.95, 0.55, 0.45),
    "business": (1.15, 1.0, 1.0, 1.0, 0.9, 0.35, 0.12),
    "chat": (1.0, 1.0, 1.0, 1.0, 1.0, 0.7, 0.6),
    "email": (1.2, 1.0, 1.0, 1.0, 0.9, 0.3, 0.25),
}


def slot_shares(profile: str) -> list[float]:
    """Share of a day's arrivals in each local 15-minute slot (96 slots, sum 1)."""
    f = PROFILES[profile]
    raw = [f((i + 0.5) / 4) for i in range(96)]
    total = sum(raw)
    return [r / total for r in raw]


Window = tuple[int, int]  # local minutes from midnight; the end may pass 1440


@dataclass(frozen=True)
class GroupKind:
    key: str
    name: str
    channel: str
    shifts: dict[DayType, tuple[Window, ...]]
    # square-root staffing safety factor: agents = load + beta * sqrt(load)
    beta: float


GROUP_KINDS: dict[str, GroupKind] = {
    g.key: g
    for g in (
        GroupKind(
            "hotline",
            "Hotline",
            "call",
            {d: ((405, 915), (885, 1395), (1365, 1875)) for d in ("wd", "sat", "sun")},
            1.2,
        ),
        GroupKind(
            "service",
            "Customer service",
            "call",
            {"wd": ((405, 915), (765, 1275)), "sat": ((525, 1035),), "sun": ()},
            1.2,
        ),
        GroupKind(
            "chat",
            "Web chat",
            "chat",
            {"wd": ((465, 975), (885, 1395)), "sat": ((585, 1215),), "sun": ((585, 1215),)},
            1.0,
        ),
        GroupKind(
            "backoffice", "Back office", "email", {"wd": ((480, 990),), "sat": (), "sun": ()}, 0
        ),
        GroupKind(
            "outbound",
            "Outbound sales",
            "call",
            {"wd": ((525, 915), (825, 1215)), "sat": ((585, 975),), "sun": ()},
            2.0,
        ),
    )
}


@dataclass(frozen=True)
class QueueKind:
    key: str
    name: str
    channel: str  # call / chat / email
    group: str
    profile: str
    weight: float  # volume relative to calls_per_queue_day
    portfolio: str
    # when the queue takes interactions; outside, calls become out-of-hours missed calls
    open: dict[DayType, Window | None]
    max_wait: int  # seconds until the platform times the interaction out
    overflow_after: int | None = None  # seconds until the call overflows (voicemail)


ALWAYS: dict[DayType, Window | None] = {"wd": (0, 1440), "sat": (0, 1440), "sun": (0, 1440)}

QUEUE_KINDS: tuple[QueueKind, ...] = (
    QueueKind("hotline", "Hotline 24/7", "call", "hotline", "hotline", 1.0, "retail", ALWAYS, 900),
    QueueKind(
        "billing",
        "Billing",
        "call",
        "service",
        "business",
        0.6,
        "retail",
        {"wd": (420, 1260), "sat": (540, 1020), "sun": None},
        600,
    ),
    QueueKind(
        "sales",
        "Sales",
        "call",
        "service",
        "business",
        0.7,
        "business",
        {"wd": (420, 1260), "sat": (540, 1020), "sun": None},
        600,
        overflow_after=180,
    ),
    QueueKind(
        "chat",
        "Web chat",
        "chat",
        "chat",
        "chat",
        0.6,
        "retail",
        {"wd": (480, 1380), "sat": (600, 1200), "sun": (600, 1200)},
        600,
    ),
    QueueKind(
        "email",
        "Email support",
        "email",
        "backoffice",
        "email",
        0.35,
        "business",
        ALWAYS,
        72 * 3600,
    ),
)

PORTFOLIOS = {"retail": "Retail", "business": "Business", "collections": "Collections"}


@dataclass(frozen=True)
class Handling:
    """How long agents take: lognormal talk, occasional hold, wrap-up (seconds)."""

    talk_mean: float
    talk_sigma: float
    hold_share: float
    hold_mean: float
    wrap_mean: float
    ring: tuple[int, int]  # seconds between agent reserved and answered

    @property
    def aht(self) -> float:
        return (
            self.talk_mean + self.hold_share * self.hold_mean + self.wrap_mean + sum(self.ring) / 2
        )


HANDLING = {
    "call": Handling(240, 0.6, 0.25, 45, 30, (1, 5)),
    "chat": Handling(420, 0.5, 0.0, 0, 20, (1, 4)),
    "email": Handling(300, 0.6, 0.0, 0, 15, (0, 0)),
    "outbound": Handling(180, 0.7, 0.15, 30, 25, (0, 1)),
}


@dataclass(frozen=True)
class SubCampaignKind:
    key: str
    name: str
    pass_type: str
    weight: float  # new list records relative to clients_per_campaign_day
    max_attempts: int


@dataclass(frozen=True)
class CampaignKind:
    key: str
    name: str
    dialing_mode: str  # predictive (agents take live answers) or direct_connect (transfer)
    portfolio: str
    subs: tuple[SubCampaignKind, ...]


CAMPAIGN_KINDS: tuple[CampaignKind, ...] = (
    CampaignKind(
        "renewals",
        "Contract renewals",
        "predictive",
        "retail",
        (
            SubCampaignKind("voice", "Renewals - voice", "voice", 1.0, 15),
            SubCampaignKind("sms", "Renewals - SMS reminder", "text", 0.6, 3),
        ),
    ),
    CampaignKind(
        "reminders",
        "Payment reminders",
        "direct_connect",
        "collections",
        (
            SubCampaignKind("voice", "Reminders - voice", "voice", 0.7, 8),
            SubCampaignKind("email", "Reminders - email", "email", 0.5, 2),
        ),
    ),
)


# --- directory -------------------------------------------------------------------------------

NAMES = {
    "pl": (
        (
            "Anna",
            "Piotr",
            "Katarzyna",
            "Tomasz",
            "Magdalena",
            "Paweł",
            "Agnieszka",
            "Michał",
            "Zofia",
            "Łukasz",
            "Małgorzata",
            "Krzysztof",
        ),
        (
            "Nowak",
            "Kowalski",
            "Wiśniewska",
            "Wójcik",
            "Kamińska",
            "Lewandowski",
            "Zieliński",
            "Szymańska",
            "Woźniak",
            "Dąbrowski",
            "Kozłowska",
            "Jankowski",
        ),
        ("Sp. z o.o.", "S.A.", "Spółka Jawna"),
        48,
    ),
    "pt": (
        (
            "Ana",
            "João",
            "Maria",
            "Pedro",
            "Beatriz",
            "Lucas",
            "Juliana",
            "Gabriel",
            "Fernanda",
            "Rafael",
            "Letícia",
            "Tiago",
        ),
        (
            "Silva",
            "Santos",
            "Oliveira",
            "Souza",
            "Conceição",
            "Pereira",
            "Lima",
            "Gonçalves",
            "Araújo",
            "Ribeiro",
            "Carvalho",
            "Gomes",
        ),
        ("Ltda.", "S.A.", "ME"),
        55,
    ),
    "en": (
        (
            "Olivia",
            "James",
            "Amelia",
            "Noah",
            "Isla",
            "Oliver",
            "Ava",
            "George",
            "Mia",
            "Harry",
            "Zoë",
            "Jack",
        ),
        (
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Williams",
            "Wilson",
            "Evans",
            "Thomas",
            "Roberts",
            "Walker",
            "O'Brien",
            "Hughes",
        ),
        ("Ltd", "plc", "LLP"),
        44,
    ),
}
_ORG_STEMS = (
    "Nord",
    "Vita",
    "Terra",
    "Lumen",
    "Orbis",
    "Agro",
    "Medi",
    "Tech",
    "Aqua",
    "Sol",
    "Ferro",
    "Nova",
    "Prima",
    "Delta",
    "Volt",
    "Casa",
)
_ORG_TAILS = (
    "pol",
    "trans",
    "bud",
    "med",
    "soft",
    "gaz",
    "mar",
    "plast",
    "net",
    "logis",
    "serv",
    "tex",
)


@dataclass
class Contact:
    id: str
    name: str
    organization_id: str | None  # mutable: a few contacts move mid-period
    phone: str
    email: str


@dataclass(frozen=True)
class AgentInfo:
    id: str
    name: str
    group_key: str
    group_id: str
    crm_user_id: str
    index: int  # position in the group roster (rest days rotate with it)


@dataclass(frozen=True)
class Queue:
    id: str
    kind: QueueKind
    group_id: str
    portfolio_id: str


@dataclass(frozen=True)
class SubCampaign:
    id: str
    kind: SubCampaignKind
    campaign_id: str
    list_id: str


@dataclass(frozen=True)
class Campaign:
    id: str
    kind: CampaignKind
    portfolio_id: str
    subs: tuple[SubCampaign, ...]


@dataclass
class Directory:
    tenant: TenantSpec
    portfolios: dict[str, str] = field(default_factory=dict)  # key -> id
    organizations: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    contacts: list[Contact] = field(default_factory=list)
    contact_cum: list[float] = field(default_factory=list)  # skewed who-calls weights
    groups: dict[str, str] = field(default_factory=dict)  # group key -> id
    agents: dict[str, list[AgentInfo]] = field(default_factory=dict)  # group key -> roster
    queues: list[Queue] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    dc_numbers: tuple[str, str] = ("", "")
    # staffing: group key -> day type -> agents per shift (same order as the shift windows)
    staffing: dict[str, dict[DayType, tuple[int, ...]]] = field(default_factory=dict)

    @property
    def all_agents(self) -> list[AgentInfo]:
        return [a for roster in self.agents.values() for a in roster]


def phone_number(country_code: int, n: int) -> str:
    # 9 subscriber digits spread by a multiplicative hash so numbers look unrelated
    return f"+{country_code}{500000000 + (n * 7919 + 12345) % 499999999}"


def _ascii(text: str) -> str:
    """Email-safe spelling of a name: Łukasz Dąbrowski -> lukasz, dabrowski."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("'", "")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", "")


def staffing_need(load_erlangs: float, beta: float) -> int:
    if load_erlangs <= 0:
        return 0
    return max(1, math.ceil(load_erlangs + beta * math.sqrt(load_erlangs)))


def plan_staffing(config: SimConfig) -> dict[str, dict[DayType, tuple[int, ...]]]:
    """Agents per shift for each group and day type, from the expected load (square-root
    staffing on the busiest 15 minutes of each shift); email is sized on the day's work."""
    out: dict[str, dict[DayType, tuple[int, ...]]] = {}
    for key, kind in GROUP_KINDS.items():
        per_day: dict[DayType, tuple[int, ...]] = {}
        for dt, windows in kind.shifts.items():
            wd_index = {"wd": 1, "sat": 5, "sun": 6}[dt]
            load = [0.0] * 192  # 48 h of slots: night shifts run into the next day
            if key == "outbound":
                # live answers: about a fifth of attempts, ~3 attempts per record a day
                attempts = 3.0 * config.clients_per_campaign_day * 1.0
                per_slot = attempts * 0.2 / 44  # spread over the 11-hour calling window
                for i in range(36, 80):
                    load[i] = per_slot * HANDLING["outbound"].aht / 900
            for q in QUEUE_KINDS:
                if q.group != key:
                    continue
                daily = config.calls_per_queue_day * q.weight * WEEKDAY_FACTORS[q.profile][wd_index]
                aht = HANDLING[q.channel].aht
                for i, share in enumerate(slot_shares(q.profile)):
                    load[i] += daily * share * aht / 900
                    load[i + 96] += daily * share * aht / 900
            needs = []
            for start, end in windows:
                if key == "backoffice":
                    work = sum(load[:96]) * 900 * 1.6  # a day's emails plus weekend backlog
                    needs.append(max(1, math.ceil(work / (7 * 3600 * 0.85))) if work else 0)
                    continue
                peak = max(load[start // 15 : max(start // 15 + 1, end // 15)])
                needs.append(staffing_need(peak, kind.beta))
            per_day[dt] = tuple(needs)
        out[key] = per_day
    return out


def build_directory(config: SimConfig, spec: TenantSpec, rng: random.Random) -> Directory:
    """The tenant's reference data, deterministic from its random stream."""
    tid = spec.tenant_id
    firsts, lasts, org_forms, cc = NAMES.get(spec.locale, NAMES["en"])
    d = Directory(tenant=spec)
    d.portfolios = {key: f"{tid}-pf-{key}" for key in PORTFOLIOS}

    n_orgs = max(5, config.contacts // 12)
    for i in range(n_orgs):
        name = f"{rng.choice(_ORG_STEMS)}{rng.choice(_ORG_TAILS)} {rng.choice(org_forms)}"
        d.organizations.append((f"{tid}-org-{i + 1}", name))
    # a few organizations are much busier than the rest (Customer Engagement Load spread)
    org_cum, acc = [], 0.0
    for i in range(n_orgs):
        acc += 1.0 / (i + 1) ** 0.8
        org_cum.append(acc)

    acc = 0.0
    for i in range(config.contacts):
        first, last = rng.choice(firsts), rng.choice(lasts)
        org = None
        if rng.random() < 0.75:
            idx = min(bisect.bisect_right(org_cum, rng.random() * org_cum[-1]), n_orgs - 1)
            org = d.organizations[idx][0]
        domain = (
            _ascii(d.organizations[int(org.rsplit("-", 1)[1]) - 1][1].split()[0]) if org else "mail"
        )
        d.contacts.append(
            Contact(
                id=f"{tid}-ct-{i + 1}",
                name=f"{first} {last}",
                organization_id=org,
                phone=phone_number(cc, rng.randrange(10**8) * 10 + i % 10),
                email=f"{_ascii(first)}.{_ascii(last)}{i + 1}@{domain}.example",
            )
        )
        acc += 1.0 / (1 + i % 97) ** 0.5  # repeat callers: some contacts call far more
        d.contact_cum.append(acc)

    d.staffing = plan_staffing(config)
    for key in GROUP_KINDS:
        gid = f"{tid}-grp-{key}"
        d.groups[key] = gid
        peak_day = max(sum(n) for n in d.staffing[key].values())
        roster = math.ceil(peak_day * 1.45) + 1 if peak_day else 0
        d.agents[key] = [
            AgentInfo(
                id=f"{tid}-ag-{key}-{i + 1}",
                name=f"{rng.choice(firsts)} {rng.choice(lasts)}",
                group_key=key,
                group_id=gid,
                crm_user_id=f"{tid}-crm-{key[:2]}{i + 1:03d}",
                index=i,
            )
            for i in range(roster)
        ]

    for qk in QUEUE_KINDS:
        d.queues.append(
            Queue(f"{tid}-q-{qk.key}", qk, d.groups[qk.group], d.portfolios[qk.portfolio])
        )

    for ck in CAMPAIGN_KINDS:
        cid = f"{tid}-cmp-{ck.key}"
        subs = tuple(
            SubCampaign(f"{cid}-{sk.key}", sk, cid, f"{tid}-list-{ck.key}-{sk.key}")
            for sk in ck.subs
        )
        d.campaigns.append(Campaign(cid, ck, d.portfolios[ck.portfolio], subs))
    d.dc_numbers = (phone_number(cc, 11), phone_number(cc, 12))
    return d
