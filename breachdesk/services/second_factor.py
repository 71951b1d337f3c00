"""The second factor: enrolling an authenticator app, checking codes, recovery codes, reset.

The TOTP secret is kept encrypted (Fernet, under a key derived from the installation's secret
key), so a copy of the database alone does not give anyone's codes. A code is accepted once:
the last accepted time step is stored and an older or equal one is refused, so a code read
over a shoulder cannot be replayed within its 30 seconds. Codes one step before or after the
server's time are accepted (phones drift). Recovery codes are stored as SHA-256 digests.

Every change is audited (never the secret or a code): enabled, recovery codes renewed, a
recovery code used (with how many are left), disabled, reset by an administrator or the
command line. Enabling, disabling and resetting end the account's other sessions.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..domain import second_factor as rules
from ..domain.roles import Role
from ..domain.text import N_
from ..models import Membership, Organisation, RecoveryCode, User
from . import audit, sessions
from .audit import Actor
from .clock import Clock

ISSUER = "breachdesk"


#: Why someone whose organisation requires a second factor cannot switch theirs off.
STAYS_ON = N_(
    "Your organisation requires a second factor for your role; it cannot be switched off."
)


@dataclass(frozen=True)
class SecondFactorError(Exception):
    """A code was not accepted; ``message`` is for people (translated by the caller)."""

    message: str


def _box(secret_key: str) -> Fernet:
    key = hashlib.sha256(b"breachdesk-second-factor\0" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(secret_key: str, secret: str) -> str:
    return _box(secret_key).encrypt(secret.encode()).decode()


def _open(secret_key: str, sealed: str) -> str:
    try:
        return _box(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken as error:  # the secret key changed since enrolment
        raise SecondFactorError(
            N_("Your second factor cannot be checked on this server. Ask an administrator.")
        ) from error


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _step(at: datetime) -> int:
    return int(pyotp.TOTP(pyotp.random_base32()).timecode(at))


def required(session: Session, user: User) -> bool:
    """Must ``user`` sign in with a second factor (domain/second_factor.required)?"""
    rows = session.execute(
        select(Membership.organisation_id, Membership.role, Organisation.require_second_factor)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user.id)
    ).all()
    seats: dict[int, tuple[set[Role], bool]] = {}
    for org_id, role, requires in rows:
        seats.setdefault(org_id, (set(), bool(requires)))[0].add(Role(role))
    return rules.required(
        (rules.Seat(frozenset(roles), requires) for roles, requires in seats.values()),
        demo_account=user.is_demo,
    )


def enrolment_secret(session: Session, user: User, *, secret_key: str) -> str:
    """The secret being enrolled (made and kept encrypted on first call; commits)."""
    if user.totp_pending:
        try:
            return _open(secret_key, user.totp_pending)
        except SecondFactorError:
            pass  # made under an older key: start again
    secret = pyotp.random_base32()
    user.totp_pending = _seal(secret_key, secret)
    session.commit()
    return secret


def provisioning_uri(user: User, secret: str, *, issuer: str = ISSUER) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _matching_step(secret: str, code: str, at: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    now = _step(at)
    for step in (now, now - 1, now + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def confirm_enrolment(
    session: Session, user: User, typed: str, *, secret_key: str, clock: Clock, keep: object
) -> list[str]:
    """Switch the second factor on with the first code from the app; returns the recovery
    codes to show once. Other sessions of the account end (commits).

    Raises:
        SecondFactorError: no enrolment started, or the code does not match.
    """
    code = rules.normalise_totp(typed)
    if not user.totp_pending:
        raise SecondFactorError(N_("Start again: scan the new QR code."))
    secret = _open(secret_key, user.totp_pending)
    step = _matching_step(secret, code, clock.now()) if code else None
    if step is None:
        raise SecondFactorError(N_("This code is not right. Type the 6 digits your app shows now."))
    user.totp_secret = user.totp_pending
    user.totp_pending = None
    user.totp_enabled_at = clock.now()
    user.totp_last_step = step
    codes = _replace_codes(session, user, clock=clock)
    sessions.end_all(session, user, because="second_factor", clock=clock, keep=keep)
    _audit(session, user, "user.second_factor_enabled", Actor.of(user), clock)
    session.commit()
    return codes


def _replace_codes(session: Session, user: User, *, clock: Clock) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = rules.new_recovery_codes()
    now = clock.now()
    for code in codes:
        normal = rules.normalise_recovery_code(code) or code
        session.add(RecoveryCode(user_id=user.id, digest=_digest(normal), created_at=now))
    return codes


def renew_recovery_codes(session: Session, user: User, *, clock: Clock) -> list[str]:
    """Ten new recovery codes; the old ones stop working (commits)."""
    if not user.has_second_factor:
        raise SecondFactorError(N_("Switch on the second factor first."))
    codes = _replace_codes(session, user, clock=clock)
    _audit(session, user, "user.recovery_codes_renewed", Actor.of(user), clock)
    session.commit()
    return codes


def codes_left(session: Session, user: User) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def verify(
    session: Session,
    user: User,
    typed: str,
    *,
    secret_key: str,
    clock: Clock,
    signing_in: bool = False,
) -> str:
    """Check a code: ``"totp"`` or ``"recovery"`` when accepted (commits). ``signing_in``:
    the second step of a sign-in, audited as the sign-in itself.

    Raises:
        SecondFactorError: not accepted (wrong, already used, or no second factor).
    """
    if not user.totp_secret:
        raise SecondFactorError(N_("This account has no second factor."))
    now = clock.now()
    totp = rules.normalise_totp(typed)
    if totp is not None:
        step = _matching_step(_open(secret_key, user.totp_secret), totp, now)
        if step is None:
            raise SecondFactorError(N_("This code is not right, or it has expired."))
        used = SecondFactorError(
            N_("This code was used already. Wait for the next one in your app.")
        )
        if user.totp_last_step is not None and step <= user.totp_last_step:
            raise used
        # Claimed in the database, not only in this copy of the row: the same code sent to
        # several workers at once signed three sessions in (found by exploratory testing).
        claimed = session.execute(
            update(User)
            .where(
                User.id == user.id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            raise used
        set_committed_value(user, "totp_last_step", step)
        if signing_in:
            _audit(
                session, user, "user.signed_in", Actor.of(user), clock, {"second_factor": "totp"}
            )
        session.commit()
        return "totp"
    recovery = rules.normalise_recovery_code(typed)
    row = (
        session.scalars(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.digest == _digest(recovery),
                RecoveryCode.used_at.is_(None),
            )
        ).first()
        if recovery
        else None
    )
    if row is None:
        raise SecondFactorError(N_("This code is not right, or it has expired."))
    row.used_at = now
    session.flush()
    _audit(
        session,
        user,
        "user.recovery_code_used",
        Actor.of(user),
        clock,
        after={"codes_left": codes_left(session, user)},
    )
    if signing_in:
        _audit(
            session, user, "user.signed_in", Actor.of(user), clock, {"second_factor": "recovery"}
        )
    session.commit()
    return "recovery"


def disable(session: Session, user: User, typed: str, *, secret_key: str, clock: Clock) -> None:
    """The person switches their second factor off, confirming with a code (commits).

    Raises:
        SecondFactorError: their organisation requires it, or the code is not accepted.
    """
    if required(session, user):
        raise SecondFactorError(STAYS_ON)
    verify(session, user, typed, secret_key=secret_key, clock=clock)
    _clear(session, user)
    _audit(session, user, "user.second_factor_disabled", Actor.of(user), clock)
    session.commit()


def set_required(
    session: Session, organisation: Organisation, wanted: bool, *, actor: Actor, clock: Clock
) -> None:
    """Require (or not) a second factor of the organisation's FG and administrators (commits)."""
    if organisation.require_second_factor == wanted:
        return
    organisation.require_second_factor = wanted
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="organisation.second_factor_required"
        if wanted
        else "organisation.second_factor_optional",
        entity_type="organisation",
        entity_id=organisation.id,
        organisation_id=organisation.id,
        after={"require_second_factor": wanted},
    )
    session.commit()


