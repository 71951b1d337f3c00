"""Writing and verifying the audit trail.

:func:`record` appends an event to the organisation's chain inside the caller's transaction,
so the change and its audit event are committed together or not at all. No function here (or
anywhere) updates or deletes an event; the database refuses it as well.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.audit import (
    GENESIS_HASH,
    ChainProblem,
    EventRecord,
    compute_hash,
    snapshot,
    verify_chain,
)
from ..models import AuditChainHead, AuditEvent, User
from .clock import Clock


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


def chain_name(organisation_id: int | None) -> str:
    """The chain an organisation's events go to; installation-wide events use "global"."""
    return f"org:{organisation_id}" if organisation_id is not None else "global"


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
    head = session.execute(
        select(AuditChainHead).where(AuditChainHead.chain == chain).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditChainHead(chain=chain, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
    content = EventRecord(
        chain=chain,
        seq=head.last_seq + 1,
        occurred_at=clock.now(),
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=snapshot(before) if before is not None else None,
        after=snapshot(after) if after is not None else None,
        prev_hash=head.last_hash,
    )
    digest = compute_hash(content)
    event = AuditEvent(
        chain=content.chain,
        seq=content.seq,
        organisation_id=organisation_id,
        occurred_at=content.occurred_at,
        actor_id=content.actor_id,
        actor_label=content.actor_label,
        action=content.action,
        entity_type=content.entity_type,
        entity_id=content.entity_id,
        before=content.before,
        after=content.after,
        prev_hash=content.prev_hash,
        hash=digest,
    )
    session.add(event)
    head.last_seq = content.seq
    head.last_hash = digest
    session.flush()
    return event


def _records(session: Session, chain: str) -> Iterator[tuple[int, EventRecord]]:
    rows = session.execute(
        select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)
    ).scalars()
    for row in rows:
        yield (
            row.id,
            EventRecord(
                chain=row.chain,
                seq=row.seq,
                occurred_at=row.occurred_at,
                actor_id=row.actor_id,
                actor_label=row.actor_label,
                action=row.action,
                entity_type=row.entity_type,
                entity_id=row.entity_id,
                before=row.before,
                after=row.after,
                prev_hash=row.prev_hash,
                hash=row.hash,
            ),
        )


@dataclass(frozen=True)
class ChainReport:
    chain: str
    events: int
    problem: ChainProblem | None


def verify(session: Session, chains: list[str] | None = None) -> list[ChainReport]:
    """Verify every chain (or the named ones); one report per chain, problems included."""
    known = set(session.execute(select(AuditEvent.chain).distinct()).scalars())
    heads = {h.chain: h for h in session.execute(select(AuditChainHead)).scalars()}
    names = sorted(known | set(heads)) if chains is None else chains
    reports = []
    for name in names:
        head = heads.get(name)
        counted = 0

        def counting(chain: str = name) -> Iterator[tuple[int, EventRecord]]:
            nonlocal counted
            for item in _records(session, chain):
                counted += 1
                yield item

        problem = verify_chain(name, counting(), (head.last_seq, head.last_hash) if head else None)
        reports.append(ChainReport(name, counted, problem))
    return reports


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
