"""What every step of the FG's work on an incident shares: moving it through the lifecycle,
auditing each change, keeping its reminders in line, and the error the FG must correct.

Used by :mod:`.triage` (triage, awareness, closing) and :mod:`.decisions` (the risk
checklist and the decision).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from types import EllipsisType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ..domain.lifecycle import Guards, State, move
from ..domain.problems import FieldProblem
from ..models import Incident, RemedialAction
from . import audit, reminders, untriaged
from .audit import Actor
from .clock import Clock
from .deadlines import (
    duties_owed,
    first_filing,
    notification_required,
    supplement_outstanding,
)


class TriageError(ValueError):
    """A request the FG must correct; ``field`` names the form field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def refuse(problems: Iterable[FieldProblem]) -> None:
    """Raise :class:`TriageError` for the first of ``problems``; return when there is none."""
    for problem in problems:
        raise TriageError(problem.message, field=problem.field)


def audit_incident(
    session: Session,
    incident: Incident,
    action: str,
    *,
    actor: Actor,
    clock: Clock,
    before: Any = None,
    after: Any = None,
) -> None:
    """One audit event about ``incident``, in the same transaction as the change."""
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action=action,
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        before=before,
        after=after,
    )


def commit(session: Session, incident: Incident, clock: Clock) -> None:
    """Bring the reminder rows in line with the incident, then commit the whole change."""
    reminders.replan(session, incident, clock=clock)
    untriaged.settle(session, incident)
    session.commit()


def guards(incident: Incident, reason: str = "") -> Guards:
    duties = duties_owed(incident)
    return Guards(
        reason=reason,
        aware_at_set=incident.aware_at is not None,
        breach_types_set=bool(incident.breach_types),
        checklist_confirmed=incident.checklist_confirmed_at is not None,
        has_decision=bool(incident.decisions),
        notification_outstanding=incident.aware_at is not None
        and notification_required(incident)
        and first_filing(incident) is None,
        supplement_outstanding=supplement_outstanding(incident),
        decision_stale=incident.decision_stale,
        subjects_outstanding=duties.inform_subjects and not incident.subjects_resolution,
        public_outstanding=duties.public_communication and not incident.public_resolution,
        measures_recorded=_measures_recorded(incident),
    )


def measures_on_record(session: Session, ids: Iterable[int]) -> set[int]:
    """Those of the incidents ``ids`` whose measures taken are on record (the report's
    measures or their details, or a remedial action): two queries for a page of them."""
    wanted = list(ids)
    if not wanted:
        return set()
    found = {
        incident_id
        for incident_id, measures, details in session.execute(
            select(Incident.id, Incident.containment, Incident.containment_details).where(
                Incident.id.in_(wanted)
            )
        )
        if measures or (details or "").strip()
    }
    return found | set(
        session.scalars(
            select(RemedialAction.incident_id).where(RemedialAction.incident_id.in_(wanted))
        )
    )


def _measures_recorded(incident: Incident) -> bool:
    """Whether the measures taken of ``incident`` are on record (:func:`measures_on_record`;
    its changes not yet saved are flushed by the query first)."""
    session = object_session(incident)
    return session is not None and incident.id in measures_on_record(session, [incident.id])


def move_incident(
    session: Session,
    incident: Incident,
    target: State,
    *,
    actor: Actor,
    clock: Clock,
    reason: str = "",
    closed_at: datetime | None | EllipsisType = ...,
) -> None:
    """Move ``incident`` to ``target`` (the guards may refuse), audited. ``closed_at``, when
    given, is set with the move and recorded in its event (closing, reopening), so that the
    register's closing date is traced like its other facts."""
    before = incident.state
    incident.state = move(State(incident.state), target, guards(incident, reason)).value
    incident.updated_at = clock.now()
    after: dict[str, Any] = {"state": incident.state, "reason": reason}
    if not isinstance(closed_at, EllipsisType):
        incident.closed_at = closed_at
        after["closed_at"] = closed_at
    audit_incident(
        session,
        incident,
        "incident.state_changed",
        actor=actor,
        clock=clock,
        before={"state": before},
        after=after,
    )
