"""The append-only audit trail: events in hash chains, and the head of each chain.

How events are hashed and verified is in :mod:`breachdesk.domain.audit`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """One append-only entry in an organisation's (or the global) hash chain."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id"), nullable=True, index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # No foreign key on purpose: the trail must outlive the accounts it mentions.
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_label: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # 1: plain SHA-256 (events written before keyed hashing); 2: HMAC-SHA256 under the key
    # ``key_id``, covering every column but ``id``, the content through ``content_digest``.
    hash_version: Mapped[int] = mapped_column(Integer, server_default="1")
    key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    content_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditChainHead(db.Model):  # type: ignore[name-defined,misc]
    """The last event of each chain. Updating it serialises writers of one chain."""

    __tablename__ = "audit_chain_head"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


# --- append-only enforcement ------------------------------------------------------------
# Events are never deleted and never changed, except their content (actor_label, before,
# after), which retention may erase: verification accepts erased content only when a later
# keyed erasure event of the same chain records it (domain/audit/erasure.py). The first
# migration created the stricter V1 triggers; migration b7d2e4f6a913 replaces them by these,
# which new databases get at once.
APPEND_ONLY_SQLITE_V1 = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
APPEND_ONLY_POSTGRESQL_V1 = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]
#: Every column but the content: an UPDATE of any of them is refused.
SEALED_COLUMNS = (
    "id", "chain", "seq", "organisation_id", "occurred_at", "actor_id", "action",
    "entity_type", "entity_id", "prev_hash", "hash", "hash_version", "key_id",
    "content_digest",
)  # fmt: skip
APPEND_ONLY_SQLITE = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE OF {", ".join(SEALED_COLUMNS)}
       ON audit_event BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    APPEND_ONLY_SQLITE_V1[1],
]
_NEW = ", ".join(f"NEW.{c}" for c in SEALED_COLUMNS)
_OLD = ", ".join(f"OLD.{c}" for c in SEALED_COLUMNS)
APPEND_ONLY_POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND ROW({_NEW}) IS NOT DISTINCT FROM ROW({_OLD}) THEN
           RETURN NEW;  -- only the content changed: an erasure, checked by verification
         END IF;
         RAISE EXCEPTION 'audit events are append-only';
       END; $$ LANGUAGE plpgsql""",
    APPEND_ONLY_POSTGRESQL_V1[1],
]

for _statement in APPEND_ONLY_SQLITE:
    event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in APPEND_ONLY_POSTGRESQL:
    event.listen(
        AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
