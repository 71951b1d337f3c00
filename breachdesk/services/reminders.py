"""Reminders as rows, and the scheduler's tick that sends the ones that are due.

Planning is derived from the incident: :func:`replan` computes the reminders the incident
should have now (from the moment of awareness, the duty, the decision and any filing),
cancels planned rows that no longer fit and adds the missing ones. Every service that changes
one of those inputs calls it in the same transaction, so the rows always match the incident.

Sending is :func:`tick`; see its docstring for the delivery guarantee.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, scoped_session, selectinload

from ..domain.deadline import Duty
from ..domain.reminders import (
    LATE_AFTER,
    Kind,
    Planned,
    is_late,
    plan_ap,
    plan_processor,
)
from ..domain.roles import Role
from ..mail import Mailer, build_message
from ..models import Incident, Reminder
from . import audit, reminder_mail
from .audit import Actor
from .clock import Clock
from .deadlines import clock_of
from .lease import acquire_lease
from .users import users_with_role

log = logging.getLogger(__name__)

PLANNED, SENDING, SENT, CANCELLED, FAILED = "planned", "sending", "sent", "cancelled", "failed"
#: A row claimed this long ago and still not marked sent is taken to be abandoned (its
#: scheduler died between claiming and finishing) and is sent again.
CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=2)
#: Reminders claimed at once; small enough that a slow mail server cannot hold a batch
#: anywhere near CLAIM_TIMEOUT.
BATCH_SIZE = 100


# --- planning -------------------------------------------------------------------------------


def wanted(incident: Incident, now: datetime) -> list[Planned]:
    """The reminders ``incident`` should have planned at ``now`` (empty when no term runs)."""
    clock = clock_of(incident, now)
    if clock is None or not clock.running:
        return []
    org = incident.organisation
    if clock.duty is Duty.AP:
        return plan_ap(clock.aware_at, clock.deadline, now, org.reminder_offsets)
    return plan_processor(clock.deadline, now, org.processor_hours_before)


def replan(session: Session, incident: Incident, *, clock: Clock) -> None:
    """Make the planned reminder rows of ``incident`` match :func:`wanted` (no commit).

    A planned row stays when an identical one is still wanted; rows no longer wanted are
    cancelled (kept, with the reason); wanted ones that are missing are added. Rows already
    sent are history and are left alone.
    """
    now = clock.now()
    want = {(p.duty.value, p.kind.value, p.label, p.due_at): p for p in wanted(incident, now)}
    existing = session.execute(
        select(Reminder).where(
            Reminder.incident_id == incident.id, Reminder.status.in_([PLANNED, FAILED])
        )
    ).scalars()
    for row in existing:
        key = (row.duty, row.kind, row.label, row.planned_due_at)
        if row.status == PLANNED and key in want:
            del want[key]
        elif row.status == PLANNED:
            row.status = CANCELLED
            row.cancel_reason = "replanned" if want else "not_needed"
    for planned in want.values():
        session.add(
            Reminder(
                organisation_id=incident.organisation_id,
                incident_id=incident.id,
                duty=planned.duty.value,
                kind=planned.kind.value,
                label=planned.label,
                planned_due_at=planned.due_at,
                due_at=planned.due_at,
                status=PLANNED,
                attempts=0,
                recipients=[],
                created_at=now,
            )
        )
    session.flush()


# --- claiming and sending -------------------------------------------------------------------


def claim_due(session: Session, now: datetime, limit: int = 500) -> list[Reminder]:
    """Claim up to ``limit`` due reminders for this caller with one conditional UPDATE.

    The UPDATE only touches rows that are still ``planned`` (or claimed so long ago that the
    claimer must have died), so when two schedulers race for a row exactly one update matches
    it: on PostgreSQL the second waits for the first's row lock and then re-checks the
    condition; on SQLite writers are serialised. Commits the claim before anything is sent.
    """
    token = uuid.uuid4().hex
    due = (
        select(Reminder.id)
        .where(
            or_(
                and_(Reminder.status == PLANNED, Reminder.due_at <= now),
                and_(Reminder.status == SENDING, Reminder.claimed_at < now - CLAIM_TIMEOUT),
            )
        )
        .order_by(Reminder.due_at)
        .limit(limit)
    )
    ids = list(session.execute(due).scalars())
    if not ids:
        session.rollback()
        return []
    session.execute(
        update(Reminder)
        .where(
            Reminder.id.in_(ids),
            or_(
                Reminder.status == PLANNED,
                and_(Reminder.status == SENDING, Reminder.claimed_at < now - CLAIM_TIMEOUT),
            ),
        )
        .values(status=SENDING, claim_token=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return list(
        session.execute(
            select(Reminder)
            .where(Reminder.claim_token == token)
            .options(
                selectinload(Reminder.incident).selectinload(Incident.organisation),
                selectinload(Reminder.incident).selectinload(Incident.decisions),
                selectinload(Reminder.incident).selectinload(Incident.notifications),
            )
            .order_by(Reminder.due_at)
        ).scalars()
    )


@dataclass
class TickResult:
    """What one tick did; ``skipped`` is True when another scheduler holds the lease."""

    skipped: bool = False
    sent: int = 0
    late: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    delays: list[float] = field(default_factory=list)  # seconds from due to handed to SMTP


def staff_addresses(session: Session, organisation_id: int) -> list[str]:
    """The e-mail addresses of the organisation's FG(s), or its administrators if it has none."""
    people = users_with_role(session, organisation_id, Role.FG) or users_with_role(
        session, organisation_id, Role.ADMIN
    )
    return [person.email for person in people]


