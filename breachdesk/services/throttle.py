"""Counters of failed attempts and of requests, in the database, shared by every worker.

What this guarantees
--------------------
* **Shared.** Every worker process (waitress threads, gunicorn workers, other machines on the
  same database) counts in one table, ``throttle_counter``; a restart forgets nothing.
  Failures at worker A and at worker B add up.
* **Failures only, and slowing down, never locking out.** :func:`record_failure` counts a
  wrong password (or code) per key — per account and per address, as the caller chooses; a
  success is never counted. Past a policy's free attempts each failure makes the next attempt
  wait longer (growing delays, see :class:`breachdesk.domain.throttle.Policy`), at most the
  policy's ``cap`` after the last failure: whoever knows the password gets in at the latest
  ``cap`` seconds after the attacker's last guess, and nobody can lock an account for good.
* **Only the right secret resets.** :func:`record_success` forgets a key's failures only when
  its delay had passed, so only someone who gave the correct password (or code) at a moment
  they were allowed to try resets an account's count; an attacker cannot reset the victim's
  count, and cannot reset an address's count by signing in to an account of their own (callers
  forget per-account keys only, never per-address keys).
* **Volume caps** (:func:`hit`, :class:`~breachdesk.domain.throttle.Cap`): a fixed window per
  key for plain floods (reports, follow-up posts, reset mails), counted in the same table.
* **Nothing in clear.** A row's key is an HMAC-SHA-256 of the limit's name and the counted
  value (an e-mail address, an IP address) under the installation's secret key; a plain hash
  of an IPv4 address would be reversed by trying all four billion.
* **No lock conflicts.** Counters are written in the request's own session and committed
  there (SQLite: every transaction takes the write lock when it begins, see
  :mod:`breachdesk.sqlite`, so a second connection would wait for the request's own lock).
  :func:`record_failure` and :func:`hit` therefore **commit the caller's session**: call them
  when the request has nothing else unsaved (a failed sign-in writes nothing else; a volume
  cap is counted before the view does anything).
* **Concurrency.** A count is one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
  (SQLite and PostgreSQL), which also gives the count the decision needs; rows are written
  in the order of their keys, so two requests never deadlock. ``wait_seconds(...,
  lock=True)`` takes the account's row with ``SELECT … FOR UPDATE`` on PostgreSQL so
  parallel guesses at one account are decided one after the other (on SQLite the request's
  transaction already holds the database's write lock).
* **Pruned.** Every failure, and every request that opens a cap's window anew, deletes up to
  :data:`PRUNE_BATCH` forgotten rows (an index on ``expires_at``; on PostgreSQL with
  ``SKIP LOCKED``, so two workers never wait on each other): rows go about as fast as they
  come, and a busy window's further requests cost one statement each.

Using it (for instance for a second-factor code)::

    keys = [Key.of(totp_policy, f"user:{user.id}", secret),
            Key.of(address_policy, request.remote_addr, secret)]
    wait = throttle.wait_seconds(session, keys, clock=clock, lock=True)
    if wait:                      # refuse without checking the code: 429, Retry-After: wait
        ...
    elif code_is_right:
        throttle.record_success(session, keys[:1], clock=clock)   # the account key only
    else:
        throttle.record_failure(session, keys, clock=clock)       # commits

``breachdesk/web/throttling.py`` wraps this for views (``guard``, ``failed``, ``succeeded``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..domain.throttle import Cap, Policy
from ..models import ThrottleCounter
from .clock import Clock

#: Forgotten rows deleted per write, at most.
PRUNE_BATCH = 100


@dataclass(frozen=True)
class Key:
    """One counter: a limit and the digest of what it counts (an account, an address)."""

    limit: Policy | Cap
    digest: str

    @classmethod
    def of(cls, limit: Policy | Cap, value: str, secret: str | bytes) -> Key:
        raw = secret.encode() if isinstance(secret, str) else secret
        message = f"{limit.name}\x00{value}".encode()
        return cls(limit, hmac.new(raw, message, hashlib.sha256).hexdigest())


@dataclass(frozen=True)
class _Row:
    count: int
    started_at: datetime
    last_at: datetime


def _rows(session: Session, keys: Sequence[Key], *, lock: bool = False) -> dict[str, _Row]:
    if not keys:
        return {}
    t = ThrottleCounter
    query = select(t.key, t.count, t.started_at, t.last_at).where(
        t.key.in_(sorted({k.digest for k in keys}))
    )
    if lock:
        query = query.order_by(t.key).with_for_update()
    # unpacked: to the type checker, Row.count is the tuple method
    return {key: _Row(count, started, last) for key, count, started, last in session.execute(query)}


def _wait(key: Key, row: _Row | None, now: datetime) -> int:
    if row is None:
        return 0
    if isinstance(key.limit, Policy):
        return key.limit.wait(row.count, row.last_at, now)
    return key.limit.wait(row.count, row.started_at, now)


def wait_seconds(session: Session, keys: Sequence[Key], *, clock: Clock, lock: bool = False) -> int:
    """Seconds to wait before the next attempt under these keys (the longest; 0: go ahead).

    Reads only. ``lock=True`` holds the rows until the caller's transaction ends (PostgreSQL
    ``FOR UPDATE``): pass it for per-account keys checked before a password is verified.
    """
    now = clock.now()
    rows = _rows(session, keys, lock=lock)
    return max((_wait(k, rows.get(k.digest), now) for k in keys), default=0)


def _upsert(dialect: str, sliding: bool) -> Any:
    """The one statement that counts a request under a key and returns the row as it is now:
    a new row, a row whose window or delay had ended (counting starts again at 1), or one more.
    Built once per dialect and kind of limit; the values are bound parameters."""
    statement = _UPSERTS.get((dialect, sliding))
    if statement is not None:
        return statement
    t = ThrottleCounter.__table__
    now = bindparam("now", type_=t.c.started_at.type)
    until = bindparam("until", type_=t.c.expires_at.type)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    expired = t.c.expires_at <= now
    statement = (
        insert(t)
        .values(
            key=bindparam("key"),
            policy=bindparam("policy"),
            count=1,
            started_at=now,
            last_at=now,
            expires_at=until,
        )
        .on_conflict_do_update(
            index_elements=[t.c.key],
            set_={
                "count": case((expired, 1), else_=t.c.count + 1),
                "started_at": case((expired, now), else_=t.c.started_at),
                "last_at": now,
                # a delay is forgotten ``window`` after the last failure; a cap's window is
                # fixed from its first request
                "expires_at": until if sliding else case((expired, until), else_=t.c.expires_at),
            },
        )
        .returning(t.c.count, t.c.started_at)
    )
    _UPSERTS[(dialect, sliding)] = statement
    return statement


_UPSERTS: dict[tuple[str, bool], Any] = {}


def _count(session: Session, keys: Sequence[Key], now: datetime) -> list[tuple[Key, _Row]]:
    """Count one under each key; each key with its row as the count left it."""
    dialect = session.get_bind().dialect.name
    counted = []
    for key in sorted(keys, key=lambda k: k.digest):  # one order: no deadlock
        sliding = isinstance(key.limit, Policy)
        span = key.limit.window if isinstance(key.limit, Policy) else float(key.limit.period)
        count, started = session.execute(
            _upsert(dialect, sliding),
            {
                "key": key.digest,
                "policy": key.limit.name,
                "now": now,
                "until": now + timedelta(seconds=span),
            },
        ).one()
        counted.append((key, _Row(count, started, now)))
    return counted


def prune(session: Session, *, now: datetime, batch: int = PRUNE_BATCH) -> int:
    """Delete up to ``batch`` forgotten rows (does not commit). Returns how many."""
    t = ThrottleCounter
    old = select(t.key).where(t.expires_at <= now).limit(batch)
    if session.get_bind().dialect.name == "postgresql":
        old = old.with_for_update(skip_locked=True)
    result = session.execute(delete(t).where(t.key.in_(old.scalar_subquery())))
    return int(getattr(result, "rowcount", 0) or 0)


def record_failure(session: Session, keys: Sequence[Key], *, clock: Clock) -> int:
    """Count one failed attempt under each key and commit. Returns the wait it imposes now."""
    now = clock.now()
    counted = _count(session, keys, now)
    prune(session, now=now)
    wait = max((_wait(k, r, now) for k, r in counted), default=0)
    session.commit()
    return wait


def record_success(session: Session, keys: Sequence[Key], *, clock: Clock) -> None:
    """Forget the failures of these keys whose delay had passed (does not commit).

    Pass per-account keys only: forgetting an address's failures on any success would let an
    attacker reset their address's count by signing in to an account of their own.
    """
    now = clock.now()
    done = [k.digest for k, r in _pairs(session, keys) if r is not None and _wait(k, r, now) == 0]
    if done:
        session.execute(delete(ThrottleCounter).where(ThrottleCounter.key.in_(done)))


def hit(session: Session, keys: Sequence[Key], *, clock: Clock) -> int:
    """Count one request under each (cap) key and commit. Returns 0 if it may go ahead, else
    the seconds until the fullest window ends."""
    now = clock.now()
    counted = _count(session, keys, now)
    if any(row.count == 1 for _key, row in counted):
        # A row was written anew (a first request, or a window that had ended): make room
        # for it. Rows are pruned about as often as they are made, so the table stays the
        # size of the live windows, while a busy window's further requests cost one statement.
        prune(session, now=now)
    wait = max((_wait(k, r, now) for k, r in counted), default=0)
    session.commit()
    return wait


def _pairs(session: Session, keys: Sequence[Key]) -> list[tuple[Key, _Row | None]]:
    rows = _rows(session, keys)
    return [(k, rows.get(k.digest)) for k in keys]
