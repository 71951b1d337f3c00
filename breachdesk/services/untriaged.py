"""Reports nobody has triaged: a reminder to the FG and the deputy, then an escalation.

Both rows are written with the report (:func:`plan_chase`), due as ``domain/untriaged.py`` plans
them from the organisation's office hours. Once the FG has looked at the report (it left the
state ``reported``), :func:`settle` cancels what is still planned — every service change goes
through ``workflow.commit``, which calls it — and the handler checks again when sending, so a
report triaged a second before its reminder never sends one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.delivery import Kind, Status
from ..domain.formatting import long_datetime
from ..domain.lifecycle import State
from ..domain.text import single_line
from ..domain.untriaged import OfficeHours, plan
from ..models import Delivery, Incident, Organisation
from . import delivery
from .delivery import Outgoing, SendContext, Skip
from .reminders import staff_addresses

KINDS = (Kind.UNTRIAGED_REMINDER.value, Kind.UNTRIAGED_ESCALATION.value)


def office_hours(organisation: Organisation) -> OfficeHours:
    return OfficeHours.parse(
        organisation.office_days, organisation.office_start_hour, organisation.office_end_hour
    )


def plan_chase(session: Session, incident: Incident, organisation: Organisation) -> None:
    """Plan the reminder and the escalation of a new report (no commit)."""
    due = plan(
        incident.reported_at, office_hours(organisation), organisation.untriaged_office_hours
    )
    for kind, at in (
        (Kind.UNTRIAGED_REMINDER, due.remind_at),
        (Kind.UNTRIAGED_ESCALATION, due.escalate_at),
    ):
        _enqueue_row(session, incident, kind, at)


def _enqueue_row(session: Session, incident: Incident, kind: Kind, at: datetime) -> None:
    delivery.enqueue(
        session,
        kind=kind,
        due_at=at,
        now=incident.reported_at,
        organisation_id=incident.organisation_id,
        incident_id=incident.id,
        label=kind.value,
    )


def settle(session: Session, incident: Incident) -> int:
    """Cancel the planned untriaged rows of ``incident`` once it is triaged (no commit)."""
    if incident.state == State.REPORTED.value:
        return 0
    count = 0
    for row in session.execute(
        select(Delivery).where(
            Delivery.incident_id == incident.id,
            Delivery.kind.in_(KINDS),
            Delivery.status.in_((Status.PLANNED.value, Status.HELD.value)),
        )
    ).scalars():
        row.status = Status.CANCELLED.value
        row.cancel_reason = "triaged"
        count += 1
    return count


def prepare(session: Session, row: Delivery, context: SendContext) -> Outgoing | Skip:
    """The handler of both kinds: FG(s) and deputy; the escalation contact at escalation."""
    incident = row.incident
    if incident is None:
        return Skip("no_incident")
    if incident.state != State.REPORTED.value:
        return Skip("triaged")
    organisation = incident.organisation
    recipients = staff_addresses(session, organisation.id)
    for extra in (
        organisation.deputy_email,
        organisation.escalation_email if row.kind == Kind.UNTRIAGED_ESCALATION.value else "",
    ):
        if extra.strip():
            recipients.append(extra.strip())
    recipients = list(dict.fromkeys(r.strip().lower() for r in recipients if r.strip()))
    if not recipients:
        return Skip("no_address")
    escalation = row.kind == Kind.UNTRIAGED_ESCALATION.value
    reported_nl = long_datetime(incident.reported_at, "nl")
    reported_en = long_datetime(incident.reported_at, "en")
    waited = context.now - incident.reported_at
    hours = int(waited.total_seconds() // 3600)
    title = f"“{single_line(incident.title)}”"
    link = context.link(f"incidents/{incident.id}")
    if escalation:
        subject = (
            f"[{incident.reference}] ESCALATIE: melding nog niet beoordeeld / "
            "ESCALATION: report not yet triaged"
        )
        lead_nl = "ESCALATIE. Deze melding is nog steeds niet beoordeeld."
        lead_en = "ESCALATION. This report has still not been triaged."
    else:
        subject = f"[{incident.reference}] Melding wacht op beoordeling / Report waiting for triage"
        lead_nl = "Deze melding wacht op beoordeling."
        lead_en = "This report is waiting for triage."
    text = f"""\
{lead_nl}

  Kenmerk:     {incident.reference}
  Titel:       {title}
  Gemeld:      {reported_nl} (Nederlandse tijd), {hours} uur geleden

Als het een datalek is waarvan de organisatie al op de hoogte is, loopt de termijn van 72 uur
om het bij de Autoriteit Persoonsgegevens te melden misschien al. Beoordeel de melding nu:

  {link}

-- English --

{lead_en}

  Reference:   {incident.reference}
  Title:       {title}
  Reported:    {reported_en} (Amsterdam time), {hours} hours ago

If it is a breach the organisation is already aware of, the 72 hours to notify the Autoriteit
Persoonsgegevens may be running. Please triage it now:

  {link}

--
breachdesk
"""
    return Outgoing(recipients=recipients, subject=subject, text=text)
