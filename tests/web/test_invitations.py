"""Accounts stay in their organisation: adding a person sends an invitation to accept, and an
administrator learns nothing about accounts of other organisations (issue 15)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Invitation, Membership, Organisation, User
from breachdesk.services.clock import FixedClock

from ..conftest import PASSWORD, MakeUser, deliver_now, login, outbox_messages

ADD = "/admin/organisations/kruix/users/"


def invite(client: Any, email: str, roles: list[str]) -> str:
    response = client.post(ADD, data={"email": email, "name": "", "roles": roles})
    assert response.status_code == 302
    page = client.get(ADD).get_data(as_text=True)
    return " ".join(re.findall(r'role="status">([^<]*)<', page))


def invitation_path(app: Flask, email: str) -> str:
    deliver_now(app)
    mails = [p.read_text(encoding="utf-8") for p in outbox_messages(app)]
    found = [m for m in mails if f"To: {email}" in m]
    assert found, mails
    match = re.search(r"https?://[^/\s]+(/uitnodiging/[\w-]+)", found[-1].replace("=\n", ""))
    assert match
    return match.group(1)


def roles_of(email: str, org: Organisation) -> set[str]:
    return set(
        db.session.execute(
            select(Membership.role)
            .join(User, User.id == Membership.user_id)
            .where(User.email == email, Membership.organisation_id == org.id)
        ).scalars()
    )


def test_an_account_elsewhere_is_invited_not_attached_and_nothing_is_revealed(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@kruix.nl", (orgs["kruix"], Role.ADMIN))
    make_user("fg@luxigo.nl", (orgs["luxigo"], Role.FG))
    login(client, "admin@kruix.nl")
    said_elsewhere = invite(client, "fg@luxigo.nl", ["fg"])
    said_new = invite(client, "nog.niemand@x.nl", ["reporter"])
    # The same words for both (only the address differs), and no name of the other person.
    assert said_elsewhere.replace("fg@luxigo.nl", "X") == said_new.replace("nog.niemand@x.nl", "X")
    page = client.get(ADD).get_data(as_text=True)
    assert "Demo" not in page and roles_of("fg@luxigo.nl", orgs["kruix"]) == set()
    assert 'id="invitations"' in page and "fg@luxigo.nl" in page
    # The person signs in with their own account and accepts.
    path = invitation_path(app, "fg@luxigo.nl")
    person = app.test_client()
    anonymous = person.get(path).get_data(as_text=True)
    assert "Log in" in anonymous or "Inloggen" in anonymous
    login(person, "fg@luxigo.nl")
    assert person.post(path).status_code == 302
    assert roles_of("fg@luxigo.nl", orgs["kruix"]) == {"fg"}
    assert person.get(path).status_code == 410  # once


def test_a_new_address_makes_its_account_with_the_invitation(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@kruix.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@kruix.nl")
    invite(client, "nieuw@kruix.nl", ["reporter", "fg"])
    path = invitation_path(app, "nieuw@kruix.nl")
    person = app.test_client()
    short = person.post(
        path, data={"name": "Nieuwe Collega", "password": "kort", "confirm": "kort"}
    )
    assert short.status_code == 422 and 'value="Nieuwe Collega"' in short.get_data(as_text=True)
    assert db.session.execute(select(User).where(User.email == "nieuw@kruix.nl")).first() is None
    made = person.post(
        path, data={"name": "Nieuwe Collega", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert made.status_code == 302
    assert roles_of("nieuw@kruix.nl", orgs["kruix"]) == {"reporter", "fg"}
    login(person, "nieuw@kruix.nl")
    assert person.get("/account").status_code == 200


def test_wrong_account_withdrawn_and_expired_invitations_are_refused(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    make_user("admin@kruix.nl", (orgs["kruix"], Role.ADMIN))
    make_user("iemand@x.nl", (orgs["luxigo"], Role.REPORTER))
    make_user("ander@x.nl", (orgs["luxigo"], Role.REPORTER))
    login(client, "admin@kruix.nl")
    invite(client, "iemand@x.nl", ["reporter"])
    path = invitation_path(app, "iemand@x.nl")
    other = app.test_client()
    login(other, "ander@x.nl")
    refused = other.post(path)
    assert refused.status_code == 409 and 'id="invitation-refused"' in refused.get_data(
        as_text=True
    )
    assert roles_of("ander@x.nl", orgs["kruix"]) == set()
    invitation = db.session.execute(select(Invitation)).scalar_one()
    assert client.post(f"{ADD}invitations/{invitation.id}/withdraw").status_code == 302
    assert other.get(path).status_code == 410
    invite(client, "iemand@x.nl", ["reporter"])
    fresh = invitation_path(app, "iemand@x.nl")
    clock.advance(days=15)
    assert other.get(fresh).status_code == 410


def test_a_member_gets_the_roles_at_once(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@kruix.nl", (orgs["kruix"], Role.ADMIN))
    make_user("r@kruix.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "admin@kruix.nl")
    invite(client, "r@kruix.nl", ["fg"])
    assert roles_of("r@kruix.nl", orgs["kruix"]) == {"reporter", "fg"}
    assert db.session.execute(select(Invitation)).first() is None


def test_the_inviting_administrator_cannot_read_the_invitation_link(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """The link accepts the invitation and tells whether the address has an account: it is
    meant for the person invited, so it stays out of the organisation's outbox."""
    make_user("admin@kruix.nl", (orgs["kruix"], Role.ADMIN))
    make_user("fg@luxigo.nl", (orgs["luxigo"], Role.FG))
    login(client, "admin@kruix.nl")
    invite(client, "fg@luxigo.nl", ["fg"])
    invite(client, "nog.niemand@x.nl", ["reporter"])
    path = invitation_path(app, "nog.niemand@x.nl")  # mailed, to the person invited
    token = path.rsplit("/", 1)[1]
    files = outbox_messages(app)
    assert {f.parent.name for f in files} == {"_system"}
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert "Uitnodiging" not in outbox and "nog.niemand@x.nl" not in outbox
    for listed in re.findall(r'href="(/admin/outbox/[^"]+)"', outbox):
        assert token not in client.get(listed).get_data(as_text=True)
    for mail in files:
        assert client.get(f"/admin/outbox/_system/{mail.name}").status_code == 404
