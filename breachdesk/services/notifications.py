"""E-mails breachdesk sends about incidents. Dutch first, English second, in one message.

Sending happens after the change it reports on is committed: a mail server that is down must
never cost a report. A failed send is logged and written to the audit trail so it is seen.
"""

from __future__ import annotations

import logging
import smtplib

from sqlalchemy.orm import Session

from ..domain.roles import Role
from ..domain.timeutil import utc_to_local
from ..mail import Mailer, build_message
from ..models import Incident, Organisation
from . import audit
from .audit import Actor
from .clock import Clock
from .users import users_with_role

log = logging.getLogger(__name__)


def _new_report_text(incident: Incident, organisation: Organisation, link: str) -> str:
    reported = utc_to_local(incident.reported_at).strftime("%d-%m-%Y %H:%M")
    discovered = utc_to_local(incident.discovered_at).strftime("%d-%m-%Y %H:%M")
    return f"""\
Er is een nieuw incident gemeld bij {organisation.name}.

  Referentie:  {incident.reference}
  Titel:       {incident.title}
  Gemeld:      {reported} (Nederlandse tijd)
  Ontdekt:     {discovered} (Nederlandse tijd)

Beoordeel zo snel mogelijk of het een datalek is. Als de organisatie er met redelijke
zekerheid van op de hoogte is dat persoonsgegevens zijn getroffen, begint de termijn van
72 uur om het datalek bij de Autoriteit Persoonsgegevens te melden.

Bekijk het incident: {link}

-- English --

A new incident was reported at {organisation.name}.

  Reference:   {incident.reference}
  Title:       {incident.title}
  Reported:    {reported} (Amsterdam time)
  Discovered:  {discovered} (Amsterdam time)

Please assess as soon as possible whether this is a personal-data breach. Once the
organisation is reasonably certain that personal data were compromised, the 72 hours to
notify the Autoriteit Persoonsgegevens start.

Open the incident: {link}

--
breachdesk
"""


def new_report(
    session: Session,
    incident: Incident,
    *,
    clock: Clock,
    mailer: Mailer,
    mail_from: str,
    base_url: str,
) -> int:
    """E-mail the organisation's FG(s) (administrators if it has none); returns messages sent."""
    organisation = incident.organisation
    recipients = users_with_role(session, organisation.id, Role.FG) or users_with_role(
        session, organisation.id, Role.ADMIN
    )
    link = f"{base_url.rstrip('/')}/incidents/{incident.id}"
    subject = f"[{incident.reference}] Nieuw incident gemeld / New incident reported"
    sent = 0
    for person in recipients:
        message = build_message(
            sender=mail_from,
            to=[person.email],
            subject=subject,
            text=_new_report_text(incident, organisation, link),
            organisation=organisation.slug,
        )
        try:
            mailer.send(message)
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            log.exception("could not e-mail %s about %s", person.email, incident.reference)
            audit.record(
                session,
                clock=clock,
                actor=Actor.system("mail"),
                action="mail.failed",
                entity_type="incident",
                entity_id=incident.id,
                organisation_id=organisation.id,
                after={"to": person.email, "subject": subject, "error": str(exc)[:500]},
            )
            session.commit()
    if not recipients:
        log.warning("%s has no FG or administrator to notify", organisation.slug)
    return sent
