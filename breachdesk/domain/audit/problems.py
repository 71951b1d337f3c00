"""What verification reports: the kinds of problem, one problem, and how they are worded.

``reason`` is technical English for the command line and logs; the web layer turns the
``kind`` (with ``seq``, ``missing`` and ``checkpoint_at``) into sentences in the user's
language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ProblemKind(StrEnum):
    EVENTS_MISSING = "events_missing"
    OUT_OF_ORDER = "out_of_order"
    WRONG_ORGANISATION = "wrong_organisation"
    UNKNOWN_VERSION = "unknown_version"
    VERSION_DOWNGRADE = "version_downgrade"
    UNKNOWN_KEY = "unknown_key"
    BROKEN_LINK = "broken_link"
    EDITED = "edited"
    CONTENT_EDITED = "content_edited"
    HEAD_MISSING = "head_missing"
    HEAD_MISMATCH = "head_mismatch"
    CHAIN_MISSING = "chain_missing"
    UNKNOWN_CHAIN = "unknown_chain"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"


@dataclass(frozen=True)
class ChainProblem:
    """One place where a chain stops being what was written.

    ``seq`` is the first bad event (None when the problem is not one present event: a
    missing range, the head row, a missing chain); ``missing`` is the (first, last) sequence
    numbers of events known to be gone; ``checkpoint_at`` the time of the checkpoint that
    shows the problem, if one does.
    """

    chain: str
    seq: int | None
    event_id: int | None
    reason: str
    kind: ProblemKind
    missing: tuple[int, int] | None = None
    checkpoint_at: datetime | None = None

    @property
    def position(self) -> int:
        """Where in the chain the problem starts (0: the chain as a whole), for ordering."""
        if self.missing is not None:
            return self.missing[0]
        return self.seq if self.seq is not None else 0


@dataclass(frozen=True)
class Expected:
    """What a signed checkpoint recorded for one sequence number of a chain."""

    hash: str
    recorded_at: datetime


def utc_minute(value: datetime) -> str:
    """``2026-11-30 10:00 UTC`` (for messages)."""
    return f"{value:%Y-%m-%d %H:%M} UTC"


def range_text(chain: str, first: int, last: int) -> str:
    if first == last:
        return f"event {first} of {chain} is missing"
    return f"events {first}\u2013{last} of {chain} are missing"
