"""The FG's e-mail about a new report. Dutch first, English second, in one message.

The mail is a delivery row written in the same transaction as the report
(:func:`enqueue_new_report`), so a mail server that is down can never cost a report and the
mail goes out — retried like every delivery — once the server is back. :func:`prepare` is the
delivery handler that writes it when it is sent.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..domain.delivery import Kind
from ..domain.formatting import long_datetime
from ..domain.text import single_line
from ..models import Delivery, Incident, Organisation
from .delivery import Outgoing, SendContext, Skip, enqueue
from .reminders import staff_addresses


def enqueue_new_report(session: Session, incident: Incident) -> Delivery:
    """Plan the FG's mail about ``incident``, due at once (no commit)."""
    return enqueue(
        session,
        kind=Kind.NEW_REPORT,
        due_at=incident.reported_at,
        now=incident.reported_at,
        organisation_id=incident.organisation_id,
        incident_id=incident.id,
        label="new_report",
    )


def _new_report_text(incident: Incident, organisation: Organisation, link: str) -> str:
    reported, discovered = incident.reported_at, incident.discovered_at
    name = single_line(organisation.name)
    end = "" if name.endswith(".") else "."  # "… De Vries B.V." ends the sentence itself
    title = f"“{single_line(incident.title)}”"
    # The description stays in breachdesk: it may hold the personal data that leaked.
    return f"""\
Er is een nieuw incident gemeld bij {name}{end}

  Kenmerk:     {incident.reference}
  Titel:       {title}
  Gemeld:      {long_datetime(reported, "nl")} (Nederlandse tijd)
  Ontdekt:     {long_datetime(discovered, "nl")} (Nederlandse tijd)

Beoordeel zo snel mogelijk of het een datalek is. Als de organisatie er met redelijke
zekerheid van op de hoogte is dat persoonsgegevens zijn getroffen, begint de termijn van
72 uur om het datalek bij de Autoriteit Persoonsgegevens te melden.

Open het incident: {link}

-- English --

A new incident was reported at {name}{end}

  Reference:   {incident.reference}
  Title:       {title}
  Reported:    {long_datetime(reported, "en")} (Amsterdam time)
  Discovered:  {long_datetime(discovered, "en")} (Amsterdam time)

Please assess as soon as possible whether this is a personal-data breach. Once the
organisation is reasonably certain that personal data were compromised, the 72 hours to
notify the Autoriteit Persoonsgegevens start.

Open the incident: {link}

--
breachdesk
"""


def prepare(session: Session, row: Delivery, context: SendContext) -> Outgoing | Skip:
    """The delivery handler for new-report mails: to the FG(s) (administrators if none) and
    the deputy."""
    incident = row.incident
    if incident is None:
        return Skip("no_incident")
    organisation = incident.organisation
    # The deputy is copied: a report may have its 72 hours running while the FG is away.
    recipients = staff_addresses(session, organisation.id)
    if organisation.deputy_email.strip():
        recipients = list(dict.fromkeys([*recipients, organisation.deputy_email.strip().lower()]))
    return Outgoing(
        recipients=recipients,
        subject=f"[{incident.reference}] Nieuw incident gemeld / New incident reported",
        text=_new_report_text(incident, organisation, context.link(f"incidents/{incident.id}")),
    )
