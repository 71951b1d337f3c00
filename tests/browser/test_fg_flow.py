"""The FG takes a report to a recorded decision in real Chromium."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from breachdesk.demo import DEMO_PASSWORD, load
from breachdesk.domain.report import Answer, CountMode, IncidentReport
from breachdesk.extensions import db
from breachdesk.models import Decision, Organisation, User
from breachdesk.services import incidents as incident_service
from breachdesk.services.clock import SystemClock
from breachdesk.services.organisations import profile_of

pytestmark = pytest.mark.browser


@pytest.fixture
def reported(app: Flask) -> str:
    """A LEIZ staff report: a client list e-mailed to one wrong, known recipient."""
    clock = SystemClock()
    load(db.session, clock=clock, hasher=app.extensions["breachdesk"].hasher)
    leiz = db.session.execute(select(Organisation).where(Organisation.slug == "leiz")).scalar_one()
    reporter = db.session.execute(
        select(User).where(User.email == "melder.leiz@demo.example.org")
    ).scalar_one()
    keys = [c.key for c in profile_of(leiz).data_categories[:3]]
    report = IncidentReport(
        title="Klantenlijst naar verkeerde klant gemaild",
        description=(
            "Een lijst met namen en e-mailadressen van 12 klanten is naar één andere"
            " klant gestuurd."
        ),
        discovered_at=datetime.now(UTC) - timedelta(hours=1),
        discovery_how="De ontvanger belde ons.",
        ongoing=Answer.NO,
        data_category_keys=tuple(keys),
        subjects_mode=CountMode.EXACT,
        subjects_exact=12,
    )
    incident = incident_service.submit_report(
        db.session,
        reporter=reporter,
        organisation=leiz,
        report=report,
        clock=clock,
    )
    reference = incident.reference
    db.session.remove()
    return reference


def test_fg_triages_assesses_and_decides(
    page: Page, live_server: str, reported: str, app: Flask
) -> None:
    page.goto(f"{live_server}/language/en?next=/login")
    page.get_by_label("E-mail address").fill("fg@demo.example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The inbox shows the new report; awareness is not recorded yet.
    row = page.locator(f'tr[data-reference="{reported}"]')
    expect(row).to_contain_text("awareness not yet recorded")
    row.get_by_role("link", name=reported).click()

    # Triage: a personal-data breach (confidentiality); aware since 30 minutes ago.
    triage = page.locator("#triage")
    triage.get_by_role("group", name="Were personal data involved?").get_by_label("Yes").check()
    triage.get_by_role("group", name="Was security breached").get_by_label("Yes").check()
    triage.get_by_label("Confidentiality").check()
    aware = (datetime.now(UTC) - timedelta(minutes=30)).astimezone().strftime("%Y-%m-%dT%H:%M")
    triage.get_by_label("When did the organisation become aware?").fill(aware)
    triage.get_by_role("button", name="Record triage").click()
    expect(page.locator("#deadline")).to_contain_text("deadline for notifying the AP")
    expect(page.locator("#deadline")).to_contain_text("left")

    # The checklist, pre-filled; answers change the recommendation live.
    page.get_by_role("link", name="Open the risk checklist").click()
    outcome = page.locator("#recommendation-outcome")
    expect(outcome).to_be_visible()
    page.get_by_role("group", name="Malicious").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Who got or could get the data?").get_by_label(
        "A limited, known number of people"
    ).check()
    page.get_by_role("group", name="Special categories").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="BSN or another").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Were the data unintelligible").get_by_label(
        "Not protected"
    ).check()
    expect(page.locator("#enisa-arithmetic")).to_contain_text("DPC")
    before = outcome.get_attribute("data-outcome")
    page.get_by_role("group", name="Special categories").get_by_label("Yes", exact=True).check()
    expect(outcome).to_have_attribute("data-outcome", "notify_ap_and_subjects")
    assert before != "notify_ap_and_subjects"
    page.get_by_role("group", name="Special categories").get_by_label("No", exact=True).check()
    expect(outcome).to_have_attribute("data-outcome", before or "")
    page.get_by_role("button", name="Confirm checklist").click()
    expect(page.get_by_text("The checklist has been saved.")).to_be_visible()

    # The decision: differ from the recommendation, which needs a written rationale.
    decision = page.locator("#decision")
    other = "notify_ap" if before != "notify_ap" else "register_only"
    decision.get_by_label("Decision").select_option(other)
    decision.get_by_role("button", name="Record decision").click()
    expect(page.locator("#rationale-error")).to_be_visible()
    page.get_by_label("Rationale").fill(
        "Voorzichtigheidshalve melden: de ontvanger is onbekend en reageert niet op verzoeken."
    )
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator('[data-decision-version="1"]')).to_contain_text(
        "differs from the recommendation"
    )
    expect(page.locator('[data-decision-version="1"]')).to_contain_text("Voorzichtigheidshalve")

    # Stored with what it rested on: the answers and the rule-set version.
    stored = db.session.execute(select(Decision)).scalar_one()
    assert stored.version == 1 and not stored.follows_recommendation
    assert stored.facts_snapshot["recipients"] == "limited_known"
    assert stored.ruleset_version == stored.recommendation_snapshot["ruleset_version"]
