"""Inviting a person into an organisation; accepting; withdrawing (see models/invitations.py).

* :func:`invite`: an administrator adds an e-mail address with roles. A person who is already
  a member gets the roles at once (they are on the administrator's list anyway); anyone else
  gets an invitation by mail, whether or not the address has an account elsewhere — the
  administrator's answer is the same, so it reveals nothing about other organisations' people.
* :func:`accept`: the person, signed in to the invited address's account, accepts; or, when
  the address has no account yet, makes one with the invitation (name and password).
* Invitations last 14 days, work once, and can be withdrawn. Everything is audited, in the
  organisation's chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.delivery import Kind
from ..domain.roles import ROLE_LABELS, Role
from ..domain.text import N_, single_line
from ..models import Delivery, Invitation, Organisation, User
from . import audit, signed_tokens
from .audit import Actor
from .clock import Clock
from .delivery import Outgoing, SendContext, Skip, enqueue
from .memberships import members
from .users import (
    UserError,
    create_user,
    find_by_email,
    grant_role,
    normalise_email,
)

LIFETIME = timedelta(days=14)
#: The roles in the mail's Dutch part (the catalogue's words; the mail goes out of any request).
_ROLES_NL = {
    Role.REPORTER: "melder",
    Role.FG: "functionaris gegevensbescherming (FG)",
    Role.ADMIN: "beheerder",
}
PURPOSE = "invitation"


@dataclass(frozen=True)
class InvitationRefused(Exception):
    """The invitation cannot be used; ``message`` is an English template for translation."""

    message: str


def invite(
    session: Session,
    organisation: Organisation,
    email: str,
    roles: list[Role],
    *,
    name: str = "",
    actor: Actor,
    clock: Clock,
) -> bool:
    """Add ``email`` with ``roles`` to ``organisation`` (commits). Returns True when the roles
    were granted at once (already a member), False when an invitation was sent.

    Raises:
        UserError: no valid address or no role.
    """
    address = normalise_email(email)
    if not address or "@" not in address:
        raise UserError(N_("Enter a valid e-mail address."), field="email")
    if not roles:
        raise UserError(N_("Choose at least one role."), field="roles")
    existing = find_by_email(session, address)
    if existing is not None and existing in dict(members(session, organisation)):
        for role in roles:
            grant_role(
                session, existing, organisation, role, actor=actor, clock=clock, commit=False
            )
        session.commit()
        return True
    now = clock.now()
    for earlier in open_invitations(session, organisation, address):
        earlier.withdrawn_at = now  # the newest invitation is the one that counts
    invitation = Invitation(
        organisation_id=organisation.id,
        email=address,
        name=single_line(name)[:200],
        roles=sorted({r.value for r in roles}),
        nonce=signed_tokens.new_nonce(),
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + LIFETIME,
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="invitation.sent",
        entity_type="organisation",
        entity_id=organisation.id,
        organisation_id=organisation.id,
        after={"invitation_id": invitation.id, "roles": invitation.roles},
    )
    enqueue(
        session,
        kind=Kind.INVITATION,
        due_at=now,
        now=now,
        organisation_id=organisation.id,
        label="invitation",
        payload={"invitation_id": invitation.id},
    )
    session.commit()
    return False


def open_invitations(
    session: Session, organisation: Organisation, email: str | None = None
) -> list[Invitation]:
    """Invitations of ``organisation`` not accepted, withdrawn or expired (newest first)."""
    query = select(Invitation).where(
        Invitation.organisation_id == organisation.id,
        Invitation.accepted_at.is_(None),
        Invitation.withdrawn_at.is_(None),
    )
    if email is not None:
        query = query.where(Invitation.email == email)
    return list(session.execute(query.order_by(Invitation.created_at.desc())).scalars())


def withdraw(
    session: Session, organisation: Organisation, invitation_id: int, *, actor: Actor, clock: Clock
) -> bool:
    invitation = session.get(Invitation, invitation_id)
    if (
        invitation is None
        or invitation.organisation_id != organisation.id
        or invitation.accepted_at is not None
        or invitation.withdrawn_at is not None
    ):
        return False
    invitation.withdrawn_at = clock.now()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="invitation.withdrawn",
        entity_type="organisation",
        entity_id=organisation.id,
        organisation_id=organisation.id,
        after={"invitation_id": invitation.id},
    )
    session.commit()
    return True


def link_token(secret_key: str, invitation: Invitation) -> str:
    return signed_tokens.token(secret_key, PURPOSE, invitation.id, invitation.nonce)


def usable(session: Session, token: str, *, secret_key: str, clock: Clock) -> Invitation:
    """The invitation ``token`` names, if it can still be accepted.

    Raises:
        InvitationRefused: unknown, forged, accepted, withdrawn or expired.
    """
    parts = signed_tokens.split(token)
    invitation = session.get(Invitation, parts[0]) if parts else None
    if (
        parts is None
        or invitation is None
        or not signed_tokens.matches(secret_key, PURPOSE, invitation.id, invitation.nonce, parts[1])
        or invitation.withdrawn_at is not None
    ):
        raise InvitationRefused(N_("This invitation is not valid (any more)."))
    if invitation.accepted_at is not None:
        raise InvitationRefused(N_("This invitation has been accepted already."))
    if invitation.expires_at <= clock.now():
        raise InvitationRefused(
            N_("This invitation has expired. Ask the administrator for a new one.")
        )
    return invitation


def _join(
    session: Session, invitation: Invitation, user: User, *, actor: Actor, clock: Clock
) -> None:
    for value in invitation.roles:
        grant_role(
            session, user, invitation.organisation, Role(value), actor=actor, clock=clock,
            commit=False,
        )  # fmt: skip
    invitation.accepted_at = clock.now()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="invitation.accepted",
        entity_type="organisation",
        entity_id=invitation.organisation_id,
        organisation_id=invitation.organisation_id,
        after={"invitation_id": invitation.id, "user_id": user.id},
    )
    session.commit()


def accept(
    session: Session, token: str, user: User, *, secret_key: str, clock: Clock
) -> Invitation:
    """``user`` (signed in) accepts; only the account of the invited address may.

    Raises:
        InvitationRefused: the invitation cannot be used, or is for another address.
    """
    invitation = usable(session, token, secret_key=secret_key, clock=clock)
    if normalise_email(user.email) != invitation.email:
        raise InvitationRefused(
            N_("This invitation is for another e-mail address. Sign out and sign in with it.")
        )
    _join(session, invitation, user, actor=Actor.of(user), clock=clock)
    return invitation


def accept_with_new_account(
    session: Session,
    token: str,
    *,
    name: str,
    password: str,
    secret_key: str,
    clock: Clock,
    hasher: PasswordHasher,
) -> User:
    """Make the invited address's account and join (when it has none).

    Raises:
        InvitationRefused: the invitation cannot be used, or the address has an account
            (then the person signs in to accept).
        UserError: no name or a weak password (nothing is stored).
    """
    invitation = usable(session, token, secret_key=secret_key, clock=clock)
    if find_by_email(session, invitation.email) is not None:
        raise InvitationRefused(N_("This address has an account: sign in to accept."))
    user = create_user(
        session,
        email=invitation.email,
        name=name,
        password=password,
        roles=[],
        actor=Actor(None, "invitation"),
        clock=clock,
        hasher=hasher,
    )
    _join(session, invitation, user, actor=Actor.of(user), clock=clock)
    return user


def prepare(session: Session, row: Delivery, context: SendContext) -> Outgoing | Skip:
    """The delivery handler: the invitation mail with its link (derived now, not stored)."""
    invitation_id = row.payload.get("invitation_id")
    invitation = session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.withdrawn_at is not None
        or invitation.expires_at <= context.now
    ):
        return Skip("not_needed")
    if not context.secret_key:
        raise RuntimeError("no secret key to sign the invitation link")
    link = context.link("uitnodiging/" + link_token(context.secret_key, invitation))
    org = single_line(invitation.organisation.name)
    roles_en = ", ".join(ROLE_LABELS[Role(r)] for r in invitation.roles)
    roles_nl = ", ".join(_ROLES_NL[Role(r)] for r in invitation.roles)
    days = (invitation.expires_at - invitation.created_at).days
    text = f"""\
Je bent uitgenodigd voor breachdesk bij {org} (rollen: {roles_nl}).
breachdesk is waar {org} datalekken meldt en afhandelt. Neem de uitnodiging aan met deze link;
hij werkt één keer en {days} dagen lang:

  {link}

Heb je al een account met dit e-mailadres, log dan in; anders maak je er met de link een.
Verwachtte je dit niet? Dan hoef je niets te doen.

-- English --

You are invited to breachdesk at {org} (roles: {roles_en}).
breachdesk is where {org} reports and handles personal-data breaches. Accept with this link;
it works once and for {days} days:

  {link}

If you have an account with this address, sign in; otherwise the link lets you make one.
Not expecting this? Then do nothing.

--
breachdesk
"""
    return Outgoing(
        recipients=[invitation.email],
        subject=f"Uitnodiging voor breachdesk bij {org} / Invitation to breachdesk at {org}",
        text=text,
        personal=True,  # the inviting administrator must not be able to accept it themselves
    )
