"""The FG's inbox: every incident of the organisations they serve, most urgent first.

Urgency, in order: incidents whose 72-hour term is running (least time left first, overdue
at the top); then new reports where awareness is not yet established (oldest first: the short
investigation that precedes awareness must not be left open-ended); then decided incidents;
then closed ones (newest first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain.deadline import due_at
from ..domain.lifecycle import State
from ..domain.roles import Role
from ..models import Incident, Membership, User

RUNNING = {State.BREACH_CONFIRMED, State.ASSESSED}
UNTRIAGED = {State.REPORTED, State.IN_TRIAGE}


@dataclass(frozen=True)
class InboxRow:
    incident: Incident
    due_at: datetime | None
    time_left: timedelta | None  # None when no 72-hour term is running

    @property
    def overdue(self) -> bool:
        return self.time_left is not None and self.time_left < timedelta(0)


def _urgency(row: InboxRow) -> tuple[int, float]:
    state = State(row.incident.state)
    if state in RUNNING and row.time_left is not None:
        return (0, row.time_left.total_seconds())
    if state in UNTRIAGED or state in RUNNING:
        return (1, row.incident.reported_at.timestamp())
    if state is State.DECIDED:
        return (2, -row.incident.updated_at.timestamp())
    return (3, -row.incident.updated_at.timestamp())


def inbox(
    session: Session,
    user: User,
    now: datetime,
    *,
    organisation_id: int | None = None,
    state: State | None = None,
) -> list[InboxRow]:
    """The incidents ``user`` handles as FG or administrator, most urgent first."""
    orgs = select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role.in_([Role.FG.value, Role.ADMIN.value])
    )
    query = (
        select(Incident)
        .where(Incident.organisation_id.in_(orgs))
        .options(selectinload(Incident.organisation))
    )
    if organisation_id is not None:
        query = query.where(Incident.organisation_id == organisation_id)
    if state is not None:
        query = query.where(Incident.state == state.value)
    rows = []
    for incident in session.execute(query).scalars():
        running = incident.aware_at is not None and State(incident.state) in RUNNING
        due = due_at(incident.aware_at) if incident.aware_at is not None else None
        rows.append(InboxRow(incident, due, (due - now) if running and due else None))
    return sorted(rows, key=_urgency)
