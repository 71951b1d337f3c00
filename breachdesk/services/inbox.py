"""The FG's inbox: the unfinished incidents of the organisations they serve, most urgent first.

Urgency, in order: incidents whose term is running (72 hours towards the AP, or as processor
the contractual term towards the controller), least time left first, overdue at the top;
then new reports where awareness is not yet established (oldest first: the short
investigation that precedes awareness must not be left open-ended); then decided incidents.
Finished incidents (closed, or not a personal-data breach) are shown only when asked for by
state; they belong to the register. Filtering, ordering, paging and the top bar's counts are
done in SQL on stored columns (``term_deadline``), so they cost the same at any register size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select, true
from sqlalchemy.orm import Session

from ..domain.deadline import DUE_SOON, DeadlineStatus, Duty
from ..domain.lifecycle import State
from ..domain.next_action import NextAction, Standing, next_action
from ..domain.roles import Role
from ..models import Decision, Incident, Mailing, Membership, Notification, Organisation, User
from .deadlines import IncidentClock, clock_of, duties_owed, duty_of
from .decisions import latest_decisions

RUNNING = {State.BREACH_CONFIRMED, State.ASSESSED}
UNTRIAGED = {State.REPORTED, State.IN_TRIAGE}


#: Incidents per inbox page.
PAGE_SIZE = 50
#: The states of finished incidents: they live in the register, not in the FG's inbox.
FINISHED = {State.CLOSED, State.NOT_A_BREACH, State.DISCARDED}


@dataclass(frozen=True)
class DecidedDuties:
    """The duties a decision named (what the clock reads of it)."""

    notify_ap: bool
    inform_subjects: bool
    public_communication: bool


@dataclass(frozen=True)
class Filed:
    """A filed notification, as the clock reads it."""

    addressee: str
    submitted_at: datetime
    late: bool


@dataclass(frozen=True)
class InboxIncident:
    """An incident as the inbox lists it: the columns its row and its clock read, and its
    latest decision and filings, read as plain values (a
    :class:`~.deadlines.ClockSubject`)."""

    id: int
    reference: str
    title: str
    state: str
    organisation_id: int
    aware_at: datetime | None
    our_role: str
    recommended_outcome: str | None
    decision_stale: bool
    subjects_resolution: str
    checklist_confirmed_at: datetime | None
    organisation: Organisation
    decisions: tuple[DecidedDuties, ...]  # the latest only: what the clock reads
    notifications: tuple[Filed, ...]  # in the order they were filed


#: The columns of an InboxIncident, in its fields' order.
_LISTED = (
    Incident.id,
    Incident.reference,
    Incident.title,
    Incident.state,
    Incident.organisation_id,
    Incident.aware_at,
    Incident.our_role,
    Incident.recommended_outcome,
    Incident.decision_stale,
    Incident.subjects_resolution,
    Incident.checklist_confirmed_at,
)


@dataclass(frozen=True)
class InboxRow:
    incident: InboxIncident
    clock: IncidentClock | None  # None until awareness is recorded
    time_left: timedelta | None  # None when no term is running
    action: NextAction = NextAction.NONE  # the FG's next step

    @property
    def due_at(self) -> datetime | None:
        return self.clock.deadline if self.clock else None

    @property
    def overdue(self) -> bool:
        return self.clock is not None and self.clock.status is DeadlineStatus.OVERDUE


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox, and where it stands among all pages."""

    rows: list[InboxRow]
    page: int
    pages: int
    total: int


def organisations_served(user: User) -> Select[int]:
    """The organisations ``user`` serves as FG or administrator (a subquery of their ids)."""
    return select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role.in_([Role.FG.value, Role.ADMIN.value])
    )


#: Urgency as a sort key in SQL: running terms (least time left first), then new reports and
#: confirmed breaches without a running term (oldest report first), then decided incidents,
#: then the rest (most recently changed first).
_GROUP = case(
    (Incident.term_deadline.is_not(None), 0),
    (Incident.state.in_([s.value for s in (*UNTRIAGED, *RUNNING)]), 1),
    (Incident.state == State.DECIDED.value, 2),
    else_=3,
)
_URGENCY = (
    _GROUP,
    Incident.term_deadline,
    case((_GROUP == 1, Incident.reported_at)),
    Incident.updated_at.desc(),
    Incident.id.desc(),
)


