"""The FG informs the people affected, in Chromium: drafts the notice and watches its
readability change while typing, approves it, imports a spreadsheet, sends, watches the
progress bar finish, opens the proof per person and downloads the letters."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from breachdesk.extensions import db
from breachdesk.models import Incident

from ..conftest import deliver_now
from .test_conflict_flow import confirmed, sign_in  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.browser

CSV = (
    "Naam;E-mailadres;Adres;Postcode;Woonplaats\n"
    "Jan Jansen;jan@example.nl;;;\n"
    "Anaïs de Vries;anais@example.nl;;;\n"
    "Els Bakker;;Dorpsstraat 12;1234 AB;Ons Dorp\n"
)


def test_the_fg_drafts_approves_imports_sends_and_proves(
    browser: Browser,
    app: Flask,
    live_server: str,
    confirmed: int,  # noqa: F811
    tmp_path: Path,
) -> None:
    incident = db.session.execute(select(Incident).where(Incident.id == confirmed)).scalar_one()
    incident.organisation.notice_rate_per_minute = 0  # no provider cap: the test sends at once
    db.session.commit()
    page = browser.new_context(accept_downloads=True).new_page()
    sign_in(page, live_server, "fg@demo.example.org")
    page.goto(f"{live_server}/incidents/{confirmed}/people")
    expect(page.get_by_role("heading", name="Informing the people affected")).to_be_visible()

    # Readability answers while the FG types: a long sentence full of jargon lowers it.
    score = page.locator("#readability-score")
    before = int(score.inner_text())
    page.get_by_label("What happened").fill(
        "De verwerkingsverantwoordelijke heeft geconstateerd dat persoonsgegevens van "
        "betrokkenen door een onbevoegde derde partij zijn geëxfiltreerd, waarna mitigerende "
        "maatregelen ter voorkoming van herhaling zijn geïmplementeerd en geëvalueerd."
    )
    expect(score).not_to_have_text(str(before), timeout=5000)
    assert int(score.inner_text()) < before
    expect(page.locator("#readability-jargon")).to_contain_text("verwerkingsverantwoordelijke")
    page.get_by_label("What happened").fill(
        "Een lijst met namen van klanten is per ongeluk naar een andere klant gestuurd."
    )
    page.get_by_label("What it may mean for them").fill("Iemand anders heeft uw naam gezien.")
    page.get_by_label("What we did and will do").fill(
        "Wij hebben de ontvanger gevraagd de lijst te wissen. Dat heeft hij gedaan."
    )
    # Showing breachdesk's draft again asks first, since it would replace the typing.
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("#redraft-notice").click()
    assert asked and "replaced by breachdesk" in asked[0]
    expect(page.get_by_label("What it may mean for them")).to_have_value(
        "Iemand anders heeft uw naam gezien."
    )
    # What the law requires answers as the FG types too: an emptied contact point shows.
    contact = page.locator('[data-section="contact"] textarea')
    written = contact.input_value()
    expect(page.locator("#elements [data-complete]")).to_be_visible(timeout=5000)
    contact.fill("")
    expect(page.locator('#elements [data-missing="contact_point"]')).to_be_visible(timeout=5000)
    expect(page.locator("#elements [data-complete]")).to_be_hidden()
    contact.fill(written)
    expect(page.locator("#elements [data-complete]")).to_be_visible(timeout=5000)
    page.get_by_role("button", name="Save and approve this version").click()
    expect(page.get_by_text("Version 1 is approved")).to_be_visible()
    page.screenshot(path=str(tmp_path / "notice.png"), full_page=True)

    # Import the list: upload, check the proposed columns, use it.
    page.get_by_role("link", name="Import a list").click()
    csv = tmp_path / "klanten.csv"
    csv.write_text(CSV, encoding="utf-8-sig")
    page.get_by_label("File").set_input_files(str(csv))
    page.get_by_role("button", name="Next: the columns").click()
    expect(page.locator("#col-1")).to_have_value("email")
    page.get_by_role("button", name="Next: check the rows").click()
    expect(page.locator('[data-count="email"]')).to_have_text("2")
    expect(page.locator('[data-count="letter"]')).to_have_text("1")
    page.get_by_role("button", name="Use this list (3 people)").click()
    expect(page.locator("#recipient-summary")).to_contain_text("3 people")

    # Send; the scheduler (here: one tick from the test) does the sending; the bar follows.
    page.get_by_role("button", name="Send the notice").click()
    bar = page.locator("progress.mailing-progress")
    expect(bar).to_have_attribute("value", "0")
    with app.app_context():
        deliver_now(app)
    expect(page.locator(".mailing-status")).to_have_text("done", timeout=10000)
    expect(page.locator("progress.mailing-progress")).to_have_attribute("value", "100")
    page.screenshot(path=str(tmp_path / "sent.png"), full_page=True)

    page.get_by_role("link", name="Proof per person").click()
    expect(page.locator('[data-delivery-status="sent"]')).to_have_count(2)
    expect(page.locator("#proof")).to_contain_text("anais@example.nl")
    page.go_back()

    # The letter for the person without an e-mail address, as a PDF.
    with page.expect_download() as download:
        page.locator('[data-letters-part="1"]').click()
    pdf = tmp_path / "letters.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Els Bakker" in text and "1234 AB" in text
    # Posted a moment ago, in Dutch time (a fixed date here fell more than a day before the
    # mailing once the calendar moved on, and the form rightly refused it).
    posted = datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(minutes=2)
    page.get_by_label("Posted at").fill(posted.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Record that the letters were posted").click()
    expect(page.locator("[data-letters] .letters-posted")).to_be_visible()
