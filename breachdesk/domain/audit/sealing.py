"""How an event is sealed: hash version 1 (plain SHA-256, legacy) and 2 (keyed HMAC-SHA256).

**Version 1** (events written before keyed hashing) is SHA-256 over the canonical JSON of
chain, seq, occurred_at, actor_id, actor_label, action, entity_type, entity_id, before,
after and prev_hash. Anyone who can write to the database can recompute it, so it only shows
accidental or naive changes. It is kept exactly as it was so that old events still verify.

**Version 2** uses a secret key held in a file outside the database:

* ``content_digest`` = HMAC-SHA256(key, canonical JSON of ``actor_label``, ``before`` and
  ``after``): the event's personal content, reduced to a digest.
* ``hash`` = HMAC-SHA256(key, canonical JSON of chain, seq, organisation_id, occurred_at,
  actor_id, action, entity_type, entity_id, prev_hash, hash_version, key_id and
  content_digest): every column except the row ``id``.

The chain thus covers a digest of the content rather than the content itself, so a retention
rule can later erase personal data from an event without breaking the chain (see
:mod:`.erasure`). The row ``id`` is assigned by the database on insert and cannot be known
when the hash is computed; events are never updated, and the id only points at a row.

Each key has a key id (the first 16 hex digits of the SHA-256 of the key), stored with every
version 2 event, so keys can be rotated: a :class:`Keyring` holds the current key (for
writing) and retired keys (for verifying older events).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field, replace
from typing import Any

from .canonical import canonical_json, utc_text
from .records import EventRecord

HASH_V1 = 1
HASH_V2 = 2
CURRENT_HASH_VERSION = HASH_V2
KNOWN_HASH_VERSIONS = frozenset({HASH_V1, HASH_V2})
#: Bytes in a generated audit key.
KEY_BYTES = 32


def key_id_of(secret: bytes) -> str:
    """The public id of a key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(secret).hexdigest()[:16]


@dataclass(frozen=True)
class AuditKey:
    """A secret HMAC key and its id (the secret is left out of ``repr``)."""

    secret: bytes = field(repr=False)
    key_id: str = ""

    def __post_init__(self) -> None:
        if len(self.secret) < 16:
            raise ValueError("an audit key must be at least 16 bytes")
        object.__setattr__(self, "key_id", key_id_of(self.secret))


class NoWritingKey(LookupError):
    """The keyring has no current key, so no event can be written."""


@dataclass(frozen=True)
class Keyring:
    """The current key (writes and verifies) and retired keys (verify only)."""

    current: AuditKey | None = None
    retired: tuple[AuditKey, ...] = ()

    def find(self, key_id: str | None) -> AuditKey | None:
        """The key with ``key_id``, or None when this keyring does not hold it."""
        for key in (self.current, *self.retired):
            if key is not None and key.key_id == key_id:
                return key
        return None

    def writer(self) -> AuditKey:
        """The key new events are sealed with.

        Raises:
            NoWritingKey: the keyring holds retired keys only.
        """
        if self.current is None:
            raise NoWritingKey("no current audit key to write with")
        return self.current

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(k.key_id for k in (self.current, *self.retired) if k is not None)


def _hmac(secret: bytes, body: dict[str, Any]) -> str:
    return hmac.digest(secret, canonical_json(body).encode("utf-8"), "sha256").hex()


def hash_v1(event: EventRecord) -> str:
    """Version 1: the plain SHA-256 binding ``event``'s content to its predecessor's hash.

    Raises:
        ValueError: ``occurred_at`` is naive.
    """
    body = {
        "chain": event.chain,
        "seq": event.seq,
        "occurred_at": utc_text(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def content_digest(secret: bytes, actor_label: str, before: Any, after: Any) -> str:
    """Version 2: the keyed digest of an event's personal content."""
    body = {
        "purpose": "audit-content",
        "actor_label": actor_label,
        "before": before,
        "after": after,
    }
    return _hmac(secret, body)


def hash_v2(secret: bytes, event: EventRecord) -> str:
    """Version 2: the keyed hash over every column of ``event`` but its row id and content.

    The content enters through ``event.content_digest``.

    Raises:
        ValueError: ``occurred_at`` is naive.
    """
    body = {
        "purpose": "audit-event",
        "chain": event.chain,
        "seq": event.seq,
        "organisation_id": event.organisation_id,
        "occurred_at": utc_text(event.occurred_at),
        "actor_id": event.actor_id,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "prev_hash": event.prev_hash,
        "hash_version": event.hash_version,
        "key_id": event.key_id,
        "content_digest": event.content_digest,
    }
    return _hmac(secret, body)


def seal(event: EventRecord, key: AuditKey) -> EventRecord:
    """``event`` as a version 2 event sealed with ``key`` (digest, key id and hash filled in)."""
    digest = content_digest(key.secret, event.actor_label, event.before, event.after)
    unsealed = replace(
        event, hash_version=HASH_V2, key_id=key.key_id, content_digest=digest, hash=""
    )
    return replace(unsealed, hash=hash_v2(key.secret, unsealed))


def same_digest(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two hex digests (None equals nothing)."""
    return a is not None and b is not None and hmac.compare_digest(a, b)
