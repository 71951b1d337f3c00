"""The scheduler lease: a row that lets only one scheduler tick at a time.

Every scheduler process (embedded in ``breachdesk serve`` or ``breachdesk scheduler``) tries to
take the lease before each tick. It is held for a limited time and renewed while its holder is
busy, so a scheduler that dies is replaced once its lease expires, and a second one that starts
meanwhile does nothing. The lease is an optimisation and a safety net, not the only guard: each
delivery row is still claimed on its own (see :func:`.engine.claim_due`).

The lease row also records when a tick last finished, which ``/healthz`` and the "scheduler
stopped" banner read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...models import SchedulerLease

LEASE_NAME = "reminders"


def acquire_lease(session: Session, holder: str, now: datetime, lease: timedelta) -> bool:
    """Take or renew the scheduler lease for ``holder``; True if it holds it now (commits).

    One conditional UPDATE: it succeeds only if ``holder`` already holds the lease or the lease
    has expired. The first scheduler ever inserts the row; a concurrent insert loses on the
    primary key and simply does not get the lease.
    """
    outcome: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(SchedulerLease)
        .where(
            SchedulerLease.name == LEASE_NAME,
            or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
        )
        .values(holder=holder, acquired_at=now, expires_at=now + lease)
    )
    taken = outcome.rowcount
    if taken:
        session.commit()
        return True
    if session.get(SchedulerLease, LEASE_NAME) is not None:
        session.rollback()
        return False
    try:
        session.add(
            SchedulerLease(name=LEASE_NAME, holder=holder, acquired_at=now, expires_at=now + lease)
        )
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


def release_lease(session: Session, holder: str) -> None:
    """Give the lease up (at shutdown), so another scheduler may take over at once."""
    session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(expires_at=SchedulerLease.acquired_at)
    )
    session.commit()


def holds_lease(session: Session, holder: str, now: datetime) -> bool:
    """True if ``holder`` holds an unexpired lease at ``now`` (reads, does not renew)."""
    row = session.get(SchedulerLease, LEASE_NAME, populate_existing=True)
    return row is not None and row.holder == holder and row.expires_at >= now


def record_tick(session: Session, holder: str, now: datetime) -> None:
    """Note that ``holder`` finished a tick at ``now`` (commits)."""
    session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(last_tick_at=now)
    )
    session.commit()


def last_tick(session: Session) -> datetime | None:
    """When a scheduler last finished a tick (None: never)."""
    row = session.get(SchedulerLease, LEASE_NAME)
    return row.last_tick_at if row is not None else None
