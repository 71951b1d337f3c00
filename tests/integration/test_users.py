"""Accounts, roles and sign-in."""

from __future__ import annotations

import pytest
from flask import Flask

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.services import account_status, memberships
from breachdesk.services import users as user_service
from breachdesk.services.clock import FixedClock

from ..conftest import PASSWORD, TEST_ACTOR, MakeUser


def test_sign_in(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    hasher = app.extensions["breachdesk"].hasher
    user = make_user("Anna@Example.nl", (orgs["kruix"], Role.REPORTER))
    assert user.email == "anna@example.nl"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    found = user_service.authenticate(
        db.session, " ANNA@example.nl ", PASSWORD, hasher=hasher, clock=clock
    )
    assert found is not None and found.id == user.id and found.last_login_at == clock.now()
    assert (
        user_service.authenticate(
            db.session, "anna@example.nl", "wrong password!", hasher=hasher, clock=clock
        )
        is None
    )
    assert (
        user_service.authenticate(
            db.session, "nobody@example.nl", PASSWORD, hasher=hasher, clock=clock
        )
        is None
    )
    account_status.set_active(db.session, user, False, actor=TEST_ACTOR, clock=clock)
    assert (
        user_service.authenticate(
            db.session, "anna@example.nl", PASSWORD, hasher=hasher, clock=clock
        )
        is None
    )


def test_account_rules(app: Flask, orgs: dict[str, Organisation], make_user: MakeUser) -> None:
    make_user("a@x.nl", (orgs["kruix"], Role.REPORTER))
    with pytest.raises(user_service.UserError, match="already an account"):
        make_user("A@x.nl")
    with pytest.raises(user_service.UserError, match="12 characters"):
        user_service.create_user(
            db.session,
            email="b@x.nl",
            name="B",
            password="short",
            roles=[],
            actor=TEST_ACTOR,
            clock=app.extensions["breachdesk"].clock,
            hasher=app.extensions["breachdesk"].hasher,
        )


def test_roles_in_several_organisations(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix, leiz = orgs["kruix"], orgs["leiz"]
    user = make_user("fg@x.nl", (kruix, Role.FG), (leiz, Role.FG), (leiz, Role.ADMIN))
    roles = {
        item.organisation.slug: item.roles
        for item in memberships.roles_by_organisation(db.session, user)
    }
    assert roles == {"kruix": {Role.FG}, "leiz": {Role.FG, Role.ADMIN}}
    assert (
        user_service.grant_role(db.session, user, kruix, Role.FG, actor=TEST_ACTOR, clock=clock)
        is False
    )
    # The last administrator of an organisation cannot be removed.
    with pytest.raises(user_service.UserError, match="at least one administrator"):
        user_service.revoke_role(db.session, user, leiz, Role.ADMIN, actor=TEST_ACTOR, clock=clock)
    user_service.revoke_role(db.session, user, leiz, Role.FG, actor=TEST_ACTOR, clock=clock)
    roles = {
        item.organisation.slug: item.roles
        for item in memberships.roles_by_organisation(db.session, user)
    }
    assert roles["leiz"] == {Role.ADMIN}
