"""An FG makes an API token on the account page in Chromium, uses it, opens the API docs
(Swagger UI from this site, under the docs page's CSP) and revokes the token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from .conftest import fg_of_first_seed

pytestmark = pytest.mark.browser
PASSWORD = "een-lang-wachtwoord-van-de-fg"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SECOND_FACTOR_ENFORCED": False}


@pytest.fixture
def fg(app: Flask, clock: Any) -> None:
    fg_of_first_seed(app, clock, PASSWORD)


def _incidents(base: str, token: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        f"{base}/api/v1/incidents", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            json.load(response)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_make_use_and_revoke_a_token(page: Page, live_server: str, fg: None) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill("fg@x.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server}/account#api-tokens")
    page.get_by_label("Naam (verplicht)", exact=True).fill("TOPdesk")
    page.get_by_label("Bereik").select_option("read")
    page.get_by_role("button", name="Token maken").click()
    token = page.get_by_label("Je nieuwe token „TOPdesk”").input_value()
    assert token.startswith("bd_")
    assert _incidents(live_server, token) == 200
    page.get_by_role("link", name="Documentatie van de API").click()
    expect(page.get_by_text("breachdesk API")).to_be_visible()
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e]
    page.goto(f"{live_server}/account#api-tokens")
    page.get_by_role("button", name="Token „TOPdesk” intrekken").click()
    expect(page.get_by_text("Het token is ingetrokken")).to_be_visible()
    assert _incidents(live_server, token) == 401
