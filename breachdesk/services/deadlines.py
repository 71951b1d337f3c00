"""The clock of an incident as the FG sees it, and recording a filed notification.

The status is derived here every time it is read (never stored by a job): from the current
moment of awareness, the FG's decision and the first filing. Recording a filing is in
:mod:`.filings`, the organisation's reminder settings in :mod:`.clock_settings`.

Which duty applies depends on the organisation's role for the data: as controller it notifies
the AP within 72 hours; as processor it informs the controller within the contractual term
(Art. 33(2) GDPR).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..domain.ap_facts import KnownSoFar, missing_for_ap
from ..domain.assessment import Outcome
from ..domain.deadline import (
    NOTIFICATION_TERM,
    RUNNING_STATUSES,
    DeadlineStatus,
    Duty,
    Filing,
    deadline_status,
    due_at,
)
from ..domain.duties import Duties, owed
from ..domain.lifecycle import State
from ..domain.profile import profile_from_dict
from ..models import Incident, Notification


class DecisionDuties(Protocol):
    """What the clock reads of a decision."""

    @property
    def notify_ap(self) -> bool: ...
    @property
    def inform_subjects(self) -> bool: ...
    @property
    def public_communication(self) -> bool: ...


class FiledNotice(Protocol):
    """What the clock reads of a filed notification."""

    @property
    def addressee(self) -> str: ...
    @property
    def submitted_at(self) -> datetime | None: ...  # None: filed, date not known (imported)
    @property
    def late(self) -> bool | None: ...


class TermSource(Protocol):
    @property
    def processor_term_hours(self) -> int: ...


class ClockSubject(Protocol):
    """What the clock reads of an incident: an :class:`Incident`, or a lighter row with the
    same values (the inbox reads them as plain columns, see :mod:`.inbox`)."""

    @property
    def aware_at(self) -> datetime | None: ...
    @property
    def our_role(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def recommended_outcome(self) -> str | None: ...
    @property
    def decision_stale(self) -> bool: ...
    @property
    def organisation(self) -> TermSource: ...
    @property
    def decisions(self) -> Sequence[DecisionDuties]: ...
    @property
    def notifications(self) -> Sequence[FiledNotice]: ...


@dataclass(frozen=True)
class IncidentClock:
    """Everything the pages and reminders show about an incident's term."""

    duty: Duty
    aware_at: datetime
    deadline: datetime
    status: DeadlineStatus
    term: timedelta
    first_filing: FiledNotice | None = field(default=None, compare=False)

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATUSES

    def time_left(self, now: datetime) -> timedelta:
        return self.deadline - now


def duty_of(incident: ClockSubject) -> Duty:
    return Duty.CONTROLLER if incident.our_role == "processor" else Duty.AP


def term_of(incident: ClockSubject) -> timedelta:
    if duty_of(incident) is Duty.CONTROLLER:
        return timedelta(hours=incident.organisation.processor_term_hours)
    return NOTIFICATION_TERM


def notification_required(incident: ClockSubject) -> bool:
    """False when no notification is owed: not a breach, or (as controller) register only.

    While the decision is out of date (the checklist now recommends other duties), the
    notification stays owed if either the decision or the new recommendation names it.
    """
    if incident.state == State.NOT_A_BREACH.value:
        return False
    if duty_of(incident) is Duty.CONTROLLER:
        return True  # a processor does not weigh the risk: it tells the controller (Art. 33(2))
    return duties_owed(incident).notify_ap


def duties_owed(incident: ClockSubject) -> Duties:
    """What the organisation owes now: the latest decision's duties, joined while it is out
    of date with those of the current recommendation; before any decision, notifying."""
    decision = incident.decisions[-1] if incident.decisions else None
    if decision is None:
        return Duties(notify_ap=True)
    decided = Duties(decision.notify_ap, decision.inform_subjects, decision.public_communication)
    recommended = Outcome(incident.recommended_outcome) if incident.recommended_outcome else None
    return owed(decided, incident.decision_stale, recommended)


