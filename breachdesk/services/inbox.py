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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import Session

from ..domain.deadline import DeadlineStatus, Duty
from ..domain.lifecycle import State
from ..domain.next_action import NextAction, Standing, next_action
from ..models import Incident, Mailing, Organisation, User
from .deadlines import IncidentClock, clock_of, duties_owed, duty_of, supplement_outstanding
from .inbox_query import (
    LISTED,
    inbox_filters,
    page_statement,
)
from .workflow import measures_on_record

#: Incidents per inbox page.
PAGE_SIZE = 50


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
    discovered_at: datetime
    organisation: Organisation
    decisions: tuple[DecidedDuties, ...]  # the latest only: what the clock reads
    notifications: tuple[Filed, ...]  # in the order they were filed


#: The columns of an InboxIncident, in its fields' order.
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
            page_statement(*filters),
            {**given, "offset": (number - 1) * per_page, "limit": per_page},
        ).all()

    page = max(1, page)
    found = page_of(page)
    if found:
        total = int(found[0].total)
    else:  # past the last page (or nothing at all): count, then show the last page
        total = int(
            session.execute(
                select(func.count()).select_from(Incident).where(*inbox_filters(*filters)),
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
    standings = [
        standing_of(
            incident,
            clock_of(incident, now),
            bool(listed.informing_started),
            supplement_owed=bool(listed.supplement_owed),
        )
        for incident, listed in zip(page_incidents, found, strict=True)
    ]
    # "Close" only where closing can be done: the measures on record (read for those rows)
    closing = [
        incident.id
        for incident, standing in zip(page_incidents, standings, strict=True)
        if next_action(standing) is NextAction.CLOSE
    ]
    recorded = measures_on_record(session, closing)
    for incident, standing in zip(page_incidents, standings, strict=True):
        clock = clock_of(incident, now)
        running = clock is not None and clock.running
        if next_action(standing) is NextAction.CLOSE and incident.id not in recorded:
            standing = replace(standing, measures_recorded=False)
        action = next_action(standing)
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
            *row[: len(LISTED)],
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
    standing = standing_of(incident, clock_of(incident, now), started, supplement_owed=owed)
    if next_action(standing) is NextAction.CLOSE and not measures_on_record(session, [incident.id]):
        standing = replace(standing, measures_recorded=False)
    return next_action(standing)


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
