"""How far the people affected have been informed: counted from the proof, for the incident
page, the register and the AP answer sheet ("informed 2,431 of 2,500 by e-mail on …; 69 by
letter on …"), and whether that counts as informed by the register's rule. Reads only; one
aggregate query per channel.

People are counted, not notices: the same address reached by a first notice and by its
supplement is one person informed (before, 10.1.3 of the AP sheet said "3,918 by e-mail" for
about 2,000 people, and "not reached yet: 130" for people an earlier version had reached:
found by exploratory testing). An e-mail address is one person (case ignored); a letter's
person is their name and postal address, as the list's own duplicate check has it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, distinct, func, or_, select
from sqlalchemy.orm import Session

from ..domain.delivery import Kind, Status
from ..domain.notices.ap_draft import Informing
from ..domain.recipients.rows import person_key
from ..domain.register import Informed, Sending, informed_state
from ..models import Delivery, Incident, Mailing, PublicNotice, Recipient
from .register_query import sending_of


def informing_of(session: Session, incident: Incident) -> Informing | None:
    """What the proof says so far; None when no mailing was started and nothing published."""
    address = func.lower(Recipient.email)
    sent, total, first, last = session.execute(
        select(
            func.count(distinct(case((Delivery.status == Status.SENT.value, address)))),
            # Everyone a notice went or goes to (a failed one too: not reached yet).
            func.count(distinct(case((Delivery.status != Status.CANCELLED.value, address)))),
            func.min(Delivery.sent_at),
            func.max(Delivery.sent_at),
        )
        .join(Recipient, Recipient.id == Delivery.recipient_id)
        .where(Delivery.incident_id == incident.id, Delivery.kind == Kind.PEOPLE_NOTICE.value)
    ).one()
    posted_people, due_people, posted = _letter_people(session, incident)
    public = session.execute(
        select(PublicNotice).where(PublicNotice.incident_id == incident.id)
    ).scalar_one_or_none()
    if not total and not due_people and (public is None or public.published_at is None):
        return None
    return Informing(
        emails_sent=int(sent or 0),
        emails_total=int(total or 0),
        first_email_at=first,
        last_email_at=last,
        letters_posted=posted_people,
        letters_total=due_people,
        letters_posted_at=posted,
        public_channel=public.channel if public is not None and public.published_at else "",
        public_at=public.published_at if public is not None else None,
    )


def _letter_people(session: Session, incident: Incident) -> tuple[int, int, datetime | None]:
    """The people reached by a posted letter, those with a letter to post or posted (a mailing
    cancelled before its letters were posted has none), and when letters were last posted."""
    rows = session.execute(
        select(Recipient.name, Recipient.address, Mailing.letters_posted_at)
        .join(Mailing, Mailing.import_id == Recipient.import_id)
        .where(
            Mailing.incident_id == incident.id,
            Recipient.channel == "letter",
            or_(Mailing.letters_posted_at.is_not(None), Mailing.status != "cancelled"),
        )
    ).all()
    posted = {person_key("", name, address) for name, address, at in rows if at is not None}
    due = {person_key("", name, address) for name, address, _at in rows}
    last = max((at for _n, _a, at in rows if at is not None), default=None)
    return len(posted), len(due), last


def informed_of(session: Session, incident: Incident) -> Informed:
    """How the duty to inform the people of ``incident`` stands, by the register's own rule
    (:func:`~breachdesk.domain.register.informed_state` on what
    :func:`~.register_query.sending_of` reads, the SQL its filter uses), so that the evidence
    pack and the closing form say what the register says."""
    sending = session.execute(select(sending_of(incident.id))).scalar_one()
    return informed_state(
        incident.subjects_resolution,
        incident.decided_outcome,
        Sending(sending),
        state=incident.state,
    )