def may_reset(session: Session, admin: User, target: User) -> bool:
    """An administrator may reset someone's second factor only when they administer every
    organisation that person belongs to: an administrator of one small organisation must not
    weaken the sign-in of an FG who serves many. Never their own: they switch it off on their
    account page, which asks for a code (and refuses while their organisation requires it)."""
    return target.id in resettable(session, admin, [target])


def resettable(session: Session, admin: User, people: Iterable[User]) -> set[int]:
    """The ids of ``people`` whose second factor ``admin`` may reset (see :func:`may_reset`),
    in two queries, for a list of people."""
    ids = {person.id for person in people if person.id != admin.id}
    if not ids:
        return set()
    mine = set(
        session.scalars(
            select(Membership.organisation_id).where(
                Membership.user_id == admin.id, Membership.role == Role.ADMIN.value
            )
        )
    )
    theirs: dict[int, set[int]] = {}
    for user_id, organisation_id in session.execute(
        select(Membership.user_id, Membership.organisation_id).where(Membership.user_id.in_(ids))
    ):
        theirs.setdefault(user_id, set()).add(organisation_id)
    return {user_id for user_id, orgs in theirs.items() if orgs <= mine}


def reset(session: Session, user: User, *, actor: Actor, by: str, clock: Clock) -> None:
    """Remove the second factor of ``user`` (lost phone): they enrol again at their next
    sign-in, if required. Every session of the account ends (commits)."""
    _clear(session, user)
    sessions.end_all(session, user, because="second_factor_reset", clock=clock)
    _audit(session, user, "user.second_factor_reset", actor, clock, after={"by": by})
    session.commit()


def _clear(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_pending = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _audit(
    session: Session,
    user: User,
    action: str,
    actor: Actor,
    clock: Clock,
    after: dict[str, object] | None = None,
) -> None:
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action=action,
        entity_type="user",
        entity_id=user.id,
        organisation_id=None,
        after=after,
    )
