"""Getting back into an account: a single-use, short-lived link to set a new password.

Three ways to ask for one, each audited: the person themselves from the sign-in page (the
answer is the same whether or not the address has an account, so nobody learns who has one),
an administrator of one of the person's organisations, and the command line (which prints the
link for the server's administrator to pass on). A mailed link is a delivery row (the one
engine); its token is derived when sending, never stored. A new link makes the earlier ones
unusable; using one sets the password and ends every session of the account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import update
from sqlalchemy.orm import Session

from ..domain.delivery import Kind
from ..domain.text import N_
from ..models import Delivery, PasswordReset, User
from . import audit, signed_tokens
from .audit import Actor
from .clock import Clock
from .delivery import Outgoing, SendContext, Skip, enqueue
from .users import find_by_email, set_password

#: How long a link works: by mail and from an administrator, and from the command line.
MAIL_LIFETIME = timedelta(minutes=30)
CLI_LIFETIME = timedelta(hours=24)
PURPOSE = "password-reset"


@dataclass(frozen=True)
class ResetRefused(Exception):
    """The link cannot be used (unknown, used, expired, replaced); ``message`` for people."""

    message: str


def _new(
    session: Session, user: User, *, by: str, lifetime: timedelta, actor: Actor, clock: Clock
) -> PasswordReset:
    now = clock.now()
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)  # replaced: an earlier link no longer works
    )
    reset = PasswordReset(
        user_id=user.id,
        nonce=signed_tokens.new_nonce(),
        requested_by=by,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(reset)
    session.flush()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="user.password_reset_requested",
        entity_type="user",
        entity_id=user.id,
        organisation_id=None,
        after={"by": by, "expires_at": reset.expires_at.isoformat()},
    )
    return reset


def mail_link(session: Session, user: User, *, by: str, actor: Actor, clock: Clock) -> None:
    """Plan the mail with a new reset link to ``user`` (commits)."""
    reset = _new(session, user, by=by, lifetime=MAIL_LIFETIME, actor=actor, clock=clock)
    enqueue(
        session,
        kind=Kind.PASSWORD_RESET,
        due_at=reset.created_at,
        now=reset.created_at,
        organisation_id=None,
        label=by,
        payload={"reset_id": reset.id},
    )
    session.commit()


def request_by_email(session: Session, email: str, *, clock: Clock) -> None:
    """The sign-in page's "forgot password": a link if the address has an active account;
    nothing otherwise. The caller shows the same answer either way."""
    user = find_by_email(session, email)
    if user is None or not user.active:
        return
    mail_link(session, user, by="self", actor=Actor.of(user), clock=clock)


def cli_link(session: Session, user: User, *, secret_key: str, clock: Clock) -> str:
    """A reset token for the command line to print (valid 24 hours; commits)."""
    reset = _new(
        session, user, by="cli", lifetime=CLI_LIFETIME, actor=Actor.system("cli"), clock=clock
    )
    session.commit()
    return signed_tokens.token(secret_key, PURPOSE, reset.id, reset.nonce)


def usable(session: Session, token: str, *, secret_key: str, clock: Clock) -> PasswordReset:
    """The reset ``token`` names, if it can still be used.

    Raises:
        ResetRefused: unknown or forged, used or replaced, or expired.
    """
    parts = signed_tokens.split(token)
    reset = session.get(PasswordReset, parts[0]) if parts else None
    if (
        parts is None
        or reset is None
        or not signed_tokens.matches(secret_key, PURPOSE, reset.id, reset.nonce, parts[1])
    ):
        raise ResetRefused(N_("This link is not valid. Ask for a new one."))
    if reset.used_at is not None:
        raise ResetRefused(N_("This link has been used or replaced by a newer one."))
    if reset.expires_at <= clock.now():
        raise ResetRefused(N_("This link has expired. Ask for a new one."))
    user = session.get(User, reset.user_id)
    if user is None or not user.active:
        raise ResetRefused(N_("This link is not valid. Ask for a new one."))
    return reset


def complete(
    session: Session,
    token: str,
    password: str,
    *,
    secret_key: str,
    clock: Clock,
    hasher: PasswordHasher,
) -> User:
    """Set the new password with ``token`` (once), ending every session (commits).

    Raises:
        ResetRefused: the link cannot be used.
        UserError: the password is too short (nothing is changed).
    """
    reset = usable(session, token, secret_key=secret_key, clock=clock)
    user = session.get_one(User, reset.user_id)
    reset.used_at = clock.now()
    set_password(session, user, password, actor=Actor.of(user), clock=clock, hasher=hasher)
    return user


def prepare(session: Session, row: Delivery, context: SendContext) -> Outgoing | Skip:
    """The delivery handler: the mail with the link (derived now, never stored)."""
    reset_id = row.payload.get("reset_id")
    reset = session.get(PasswordReset, reset_id) if isinstance(reset_id, int) else None
    if reset is None or reset.used_at is not None or reset.expires_at <= context.now:
        return Skip("not_needed")
    user = session.get(User, reset.user_id)
    if user is None or not user.active:
        return Skip("not_needed")
    if not context.secret_key:
        raise RuntimeError("no secret key to sign the reset link")
    link = context.link(
        "wachtwoord/" + signed_tokens.token(context.secret_key, PURPOSE, reset.id, reset.nonce)
    )
    minutes = int((reset.expires_at - reset.created_at).total_seconds() // 60)
    if reset.requested_by == "admin":
        # An administrator asked: "did you not ask for this? do nothing" was wrong here
        # (found by exploratory testing).
        asked_nl = "Een beheerder van je organisatie heeft een nieuw wachtwoord voor je"
        asked_nl += f" breachdesk-account ({user.email}) aangevraagd."
        unasked_nl = (
            "Verwachtte je dit niet? Neem dan contact op met je beheerder; zolang je de link\n"
            "niet gebruikt, blijft je wachtwoord zoals het was."
        )
        asked_en = "An administrator of your organisation asked for a new password for your\n"
        asked_en += f"breachdesk account ({user.email})."
        unasked_en = (
            "Did you not expect this? Then contact your administrator; as long as the link is\n"
            "not used, your password stays as it was."
        )
    else:
        asked_nl = (
            f"Er is gevraagd om een nieuw wachtwoord voor je breachdesk-account ({user.email})."
        )
        unasked_nl = (
            "Heb je dit niet zelf\ngevraagd? Dan hoef je niets te doen: je wachtwoord blijft "
            "zoals het was."
        )
        asked_en = f"A new password was asked for your breachdesk account ({user.email})."
        unasked_en = "Did you not ask for\nthis? Then do nothing: your password stays as it was."
    text = f"""\
{asked_nl}
Kies een nieuw wachtwoord met deze link; hij werkt één keer en {minutes} minuten lang:

  {link}

Daarna ben je overal afgemeld en log je in met het nieuwe wachtwoord. {unasked_nl}

-- English --

{asked_en}
Choose a new password with this link; it works once and for {minutes} minutes:

  {link}

You are then signed out everywhere and sign in with the new password. {unasked_en}

--
breachdesk
"""
    return Outgoing(
        recipients=[user.email],
        subject="Nieuw wachtwoord voor breachdesk / A new password for breachdesk",
        text=text,
        personal=True,
    )
