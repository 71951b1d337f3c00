"""Regression tests for the HTTP 500s a fuzzing session found (34 in 7,342 requests).

Here: ids beyond 2**63-1 in routes (now a 404) and CR/LF in ``next`` (now ignored).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation
from breachdesk.web.edges import DB_INT_MAX, BoundedIntConverter

from ..conftest import PASSWORD, MakeUser, login

HUGE = "99999999999999999999"  # > 2**63 - 1
BAD_YEARS = ("0001-01-01T00:00", "9999-12-31T23:59", "1969-12-31T23:59", "2101-01-01T00:00")


def incidents() -> int:
    return db.session.execute(select(func.count()).select_from(Incident)).scalar_one()


# --- 1. ids in routes ---------------------------------------------------------------------


def test_every_int_route_uses_the_bounded_converter(app: Flask) -> None:
    int_rules = [
        (rule.rule, converter)
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()  # noqa: SLF001 - no public accessor
        if isinstance(converter, IntegerConverter)
    ]
    assert len(int_rules) >= 10  # incidents, attachments, triage, checklist, roles, ...
    for rule, converter in int_rules:
        assert isinstance(converter, BoundedIntConverter), rule
        assert converter.max == DB_INT_MAX, rule


BEYOND = [
    ("GET", f"/incidents/{HUGE}"),
    ("GET", f"/report/submitted/{HUGE}"),
    ("GET", f"/incidents/{HUGE}/attachments/1"),
    ("GET", f"/incidents/1/attachments/{HUGE}"),
    ("GET", f"/incidents/{HUGE}/checklist"),
    ("POST", f"/incidents/{HUGE}/triage"),
    ("POST", f"/incidents/{HUGE}/awareness"),
    ("POST", f"/incidents/{HUGE}/checklist"),
    ("POST", f"/incidents/{HUGE}/checklist/preview"),
    ("POST", f"/incidents/{HUGE}/decision"),
    ("POST", f"/incidents/{HUGE}/close"),
    ("POST", f"/incidents/{HUGE}/reopen"),
    ("POST", f"/incidents/{HUGE}/notification"),
    ("POST", f"/admin/organisations/kruix/users/{HUGE}/roles"),
    ("GET", f"/incidents/{2**63}"),  # the first value past the range
]


def test_ids_beyond_the_database_range_are_not_found(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("a@x.nl", (orgs["kruix"], Role.FG), (orgs["kruix"], Role.ADMIN))
    login(client, "a@x.nl")
    for method, path in BEYOND:
        response = client.open(path, method=method, data={"reason": "x"})
        assert response.status_code == 404, path
        assert "Niet gevonden" in response.get_data(as_text=True), path


def test_the_largest_id_is_still_a_plain_not_found(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    assert client.get(f"/incidents/{DB_INT_MAX}").status_code == 404


# --- 4. next ------------------------------------------------------------------------------

BAD_NEXT = [
    "/%0aX",
    "/%0d%0aSet-Cookie:%20x=1",
    "/a%09b",
    "//evil.example",
    "/%5Cevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil",
    "/%E2%80%A8x",  # LINE SEPARATOR
    "/%00",
]


def test_language_switch_ignores_a_bad_next(client: Any) -> None:
    for target in BAD_NEXT:
        response = client.get(f"/language/en?next={target}")
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/", target


def test_login_ignores_a_bad_next(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    for target in BAD_NEXT:
        response = client.post(
            f"/login?next={target}", data={"email": "r@x.nl", "password": PASSWORD}
        )
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/", target
        client.post("/logout")


def test_a_local_next_is_followed(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    response = client.get("/language/en?next=/reports%3Fx%3D1")
    assert response.headers["Location"] == "/reports?x=1"
    response = client.post("/login?next=/reports", data={"email": "r@x.nl", "password": PASSWORD})
    assert response.headers["Location"] == "/reports"
