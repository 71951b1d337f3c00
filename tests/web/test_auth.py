"""Signing in, sessions, security headers, CSRF and the language switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Organisation

from ..conftest import PASSWORD, MakeUser, login, make_app


def test_login_and_logout(client: Any, orgs: dict[str, Organisation], make_user: MakeUser) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    assert client.get("/reports").status_code == 302  # anonymous: to the login page
    response = client.post("/login", data={"email": "r@x.nl", "password": "wrong"})
    assert response.status_code == 200
    assert "Onbekend e-mailadres of verkeerd wachtwoord" in response.get_data(as_text=True)
    login(client, "r@x.nl")
    assert client.get("/reports").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    client.post("/logout")
    assert client.get("/reports").status_code == 302


def test_security_headers(client: Any) -> None:
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_open_redirect_is_refused(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    response = client.post(
        "/login?next=//evil.example/x", data={"email": "r@x.nl", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def _app(tmp_path: Path, **config: Any) -> Flask:
    return make_app(tmp_path, **config)


def test_csrf_is_enforced(tmp_path: Path) -> None:
    app = _app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        response = app.test_client().post("/login", data={"email": "a@x.nl", "password": "x"})
        assert response.status_code == 400
        assert "formulier is verlopen" in response.get_data(as_text=True).lower()
        db.session.remove()
        db.engine.dispose()


def test_dutch_by_default_english_on_request(client: Any) -> None:
    assert "Inloggen" in client.get("/login").get_data(as_text=True)
    client.get("/language/en?next=/login")
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and 'lang="en"' in page


def test_language_chosen_before_signing_in_survives_the_sign_in(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    client.get("/language/en?next=/login")
    login(client, "r@x.nl")
    page = client.get("/reports").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign out" in page


# Rate limits (failed sign-ins, the current-password check): tests/web/test_throttling.py.
