"""Erasing personal data from the audit events of one incident, the chain still verifying.

The rule is in :mod:`breachdesk.domain.audit.erasure`: an event's content (``actor_label``,
``before``, ``after``) is replaced in part by ``"[erased]"`` while its ``content_digest`` and
``hash`` stay, and an erasure event appended to the same chain records the digest of the
content before and after, under the erased event's key. The database allows an UPDATE of
those three content columns only (migration b7d2e4f6a913); verification accepts the changed
content only because the keyed erasure event explains it. Version 1 events hash their
content directly and are left as they are (counted, not erased).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..domain.audit import HASH_V2, chain_name
from ..domain.audit.erasure import ERASURE_ACTION, ERASURE_ENTITY, TOMBSTONE, erasure_content
from ..domain.audit.sealing import content_digest
from ..models import AuditEvent
from . import audit
from .audit import Actor
from .audit_keys import files_for, load_keyring
from .clock import Clock


@dataclass(frozen=True)
class AuditErasure:
    """Events whose content was erased, and events that could not be (version 1, no key)."""

    erased: int
    left: int


def scrub(value: Any, keys: frozenset[str], path: str = "") -> tuple[Any, list[str]]:
    """``value`` with every non-empty text under a key in ``keys`` (at any depth, in lists
    too) replaced by the tombstone, and the paths replaced."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        changed: list[str] = []
        for name, item in value.items():
            where = f"{path}.{name}" if path else str(name)
            if name in keys and isinstance(item, str) and item and item != TOMBSTONE:
                out[name] = TOMBSTONE
                changed.append(where)
            else:
                out[name], inner = scrub(item, keys, where)
                changed.extend(inner)
        return out, changed
    if isinstance(value, list):
        items, changed = [], []
        for index, item in enumerate(value):
            new, inner = scrub(item, keys, f"{path}[{index}]")
            items.append(new)
            changed.extend(inner)
        return items, changed
    return value, []


def erase_incident_events(
    session: Session,
    *,
    organisation_id: int,
    incident_id: int,
    keys: Iterable[str],
    clock: Clock,
    actor: Actor,
) -> AuditErasure:
    """Erase the values under ``keys`` from the audit events about one incident (no commit:
    the caller commits with the rest of the erasure)."""
    wanted = frozenset(keys)
    keyring = load_keyring(files_for(session), create=False)
    events = session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.chain == chain_name(organisation_id),
            AuditEvent.entity_type == "incident",
            AuditEvent.entity_id == str(incident_id),
        )
        .order_by(AuditEvent.seq)
    ).scalars()
    erased = left = 0
    for event in list(events):
        before, in_before = scrub(event.before, wanted, "before")
        after, in_after = scrub(event.after, wanted, "after")
        fields = in_before + in_after
        if not fields:
            continue
        key = keyring.find(event.key_id)
        if event.hash_version != HASH_V2 or key is None:
            left += 1
            continue
        digest_before = content_digest(key.secret, event.actor_label, event.before, event.after)
        digest_after = content_digest(key.secret, event.actor_label, before, after)
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.id == event.id)
            .values(before=before, after=after)
            .execution_options(synchronize_session=False)
        )
        audit.record(
            session,
            clock=clock,
            actor=actor,
            action=ERASURE_ACTION,
            entity_type=ERASURE_ENTITY,
            entity_id=event.seq,
            organisation_id=organisation_id,
            after=erasure_content(event.seq, digest_before, digest_after, fields),
        )
        session.expire(event)
        erased += 1
    return AuditErasure(erased, left)
