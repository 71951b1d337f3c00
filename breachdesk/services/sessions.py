"""Server-side sign-in sessions: start, check, end (see models/sessions.py for why)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import User, UserSession
from . import audit
from .audit import Actor
from .clock import Clock

#: Ended and expired rows are deleted this long after (they only serve the account page).
KEEP_ENDED = timedelta(days=30)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User, *, clock: Clock, lifetime: timedelta) -> str:
    """A new session for ``user`` (commits); returns the token for the cookie."""
    now = clock.now()
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(id=_digest(token), user_id=user.id, created_at=now, expires_at=now + lifetime)
    )
    # The user's long-gone sessions are cleared here, not by a job: one indexed delete.
    session.execute(
        UserSession.__table__.delete().where(
            UserSession.user_id == user.id, UserSession.expires_at < now - KEEP_ENDED
        )
    )
    session.commit()
    return token


def current(session: Session, token: object, *, clock: Clock) -> UserSession | None:
    """The live session of ``token`` (from the cookie), or None: unknown, ended or expired."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    row = session.get(UserSession, _digest(token))
    if row is None or row.ended_at is not None or row.expires_at <= clock.now():
        return None
    return row


def signed_in_user(session: Session, token: object, user_id: str, *, clock: Clock) -> User | None:
    """The active user ``user_id`` if ``token`` (from the cookie) is a live session of theirs:
    not signed out, not ended, not expired. One query (every request asks it)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100 or not user_id.isdigit():
        return None
    return session.execute(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.id == _digest(token),
            UserSession.user_id == int(user_id),
            UserSession.ended_at.is_(None),
            UserSession.expires_at > clock.now(),
            User.active.is_(True),
        )
    ).scalar_one_or_none()


def end(session: Session, token: object, *, clock: Clock) -> None:
    """End the session of ``token`` (signing out; commits)."""
    if isinstance(token, str):
        session.execute(
            update(UserSession)
            .where(UserSession.id == _digest(token), UserSession.ended_at.is_(None))
            .values(ended_at=clock.now(), ended_because="signed_out")
        )
        session.commit()


def end_all(
    session: Session,
    user: User,
    *,
    because: str,
    clock: Clock,
    keep: object = None,
    actor: Actor | None = None,
) -> int:
    """End every live session of ``user`` except the one of ``keep``; audited when any ended
    (no commit: it belongs to the caller's change, e.g. the new password). Returns how many."""
    now = clock.now()
    query = update(UserSession).where(
        UserSession.user_id == user.id,
        UserSession.ended_at.is_(None),
        UserSession.expires_at > now,
    )
    if isinstance(keep, str):
        query = query.where(UserSession.id != _digest(keep))
    result = session.execute(query.values(ended_at=now, ended_because=because))
    ended = int(getattr(result, "rowcount", 0) or 0)
    if ended and actor is not None:
        audit.record(
            session,
            clock=clock,
            actor=actor,
            action="user.sessions_ended",
            entity_type="user",
            entity_id=user.id,
            organisation_id=None,
            after={"ended": ended, "because": because},
        )
    return ended


def live(session: Session, user: User, *, clock: Clock) -> list[UserSession]:
    """The user's live sessions, newest first (the account page)."""
    return list(
        session.execute(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
                UserSession.expires_at > clock.now(),
            )
            .order_by(UserSession.created_at.desc())
        ).scalars()
    )


def ends_at(row: UserSession) -> datetime:
    return row.expires_at
