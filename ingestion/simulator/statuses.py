"""Completion and Direct Connect statuses the simulator draws from, with their frequencies.

Every name here is a row of seed 002's "Completion Statuses" or "Direct Connect Statuses"
table (tests/test_simulator.py checks that against the seed text). This module is the only
place status names and weights live: generators pick by phase and pass type.

Phases:
- ``filter``: the device or contact was not attempted (set when the list is loaded);
  terminal, started_at = ended_at, no talk.
- ``attempt``: an outbound try that was placed.
- ``inbound``: an inbound call to a campaign (Local Connect) number.
- ``web``: a chat session from the web channel (the table's Web rows).

Weights are relative within one (phase, pass type) pool. They aim at what a consumer list
looks like: about a third unanswered, a fifth answering machines, a fifth live persons, a few
per cent wrong numbers, and occasional filtered contacts.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from typing import Literal

Phase = Literal["filter", "attempt", "inbound", "web"]
PassType = Literal["voice", "text", "email"]


@dataclass(frozen=True)
class Status:
    name: str
    pass_types: tuple[str, ...]  # the table's "Channel Type" column, as pass types
    phase: Phase
    weight: float
    # the device was answered (live person, machine, script): connected_at is set
    connects: bool = False
    # another attempt on this client may follow (busy, no answer, machine ...)
    retry: bool = False
    # the live person case: the only one an agent or a Direct Connect transfer follows
    live: bool = False


V, T, E = ("voice",), ("text",), ("email",)
VT, VTE = ("voice", "text"), ("voice", "text", "email")

COMPLETION_STATUSES: tuple[Status, ...] = (
    # --- voice attempts -----------------------------------------------------------------
    Status("NOANSWER", V, "attempt", 30.0, retry=True),
    Status("BUSY", V, "attempt", 8.0, retry=True),
    Status("DELIVEREDPERSON", V, "attempt", 20.0, connects=True, live=True),
    Status("DELIVEREDMACHINE", V, "attempt", 17.0, connects=True, retry=True),
    Status("MACHINE_HANGUP", V, "attempt", 3.0, connects=True, retry=True),
    Status("UNDELIVEREDMACHINE", V, "attempt", 2.0, connects=True, retry=True),
    Status("NOTCONNECTED", V, "attempt", 3.0, retry=True),
    Status("CALL_BAD_NUMBER", V, "attempt", 2.0),
    Status("BADNUMBERUNASSIGNED", V, "attempt", 1.5),
    Status("BADNUMBERFAX", VT, "attempt", 0.4),
    Status("BADDATA", VTE, "attempt", 0.2),
    Status("SCRIPT_FAILED_TRANSIENT", VTE, "attempt", 0.2, retry=True),
    # DYNAMIC_MACHINE_HANGUP is not drawn: it replaces a machine answer once the contact
    # already holds the maximum number of delivered messages (see outbound.py).
    Status("DYNAMIC_MACHINE_HANGUP", V, "attempt", 0.0, connects=True, retry=True),
    # --- text attempts ------------------------------------------------------------------
    Status("TEXT_MSG_SENT", T, "attempt", 70.0),
    Status("TEXT_MSG_RECEIVED", T, "attempt", 8.0),
    Status("TEXT_MSG_OPT_OUT", T, "attempt", 2.0),
    Status("TEXT_MSG_DEVICE_UNREACHABLE", T, "attempt", 3.0, retry=True),
    Status("TEXT_MSG_CARRIER_BLOCKED", T, "attempt", 1.0),
    Status("TEXT_MSG_CARRIER_LOOKUP_FAILED", T, "attempt", 1.0),
    Status("TEXT_MSG_CARRIER_NOT_SUPPORTED", T, "attempt", 0.5),
    Status("TEXT_MSG_FAILED", T, "attempt", 2.0, retry=True),
    Status("TEXT_MSG_SUPPRESSED_ACCOUNT", T, "attempt", 0.5),
    Status("SCRIPT_SUCCESS", VTE, "attempt", 0.5),
    # --- email attempts -----------------------------------------------------------------
    Status("SENTEMAIL", E, "attempt", 55.0),
    Status("OPENEDEMAIL", E, "attempt", 30.0),
    Status("BOUNCEDEMAIL_BAD_MAILBOX", E, "attempt", 2.0),
    Status("BOUNCEDEMAIL_BAD_DOMAIN", E, "attempt", 0.6),
    Status("BOUNCEDEMAIL_GENERAL", E, "attempt", 0.8),
    Status("BOUNCEDEMAIL_INACTIVE_MAILBOX", E, "attempt", 0.6),
    Status("BOUNCEDEMAIL_ROUTING_ERROR", E, "attempt", 0.2),
    Status("BOUNCEDEMAIL_SOFT_BOUNCE", E, "attempt", 1.5),
    Status("BOUNCEDEMAIL_SYNTAX_ERROR", E, "attempt", 0.2),
    Status("FAILEDEMAIL", E, "attempt", 0.8, retry=True),
    # --- filtered before any attempt ------------------------------------------------------
    Status("DNC", V, "filter", 25.0),
    Status("CALL_PASS_REJECTED", VTE, "filter", 12.0),
    Status("NEVER_TRIED", VTE, "filter", 10.0),
    Status("BLOCKED", VTE, "filter", 6.0),
    Status("DUPLICATE", VTE, "filter", 6.0),
    Status("DUPLICATE_CLIENT", VTE, "filter", 3.0),
    Status("EXCLUDED", VTE, "filter", 5.0),
    Status("EXPIRED", VTE, "filter", 2.0),
    Status("COMPLIANCE_REGION", VTE, "filter", 3.0),
    Status("COMPLIANCE_DATE", VTE, "filter", 2.0),
    Status("INVALID_DEVICE", VTE, "filter", 3.0),
    Status("NO_DEVICE", VTE, "filter", 3.0),
    Status("NOT_SUPPORTED", VTE, "filter", 1.0),
    Status("SUPPRESSED_ACCOUNT", VTE, "filter", 2.0),
    Status("SUPPRESSED_ACCOUNT_CALL_HIST", VTE, "filter", 1.0),
    Status("SUPPRESSED_CAMPAIGN_CALL_HIST", VTE, "filter", 2.0),
    Status("SUPPRESSED_ENTERPRISE", VTE, "filter", 0.5),
    Status("SUPPRESSED_ENTERPRISE_CALL_HIST", VTE, "filter", 0.5),
    Status("SCRIPT_NO_ACTION", VTE, "filter", 0.5),
    Status("CHANNEL_TYPE_INCOMPATIBLE", VTE, "filter", 2.0),
    Status("WIRELESS", VT, "filter", 3.0),
    Status("TOLLFREE", VT, "filter", 1.0),
    Status("INTERNATIONAL", VT, "filter", 1.0),
    Status("EXTENSION", VT, "filter", 1.0),
    Status("ENDS_00", VT, "filter", 0.5),
    Status("ENDS_000", VT, "filter", 0.3),
    Status("INVALID_AREA_CODE", VT, "filter", 1.0),
    Status("INVALID_EXCHANGE", VT, "filter", 0.5),
    Status("INVALID_CONTACT_TZ", VT, "filter", 0.3),
    Status("NULL_CONTACT_TZ", VT, "filter", 0.3),
    Status("INCOMPATIBLE_DEVICE_CONTACT_TZ", VT, "filter", 0.3),
    Status("NOT_ATTEMPTED_SKIP", V, "filter", 1.0),
    Status("TEXT_MSG_NEVER_TRIED", T, "filter", 4.0),
    Status("EMAIL_MSG_NEVER_TRIED", E, "filter", 4.0),
    Status("EMAIL_TEXT_MSG", E, "filter", 2.0),
    # --- inbound calls to a campaign number -----------------------------------------------
    Status("INBOUND_IVR_COMPLETED", V, "inbound", 80.0, connects=True),
    Status("INBOUND_IVR_EXTERNAL_SUCCESS", V, "inbound", 15.0, connects=True),
    Status("INBOUND_IVR_EXTERNAL_FAILED", V, "inbound", 5.0),
    # --- web chat sessions (contact_chat) -------------------------------------------------
    Status("WEB_INTERNAL_URL_SUCCESS", ("text",), "web", 1.0, connects=True),
    Status("WEB_INTERNAL_URL_FAILED", ("text",), "web", 0.0),
)

BY_NAME: dict[str, Status] = {s.name: s for s in COMPLETION_STATUSES}

# Best Contact ranks of seed 002's table (higher is better; equal ranks: the latest wins).
# Not used to generate; here so tests and readers can see which draws tie.
_RANK_GROUPS = {
    9: "INBOUND_IVR_COMPLETED INBOUND_IVR_EXTERNAL_SUCCESS INBOUND_IVR_EXTERNAL_FAILED",
    8: "DELIVEREDPERSON SCRIPT_SUCCESS SCRIPT_FAILED_TRANSIENT OPENEDEMAIL FAILEDEMAIL "
    "BOUNCEDEMAIL_BAD_DOMAIN BOUNCEDEMAIL_BAD_MAILBOX BOUNCEDEMAIL_GENERAL "
    "BOUNCEDEMAIL_INACTIVE_MAILBOX BOUNCEDEMAIL_ROUTING_ERROR BOUNCEDEMAIL_SOFT_BOUNCE "
    "BOUNCEDEMAIL_SYNTAX_ERROR TEXT_MSG_CARRIER_BLOCKED TEXT_MSG_CARRIER_LOOKUP_FAILED "
    "TEXT_MSG_CARRIER_NOT_SUPPORTED TEXT_MSG_DEVICE_UNREACHABLE TEXT_MSG_OPT_OUT "
    "TEXT_MSG_RECEIVED TEXT_MSG_SENT TEXT_MSG_SUPPRESSED_ACCOUNT WEB_INTERNAL_URL_SUCCESS "
    "WEB_INTERNAL_URL_FAILED",
    7: "DELIVEREDMACHINE SENTEMAIL",
    5: "MACHINE_HANGUP UNDELIVEREDMACHINE DYNAMIC_MACHINE_HANGUP",
    4: "NOANSWER BUSY",
    3: "NOTCONNECTED CALL_BAD_NUMBER BADNUMBERUNASSIGNED BADNUMBERFAX",
    2: "BADDATA CALL_PASS_REJECTED NEVER_TRIED EXPIRED SUPPRESSED_ACCOUNT "
    "SUPPRESSED_ACCOUNT_CALL_HIST SUPPRESSED_CAMPAIGN_CALL_HIST SUPPRESSED_ENTERPRISE "
    "SUPPRESSED_ENTERPRISE_CALL_HIST SCRIPT_NO_ACTION CHANNEL_TYPE_INCOMPATIBLE "
    "NOT_ATTEMPTED_SKIP TEXT_MSG_NEVER_TRIED EMAIL_MSG_NEVER_TRIED",
    1: "DNC BLOCKED DUPLICATE DUPLICATE_CLIENT EXCLUDED COMPLIANCE_REGION COMPLIANCE_DATE "
    "INVALID_DEVICE NO_DEVICE NOT_SUPPORTED WIRELESS TOLLFREE INTERNATIONAL EXTENSION ENDS_00 "
    "ENDS_000 INVALID_AREA_CODE INVALID_EXCHANGE INVALID_CONTACT_TZ NULL_CONTACT_TZ "
    "INCOMPATIBLE_DEVICE_CONTACT_TZ TEXT_MSG_FAILED EMAIL_TEXT_MSG",
}
RANKS: dict[str, int] = {
    name: rank for rank, names in _RANK_GROUPS.items() for name in names.split()
}


@dataclass(frozen=True)
class DcStatus:
    name: str
    weight: float
    retry: bool  # the dialer tries the contact-centre number again (same call)
    connected: bool  # the contact centre picked up: talk follows


DC_STATUSES: tuple[DcStatus, ...] = (
    DcStatus("DC_SUCCESS", 55.0, retry=False, connected=True),
    DcStatus("DC_CALL_CENTER_BUSY", 12.0, retry=True, connected=False),
    DcStatus("DC_NO_LINES_AVAILABLE", 7.0, retry=True, connected=False),
    DcStatus("DC_CALL_CENTER_NO_ANSWER", 8.0, retry=True, connected=False),
    DcStatus("DC_CLIENT_HANGUP_DURING_TRANSFER", 6.0, retry=False, connected=False),
    DcStatus("DC_CLIENT_HANGUP_ON_HOLD", 3.0, retry=False, connected=False),
    DcStatus("CONTACT_ABORTED", 1.0, retry=False, connected=False),
    DcStatus("DC_CALL_CENTER_HANGUP_ON_HOLD", 1.0, retry=False, connected=False),
    DcStatus("DC_FAILED", 2.0, retry=True, connected=False),
    DcStatus("TELEPHONY_ERROR", 1.0, retry=True, connected=False),
)


class Picker:
    """Weighted choice with precomputed cumulative weights (one bisect per draw)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items = items
        self.cum: list[float] = []
        acc = 0.0
        for w in weights:
            acc += w
            self.cum.append(acc)
        self.total = acc

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def picker(phase: Phase, pass_type: str) -> Picker:
    """A picker over the statuses of one phase that apply to one pass type."""
    pool = [s for s in COMPLETION_STATUSES if s.phase == phase and pass_type in s.pass_types]
    pool = [s for s in pool if s.weight > 0]
    if not pool:
        raise ValueError(f"no {phase} statuses for pass type {pass_type!r}")
    return Picker(pool, [s.weight for s in pool])


def dc_picker() -> Picker:
    return Picker(list(DC_STATUSES), [s.weight for s in DC_STATUSES])
