"""Making and revoking API tokens on the account page."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import ApiToken, Organisation

from ..conftest import MakeUser, login


def test_make_a_token_see_it_once_use_it_and_revoke_it(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    kruix = orgs["kruix"]
    make_user("fg@x.nl", (kruix, Role.FG))
    login(client, "fg@x.nl")
    page = client.get("/account").get_data(as_text=True)
    assert 'id="api-tokens"' in page and "Je hebt geen API-tokens." in page
    response = client.post(
        "/account/api-tokens",
        data={
            "token-name": "TOPdesk",
            "token-organisation": str(kruix.id),
            "token-scope": "read",
            "token-days": "30",
        },
    )
    assert response.status_code == 200
    shown = response.get_data(as_text=True)
    token = re.search(r'id="new-api-token"[^>]*value="(bd_[A-Za-z0-9_-]+)"', shown)
    assert token is not None
    row = db.session.execute(select(ApiToken)).scalar_one()
    assert row.token_hash != token.group(1) and token.group(1) not in row.token_hash
    listed = client.get("/account").get_data(as_text=True)
    assert "TOPdesk" in listed and token.group(1) not in listed  # shown only once
    api = client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert api.status_code == 200
    revoked = client.post(f"/account/api-tokens/{row.id}/revoke", follow_redirects=True)
    assert "ingetrokken" in revoked.get_data(as_text=True)
    api = client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert api.status_code == 401


def test_a_reporter_cannot_make_a_read_token_and_bad_input_makes_none(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    kruix = orgs["kruix"]
    make_user("r@x.nl", (kruix, Role.REPORTER))
    other = make_user("o@x.nl", (kruix, Role.FG))
    login(client, "r@x.nl")
    for data, fields in (
        (
            {
                "token-name": "x",
                "token-organisation": str(kruix.id),
                "token-scope": "read",
                "token-days": "30",
            },
            {"scope"},
        ),
        (
            {
                "token-name": "x",
                "token-organisation": str(orgs["leiz"].id),
                "token-scope": "report",
                "token-days": "30",
            },
            {"organisation"},
        ),
        (
            {
                "token-name": "x",
                "token-organisation": str(kruix.id),
                "token-scope": "report",
                "token-days": "9999",
            },
            {"days"},
        ),
        (
            {
                "token-name": "",
                "token-organisation": str(kruix.id),
                "token-scope": "report",
                "token-days": "30",
            },
            {"name"},
        ),
        (
            {
                "token-name": "x",
                "token-organisation": "abc",
                "token-scope": "nope",
                "token-days": "x",
            },
            {"organisation", "scope", "days"},
        ),
    ):
        response = client.post("/account/api-tokens", data=data)
        assert response.status_code == 422, data
        page = response.get_data(as_text=True)
        assert set(re.findall(r'id="token-(\w+)-error"', page)) == fields, data
    assert db.session.execute(select(ApiToken)).first() is None
    # nobody revokes another's token
    from breachdesk.domain.api_access import Scope
    from breachdesk.services import api_tokens
    from breachdesk.services.audit import Actor
    from breachdesk.services.clock import FixedClock

    row, _ = api_tokens.issue(
        db.session,
        other,
        kruix,
        name="van een ander",
        scope=Scope.READ,
        days=5,
        actor=Actor.of(other),
        clock=FixedClock(other.created_at),
    )
    client.post(f"/account/api-tokens/{row.id}/revoke")
    db.session.refresh(row)
    assert row.revoked_at is None


def test_a_token_form_with_errors_comes_back_as_typed_with_the_errors_at_the_fields(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    kruix = orgs["kruix"]
    make_user("fg@x.nl", (kruix, Role.FG))
    login(client, "fg@x.nl")
    response = client.post(
        "/account/api-tokens",
        data={
            "token-name": "My SIEM",
            "token-organisation": str(kruix.id),
            "token-scope": "read",
            "token-days": "999",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    form = page.split('id="api-token-form"')[1]
    assert 'value="My SIEM"' in form and 'value="999"' in form
    assert 'id="token-days-error">Een token is minstens 1 en hoogstens 365 dagen geldig.' in form
    assert re.search(rf'<option selected value="{kruix.id}"|value="{kruix.id}" selected', form)
    assert 'id="session-list"' in page and "(deze browser)" in page  # the whole account page
    assert db.session.execute(select(ApiToken)).first() is None


def test_the_form_offers_only_the_scopes_the_roles_allow(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Found by exploratory testing: an administrator (not FG) was offered "record awareness,
    checklist and decisions", refused only after sending."""
    kruix, leiz = orgs["kruix"], orgs["leiz"]
    make_user("a@x.nl", (kruix, Role.ADMIN), (leiz, Role.FG))
    login(client, "a@x.nl")
    page = client.get("/account").get_data(as_text=True)
    select = page.split('name="token-scope"')[1].split("</select>")[0]
    assert 'value="report"' in select and 'value="read"' in select
    assert "(alleen voor LEIZ" in select.split('value="write"')[1].split("</option>")[0]
    client.post("/logout")
    make_user("b@x.nl", (kruix, Role.ADMIN))
    login(client, "b@x.nl")
    page = client.get("/account").get_data(as_text=True)
    select = page.split('name="token-scope"')[1].split("</select>")[0]
    assert (
        'value="read"' in select and 'value="write"' not in select and "alleen voor" not in select
    )
