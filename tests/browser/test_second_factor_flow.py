"""An FG sets up the second factor in Chromium, signs in with a code and with a recovery code."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from breachdesk.services.clock import FixedClock

from .conftest import fg_of_first_seed

pytestmark = pytest.mark.browser
PASSWORD = "een-lang-wachtwoord-van-de-fg"
CLOCK = FixedClock(datetime(2026, 11, 19, 10, 0, tzinfo=UTC))


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SECOND_FACTOR_ENFORCED": True, "CLOCK": CLOCK}


@pytest.fixture
def fg(app: Flask) -> None:
    fg_of_first_seed(app, CLOCK, PASSWORD)


def _password(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill("fg@x.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_enrol_then_sign_in_with_a_code_and_a_recovery_code(
    page: Page, live_server: str, fg: None, tmp_path: Path
) -> None:
    _password(page, live_server)
    expect(page.get_by_role("heading", name="Stel je tweede factor in")).to_be_visible()
    expect(page.locator("#second-factor-qr svg")).to_be_visible()
    page.screenshot(path=str(tmp_path / "enrol.png"), full_page=True)
    if os.environ.get("BREACHDESK_SHOTS"):
        page.screenshot(path=os.environ["BREACHDESK_SHOTS"] + "/enrol.png", full_page=True)
    secret = page.locator("#second-factor-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)

    page.get_by_label("Code").fill("111111")
    page.get_by_role("button", name="Bevestigen en aanzetten").click()
    expect(page.locator("#code-error")).to_contain_text("klopt niet")
    page.get_by_label("Code").fill(totp.at(CLOCK.now()))
    page.get_by_role("button", name="Bevestigen en aanzetten").click()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    if os.environ.get("BREACHDESK_SHOTS"):
        page.screenshot(path=os.environ["BREACHDESK_SHOTS"] + "/codes.png", full_page=True)
    page.get_by_role("link", name="Ik heb ze bewaard").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    page.get_by_role("button", name="Uitloggen").click()
    CLOCK.advance(seconds=30)
    _password(page, live_server)
    expect(page.get_by_role("heading", name="Bevestig je aanmelding")).to_be_visible()
    if os.environ.get("BREACHDESK_SHOTS"):
        page.screenshot(path=os.environ["BREACHDESK_SHOTS"] + "/challenge.png", full_page=True)
    page.get_by_label("Code").fill(totp.at(CLOCK.now()))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    page.get_by_role("button", name="Uitloggen").click()
    _password(page, live_server)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Je bent aangemeld met een herstelcode")).to_be_visible()
    page.goto(f"{live_server}/account")
    expect(page.locator("#second-factor-status")).to_contain_text("Nog 9 herstelcodes over")
