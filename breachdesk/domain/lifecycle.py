"""Incident states and their names.

The transitions and their guards arrive with triage; for now an incident is created in
``reported`` and this module names every state so lists can show it.
"""

from __future__ import annotations

from enum import StrEnum

from .text import N_


class State(StrEnum):
    REPORTED = "reported"
    IN_TRIAGE = "in_triage"
    NOT_A_BREACH = "not_a_breach"
    BREACH_CONFIRMED = "breach_confirmed"
    ASSESSED = "assessed"
    DECIDED = "decided"
    CLOSED = "closed"


STATE_LABELS: dict[State, str] = {
    State.REPORTED: N_("Reported"),
    State.IN_TRIAGE: N_("In triage"),
    State.NOT_A_BREACH: N_("Not a personal-data breach"),
    State.BREACH_CONFIRMED: N_("Breach confirmed"),
    State.ASSESSED: N_("Assessed"),
    State.DECIDED: N_("Decided"),
    State.CLOSED: N_("Closed"),
}
