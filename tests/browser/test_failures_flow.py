"""In Chromium: a locked database keeps the report's typing; a draft survives in the tab.

Set BREACHDESK_SCREENSHOTS to a folder to keep screenshots of the pages for a look.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from breachdesk.extensions import db
from breachdesk.models import Incident

from .test_report_flow import demo, sign_in  # noqa: F401 - demo is a fixture

__all__ = ["demo"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        bool(os.environ.get("BREACHDESK_TEST_DATABASE_URL")), reason="an SQLite file lock"
    ),
]
TITLE = "Laptop met cliëntgegevens gestolen"
DESCRIPTION = "Uit de auto gestolen.\nDe laptop was niet versleuteld.\nAangifte gedaan."


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SQLITE_BUSY_TIMEOUT_SECONDS": 1}


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("BREACHDESK_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def locked_database(app: Flask) -> Iterator[Any]:
    """Call it to take the write lock from another connection, as a long writer would."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    locker = sqlite3.connect(path, isolation_level=None)

    class Lock:
        def take(self) -> None:
            locker.execute("BEGIN IMMEDIATE")

        def release(self) -> None:
            locker.rollback()

    try:
        yield Lock()
    finally:
        if locker.in_transaction:
            locker.rollback()
        locker.close()


def fill_report(page: Page) -> None:
    page.get_by_label("Korte titel").fill(TITLE)
    page.get_by_label("Wat is er gebeurd?").fill(DESCRIPTION)
    page.get_by_label("Wanneer is het ontdekt?").fill("2026-01-05T09:15")
    page.get_by_label("Voor- en achternaam").check()
    page.get_by_label("Precies", exact=True).check()
    page.get_by_label("Aantal personen").fill("37")
    page.get_by_label("Aantal records (als je dat weet)").fill("120")


def expect_report(page: Page) -> None:
    expect(page.get_by_label("Korte titel")).to_have_value(TITLE)
    expect(page.get_by_label("Wat is er gebeurd?")).to_have_value(DESCRIPTION)
    expect(page.get_by_label("Wanneer is het ontdekt?")).to_have_value("2026-01-05T09:15")
    expect(page.get_by_label("Voor- en achternaam")).to_be_checked()
    expect(page.get_by_label("Precies", exact=True)).to_be_checked()
    expect(page.get_by_label("Aantal personen")).to_have_value("37")
    expect(page.get_by_label("Aantal records (als je dat weet)")).to_have_value("120")


def incidents_titled(title: str) -> int:
    db.session.remove()
    return db.session.execute(
        select(func.count()).select_from(Incident).where(Incident.title == title)
    ).scalar_one()


def test_a_locked_database_gives_the_report_back_and_a_second_send_stores_it_once(
    page: Page,
    live_server: str,
    demo: None,
    locked_database: Any,
) -> None:
    sign_in(page, live_server, "melder.luxigo@demo.example.org")
    page.goto(f"{live_server}/report/luxigo")
    fill_report(page)

    locked_database.take()
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.get_by_role("button", name="Melding versturen").click()
    assert sent.value.status == 503
    notice = page.locator("#not-saved")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Je melding is NIET opgeslagen.")
    expect(notice).to_contain_text("Alles wat je hebt ingevuld, staat nog in het formulier")
    expect(notice).to_contain_text("privacyfunctionaris")
    expect_report(page)
    expect(page.locator("#draft-restored")).to_be_hidden()  # the server had it all
    shot(page, "report-503")

    locked_database.release()
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_text("Bedankt, je melding is ontvangen.")).to_be_visible()
    assert re.fullmatch(r"LUX-\d{4}-\d{4}", page.locator("#reference").inner_text())
    assert incidents_titled(TITLE) == 1
    drafts = page.evaluate(
        "Object.keys(sessionStorage).filter(k => k.startsWith('breachdesk-draft:'))"
    )
    assert drafts == []  # the thank-you page dropped the draft (and marked the form sent)


