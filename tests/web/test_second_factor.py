"""The second factor (TOTP): enrolment, sign-in with and without the code, recovery codes,
replay, the organisation's requirement, reset by an administrator and on the command line."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Organisation, User
from breachdesk.services import second_factor
from breachdesk.services.clock import FixedClock

from ..conftest import PASSWORD, MakeUser, login


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SECOND_FACTOR_ENFORCED": True}


def _secret(user: User) -> str:
    db.session.refresh(user)
    assert user.totp_pending or user.totp_secret
    return second_factor._open("test-secret", user.totp_secret or user.totp_pending or "")


def _code(user: User, clock: FixedClock, *, steps_later: int = 0) -> str:
    return pyotp.TOTP(_secret(user)).at(clock.now(), counter_offset=steps_later)


def _enrol(client: Any, user: User, clock: FixedClock) -> list[str]:
    page = client.get("/account/second-factor")
    assert page.status_code == 200
    response = client.post("/account/second-factor", data={"code": _code(user, clock)})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    codes = re.findall(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>", response.get_data(True))
    assert len(codes) == 10
    return codes


def _actions(user: User) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "user", AuditEvent.entity_id == str(user.id))
            .order_by(AuditEvent.id)
        )
    )


def test_an_fg_without_a_second_factor_can_only_set_it_up(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    fg = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    for page in ("/", "/incidents/", "/account", "/register/"):
        response = client.get(page)
        assert response.status_code == 302 and response.headers["Location"].endswith(
            "/account/second-factor"
        ), page
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "<svg" in page and "Stel je tweede factor in" in page
    assert 'id="second-factor-required"' in page
    # A wrong code: the error next to the field, the same QR code and key again.
    key = re.search(r'id="second-factor-key">([A-Z2-7 ]+)<', page).group(1)  # type: ignore[union-attr]
    wrong = client.post("/account/second-factor", data={"code": "000000"})
    assert wrong.status_code == 422
    assert "Deze code klopt niet" in wrong.get_data(as_text=True)
    assert key in wrong.get_data(as_text=True)
    codes = _enrol(client, fg, clock)
    assert len(set(codes)) == 10
    assert client.get("/incidents/").status_code == 200  # set up: the way is free
    assert "user.second_factor_enabled" in _actions(fg)
    db.session.refresh(fg)
    assert fg.totp_secret and pyotp.TOTP(_secret(fg)).now()  # stored encrypted, not in clear
    assert _secret(fg).replace(" ", "") not in fg.totp_secret


def test_sign_in_asks_the_code_after_the_password(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    fg = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    _enrol(client, fg, clock)
    client.post("/logout")
    clock.advance(seconds=60)

    response = client.post("/login", data={"email": "fg@x.nl", "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/code")
    # The password alone signs nobody in.
    assert client.get("/incidents/").headers["Location"].startswith("/login")
    assert client.get("/login/code").status_code == 200
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 200 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    right = _code(fg, clock)
    assert client.post("/login/code", data={"code": right}).status_code == 302
    assert client.get("/incidents/").status_code == 200
    assert _actions(fg)[-2:] == ["user.password_accepted", "user.signed_in"]

    # The same code cannot be used twice (replay), a later one can.
    client.post("/logout")
    client.post("/login", data={"email": "fg@x.nl", "password": PASSWORD})
    again = client.post("/login/code", data={"code": right})
    assert "al gebruikt" in again.get_data(as_text=True)
    clock.advance(seconds=30)
    assert client.post("/login/code", data={"code": _code(fg, clock)}).status_code == 302


def test_one_code_is_accepted_once_also_by_workers_that_read_the_account_before(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    """The same code sent to several workers at once signed three sessions in (found by
    exploratory testing with gunicorn on PostgreSQL): each compared it with the account as it
    had read it. The code is claimed in the database: a worker whose copy of the account was
    read before another worker accepted the code is refused."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.attributes import set_committed_value

    key = app.config["SECRET_KEY"]
    fg = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    secret = second_factor.enrolment_secret(db.session, fg, secret_key=key)
    first = pyotp.TOTP(secret).at(clock.now())
    second_factor.confirm_enrolment(db.session, fg, first, secret_key=key, clock=clock, keep=None)
    clock.advance(seconds=60)
    code = pyotp.TOTP(secret).at(clock.now())
    read_earlier = fg.totp_last_step
    db.session.remove()  # SQLite: one writer at a time
    with Session(db.engine) as other_worker:
        theirs = other_worker.get(User, fg.id)
        assert theirs is not None
        assert second_factor.verify(other_worker, theirs, code, secret_key=key, clock=clock)
    mine = db.session.get(User, fg.id)
    assert mine is not None
    set_committed_value(mine, "totp_last_step", read_earlier)  # this worker read it before
    with pytest.raises(second_factor.SecondFactorError, match="used already"):
        second_factor.verify(db.session, mine, code, secret_key=key, clock=clock)


