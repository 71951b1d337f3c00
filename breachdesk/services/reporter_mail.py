"""Mail between the FG and the person who reported: Dutch first, English second, one message.

* the **confirmation** to someone who reported through a reporting link and gave an e-mail
  address: the reference and their private follow-up link;
* the FG's **question** to the reporter (the question itself, and where to answer: the
  follow-up link, or breachdesk for a reporter with an account);
* to the FG, when the reporter **answered or added** something (no content: what the reporter
  wrote may hold the personal data that leaked, so it stays in breachdesk).

Each is a delivery row written in the transaction of the change it reports on; the handlers
below write the message when the scheduler sends it. The follow-up link is derived from the
installation's secret when sending (see ``reporting_links``), never stored in the row; a
mail carrying it is personal (``Outgoing.personal``): not filed in the organisation's outbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..domain.delivery import Kind
from ..domain.formatting import long_datetime
from ..domain.text import single_line
from ..models import Delivery, Incident, IncidentMessage
from .delivery import Outgoing, SendContext, Skip, enqueue
from .organisations import profile_of
from .reminders import staff_addresses
from .reporting_links import followup_token


def _about(
    session: Session, incident: Incident, kind: Kind, moment: datetime, payload: dict[str, int]
) -> Delivery:
    """One mail row about ``incident`` of ``kind``, due at once (no commit)."""
    return enqueue(
        session,
        kind=kind,
        due_at=moment,
        now=moment,
        organisation_id=incident.organisation_id,
        incident_id=incident.id,
        label=kind.value,
        payload=payload,
    )


def enqueue_confirmation(session: Session, incident: Incident) -> Delivery:
    return _about(session, incident, Kind.REPORT_CONFIRMATION, incident.reported_at, {})


def enqueue_question(session: Session, incident: Incident, message: IncidentMessage) -> Delivery:
    payload = {"message_id": message.id}
    return _about(session, incident, Kind.REPORTER_QUESTION, message.created_at, payload)


def enqueue_reply(session: Session, incident: Incident, message: IncidentMessage) -> Delivery:
    payload = {"message_id": message.id}
    return _about(session, incident, Kind.REPORTER_REPLY, message.created_at, payload)


def reporter_address(incident: Incident) -> str | None:
    """Where mail to the reporter goes: their account, or the address they gave."""
    if incident.reporter is not None:
        return incident.reporter.email
    return incident.reporter_email.strip() or None


def _where_to_answer(incident: Incident, context: SendContext) -> str | None:
    if incident.reporter is not None:
        return context.link(f"incidents/{incident.id}")
    if not context.secret_key:
        # A link signed without the installation's key would not open: fail the row (it is
        # shown and retried) rather than send a dead link.
        raise RuntimeError("no secret key to sign the follow-up link")
    token = followup_token(context.secret_key, incident)
    return context.link(f"volg/{token}") if token else None


def _is_followup_link(incident: Incident) -> bool:
    """Whether the mail's link is the reporter's private follow-up link: whoever holds it adds
    information and answers in the reporter's name, so the organisation's administrators must
    not read it in the outbox (they see the report itself on the incident page anyway)."""
    return incident.reporter is None


def _contact_lines(incident: Incident) -> tuple[str, str]:
    contact = profile_of(incident.organisation).privacy_contact
    parts = [p for p in (contact.name, contact.email, contact.phone) if p]
    joined = ", ".join(single_line(p) for p in parts)
    return (
        f"Vragen? Neem contact op met de privacyfunctionaris: {joined}." if joined else "",
        f"Questions? Contact the privacy officer: {joined}." if joined else "",
    )


def prepare_confirmation(session: Session, row: Delivery, context: SendContext) -> Outgoing | Skip:
    incident = row.incident
    if incident is None:
        return Skip("no_incident")
    to = reporter_address(incident)
    link = _where_to_answer(incident, context)
    if to is None or link is None:
        return Skip("no_address")
    name = single_line(incident.organisation.name)
    received_nl = long_datetime(incident.reported_at, "nl")
    received_en = long_datetime(incident.reported_at, "en")
    contact_nl, contact_en = _contact_lines(incident)
    text = f"""\
