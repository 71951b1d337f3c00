"""One audit event as stored, and the names of the chains events belong to.

Every organisation has its own chain, ``org:<organisation id>``; installation-wide events
(user accounts) share the chain ``global``. The chain name and the ``organisation_id`` column
must agree, which :func:`chain_owner` makes checkable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: The ``prev_hash`` of the first event of every chain.
GENESIS_HASH = "0" * 64
GLOBAL_CHAIN = "global"
_ORG_CHAIN = re.compile(r"org:([1-9][0-9]*)")


def chain_name(organisation_id: int | None) -> str:
    """The chain an organisation's events go to; installation-wide events use "global"."""
    return f"org:{organisation_id}" if organisation_id is not None else GLOBAL_CHAIN


def chain_owner(chain: str) -> int | None:
    """The organisation id a chain belongs to (None for the global chain).

    Raises:
        ValueError: ``chain`` is neither ``global`` nor ``org:<positive integer>``.
    """
    if chain == GLOBAL_CHAIN:
        return None
    match = _ORG_CHAIN.fullmatch(chain)
    if match is None:
        raise ValueError(f"{chain!r} is not a chain name (expected 'global' or 'org:<id>')")
    return int(match.group(1))


@dataclass(frozen=True)
class EventRecord:
    """One audit event's columns, except the row id the database assigns.

    ``actor_label``, ``before`` and ``after`` are the event's *content* (they may hold personal
    data); the rest is its metadata. Version 1 events (written before keyed hashing) have no
    ``key_id`` or ``content_digest``.
    """

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
    organisation_id: int | None = None
    hash_version: int = 1
    key_id: str | None = None
    content_digest: str | None = None
