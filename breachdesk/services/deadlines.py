"""The clock of an incident as the FG sees it, and recording a filed notification.

The status is derived here every time it is read (never stored by a job): from the current
moment of awareness, the FG's decision and the first filing. Which duty applies depends on the
organisation's role for the data: as controller it notifies the AP within 72 hours; as
processor it informs the controller within the contractual term (Art. 33(2) GDPR).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.ap_facts import KnownSoFar, missing_for_ap
from ..domain.deadline import (
    NOTIFICATION_TERM,
    RUNNING_STATUSES,
    DeadlineStatus,
    Duty,
    Filing,
    deadline_status,
    due_at,
    filed_late,
)
from ..domain.lifecycle import State, TransitionRefused
from ..domain.profile import profile_from_dict
from ..domain.reminders import check_offsets
from ..domain.text import N_
from ..models import Incident, Notification, Organisation, User
from . import audit
from .audit import Actor
from .clock import Clock


@dataclass(frozen=True)
class IncidentClock:
    """Everything the pages and reminders show about an incident's term."""

    duty: Duty
    aware_at: datetime
    deadline: datetime
    status: DeadlineStatus
    term: timedelta
    first_filing: Notification | None = field(default=None, compare=False)

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATUSES

    def time_left(self, now: datetime) -> timedelta:
        return self.deadline - now


def duty_of(incident: Incident) -> Duty:
    return Duty.CONTROLLER if incident.our_role == "processor" else Duty.AP


def term_of(incident: Incident) -> timedelta:
    if duty_of(incident) is Duty.CONTROLLER:
        return timedelta(hours=incident.organisation.processor_term_hours)
    return NOTIFICATION_TERM


def notification_required(incident: Incident) -> bool:
    """False when no notification is owed: not a breach, or (as controller) register only."""
    if incident.state == State.NOT_A_BREACH.value:
        return False
    if duty_of(incident) is Duty.CONTROLLER:
        return True  # a processor does not weigh the risk: it tells the controller (Art. 33(2))
    decision = incident.decisions[-1] if incident.decisions else None
    return decision is None or decision.notify_ap


def first_filing(incident: Incident) -> Notification | None:
    duty = duty_of(incident)
    for notification in incident.notifications:
        if notification.addressee == duty.value:
            return notification
    return None


def clock_of(incident: Incident, now: datetime) -> IncidentClock | None:
    """The incident's term at ``now``; None until the moment of awareness is recorded."""
    if incident.aware_at is None:
        return None
    term = term_of(incident)
    deadline = due_at(incident.aware_at, term)
    filing = first_filing(incident)
    status = deadline_status(
        deadline,
        now,
        required=notification_required(incident),
        first_filing=Filing(filing.submitted_at, filing.late) if filing else None,
    )
    return IncidentClock(duty_of(incident), incident.aware_at, deadline, status, term, filing)


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


