"""The personal deadline feed: a secret link, only one's own organisations, revocable."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from icalendar import Calendar
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Incident, Organisation, User
from breachdesk.services import calendar as calendar_service
from breachdesk.services import triage
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.filings import record_notification

from ..conftest import T0, MakeUser, login
from ..integration.test_incidents import submit
from ..integration.test_triage import answers

AWARE = T0 - timedelta(hours=2)  # 08:00 UTC; the 72 hours end 22 Nov 2026 08:00 UTC


def confirmed(org: Organisation, fg: User, clock: FixedClock, **changes: Any) -> Incident:
    reporter = db.session.execute(select(User).where(User.email == "r@x.nl")).scalar_one()
    incident = submit(reporter, org, clock)
    triage.record_triage(
        db.session, incident, replace(answers(), **changes), actor=Actor.of(fg), clock=clock
    )
    return incident


def create_link(client: Any) -> str:
    """Create the link on the account page; returns the path of the feed URL shown."""
    response = client.post("/account/calendar")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<label for="calendar-url"' in page
    found = re.search(r'id="calendar-url"[^>]*value="([^"]+)"', page)
    assert found is not None
    url = html.unescape(found.group(1))
    assert url.startswith("http://breachdesk.test/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://breachdesk.test")


def events(body: bytes) -> dict[str, Any]:
    """The feed's events by UID, parsed by icalendar (which proves the text is valid)."""
    cal = Calendar.from_ical(body)
    assert cal.get("version") == "2.0"
    return {str(event["uid"]): event for event in cal.walk("VEVENT")}


@pytest.fixture
def fg(orgs: dict[str, Organisation], make_user: MakeUser) -> User:
    kruix, luxigo = orgs["kruix"], orgs["luxigo"]
    make_user("r@x.nl", (kruix, Role.REPORTER), (luxigo, Role.REPORTER))
    make_user("fg-luxigo@x.nl", (luxigo, Role.FG))
    return make_user("fg@x.nl", (kruix, Role.FG))


def test_fg_subscribes_to_the_deadlines_of_their_own_organisations(
    app: Flask, client: Any, orgs: dict[str, Organisation], fg: User, clock: FixedClock
) -> None:
    ours = confirmed(orgs["kruix"], fg, clock, aware_at=AWARE)
    processor = confirmed(
        orgs["kruix"], fg, clock, our_role="processor", controller_name="Gemeente X"
    )
    other_fg = db.session.execute(select(User).where(User.email == "fg-luxigo@x.nl")).scalar_one()
    theirs = confirmed(orgs["luxigo"], other_fg, clock, aware_at=T0 - timedelta(hours=5))
    submit(db.session.get(User, ours.reporter_id), orgs["kruix"], clock)  # not triaged: no clock

    login(client, "fg@x.nl")
    assert 'id="calendar"' in client.get("/account").get_data(as_text=True)
    path = create_link(client)
    client.post("/logout")

    response = client.get(path)  # calendar apps cannot sign in
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store, private"
    body = response.get_data()
    assert "DTSTART:20261122T080000Z\r\n" in body.decode()
    assert "20261122T050000Z" not in body.decode()  # luxigo's deadline
    found = events(body)
    assert set(found) == {
        f"incident-{ours.id}-ap@breachdesk.test",
        f"incident-{processor.id}-controller@breachdesk.test",
    }

    event = found[f"incident-{ours.id}-ap@breachdesk.test"]
    assert str(event["summary"]) == f"Deadline AP-melding {ours.reference} (Kruix)"
    assert event.decoded("dtstart") == AWARE + timedelta(hours=72)
    description = str(event["description"])
    assert ours.title in description
    # 08:00 UTC is 09:00 in winter
    assert "22 november 2026 om 09:00 (Nederlandse tijd)" in description
    assert f"http://breachdesk.test/incidents/{ours.id}" in description
    assert str(event["url"]) == f"http://breachdesk.test/incidents/{ours.id}"
    triggers = sorted(alarm.decoded("trigger") for alarm in event.walk("VALARM"))
    assert triggers == [timedelta(hours=-12), timedelta(hours=-2)]

    as_processor = found[f"incident-{processor.id}-controller@breachdesk.test"]
    assert "informeren verwerkingsverantwoordelijke" in str(as_processor["summary"])
    assert as_processor.decoded("dtstart") == AWARE + timedelta(hours=24)  # contractual term
    assert f"incident-{theirs.id}-ap@breachdesk.test" not in found

    # Once the AP notification is recorded, the deadline leaves the calendar.
    record_notification(
        db.session, ours, submitted_at=T0, reference="M-1", provisional=False,
        delay_reason="", notes="", recorded_by=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    assert set(events(client.get(path).get_data())) == {
        f"incident-{processor.id}-controller@breachdesk.test"
    }


def test_a_new_link_replaces_the_old_one_and_revoking_ends_it(
    app: Flask, client: Any, orgs: dict[str, Organisation], fg: User, clock: FixedClock
) -> None:
    login(client, "fg@x.nl")
    first = create_link(client)
    assert client.get(first).status_code == 200
    second = create_link(client)
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    db.session.expire_all()
    assert fg.calendar_token_hash is not None and fg.calendar_token_hash not in second  # hash only
    page = client.get("/account").get_data(as_text=True)
    assert 'id="calendar-url"' not in page and second not in page  # shown only once

    response = client.post("/account/calendar/revoke")
    assert response.status_code == 302
    assert client.get(second).status_code == 404
    assert client.get("/calendar/made-up-token.ics").status_code == 404
    actions = db.session.execute(
        select(AuditEvent.action).where(AuditEvent.action.like("calendar.%"))
    ).scalars()
    assert list(actions) == [
        "calendar.token_issued",
        "calendar.token_issued",
        "calendar.token_revoked",
    ]


def test_an_inactive_user_has_no_feed(
    app: Flask, client: Any, orgs: dict[str, Organisation], fg: User, clock: FixedClock
) -> None:
    token = calendar_service.issue_token(db.session, fg, actor=Actor.of(fg), clock=clock)
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    fg.active = False
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_reporter_gets_no_calendar(client: Any, orgs: dict[str, Organisation], fg: User) -> None:
    login(client, "r@x.nl")
    page = client.get("/account").get_data(as_text=True)
    assert 'id="calendar"' not in page
    assert client.post("/account/calendar").status_code == 403


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_feed_needs_no_csrf_token_but_changing_the_link_does(
    client: Any, orgs: dict[str, Organisation], fg: User, clock: FixedClock
) -> None:
    token = calendar_service.issue_token(db.session, fg, actor=Actor.of(fg), clock=clock)
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    assert client.post("/account/calendar/revoke").status_code == 400
