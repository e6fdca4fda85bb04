"""Agents on shifts and the multi-server queue they work (a small discrete-event simulation).

Interactions of an agent group are served first come, first served by whichever agent of the
group becomes free first: that is exact for a FIFO queue with several servers, and callers
who give up (patience) never take agent time. Each agent records its own timeline (logged_in,
available, busy, wrap_up, break) as the simulation goes, so the agent_status events agree with
the agent_* interactions the same agent handled.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from datetime import date

from ingestion.simulator.model import GROUP_KINDS, AgentInfo, day_type

# (status, started_at, ended_at or None, reason_code or None)
Segment = tuple[str, int, int | None, str | None]

BREAK_REASONS = ("coffee", "lunch", "coffee")
OTHER_BREAK_REASONS = ("training", "meeting", "coaching", "system_issue")


class AgentShift:
    """One agent's session: a shift from login to logout."""

    __slots__ = (
        "info",
        "session_id",
        "shift_end",
        "free_at",
        "breaks",
        "segs",
        "gone",
        "logout_at",
        "missing_logout",
    )

    def __init__(
        self,
        info: AgentInfo,
        session_id: str,
        login: int,
        shift_end: int,
        rng: random.Random,
        stagger: int = 0,
    ) -> None:
        self.info = info
        self.session_id = session_id
        self.shift_end = shift_end
        ready = login + rng.randint(20, 150)  # desktop start-up before the first call
        self.segs: list[Segment] = [("logged_in", login, ready, None)]
        self.free_at = ready
        self.gone = False
        self.logout_at: int | None = None
        self.missing_logout = False
        length = shift_end - login
        # Two short breaks and lunch spread over the shift; now and then a meeting instead.
        plan = []
        for frac, reason, minutes in (
            (0.25, "coffee", 15),
            (0.55, "lunch", 30),
            (0.78, "coffee", 15),
        ):
            if rng.random() < 0.06:
                reason, minutes = rng.choice(OTHER_BREAK_REASONS), rng.choice((20, 30, 45, 60))
            # breaks are staggered across the shift's agents so the queue is never left empty
            planned = login + int(length * frac) + stagger + rng.randint(-600, 600)
            plan.append((planned, minutes * 60 + rng.randint(-90, 120), reason))
        plan.sort()
        self.breaks = plan[::-1]  # next break last, so pop() takes it

    def take_break(self) -> None:
        planned, duration, reason = self.breaks.pop()
        start = max(planned, self.free_at)
        if start > self.free_at:
            self.segs.append(("available", self.free_at, start, None))
        self.segs.append(("break", start, start + duration, reason))
        self.free_at = start + duration

    def handle(self, start: int, ended: int, wrap: int) -> None:
        """Reserved at start (ringing counts as busy), talking until ended, then wrap-up."""
        if start > self.free_at:
            self.segs.append(("available", self.free_at, start, None))
        self.segs.append(("busy", start, ended, None))
        if wrap > 0:
            self.segs.append(("wrap_up", ended, ended + wrap, None))
        self.free_at = ended + wrap

    def finish(self, missing_logout: bool) -> None:
        """Close the session: breaks still due, idle time up to the shift end, logout."""
        while self.breaks and self.breaks[-1][0] < self.shift_end:
            self.take_break()
        self.breaks = []
        end = max(self.shift_end, self.free_at)
        self.gone = True
        if missing_logout:
            # The agent never logged out: the last state stays open; the next login closes it.
            self.segs.append(("available", self.free_at, None, None))
            self.missing_logout = True
            return
        if end > self.free_at:
            self.segs.append(("available", self.free_at, end, None))
        self.logout_at = end
        self.segs.append(("logged_out", end, end, None))


