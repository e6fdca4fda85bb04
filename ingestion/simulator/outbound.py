"""Outbound campaigns: list records (client_ids) attempted until reached or out of tries.

Every weekday (half as many on Saturday) each sub-campaign loads new records. A few are
filtered at load (DNC, CALL_PASS_REJECTED ...), the rest are attempted within the calling
window and retried after a few hours while the status allows and attempts remain (up to 15
on the renewals voice list, so some client_ids collect more than eleven attempts; about a
third of records are hard to reach). Live answers on the predictive campaign wait for a free
outbound agent: most are bridged within 2 s, some later, some hang up first (dialer
abandons). On the Direct Connect campaign a live person may press to be transferred to the
contact-centre number, which can take several Direct Connect attempts in one call.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ingestion.simulator.agents import poisson
from ingestion.simulator.inbound import patience
from ingestion.simulator.model import HANDLING, Contact, SubCampaign, day_type
from ingestion.simulator.statuses import BY_NAME, Picker, dc_picker, picker

if TYPE_CHECKING:
    from ingestion.simulator.tenant import TenantSim

# local calling windows (minutes from midnight) per day type
CALLING_WINDOWS = {"wd": (540, 1200), "sat": (600, 960), "sun": None}
FILTER_SHARE = {"voice": 0.05, "text": 0.07, "email": 0.06}
HARD_TO_REACH = 0.35
DC_PRESS_SHARE = 0.35
# a predictive dialer holds a call back while no agent is due within this many seconds
PACING_SECONDS = 3
# seconds the dialer needs to connect a live answer to a free agent
BRIDGE_LATENCY = Picker([0, 1, 2, 3, 4, 6], [75, 15, 6, 2, 1, 1])
OUTBOUND_DISPOSITIONS = Picker(
    ["INTERESTED", "RENEWED", "NOT_INTERESTED", "CALLBACK", "WRONG_PERSON", None],
    [25, 20, 30, 15, 7, 3],
)
ATTEMPT = {pt: picker("attempt", pt) for pt in ("voice", "text", "email")}
FILTER = {pt: picker("filter", pt) for pt in ("voice", "text", "email")}
INBOUND = picker("inbound", "voice")
DC = dc_picker()
NOANSWER, DYNAMIC_HANGUP = BY_NAME["NOANSWER"], BY_NAME["DYNAMIC_MACHINE_HANGUP"]


class Client:
    """One list record: a contact's device in one sub-campaign."""

    __slots__ = ("client_id", "sub", "contact", "device", "attempts", "hard", "machine_msgs")

    def __init__(
        self, client_id: str, sub: SubCampaign, contact: Contact, device: str, hard: bool
    ) -> None:
        self.client_id = client_id
        self.sub = sub
        self.contact = contact
        self.device = device
        self.attempts = 0
        self.hard = hard
        self.machine_msgs = 0


