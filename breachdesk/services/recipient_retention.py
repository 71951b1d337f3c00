"""Erasing the people of an incident's lists once they are no longer needed (retention).

:func:`purge` blanks the names, e-mail addresses, postal addresses, data and references of an
incident's lists and the addresses of its notices' delivery rows, and keeps what proves what
was done: counts, digests, message ids, server replies, times. :func:`purge_due` does so for
every incident closed longer ago than its organisation's ``recipient_retention_days`` (for the
CLI or the scheduler). Audit events hold counts, never the data erased.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from ..domain.lifecycle import State
from ..models import Delivery, Incident, Organisation, Recipient, RecipientImport
from . import audit
from .audit import Actor
from .clock import Clock

log = logging.getLogger(__name__)

CHUNK_SIZE = 2000
PEOPLE_NOTICE = "people_notice"  # the delivery kind of a notice to one person
_CLOSED_STATES = (State.CLOSED.value, State.NOT_A_BREACH.value, State.DISCARDED.value)


@dataclass(frozen=True)
class PurgeResult:
    """What :func:`purge` erased: imports marked ``purged``, people and delivery rows blanked."""

    imports: int
    recipients: int
    deliveries: int


def purge(
    session: Session,
    incident: Incident,
    *,
    actor: Actor,
    clock: Clock,
    chunk_size: int = CHUNK_SIZE,
) -> PurgeResult:
    """Erase the personal data of an incident's lists of people: every recipient's name,
    e-mail address, address, data and reference; the values in the imports' error lists;
    the addresses (``recipients``) of its ``people_notice`` deliveries. Counts, digests and
    the proof of sending (message id, server reply, SHA-256, times, status) stay. Commits in
    chunks; the imports become ``purged`` last, with the audit event
    ``incident.recipients_purged``, so a purge that stops halfway is simply run again.
    """
    incident_id, org_id = incident.id, incident.organisation_id
    import_ids = list(
        session.execute(
            select(RecipientImport.id).where(RecipientImport.incident_id == incident_id)
        ).scalars()
    )
    session.commit()
    blanked = _blank_recipients(session, import_ids, chunk_size) if import_ids else 0
    deliveries = _blank_deliveries(session, incident_id, chunk_size)
    imports = list(
        session.execute(
            select(RecipientImport).where(
                RecipientImport.incident_id == incident_id, RecipientImport.status != "purged"
            )
        ).scalars()
    )
    now = clock.now()
    for imp in imports:
        imp.status = "purged"
        imp.purged_at = now
        imp.errors = [{**e, "value": ""} for e in imp.errors or []]
    result = PurgeResult(len(imports), blanked, deliveries)
    if imports or blanked or deliveries:
        audit.record(
            session,
            clock=clock,
            actor=actor,
            action="incident.recipients_purged",
            entity_type="incident",
            entity_id=incident_id,
            organisation_id=org_id,
            after={
                "imports": [i.id for i in imports],
                "recipients": blanked,
                "deliveries": deliveries,
            },
        )
    session.commit()
    return result


def _blank_recipients(session: Session, import_ids: list[int], chunk_size: int) -> int:
    has_data = or_(
        Recipient.name != "",
        Recipient.email != "",
        Recipient.address != "",
        Recipient.data != "",
        Recipient.reference != "",
    )
    blanked = 0
    while True:
        ids = (
            select(Recipient.id)
            .where(Recipient.import_id.in_(import_ids), has_data)
            .limit(chunk_size)
        )
        result = session.execute(
            update(Recipient)
            .where(Recipient.id.in_(ids))
            .values(name="", email="", address="", data="", reference=""),
            execution_options={"synchronize_session": False},
        )
        session.commit()
        count = int(getattr(result, "rowcount", 0) or 0)
        blanked += count
        if count == 0:
            return blanked


def _blank_deliveries(session: Session, incident_id: int, chunk_size: int) -> int:
    blanked, last = 0, 0
    while True:
        ids = list(
            session.execute(
                select(Delivery.id)
                .where(
                    Delivery.incident_id == incident_id,
                    Delivery.kind == PEOPLE_NOTICE,
                    Delivery.id > last,
                )
                .order_by(Delivery.id)
                .limit(chunk_size)
            ).scalars()
        )
        if not ids:
            session.commit()
            return blanked
        session.execute(
            update(Delivery).where(Delivery.id.in_(ids)).values(recipients=[]),
            execution_options={"synchronize_session": False},
        )
        session.commit()
        blanked += len(ids)
        last = ids[-1]


def due_ids(session: Session, now: datetime, *, organisation_id: int | None = None) -> list[int]:
    """Ids of the incidents (of one organisation, or all) closed (or found not to be a breach)
    more than their organisation's ``recipient_retention_days`` before ``now`` whose lists of
    people are not purged yet."""
    due: list[int] = []
    query = select(Organisation.id, Organisation.recipient_retention_days)
    if organisation_id is not None:
        query = query.where(Organisation.id == organisation_id)
    for org_id, days in session.execute(query).all():
        unpurged = exists().where(
            RecipientImport.incident_id == Incident.id, RecipientImport.status != "purged"
        )
        due.extend(
            session.execute(
                select(Incident.id).where(
                    Incident.organisation_id == org_id,
                    Incident.state.in_(_CLOSED_STATES),
                    Incident.closed_at.is_not(None),
                    Incident.closed_at < now - timedelta(days=days),
                    unpurged,
                )
            ).scalars()
        )
    session.commit()
    return due


def purge_ids(session: Session, incident_ids: list[int], *, clock: Clock, actor: Actor) -> int:
    """Purge the lists of people of these incidents; returns how many were purged. One
    incident that fails is logged and skipped; it does not stop the rest."""
    purged = 0
    for incident_id in incident_ids:
        incident = session.get(Incident, incident_id)
        if incident is None:
            continue
        try:
            purge(session, incident, actor=actor, clock=clock)
        except Exception:
            session.rollback()
            log.exception("could not purge the recipients of incident %s", incident_id)
            continue
        purged += 1
    return purged


def purge_due(session: Session, *, clock: Clock, actor: Actor) -> int:
    """Purge the lists of people of every incident past its organisation's
    ``recipient_retention_days`` (:func:`due_ids`); returns how many incidents were purged.
    The retention run (:mod:`.retention`) calls the same two steps per organisation."""
    return purge_ids(session, due_ids(session, clock.now()), clock=clock, actor=actor)
