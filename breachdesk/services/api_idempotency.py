"""Idempotency keys for creates through the JSON API: a retried POST makes one report.

The key is claimed *before* the report is made (a row with no incident yet, committed), so
two copies of one request that arrive at once cannot both create: the second finds the claim
and is told to try again. Once the report is stored the claim is settled with its id; a
retry with the same key and the same request then gets that report again, and the same key
with another request is refused. A create that fails releases its claim, so the client can
fix the request and send it again under the same key.

A claim left unsettled for :data:`ABANDONED_AFTER` (the worker died between storing the
report and settling) is taken over: the one case in which a retry can make a second report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import IdempotencyKey
from .clock import Clock

ABANDONED_AFTER = timedelta(minutes=10)


class Outcome(StrEnum):
    NEW = "new"  # claimed: go ahead and create, then settle or release
    REPLAY = "replay"  # done before with the same request: answer with ``incident_id``
    MISMATCH = "mismatch"  # the key was used for another request
    IN_PROGRESS = "in_progress"  # the same key is being handled right now


@dataclass(frozen=True)
class Claim:
    outcome: Outcome
    row_id: int | None = None
    incident_id: int | None = None


def digest(*parts: bytes | str) -> str:
    """A SHA-256 over the parts of a request that make it the same request."""
    hashed = hashlib.sha256()
    for part in parts:
        raw = part.encode("utf-8") if isinstance(part, str) else part
        hashed.update(len(raw).to_bytes(8, "big"))
        hashed.update(raw)
    return hashed.hexdigest()


def claim(session: Session, token_id: int, key: str, request_digest: str, *, clock: Clock) -> Claim:
    """Claim ``key`` for a request of ``token_id`` (commits when it claims)."""
    now = clock.now()
    row = session.execute(
        select(IdempotencyKey).where(IdempotencyKey.token_id == token_id, IdempotencyKey.key == key)
    ).scalar_one_or_none()
    if row is not None:
        if row.request_digest != request_digest:
            return Claim(Outcome.MISMATCH)
        if row.incident_id is not None:
            return Claim(Outcome.REPLAY, row.id, row.incident_id)
        if now - row.created_at < ABANDONED_AFTER:
            return Claim(Outcome.IN_PROGRESS)
        session.delete(row)  # abandoned: take it over
        session.flush()
    fresh = IdempotencyKey(
        token_id=token_id, key=key, request_digest=request_digest, created_at=now
    )
    try:
        with session.begin_nested():
            session.add(fresh)
    except IntegrityError:  # claimed at the same moment by the other copy
        return Claim(Outcome.IN_PROGRESS)
    session.commit()
    return Claim(Outcome.NEW, fresh.id)


def settle(session: Session, row_id: int, incident_id: int) -> None:
    """The create under the claim succeeded (commits)."""
    session.execute(
        update(IdempotencyKey).where(IdempotencyKey.id == row_id).values(incident_id=incident_id)
    )
    session.commit()


def release(session: Session, row_id: int) -> None:
    """The create under the claim failed: forget the claim (commits)."""
    session.rollback()
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row_id))
    session.commit()