class Outbound:
    def __init__(self, sim: TenantSim) -> None:
        self.sim = sim
        self._queue: list[tuple[int, int, Client]] = []  # scheduled attempts
        self._seq = 0
        self._records: dict[str, int] = {}
        self._recent: list[Client] = []  # voice records that may call back
        self._predictive = {
            sub.id
            for c in sim.dir.campaigns
            if c.kind.dialing_mode == "predictive"
            for sub in c.subs
        }
        self._talk_mu = (
            math.log(HANDLING["outbound"].talk_mean) - HANDLING["outbound"].talk_sigma ** 2 / 2
        )

    def _schedule(self, t: int, client: Client) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (t, self._seq, client))

    def _next_window(self, t: int, rng) -> int | None:
        """t if it is inside a calling window, else a moment early in the next window."""
        clock = self.sim.clock
        d = clock.local_date(t)
        for k in range(8):
            day = d + timedelta(days=k)
            window = CALLING_WINDOWS[day_type(day)]
            if window is None:
                continue
            start, end = clock.wall(day, window[0]), clock.wall(day, window[1])
            if t < start:
                return start + rng.randint(0, 7200)
            if t < end - 300:
                return t
        return None

    def day(self, i: int, d: date) -> Iterator[dict]:
        sim = self.sim
        rng = sim.rng("outbound", i)
        clock = sim.clock
        day_end = clock.midnight(d + timedelta(days=1))
        window = CALLING_WINDOWS[day_type(d)]
        loaded = 0
        if window is not None:
            start, end = clock.wall(d, window[0]), clock.wall(d, window[1])
            factor = 0.5 if day_type(d) == "sat" else 1.0
            for campaign in sim.dir.campaigns:
                for sub in campaign.subs:
                    n = poisson(rng, sim.config.clients_per_campaign_day * sub.kind.weight * factor)
                    loaded += n
                    load_at = start - 900  # lists are loaded before the window opens
                    for k in range(n):
                        client = self._new_client(rng, sub)
                        pt = sub.kind.pass_type
                        if rng.random() < FILTER_SHARE[pt]:
                            event = self._filtered(client, load_at + k, FILTER[pt].pick(rng).name)
                            if event is not None:
                                yield event
                        else:
                            self._schedule(start + rng.randrange(end - start - 600), client)
            yield from self._callbacks(rng, d, poisson(rng, 0.03 * loaded))
        queue = self._queue
        pool = sim.pools["outbound"]
        while queue and queue[0][0] < day_end:
            t, _, client = heapq.heappop(queue)
            if client.sub.id in self._predictive and client.sub.kind.pass_type == "voice":
                # A predictive dialer paces itself: it dials when an agent is about to be
                # free, so a live answer usually finds one (abandons stay a few per cent).
                agent = pool.earliest(t)
                due = agent.free_at if agent is not None else None
                if due is None or due > t + PACING_SECONDS:
                    later = self._next_window(due + rng.randint(0, 60) if due else t + 1800, rng)
                    if later is not None:
                        self._schedule(later, client)
                    continue
            yield from self._attempt(rng, client, t)

    def _new_client(self, rng, sub: SubCampaign) -> Client:
        n = self._records.get(sub.id, 0) + 1
        self._records[sub.id] = n
        contact = self.sim.contact(rng)
        device = contact.email if sub.kind.pass_type == "email" else contact.phone
        return Client(f"{sub.list_id}-{n}", sub, contact, device, rng.random() < HARD_TO_REACH)

    def _base(self, client: Client, iid: str, direction: str, status: str) -> dict:
        sub, contact = client.sub, client.contact
        data = {"interaction_id": iid, "contact_id": contact.id}
        if contact.organization_id:
            data["organization_id"] = contact.organization_id
        data["direction"] = direction
        data["campaign_id"] = sub.campaign_id
        data["sub_campaign_id"] = sub.id
        data["list_id"] = sub.list_id
        data["client_id"] = client.client_id
        data["device"] = client.device
        data["pass_type"] = sub.kind.pass_type
        data["completion_status"] = status
        return data

    def _filtered(self, client: Client, at: int, status: str) -> dict | None:
        em = self.sim.em
        iid = self.sim.interaction_id()
        f = em.fmt()
        data = self._base(client, iid, "outbound", status)
        data["started_at"] = data["ended_at"] = f(at)
        data["talk_seconds"] = 0
        return em.make(f"contact_{_channel(client)}", iid, at, f, data, data["ended_at"])

    def _attempt(self, rng, client: Client, t: int) -> Iterator[dict]:
        sim = self.sim
        em = sim.em
        sub = client.sub
        pt = sub.kind.pass_type
        client.attempts += 1
        status = ATTEMPT[pt].pick(rng)
        if status.live and client.hard and rng.random() < 0.85:
            status = NOANSWER
        if pt == "voice" and status.connects and not status.live and client.machine_msgs >= 2:
            status = DYNAMIC_HANGUP  # the maximum of delivered messages is reached
        iid = sim.interaction_id()
        f = em.fmt()
        data = self._base(client, iid, "outbound", status.name)
        data["started_at"] = f(t)
        follow: list[dict | None] = []
        connected = bridged = None
        dc_attempts = None
        name = status.name
        if pt == "voice":
            if name == "NOANSWER":
                ended = t + rng.randint(50, 60)  # ~55 s of ringing
            elif not status.connects:
                ended = t + rng.randint(2, 12)
            else:
                connected = t + rng.randint(4, 25)
                if status.live and sub.id in self._predictive:
                    ended, bridged = self._bridge(rng, client, iid, connected, follow)
                elif status.live:
                    ended, dc_attempts = self._direct_connect(rng, connected, f)
                elif name == "DELIVEREDMACHINE":
                    ended = connected + rng.randint(15, 45)
                    client.machine_msgs += 1
                else:
                    ended = connected + rng.randint(2, 12)
        elif pt == "text":
            ended = t + rng.randint(1, 5)
            if name == "TEXT_MSG_RECEIVED":
                ended = t + rng.randint(120, 10800)  # the reply; an agent answers it
                follow.append(self._sms_reply(rng, client, iid, ended))
        else:
            if name == "OPENEDEMAIL":
                ended = t + rng.randint(300, 72000)
            elif name == "BOUNCEDEMAIL_SOFT_BOUNCE":
                ended = t + 48 * 3600  # delivery was tried for 48 hours
            else:
                ended = t + rng.randint(1, 60)
        if connected is not None:
            data["connected_at"] = f(connected)
        data["ended_at"] = f(ended)
        data["talk_seconds"] = ended - connected if connected is not None else 0
        if pt == "voice" and status.live and sub.id in self._predictive:
            data["bridged_at"] = f(bridged) if bridged is not None else None
        if dc_attempts:
            data["dc_attempts"] = dc_attempts
        event = em.make(f"contact_{_channel(client)}", iid, ended, f, data, data["ended_at"])
        if event is not None:
            yield event
        for e in follow:
            if e is not None:
                yield e
        if pt == "voice" and len(self._recent) < 5000:
            self._recent.append(client)
        elif pt == "voice":
            self._recent[self._seq % 5000] = client
        retry = status.retry and (name != "DELIVEREDMACHINE" or rng.random() < 0.5)
        if retry and client.attempts < sub.kind.max_attempts:
            delay = rng.randint(5400, 18000) if pt == "voice" else rng.randint(82800, 90000)
            nxt = self._next_window(ended + delay, rng)
            if nxt is not None:
                self._schedule(nxt, client)

    def _bridge(
        self, rng, client: Client, iid: str, connected: int, follow: list
    ) -> tuple[int, int | None]:
        """Live answer on the predictive campaign: the first free outbound agent takes it,
        unless the contact hangs up in the silence first (a dialer abandon)."""
        sim = self.sim
        pool = sim.pools["outbound"]
        ag = pool.earliest(connected)
        give_up = 2 + patience(rng, "call") // 12
        if ag is not None:
            start = ag.free_at if ag.free_at > connected else connected
            bridged = start + BRIDGE_LATENCY.pick(rng)
            if bridged - connected <= give_up:
                handling = HANDLING["outbound"]
                talk = 5 + int(rng.lognormvariate(self._talk_mu, handling.talk_sigma))
                hold = (
                    5 + int(rng.expovariate(1 / handling.hold_mean))
                    if rng.random() < handling.hold_share
                    else 0
                )
                wrap = 3 + int(rng.expovariate(1 / handling.wrap_mean))
                ended = bridged + hold + talk
                pool.assign(ag, start, ended, wrap)
                em = sim.em
                g = em.fmt()
                contact = client.contact
                a = {"interaction_id": iid, "agent_id": ag.info.id, "direction": "outbound"}
                a["campaign_id"] = client.sub.campaign_id
                a["contact_id"] = contact.id
                if contact.organization_id:
                    a["organization_id"] = contact.organization_id
                a["offered_at"] = g(connected)
                a["answered_at"] = g(bridged)
                a["ended_at"] = g(ended)
                a["hold_seconds"] = hold
                a["wrap_up_seconds"] = wrap
                a["disposition_code"] = OUTBOUND_DISPOSITIONS.pick(rng)
                follow.append(em.make("agent_call", iid, ended, g, a, a["ended_at"]))
                if rng.random() < 0.75:
                    follow.append(
                        sim.crm_action(
                            rng,
                            ag.info.crm_user_id,
                            "outbound",
                            bridged,
                            ended + wrap,
                            contact,
                            client.sub.campaign_id,
                        )
                    )
                return ended, bridged
        return connected + give_up, None

    def _direct_connect(self, rng, connected: int, f) -> tuple[int, list | None]:
        """A recorded message; a third of live persons press to be transferred to the contact
        centre, which may take several Direct Connect attempts (busy, no lines ...)."""
        at = connected + rng.randint(20, 45)
        if rng.random() >= DC_PRESS_SHARE:
            return at, None
        numbers = self.sim.dir.dc_numbers
        out = []
        for k in range(4):
            st = DC.pick(rng)
            ring = 40 if st.name == "DC_CALL_CENTER_NO_ANSWER" else rng.randint(2, 15)
            whisper = rng.randint(2, 8) if st.connected else 0
            talk = 5 + int(rng.lognormvariate(self._talk_mu, 0.7)) if st.connected else 0
            out.append(
                {
                    "attempted_at": f(at),
                    "dc_number": numbers[min(k, 1)],  # retries go to the overflow number
                    "dc_status": st.name,
                    "ring_seconds": ring,
                    "whisper_seconds": whisper,
                    "talk_seconds": talk,
                }
            )
            at += ring + whisper + talk + 2
            if not st.retry:
                break
        return at, out

    def _sms_reply(self, rng, client: Client, iid: str, received: int) -> dict | None:
        """A reply to the SMS campaign, answered by an outbound agent between calls (not
        reflected in the agent's status timeline)."""
        sim = self.sim
        roster = sim.dir.agents["outbound"]
        if not roster:
            return None
        agent = roster[rng.randrange(len(roster))]
        answered = received + rng.randint(30, 1800)
        ended = answered + rng.randint(30, 240)
        g = sim.em.fmt()
        contact = client.contact
        a = {"interaction_id": iid, "agent_id": agent.id, "direction": "inbound"}
        a["campaign_id"] = client.sub.campaign_id
        a["contact_id"] = contact.id
        if contact.organization_id:
            a["organization_id"] = contact.organization_id
        a["offered_at"] = g(received)
        a["answered_at"] = g(answered)
        a["ended_at"] = g(ended)
        a["hold_seconds"] = 0
        a["wrap_up_seconds"] = rng.randint(5, 40)
        a["disposition_code"] = "SMS_REPLIED"
        return sim.em.make("agent_sms", iid, ended, g, a, a["ended_at"])

    def _callbacks(self, rng, d: date, n: int) -> Iterator[dict]:
        """Contacts calling the campaign number back (inbound contact_call)."""
        if not self._recent:
            return
        sim = self.sim
        em, clock = sim.em, sim.clock
        starts = sorted(clock.wall(d, rng.randint(480, 1259)) + rng.randrange(60) for _ in range(n))
        for t in starts:
            client = self._recent[rng.randrange(len(self._recent))]
            status = INBOUND.pick(rng)
            iid = sim.interaction_id()
            f = em.fmt()
            data = self._base(client, iid, "inbound", status.name)
            data["started_at"] = f(t)
            if status.connects:
                connected = t + 1
                ended = connected + rng.randint(15, 420)
                data["connected_at"] = f(connected)
            else:
                connected, ended = None, t + rng.randint(2, 20)
            data["ended_at"] = f(ended)
            data["talk_seconds"] = ended - connected if connected is not None else 0
            event = em.make("contact_call", iid, ended, f, data, data["ended_at"])
            if event is not None:
                yield event


def _channel(client: Client) -> str:
    return {"voice": "call", "text": "sms", "email": "email"}[client.sub.kind.pass_type]
