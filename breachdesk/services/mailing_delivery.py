"""The delivery handler of a mailing: the message one person receives.

It renders the approved version of the notice for that person (merge fields filled in) and
refuses to send a version whose digest no longer matches what was approved. What a batch of
rows shares (the mailing, the notice prepared for rendering, the people of the batch, the
organisation's reply-to address) is loaded once per batch, not once per row.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.notices.people_batch import PreparedNotice
from ..domain.notices.people_notice import MergePerson
from ..models import Delivery, Incident, Mailing, PeopleNotice, Recipient
from .delivery import Hold, Outgoing, SendContext, Skip
from .notice_templates import environment
from .organisations import profile_of
from .people_notices import organisation_name_of, verified


def prepare(session: Session, row: Delivery, context: SendContext) -> Outgoing | Skip | Hold:
    """The message for one person: the approved notice, merged with their name and data."""
    mailing = _cached(
        context, ("mailing", row.mailing_id), lambda: session.get(Mailing, row.mailing_id)
    )
    status = _status(session, context, row.mailing_id)
    if mailing is None or status == "cancelled":
        return Skip("mailing_cancelled")
    if status == "paused":
        return Hold()  # paused while this batch was claimed: wait for "resume"
    notice: PeopleNotice = _cached(context, ("notice", mailing.notice_id), lambda: mailing.notice)
    if not _cached(context, ("verified", notice.id), lambda: verified(notice)):
        raise RuntimeError("the approved notice no longer matches its digest; not sent")
    people = _cached(context, ("people", row.claim_token), lambda: _batch_people(session, row))
    person = people.get(row.recipient_id or 0)
    if person is None or not person.email:
        return Skip("no_address")  # purged, or the list was replaced
    incident = _cached(
        context,
        ("incident", mailing.incident_id),
        lambda: session.get_one(Incident, mailing.incident_id),
    )
    reply_to = _cached(
        context,
        ("reply_to", incident.organisation_id),
        lambda: profile_of(incident.organisation).privacy_contact.email or None,
    )
    organisation_name = _cached(
        context,
        ("organisation_name", incident.organisation_id),
        lambda: organisation_name_of(incident),
    )
    prepared: PreparedNotice = _cached(
        context,
        ("prepared", notice.id),
        lambda: PreparedNotice(
            environment(),
            subject=notice.subject,
            sections=notice.sections,
            lang=notice.lang,
            organisation_name=organisation_name,
        ),
    )
    rendered = prepared.render(
        MergePerson(name=person.name, data=person.data, reference=person.reference)
    )
    return Outgoing(
        recipients=[person.email],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        reply_to=reply_to,
        sender_name=organisation_name,
    )


#: How long a batch trusts the mailing's status it read (a pause takes effect within this).
STATUS_FRESH = timedelta(seconds=2)


def _status(session: Session, context: SendContext, mailing_id: int | None) -> str | None:
    """The mailing's status, read again at most every :data:`STATUS_FRESH`, so that a pause
    holds the rest of a claimed batch without a query per row."""
    key = ("status", mailing_id)
    cached = context.cache.get(key)
    now = time.monotonic()
    if cached is None or now - cached[1] > STATUS_FRESH.total_seconds():
        status = session.execute(
            select(Mailing.status).where(Mailing.id == mailing_id)
        ).scalar_one_or_none()
        context.cache[key] = cached = (status, now)
    return cached[0]


def _cached(context: SendContext, key: object, load: Any) -> Any:
    if key not in context.cache:
        context.cache[key] = load()
    return context.cache[key]


def _batch_people(session: Session, row: Delivery) -> dict[int, Recipient]:
    """The people of every row claimed with ``row`` (one query per batch, not per row)."""
    claimed = select(Delivery.recipient_id).where(Delivery.claim_token == row.claim_token)
    return {
        person.id: person
        for person in session.execute(select(Recipient).where(Recipient.id.in_(claimed))).scalars()
    }
