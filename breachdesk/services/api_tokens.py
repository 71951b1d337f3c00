"""Personal access tokens of the JSON API: made, listed, revoked and checked.

A token is ``bd_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is
stored, with its first characters as a hint, so it is shown once, when it is made. Making
and revoking a token are audited in the organisation's chain; using one is not (reads go to
the access log, see :mod:`breachdesk.web.api`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..domain.api_access import MAX_DAYS, Scope, scopes_for
from ..domain.roles import Role
from ..domain.text import N_, single_line
from ..models import ApiToken, Organisation, User
from . import audit
from .audit import Actor
from .clock import Clock
from .incidents import roles_in

PREFIX = "bd_"
#: The prefix and 43 characters; anything much longer is not ours (and is not hashed).
MAX_TOKEN_LENGTH = 100
#: The last use is written at most this often (it is a hint for people, not a log).
TOUCH_EVERY = timedelta(minutes=1)


class TokenRefused(Exception):
    """A token cannot be made as asked; ``message`` is an English template to translate."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Access:
    """A valid token, its user and the user's roles in its organisation right now."""

    token: ApiToken
    user: User
    roles: frozenset[Role]

    @property
    def scope(self) -> Scope:
        return Scope(self.token.scope)

    @property
    def actor(self) -> Actor:
        """The token's user, as the audit trail names them, with the token's id."""
        person = Actor.of(self.user)
        return Actor(person.id, f"{person.label} (API token {self.token.id})")


def token_hash(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(
    session: Session,
    user: User,
    organisation: Organisation,
    *,
    name: str,
    scope: Scope,
    days: int,
    actor: Actor,
    clock: Clock,
) -> tuple[ApiToken, str]:
    """Make a token for ``user`` in ``organisation``; returns the row and the token itself,
    which cannot be read back later (commits).

    Raises:
        TokenRefused: no name, a lifetime out of 1..MAX_DAYS days, or a scope the user's roles
            in the organisation do not allow.
    """
    name = single_line(name)[:100]
    if not name:
        raise TokenRefused(
            N_("Give the token a name, such as the system that will use it."), "name"
        )
    if not 1 <= days <= MAX_DAYS:
        raise TokenRefused(N_("A token lives at least 1 and at most 365 days."), "days")
    if scope not in scopes_for(roles_in(session, user, organisation.id)):
        raise TokenRefused(N_("Your role in this organisation does not allow this scope."), "scope")
    plain = PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(
        user_id=user.id,
        organisation_id=organisation.id,
        name=name,
        scope=scope.value,
        token_hash=token_hash(plain),
        hint=plain[:8],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="api_token.created",
        entity_type="api_token",
        entity_id=token.id,
        organisation_id=organisation.id,
        after={
            "user": user.email,
            "name": name,
            "scope": scope.value,
            "hint": token.hint,
            "expires_at": token.expires_at,
        },
    )
    session.commit()
    return token, plain


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """``user``'s tokens that are not revoked (expired ones too), newest first."""
    return list(
        session.execute(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).scalars()
    )


def revoke(session: Session, user: User, token_id: int, *, actor: Actor, clock: Clock) -> bool:
    """Revoke ``user``'s token ``token_id`` (commits); False if there is no such live token."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = clock.now()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="api_token.revoked",
        entity_type="api_token",
        entity_id=token.id,
        organisation_id=token.organisation_id,
        before={"name": token.name, "scope": token.scope, "hint": token.hint},
    )
    session.commit()
    return True


def check(session: Session, presented: str, *, clock: Clock) -> Access | None:
    """The access a presented token gives, or None: unknown, revoked or expired, its user
    deactivated, or without any role left in its organisation. Looked up by its SHA-256."""
    token = _stored(session, presented)
    now = clock.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    user = token.user
    if not user.active:
        return None
    roles = frozenset(roles_in(session, user, token.organisation_id))
    if not roles:
        return None
    return Access(token, user, roles)


def known(session: Session, presented: str) -> bool:
    """Whether ``presented`` is a token breachdesk made (usable or not): one that is expired,
    revoked or of someone without a role is no guess, and is not counted as one (a forgotten
    job's expired token locked a whole office's address out: found by exploratory testing)."""
    return _stored(session, presented) is not None


def _stored(session: Session, presented: str) -> ApiToken | None:
    """The token row ``presented`` names (looked up by its SHA-256), usable or not."""
    if not presented.startswith(PREFIX) or len(presented) > MAX_TOKEN_LENGTH:
        return None
    return session.execute(
        select(ApiToken).where(ApiToken.token_hash == token_hash(presented))
    ).scalar_one_or_none()


def touch(session: Session, token: ApiToken, *, clock: Clock) -> None:
    """Note that ``token`` was used now, at most once per :data:`TOUCH_EVERY` (commits when
    it writes)."""
    now = clock.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    session.commit()
