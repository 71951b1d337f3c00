"""Incident states and the one table of moves between them.

::

    reported ─┬─> in_triage ─┬─> not_a_breach (closed, with the FG's reason) ──┐
              │              └─> breach_confirmed ─> assessed ─> decided ─> closed
              └─(triage done at once: straight to not_a_breach or breach_confirmed)
    not_a_breach / closed ──reopen (reason required)──> in_triage
    closed (with a decision) ──reopen (reason required)──> decided: nothing is undone; the
        filings, the decision and the checklist stay, and the FG adds to them
    reported / in_triage ──discard (reason required)──> discarded ──restore──> in_triage

``discarded`` is for what was never a report (spam through the public reporting link, a test):
it leaves the inbox and the register, and the FG's reason is audited. A report that is real
but is no breach goes to ``not_a_breach`` and stays in the register.

:func:`move` is the only way to change a state. It checks the guards of the move (for
example: no decision before the risk checklist is complete) and refuses with a message a
person understands. Recording the move in the audit trail is the caller's (service's) job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
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
    DISCARDED = "discarded"


STATE_LABELS: dict[State, str] = {
    State.REPORTED: N_("Received"),  # not "Reported": Dutch "Gemeld" read as "notified to the AP"
    State.IN_TRIAGE: N_("In triage"),
    State.NOT_A_BREACH: N_("Not a personal-data breach"),
    State.BREACH_CONFIRMED: N_("Breach confirmed"),
    State.ASSESSED: N_("Assessed"),
    State.DECIDED: N_("Decided"),
    State.CLOSED: N_("Closed"),
    State.DISCARDED: N_("Discarded (not a real report)"),
}

#: States of an incident the FG confirmed to be a personal-data breach.
BREACH_STATES = frozenset({State.BREACH_CONFIRMED, State.ASSESSED, State.DECIDED, State.CLOSED})
#: States of a report the FG has not yet judged.
UNTRIAGED_STATES = frozenset({State.REPORTED, State.IN_TRIAGE})

#: States in which the incident is still being worked on by the FG.
OPEN_STATES = frozenset(
    {State.REPORTED, State.IN_TRIAGE, State.BREACH_CONFIRMED, State.ASSESSED, State.DECIDED}
)


@dataclass(frozen=True)
class Guards:
    """What the guards of a move look at; the service fills it from the incident."""

    reason: str = ""  # the FG's written reason, where a move needs one
    aware_at_set: bool = False
    breach_types_set: bool = False
    checklist_confirmed: bool = False
    has_decision: bool = False
    notification_outstanding: bool = False  # a notification is owed and not yet recorded
    # the last filing was provisional ("supplemented later", Art. 33(4)) and nothing followed
    supplement_outstanding: bool = False
    decision_stale: bool = False  # the checklist changed after the decision (see duties.py)
    subjects_outstanding: bool = False  # the people must be informed; nothing recorded yet
    public_outstanding: bool = False  # a public communication is owed; nothing recorded yet
    # the measures taken are recorded (the report's measures, their details, or a remedial
    # action): Art. 33(5) GDPR documents "the remedial action taken" for every breach
    measures_recorded: bool = True


class TransitionRefused(ValueError):
    """A move that is not allowed now; ``message`` is an English template for translation."""

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def _needs_reason(g: Guards) -> str | None:
    return None if g.reason.strip() else N_("Write down the reason.")


def _confirm_breach(g: Guards) -> str | None:
    if not g.aware_at_set:
        return N_("Record when the organisation became aware of the breach first.")
    if not g.breach_types_set:
        return N_("Choose at least one type of breach (confidentiality, integrity, availability).")
    return None


def _assessed(g: Guards) -> str | None:
    return None if g.checklist_confirmed else N_("Complete and confirm the risk checklist first.")


def _decided(g: Guards) -> str | None:
    return None if g.has_decision else N_("Record the decision first.")


def closing_blocked_by(g: Guards) -> list[str]:
    """Why closing is refused whatever the closing form says (a stale decision, a filing or a
    supplement owed, no measures on record), every reason at once; [] when only the form's own
    answers are wanting. The form shows them with its field errors in one round (they came
    one after the other: found by exploratory testing, twice)."""
    return _close_refusals(replace(g, subjects_outstanding=False, public_outstanding=False))


def _close(g: Guards) -> str | None:
    refusals = _close_refusals(g)
    return refusals[0] if refusals else None


def _close_refusals(g: Guards) -> list[str]:
    refusals = []
    if g.decision_stale:
        refusals.append(
            N_(
                "The checklist changed after the decision and the advice now names other "
                "duties: record a new decision first."
            )
        )
    if g.notification_outstanding:
        refusals.append(
            N_(
                "A notification is still owed: record it first (when it was filed and the "
                "reference), or revise the decision."
            )
        )
    if g.supplement_outstanding:
        refusals.append(
            N_(
                "The last notification was filed as provisional, to be supplemented later (Art. "
                "33(4) GDPR): record the supplement (it may say that nothing has changed) or the "
                "withdrawal first."
            )
        )
    if not g.measures_recorded:
        # The register then showed no measures at all for a closed breach, while the advice
        # says they must be documented (found by exploratory testing).
        refusals.append(
            N_(
                "Record the measures taken first (Art. 33(5) GDPR): in the report's measures, "
                "or as a remedial action; if none were needed, say why in the measures' details."
            )
        )
    if g.subjects_outstanding:
        refusals.append(
            N_(
                "The people affected must still be informed: record when and how they were, or "
                "the ground (Art. 34(3)) or reason why not."
            )
        )
    if g.public_outstanding:
        refusals.append(
            N_(
                "A public communication is still owed: record when and where it was made, or "
                "the reason why not."
            )
        )
    return refusals


def _always(_g: Guards) -> str | None:
    return None


_Guard = Callable[[Guards], str | None]

#: (from, to) -> guard. A guard returns None when the move is allowed, else the reason why not.
TRANSITIONS: dict[tuple[State, State], _Guard] = {
    (State.REPORTED, State.IN_TRIAGE): _always,
    (State.REPORTED, State.NOT_A_BREACH): _needs_reason,
    (State.REPORTED, State.BREACH_CONFIRMED): _confirm_breach,
    (State.IN_TRIAGE, State.NOT_A_BREACH): _needs_reason,
    (State.IN_TRIAGE, State.BREACH_CONFIRMED): _confirm_breach,
    (State.BREACH_CONFIRMED, State.ASSESSED): _assessed,
    (State.ASSESSED, State.DECIDED): _decided,
    (State.DECIDED, State.CLOSED): _close,
    (State.NOT_A_BREACH, State.IN_TRIAGE): _needs_reason,  # reopen
    (State.CLOSED, State.IN_TRIAGE): _needs_reason,  # reopen (no decision was recorded)
    (State.CLOSED, State.DECIDED): _needs_reason,  # reopen, keeping triage, checklist, decision
    (State.REPORTED, State.DISCARDED): _needs_reason,
    (State.IN_TRIAGE, State.DISCARDED): _needs_reason,
    (State.DISCARDED, State.IN_TRIAGE): _needs_reason,  # restore
}


def allowed_targets(current: State) -> list[State]:
    """The states ``current`` may move to (guards not yet checked)."""
    return [to for (frm, to) in TRANSITIONS if frm is current]


def move(current: State, target: State, guards: Guards) -> State:
    """Return ``target`` if the move from ``current`` is allowed now.

    Raises:
        TransitionRefused: the move does not exist, or a guard refuses it.
    """
    guard = TRANSITIONS.get((current, target))
    if guard is None:
        raise TransitionRefused(
            N_("An incident cannot go from “%(current)s” to “%(target)s”."),
            current=current.value,
            target=target.value,
        )
    problem = guard(guards)
    if problem is not None:
        raise TransitionRefused(problem)
    return target