class NotificationError(ValueError):
    """A notification that cannot be recorded; ``field`` names the form field concerned."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


KINDS = ("initial", "supplement", "withdrawal")


def record_notification(
    session: Session,
    incident: Incident,
    *,
    submitted_at: datetime,
    reference: str,
    provisional: bool,
    delay_reason: str,
    notes: str,
    recorded_by: User,
    actor: Actor,
    clock: Clock,
) -> Notification:
    """Record that the notification (to the AP, or as processor to the controller) was filed.

    The first one is the ``initial`` filing: whether it was late is decided now, against the
    deadline as it stands, and stored. Later ones are supplements. Planned reminders are
    cancelled (re-planning finds nothing left to remind of).

    Raises:
        NotificationError: submitted in the future or before awareness; after the deadline
            without a reason for the delay (Art. 33(1) GDPR); the incident not confirmed as a
            breach.
        TransitionRefused: the incident is not in a state where a notification belongs.
    """
    from . import reminders  # reminders reads the clock from this module

    if (
        incident.state
        not in (
            State.BREACH_CONFIRMED.value,
            State.ASSESSED.value,
            State.DECIDED.value,
            State.CLOSED.value,
        )
        or incident.aware_at is None
    ):
        raise TransitionRefused(
            N_("A notification can be recorded once the breach is confirmed and awareness is set.")
        )
    now = clock.now()
    if submitted_at > now + timedelta(minutes=5):
        raise NotificationError("submitted_at", N_("This moment lies in the future."))
    if submitted_at < incident.aware_at:
        raise NotificationError(
            "submitted_at", N_("The notification cannot precede the moment of awareness.")
        )
    duty = duty_of(incident)
    deadline = due_at(incident.aware_at, term_of(incident))
    initial = first_filing(incident) is None
    late = filed_late(deadline, submitted_at)
    if initial and late and not delay_reason.strip():
        raise NotificationError(
            "delay_reason",
            N_(
                "The deadline had passed: give the reasons for the delay; they must accompany "
                "a late notification (Art. 33(1) GDPR)."
            )
            if duty is Duty.AP
            else N_(
                "The term of the processing agreement had passed: give the reasons for the "
                "delay, for the controller and for the register."
            ),
        )
    notification = Notification(
        incident_id=incident.id,
        addressee=duty.value,
        kind="initial" if initial else "supplement",
        submitted_at=submitted_at,
        reference=reference.strip(),
        provisional=provisional,
        delay_reason=delay_reason.strip(),
        notes=notes.strip(),
        deadline_at=deadline,
        late=late if initial else False,
        recorded_by_id=recorded_by.id,
        recorded_at=now,
    )
    session.add(notification)
    session.flush()
    session.refresh(incident, ["notifications"])
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.notification_recorded",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={
            "addressee": duty.value,
            "kind": notification.kind,
            "submitted_at": submitted_at,
            "reference": notification.reference,
            "provisional": provisional,
            "deadline_at": deadline,
            "late": notification.late,
            "delay_reason": notification.delay_reason,
        },
    )
    reminders.replan(session, incident, clock=clock)
    session.commit()
    return notification


@dataclass(frozen=True)
class ClockSettings:
    """An organisation's reminder settings (see Organisation in models/accounts.py)."""

    reminder_offsets: tuple[int, ...]
    deputy_email: str
    escalation_name: str
    escalation_email: str
    processor_term_hours: int
    processor_hours_before: tuple[int, ...]

    @classmethod
    def of(cls, organisation: Organisation) -> ClockSettings:
        return cls(
            tuple(organisation.reminder_offsets),
            organisation.deputy_email,
            organisation.escalation_name,
            organisation.escalation_email,
            organisation.processor_term_hours,
            tuple(organisation.processor_hours_before),
        )


class SettingsError(ValueError):
    """Settings that cannot be used; ``problems`` maps form field to (message, params)."""

    def __init__(self, problems: dict[str, tuple[str, dict[str, int]]]) -> None:
        super().__init__("; ".join(message % params for message, params in problems.values()))
        self.problems = problems


def save_clock_settings(
    session: Session,
    organisation: Organisation,
    settings: ClockSettings,
    *,
    actor: Actor,
    clock: Clock,
) -> bool:
    """Store the settings and re-plan the reminders of every running incident; audited.

    Returns False when nothing changed.

    Raises:
        SettingsError: reminder hours outside the term or repeated, or a term of no hours.
    """
    from . import reminders

    problems: dict[str, tuple[str, dict[str, int]]] = {}
    if offset_problems := check_offsets(settings.reminder_offsets, 72):
        problems["reminder_offsets"] = offset_problems[0]
    if not 1 <= settings.processor_term_hours <= 24 * 14:
        problems["processor_term_hours"] = (N_("Give a term between 1 and 336 hours."), {})
    elif before := check_offsets(settings.processor_hours_before, settings.processor_term_hours):
        problems["processor_hours_before"] = before[0]
    if problems:
        raise SettingsError(problems)
    before_settings = ClockSettings.of(organisation)
    if before_settings == settings:
        return False
    organisation.reminder_offsets = sorted(settings.reminder_offsets)
    organisation.deputy_email = settings.deputy_email.strip()
    organisation.escalation_name = settings.escalation_name.strip()
    organisation.escalation_email = settings.escalation_email.strip()
    organisation.processor_term_hours = settings.processor_term_hours
    organisation.processor_hours_before = sorted(settings.processor_hours_before, reverse=True)
    organisation.updated_at = clock.now()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="organisation.clock_settings_changed",
        entity_type="organisation",
        entity_id=organisation.id,
        organisation_id=organisation.id,
        before=asdict(before_settings),
        after=asdict(ClockSettings.of(organisation)),
    )
    running = session.execute(
        select(Incident).where(
            Incident.organisation_id == organisation.id,
            Incident.aware_at.is_not(None),
            Incident.state.in_(
                [State.BREACH_CONFIRMED.value, State.ASSESSED.value, State.DECIDED.value]
            ),
        )
    ).scalars()
    for incident in running:
        reminders.replan(session, incident, clock=clock)
    session.commit()
    return True