def first_filing(incident: Incident) -> Notification | None:
    duty = duty_of(incident)
    for notification in incident.notifications:
        if notification.addressee == duty.value:
            return notification
    return None


def supplement_outstanding(incident: Incident) -> bool:
    """True when the last filing of the incident's duty was provisional (to be supplemented,
    Art. 33(4) GDPR) and no supplement or withdrawal followed it."""
    duty = duty_of(incident).value
    filed = [n for n in incident.notifications if n.addressee == duty]
    return bool(filed) and filed[-1].kind != "withdrawal" and filed[-1].provisional


def _first_filed(incident: ClockSubject) -> FiledNotice | None:
    duty = duty_of(incident)
    return next((n for n in incident.notifications if n.addressee == duty.value), None)


def clock_of(incident: ClockSubject, now: datetime) -> IncidentClock | None:
    """The incident's term at ``now``; None until the moment of awareness is recorded."""
    if incident.aware_at is None:
        return None
    term = term_of(incident)
    deadline = due_at(incident.aware_at, term)
    filing = _first_filed(incident)
    status = deadline_status(
        deadline,
        now,
        required=notification_required(incident),
        first_filing=Filing(filing.submitted_at, filing.late) if filing else None,
    )
    return IncidentClock(duty_of(incident), incident.aware_at, deadline, status, term, filing)


def running_deadline(incident: Incident) -> datetime | None:
    """The deadline while the term runs (owed and not yet filed), else None: the value of
    ``Incident.term_deadline``. Whether a term runs does not depend on the time of day, only
    its status among open, due soon and overdue does."""
    if incident.aware_at is None:
        return None
    clock = clock_of(incident, incident.aware_at)
    return clock.deadline if clock is not None and clock.running else None


#: States in which no term runs any more (the scheduler's check skips them unless they still
#: have a stored deadline).
FINISHED_STATES = (State.CLOSED.value, State.NOT_A_BREACH.value, State.DISCARDED.value)


def sync_terms(session: Session, *, chunk: int = 500) -> int:
    """Set ``term_deadline`` afresh from the clock for every incident whose term may run, or
    that still has one; commits per chunk. Returns how many were out of step (0 unless a
    change bypassed the services, or the column was just added). The scheduler runs it at
    start and every hour."""
    fixed, last = 0, 0
    while True:
        incidents = list(
            session.execute(
                select(Incident)
                .where(
                    Incident.id > last,
                    Incident.aware_at.is_not(None),
                    or_(
                        Incident.state.not_in(FINISHED_STATES), Incident.term_deadline.is_not(None)
                    ),
                )
                .options(
                    selectinload(Incident.organisation),
                    selectinload(Incident.decisions),
                    selectinload(Incident.notifications),
                )
                .order_by(Incident.id)
                .limit(chunk)
            ).scalars()
        )
        if not incidents:
            return fixed
        for incident in incidents:
            wanted = running_deadline(incident)
            if incident.term_deadline != wanted:
                incident.term_deadline = wanted
                fixed += 1
        session.commit()
        last = incidents[-1].id


def missing_facts(incident: Incident) -> list[str]:
    """Codes of the Art. 33(3) facts the record does not hold yet (see domain.ap_facts)."""
    facts = incident.facts or {}
    profile = profile_from_dict(incident.organisation.profile)
    contact = profile.privacy_contact
    subjects_known = incident.subjects_mode != "unknown" or facts.get("subjects_count") is not None
    return missing_for_ap(
        KnownSoFar(
            breach_types_known=bool(incident.breach_types),
            data_categories_known=bool(
                incident.data_categories or incident.data_other or facts.get("data_classes")
            ),
            subjects_count_known=subjects_known,
            records_count_known=incident.records_count is not None,
            contact_point_known=bool(contact and (contact.email or contact.phone)),
            consequences_known=bool(facts.get("consequences"))
            and facts.get("permanence", "unknown") != "unknown",
            measures_known=bool(incident.containment or incident.containment_details.strip()),
        )
    )