def test_the_code_must_follow_the_password_within_minutes(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    fg = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    _enrol(client, fg, clock)
    client.post("/logout")
    client.post("/login", data={"email": "fg@x.nl", "password": PASSWORD})
    clock.advance(minutes=6)
    late = client.post("/login/code", data={"code": _code(fg, clock)})
    assert late.headers["Location"].endswith("/login")
    assert client.get("/incidents/").status_code == 302
    # Nobody reaches the code page without passing the password first.
    assert client.get("/login/code").headers["Location"].endswith("/login")


def test_a_recovery_code_works_once(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    fg = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    codes = _enrol(client, fg, clock)
    client.post("/logout")
    client.post("/login", data={"email": "fg@x.nl", "password": PASSWORD})
    typed = codes[3].upper().replace("-", " ")  # as read off paper
    response = client.post("/login/code", data={"code": typed}, follow_redirects=True)
    assert "er zijn er nog 9" in response.get_data(as_text=True)  # the flash says how many are left
    assert client.get("/incidents/").status_code == 200
    assert "user.recovery_code_used" in _actions(fg)
    client.post("/logout")
    client.post("/login", data={"email": "fg@x.nl", "password": PASSWORD})
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 200  # refused
    assert client.get("/incidents/").status_code == 302


def test_new_recovery_codes_replace_the_old_and_need_a_code(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    fg = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    old = _enrol(client, fg, clock)
    refused = client.post("/account/second-factor/recovery-codes", data={"code": "000000"})
    assert refused.status_code == 302 and second_factor.codes_left(db.session, fg) == 10
    clock.advance(seconds=30)
    page = client.post("/account/second-factor/recovery-codes", data={"code": _code(fg, clock)})
    new = re.findall(r"<li>([a-z2-9-]{14})</li>", page.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout")
    client.post("/login", data={"email": "fg@x.nl", "password": PASSWORD})
    assert client.post("/login/code", data={"code": old[0]}).status_code == 200  # old: refused
    assert client.post("/login/code", data={"code": new[0]}).status_code == 302


def test_enabling_ends_the_other_sessions(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    fg = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    other, this = app.test_client(), app.test_client()
    login(other, "fg@x.nl")
    login(this, "fg@x.nl")
    _enrol(this, fg, clock)
    assert this.get("/incidents/").status_code == 200
    assert other.get("/incidents/").status_code == 302  # signed in with the password only


def test_reporters_and_demo_accounts_are_not_asked(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    assert client.get("/reports").status_code == 200
    client.post("/logout")
    demo = make_user("demo@x.nl", (orgs["kruix"], Role.FG))
    demo.is_demo = True
    db.session.commit()
    login(client, "demo@x.nl")
    assert client.get("/incidents/").status_code == 200
    account = client.get("/account").get_data(as_text=True)
    assert "demonstratieaccount" in account


def test_the_requirement_is_an_organisation_setting(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    org = orgs["kruix"]
    make_user("admin@x.nl", (org, Role.ADMIN))
    make_user("fg@x.nl", (org, Role.FG))
    org.require_second_factor = False
    db.session.commit()
    login(client, "fg@x.nl")
    assert client.get("/incidents/").status_code == 200  # optional: not asked
    setting = "/admin/organisations/kruix/second-factor"
    assert client.post(setting, data={"required": "y"}).status_code == 404
    client.post("/logout")
    login(client, "admin@x.nl")
    users_page = client.get("/admin/organisations/kruix/users/").get_data(as_text=True)
    assert 'id="require-second-factor"' in users_page
    client.post("/admin/organisations/kruix/second-factor", data={"required": "y"})
    db.session.refresh(org)
    assert org.require_second_factor
    # The administrator is a guarded role too: the next page is the set-up.
    assert client.get("/incidents/").headers["Location"].endswith("/account/second-factor")
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.organisation_id == org.id)
    ).all()
    assert "organisation.second_factor_required" in events


def test_an_fg_may_switch_off_only_when_not_required(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    org = orgs["kruix"]
    fg = make_user("fg@x.nl", (org, Role.FG))
    login(client, "fg@x.nl")
    _enrol(client, fg, clock)
    clock.advance(seconds=30)
    refused = client.post("/account/second-factor/off", data={"code": _code(fg, clock)})
    assert refused.status_code == 302
    db.session.refresh(fg)
    assert fg.has_second_factor
    org.require_second_factor = False
    db.session.commit()
    clock.advance(seconds=30)
    client.post("/account/second-factor/off", data={"code": _code(fg, clock)})
    db.session.refresh(fg)
    assert not fg.has_second_factor and "user.second_factor_disabled" in _actions(fg)


def test_an_administrator_resets_a_lost_phone_only_within_their_organisations(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix, other = orgs["kruix"], next(o for slug, o in orgs.items() if slug != "kruix")
    make_user("admin@x.nl", (kruix, Role.ADMIN))
    fg = make_user("fg@x.nl", (kruix, Role.FG), (other, Role.FG))  # serves two organisations
    fg_client, admin = app.test_client(), app.test_client()
    login(fg_client, "fg@x.nl")
    _enrol(fg_client, fg, clock)
    login(admin, "admin@x.nl")
    admin.get("/account/second-factor")  # the administrator must set up their own first
    _enrol(admin, db.session.scalars(select(User).filter_by(email="admin@x.nl")).one(), clock)

    url = f"/admin/organisations/kruix/users/{fg.id}/second-factor/reset"
    users_page = admin.get("/admin/organisations/kruix/users/").get_data(as_text=True)
    assert url not in users_page  # no button that could only be refused
    page = admin.post(url, follow_redirects=True).get_data(as_text=True)
    refusal = page.split("Je kunt de tweede factor van Fg hier niet resetten")[1]
    assert "organisatie" not in refusal.split("</div>")[0]  # nothing about the others
    assert other.name not in page
    db.session.refresh(fg)
    assert fg.has_second_factor  # not reset: the FG also serves another organisation

    db.session.execute(
        db.metadata.tables["membership"]
        .delete()
        .where(db.metadata.tables["membership"].c.organisation_id == other.id)
    )
    db.session.commit()
    assert url in admin.get("/admin/organisations/kruix/users/").get_data(as_text=True)
    admin.post(url)
    db.session.refresh(fg)
    assert not fg.has_second_factor
    assert fg_client.get("/incidents/").status_code == 302  # signed out everywhere
    assert "user.second_factor_reset" in _actions(fg)
    # Someone of another organisation is not found at all.
    stranger = make_user("s@x.nl", (other, Role.FG))
    strange = f"/admin/organisations/kruix/users/{stranger.id}/second-factor/reset"
    assert admin.post(strange).status_code == 404


def test_an_administrator_cannot_remove_their_own_second_factor_without_a_code(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    """The account page asks for a code (and refuses while the organisation requires one); the
    users page must not be a way round it."""
    admin = make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    _enrol(client, admin, clock)
    url = f"/admin/organisations/kruix/users/{admin.id}/second-factor/reset"
    assert url not in client.get("/admin/organisations/kruix/users/").get_data(as_text=True)
    page = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "Je eigen tweede factor wijzig je op je accountpagina" in page
    db.session.refresh(admin)
    assert admin.has_second_factor and "user.second_factor_reset" not in _actions(admin)
    assert client.get("/incidents/").status_code == 200  # still signed in


def test_the_command_line_resets_the_second_factor(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    fg = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    _enrol(client, fg, clock)
    result = app.test_cli_runner().invoke(args=["user", "reset-second-factor", "fg@x.nl"])
    assert result.exit_code == 0 and "removed" in result.output
    db.session.refresh(fg)
    assert not fg.has_second_factor and second_factor.codes_left(db.session, fg) == 0
    assert client.get("/incidents/").status_code == 302
    unknown = app.test_cli_runner().invoke(args=["user", "reset-second-factor", "x@y.nl"])
    assert unknown.exit_code != 0


LIMITED = {
    "SECOND_FACTOR_ENFORCED": True,
    "RATELIMIT_ENABLED": True,
    "SECOND_FACTOR_DELAYS": "free=3 base=10 factor=2 cap=40 window=3600",
}


@pytest.mark.parametrize("app_config", [LIMITED])
def test_wrong_codes_slow_down_the_account(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    fg = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    client = app.test_client()
    login(client, "fg@x.nl")
    _enrol(client, fg, clock)
    client.post("/logout")
    clock.advance(seconds=30)
    client.post("/login", data={"email": "fg@x.nl", "password": PASSWORD})
    codes = [client.post("/login/code", data={"code": "000000"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.post("/login/code", data={"code": _code(fg, clock)})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "10"
    clock.advance(seconds=10)  # the delay passed: the right code signs in
    assert client.post("/login/code", data={"code": _code(fg, clock)}).status_code == 302


def test_an_fg_with_a_second_factor_makes_an_api_token_and_sees_it_once(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    """Found by exploratory testing: the page showing the new token crashed (500) for anyone
    with a second factor, after the token was saved - a token nobody could ever see."""
    kruix = orgs["kruix"]
    fg = make_user("fg@x.nl", (kruix, Role.FG))
    login(client, "fg@x.nl")
    _enrol(client, fg, clock)
    response = client.post(
        "/account/api-tokens",
        data={
            "token-name": "SIEM",
            "token-organisation": str(kruix.id),
            "token-scope": "read",
            "token-days": "90",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'id="new-api-token"[^>]*value="bd_[A-Za-z0-9_-]+"', page)
    # The rest of the account page as /account shows it: recovery codes left, this session.
    assert "Nog 10 herstelcodes over." in page
    sessions = page.split('id="session-list"')[1].split("</ul>")[0]
    assert "(deze browser)" in sessions or "(this browser)" in sessions


def test_an_fg_with_a_second_factor_gets_a_calendar_link(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    """Found by exploratory testing: making a calendar link answered 500 for anyone with a
    second factor (the page lacked its count of recovery codes), after the old link had
    already been replaced, so such an FG could never subscribe."""
    fg = make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    _enrol(client, fg, clock)
    response = client.post("/account/calendar")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="calendar-url"' in page
    assert "10 herstelcodes over." in page and 'id="sessions"' in page
