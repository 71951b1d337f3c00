"""The FG's inbox: every incident of the organisations they serve, most urgent first.

Urgency, in order: incidents whose term is running (72 hours towards the AP, or as processor
the contractual term towards the controller), least time left first, overdue at the top;
then new reports where awareness is not yet established (oldest first: the short
investigation that precedes awareness must not be left open-ended); then decided incidents;
then closed ones (newest first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from ..domain.deadline import DeadlineStatus
from ..domain.lifecycle import State
from ..domain.roles import Role
from ..models import Incident, Membership, User
from .deadlines import IncidentClock, clock_of

RUNNING = {State.BREACH_CONFIRMED, State.ASSESSED}
UNTRIAGED = {State.REPORTED, State.IN_TRIAGE}


@dataclass(frozen=True)
class InboxRow:
    incident: Incident
    clock: IncidentClock | None  # None until awareness is recorded
    time_left: timedelta | None  # None when no term is running

    @property
    def due_at(self) -> datetime | None:
        return self.clock.deadline if self.clock else None

    @property
    def overdue(self) -> bool:
        return self.clock is not None and self.clock.status is DeadlineStatus.OVERDUE


def _urgency(row: InboxRow) -> tuple[int, float]:
    state = State(row.incident.state)
    if row.time_left is not None:
        return (0, row.time_left.total_seconds())
    if state in UNTRIAGED or state in RUNNING:
        return (1, row.incident.reported_at.timestamp())
    if state is State.DECIDED:
        return (2, -row.incident.updated_at.timestamp())
    return (3, -row.incident.updated_at.timestamp())


def _organisations_of(user: User) -> Select[int]:
    return select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role.in_([Role.FG.value, Role.ADMIN.value])
    )


def _handled_by(user: User) -> Select[Incident]:
    """The incidents of the organisations where ``user`` is FG or administrator, loaded with
    what :func:`clock_of` reads."""
    orgs = _organisations_of(user)
    return (
        select(Incident)
        .where(Incident.organisation_id.in_(orgs))
        .options(
            selectinload(Incident.organisation),
            selectinload(Incident.decisions),
            selectinload(Incident.notifications),
        )
    )


def inbox(
    session: Session,
    user: User,
    now: datetime,
    *,
    organisation_id: int | None = None,
    state: State | None = None,
) -> list[InboxRow]:
    """The incidents ``user`` handles as FG or administrator, most urgent first."""
    query = _handled_by(user)
    if organisation_id is not None:
        query = query.where(Incident.organisation_id == organisation_id)
    if state is not None:
        query = query.where(Incident.state == state.value)
    rows = []
    for incident in session.execute(query).scalars():
        clock = clock_of(incident, now)
        running = clock is not None and clock.running
        rows.append(InboxRow(incident, clock, clock.time_left(now) if clock and running else None))
    return sorted(rows, key=_urgency)


@dataclass(frozen=True)
class Urgency:
    """How many of a user's running terms are overdue or due soon (shown in the top bar)."""

    overdue: int = 0
    due_soon: int = 0
    stale: int = 0  # decisions out of date: the checklist now advises other duties

    @property
    def total(self) -> int:
        return self.overdue + self.due_soon


def urgency(session: Session, user: User, now: datetime) -> Urgency:
    """Count the running terms of ``user``'s organisations that are overdue or due soon.

    Only incidents whose term may still run are read (confirmed, assessed or decided, with
    awareness set), so the count stays cheap however many closed incidents the register holds.
    """
    query = _handled_by(user).where(
        Incident.state.in_([s.value for s in (*RUNNING, State.DECIDED)]),
        Incident.aware_at.is_not(None),
    )
    overdue = due_soon = 0
    for incident in session.execute(query).scalars():
        clock = clock_of(incident, now)
        if clock is not None and clock.status is DeadlineStatus.OVERDUE:
            overdue += 1
        elif clock is not None and clock.status is DeadlineStatus.DUE_SOON:
            due_soon += 1
    orgs = _organisations_of(user)
    stale = session.execute(
        select(func.count())
        .select_from(Incident)
        .where(
            Incident.organisation_id.in_(orgs),
            Incident.decision_stale.is_(True),
            Incident.state.in_([State.ASSESSED.value, State.DECIDED.value]),
        )
    ).scalar_one()
    return Urgency(overdue, due_soon, int(stale))
