"""One simulated tenant: its directory, clock, agent pools, and the day-by-day run."""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Iterator
from datetime import date, timedelta

from ingestion.simulator.agents import AgentShift, Pool, Rota, start_shifts
from ingestion.simulator.clock import TenantClock
from ingestion.simulator.emit import Emitter
from ingestion.simulator.model import (
    GROUP_KINDS,
    PORTFOLIOS,
    Contact,
    SimConfig,
    TenantSpec,
    build_directory,
)
from ingestion.simulator.rand import SimRandom

# share of agent sessions that end without a logout (the next login closes them)
MISSING_LOGOUT_SHARE = 0.03
# share of contacts with an organization that move to another one during the period
MOVE_SHARE = 0.01

CRM_INFO = {
    "inbound": (
        "Question answered",
        "Invoice explained",
        "Complaint registered",
        "Address changed",
        "Callback requested",
        "Rückruf erwünscht",
        "Reklamacja przyjęta",
        "Dúvida sobre fatura resolvida",
    ),
    "outbound": (
        "Interested - send offer",
        "Contract renewed",
        "Not interested",
        "Call back next week",
        "Wrong person",
        "Zainteresowany — wysłać ofertę",
        "Não tem interesse",
    ),
}


def lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


class TenantSim:
    def __init__(self, config: SimConfig, spec: TenantSpec) -> None:
        self.config = config
        self.spec = spec
        self.tid = spec.tenant_id
        self.clock = TenantClock(spec.time_zone)
        self.period_start = self.clock.midnight(config.start)
        self.period_end = self.clock.midnight(config.start + timedelta(days=config.days))
        self.em = Emitter(spec, self.clock, self.period_end)
        self.dir = build_directory(config, spec, self.rng("directory"))
        self.pools = {key: Pool() for key in GROUP_KINDS}
        self.rotas = {key: Rota(self.dir.agents[key]) for key in GROUP_KINDS}
        self._pending: list[tuple[int, int, dict]] = []
        self._pending_seq = 0
        self._interactions = 0
        self._tickets = 0
        self._actions = 0
        self._moves = self._plan_moves()
        # imported here: outbound depends on this module's helpers
        from ingestion.simulator.outbound import Outbound

        self.outbound = Outbound(self)

    # --- shared helpers --------------------------------------------------------------

    def rng(self, *parts: object) -> SimRandom:
        """An independent, reproducible random stream per tenant and purpose (str seeds are
        hashed with SHA-512 by ``random``, independent of PYTHONHASHSEED)."""
        return SimRandom("|".join([str(self.config.seed), self.tid, *map(str, parts)]))

    def contact(self, rng: random.Random) -> Contact:
        """A contact, skewed so that some people (and their organizations) call far more."""
        cum = self.dir.contact_cum
        i = bisect.bisect_right(cum, rng.random() * cum[-1])
        return self.dir.contacts[min(i, len(cum) - 1)]

    def interaction_id(self) -> str:
        self._interactions += 1
        return f"{self.tid}-i{self._interactions}"

    def defer(self, event: dict | None, occurred: int) -> None:
        """Hold an event until the simulated day in which it happens is emitted."""
        if event is not None:
            self._pending_seq += 1
            heapq.heappush(self._pending, (occurred, self._pending_seq, event))

    def _flush(self, upto: int) -> Iterator[dict]:
        pending = self._pending
        while pending and pending[0][0] < upto:
            yield heapq.heappop(pending)[2]

    def ticket(self, rng: random.Random, created: int, contact: Contact | None) -> dict | None:
        """A CRM ticket opened at ``created``; its resolution (most are resolved, after a
        lognormal time of about a day) is deferred until it happens."""
        self._tickets += 1
        ticket_id = f"{self.tid}-T{self._tickets}"
        em = self.em
        f = em.fmt()
        base = {"ticket_id": ticket_id}
        if contact is not None:
            if contact.organization_id:
                base["organization_id"] = contact.organization_id
            base["contact_id"] = contact.id
        data = {**base, "created_at": f(created), "resolved_at": None, "status": "open"}
        event = em.make("ticket", f"{ticket_id}:open", created, f, data, data["created_at"])
        if rng.random() < 0.85:
            resolved = created + 300 + int(lognormal(rng, 20 * 3600, 1.0))
            g = em.fmt()
            done = {
                **base,
                "created_at": g(created),
                "resolved_at": g(resolved),
                "status": "resolved",
            }
            closing = em.make(
                "ticket", f"{ticket_id}:resolved", resolved, g, done, done["resolved_at"]
            )
            self.defer(closing, resolved)
        return event

    def crm_action(
        self,
        rng: random.Random,
        agent_crm_id: str,
        direction: str,
        started: int,
        logged: int,
        contact: Contact | None,
        campaign_id: str | None = None,
    ) -> dict | None:
        """A call result logged to the CRM by the agent (seed 001: Skapar-ID, Info, Skapad vid,
        Källa, Typ); created_at is the start of the call, the event happens when it is saved."""
        self._actions += 1
        f = self.em.fmt()
        data = {"action_id": f"{self.tid}-A{self._actions}", "crm_user_id": agent_crm_id}
        if campaign_id:
            data["campaign_id"] = campaign_id
        if contact is not None:
            if contact.organization_id:
                data["organization_id"] = contact.organization_id
            data["contact_id"] = contact.id
        data["info"] = rng.choice(CRM_INFO[direction])
        data["created_at"] = f(started)
        data["source"] = "Contact Center" if rng.random() < 0.9 else "Contact Portal"
        data["action_type"] = "outbound_call" if direction == "outbound" else "inbound_call"
        return self.em.make("crm_action", data["action_id"], logged, f, data)

    # --- directory ---------------------------------------------------------------------

    def _directory(
        self, entity: str, id_: str, attributes: dict, at: int, version: int = 1
    ) -> dict:
        f = self.em.fmt()
        data = {"entity": entity, "id": id_, "attributes": attributes}
        event = self.em.make("directory", f"{entity}:{id_}:v{version}", at, f, data)
        assert event is not None  # directory time is before the period end
        return event

    def directory_events(self) -> Iterator[dict]:
        """Reference data, a day before the first activity (the night crew logs in the
        evening before the first simulated day)."""
        d, at = self.dir, self.period_start - 86400
        spec = self.spec
        yield self._directory(
            "tenant",
            self.tid,
            {
                "name": spec.name or self.tid,
                "reports_time_zone": spec.time_zone,
                "locale": spec.locale,
            },
            at,
        )
        for key, pid in d.portfolios.items():
            yield self._directory("portfolio", pid, {"name": PORTFOLIOS[key]}, at)
        for key, gid in d.groups.items():
            kind = GROUP_KINDS[key]
            yield self._directory(
                "agent_group", gid, {"name": kind.name, "channel": kind.channel}, at
            )
        for q in d.queues:
            attrs = {
                "name": q.kind.name,
                "channel": q.kind.channel,
                "portfolio_id": q.portfolio_id,
                "agent_group_id": q.group_id,
            }
            yield self._directory("queue", q.id, attrs, at)
        for a in d.all_agents:
            attrs = {"name": a.name, "agent_group_id": a.group_id, "crm_user_id": a.crm_user_id}
            yield self._directory("agent", a.id, attrs, at)
        for oid, name in d.organizations:
            yield self._directory("organization", oid, {"name": name}, at)
        for c in d.contacts:
            yield self._directory("contact", c.id, self._contact_attrs(c), at)
        for c in d.campaigns:
            attrs = {
                "name": c.kind.name,
                "dialing_mode": c.kind.dialing_mode,
                "portfolio_id": c.portfolio_id,
            }
            yield self._directory("campaign", c.id, attrs, at)
            for s in c.subs:
                attrs = {
                    "name": s.kind.name,
                    "campaign_id": c.id,
                    "pass_type": s.kind.pass_type,
                    "list_id": s.list_id,
                    "max_attempts": s.kind.max_attempts,
                }
                yield self._directory("sub_campaign", s.id, attrs, at)

    @staticmethod
    def _contact_attrs(c: Contact) -> dict:
        return {
            "name": c.name,
            "organization_id": c.organization_id,
            "phone": c.phone,
            "email": c.email,
        }

    def _plan_moves(self) -> dict[int, list[tuple[Contact, str]]]:
        """Contacts that change organization, by the day from which the new one applies."""
        rng = self.rng("moves")
        days = self.config.days
        with_org = [c for c in self.dir.contacts if c.organization_id]
        orgs = [oid for oid, _ in self.dir.organizations]
        plan: dict[int, list[tuple[Contact, str]]] = {}
        if days < 2 or not with_org or len(orgs) < 2:
            return plan
        for c in rng.sample(with_org, max(1, round(len(with_org) * MOVE_SHARE))):
            new = rng.choice([o for o in orgs if o != c.organization_id])
            plan.setdefault(rng.randint(1, days - 1), []).append((c, new))
        return plan

    def _moves_on(self, i: int, d: date) -> Iterator[dict]:
        rng = self.rng("moves", i)
        for contact, new_org in self._moves.get(i, []):
            contact.organization_id = new_org
            # updated in the CRM late the evening before; from this day on calls carry it
            at = self.clock.midnight(d) - rng.randint(600, 7200)
            yield self._directory(
                "contact", contact.id, self._contact_attrs(contact), at, version=2
            )

    # --- the run ------------------------------------------------------------------------

    def _start_shifts(self, i: int, d: date, only_overnight: bool = False) -> None:
        rng = self.rng("shifts", i)
        for key, pool in self.pools.items():
            start_shifts(
                pool,
                self.rotas[key],
                key,
                self.dir.staffing,
                d,
                self.clock.wall,
                rng,
                only_overnight,
            )

    def day(self, i: int) -> Iterator[dict]:
        """Everything of local day i (0-based from the start); day -1 only logs in the night
        crew that works into day 0."""
        from ingestion.simulator.inbound import inbound_day, misc_day

        d = self.config.start + timedelta(days=i)
        if i < 0:
            self._start_shifts(i, d, only_overnight=True)
            return
        yield from self._moves_on(i, d)
        self._start_shifts(i, d)
        yield from inbound_day(self, i, d)
        yield from self.outbound.day(i, d)
        yield from misc_day(self, i, d)
        day_end = self.clock.midnight(d + timedelta(days=1))
        rng = self.rng("close", i)
        for pool in self.pools.values():
            yield from self.status_events(pool.close(day_end, rng, MISSING_LOGOUT_SHARE))
        yield from self._flush(day_end)

    def finish(self) -> Iterator[dict]:
        """Sessions still running at the end of the period: what happened so far, with the
        current state open. Deferred events after the period have not happened yet."""
        rng = self.rng("close", "end")
        for pool in self.pools.values():
            yield from self.status_events(pool.close(2**62, rng, 0.0))
        yield from self._flush(self.period_end)
        self._pending.clear()

    def status_events(self, shifts: list[AgentShift]) -> Iterator[dict]:
        em, end = self.em, self.period_end
        for s in shifts:
            agent_id, session = s.info.id, s.session_id
            f = em.fmt()  # one agent desktop, one timestamp style
            last_t, last_text = -1, ""
            for k, (status, started, ended, reason) in enumerate(s.segs):
                if started >= end:
                    break
                if ended is not None and ended >= end:
                    ended = None  # still in this state when the period ends
                # a state starts where the previous one ended: format each instant once
                start_text = last_text if started == last_t else f(started)
                data = {
                    "agent_id": agent_id,
                    "session_id": session,
                    "status": status,
                    "started_at": start_text,
                }
                if ended is not None:
                    last_t, last_text = ended, f(ended)
                    data["ended_at"] = last_text
                if reason is not None:
                    data["reason_code"] = reason
                if ended is None:
                    event = em.make("agent_status", f"{session}:{k}", started, f, data, start_text)
                else:
                    event = em.make("agent_status", f"{session}:{k}", ended, f, data, last_text)
                if event is not None:
                    yield event
