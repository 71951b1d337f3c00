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

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from ..domain.deadline import DeadlineStatus, Duty
from ..domain.lifecycle import State
from ..domain.next_action import NextAction, Standing, next_action
from ..domain.roles import Role
from ..models import Decision, Incident, Mailing, Membership, Notification, Organisation, User
from .deadlines import IncidentClock, clock_of, duties_owed, duty_of, supplement_outstanding

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
    submitted_at: datetime | None  # None: filed, date not known (imported)
    late: bool | None


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


def _page_columns(chosen: Any) -> list[Any]:
    """What the inbox shows of each incident of a page (``chosen``: a subquery of the page's
    rows): its columns, its latest decision's duties, its first filing towards the party its
    term runs to (the AP, or as processor the controller), whether informing the people has
    started. Each is an index lookup per row, made after the page's rows are
    chosen: one round trip instead of four (a subquery in the SELECT that chooses the rows
    would run for every matching row, not only the page's)."""

    def latest_decision(column: Any) -> Any:
        return (
            select(column)
            .where(Decision.incident_id == chosen.id)
            .order_by(Decision.version.desc())
            .limit(1)
            .scalar_subquery()
            .label(column.key)
        )

    towards = case((chosen.our_role == "processor", Duty.CONTROLLER.value), else_=Duty.AP.value)

    def first_filing(column: Any, label: str) -> Any:
        return (
            select(column)
            .where(Notification.incident_id == chosen.id, Notification.addressee == towards)
            .order_by(Notification.id)
            .limit(1)
            .scalar_subquery()
            .label(label)
        )

    informing = exists(select(Mailing.id).where(Mailing.incident_id == chosen.id))
    # The last filing was provisional and nothing followed it: a supplement is owed.
    supplement = (
        select(and_(Notification.provisional, Notification.kind != "withdrawal"))
        .where(Notification.incident_id == chosen.id, Notification.addressee == towards)
        .order_by(Notification.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return [
        *(chosen[column.key] for column in _LISTED),
        latest_decision(Decision.notify_ap),
        latest_decision(Decision.inform_subjects),
        latest_decision(Decision.public_communication),
        first_filing(Notification.id, "filed_id"),
        first_filing(Notification.submitted_at, "filed_at"),
        first_filing(Notification.late, "filed_late"),
        informing.label("informing_started"),
        supplement.label("supplement_owed"),
    ]


#: The columns the order needs besides those listed (for sorting the page's rows again).
_SORTED_BY = (
    Incident.term_deadline,
    Incident.reported_at,
    Incident.updated_at,
)  # + state, aware_at


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


#: The roles that make an organisation's incidents someone's work (and their register).
SERVING_ROLES = [Role.FG.value, Role.ADMIN.value]


def organisations_served(user: User) -> Select[int]:
    """The organisations ``user`` serves as FG or administrator (a subquery of their ids)."""
    return select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role.in_(SERVING_ROLES)
    )


#: Urgency as a sort key in SQL: running terms (least time left first), then new reports and
#: confirmed breaches whose awareness is still to be recorded (oldest report first), then
#: those with no term running any more (notified, or none owed) and decided incidents, then
#: the rest (most recently changed first). Before, a breach already notified sat among the
#: new reports and pushed them down (found by exploratory testing).
def _urgency(of: Any) -> tuple[Any, ...]:
    """The sort key on the columns of ``of`` (the incident table, or a subquery of its rows)."""
    running = of.state.in_([s.value for s in RUNNING])
    group = case(
        (of.term_deadline.is_not(None), 0),
        (of.state.in_([s.value for s in UNTRIAGED]), 1),
        (and_(running, of.aware_at.is_(None)), 1),
        (or_(running, of.state == State.DECIDED.value), 2),
        else_=3,
    )
    return (
        group,
        of.term_deadline,
        case((group == 1, of.reported_at)),
        of.updated_at.desc(),
        of.id.desc(),
    )


_URGENCY = _urgency(Incident)


def served_organisations() -> Select[Any]:
    """The organisations the user with bind parameter ``user_id`` serves as FG or admin."""
    return select(Membership.organisation_id).where(
        Membership.user_id == bindparam("user_id"), Membership.role.in_(SERVING_ROLES)
    )


def _filters(by_organisation: bool, by_state: bool) -> list[ColumnElement[bool]]:
    """The inbox's conditions, with bind parameters ``user_id``, ``organisation_id`` and
    ``state`` (the last two when filtered by them)."""
    where: list[ColumnElement[bool]] = [Incident.organisation_id.in_(served_organisations())]
    if by_organisation:
        where.append(Incident.organisation_id == bindparam("organisation_id"))
    if by_state:
        where.append(Incident.state == bindparam("state"))
    else:  # named, not "not in FINISHED", so that ix_incident_org_state is used
        where.append(Incident.state.in_([s.value for s in State if s not in FINISHED]))
    return where


@functools.cache
def _page_statement(by_organisation: bool, by_state: bool) -> Select[Any]:
    """One page of the inbox (bind parameters: those of :func:`_filters`, ``offset`` and
    ``limit``). Made once per kind of filter and kept: building this statement (a subquery
    and seven correlated lookups) cost more than running it.

    Plain columns, not the models: loading 50 incidents with their decisions and filings as
    objects was a third of the page's time; the clock reads the same values either way. The
    latest decision's duties, the first filing and whether informing has started come with
    each row (index lookups per row of the page), and the total with the page: one round trip,
    not four."""
    where = _filters(by_organisation, by_state)
    chosen = (
        select(*_LISTED, *_SORTED_BY)
        .where(*where)
        .order_by(*_URGENCY)
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )
    # Counted apart, once: a window count over the chosen rows made SQLite scan the table.
    total = select(func.count()).select_from(Incident).where(*where).scalar_subquery()
    return select(*_page_columns(chosen.c), total.label("total")).order_by(*_urgency(chosen.c))


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

    filters = (organisation_id is not None, state is not None)
    given = {
        "user_id": user.id,
        "organisation_id": organisation_id,
        "state": state.value if state is not None else None,
    }

    def page_of(number: int) -> Sequence[Any]:
        return session.execute(
            _page_statement(*filters),
            {**given, "offset": (number - 1) * per_page, "limit": per_page},
        ).all()

    page = max(1, page)
    found = page_of(page)
    if found:
        total = int(found[0].total)
    else:  # past the last page (or nothing at all): count, then show the last page
        total = int(
            session.execute(
                select(func.count()).select_from(Incident).where(*_filters(*filters)),
                given,
            ).scalar_one()
        )
        last = max(1, -(-total // per_page))
        if total and page > last:
            page, found = last, page_of(last)
        else:
            page = 1
    pages = max(1, -(-total // per_page))
    page_incidents = _inbox_incidents(session, found)
    rows = []
    for incident, listed in zip(page_incidents, found, strict=True):
        clock = clock_of(incident, now)
        running = clock is not None and clock.running
        action = next_action(
            standing_of(
                incident,
                clock,
                bool(listed.informing_started),
                supplement_owed=bool(listed.supplement_owed),
            )
        )
        rows.append(
            InboxRow(incident, clock, clock.time_left(now) if clock and running else None, action)
        )
    return InboxPage(rows, page, pages, total)


def _inbox_incidents(session: Session, found: Sequence[Any]) -> list[InboxIncident]:
    """The page's incidents, with their latest decision and first filing read with the rows;
    the organisations are the user's own, already loaded for the request: from the session's
    identity map, so this asks the database nothing."""
    organisations = {
        org_id: session.get_one(Organisation, org_id)
        for org_id in {row.organisation_id for row in found}
    }
    return [
        InboxIncident(  # type: ignore[misc]  # the columns fill the fields before these
            *row[: len(_LISTED)],
            organisation=organisations[row.organisation_id],
            decisions=(
                ()
                if row.notify_ap is None
                else (
                    DecidedDuties(
                        bool(row.notify_ap),
                        bool(row.inform_subjects),
                        bool(row.public_communication),
                    ),
                )
            ),
            notifications=(
                (
                    Filed(
                        duty_of(row).value,
                        row.filed_at,  # None: filed, date not known (imported)
                        None if row.filed_at is None else bool(row.filed_late),
                    ),
                )
                if row.filed_id is not None
                else ()
            ),
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
    owed = supplement_outstanding(incident)
    return next_action(
        standing_of(incident, clock_of(incident, now), started, supplement_owed=owed)
    )


def standing_of(
    incident: InboxIncident | Incident,
    clock: IncidentClock | None,
    informing_started: bool,
    *,
    supplement_owed: bool = False,
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
        supplement_owed=supplement_owed,
    )
