"""Closing an incident once every duty is met or accounted for, and reopening it.

Like :mod:`.triage`, every function moves the incident only through
:func:`breachdesk.domain.lifecycle.move`, writes an audit event for each change and commits;
refused moves raise :class:`~breachdesk.domain.lifecycle.TransitionRefused` (or
:class:`~.workflow.TriageError`) before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.duties import PublicResolution, Resolution, SubjectsResolution, resolution_problems
from ..domain.lifecycle import State, TransitionRefused, closing_blocked_by
from ..domain.problems import FieldProblem
from ..domain.text import N_
from ..models import Delivery, Incident, Mailing
from .audit import Actor
from .clock import Clock
from .deadlines import duties_owed
from .workflow import audit_incident, commit, guards, move_incident, refuse


@dataclass(frozen=True)
class Closure:
    """What the FG records when closing: how the duties towards people were met (if owed)."""

    subjects: Resolution | None = None
    public: Resolution | None = None


STILL_SENDING = N_(
    "The notice to the people affected is still being sent: let it finish, or cancel it, "
    "before closing."
)


def still_sending(session: Session, incident: Incident) -> bool:
    """A mailing of the incident has notices still to send (planned, being sent or held)."""
    sending = session.execute(
        select(Mailing.id).where(
            Mailing.incident_id == incident.id,
            Mailing.status.in_(("preparing", "running", "paused")),
            select(Delivery.id)
            .where(
                Delivery.mailing_id == Mailing.id,
                Delivery.status.in_(("planned", "sending", "held")),
            )
            .exists(),
        )
    ).first()
    return sending is not None


def standing_refusals(session: Session, incident: Incident) -> list[str]:
    """Why closing is refused whatever the closing form says (English templates): a notice
    still being sent; a stale decision, a filing or a supplement owed. The form shows them
    with its field errors in one round (they came one after the other: found by exploratory
    testing)."""
    found = [STILL_SENDING] if still_sending(session, incident) else []
    return [*found, *closing_blocked_by(guards(incident))]


def close(
    session: Session,
    incident: Incident,
    *,
    actor: Actor,
    clock: Clock,
    closure: Closure | None = None,
) -> None:
    """decided → closed, once every duty of the decision is met or accounted for.

    When the people affected must be informed (or a public communication is owed) and that
    is not recorded yet, ``closure`` must say how it was done, or the ground or reason why
    not (kept on the incident for the register, and audited).

    Raises:
        TransitionRefused: the decision is out of date, a notification or a duty towards
            people is still owed.
        TriageError: a recorded resolution is incomplete (``field`` names it).
    """
    closure = closure or Closure()
    duties = duties_owed(incident)
    now = clock.now()
    if still_sending(session, incident):
        raise TransitionRefused(STILL_SENDING)
    refuse(closure_problems(incident, closure, now))
    recorded: dict[str, Resolution] = {}
    try:
        if duties.inform_subjects and not incident.subjects_resolution and closure.subjects:
            _resolve(incident, "subjects", closure.subjects, SubjectsResolution.INFORMED)
            recorded["subjects"] = closure.subjects
        if duties.public_communication and not incident.public_resolution and closure.public:
            _resolve(incident, "public", closure.public, PublicResolution.PUBLISHED)
            recorded["public"] = closure.public
        move_incident(session, incident, State.CLOSED, actor=actor, clock=clock, closed_at=now)
    except TransitionRefused:
        session.rollback()  # nothing of a refused closing is kept
        raise
    if recorded:
        audit_incident(
            session,
            incident,
            "incident.people_duties_recorded",
            actor=actor,
            clock=clock,
            after={
                key: {"outcome": r.outcome, "at": r.at, "note": r.note.strip()}
                for key, r in recorded.items()
            },
        )
    commit(session, incident, clock)


def closure_problems(incident: Incident, closure: Closure, now: datetime) -> list[FieldProblem]:
    """Every problem with how ``closure`` says the duties towards people were met, each at
    its field (``subjects_at``, ``subjects_note``, ``public_at``, ``public_note``); only for a
    duty that is owed and not recorded yet. Reads only; :func:`close` refuses the first."""
    duties = duties_owed(incident)
    wanted = (
        ("subjects", duties.inform_subjects and not incident.subjects_resolution,
         closure.subjects, SubjectsResolution.INFORMED),
        ("public", duties.public_communication and not incident.public_resolution,
         closure.public, PublicResolution.PUBLISHED),
    )  # fmt: skip
    return [
        FieldProblem(f"{prefix}_{name}", message)
        for prefix, owed, resolution, done in wanted
        if owed and resolution is not None
        for name, message in resolution_problems(resolution, done, incident.aware_at, now)
    ]


def _resolve(incident: Incident, prefix: str, resolution: Resolution, done: str) -> None:
    setattr(incident, f"{prefix}_resolution", resolution.outcome)
    setattr(
        incident, f"{prefix}_resolution_at", resolution.at if resolution.outcome == done else None
    )
    setattr(incident, f"{prefix}_resolution_note", resolution.note.strip())


def reopen(
    session: Session, incident: Incident, reason: str, *, actor: Actor, clock: Clock
) -> None:
    """Reopen with a reason. A closed incident with a decision goes back to ``decided``: its
    triage, awareness, checklist, decision and filings stay as they are (a supplement, a new
    decision or informing more people follows). Otherwise (not a breach) back to triage."""
    target = (
        State.DECIDED
        if incident.state == State.CLOSED.value and incident.decisions
        else State.IN_TRIAGE
    )
    move_incident(
        session, incident, target, actor=actor, clock=clock, reason=reason, closed_at=None
    )
    commit(session, incident, clock)
