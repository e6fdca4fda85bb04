"""Inbound traffic of one tenant-day: queues, the agents who answer, and what follows
(contact-side chat sessions, missed calls, tickets, CRM actions)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ingestion.simulator.agents import arrivals, poisson
from ingestion.simulator.model import HANDLING, WEEKDAY_FACTORS, day_type, slot_shares
from ingestion.simulator.statuses import Picker

if TYPE_CHECKING:
    from ingestion.simulator.tenant import TenantSim

NEVER = 10**9  # patience of an email sender: they do not hang up

SHARES = {p: slot_shares(p) for p in WEEKDAY_FACTORS}

DISPOSITIONS = {
    "call": Picker(
        [
            "RESOLVED",
            "INFO_GIVEN",
            "CALLBACK",
            "ESCALATED",
            "SALE",
            "COMPLAINT",
            "WRONG_QUEUE",
            None,
        ],
        [50, 20, 8, 7, 6, 5, 3, 2],
    ),
    "chat": Picker(["RESOLVED", "INFO_GIVEN", "ESCALATED", "SALE", None], [55, 30, 6, 6, 3]),
    "email": Picker(["REPLIED", "FORWARDED", "CLOSED_NO_ACTION", None], [75, 12, 10, 3]),
}
NPS = Picker(list(range(11)), [2, 1, 1, 1, 2, 3, 4, 8, 16, 22, 40])
KNOWN_CALLER = {"call": 0.85, "chat": 0.7, "email": 1.0}


def patience(rng: random.Random, channel: str) -> int:
    """Seconds a customer waits before giving up: a few hang up at once (short abandons,
    some at exactly 5 s, the metric's boundary), the rest roughly exponentially."""
    if channel == "email":
        return NEVER
    r = rng.random()
    short, at_five, mean = (0.07, 0.02, 110.0) if channel == "call" else (0.03, 0.01, 240.0)
    if r < short:
        return rng.randint(0, 4)
    if r < short + at_five:
        return 5
    return 6 + int(rng.expovariate(1.0 / mean))


def inbound_day(sim: TenantSim, i: int, d: date) -> Iterator[dict]:
    clock, cfg = sim.clock, sim.config
    day_start, day_end = clock.midnight(d), clock.midnight(d + timedelta(days=1))
    dt = day_type(d)
    for group_key in ("hotline", "service", "chat", "backoffice"):
        rng = sim.rng("inbound", group_key, i)
        queues = [q for q in sim.dir.queues if q.kind.group == group_key]
        entering: list[tuple[int, int]] = []
        out_of_hours: list[tuple[int, int]] = []
        for qi, q in enumerate(queues):
            expected = (
                cfg.calls_per_queue_day
                * q.kind.weight
                * WEEKDAY_FACTORS[q.kind.profile][d.weekday()]
            )
            window = q.kind.open[dt]
            for t in arrivals(
                rng, day_start, day_end, expected, SHARES[q.kind.profile], clock.minute_of_day
            ):
                m = clock.minute_of_day(t)
                if window is not None and window[0] <= m < window[1]:
                    entering.append((t, qi))
                elif q.kind.channel == "call":
                    out_of_hours.append((t, qi))
                # chats outside opening hours never start: the widget is offline
        entering.sort()
        yield from _serve(sim, rng, group_key, queues, entering)
        for t, qi in out_of_hours:
            event = _missed(sim, rng, t, queues[qi].id, None, "out_of_hours")
            if event is not None:
                yield event


def _serve(
    sim: TenantSim, rng: random.Random, group_key: str, queues: list, entering: list
) -> Iterator[dict]:
    """Run the group's queue: every arrival, in order, to the first free agent."""
    em, pool = sim.em, sim.pools[group_key]
    channel = queues[0].kind.channel if queues else "call"
    handling = HANDLING[channel]
    talk_mu = math.log(handling.talk_mean) - handling.talk_sigma**2 / 2
    ring_lo, ring_hi = handling.ring
    dispositions = DISPOSITIONS[channel]
    known = KNOWN_CALLER[channel]
    qtype, atype = f"queue_{channel}", f"agent_{channel}"
    transfer_pool = sim.dir.agents["hotline"] + sim.dir.agents["service"]
    for t, qi in entering:
        q = queues[qi]
        iid = sim.interaction_id()
        contact = sim.contact(rng) if rng.random() < known else None
        ag = pool.earliest(t)
        wait = NEVER
        if ag is not None:
            start = ag.free_at if ag.free_at > t else t
            answered = start + rng.randint(ring_lo, ring_hi)
            wait = answered - t
        give_up = patience(rng, channel)
        limit = min(give_up, q.kind.max_wait, q.kind.overflow_after or NEVER)
        f = em.fmt()
        data = {"interaction_id": iid, "queue_id": q.id, "portfolio_id": q.portfolio_id}
        if contact is not None:
            data["contact_id"] = contact.id
            if contact.organization_id:
                data["organization_id"] = contact.organization_id
        data["entered_at"] = f(t)
        if ag is not None and wait <= limit:
            talk = 5 + int(rng.lognormvariate(talk_mu, handling.talk_sigma))
            hold = 0
            if handling.hold_share and rng.random() < handling.hold_share:
                hold = 5 + int(rng.expovariate(1.0 / handling.hold_mean))
            wrap = 3 + int(rng.expovariate(1.0 / handling.wrap_mean))
            ended = answered + hold + talk
            pool.assign(ag, start, ended, wrap)
            data["answered_at"] = f(answered)
            data["left_at"] = data["answered_at"]
            data["outcome"] = "answered"
            data["agent_id"] = ag.info.id
            event = em.make(qtype, iid, answered, f, data, data["answered_at"])
            if event is not None:
                yield event
            # one platform service reports the queue and the agent side: one style
            a = {
                "interaction_id": iid,
                "agent_id": ag.info.id,
                "direction": "inbound",
                "queue_id": q.id,
            }
            if contact is not None:
                a["contact_id"] = contact.id
                if contact.organization_id:
                    a["organization_id"] = contact.organization_id
            a["offered_at"] = data["entered_at"]
            a["answered_at"] = data["answered_at"]
            a["ended_at"] = ended_text = f(ended)
            a["hold_seconds"] = hold
            a["wrap_up_seconds"] = wrap
            a["disposition_code"] = dispositions.pick(rng)
            if channel == "call" and rng.random() < 0.04:
                other = transfer_pool[rng.randrange(len(transfer_pool))]
                if other.id != ag.info.id:
                    a["transferred_to_agent_id"] = other.id
            if channel == "chat" and rng.random() < 0.3:
                a["nps_score"] = NPS.pick(rng)
            event = em.make(atype, iid, ended, f, a, ended_text)
            if event is not None:
                yield event
            if channel == "chat":
                texts = (data["entered_at"], data["answered_at"], ended_text)
                event = _chat_session(
                    sim, iid, contact, t, answered, ended, "WEB_INTERNAL_URL_SUCCESS", f, texts
                )
                if event is not None:
                    yield event
            if contact is not None and rng.random() < 0.10:
                event = sim.ticket(rng, ended + rng.randint(10, wrap + 10), contact)
                if event is not None:
                    yield event
            if (
                channel == "call"
                and contact is not None
                and contact.organization_id
                and rng.random() < 0.2
            ):
                event = sim.crm_action(
                    rng, ag.info.crm_user_id, "inbound", answered, ended + wrap, contact
                )
                if event is not None:
                    yield event
            continue
        # not answered: whichever limit comes first (the caller's patience wins ties)
        left = t + limit
        if limit == give_up:
            outcome = "abandoned"
        elif limit == q.kind.overflow_after:
            outcome = "overflowed"
        else:
            outcome = "timed_out"
        data["answered_at"] = None
        data["left_at"] = f(left)
        data["outcome"] = outcome
        data["agent_id"] = None
        event = em.make(qtype, iid, left, f, data, data["left_at"])
        if event is not None:
            yield event
        if channel == "chat":
            texts = (data["entered_at"], None, data["left_at"])
            event = _chat_session(
                sim, iid, contact, t, None, left, "WEB_INTERNAL_URL_FAILED", f, texts
            )
            if event is not None:
                yield event
        if channel == "call" and outcome == "abandoned" and limit >= 5 and rng.random() < 0.35:
            event = _missed(sim, rng, left, q.id, contact, "abandoned", iid)
            if event is not None:
                yield event


def _chat_session(sim, iid, contact, started, connected, ended, status, f, texts) -> dict | None:
    """The chat from the contact's side (contact_chat); ``texts`` are the three instants
    already formatted with ``f`` for the queue event."""
    data = {"interaction_id": iid}
    if contact is not None:
        data["contact_id"] = contact.id
        if contact.organization_id:
            data["organization_id"] = contact.organization_id
    data["direction"] = "inbound"
    data["device"] = "web-chat"
    data["pass_type"] = "text"
    data["completion_status"] = status
    data["started_at"] = texts[0]
    if connected is not None:
        data["connected_at"] = texts[1]
    data["ended_at"] = texts[2]
    data["talk_seconds"] = ended - connected if connected is not None else 0
    return sim.em.make("contact_chat", iid, ended, f, data, texts[2])


def _missed(sim, rng, at, queue_id, contact, reason, iid=None, agent_id=None) -> dict | None:
    iid = iid or sim.interaction_id()
    if contact is None and reason != "abandoned" and rng.random() < KNOWN_CALLER["call"]:
        contact = sim.contact(rng)
    f = sim.em.fmt()
    if contact is not None:
        device = contact.phone
    else:
        device = f"+{rng.randint(10, 99)}{rng.randrange(10**8, 10**9)}"
    data = {"interaction_id": iid, "device": device}
    if contact is not None:
        data["contact_id"] = contact.id
    if queue_id is not None:
        data["queue_id"] = queue_id
    if agent_id is not None:
        data["agent_id"] = agent_id
    data["missed_at"] = f(at)
    data["reason"] = reason
    return sim.em.make("missed_call", iid, at, f, data, data["missed_at"])


def misc_day(sim: TenantSim, i: int, d: date) -> Iterator[dict]:
    """Calls to agents' direct lines that nobody took, and tickets raised on the web."""
    rng = sim.rng("misc", i)
    cfg, clock = sim.config, sim.clock
    factor = WEEKDAY_FACTORS["business"][d.weekday()]
    direct = sim.dir.agents["hotline"] + sim.dir.agents["service"]
    times = sorted(
        clock.wall(d, rng.randint(480, 1080)) + rng.randrange(60)
        for _ in range(poisson(rng, 0.015 * cfg.calls_per_queue_day * factor))
    )
    for t in times:
        agent = direct[rng.randrange(len(direct))] if direct else None
        reason = rng.choice(("no_answer", "no_answer", "no_answer", "busy", "rejected"))
        event = _missed(sim, rng, t, None, None, reason, agent_id=agent.id if agent else None)
        if event is not None:
            yield event
    day_start = clock.midnight(d)
    span = clock.midnight(d + timedelta(days=1)) - day_start
    times = sorted(
        day_start + rng.randrange(span)
        for _ in range(poisson(rng, 0.04 * cfg.calls_per_queue_day * factor))
    )
    for t in times:
        event = sim.ticket(rng, t, sim.contact(rng))
        if event is not None:
            yield event