def recipients_for(
    session: Session, reminder: Reminder, staff: dict[int, list[str]] | None = None
) -> list[str]:
    """The FG(s) (administrators if none) and the deputy; at the deadline also the escalation
    contact. Read when sending, so a change of FG or deputy applies to reminders already planned.
    ``staff`` caches :func:`staff_addresses` per organisation for a batch.
    """
    org = reminder.incident.organisation
    if staff is None or org.id not in staff:
        addresses = staff_addresses(session, org.id)
        if staff is not None:
            staff[org.id] = addresses
    else:
        addresses = staff[org.id]
    addresses = list(addresses)
    if org.deputy_email:
        addresses.append(org.deputy_email)
    if reminder.kind == Kind.ESCALATION.value and org.escalation_email:
        addresses.append(org.escalation_email)
    return list(dict.fromkeys(a.strip().lower() for a in addresses if a.strip()))


def tick(
    session: Session,
    *,
    holder: str,
    clock: Clock,
    mailer: Mailer,
    mail_from: str,
    base_url: str,
    lease: timedelta = timedelta(seconds=90),
    late_after: timedelta = LATE_AFTER,
) -> TickResult:
    """Send every reminder that is due. Idempotent: run it as often as you like.

    Delivery guarantee:

    * **Only one scheduler ticks at a time.** The tick first takes (or renews) a lease row with
      a conditional UPDATE; a scheduler that cannot take it does nothing. A scheduler that
      dies loses the lease when it expires (90 s by default) and another takes over; a
      scheduler that is busy sending renews it as it goes.
    * **No reminder is sent twice by two schedulers.** Even if two ticked at once (a lease
      that expired mid-tick), each reminder row is claimed by a conditional UPDATE from
      ``planned`` to ``sending`` before any mail is sent, and exactly one claim can match.
    * **Nothing falls due unseen.** A reminder that fell due while no scheduler ran is still
      ``planned`` and is sent by the first tick after the restart; its text says that it is
      late and when it fell due.
    * **A failed delivery is retried**, ``MAX_ATTEMPTS`` times, then marked ``failed``, which
      is shown on the incident page and written to the audit trail; never silently dropped.
    * **The one duplicate left is a crash.** If the process dies after the SMTP server accepted
      a message but before that one row was marked ``sent`` (each outcome is committed on its
      own, milliseconds after the send), that row is claimed again
      after ``CLAIM_TIMEOUT`` and sent once more. breachdesk prefers a duplicate reminder to a
      missed deadline.
    """
    now = clock.now()
    result = TickResult()
    if not acquire_lease(session, holder, now, lease):
        result.skipped = True
        return result
    if isinstance(session, scoped_session):  # Flask-SQLAlchemy's proxy: set it on the session
        session = session()
    keep_loaded = session.expire_on_commit
    session.expire_on_commit = False  # send from what was loaded, without reopening a transaction
    try:
        while True:
            batch = claim_due(session, clock.now(), limit=BATCH_SIZE)
            if not batch:
                break
            staff = {
                org_id: staff_addresses(session, org_id)
                for org_id in {r.organisation_id for r in batch}
            }
            session.commit()  # no transaction (on SQLite: no write lock) while mail goes out
            renewed = clock.now()
            for reminder in batch:
                _deliver(
                    session, reminder, clock, mailer, mail_from, base_url, late_after, staff, result
                )
                session.commit()  # each outcome on its own: a crash repeats at most one mail
                if clock.now() - renewed > lease / 3:
                    acquire_lease(session, holder, clock.now(), lease)
                    renewed = clock.now()
            acquire_lease(session, holder, clock.now(), lease)
    finally:
        session.expire_on_commit = keep_loaded
    return result


