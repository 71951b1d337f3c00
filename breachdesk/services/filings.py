"""Recording a notification as filed: to the AP or, as processor, to the controller.

Whether the first filing was late is decided when it is recorded, against the deadline as it
stands then, and stored, so that correcting awareness afterwards cannot hide a late filing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..domain.deadline import Duty, due_at, filed_late
from ..domain.lifecycle import State, TransitionRefused
from ..domain.text import N_
from ..models import Incident, Notification, User
from . import audit, reminders
from .audit import Actor
from .clock import Clock
from .deadlines import duty_of, first_filing, term_of
from .versioning import StaleEdit, last_change, lock_row

FILING_ACTIONS = ("incident.notification_recorded",)


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
    seen_filings: int | None = None,
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
        StaleEdit: ``seen_filings`` (how many filings the FG's page showed) is no longer the
            number recorded: someone recorded one in the meantime; nothing was saved.
    """
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
    lock_row(session, incident)
    session.refresh(incident, ["notifications"])
    if seen_filings is not None and seen_filings != len(incident.notifications):
        by, at = last_change(session, ("incident", incident.id), FILING_ACTIONS)
        raise StaleEdit(len(incident.notifications), by, at)
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
