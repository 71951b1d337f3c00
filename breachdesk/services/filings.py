"""Recording a notification as filed: to the AP or, as processor, to the controller.

Whether the first filing was late is decided when it is recorded, against the deadline as it
stands then, and stored, so that correcting awareness afterwards cannot hide a late filing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ..domain.deadline import Duty, due_at, filed_late
from ..domain.lifecycle import State, TransitionRefused
from ..domain.notices.sheet import changes, has_open_answers, snapshot_digest
from ..domain.problems import FieldProblem
from ..domain.text import N_
from ..domain.webhooks import EventType
from ..models import Incident, Notification, User
from . import audit, reminders, webhook_events
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
FUTURE_PLAY = timedelta(minutes=5)  # a device clock that runs a little fast


def refuse(problems: list[FieldProblem]) -> None:
    """Raise :class:`NotificationError` for the first of ``problems``; return when none."""
    for problem in problems:
        raise NotificationError(problem.field, problem.message)


def notification_problems(
    incident: Incident,
    *,
    submitted_at: datetime | None,
    delay_reason: str | None,
    now: datetime,
    sheet: Mapping[str, Any] | None = None,
    provisional: bool = False,
    confirm_incomplete: bool = False,
) -> list[FieldProblem]:
    """Every problem with recording a filing of ``incident`` submitted at ``submitted_at``,
    each at its form field (``submitted_at``, ``delay_reason``, ``provisional``): in the future
    or before awareness, a supplement before the first filing, a late first filing without
    the reasons for the delay (Art. 33(1) GDPR), a sheet with open answers filed neither
    provisionally nor as it is. None: not known (its rules are skipped). [] while awareness is
    not set (:func:`record_notification` refuses that as a transition). Reads only.
    """
    aware_at = incident.aware_at
    if aware_at is None:
        return []
    problems: list[FieldProblem] = []
    first = first_filing(incident)
    if submitted_at is None:
        pass
    elif submitted_at > now + FUTURE_PLAY:
        problems.append(FieldProblem("submitted_at", N_("This moment lies in the future.")))
    elif submitted_at < aware_at:
        problems.append(
            FieldProblem(
                "submitted_at", N_("The notification cannot precede the moment of awareness.")
            )
        )
    elif (
        first is not None
        and first.submitted_at is not None  # None: imported, date not known
        and submitted_at < first.submitted_at
    ):
        problems.append(
            FieldProblem("submitted_at", N_("A supplement cannot precede the first filing."))
        )
    elif (
        first is None
        and filed_late(due_at(aware_at, term_of(incident)), submitted_at)
        and delay_reason is not None
        and not delay_reason.strip()
    ):
        problems.append(
            FieldProblem(
                "delay_reason",
                N_(
                    "The deadline had passed: give the reasons for the delay; they must "
                    "accompany a late notification (Art. 33(1) GDPR)."
                )
                if duty_of(incident) is Duty.AP
                else N_(
                    "The term of the processing agreement had passed: give the reasons for the "
                    "delay, for the controller and for the register."
                ),
            )
        )
    if sheet is not None and not (provisional or confirm_incomplete) and has_open_answers(sheet):
        problems.append(
            FieldProblem(
                "provisional",
                N_(
                    "Some answers are still open: file provisionally (and supplement later, "
                    "Art. 33(4) GDPR), or confirm that you filed it as it is."
                ),
            )
        )
    return problems


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
    sheet: Mapping[str, Any] | None = None,
    confirm_incomplete: bool = False,
    commit: bool = True,
) -> Notification:
    """Record that the notification (to the AP, or as processor to the controller) was filed.

    The first one is the ``initial`` filing: whether it was late is decided now, against the
    deadline as it stands, and stored. Later ones are supplements. Planned reminders are
    cancelled (re-planning finds nothing left to remind of).

    Raises:
        NotificationError: submitted in the future or before awareness; a supplement before
            the first filing; after the deadline without a reason for the delay (Art. 33(1)
            GDPR); the incident not confirmed as a breach.
        TransitionRefused: the incident is not in a state where a notification belongs.
        StaleEdit: ``seen_filings`` (how many filings the FG's page showed) is no longer the
            number recorded: someone recorded one in the meantime; nothing was saved.

    ``sheet`` is the answer sheet as filed (:func:`~breachdesk.domain.notices.sheet.snapshot`):
    it is frozen on the filing, its digest goes into the audit trail, and a supplement lists
    the questions whose answers changed since the last filed sheet. A sheet with answers still
    open needs ``provisional`` or ``confirm_incomplete``.

    With ``commit=False`` the filing is flushed but not committed: the caller adds what belongs
    with it (the processor's notice as a delivery row) and commits both together.
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
    _lock_filings(session, incident, seen_filings)
    now = clock.now()
    refuse(
        notification_problems(
            incident,
            submitted_at=submitted_at,
            delay_reason=delay_reason,
            now=now,
            sheet=sheet,
            provisional=provisional,
            confirm_incomplete=confirm_incomplete,
        )
    )
    duty = duty_of(incident)
    deadline = due_at(incident.aware_at, term_of(incident))
    initial = first_filing(incident) is None
    late = filed_late(deadline, submitted_at)
    previous = last_filed_sheet(incident)
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
        form_key=str(sheet["form"]) if sheet else "",
        sheet=dict(sheet) if sheet else None,
        sheet_sha256=snapshot_digest(sheet) if sheet else "",
    )
    _add_filing(
        session,
        incident,
        notification,
        actor=actor,
        clock=clock,
        after={
            "addressee": duty.value,
            "kind": notification.kind,
            "submitted_at": submitted_at,
            "reference": notification.reference,
            "provisional": provisional,
            "deadline_at": deadline,
            "late": notification.late,
            "delay_reason": notification.delay_reason,
            "sheet_sha256": notification.sheet_sha256,
            "changed_questions": [c.number for c in changes(previous, sheet)] if sheet else [],
        },
    )
    reminders.replan(session, incident, clock=clock)
    if duty is Duty.AP:
        webhook_events.emit(
            session,
            incident,
            EventType.AP_FILED,
            occurred_at=submitted_at,
            now=now,
            key=(notification.id,),
            data={  # no notes, no delay reasons: free texts stay out of payloads
                "kind": notification.kind,
                "submitted_at": submitted_at,
                "ap_reference": notification.reference,
                "provisional": provisional,
                "late": notification.late,
                "deadline_at": deadline,
            },
        )
    if commit:
        session.commit()
    return notification


def _lock_filings(session: Session, incident: Incident, seen_filings: int | None) -> None:
    """Lock the incident and refuse (StaleEdit) when a filing was recorded since the page
    showed ``seen_filings`` of them."""
    lock_row(session, incident)
    session.refresh(incident, ["notifications"])
    if seen_filings is not None and seen_filings != len(incident.notifications):
        by, at = last_change(session, ("incident", incident.id), FILING_ACTIONS)
        raise StaleEdit(len(incident.notifications), by, at)


def _add_filing(
    session: Session,
    incident: Incident,
    notification: Notification,
    *,
    actor: Actor,
    clock: Clock,
    after: dict[str, Any],
) -> None:
    """Store a filing and its audit event (what was filed, never the personal data)."""
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
        after=after,
    )


