"""Writing and reading the audit trail.

:func:`record` appends an event to the organisation's chain inside the caller's transaction,
so the change and its audit event are committed together or not at all. Events are sealed
with the installation's current HMAC key (hash version 2, see
:mod:`breachdesk.domain.audit.sealing`); the key file is found through the session's
database (:func:`breachdesk.services.audit_keys.files_for`) and created on first use. No
function here (or anywhere) updates or deletes an event; the database refuses it as well.

Verification is in :mod:`.audit_verify`; :func:`verify` here is its short form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, select
from sqlalchemy.orm import Session

from ..domain.audit import GENESIS_HASH, EventRecord, chain_name, seal, snapshot
from ..models import AuditChainHead, AuditEvent, Incident, User
from .audit_keys import files_for, load_keyring
from .audit_verify import ChainReport, verify_trail
from .clock import Clock

__all__ = [
    "Actor",
    "ChainReport",
    "TrailRow",
    "chain_name",
    "events_of",
    "history",
    "record",
    "trail_rows",
    "verify",
]


@dataclass(frozen=True)
class Actor:
    """Who did something: a user, or the system (CLI, scheduler) with a label."""

    id: int | None
    label: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, f"{user.name} <{user.email}>")

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(None, f"system: {label}")


def record(
    session: Session,
    *,
    clock: Clock,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object | None,
    organisation_id: int | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain of ``organisation_id`` (does not commit).

    The chain head row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
    transactions are already exclusive), so concurrent writers of one chain queue up instead
    of forking it.
    """
    chain = chain_name(organisation_id)
    key = load_keyring(files_for(session), create=True).writer()
    head = session.execute(
        select(AuditChainHead).where(AuditChainHead.chain == chain).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditChainHead(chain=chain, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
    sealed = seal(
        EventRecord(
            chain=chain,
            seq=head.last_seq + 1,
            organisation_id=organisation_id,
            occurred_at=clock.now(),
            actor_id=actor.id,
            actor_label=actor.label,
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            before=snapshot(before) if before is not None else None,
            after=snapshot(after) if after is not None else None,
            prev_hash=head.last_hash,
        ),
        key,
    )
    event = AuditEvent(
        chain=sealed.chain,
        seq=sealed.seq,
        organisation_id=sealed.organisation_id,
        occurred_at=sealed.occurred_at,
        actor_id=sealed.actor_id,
        actor_label=sealed.actor_label,
        action=sealed.action,
        entity_type=sealed.entity_type,
        entity_id=sealed.entity_id,
        before=sealed.before,
        after=sealed.after,
        prev_hash=sealed.prev_hash,
        hash=sealed.hash,
        hash_version=sealed.hash_version,
        key_id=sealed.key_id,
        content_digest=sealed.content_digest,
    )
    session.add(event)
    head.last_seq = sealed.seq
    head.last_hash = sealed.hash
    session.flush()
    return event


def verify(session: Session, chains: list[str] | None = None) -> list[ChainReport]:
    """Verify every chain (or the named ones): one report per chain.

    The short form of :func:`breachdesk.services.audit_verify.verify_trail`, which also
    reports on the checkpoints.
    """
    return verify_trail(session, chains=chains).chains


def history(
    session: Session, entity_type: str, entity_id: object, limit: int = 200
) -> list[AuditEvent]:
    """The events about one entity, oldest first."""
    return list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
            .limit(limit)
        ).scalars()
    )


@dataclass(frozen=True)
class TrailRow:
    """An event of the trail page, with the reference of the incident it is about (if any)."""

    event: AuditEvent
    incident_reference: str | None


def trail_rows(session: Session, chain: str, limit: int = 500) -> list[TrailRow]:
    """The newest ``limit`` events of one chain, newest first, each with its incident's
    reference ("KRX-2026-0003"), joined in the one query."""
    about_incident = and_(
        AuditEvent.entity_type == "incident", AuditEvent.entity_id == cast(Incident.id, String)
    )
    rows = session.execute(
        select(AuditEvent, Incident.reference)
        .outerjoin(Incident, about_incident)
        .where(AuditEvent.chain == chain)
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    ).all()
    return [TrailRow(event, reference) for event, reference in rows]


def events_of(session: Session, chain: str, limit: int = 500) -> list[AuditEvent]:
    """The newest ``limit`` events of one chain, newest first."""
    return list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.chain == chain)
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        ).scalars()
    )
