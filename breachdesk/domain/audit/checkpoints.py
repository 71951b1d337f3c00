"""Signed checkpoints of the trail: what one records, its text form, and how they compare.

A checkpoint records, for every chain, its name, its last sequence number (which is also its
number of events: sequences run from 1 without gaps) and that event's hash; plus the time,
the id of the Ed25519 key that signed it, and the digest of the previous checkpoint, so the
checkpoint file is a chain of its own. One checkpoint is one line of JSON: the canonical
JSON of the body with a ``signature`` added (base64 Ed25519 over the canonical JSON of the
body without it). Signing and checking signatures happen in the service layer; this module is
the pure part: serialising, comparing checkpoints with each other, and turning them into what
the trail must still contain (:func:`expectations`, used by
:class:`~breachdesk.domain.audit.verify.ChainVerifier`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from .canonical import canonical_json, utc_text
from .problems import Expected, utc_minute
from .records import GENESIS_HASH

CHECKPOINT_FORMAT = 1


@dataclass(frozen=True)
class ChainHead:
    """One chain's last sequence number and that event's hash."""

    chain: str
    seq: int
    hash: str


@dataclass(frozen=True)
class Checkpoint:
    """What one checkpoint records; ``heads`` are kept sorted by chain name."""

    created_at: datetime
    signing_key_id: str
    heads: tuple[ChainHead, ...]
    prev: str = GENESIS_HASH  # digest of the previous checkpoint; zeros for the first
    signature: str = ""  # base64; empty until signed

    def __post_init__(self) -> None:
        object.__setattr__(self, "heads", tuple(sorted(self.heads, key=lambda h: h.chain)))

    def head(self, chain: str) -> ChainHead | None:
        return next((h for h in self.heads if h.chain == chain), None)


class CheckpointFormatError(ValueError):
    """A line of the checkpoint file is not a checkpoint."""


def _body(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "format": CHECKPOINT_FORMAT,
        "created_at": utc_text(checkpoint.created_at),
        "signing_key_id": checkpoint.signing_key_id,
        "prev": checkpoint.prev,
        "chains": [{"chain": h.chain, "seq": h.seq, "hash": h.hash} for h in checkpoint.heads],
    }


def signed_body(checkpoint: Checkpoint) -> bytes:
    """The bytes the signature covers: everything but the signature."""
    return canonical_json(_body(checkpoint)).encode("utf-8")


def checkpoint_digest(checkpoint: Checkpoint) -> str:
    """SHA-256 of the signed body: names a checkpoint (e-mails, the next checkpoint's prev)."""
    return hashlib.sha256(signed_body(checkpoint)).hexdigest()


def to_line(checkpoint: Checkpoint) -> str:
    """The checkpoint as one line of the checkpoint file (with its newline)."""
    return canonical_json({**_body(checkpoint), "signature": checkpoint.signature}) + "\n"


def parse_line(line: str) -> Checkpoint:
    """Read one line of the checkpoint file.

    Raises:
        CheckpointFormatError: the line is not a well-formed checkpoint.
    """
    try:
        data = json.loads(line)
        if data["format"] != CHECKPOINT_FORMAT:
            raise CheckpointFormatError(f"unknown checkpoint format {data['format']!r}")
        created_at = datetime.fromisoformat(data["created_at"])
        if created_at.tzinfo is None:
            raise CheckpointFormatError("checkpoint time without a time zone")
        heads = tuple(
            ChainHead(str(c["chain"]), int(c["seq"]), str(c["hash"])) for c in data["chains"]
        )
        return Checkpoint(
            created_at=created_at,
            signing_key_id=str(data["signing_key_id"]),
            heads=heads,
            prev=str(data["prev"]),
            signature=str(data["signature"]),
        )
    except CheckpointFormatError:
        raise
    except (ValueError, KeyError, TypeError) as error:
        raise CheckpointFormatError(f"not a checkpoint: {error}") from error


def same_heads(checkpoint: Checkpoint | None, heads: Iterable[ChainHead]) -> bool:
    """Whether ``heads`` are exactly what ``checkpoint`` recorded (nothing changed since)."""
    return checkpoint is not None and set(checkpoint.heads) == set(heads)


def expectations(checkpoints: Iterable[Checkpoint]) -> dict[str, dict[int, Expected]]:
    """chain -> seq -> what the earliest checkpoint recording that seq saw there."""
    result: dict[str, dict[int, Expected]] = {}
    for checkpoint in sorted(checkpoints, key=lambda c: c.created_at):
        for head in checkpoint.heads:
            per_chain = result.setdefault(head.chain, {})
            per_chain.setdefault(head.seq, Expected(head.hash, checkpoint.created_at))
    return result


class CheckpointProblemKind(StrEnum):
    UNREADABLE = "unreadable"
    UNKNOWN_SIGNER = "unknown_signer"
    BAD_SIGNATURE = "bad_signature"
    BROKEN_LINK = "broken_link"
    TIME_REVERSED = "time_reversed"
    CHAIN_SHRANK = "chain_shrank"


@dataclass(frozen=True)
class CheckpointProblem:
    """A checkpoint line that cannot be trusted, or two checkpoints that disagree."""

    line: int  # 1-based line number in the checkpoint file
    reason: str
    kind: CheckpointProblemKind
    created_at: datetime | None = None


def sequence_problems(numbered: Sequence[tuple[int, Checkpoint]]) -> list[CheckpointProblem]:
    """Problems between consecutive checkpoints that passed their signature check.

    Each must link to the previous one's digest and come later; no chain may lose events or
    change an event between two checkpoints (a chain's seq never goes down; at an equal seq
    the hash is equal).
    """
    problems: list[CheckpointProblem] = []
    previous: Checkpoint | None = None
    for line, checkpoint in numbered:
        at = checkpoint.created_at
        link = checkpoint_digest(previous) if previous is not None else GENESIS_HASH
        if checkpoint.prev != link:
            problems.append(
                CheckpointProblem(
                    line,
                    "does not link to the checkpoint before it: checkpoints were removed, "
                    "inserted or reordered",
                    CheckpointProblemKind.BROKEN_LINK,
                    at,
                )
            )
        if previous is not None:
            if at < previous.created_at:
                problems.append(
                    CheckpointProblem(
                        line,
                        f"is dated {utc_minute(at)}, before the checkpoint before it",
                        CheckpointProblemKind.TIME_REVERSED,
                        at,
                    )
                )
            problems.extend(_shrunk_chains(line, previous, checkpoint))
        previous = checkpoint
    return problems


def _shrunk_chains(line: int, before: Checkpoint, after: Checkpoint) -> list[CheckpointProblem]:
    problems = []
    for old in before.heads:
        new = after.head(old.chain)
        if new is None:
            what = "is gone"
        elif new.seq < old.seq:
            what = f"went back from {old.seq} to {new.seq} events"
        elif new.seq == old.seq and new.hash != old.hash:
            what = f"has another event {old.seq} than before"
        else:
            continue
        problems.append(
            CheckpointProblem(
                line,
                f"chain {old.chain} {what} since the checkpoint of {utc_minute(before.created_at)}",
                CheckpointProblemKind.CHAIN_SHRANK,
                after.created_at,
            )
        )
    return problems
