"""Remedial actions: added with their owner and date, reminded through the delivery engine
when overdue (and not when done), shown in the register, its export, the dashboard and the
evidence pack."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from email import message_from_bytes
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.delivery import Kind
from breachdesk.domain.roles import Role
from breachdesk.domain.timeutil import utc_to_local
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Delivery, Incident, Organisation, RemedialAction
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, deliver_now, login, outbox_messages
from ..integration.test_incidents import submit


@pytest.fixture
def incident(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> Incident:
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@x.nl", (kruix, Role.FG))
    return submit(reporter, kruix, clock)


def add(client: Any, incident: Incident, **data: str) -> Any:
    form = {
        "title": "Wachtwoorden van het team resetten",
        "owner_name": "Pieter de Beheerder",
        "owner_email": "pieter@kruix.example",
        "due_on": "2026-11-25",
    }
    return client.post(f"/incidents/{incident.id}/actions/add", data={**form, **data})


def reminder_rows(incident: Incident) -> list[Delivery]:
    return list(
        db.session.execute(
            select(Delivery)
            .where(Delivery.incident_id == incident.id, Delivery.kind == Kind.ACTION_OVERDUE)
            .order_by(Delivery.id)
        ).scalars()
    )


def test_a_bad_address_is_named_at_its_field_and_nothing_is_saved(
    client: Any, incident: Incident
) -> None:
    login(client, "fg@x.nl")
    response = add(client, incident, owner_email="pieter bij kruix", title="Logbestanden nalopen")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'id="owner_email-error"' in text and 'value="Logbestanden nalopen"' in text
    assert db.session.execute(select(RemedialAction)).first() is None
    response = add(client, incident, title="")
    assert 'id="title-error"' in response.get_data(as_text=True)


def test_an_overdue_action_reminds_its_owner_and_a_finished_one_does_not(
    app: Flask, client: Any, incident: Incident, clock: FixedClock
) -> None:
    login(client, "fg@x.nl")
    assert add(client, incident).status_code == 302
    action = db.session.execute(select(RemedialAction)).scalar_one()
    rows = reminder_rows(incident)
    # 09:00 in Amsterdam (CET, UTC+1) the day after the due date, and a week after that.
    assert [r.due_at for r in rows] == [
        datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
        datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
    ]
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.action_added")
    ).scalar_one()
    assert "pieter" not in str(event.after) and event.after["owner_set"] is True

    clock.current = datetime(2026, 11, 26, 8, 1, tzinfo=UTC)
    deliver_now(app)  # also the FG's mail about the new report, due since it was made
    assert [r.status for r in reminder_rows(incident)] == ["sent", "planned"]
    messages = [message_from_bytes(p.read_bytes()) for p in outbox_messages(app)]
    (message,) = [m for m in messages if "Herstelmaatregel" in m["Subject"]]
    assert "pieter@kruix.example" in message["To"] and "fg@x.nl" in message["To"]
    assert incident.reference in message["Subject"]
    # The owner's reply reaches the FG, and the mail says how to reach them (it said "tell
    # the FG" without an address: found by exploratory testing).
    assert message["Reply-To"] == "fg@x.nl"
    body = message.get_payload(decode=True).decode()
    assert "of mail fg@x.nl" in body
    assert "Wachtwoorden van het team resetten" in message.get_payload(decode=True).decode()

    login(client, "fg@x.nl")  # a week later: the morning's session has expired
    page = client.get(f"/incidents/{incident.id}/actions/").get_data(as_text=True)
    assert "overdue" in page or "verlopen" in page
    response = client.post(
        f"/incidents/{incident.id}/actions/{action.id}",
        data={"status": "done", "outcome": "Alle wachtwoorden op 26 november gereset."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert action.status == "done" and action.done_at == clock.now()
    assert [r.status for r in reminder_rows(incident)] == ["sent", "cancelled"]
    clock.current = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    deliver_now(app)
    assert [r.status for r in reminder_rows(incident)] == ["sent", "cancelled"]
    after = [message_from_bytes(p.read_bytes()) for p in outbox_messages(app)]
    assert sum("Herstelmaatregel" in m["Subject"] for m in after) == 1


def test_a_new_date_plans_the_reminders_again(client: Any, incident: Incident) -> None:
    login(client, "fg@x.nl")
    add(client, incident)
    action = db.session.execute(select(RemedialAction)).scalar_one()
    client.post(
        f"/incidents/{incident.id}/actions/{action.id}",
        data={"status": "open", "due_on": "2026-12-10"},
    )
    db.session.expire_all()
    assert action.due_on == date(2026, 12, 10)
    planned = [r for r in reminder_rows(incident) if r.status == "planned"]
    assert [r.due_at.date() for r in planned] == [date(2026, 12, 11), date(2026, 12, 18)]


def test_actions_show_in_the_register_its_export_and_the_dashboard(
    client: Any, incident: Incident
) -> None:
    login(client, "fg@x.nl")
    add(client, incident)
    add(client, incident, title="Medewerkers instrueren over phishing", due_on="")
    register = client.get("/register/").get_data(as_text=True)
    assert 'data-open-actions="2"' in register
    exported = client.get("/register/export.csv").get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(exported), delimiter=";"))
    cell = table[1][table[0].index("Herstelmaatregelen")]
    assert cell == (
        "Wachtwoorden van het team resetten (Te doen); "
        "Medewerkers instrueren over phishing (Te doen)"
    )
    dashboard = client.get("/dashboard/").get_data(as_text=True)
    assert "2 herstelmaatregelen open" in dashboard


def test_only_the_organisations_fg_or_administrator_sees_the_actions(
    client: Any, incident: Incident, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("other@x.nl", (orgs["leiz"], Role.FG))
    for email in ("r@x.nl", "other@x.nl"):
        login(client, email)
        assert client.get(f"/incidents/{incident.id}/actions/").status_code == 404
        assert add(client, incident).status_code == 404
        client.post("/logout")
    assert db.session.execute(select(RemedialAction)).first() is None


def test_a_due_date_before_the_breach_was_discovered_is_refused_at_its_field(
    client: Any, incident: Incident
) -> None:
    """A typo such as 2020 for 2026 was accepted (found by exploratory testing)."""
    login(client, "fg@x.nl")
    discovered = utc_to_local(incident.discovered_at).strftime("%d-%m-%Y")
    response = add(client, incident, due_on="2020-01-01", title="Logbestanden nalopen")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="due_on-error"' in text
    assert (
        f"De uiterste datum kan niet vóór de ontdekking van het datalek liggen ({discovered})."
        in text
    )
    assert 'value="Logbestanden nalopen"' in text
    assert db.session.execute(select(RemedialAction)).first() is None

    assert add(client, incident).status_code == 302  # 25-11-2026: after the discovery
    action = db.session.execute(select(RemedialAction)).scalar_one()
    moved = client.post(
        f"/incidents/{incident.id}/actions/{action.id}",
        data={"status": "open", "due_on": "2020-01-01"},
    )
    text = moved.get_data(as_text=True)
    assert moved.status_code == 400 and f'id="due-{action.id}-error"' in text
    assert 'value="2020-01-01"' in text and "<details open>" in text
    db.session.expire_all()
    assert action.due_on == date(2026, 11, 25)


def test_a_change_that_cannot_be_read_comes_back_with_its_typing_and_the_error_at_its_field(
    client: Any, incident: Incident
) -> None:
    """Found by testing: a date the form could not read, or an account of the work too long,
    redirected with "Not changed: check the date." and lost what the FG had written about what
    was done. Now the page comes back with that measure's form open, the typing in it and each
    error at its field; nothing is changed."""
    login(client, "fg@x.nl")
    assert add(client, incident).status_code == 302
    action = db.session.execute(select(RemedialAction)).scalar_one()
    url = f"/incidents/{incident.id}/actions/{action.id}"
    written = "Alle wachtwoorden zijn gereset; twee accounts waren al geblokkeerd."

    bad_date = client.post(url, data={"status": "done", "outcome": written, "due_on": "31-02-2026"})
    text = bad_date.get_data(as_text=True)
    assert bad_date.status_code == 400 and "<details open>" in text
    assert f">{written}</textarea>" in text and 'value="31-02-2026"' in text
    assert f'id="due-{action.id}-error"' in text and "Niet gewijzigd" not in text

    # Done without what was done, dropped without why: refused at the field (both were
    # accepted with it empty: found by exploratory testing).
    for status in ("done", "cancelled"):
        empty = client.post(url, data={"status": status, "outcome": "  "})
        text = empty.get_data(as_text=True)
        assert empty.status_code == 400 and f'id="outcome-{action.id}-error"' in text
        assert ("wat er is gedaan" if status == "done" else "waarom") in text
    db.session.expire_all()
    assert action.status == "open"

    too_long = "x" * 2001
    long_text = client.post(url, data={"status": "done", "outcome": too_long})
    text = long_text.get_data(as_text=True)
    assert long_text.status_code == 400 and f'id="outcome-{action.id}-error"' in text
    assert f">{too_long}</textarea>" in text

    no_button = client.post(url, data={"status": "finished", "outcome": written})
    text = no_button.get_data(as_text=True)
    assert no_button.status_code == 400 and f'id="change-{action.id}-error"' in text
    assert f">{written}</textarea>" in text

    db.session.expire_all()
    assert (action.status, action.outcome, action.due_on) == ("open", "", date(2026, 11, 25))
