"""Reminders and escalations of a running term: planned as delivery rows, written at sending.

Planning is derived from the incident: :func:`replan` computes the reminders the incident
should have now (from the moment of awareness, the duty, the decision and any filing),
cancels planned rows that no longer fit and adds the missing ones. Every service that changes
one of those inputs calls it in the same transaction, so the rows always match the incident.
It only ever touches rows of the kinds ``reminder`` and ``escalation``.

Sending is the delivery engine's (:mod:`breachdesk.services.delivery`); :func:`prepare` is
the handler it calls for these kinds, and decides at that moment whether the reminder is
still needed and who receives it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.deadline import Duty
from ..domain.delivery import Kind, Status
from ..domain.reminders import Planned, plan_ap, plan_processor
from ..domain.roles import Role
from ..models import Delivery, Incident
from . import reminder_mail, webhook_events
from .clock import Clock
from .deadlines import clock_of, running_deadline
from .delivery import Outgoing, SendContext, Skip, enqueue
from .memberships import users_with_role

KINDS = (Kind.REMINDER.value, Kind.ESCALATION.value)


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
    sent are history and are left alone, and so are rows of other kinds (the webhook
    events of the deadline are re-planned alongside, by their own module). It also keeps
    ``incident.term_deadline`` (the running term's deadline, for lists and counts in SQL) in
    step with the same inputs.
    """
    now = clock.now()
    incident.term_deadline = running_deadline(incident)
    want = {(p.duty.value, p.kind.value, p.label, p.due_at): p for p in wanted(incident, now)}
    existing = session.execute(
        select(Delivery).where(
            Delivery.incident_id == incident.id,
            Delivery.kind.in_(KINDS),
            Delivery.status == Status.PLANNED.value,
        )
    ).scalars()
    for row in existing:
        key = (row.duty, row.kind, row.label, row.planned_due_at)
        if key in want:
            del want[key]
        else:
            row.status = Status.CANCELLED.value
            row.cancel_reason = "replanned" if want else "not_needed"
    escalated = _escalated_duties(session, incident) if want else set()
    for planned in want.values():
        if (
            planned.kind is Kind.ESCALATION
            and planned.due_at <= now
            and planned.duty.value in escalated
        ):
            # Already escalated, and the deadline is still past: the same missed term. (A
            # settings change or an awareness correction re-planned it, and the escalation
            # contact got "TERMIJN VERSTREKEN" again each time: found by exploratory
            # testing.) A deadline moved into the future escalates again when it passes.
            continue
        enqueue(
            session,
            kind=planned.kind,
            due_at=planned.due_at,
            now=now,
            organisation_id=incident.organisation_id,
            incident_id=incident.id,
            label=planned.label,
            duty=planned.duty.value,
        )
    webhook_events.replan_deadline(session, incident, now=now)
    session.flush()


def _escalated_duties(session: Session, incident: Incident) -> set[str]:
    """The duties (ap, controller) whose missed term was escalated for ``incident``."""
    duties = session.execute(
        select(Delivery.duty).where(
            Delivery.incident_id == incident.id,
            Delivery.kind == Kind.ESCALATION.value,
            Delivery.status.in_((Status.SENT.value, Status.SENDING.value)),
        )
    ).scalars()
    return {duty for duty in duties if duty}


def staff_addresses(session: Session, organisation_id: int) -> list[str]:
    """The e-mail addresses of the organisation's FG(s), or its administrators if it has none."""
    people = users_with_role(session, organisation_id, Role.FG) or users_with_role(
        session, organisation_id, Role.ADMIN
    )
    return [person.email for person in people]


def recipients_for(
    session: Session, row: Delivery, incident: Incident, cache: dict[object, object]
) -> list[str]:
    """The FG(s) (administrators if none) and the deputy; at the deadline also the escalation
    contact. Read when sending, so a change of FG or deputy applies to reminders already planned.
    ``cache`` keeps :func:`staff_addresses` per organisation for one batch.
    """
    org = incident.organisation
    key = ("staff", org.id)
    if key not in cache:
        cache[key] = staff_addresses(session, org.id)
    addresses = list(cache[key])  # type: ignore[call-overload]
    if org.deputy_email:
        addresses.append(org.deputy_email)
    if row.kind == Kind.ESCALATION.value and org.escalation_email:
        addresses.append(org.escalation_email)
    return list(dict.fromkeys(a.strip().lower() for a in addresses if a.strip()))


def prepare(session: Session, row: Delivery, context: SendContext) -> Outgoing | Skip:
    """The delivery handler for reminders and escalations."""
    incident = row.incident
    if incident is None:
        return Skip("no_incident")
    current = clock_of(incident, context.now)
    # replan() keeps planned rows in step with the incident; this only guards against a change
    # committed between the claim and this moment (a notification recorded just now).
    if current is None or not current.running or current.duty != row.duty:
        return Skip("not_needed")
    return Outgoing(
        recipients=recipients_for(session, row, incident, context.cache),
        subject=reminder_mail.subject(row, incident, context.now),
        text=reminder_mail.text(row, incident, context.now, context.late, context.base_url),
    )
