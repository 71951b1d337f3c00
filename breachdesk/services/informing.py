"""How far the people affected have been informed: counted from the proof, for the incident
page, the register and the AP answer sheet ("informed 2,431 of 2,500 by e-mail on …; 69 by
letter on …"), and whether that counts as informed by the register's rule. Reads only; one
aggregate query per channel."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..domain.delivery import Kind, Status
from ..domain.notices.ap_draft import Informing
from ..domain.register import Informed, Sending, informed_state
from ..models import Delivery, Incident, Mailing, PublicNotice
from .register_query import reached_later, sending_of


def informing_of(session: Session, incident: Incident) -> Informing | None:
    """What the proof says so far; None when no mailing was started and nothing published."""
    sent, total, first, last = session.execute(
        select(
            func.count().filter(Delivery.status == Status.SENT.value),
            # A failed notice to someone a later mailing reached is not counted twice.
            func.count().filter(
                Delivery.status != Status.CANCELLED.value,
                or_(Delivery.status != Status.FAILED.value, ~reached_later(Delivery)),
            ),
            func.min(Delivery.sent_at),
            func.max(Delivery.sent_at),
        ).where(Delivery.incident_id == incident.id, Delivery.kind == Kind.PEOPLE_NOTICE.value)
    ).one()
    letters, posted = session.execute(
        select(
            func.coalesce(func.sum(Mailing.letters), 0), func.max(Mailing.letters_posted_at)
        ).where(Mailing.incident_id == incident.id, Mailing.letters_posted_at.is_not(None))
    ).one()
    # The letters to post: a mailing cancelled before its letters were posted has none.
    letters_due = session.execute(
        select(func.coalesce(func.sum(Mailing.letters), 0)).where(
            Mailing.incident_id == incident.id,
            or_(Mailing.letters_posted_at.is_not(None), Mailing.status != "cancelled"),
        )
    ).scalar_one()
    public = session.execute(
        select(PublicNotice).where(PublicNotice.incident_id == incident.id)
    ).scalar_one_or_none()
    if not total and not letters_due and (public is None or public.published_at is None):
        return None
    return Informing(
        emails_sent=int(sent or 0),
        emails_total=int(total or 0),
        first_email_at=first,
        last_email_at=last,
        letters_posted=int(letters or 0),
        letters_total=int(letters_due or 0),
        letters_posted_at=posted,
        public_channel=public.channel if public is not None and public.published_at else "",
        public_at=public.published_at if public is not None else None,
    )


def informed_of(session: Session, incident: Incident) -> Informed:
    """How the duty to inform the people of ``incident`` stands, by the register's own rule
    (:func:`~breachdesk.domain.register.informed_state` on what
    :func:`~.register_query.sending_of` reads, the SQL its filter uses), so that the evidence
    pack and the closing form say what the register says."""
    sending = session.execute(select(sending_of(incident.id))).scalar_one()
    return informed_state(incident.subjects_resolution, incident.decided_outcome, Sending(sending))
