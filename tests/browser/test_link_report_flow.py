"""Reporting without an account, in real Chromium at phone width, with real SMTP.

The administrator makes Kruix's reporting link; someone without an account reports through it
on a phone, gets the confirmation by e-mail (a local aiosmtpd server), the FG asks a question,
the reporter answers through the link in the mail and adds a file, and the FG sees the answer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from breachdesk.extensions import db

from ..conftest import Inbox, deliver_now
from .test_report_flow import demo, sign_in  # noqa: F401 - the demo fixture is used by name

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def app_config(smtp_server: tuple[Inbox, int]) -> dict[str, Any]:
    return {"MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server[1]}


def plain_text(message: Any) -> str:
    part = message.get_payload()[0] if message.is_multipart() else message
    return str(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))


def mails_to(inbox: Inbox, address: str) -> list[str]:
    return [plain_text(message) for recipients, message in inbox.messages if address in recipients]


def follow_up_path(text: str) -> str:
    found = re.search(r"https?://[^/\s]+(/volg/[\w-]+)", text)
    assert found, "the mail carries the follow-up link"
    return found.group(1)


def no_horizontal_overflow(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_report_without_an_account_and_follow_up_both_ways(
    browser: Browser,
    page: Page,
    live_server: str,
    app: Flask,
    demo: None,  # noqa: F811 - the fixture imported above
    smtp_server: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    inbox, _ = smtp_server
    # The administrator makes the link and reads it off the page.
    sign_in(page, live_server, "admin@demo.example.org")
    page.goto(f"{live_server}/admin/organisations/kruix")
    page.get_by_role("link", name="Meldlinks").click()
    page.locator("#link-staff").get_by_role("button", name="Link maken").click()
    expect(page.locator("#link-staff svg")).to_be_visible()  # the QR code
    link = page.locator("#url-staff").input_value()
    path = "/melden/" + link.rsplit("/melden/", 1)[1]
    page.get_by_role("button", name="Uitloggen").click()

    # Someone without an account reports on a phone.
    phone = browser.new_context(viewport=PHONE)
    reporter = phone.new_page()
    reporter.goto(live_server + path)
    expect(reporter.get_by_text("Je hebt geen account nodig")).to_be_visible()
    reporter.get_by_label("Korte titel").fill("Klantlijst naar verkeerde leverancier gemaild")
    reporter.get_by_label("Wat is er gebeurd?").fill(
        "Ik heb een Excel-bestand met klantgegevens naar de verkeerde leverancier gestuurd."
    )
    reporter.get_by_label("Wanneer is het ontdekt?").fill("2026-01-05T09:15")
    reporter.get_by_label("Je e-mailadres (optioneel)").fill("fout")
    reporter.get_by_role("button", name="Melding versturen").click()
    # A bad address is refused at its field; what was typed stays.
    expect(reporter.locator("#reporter_email-error")).to_be_visible()
    expect(reporter.get_by_label("Korte titel")).to_have_value(
        "Klantlijst naar verkeerde leverancier gemaild"
    )
    reporter.get_by_label("Je e-mailadres (optioneel)").fill("sanne@voorbeeld.nl")
    reporter.get_by_label("Je naam (optioneel)").fill("Sanne")
    reporter.get_by_role("button", name="Melding versturen").click()
    expect(reporter.get_by_text("Bedankt, je melding is ontvangen.")).to_be_visible()
    reference = reporter.locator("#reference").inner_text()
    assert re.fullmatch(r"KRX-\d{4}-\d{4}", reference)
    no_horizontal_overflow(reporter)

    # The confirmation arrives over SMTP with the private link.
    deliver_now(app)
    db.session.remove()
    (confirmation,) = mails_to(inbox, "sanne@voorbeeld.nl")
    assert reference in confirmation
    follow = follow_up_path(confirmation)

    # The FG asks a question from the incident page.
    fg = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(fg, live_server, "fg@demo.example.org")
    fg.goto(f"{live_server}/incidents/")
    fg.get_by_role("link", name=reference, exact=True).first.click()
    expect(fg.locator("#reported-by")).to_contain_text("Sanne")
    fg.get_by_text("De melder een vraag stellen").click()
    fg.get_by_label("Vraag aan de melder").fill("Heeft de leverancier het bestand verwijderd?")
    fg.get_by_role("button", name="Vraag versturen").click()
    expect(fg.get_by_text("Je vraag is naar de melder gestuurd.")).to_be_visible()
    deliver_now(app)
    db.session.remove()
    question_mail = mails_to(inbox, "sanne@voorbeeld.nl")[-1]
    assert "Heeft de leverancier het bestand verwijderd?" in question_mail
    assert follow_up_path(question_mail) == follow

    # The reporter opens the link from the mail, answers and adds the deletion confirmation.
    proof = tmp_path / "bevestiging.txt"
    proof.write_text("Bestand is verwijderd, groet, de leverancier.\n", encoding="utf-8")
    reporter.goto(live_server + follow)
    expect(reporter.get_by_text("Heeft de leverancier het bestand verwijderd?")).to_be_visible()
    reporter.get_by_label("Je antwoord of nieuwe informatie").fill(
        "Ja, hij heeft het schriftelijk bevestigd; zie bijlage."
    )
    reporter.get_by_label("Bestanden (optioneel)").set_input_files(str(proof))
    reporter.get_by_role("button", name="Versturen").click()
    expect(reporter.get_by_text("De privacyfunctionaris is op de hoogte gebracht.")).to_be_visible()
    no_horizontal_overflow(reporter)

    # The FG is told and sees the answer and the file on the incident page.
    deliver_now(app)
    db.session.remove()
    assert any(
        reference in text and "gereageerd" not in text
        for text in mails_to(inbox, "fg@demo.example.org")
    )
    fg.reload()
    expect(fg.get_by_text("Ja, hij heeft het schriftelijk bevestigd; zie bijlage.")).to_be_visible()
    expect(fg.get_by_role("link", name="bevestiging.txt")).to_be_visible()
    expect(fg.locator("#messages [data-kind=question]")).to_contain_text("beantwoord")
    phone.close()
