"""How an event whose personal data was erased stays verifiable (used by retention).

A future retention rule will erase, say, an incident title or a recipient list from an old
event. Version 2 hashes cover a keyed digest of the content (``actor_label``, ``before``,
``after``), not the content itself, so the erasure works like this:

1. the content is replaced, wholly or in part, by tombstone values (e.g. ``"[erased]"``);
   the event's other columns, its ``content_digest`` and its ``hash`` stay as they were;
2. in the same transaction an *erasure event* (action ``audit.content_erased``) is appended
   to the same chain. Its ``after`` names the erased event (``erased_seq``), the content
   digest before the erasure (``digest_before``), the keyed digest of the content after it
   (``digest_after``, under the erased event's key) and the fields erased.

Verification accepts an event whose content no longer matches its ``content_digest`` only
when later intact events of the same chain record erasures of it that lead, digest by digest,
from the stored ``content_digest`` to the digest of the content as it is now. Anything else
is reported as edited content. Someone without the key cannot forge an erasure event.

Version 1 events hash their content directly; they cannot be erased without breaking the
chain. The append-only triggers allow an UPDATE of the three content columns only (migration
b7d2e4f6a913); ``services/audit_erasure.py`` does the erasing for ``services/retention.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .records import EventRecord

ERASURE_ACTION = "audit.content_erased"
ERASURE_ENTITY = "audit_event"
TOMBSTONE = "[erased]"


@dataclass(frozen=True)
class ErasureNote:
    """What an erasure event says: which event, and its content digest before and after."""

    seq: int
    digest_before: str
    digest_after: str


def erasure_content(
    seq: int, digest_before: str, digest_after: str, fields: Iterable[str]
) -> dict[str, Any]:
    """The ``after`` of an erasure event (no personal data: digests and field names only)."""
    return {
        "erased_seq": seq,
        "digest_before": digest_before,
        "digest_after": digest_after,
        "fields": sorted(fields),
    }


def read_erasure(event: EventRecord) -> ErasureNote | None:
    """The erasure ``event`` records, or None when it is not a well-formed erasure event."""
    if event.action != ERASURE_ACTION or not isinstance(event.after, dict):
        return None
    seq = event.after.get("erased_seq")
    before = event.after.get("digest_before")
    after = event.after.get("digest_after")
    if not isinstance(seq, int) or not isinstance(before, str) or not isinstance(after, str):
        return None
    return ErasureNote(seq, before, after)


@dataclass
class _Changed:
    row_id: int
    reached: str  # the stored digest, moved on by each matching erasure record
    actual: str  # the digest of the content as it is now


@dataclass
class ErasureTracker:
    """Collects events whose content differs from their digest until an erasure explains it."""

    changed: dict[int, _Changed] = field(default_factory=dict)

    def content_differs(self, seq: int, row_id: int, stored: str, actual: str) -> None:
        self.changed[seq] = _Changed(row_id, stored, actual)

    def record(self, note: ErasureNote) -> None:
        entry = self.changed.get(note.seq)
        if entry is not None and entry.reached == note.digest_before:
            entry.reached = note.digest_after

    def unexplained(self) -> list[tuple[int, int]]:
        """(seq, row id) of every changed event no erasure record accounts for, by seq."""
        return sorted((seq, e.row_id) for seq, e in self.changed.items() if e.reached != e.actual)
