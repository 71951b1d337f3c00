"""Sessions end for real: a copied session cookie stops working after signing out, a password
change, "sign out everywhere", deactivation and its lifetime (issue 15)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from breachdesk.domain.api_access import Scope
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Organisation, UserSession
from breachdesk.services import account_status, api_tokens, calendar
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import PASSWORD, MakeUser, login


def signed_in(client: Any) -> bool:
    response = client.get("/account")
    return response.status_code == 200


def copy_of(app: Flask, client: Any) -> Any:
    """Another browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_copied_cookie_stops_working_after_signing_out(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    thief = copy_of(app, client)
    assert signed_in(thief)
    client.post("/logout")
    assert not signed_in(thief)
    row = db.session.execute(select(UserSession)).scalar_one()
    assert row.ended_because == "signed_out"


def test_a_password_change_ends_the_other_sessions_only(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    laptop = app.test_client()
    login(laptop, "fg@x.nl")
    thief = copy_of(app, laptop)
    new = "een-heel-nieuw-wachtwoord-2026"
    changed = client.post("/account", data={"current": PASSWORD, "password": new, "confirm": new})
    assert changed.status_code == 302
    page = client.get("/account")
    assert page.status_code == 200  # this browser stays signed in, and is told
    assert "Je bent overal elders afgemeld." in page.get_data(as_text=True)
    assert not signed_in(laptop) and not signed_in(thief)


def test_sign_out_everywhere_ends_every_session_and_is_audited(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    phone = app.test_client()
    login(phone, "fg@x.nl")
    page = client.get("/account").get_data(as_text=True)
    assert (
        page.count("<li>Aangemeld op") == 2
        or page.count("Signed in on") == 2
        or "session-list" in page
    )
    assert client.post("/account/sign-out-everywhere").status_code == 302
    assert not signed_in(client) and not signed_in(phone)
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "user.sessions_ended")
    ).scalar_one()
    assert event.after == {"ended": 2, "because": "everywhere"}
    login(phone, "fg@x.nl")  # signing in again works
    assert signed_in(phone)


def test_deactivation_and_the_lifetime_end_sessions(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    person = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "fg@x.nl")
    account_status.set_active(db.session, person, False, actor=Actor.system("t"), clock=clock)
    assert not signed_in(client)
    assert db.session.execute(select(UserSession.ended_because)).scalars().all() == ["deactivated"]
    other = app.test_client()
    login(other, "r@x.nl")
    clock.advance(hours=7, minutes=59)
    assert signed_in(other)
    clock.advance(minutes=2)  # past the 8-hour lifetime
    assert not signed_in(other)


def test_a_deactivated_account_is_reactivated_with_a_new_password_only(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    """`breachdesk user reactivate`: the person chooses a new password with the link printed;
    the old one stays void and the sessions deactivation ended stay ended, and so do the API
    tokens and the calendar link (they came back with the account: found by exploratory
    testing)."""
    import re

    fg = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    _token, plain = api_tokens.issue(
        db.session, fg, orgs["kruix"], name="SIEM", scope=Scope.READ,
        days=30, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    feed = calendar.issue_token(db.session, fg, actor=Actor.of(fg), clock=clock)
    api = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/incidents", headers=api).status_code == 200
    assert client.get(f"/calendar/{feed}.ics").status_code == 200
    runner = app.test_cli_runner()
    assert runner.invoke(args=["user", "deactivate", "fg@x.nl"]).exit_code == 0
    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    admin = app.test_client()
    login(admin, "admin@x.nl")
    users = admin.get("/admin/organisations/kruix/users/").get_data(as_text=True)
    assert "uitgeschakeld" in users and "breachdesk user reactivate" in users
    result = runner.invoke(args=["user", "reactivate", "fg@x.nl"])
    assert result.exit_code == 0, result.output
    assert not signed_in(client)  # ended by the deactivation, still ended
    old = app.test_client()
    old.post("/login", data={"email": "fg@x.nl", "password": PASSWORD})
    assert not signed_in(old)  # the old password no longer works
    assert client.get("/api/v1/incidents", headers=api).status_code == 401
    assert client.get(f"/calendar/{feed}.ics").status_code == 404
    path = re.search(r"(/wachtwoord/[\w-]+)", result.output).group(1)  # type: ignore[union-attr]
    new = "een-nieuw-en-lang-wachtwoord"
    assert client.post(path, data={"password": new, "confirm": new}).status_code == 302
    login(client, "fg@x.nl", new)
    assert signed_in(client)
    actions = db.session.execute(
        select(AuditEvent.action).where(AuditEvent.entity_type == "user").order_by(AuditEvent.id)
    ).scalars()
    assert "user.activated" in list(actions)
    # Only a deactivated account: an active one keeps its password.
    again = runner.invoke(args=["user", "reactivate", "fg@x.nl"])
    assert again.exit_code != 0 and "active" in again.output
    assert signed_in(client)
    assert runner.invoke(args=["user", "reactivate", "niemand@x.nl"]).exit_code != 0
