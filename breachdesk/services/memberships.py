"""Who holds which role where: the reading side of memberships (the top bar's
organisations, an organisation's people, the FGs to remind). Granting and revoking roles is
in :mod:`.users`, with the audit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from ..domain.roles import Role
from ..models import Membership, Organisation, User


@dataclass(frozen=True)
class OrgRoles:
    organisation: Organisation
    roles: frozenset[Role]


def roles_by_organisation(session: Session, user: User) -> list[OrgRoles]:
    """The organisations ``user`` belongs to, with their roles there, sorted by name."""
    grouped: dict[int, set[Role]] = defaultdict(set)
    orgs: dict[int, Organisation] = {}
    rows = session.execute(
        select(Membership, Organisation)
        .join(Organisation, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id)
        # Every page asks this (the top bar); an organisation's profile is a JSON document of
        # 10-20 kB that few pages read, and then load on first use.
        .options(defer(Organisation.profile))
    ).all()
    for membership, organisation in rows:
        grouped[organisation.id].add(Role(membership.role))
        orgs[organisation.id] = organisation
    return sorted(
        (OrgRoles(orgs[oid], frozenset(roles)) for oid, roles in grouped.items()),
        key=lambda item: item.organisation.name.lower(),
    )


def members(session: Session, organisation: Organisation) -> list[tuple[User, frozenset[Role]]]:
    """The people with any role in ``organisation`` and their roles, sorted by name."""
    grouped: dict[int, set[Role]] = defaultdict(set)
    users: dict[int, User] = {}
    rows = session.execute(
        select(Membership, User)
        .join(User, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id)
    ).all()
    for membership, user in rows:
        grouped[user.id].add(Role(membership.role))
        users[user.id] = user
    return sorted(
        ((users[uid], frozenset(roles)) for uid, roles in grouped.items()),
        key=lambda item: item[0].name.lower(),
    )


def users_with_role(session: Session, organisation_id: int, role: Role) -> list[User]:
    return list(
        session.execute(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == organisation_id,
                Membership.role == role.value,
                User.active.is_(True),
            )
            .order_by(User.name)
        ).scalars()
    )
