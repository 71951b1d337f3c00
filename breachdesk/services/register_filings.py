"""What a register row carries besides its own columns: the incident's first filing with the
AP (or, as processor, the controller) and what followed it (supplements, a withdrawal), and
how far breachdesk's notices to the people have gone. Read for a page's or an export batch's
incidents at once. Reads only."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Incident, Notification
from .register_query import ids_in, sending_of, with_mailings
from .register_rows import Filing


def sending_of_ids(session: Session, ids: list[int]) -> dict[int, str]:
    """incident id -> how far breachdesk's notices to its people have gone, for those of
    ``ids`` with a mailing (usually none): one probe of the mailings' index per incident, and
    the full reading only where there is something to read."""
    informing = with_mailings(session, ids)
    if not informing:
        return {}
    found = session.execute(
        select(Incident.id, sending_of(Incident.id)).where(ids_in(session, Incident.id, informing))
    )
    return {incident_id: str(sending) for incident_id, sending in found}


#: What the register shows of the first filing (Filing's fields, in order).
FILING_COLUMNS = (
    Notification.addressee,
    Notification.submitted_at,
    Notification.reference,
    Notification.late,
    Notification.delay_reason,
    Notification.provisional,
)
#: The filings that count as "the" filing: the initial one, to the AP or the controller.
INITIAL_FILING = (Notification.kind == "initial", Notification.addressee.in_(["ap", "controller"]))


def filings_of(session: Session, ids: list[int]) -> dict[int, Filing]:
    """incident id -> its first notification to the AP (or the controller), one query, with
    what followed it (:func:`with_followed`)."""
    filings: dict[int, Filing] = {}
    for n in session.execute(
        select(Notification.incident_id, *FILING_COLUMNS)
        .where(ids_in(session, Notification.incident_id, ids), *INITIAL_FILING)
        .order_by(Notification.id)
    ):
        filings.setdefault(n.incident_id, Filing(*n[1:]))
    return with_followed(session, filings)


def with_followed(session: Session, filings: dict[int, Filing]) -> dict[int, Filing]:
    """``filings`` with their supplements counted and their withdrawal dated: one query for
    the incidents that have a filing (usually few have more than one)."""
    if not filings:
        return filings
    later = session.execute(
        select(
            Notification.incident_id,
            func.count().filter(Notification.kind == "supplement"),
            func.max(Notification.submitted_at).filter(Notification.kind == "withdrawal"),
        )
        .where(
            ids_in(session, Notification.incident_id, list(filings)),
            Notification.kind.in_(("supplement", "withdrawal")),
        )
        .group_by(Notification.incident_id)
    )
    for incident_id, supplements, withdrawn_at in later:
        filings[incident_id] = replace(
            filings[incident_id], supplements=int(supplements), withdrawn_at=withdrawn_at
        )
    return filings
