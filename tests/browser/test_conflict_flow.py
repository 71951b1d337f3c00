"""Two FGs in two browsers save the same checklist: the second sees the conflict, loses nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from breachdesk.demo import DEMO_PASSWORD, load
from breachdesk.domain.checklist import BreachType, Tri
from breachdesk.domain.report import Answer, IncidentReport
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation, User
from breachdesk.services import incidents as incident_service
from breachdesk.services import triage
from breachdesk.services import users as user_service
from breachdesk.services.audit import Actor
from breachdesk.services.clock import SystemClock

pytestmark = pytest.mark.browser


@pytest.fixture
def confirmed(app: Flask) -> int:
    """A LEIZ breach, confirmed, with a second FG ("Tweede FG") besides the demo FG."""
    clock = SystemClock()
    hasher = app.extensions["breachdesk"].hasher
    load(db.session, clock=clock, hasher=hasher)
    leiz = db.session.execute(select(Organisation).where(Organisation.slug == "leiz")).scalar_one()
    user_service.create_user(
        db.session,
        email="fg2@leiz.example",
        name="Tweede FG",
        password=DEMO_PASSWORD,
        roles=[(leiz, Role.FG)],
        actor=Actor.system("tests"),
        clock=clock,
        hasher=hasher,
    )
    fg, reporter = (
        db.session.execute(select(User).where(User.email == email)).scalar_one()
        for email in ("fg@demo.example.org", "melder.leiz@demo.example.org")
    )
    incident = incident_service.submit_report(
        db.session,
        reporter=reporter,
        organisation=leiz,
        report=IncidentReport(
            title="Klantenlijst naar verkeerde klant gemaild",
            description="Een lijst met 12 klanten is naar één andere klant gestuurd.",
            discovered_at=datetime.now(UTC) - timedelta(hours=1),
            discovery_how="De ontvanger belde ons.",
            ongoing=Answer.NO,
        ),
        clock=clock,
    )
    answers = triage.TriageAnswers(
        personal_data=Tri.YES,
        security_breached=Tri.YES,
        breach_types=frozenset({BreachType.CONFIDENTIALITY}),
        reason="",
        aware_at=datetime.now(UTC) - timedelta(minutes=30),
    )
    triage.record_triage(db.session, incident, replace(answers), actor=Actor.of(fg), clock=clock)
    incident_id = incident.id
    db.session.remove()
    return incident_id


def sign_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/language/en?next=/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_second_save_shows_the_conflict_and_keeps_the_answers(
    browser: Browser, live_server: str, confirmed: int, tmp_path: Path
) -> None:
    first, second = (browser.new_context().new_page() for _ in range(2))
    sign_in(first, live_server, "fg@demo.example.org")
    sign_in(second, live_server, "fg2@leiz.example")
    url = f"{live_server}/incidents/{confirmed}/checklist"
    first.goto(url)
    second.goto(url)

    special = "Special categories"
    first.get_by_role("group", name=special).get_by_label("Yes", exact=True).check()
    first.get_by_role("button", name="Save as draft").click()
    expect(first.get_by_text("The checklist has been saved.")).to_be_visible()

    protection = second.get_by_role("group", name="Were the data unintelligible")
    protection.get_by_label("Not protected").check()
    second.get_by_role("button", name="Save as draft").click()
    panel = second.locator("#conflict")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Not saved: the risk checklist was changed in the meantime")
    expect(panel).to_contain_text("Demo FG <fg@demo.example.org> saved it at")
    rows = second.locator("#conflict-rows tbody tr")
    expect(rows.filter(has_text="Special categories")).to_contain_text("Yes")
    expect(rows.filter(has_text="unintelligible")).to_contain_text("Not protected")
    # Their own answer is still selected; the first FG's is shown, not forced on them.
    expect(protection.get_by_label("Not protected")).to_be_checked()
    second.screenshot(path=str(tmp_path / "conflict.png"), full_page=True)

    # Saving again is now a deliberate choice: it replaces the first FG's answers.
    second.get_by_role("button", name="Save as draft").click()
    expect(second.get_by_text("The checklist has been saved.")).to_be_visible()
    stored = db.session.get(Incident, confirmed)
    assert stored is not None and stored.facts is not None
    assert stored.facts["protection"] == "none" and stored.facts_version == 2
