"""User accounts, roles per organisation, passwords and sign-in (switching an account off
and on again is :mod:`.account_status`)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.roles import Role
from ..domain.text import N_
from ..models import ApiToken, Membership, Organisation, User
from . import audit, sessions
from .audit import Actor
from .clock import Clock
from .versioning import StaleEdit, last_change, lock_row

MIN_PASSWORD_LENGTH = 12


class UserError(ValueError):
    """A request about users that cannot be carried out; the message says why."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def make_hasher(
    time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4
) -> PasswordHasher:
    """An argon2id hasher; tests pass cheap parameters."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password(password: str) -> None:
    """Raises UserError when ``password`` is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )


def generate_password() -> str:
    """A random password of 16 URL-safe characters (about 96 bits)."""
    return secrets.token_urlsafe(12)


def find_by_email(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    roles: list[tuple[Organisation, Role]],
    actor: Actor,
    clock: Clock,
    hasher: PasswordHasher,
    is_demo: bool = False,
) -> User:
    """Create an account with its roles; one audit event per organisation involved.

    Raises:
        UserError: e-mail already in use, empty name or weak password.
    """
    email = normalise_email(email)
    if not email or "@" not in email:
        raise UserError(N_("Enter a valid e-mail address."), field="email")
    if find_by_email(session, email) is not None:
        raise UserError(N_("There is already an account with this e-mail address."), field="email")
    if not name.strip():
        raise UserError(N_("Enter a name."), field="name")
    check_password(password)
    now = clock.now()
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hasher.hash(password),
        active=True,
        is_demo=is_demo,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="user.created",
        entity_type="user",
        entity_id=user.id,
        organisation_id=None,
        after={"email": user.email, "name": user.name, "is_demo": is_demo},
    )
    for organisation, role in roles:
        _grant(session, user, organisation, role, actor=actor, clock=clock)
    session.commit()
    return user


def _grant(
    session: Session,
    user: User,
    organisation: Organisation,
    role: Role,
    *,
    actor: Actor,
    clock: Clock,
) -> bool:
    exists = session.execute(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.organisation_id == organisation.id,
            Membership.role == role.value,
        )
    ).scalar_one_or_none()
    if exists is not None:
        return False
    session.add(
        Membership(
            user_id=user.id,
            organisation_id=organisation.id,
            role=role.value,
            created_at=clock.now(),
        )
    )
    user.version = User.version + 1  # in SQL: concurrent role changes cannot both win
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="role.granted",
        entity_type="user",
        entity_id=user.id,
        organisation_id=organisation.id,
        after={"user": user.email, "role": role.value},
    )
    return True


def grant_role(
    session: Session,
    user: User,
    organisation: Organisation,
    role: Role,
    *,
    actor: Actor,
    clock: Clock,
    commit: bool = True,
) -> bool:
    """Give ``user`` ``role`` in ``organisation``; False when they already had it.

    With ``commit=False`` the caller's transaction stays open (the role is part of a larger
    change, such as creating the organisation).
    """
    granted = _grant(session, user, organisation, role, actor=actor, clock=clock)
    if commit:
        session.commit()
    return granted


def revoke_role(
    session: Session,
    user: User,
    organisation: Organisation,
    role: Role,
    *,
    actor: Actor,
    clock: Clock,
) -> None:
    """Take ``role`` away; refuses to remove the last administrator of an organisation.

    Raises:
        UserError: the user does not hold the role, or it would leave no administrator.
    """
    _revoke(session, user, organisation, role, actor=actor, clock=clock)
    session.commit()