def last_filed_sheet(incident: Incident) -> dict[str, Any] | None:
    """The answer sheet of the latest filing that has one (None before the first)."""
    for notification in reversed(incident.notifications):
        if notification.sheet is not None:
            return notification.sheet
    return None


def withdrawal_problems(
    incident: Incident, *, submitted_at: datetime | None, reason: str | None, now: datetime
) -> list[FieldProblem]:
    """Every problem with recording a withdrawal of ``incident``'s notification, each at its
    form field (``reason``, ``submitted_at``): nothing filed or withdrawn already, no reason,
    a moment in the future or before the first filing. None: not known. Reads only."""
    first = first_filing(incident)
    if first is None:
        return [FieldProblem("reason", N_("Nothing has been filed yet, so nothing to withdraw."))]
    if any(n.kind == "withdrawal" for n in incident.notifications):
        return [FieldProblem("reason", N_("This notification was already withdrawn."))]
    problems: list[FieldProblem] = []
    if reason is not None and not reason.strip():
        problems.append(
            FieldProblem(
                "reason", N_("Give the reason for withdrawing (for the AP and for the register).")
            )
        )
    if submitted_at is None:
        pass
    elif submitted_at > now + FUTURE_PLAY:
        problems.append(FieldProblem("submitted_at", N_("This moment lies in the future.")))
    elif first.submitted_at is not None and submitted_at < first.submitted_at:
        problems.append(
            FieldProblem("submitted_at", N_("A withdrawal cannot precede the first filing."))
        )
    return problems


def withdraw_notification(
    session: Session,
    incident: Incident,
    *,
    submitted_at: datetime,
    reason: str,
    reference: str,
    recorded_by: User,
    actor: Actor,
    clock: Clock,
    seen_filings: int | None = None,
) -> Notification:
    """Record that the notification was withdrawn at the AP (intrekking), with its reason.

    Raises:
        NotificationError: no reason given, nothing filed to withdraw, or a moment in the
            future or before the first filing.
        StaleEdit: someone recorded a filing since the page was loaded.
    """
    _lock_filings(session, incident, seen_filings)
    now = clock.now()
    refuse(withdrawal_problems(incident, submitted_at=submitted_at, reason=reason, now=now))
    first = first_filing(incident)
    assert first is not None  # noqa: S101 - withdrawal_problems refuses a withdrawal of nothing
    notification = Notification(
        incident_id=incident.id,
        addressee=first.addressee,
        kind="withdrawal",
        submitted_at=submitted_at,
        reference=reference.strip() or first.reference,
        provisional=False,
        delay_reason="",
        notes="",
        deadline_at=first.deadline_at,
        late=False,
        recorded_by_id=recorded_by.id,
        recorded_at=now,
        withdrawal_reason=reason.strip(),
    )
    _add_filing(
        session,
        incident,
        notification,
        actor=actor,
        clock=clock,
        after={
            "addressee": first.addressee,
            "kind": "withdrawal",
            "submitted_at": submitted_at,
            "reference": notification.reference,
            "reason_sha256": hashlib.sha256(reason.strip().encode("utf-8")).hexdigest(),
        },
    )
    session.commit()
    return notification