Bedankt voor je melding bij {name}. De privacyfunctionaris heeft je melding ontvangen en
bekijkt zo snel mogelijk of het om een datalek gaat.

  Kenmerk:     {incident.reference}
  Ontvangen:   {received_nl} (Nederlandse tijd)

Met deze persoonlijke link kun je later informatie of bestanden toevoegen en vragen van de
privacyfunctionaris beantwoorden:

  {link}

Deel deze link niet: wie hem heeft, kan je melding lezen en aanvullen.
{contact_nl}

-- English --

Thank you for your report to {name}. The privacy officer has received it and will assess as
soon as possible whether it is a personal-data breach.

  Reference:   {incident.reference}
  Received:    {received_en} (Amsterdam time)

With this personal link you can add information or files later and answer the privacy
officer's questions:

  {link}

Do not share this link: whoever has it can read and add to your report.
{contact_en}

--
breachdesk
"""
    return Outgoing(
        recipients=[to],
        subject=f"[{incident.reference}] Je melding is ontvangen / Your report was received",
        text=text,
        reply_to=profile_of(incident.organisation).privacy_contact.email or None,
        personal=_is_followup_link(incident),
    )


def _message(session: Session, row: Delivery) -> IncidentMessage | None:
    message_id = row.payload.get("message_id")
    return session.get(IncidentMessage, message_id) if isinstance(message_id, int) else None


def prepare_question(session: Session, row: Delivery, context: SendContext) -> Outgoing | Skip:
    incident = row.incident
    message = _message(session, row)
    if incident is None or message is None:
        return Skip("no_incident")
    if message.answered_at is not None:
        return Skip("answered")
    to = reporter_address(incident)
    link = _where_to_answer(incident, context)
    if to is None or link is None:
        return Skip("no_address")
    name = single_line(incident.organisation.name)
    question = "\n".join(f"  {line}" for line in message.body.strip().splitlines())
    contact_nl, contact_en = _contact_lines(incident)
    text = f"""\
De privacyfunctionaris van {name} heeft een vraag over je melding {incident.reference}:

{question}

Beantwoord de vraag via deze link (een antwoord op deze e-mail komt niet in het dossier):

  {link}

{contact_nl}

-- English --

The privacy officer of {name} has a question about your report {incident.reference}:

{question}

Please answer through this link (a reply to this e-mail does not reach the case file):

  {link}

{contact_en}

--
breachdesk
"""
    return Outgoing(
        recipients=[to],
        subject=f"[{incident.reference}] Vraag over je melding / A question about your report",
        text=text,
        reply_to=profile_of(incident.organisation).privacy_contact.email or None,
        personal=_is_followup_link(incident),
    )


def prepare_reply(session: Session, row: Delivery, context: SendContext) -> Outgoing | Skip:
    incident = row.incident
    message = _message(session, row)
    if incident is None or message is None:
        return Skip("no_incident")
    recipients = staff_addresses(session, incident.organisation_id)
    if not recipients:
        return Skip("no_address")
    link = context.link(f"incidents/{incident.id}#conversation")
    if message.kind == "answer":
        nl, en = "heeft uw vraag beantwoord", "answered your question"
    else:
        nl, en = "heeft informatie toegevoegd", "added information"
    text = f"""\
De melder van {incident.reference} {nl}. Lees het in breachdesk:

  {link}

-- English --

The reporter of {incident.reference} {en}. Read it in breachdesk:

  {link}

--
breachdesk
"""
    return Outgoing(
        recipients=recipients,
        subject=f"[{incident.reference}] Reactie van de melder / The reporter replied",
        text=text,
    )