def test_a_draft_comes_back_in_the_same_tab_only(
    page: Page,
    live_server: str,
    demo: None,
) -> None:
    sign_in(page, live_server, "melder.luxigo@demo.example.org")
    page.goto(f"{live_server}/report/luxigo")
    fill_report(page)
    page.goto(f"{live_server}/reports")  # e.g. the browser crashed, or a wrong click

    page.goto(f"{live_server}/report/luxigo")
    expect_report(page)
    note = page.locator("#draft-restored")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Bijlagen kunnen zo niet bewaard blijven")
    assert page.evaluate("localStorage.length") == 0  # never on the shared computer's disk
    shot(page, "report-draft-restored")

    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server}/report/luxigo")
    expect(other_tab.get_by_label("Korte titel")).to_have_value("")
    expect(other_tab.locator("#draft-restored")).to_be_hidden()
    other_tab.close()

    page.get_by_role("button", name="Melding versturen").click()
    expect(page.locator("#reference")).to_be_visible()
    page.goto(f"{live_server}/report/luxigo")
    expect(page.get_by_label("Korte titel")).to_have_value("")  # sent: nothing to restore


def test_signing_out_drops_the_draft(
    page: Page,
    live_server: str,
    demo: None,
) -> None:
    sign_in(page, live_server, "melder.luxigo@demo.example.org")
    page.goto(f"{live_server}/report/luxigo")
    page.get_by_label("Korte titel").fill(TITLE)
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("button", name="Inloggen")).to_be_visible()
    # The sign-in page's script drops the drafts when it runs, which may be just after the
    # button shows (a full run once read the storage in between): wait for it, up to 5 s.
    page.wait_for_function("sessionStorage.length === 0", timeout=5000)


def test_a_multi_line_description_keeps_its_line_breaks(
    page: Page,
    live_server: str,
    demo: None,
) -> None:
    sign_in(page, live_server, "melder.luxigo@demo.example.org")
    page.goto(f"{live_server}/report/luxigo")
    fill_report(page)
    page.get_by_role("button", name="Melding versturen").click()
    page.get_by_role("link", name="Bekijk je melding").click()
    text = page.locator("dd.pre-wrap").first
    expect(text).to_have_css("white-space", "pre-wrap")
    assert text.inner_text() == DESCRIPTION  # three lines, as typed
    line = float(text.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert text.bounding_box()["height"] >= 2.5 * line  # type: ignore[index]
    shot(page, "incident-multi-line")


def test_a_report_sent_through_the_reporting_link_is_not_filled_in_again(
    page: Page,
    live_server: str,
    demo: None,
) -> None:
    """On a shared computer the next person opens the link in the same tab: they must find
    an empty form, not the report just sent with its reporter's name and address (found by
    exploratory testing: the follow-up page kept the link's draft)."""
    sign_in(page, live_server, "admin@demo.example.org")
    page.goto(f"{live_server}/admin/organisations/luxigo/reporting-links")
    page.locator("#link-staff").get_by_role("button", name="Link maken").click()
    link = page.locator("#url-staff").input_value()
    page.get_by_role("button", name="Uitloggen").click()

    page.goto(live_server + "/melden/" + link.rsplit("/melden/", 1)[1])
    fill_report(page)
    page.get_by_label("Je naam (optioneel)").fill("Sanne")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_text("Bedankt, je melding is ontvangen.")).to_be_visible()
    # The page's script (loaded after the text shows) drops the link's draft: wait for it,
    # up to 5 s (on a loaded CI run the text showed before the script had run).
    page.wait_for_function(
        "() => !Object.keys(sessionStorage).some(k => k.startsWith('breachdesk-draft:'))",
        timeout=5000,
    )

    page.goto(live_server + "/melden/" + link.rsplit("/melden/", 1)[1])
    expect(page.get_by_label("Korte titel")).to_have_value("")
    expect(page.get_by_label("Je naam (optioneel)")).to_have_value("")
    expect(page.locator("#draft-restored")).to_be_hidden()