def _revoke(
    session: Session,
    user: User,
    organisation: Organisation,
    role: Role,
    *,
    actor: Actor,
    clock: Clock,
) -> None:
    membership = session.execute(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.organisation_id == organisation.id,
            Membership.role == role.value,
        )
    ).scalar_one_or_none()
    if membership is None:
        raise UserError(N_("This person does not have that role."))
    if role is Role.ADMIN:
        admins = session.execute(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.organisation_id == organisation.id, Membership.role == Role.ADMIN.value
            )
        ).scalar_one()
        if admins <= 1:
            raise UserError(N_("An organisation needs at least one administrator."))
    session.delete(membership)
    session.flush()
    user.version = User.version + 1
    after: dict[str, object] | None = None
    if not session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.user_id == user.id, Membership.organisation_id == organisation.id)
    ):
        # No role left here: the person's API tokens for this organisation end for good.
        # They only stopped answering, and a role given back later revived them (found by
        # exploratory testing), also a token that had leaked meanwhile.
        tokens = list(
            session.scalars(
                select(ApiToken).where(
                    ApiToken.user_id == user.id,
                    ApiToken.organisation_id == organisation.id,
                    ApiToken.revoked_at.is_(None),
                )
            )
        )
        for token in tokens:
            token.revoked_at = clock.now()
        after = {"api_tokens_revoked": len(tokens)}
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="role.revoked",
        entity_type="user",
        entity_id=user.id,
        organisation_id=organisation.id,
        before={"user": user.email, "role": role.value},
        after=after,
    )


ROLE_ACTIONS = ("role.granted", "role.revoked")


def set_roles(
    session: Session,
    user: User,
    organisation: Organisation,
    wanted: set[Role],
    *,
    actor: Actor,
    clock: Clock,
    seen_version: int | None = None,
) -> bool:
    """Give ``user`` exactly the roles ``wanted`` in ``organisation``, in one transaction.

    ``seen_version`` is the account version the administrator's page showed. Returns False
    when nothing changed.

    Raises:
        UserError: it would leave the organisation without an administrator (nothing saved).
        StaleEdit: the account's roles or status were changed after the page was loaded.
    """
    lock_row(session, user)
    session.refresh(user, ["version"])
    if seen_version is not None and seen_version != user.version:
        by, at = last_change(session, ("user", user.id), ROLE_ACTIONS)
        raise StaleEdit(user.version, by, at)
    current = {
        Role(value)
        for value in session.execute(
            select(Membership.role).where(
                Membership.user_id == user.id, Membership.organisation_id == organisation.id
            )
        ).scalars()
    }
    try:
        for role in sorted(wanted - current):
            _grant(session, user, organisation, role, actor=actor, clock=clock)
        for role in sorted(current - wanted):
            _revoke(session, user, organisation, role, actor=actor, clock=clock)
    except UserError:
        session.rollback()
        raise
    session.commit()
    return wanted != current


def set_password(
    session: Session,
    user: User,
    password: str,
    *,
    actor: Actor,
    clock: Clock,
    hasher: PasswordHasher,
    keep_session: str | None = None,
) -> None:
    """Replace the password (the audit event records that it changed, never the value) and
    end the account's other sessions (``keep_session``: the token of the one to keep)."""
    check_password(password)
    user.password_hash = hasher.hash(password)
    # A changed password ends every other session: whoever else held one is out at once.
    sessions.end_all(session, user, because="password_changed", clock=clock, keep=keep_session)
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="user.password_changed",
        entity_type="user",
        entity_id=user.id,
        organisation_id=None,
    )
    session.commit()


# A real hash of a random password, so that sign-in for an unknown e-mail address takes as
# long as for a known one and does not reveal which addresses have accounts.
_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def authenticate(
    session: Session, email: str, password: str, *, hasher: PasswordHasher, clock: Clock
) -> User | None:
    """Return the active user with these credentials, or None. Records successful sign-ins."""
    user = find_by_email(session, email)
    if user is None or not user.active:
        params = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        dummy = _DUMMY_HASHES.setdefault(params, hasher.hash(generate_password()))
        try:
            hasher.verify(dummy, password)
        except VerificationError:
            pass
        return None
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = clock.now()
    audit.record(
        session,
        clock=clock,
        actor=Actor.of(user),
        # With a second factor, the password is only the first step (second_factor.verify
        # records the sign-in once the code is accepted).
        action="user.password_accepted" if user.totp_enabled_at else "user.signed_in",
        entity_type="user",
        entity_id=user.id,
        organisation_id=None,
    )
    session.commit()
    return user
