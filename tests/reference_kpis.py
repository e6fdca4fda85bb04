"""Queue KPIs computed independently of dbt, straight from event dicts, with pandas.

This is the end-to-end test's oracle: it re-implements DESIGN §4/§5 from the text, sharing
no code with the dbt models, so a mistake in either shows up as a difference.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pandas as pd

NEW_YORK = ZoneInfo("America/New_York")


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@cache
def _behind_utc(tz_name: str) -> bool:
    """A zone is behind UTC when its standard (non-DST) offset is negative. DST only ever
    adds to the standard offset, so the standard offset is the smaller of a January and a
    July offset."""
    tz = ZoneInfo(tz_name)
    offsets = [datetime(2021, m, 15, 12, tzinfo=UTC).astimezone(tz).utcoffset() for m in (1, 7)]
    return min(offsets) < timedelta(0)


def report_day(instant: datetime, tz_name: str) -> date:
    if _behind_utc(tz_name):
        return (instant.astimezone(NEW_YORK).replace(tzinfo=None) - timedelta(hours=3)).date()
    return instant.astimezone(ZoneInfo(tz_name)).date()


def queue_kpis_daily(
    events: list[dict],
    sl_seconds: float = 20.0,
    short_abandon_seconds: float = 5.0,
) -> pd.DataFrame:
    """One row per tenant × queue × report day with activity, for queue_call events."""
    zones: dict[str, tuple[datetime, str]] = {}
    talk: dict[tuple[str, str], float] = {}
    queue_rows = []
    for ev in events:
        data = ev["data"]
        kind = ev["event_type"]
        if kind == "directory" and data["entity"] == "tenant":
            tz = data["attributes"].get("reports_time_zone")
            at = _ts(ev["occurred_at"])
            if tz and (ev["tenant_id"] not in zones or zones[ev["tenant_id"]][0] <= at):
                zones[ev["tenant_id"]] = (at, tz)
        elif kind == "agent_call" and data.get("answered_at"):
            seconds = (_ts(data["ended_at"]) - _ts(data["answered_at"])).total_seconds() - float(
                data["hold_seconds"]
            )
            talk.setdefault((ev["tenant_id"], data["interaction_id"]), seconds)
        elif kind == "queue_call":
            queue_rows.append((ev["tenant_id"], data))

    rows = []
    for tenant, data in queue_rows:
        tz = zones.get(tenant, (None, "UTC"))[1]
        entered = _ts(data["entered_at"])
        end = data.get("answered_at") or data["left_at"]
        wait = (_ts(end) - entered).total_seconds()
        outcome = data["outcome"]
        rows.append(
            {
                "tenant_id": tenant,
                "queue_id": data["queue_id"],
                "report_day": report_day(entered, tz),
                "answered": outcome == "answered",
                "abandoned": outcome == "abandoned",
                "short": outcome == "abandoned" and wait < short_abandon_seconds,
                "within_sl": outcome == "answered" and wait <= sl_seconds,
                "wait": wait,
                "talk": talk.get((tenant, data["interaction_id"]))
                if outcome == "answered"
                else None,
            }
        )
    df = pd.DataFrame(rows)
    out = []
    for (tenant, queue, day), g in df.groupby(["tenant_id", "queue_id", "report_day"]):
        offered = len(g)
        answered = int(g["answered"].sum())
        abandoned = int(g["abandoned"].sum())
        short = int(g["short"].sum())
        within = int(g["within_sl"].sum())
        talks = g.loc[g["answered"], "talk"].dropna()
        out.append(
            {
                "tenant_id": tenant,
                "queue_id": queue,
                "report_day": day,
                "offered": offered,
                "answered": answered,
                "abandoned": abandoned,
                "short_abandoned": short,
                "answered_within_sl": within,
                "service_level": within / (offered - short) if offered - short else None,
                "abandon_rate": abandoned / offered if offered else None,
                "asa_seconds": g.loc[g["answered"], "wait"].mean() if answered else None,
                "avg_time_to_abandon_seconds": (
                    g.loc[g["abandoned"], "wait"].mean() if abandoned else None
                ),
                "avg_talk_seconds": talks.mean() if len(talks) else None,
            }
        )
    return (
        pd.DataFrame(out)
        .sort_values(["tenant_id", "queue_id", "report_day"])
        .reset_index(drop=True)
    )