class Pool:
    """The agents of one group currently on (or about to start) a shift."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, AgentShift]] = []
        self._seq = 0
        self.shifts: list[AgentShift] = []

    def add(self, shift: AgentShift) -> None:
        self.shifts.append(shift)
        self._push(shift)

    def _push(self, shift: AgentShift) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (shift.free_at, self._seq, shift))

    def earliest(self, t: int) -> AgentShift | None:
        """The agent who can take an interaction arriving at t soonest (None: nobody left).
        Agents whose shift is over leave, agents whose break is due take it first."""
        heap = self._heap
        while heap:
            free_at, _, ag = heap[0]
            if ag.gone or free_at != ag.free_at:
                heapq.heappop(heap)
                continue
            cand = free_at if free_at > t else t
            if cand >= ag.shift_end:
                heapq.heappop(heap)
                ag.gone = True
                continue
            if ag.breaks and ag.breaks[-1][0] <= cand:
                heapq.heappop(heap)
                ag.take_break()
                self._push(ag)
                continue
            return ag
        return None

    def assign(self, ag: AgentShift, start: int, ended: int, wrap: int) -> None:
        ag.handle(start, ended, wrap)
        self._push(ag)  # the old entry is now stale (free_at changed) and skipped later

    def close(self, upto: int, rng: random.Random, missing_share: float) -> list[AgentShift]:
        """Finish and return the shifts that end by ``upto``."""
        done = [s for s in self.shifts if s.shift_end <= upto]
        if done:
            self.shifts = [s for s in self.shifts if s.shift_end > upto]
            for s in done:
                s.finish(rng.random() < missing_share)
        return done


class Rota:
    """Who works which shift: each agent has two rest days a week (rotating with the roster
    position), at most one shift a day and 8 hours between shifts; the least-worked agents
    are picked first, and a day's head count varies with sickness and holidays."""

    def __init__(self, roster: list[AgentInfo]) -> None:
        self.roster = roster
        self.worked = [0] * len(roster)
        self.last_end = [-(10**12)] * len(roster)
        self.last_day: list[date | None] = [None] * len(roster)
        self.sessions = [0] * len(roster)

    def pick(self, day: date, start: int, need: int) -> list[int]:
        wd = day.weekday()
        free = [
            i
            for i in range(len(self.roster))
            if (wd - i) % 7 not in (0, 1)
            and self.last_day[i] != day
            and self.last_end[i] <= start - 8 * 3600
        ]
        free.sort(key=lambda i: (self.worked[i], i))
        return free[:need]

    def book(self, i: int, day: date, end: int) -> str:
        self.worked[i] += 1
        self.last_end[i] = end
        self.last_day[i] = day
        self.sessions[i] += 1
        return f"{self.roster[i].id}-s{self.sessions[i]}"


def start_shifts(
    pool: Pool,
    rota: Rota,
    group_key: str,
    staffing: dict,
    day: date,
    wall,
    rng: random.Random,
    only_overnight: bool = False,
) -> None:
    """Put the agents of the day's shifts of one group into its pool."""
    kind = GROUP_KINDS[group_key]
    dt = day_type(day)
    windows = kind.shifts[dt]
    needs = staffing[group_key][dt]
    sick = rng.uniform(0.8, 1.1)  # some days are short-staffed: queues grow, callers abandon
    for (start_min, end_min), need in zip(windows, needs, strict=True):
        if only_overnight and end_min <= 1440:
            continue
        count = max(1, round(need * sick)) if need else 0
        start, end = wall(day, start_min), wall(day, end_min)
        for j, i in enumerate(rota.pick(day, start, count)):
            login = start + rng.randint(-300, 420)
            session = rota.book(i, day, end)
            stagger = ((j * 3) % 7 - 3) * 1200  # -60 .. +60 minutes in 20-minute steps
            logout = end + rng.randint(-120, 300)
            pool.add(AgentShift(rota.roster[i], session, login, logout, rng, stagger))


def poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw: Knuth's product method for small means, a normal approximation above."""
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, lam**0.5)))
    limit = pow(2.718281828459045, -lam)
    k, p = 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def arrivals(
    rng: random.Random,
    day_start: int,
    day_end: int,
    expected: float,
    shares: list[float],
    minute_of_day,
) -> Iterator[int]:
    """Arrival instants of one local day: Poisson per 15 minutes, shaped by the local-time
    profile (a 25-hour DST day gets the repeated hour twice, a 23-hour day loses one)."""
    out: list[int] = []
    t = day_start
    while t < day_end:
        n = poisson(rng, expected * shares[minute_of_day(t) // 15])
        for _ in range(n):
            out.append(t + int(rng.random() * 900))
        t += 900
    out.sort()
    return iter(out)
