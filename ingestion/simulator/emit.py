"""Building event envelopes (DESIGN §3) for one tenant."""

from __future__ import annotations

from collections.abc import Callable

from ingestion.simulator.clock import TenantClock
from ingestion.simulator.model import TenantSpec

Formatter = Callable[[int], str]


class Emitter:
    """Makes the envelopes of one tenant's events and drops what has not happened yet.

    ``fmt()`` hands out the timestamp formatter for the next event: the tenant's local offset,
    Z, or (style "mixed") Z for every third event, as senders with several services do. All
    timestamps of one event use the same style.
    """

    __slots__ = ("tenant_id", "end", "_local", "_utc", "_style", "_n", "_prefix")

    def __init__(self, spec: TenantSpec, clock: TenantClock, end: int) -> None:
        self.tenant_id = spec.tenant_id
        self.end = end
        self._local = clock.local
        self._utc = clock.utc
        self._style = spec.timestamps
        self._n = 0
        self._prefix = spec.tenant_id + ":"

    def fmt(self) -> Formatter:
        if self._style == "local":
            return self._local
        if self._style == "utc":
            return self._utc
        self._n += 1
        return self._utc if self._n % 3 == 0 else self._local

    def make(
        self,
        event_type: str,
        key: str,
        occurred: int,
        f: Formatter,
        data: dict,
        stamp: str | None = None,
    ) -> dict | None:
        """The event, or None when it completes after the simulated period (not sent yet).
        ``stamp``: ``occurred`` already formatted with ``f`` (saves formatting it twice)."""
        if occurred >= self.end:
            return None
        return {
            "event_id": f"{self._prefix}{event_type}:{key}",
            "event_type": event_type,
            "schema_version": 1,
            "tenant_id": self.tenant_id,
            "occurred_at": stamp or f(occurred),
            "data": data,
        }