def _deliver(
    session: Session,
    reminder: Reminder,
    clock: Clock,
    mailer: Mailer,
    mail_from: str,
    base_url: str,
    late_after: timedelta,
    staff: dict[int, list[str]],
    result: TickResult,
) -> None:
    incident = reminder.incident
    now = clock.now()
    current = clock_of(incident, now)
    # replan() keeps planned rows in step with the incident; this only guards against a change
    # committed between the claim and this moment (a notification recorded just now).
    still_wanted = current is not None and current.running and current.duty == reminder.duty
    if not still_wanted:  # the incident moved on after the row was planned
        reminder.status, reminder.cancel_reason = CANCELLED, "not_needed"
        result.cancelled += 1
        return
    recipients = recipients_for(session, reminder, staff)
    late = is_late(reminder.planned_due_at, now, late_after)
    message = build_message(
        sender=mail_from,
        to=recipients,
        subject=reminder_mail.subject(reminder, incident, now),
        text=reminder_mail.text(reminder, incident, now, late, base_url),
        organisation=incident.organisation.slug,
    )
    reminder.attempts += 1
    try:
        if not recipients:
            raise OSError("no recipient: the organisation has no FG, administrator or deputy")
        mailer.send(message)
    except (OSError, smtplib.SMTPException) as exc:
        reminder.last_error = str(exc)[:500]
        if reminder.attempts >= MAX_ATTEMPTS:
            reminder.status = FAILED
            result.failed += 1
            audit.record(
                session,
                clock=clock,
                actor=Actor.system("scheduler"),
                action="reminder.failed",
                entity_type="incident",
                entity_id=incident.id,
                organisation_id=incident.organisation_id,
                after={
                    "reminder": reminder.id,
                    "label": reminder.label,
                    "error": reminder.last_error,
                },
            )
        else:
            reminder.status = PLANNED
            reminder.due_at = now + RETRY_AFTER * reminder.attempts
            result.retried += 1
        log.warning("reminder %s for %s not sent: %s", reminder.id, incident.reference, exc)
        return
    sent_at = clock.now()
    reminder.status, reminder.sent_at, reminder.late = SENT, sent_at, late
    reminder.recipients = recipients
    reminder.last_error = ""
    result.sent += 1
    result.late += int(late)
    result.delays.append((sent_at - reminder.planned_due_at).total_seconds())


def recent_for(session: Session, organisation_ids: list[int], since: datetime) -> list[Reminder]:
    """Reminders sent (or failed) since ``since``: the in-app list in the FG's inbox."""
    if not organisation_ids:
        return []
    return list(
        session.execute(
            select(Reminder)
            .where(
                Reminder.organisation_id.in_(organisation_ids),
                or_(
                    and_(Reminder.status == SENT, Reminder.sent_at >= since),
                    Reminder.status == FAILED,
                ),
            )
            .options(selectinload(Reminder.incident))
            .order_by(Reminder.sent_at.desc())
            .limit(20)
        ).scalars()
    )


def rows_of(session: Session, incident: Incident) -> list[Reminder]:
    """The incident's reminders, planned and past, for its page (cancelled ones left out)."""
    return list(
        session.execute(
            select(Reminder)
            .where(Reminder.incident_id == incident.id, Reminder.status != CANCELLED)
            .order_by(Reminder.planned_due_at, Reminder.id)
        ).scalars()
    )
