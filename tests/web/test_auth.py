"""Signing in, sessions, security headers, CSRF and the language switch."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _fresh_database(app: Flask) -> Iterator[None]:
    """Tables made for the test and dropped after it (the PostgreSQL run shares one database)."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            yield
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def test_csrf_is_enforced(tmp_path: Path) -> None:
    app = _app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        response = app.test_client().post("/login", data={"email": "a@x.nl", "password": "x"})
        assert response.status_code == 400
        assert "formulier is verlopen" in response.get_data(as_text=True).lower()
        db.session.remove()
        db.engine.dispose()


def test_login_is_rate_limited(tmp_path: Path) -> None:
    app = _app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
        client = app.test_client()
        codes = [
            client.post("/login", data={"email": "a@x.nl", "password": "x"}).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        refused = client.post("/login", data={"email": "a@x.nl", "password": "x"})
        assert refused.headers["Retry-After"] == "60"
        assert "Wacht een minuut" in refused.get_data(as_text=True)
        assert client.get("/login").status_code == 200  # only attempts are limited
        db.session.remove()
        db.engine.dispose()


def test_an_hourly_limit_says_how_long_to_wait(tmp_path: Path) -> None:
    app = _app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per hour")
    with app.app_context():
        db.create_all()
        client = app.test_client()
        for _ in range(2):
            client.post("/login", data={"email": "a@x.nl", "password": "x"})
        refused = client.post("/login", data={"email": "a@x.nl", "password": "x"})
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "3600"
        assert "binnen 60 minuten" in refused.get_data(as_text=True)
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


def test_the_current_password_check_is_rate_limited(tmp_path: Path) -> None:
    app = _app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with _fresh_database(app):
        from breachdesk.services import users as user_service
        from breachdesk.services.audit import Actor

        rt = app.extensions["breachdesk"]
        user_service.create_user(
            db.session,
            email="a@x.nl",
            name="A",
            password="een-lang-genoeg-wachtwoord",
            roles=[],
            actor=Actor.system("t"),
            clock=rt.clock,
            hasher=rt.hasher,
        )
        client = app.test_client()
        client.post("/login", data={"email": "a@x.nl", "password": "een-lang-genoeg-wachtwoord"})
        guess = {"current": "fout", "password": "x" * 12, "confirm": "x" * 12}
        codes = [client.post("/account", data=guess).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]  # three guesses of the current password a minute


def _with_account(app: Any, email: str) -> None:
    from breachdesk.services import users as user_service
    from breachdesk.services.audit import Actor

    rt = app.extensions["breachdesk"]
    user_service.create_user(
        db.session,
        email=email,
        name=email,
        password="een-lang-genoeg-wachtwoord",
        roles=[],
        actor=Actor.system("t"),
        clock=rt.clock,
        hasher=rt.hasher,
    )


def test_failed_sign_ins_count_per_account_and_successful_ones_not_at_all(
    tmp_path: Path,
) -> None:
    app = _app(
        tmp_path,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="4 per minute",
        ACCOUNT_LOGIN_RATE_LIMIT="3 per minute",
    )
    with _fresh_database(app):
        _with_account(app, "a@x.nl")
        client = app.test_client()
        right = {"email": "a@x.nl", "password": "een-lang-genoeg-wachtwoord"}
        # An office behind one address signs in many times: successes are not counted.
        assert [client.post("/login", data=right).status_code for _ in range(6)] == [302] * 6
        wrong = {"email": "a@x.nl", "password": "fout"}
        client = app.test_client()  # an attacker, not signed in
        codes = [
            client.post(
                "/login", data=wrong, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}
            ).status_code
            for n in range(4)
        ]
        assert codes == [200, 200, 200, 429]  # three failures from three addresses: locked
        other = client.post(
            "/login",
            data={"email": "b@x.nl", "password": "x"},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
        assert other.status_code == 200  # another account is not affected
