"""What the FG has to do next for an incident: the step shown per row of the inbox.

The steps follow the work in order: triage the report, record when the organisation became
aware (this starts the term), work through the risk checklist, decide (or decide again when
the checklist now advises other duties), file with the AP (as processor: inform the
controller), inform the people affected, supplement a provisional notification (Art. 33(4)
GDPR), record the measures taken (Art. 33(5)) if none are, close. A finished incident has no
next step.

Filing is not held back until the decision: when the term is nearly over or over, the next
step is filing (in phases if need be, Art. 33(4) GDPR), whatever else is still open. As a
processor, informing the controller comes straight after the awareness is recorded: the risk
is the controller's to assess (Art. 33(2) GDPR; found by exploratory testing: the processor was
sent to the risk checklist first).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .lifecycle import State
from .text import N_


class NextAction(StrEnum):
    TRIAGE = "triage"
    AWARENESS = "awareness"
    CHECKLIST = "checklist"
    DECIDE = "decide"
    DECIDE_AGAIN = "decide_again"
    FILE_AP = "file_ap"
    INFORM_CONTROLLER = "inform_controller"
    INFORM_PEOPLE = "inform_people"
    SUPPLEMENT = "supplement"
    MEASURES = "measures"
    CLOSE = "close"
    NONE = "none"


NEXT_ACTION_LABELS: dict[NextAction, str] = {
    NextAction.TRIAGE: N_("Triage the report"),
    NextAction.AWARENESS: N_("Record when you became aware"),
    NextAction.CHECKLIST: N_("Work through the risk checklist"),
    NextAction.DECIDE: N_("Decide"),
    NextAction.DECIDE_AGAIN: N_("Review the decision"),
    NextAction.FILE_AP: N_("File with the AP"),
    NextAction.INFORM_CONTROLLER: N_("Inform the controller"),
    NextAction.INFORM_PEOPLE: N_("Inform the people affected"),
    NextAction.SUPPLEMENT: N_("Record the supplement"),
    NextAction.MEASURES: N_("Record the measures taken"),
    NextAction.CLOSE: N_("Close"),
    NextAction.NONE: N_("Nothing to do"),
}


@dataclass(frozen=True)
class Standing:
    """Where an incident stands, as far as the next step depends on it."""

    state: State
    aware: bool  # the moment of awareness is recorded
    checklist_confirmed: bool
    decision_stale: bool  # the checklist now advises other duties than the decision
    processor: bool  # the duty is towards the controller (Art. 33(2)), not the AP
    filing_owed: bool  # the term runs: a notification is owed and not yet filed
    term_pressing: bool  # ... and it is due soon or overdue
    informing_owed: bool  # the people must be told and nothing has been sent or recorded
    supplement_owed: bool = False  # the last filing was provisional, nothing followed it
    measures_recorded: bool = True  # the report's measures or a remedial action (Art. 33(5))


def next_action(standing: Standing) -> NextAction:
    """The FG's next step for an incident standing as ``standing``."""
    state = standing.state
    if state in (State.CLOSED, State.NOT_A_BREACH, State.DISCARDED):
        return NextAction.NONE
    if state in (State.REPORTED, State.IN_TRIAGE):
        return NextAction.TRIAGE
    if not standing.aware:
        return NextAction.AWARENESS
    file = NextAction.INFORM_CONTROLLER if standing.processor else NextAction.FILE_AP
    # A processor does not assess the risk first: that is the controller's job. It tells the
    # controller without undue delay (Art. 33(2) GDPR); a controller files first only when
    # the term presses, and otherwise assesses and decides before filing.
    if standing.filing_owed and (standing.term_pressing or standing.processor):
        return file
    if state is State.BREACH_CONFIRMED and not standing.checklist_confirmed:
        return NextAction.CHECKLIST
    if state in (State.BREACH_CONFIRMED, State.ASSESSED):
        return NextAction.DECIDE
    if standing.decision_stale:
        return NextAction.DECIDE_AGAIN
    if standing.filing_owed:
        return file
    if standing.informing_owed:
        return NextAction.INFORM_PEOPLE
    if standing.supplement_owed:
        return NextAction.SUPPLEMENT
    if not standing.measures_recorded:
        # Closing is refused without them: "Close" was shown all the same (found by testing).
        return NextAction.MEASURES
    return NextAction.CLOSE