def inbox(
    session: Session,
    user: User,
    now: datetime,
    *,
    organisation_id: int | None = None,
    state: State | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> InboxPage:
    """One page of the incidents ``user`` handles as FG or administrator, most urgent first:
    the unfinished ones, or those in ``state`` when given. Filtered, ordered and paginated in
    the database; only the page's incidents are loaded (with what :func:`clock_of` reads)."""
    where: list[ColumnElement[bool]] = [Incident.organisation_id.in_(organisations_served(user))]
    if organisation_id is not None:
        where.append(Incident.organisation_id == organisation_id)
    if state is not None:
        where.append(Incident.state == state.value)
    else:  # named, not "not in FINISHED", so that ix_incident_org_state is used
        where.append(Incident.state.in_([s.value for s in State if s not in FINISHED]))
    total = int(
        session.execute(select(func.count()).select_from(Incident).where(*where)).scalar_one()
    )
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    # Plain columns, not the models: loading 50 incidents with their decisions and filings as
    # objects was a third of the page's time; the clock reads the same values either way.
    found = session.execute(
        select(*_LISTED)
        .where(*where)
        .order_by(*_URGENCY)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    page_incidents = _inbox_incidents(session, user, found)
    informing_started = set(
        session.execute(
            select(Mailing.incident_id).where(
                Mailing.incident_id.in_([i.id for i in page_incidents])
            )
        ).scalars()
    )
    rows = []
    for incident in page_incidents:
        clock = clock_of(incident, now)
        running = clock is not None and clock.running
        action = next_action(standing_of(incident, clock, incident.id in informing_started))
        rows.append(
            InboxRow(incident, clock, clock.time_left(now) if clock and running else None, action)
        )
    return InboxPage(rows, page, pages, total)


def _inbox_incidents(session: Session, user: User, found: Sequence[Any]) -> list[InboxIncident]:
    """The page's incidents with their latest decision and their filings (one query each);
    the organisations are the user's own, already loaded for the request."""
    ids = [row.id for row in found]
    if not ids:
        return []
    decided = {
        row.incident_id: DecidedDuties(*tuple(row)[1:])
        for row in latest_decisions(
            session,
            Decision.incident_id.in_(ids),
            Decision.notify_ap,
            Decision.inform_subjects,
            Decision.public_communication,
        )
    }
    filed: dict[int, list[Filed]] = {}
    for row in session.execute(
        select(
            Notification.incident_id,
            Notification.addressee,
            Notification.submitted_at,
            Notification.late,
        )
        .where(Notification.incident_id.in_(ids))
        .order_by(Notification.id)
    ):
        filed.setdefault(row.incident_id, []).append(Filed(*row[1:]))
    # From the session's identity map: the request loaded the user's organisations already
    # (the top bar's roles), so this asks the database nothing.
    organisations = {
        org_id: session.get_one(Organisation, org_id)
        for org_id in {row.organisation_id for row in found}
    }
    return [
        InboxIncident(  # type: ignore[misc]  # the columns fill the fields before these
            *row,
            organisation=organisations[row.organisation_id],
            decisions=(decided[row.id],) if row.id in decided else (),
            notifications=tuple(filed.get(row.id, ())),
        )
        for row in found
    ]


def next_action_for(session: Session, incident: Incident, now: datetime) -> NextAction:
    """The FG's next step for one incident (the incident page's banner)."""
    started = (
        session.execute(
            select(Mailing.id).where(Mailing.incident_id == incident.id).limit(1)
        ).first()
        is not None
    )
    return next_action(standing_of(incident, clock_of(incident, now), started))


def standing_of(
    incident: InboxIncident | Incident, clock: IncidentClock | None, informing_started: bool
) -> Standing:
    """Where ``incident`` stands for :func:`~breachdesk.domain.next_action.next_action`."""
    running = clock is not None and clock.running
    pressing = running and clock is not None and clock.status is not DeadlineStatus.OPEN
    informing_owed = (
        duties_owed(incident).inform_subjects
        and not incident.subjects_resolution
        and not informing_started
    )
    return Standing(
        state=State(incident.state),
        aware=incident.aware_at is not None,
        checklist_confirmed=incident.checklist_confirmed_at is not None,
        decision_stale=incident.decision_stale,
        processor=duty_of(incident) is Duty.CONTROLLER,
        filing_owed=running,
        term_pressing=pressing,
        informing_owed=informing_owed,
    )


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
    """Count the running terms of ``user``'s organisations that are overdue or due soon, and
    the decisions out of date: two aggregate queries on stored columns (``term_deadline``),
    each reading only the rows it counts through an index, so the count costs the same with
    ten incidents or a register of 100,000."""
    orgs = organisations_served(user)
    term_states = [s.value for s in (*RUNNING, State.DECIDED)]
    # Only terms that are overdue or due soon are read, through ix_incident_org_term.
    terms = (
        select(
            func.count().filter(Incident.term_deadline < now).label("overdue"),
            func.count().filter(Incident.term_deadline >= now).label("due_soon"),
        )
        .where(
            Incident.organisation_id.in_(orgs),
            Incident.term_deadline <= now + DUE_SOON,
            Incident.state.in_(term_states),
        )
        .subquery()
    )
    # Only assessed and decided incidents are read, through ix_incident_org_state.
    stale = (
        select(func.count())
        .where(
            Incident.organisation_id.in_(orgs),
            Incident.state.in_([State.ASSESSED.value, State.DECIDED.value]),
            # "= true" written as a constant, which SQLite matches to ix_incident_stale.
            Incident.decision_stale == true(),
        )
        .scalar_subquery()
    )
    # One round trip for both counts; each keeps its own index.
    overdue, due_soon, stale_count = session.execute(
        select(terms.c.overdue, terms.c.due_soon, stale)
    ).one()
    return Urgency(int(overdue or 0), int(due_soon or 0), int(stale_count or 0))
