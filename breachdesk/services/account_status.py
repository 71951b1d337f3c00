"""Switching an account off and on again: deactivation ends its sessions and revokes what
lets other systems act for it (API tokens, calendar link); reactivation lets it sign in again
only with a new password chosen through a reset link. Both audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.text import N_
from ..models import ApiToken, User
from . import audit, sessions
from .audit import Actor
from .clock import Clock
from .users import UserError


def set_active(session: Session, user: User, active: bool, *, actor: Actor, clock: Clock) -> None:
    """Enable or disable sign-in for ``user``."""
    if user.active == active:
        return
    before = {"active": user.active}
    after: dict[str, object] = {"active": active}
    user.active = active
    if not active:
        sessions.end_all(session, user, because="deactivated", clock=clock)
        after.update(_end_credentials(session, user, clock))
    user.version = User.version + 1
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="user.activated" if active else "user.deactivated",
        entity_type="user",
        entity_id=user.id,
        organisation_id=None,
        before=before,
        after=after,
    )
    session.commit()


def _end_credentials(session: Session, user: User, clock: Clock) -> dict[str, object]:
    """Revoke what lets another system act or read for ``user`` without signing in: their
    API tokens and calendar link. Reactivating the account must not bring them back (it did:
    found by exploratory testing), as it does not bring back the old password or sessions."""
    now = clock.now()
    tokens = list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        )
    )
    for token in tokens:
        token.revoked_at = now
    calendar = user.calendar_token_hash is not None
    user.calendar_token_hash = None
    user.calendar_token_created_at = None
    return {"api_tokens_revoked": len(tokens), "calendar_link_revoked": calendar}


#: Stored instead of a password hash while nobody knows a password: never accepted (argon2
#: refuses it as a hash), so only a reset link sets one.
NO_PASSWORD = "!"  # noqa: S105 - not a password: the marker that there is none


def reactivate(session: Session, user: User, *, actor: Actor, clock: Clock) -> None:
    """Let a deactivated account sign in again once the person has chosen a new password
    (through a reset link): the old password stops working, since whoever knew it when the
    account was switched off must not be let back in with it. The sessions that deactivation
    ended stay ended; roles and second factor are kept. Audited (commits).

    Raises:
        UserError: the account is active (nothing is changed).
    """
    if user.active:
        raise UserError(N_("This account is active."))
    user.active = True
    user.password_hash = NO_PASSWORD
    user.version = User.version + 1
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="user.activated",
        entity_type="user",
        entity_id=user.id,
        organisation_id=None,
        before={"active": False},
        after={"active": True, "password": "to be chosen"},
    )
    session.commit()
