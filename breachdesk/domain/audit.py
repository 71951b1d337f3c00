"""The tamper-evident audit trail: each event is chained by hash to the one before it.

Every organisation has its own chain (installation-wide events such as user accounts share a
"global" chain). An event's hash covers its content *and* the previous event's hash, so
editing, removing or reordering any event breaks every link after it, and
:func:`verify_chain` names the first event that no longer fits. The chain head (last
sequence number and hash) is stored separately, which also exposes a removed tail.

Hashes are SHA-256 over a canonical JSON rendering (sorted keys, no whitespace, UTF-8,
timestamps as ISO 8601 in UTC with microseconds).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .timeutil import ensure_utc

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class EventRecord:
    """The hashed content of one audit event, as stored."""

    chain: str
    seq: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    entity_type: str
    entity_id: str | None
    before: Any
    after: Any
    prev_hash: str
    hash: str = ""


def canonical_json(value: Any) -> str:
    """Deterministic JSON text for hashing: sorted keys, compact, non-ASCII kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(event: EventRecord) -> str:
    """The SHA-256 hex digest binding ``event``'s content to its predecessor's hash."""
    body = {
        "chain": event.chain,
        "seq": event.seq,
        "occurred_at": ensure_utc(event.occurred_at).isoformat(timespec="microseconds"),
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


@dataclass(frozen=True)
class ChainProblem:
    """The first place where a chain stops being what was written."""

    chain: str
    seq: int | None  # the sequence number of the first bad event (None: the chain head)
    event_id: int | None
    reason: str


def verify_chain(
    chain: str,
    events: Iterable[tuple[int, EventRecord]],
    head: tuple[int, str] | None,
) -> ChainProblem | None:
    """Check one chain; return the first problem, or None when it is intact.

    ``events`` are (row id, record) pairs in the order of their sequence numbers; ``head`` is
    the stored (last sequence number, last hash), or None when the chain has no head row.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    last: tuple[int, str] | None = None
    for row_id, record in events:
        if record.seq != expected_seq:
            reason = (
                f"sequence jumps from {expected_seq - 1} to {record.seq}: "
                "an event was removed or reordered"
            )
            return ChainProblem(chain, record.seq, row_id, reason)
        if record.prev_hash != expected_prev:
            return ChainProblem(
                chain, record.seq, row_id, "does not link to the previous event's hash"
            )
        if compute_hash(record) != record.hash:
            return ChainProblem(
                chain, record.seq, row_id, "content does not match its hash: it was edited"
            )
        expected_prev = record.hash
        expected_seq += 1
        last = (record.seq, record.hash)
    if head is not None and last != head:
        seq = last[0] if last else 0
        return ChainProblem(
            chain,
            None,
            None,
            f"chain ends at event {seq} but its head records event {head[0]}: "
            "events at the end were removed",
        )
    return None


def snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """Make a before/after snapshot JSON-safe (datetimes to UTC ISO text, sets sorted)."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return ensure_utc(value).isoformat(timespec="microseconds")
        if isinstance(value, set | frozenset):
            return sorted(plain(v) for v in value)
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in value.items()}
        if hasattr(value, "value") and isinstance(value.value, str | int):
            return value.value  # enums
        return value

    return {str(k): plain(v) for k, v in values.items()}
