"""A reporter files a report in real Chromium; the FG's e-mail lands in the outbox."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from breachdesk.demo import load
from breachdesk.extensions import db
from breachdesk.services.clock import SystemClock

from ..conftest import deliver_now, outbox_messages

pytestmark = pytest.mark.browser
PASSWORD = "breachdesk-demo"


@pytest.fixture
def demo(app: Flask) -> None:
    load(db.session, clock=SystemClock(), hasher=app.extensions["breachdesk"].hasher)
    db.session.remove()  # the live server has its own sessions


def _contrast_with_white(css_colour: str) -> float:
    """WCAG's contrast ratio of an rgb() colour against white."""
    red, green, blue = (int(v) for v in re.findall(r"\d+", css_colour)[:3])

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return 1.05 / (luminance + 0.05)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_reporter_corrects_an_error_and_gets_a_reference(
    page: Page, live_server: str, app: Flask, demo: None
) -> None:
    sign_in(page, live_server, "melder.luxigo@demo.example.org")
    page.get_by_role("link", name="Incident melden").first.click()
    expect(page.get_by_text("Luxigo", exact=True).first).to_be_visible()

    page.get_by_label("Korte titel").fill("Bestellijst naar verkeerde klant gemaild")
    page.get_by_label("Wat is er gebeurd?").fill(
        "Een export met bestellingen is naar een andere klant gestuurd."
    )
    # One mistake: discovered in the future.
    page.get_by_label("Wanneer is het ontdekt?").fill("2099-01-01T10:00")
    page.get_by_label("Voor- en achternaam").check()
    page.get_by_label("Adresgegevens").check()
    page.get_by_label("Precies", exact=True).check()
    page.get_by_label("Aantal personen").fill("37")
    page.get_by_role("button", name="Melding versturen").click()

    error = page.locator("#discovered_at-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("toekomst")
    # The summary of the errors takes the focus, so it is read out (accessibility review).
    expect(page.locator("#form-errors")).to_be_focused()
    # The fields' borders stand out from the page (WCAG 1.4.11, 3:1; they were 1.3:1).
    border = page.get_by_label("Korte titel").evaluate("e => getComputedStyle(e).borderTopColor")
    assert _contrast_with_white(border) >= 3, border
    # What was typed is still there.
    expect(page.get_by_label("Korte titel")).to_have_value(
        "Bestellijst naar verkeerde klant gemaild"
    )
    expect(page.get_by_label("Aantal personen")).to_have_value("37")
    expect(page.get_by_label("Voor- en achternaam")).to_be_checked()

    page.get_by_label("Wanneer is het ontdekt?").fill("2026-01-05T09:15")
    page.get_by_role("button", name="Melding versturen").click()

    expect(page.get_by_text("Bedankt, je melding is ontvangen.")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"LUX-\d{4}-0001", reference)

    # The FG was e-mailed by the scheduler's next tick (the embedded mailer keeps messages in
    # the outbox folder) ...
    assert deliver_now(app).sent == 1
    db.session.remove()
    messages = outbox_messages(app)
    assert len(messages) == 1 and reference in messages[0].read_text(encoding="utf-8")
    assert "To: fg@demo.example.org" in messages[0].read_text(encoding="utf-8")
    # ... and the administrator can read it in the app.
    page.get_by_role("button", name="Uitloggen").click()
    sign_in(page, live_server, "admin@demo.example.org")
    page.get_by_role("link", name="Postvak UIT").click()
    page.get_by_role("link", name=re.compile(reference)).click()
    expect(page.get_by_text("Er is een nieuw incident gemeld bij Luxigo")).to_be_visible()
    # The FG sees it in the list.
    page.get_by_role("button", name="Uitloggen").click()
    sign_in(page, live_server, "fg@demo.example.org")
    expect(page.locator("#incident-list")).to_contain_text(reference)


def test_reporter_of_another_organisation_gets_not_found(
    page: Page, live_server: str, demo: None
) -> None:
    sign_in(page, live_server, "melder.kruix@demo.example.org")
    page.goto(f"{live_server}/report/kruix")
    page.get_by_label("Korte titel").fill("USB-stick verloren")
    page.get_by_label("Wat is er gebeurd?").fill(
        "Onversleutelde USB-stick met klantgesprekken kwijt."
    )
    page.get_by_label("Wanneer is het ontdekt?").fill("2026-01-05T09:15")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.locator("#reference")).to_be_visible()
    page.get_by_role("link", name="Bekijk je melding").click()
    url = page.url
    page.get_by_role("button", name="Uitloggen").click()

    sign_in(page, live_server, "melder.leiz@demo.example.org")
    response = page.goto(url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Niet gevonden")).to_be_visible()


def test_report_form_works_on_a_phone(page: Page, live_server: str, demo: None) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_mobile = page
    sign_in_mobile.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill("melder.levensmozaiek@demo.example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server}/report/levensmozaiek")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone screen"
    expect(page.get_by_role("button", name="Melding versturen")).to_be_visible()


def test_back_after_sending_shows_an_empty_form_not_one_to_send_twice(
    page: Page, live_server: str, app: Flask, demo: None
) -> None:
    """Found by exploratory testing: after sending, the back button brought the form back as
    typed (the browser refills it) and sending it again made a second incident, with its own
    reminders. The form comes back empty, saying why; the report was made once."""
    from sqlalchemy import func, select

    from breachdesk.models import Incident

    def incidents() -> int:
        count = db.session.execute(select(func.count()).select_from(Incident)).scalar_one()
        db.session.remove()
        return int(count)

    sign_in(page, live_server, "melder.luxigo@demo.example.org")
    before = incidents()
    page.goto(f"{live_server}/report/luxigo")
    page.get_by_label("Korte titel").fill("Eenmaal verstuurd")
    page.get_by_label("Wat is er gebeurd?").fill("Een lijst is naar de verkeerde klant gegaan.")
    page.get_by_label("Wanneer is het ontdekt?").fill("2026-01-05T09:15")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_text("Bedankt, je melding is ontvangen.")).to_be_visible()
    assert incidents() == before + 1
    # The thank-you page's script marks the report sent in this tab. Its text shows before
    # the script at the page's end has run: a loaded CI machine went back before it had (the
    # form then came back filled in, as for a report never sent), twice.
    expect(page.locator("[data-draft-clear][data-draft-cleared]")).to_be_attached()

    page.go_back()
    expect(page.locator("#already-sent")).to_be_visible()
    expect(page.get_by_label("Korte titel")).to_have_value("")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.locator("#title-error")).to_be_visible()  # an empty form: nothing sent
    assert incidents() == before + 1
    # Typing starts a new report: the tab no longer remembers this form as sent, so coming
    # back to it later does not empty the new report or say it was sent.
    page.get_by_label("Korte titel").fill("Een nieuwe melding")
    sent = page.evaluate(
        "Object.keys(sessionStorage).filter(k => k.indexOf('breachdesk-sent:') === 0).length"
    )
    assert sent == 0


