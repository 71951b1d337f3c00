"""What a hostile database administrator can do to the audit trail, for the tests.

They can switch the append-only triggers off, change any row, and recompute every hash that
needs no secret (plain SHA-256). They cannot read the HMAC key or the signing key, which live
in files outside the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import select, text

from breachdesk.domain.audit import GENESIS_HASH, EventRecord, hash_v1
from breachdesk.extensions import db
from breachdesk.models import APPEND_ONLY_SQLITE, AuditChainHead, AuditEvent
from breachdesk.services.audit_verify import TrailReport, verify_trail


@contextmanager
def triggers_off() -> Iterator[None]:
    """Switch the append-only triggers off, change rows, switch them on again and commit."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        yield
        db.session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER audit_event_no_delete"))
        yield
        for statement in APPEND_ONLY_SQLITE:
            db.session.execute(text(statement))
    db.session.commit()
    db.session.expire_all()


def execute(sql: str, **params: Any) -> None:
    """Run one statement on the audit tables behind the application's back."""
    with triggers_off():
        db.session.execute(text(sql), params)


def rows(chain: str) -> list[AuditEvent]:
    return list(
        db.session.execute(
            select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)
        ).scalars()
    )


def record_of(row: AuditEvent) -> EventRecord:
    return EventRecord(
        chain=row.chain,
        seq=row.seq,
        organisation_id=row.organisation_id,
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
        hash_version=row.hash_version,
        key_id=row.key_id,
        content_digest=row.content_digest,
    )


def reseal_plain(chain: str, from_seq: int, *, downgrade: bool, until: int | None = None) -> None:
    """Recompute links and hashes with plain SHA-256 from ``from_seq`` on, and the head.

    With ``until`` only events up to that one are recomputed, and the head is left alone.

    ``downgrade`` marks the events hash version 1 (what version 1 hashes are); otherwise they
    keep version 2 and their key id, with a plain SHA-256 where the keyed hash was.
    """
    events = [record_of(r) for r in rows(chain)]
    ids = [r.id for r in rows(chain)]
    prev = GENESIS_HASH
    with triggers_off():
        for row_id, record in zip(ids, events, strict=True):
            if record.seq < from_seq or (until is not None and record.seq > until):
                prev = record.hash
                continue
            changed = replace(record, prev_hash=prev)
            if downgrade:
                changed = replace(changed, hash_version=1, key_id=None, content_digest=None)
            changed = replace(changed, hash=hash_v1(changed))
            db.session.execute(
                text(
                    "UPDATE audit_event SET prev_hash = :p, hash = :h, hash_version = :v, "
                    "key_id = :k, content_digest = :d WHERE id = :id"
                ),
                {
                    "p": changed.prev_hash,
                    "h": changed.hash,
                    "v": changed.hash_version,
                    "k": changed.key_id,
                    "d": changed.content_digest,
                    "id": row_id,
                },
            )
            prev = changed.hash
        if until is None:
            set_head(chain, events[-1].seq, prev)


def set_head(chain: str, seq: int, digest: str) -> None:
    db.session.execute(
        text("UPDATE audit_chain_head SET last_seq = :s, last_hash = :h WHERE chain = :c"),
        {"s": seq, "h": digest, "c": chain},
    )


def head_of(chain: str) -> AuditChainHead:
    return db.session.execute(
        select(AuditChainHead).where(AuditChainHead.chain == chain)
    ).scalar_one()


def report() -> TrailReport:
    db.session.expire_all()
    result = verify_trail(db.session)
    db.session.rollback()
    return result


def problems_of(chain: str) -> list[Any]:
    """The problems verification reports for ``chain``, first first."""
    found = {r.chain: r for r in report().chains}
    return list(found[chain].problems)