def test_a_form_restored_from_the_back_forward_cache_after_sending_is_emptied_too(
    page: Page, live_server: str, demo: None
) -> None:
    """A page from the back-forward cache runs no script again and comes back as it was left,
    typed in: only "pageshow" (persisted) says so. A CI run went back to such a page and found
    the form still filled in. This plays that restore: the thank-you page has marked the
    report sent in this tab, then the cached form is shown again."""
    sign_in(page, live_server, "melder.luxigo@demo.example.org")
    page.goto(f"{live_server}/report/luxigo")
    page.get_by_label("Korte titel").fill("Eenmaal verstuurd")
    key = page.locator("#report-form").get_attribute("data-draft-key")
    page.evaluate(
        """key => {
            sessionStorage.removeItem('breachdesk-draft:' + key);
            sessionStorage.setItem('breachdesk-sent:' + key, '1');
            window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}));
        }""",
        key,
    )
    expect(page.locator("#already-sent")).to_be_visible()
    expect(page.get_by_label("Korte titel")).to_have_value("")
    # A form never sent keeps what was typed when it comes back from the cache.
    page.get_by_label("Korte titel").fill("Nog niet verstuurd")
    page.evaluate(
        "() => window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))"
    )
    expect(page.get_by_label("Korte titel")).to_have_value("Nog niet verstuurd")
