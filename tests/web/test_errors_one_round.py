"""A form shows every error in one round: the form's own (a required field left empty, a date
that does not parse) together with the domain's (a date before the breach began, a due date
before it was discovered, a supplement before the first filing), each at its field, with the
typing kept and nothing saved (found by exploratory testing: the domain's errors came one
round later)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import (
    Incident,
    Organisation,
    PeopleNotice,
    PublicNotice,
    RemedialAction,
    WebhookEndpoint,
)
from breachdesk.services.clock import FixedClock
from breachdesk.services.people_notices import MAX_SECTION

from ..conftest import T0, MakeUser, login
from ..integration.test_incidents import submit
from .test_controller_notice_web import processor_incident
from .test_people_web import informing, notice_form
from .test_public_report import make_link
from .test_reports import form_data
from .test_stale_and_closing import (
    UNENCRYPTED_LAPTOP,
    assessed,
    decide,
    file_notification,
    save_checklist,
)
from .test_triage_web import reported_incident


@pytest.fixture
def incident(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> Incident:
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@x.nl", (kruix, Role.FG))
    return submit(reporter, kruix, clock)


def errors_at(page: str, *fields: str) -> None:
    for name in fields:
        assert f'id="{name}-error"' in page, name


def test_a_measure_without_a_title_and_with_a_due_date_before_the_discovery(
    client: Any, incident: Incident
) -> None:
    login(client, "fg@x.nl")
    response = client.post(
        f"/incidents/{incident.id}/actions/add",
        data={"title": "", "owner_name": "Pieter de Beheerder", "due_on": "2020-01-01"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    errors_at(page, "title", "due_on")
    assert "Beschrijf de maatregel." in page
    assert "De uiterste datum kan niet vóór de ontdekking van het datalek liggen" in page
    assert 'value="Pieter de Beheerder"' in page and 'value="2020-01-01"' in page
    assert db.session.execute(select(RemedialAction)).first() is None


def confirmed(client: Any, incident: Incident) -> None:
    """Triage ``incident`` as a breach; the FG aware at 10:30 Amsterdam (09:30 UTC)."""
    login(client, "fg@x.nl")
    response = client.post(
        f"/incidents/{incident.id}/triage",
        data={
            "personal_data": "yes",
            "security_breached": "yes",
            "aware_at": "2026-11-19T10:30",
            "breach_types": ["confidentiality"],
        },
    )
    assert response.status_code == 302


@pytest.fixture
def started_yesterday(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> Incident:
    """A report of a breach that began a day before the clock's now (T0)."""
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@x.nl", (kruix, Role.FG))
    return submit(reporter, kruix, clock, started_at=T0 - timedelta(days=1))


def test_triage_without_an_answer_and_with_awareness_before_the_breach_began(
    client: Any, started_yesterday: Incident
) -> None:
    incident = started_yesterday
    login(client, "fg@x.nl")
    response = client.post(
        f"/incidents/{incident.id}/triage",
        data={
            "personal_data": "yes",  # the second question left open
            "aware_at": "2026-11-01T09:00",  # weeks before the breach began
            "breach_types": ["confidentiality"],
            "reason": "Brief bij de buren bezorgd.",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "security_breached", "aware_at")
    assert "Het moment van kennisname kan niet vóór het begin van het datalek liggen." in page
    assert 'value="2026-11-01T09:00"' in page and "Brief bij de buren bezorgd." in page
    db.session.expire_all()
    assert incident.state == "reported" and incident.aware_at is None
    assert incident.triaged_at is None


def test_triage_with_a_malformed_moment_and_no_type_of_breach(
    client: Any, incident: Incident
) -> None:
    login(client, "fg@x.nl")
    response = client.post(
        f"/incidents/{incident.id}/triage",
        data={"personal_data": "yes", "security_breached": "yes", "aware_at": "gisteren"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "aware_at", "breach_types")
    assert "Kies minstens één soort inbreuk" in page
    db.session.expire_all()
    assert incident.state == "reported" and incident.aware_at is None


def test_awareness_with_a_reason_too_long_and_a_moment_in_the_future(
    client: Any, incident: Incident
) -> None:
    confirmed(client, incident)
    response = client.post(
        f"/incidents/{incident.id}/awareness",
        data={"aware_at": "2026-11-20T10:00", "reason": "x" * 5001},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "awareness-aware_at", "awareness-reason")  # the page's own ids
    assert "Het moment van kennisname kan niet in de toekomst liggen." in page
    db.session.expire_all()
    assert incident.aware_at == datetime(2026, 11, 19, 9, 30, tzinfo=UTC)


def test_a_triage_correction_without_a_reason_and_without_a_type_of_breach(
    client: Any, incident: Incident
) -> None:
    confirmed(client, incident)
    response = client.post(
        f"/incidents/{incident.id}/triage/correct",
        data={"our_role": "processor", "controller_name": "Gemeente Zwolle", "reason": ""},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "correct-reason", "correct-breach_types")
    assert "Schrijf de reden van de correctie op." in page
    assert "Kies minstens één soort inbreuk" in page
    assert 'value="Gemeente Zwolle"' in page
    db.session.expire_all()
    assert incident.breach_types == ["confidentiality"] and incident.our_role == "controller"


def test_closing_with_a_malformed_moment_and_without_saying_how(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    save_checklist(client, incident, UNENCRYPTED_LAPTOP, version=1)
    assert decide(client, incident, 0, 2).status_code == 302  # notify the AP and the people
    assert file_notification(client, incident).status_code == 302
    response = client.post(
        f"/incidents/{incident.id}/close",
        data={"subjects_outcome": "informed", "subjects_at": "19-11-2026", "subjects_note": ""},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "subjects_at", "subjects_note")
    assert "Geef aan hoe zij zijn geïnformeerd" in page
    assert 'value="19-11-2026"' in page
    db.session.expire_all()
    assert incident.state == "decided" and incident.subjects_resolution == ""


def filings_of(incident: Incident) -> list[str]:
    db.session.expire_all()
    return [n.kind for n in incident.notifications]


def test_a_notification_with_a_reference_too_long_and_filed_before_awareness(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)  # aware at 10:30 Amsterdam
    response = client.post(
        f"/incidents/{incident.id}/notification",
        data={
            "submitted_at": "2026-11-19T10:00",
            "reference": "M" * 101,
            "seen_filings": "0",
            "confirm_incomplete": "y",
            "notes": "Via het meldformulier van de AP.",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "submitted_at", "reference")
    assert "De melding kan niet vóór het moment van kennisname liggen." in page
    assert "Via het meldformulier van de AP." in page
    assert filings_of(incident) == []


def test_a_supplement_with_a_reference_too_long_dated_before_the_first_filing(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    url = f"/incidents/{incident.id}/ap-sheet/file"
    first = {"submitted_at": "2026-11-19T11:00", "seen_filings": "0", "provisional": "y"}
    assert client.post(url, data=first).status_code == 302
    response = client.post(
        url,
        data={
            "submitted_at": "2026-11-19T10:50",
            "reference": "M" * 101,
            "seen_filings": "1",
            "confirm_incomplete": "y",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "submitted_at", "reference")
    assert "Een aanvulling kan niet vóór de eerste melding liggen." in page
    assert filings_of(incident) == ["initial"]


def test_a_withdrawal_with_a_malformed_moment_and_without_a_reason(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    assert file_notification(client, incident).status_code == 302
    response = client.post(
        f"/incidents/{incident.id}/ap-sheet/withdraw",
        data={"submitted_at": "morgen", "reason": "", "reference": "M-9", "seen_filings": "1"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "withdraw-submitted_at", "withdraw-reason")
    assert "Geef de reden van de intrekking (voor de AP en voor het register)." in page
    assert 'value="morgen"' in page and 'value="M-9"' in page
    assert filings_of(incident) == ["initial"]


def test_a_question_of_the_ap_without_a_date_and_without_the_question(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    assert file_notification(client, incident).status_code == 302
    (filing,) = incident.notifications
    response = client.post(
        f"/incidents/{incident.id}/ap-sheet/exchange",
        data={"notification_id": str(filing.id), "asked_at": "", "question": "",
              "answer": "Ongeveer 120 cliënten.", "answered_at": "2026-11-19T10:59"},
    )  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "exchange-asked_at", "exchange-question")
    assert "Schrijf de vraag van de AP op." in page and "Ongeveer 120 cliënten." in page
    db.session.expire_all()
    assert filing.exchanges == []


#: A report with errors of each kind: no title and a moment of discovery that does not parse
#: (the form's), an end before the start of a breach still going on and a maximum below the
#: minimum (the domain's; two of them at the end).
BAD_REPORT = {
    "title": "",
    "discovered_at": "gisteren",
    "started_at": "2026-11-18T09:00",
    "ended_at": "2026-11-17T09:00",
    "ongoing": "yes",
    "subjects_mode": "range",
    "subjects_exact": "",
    "subjects_min": "40",
    "subjects_max": "4",
}


def assert_bad_report_shown(page: str) -> None:
    errors_at(page, "title", "discovered_at", "ended_at", "subjects_max")
    assert "Het einde kan niet vóór het begin liggen." in page
    assert "Je gaf aan dat het nog aan de gang is" in page
    assert "Het maximum kan niet lager zijn dan het minimum." in page
    assert 'value="gisteren"' in page and 'value="40"' in page


def test_a_report_with_errors_of_the_form_and_of_the_domain(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    response = client.post("/report/kruix", data=form_data(**BAD_REPORT))
    assert response.status_code == 200  # the report page answers its own errors with 200
    assert_bad_report_shown(response.get_data(as_text=True))
    assert db.session.execute(select(Incident)).first() is None


def test_a_report_on_a_reporting_link_with_errors_of_the_form_and_of_the_domain(
    client: Any, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    response = client.post(make_link(orgs["kruix"], clock), data=form_data(**BAD_REPORT))
    assert response.status_code == 422
    assert_bad_report_shown(response.get_data(as_text=True))
    assert db.session.execute(select(Incident)).first() is None


def test_a_correction_of_the_report_without_a_reason_and_with_an_impossible_range(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    corrected = form_data(subjects_mode="range", subjects_min="340", subjects_max="34")
    response = client.post(
        f"/incidents/{incident.id}/report/correct", data={**corrected, "correction_reason": ""}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "correction_reason", "subjects_max")
    assert "Schrijf op waarom je het corrigeert." in page
    assert "Het maximum kan niet lager zijn dan het minimum." in page
    db.session.expire_all()
    assert incident.subjects_mode == "exact" and incident.reported_facts is None


def test_a_notice_to_the_controller_with_a_subject_too_long_and_a_bad_address(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = processor_incident(client, orgs, make_user)
    response = client.post(
        f"/incidents/{incident.id}/controller-notice",
        data={
            "seen_filings": "0",
            "to": "privacy@gemeente.example, geen-adres",
            "subject": "S" * 251,
            "text": "Aan de FG van de gemeente,\n\nEigen woorden van de FG.\n",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "to", "subject")
    assert "“geen-adres” is geen e-mailadres." in page
    assert "Eigen woorden van de FG." in page
    db.session.expire_all()
    assert incident.notifications == []


def test_a_notice_to_people_to_approve_with_a_part_too_long_one_empty_and_no_subject(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = informing(client, orgs, make_user)
    client.get(f"/incidents/{incident.id}/people")  # the working draft is made
    draft = db.session.execute(select(PeopleNotice)).scalar_one()
    saved = (draft.edit_count, dict(draft.sections), draft.subject)
    data = notice_form(
        draft,
        subject="",
        what_happened="x" * (MAX_SECTION + 1),
        consequences="",
        measures="Onze eigen woorden over de maatregelen.",
    )
    response = client.post(
        f"/incidents/{incident.id}/people/notice", data={**data, "action": "approve"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "subject", "what_happened", "consequences")
    assert "Geef de e-mail een onderwerp." in page
    assert "Onze eigen woorden over de maatregelen." in page
    db.session.expire_all()
    assert (draft.edit_count, draft.sections, draft.subject) == saved
    assert draft.approved_at is None


def test_a_public_communication_with_a_malformed_moment_no_text_and_a_bad_address(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = informing(client, orgs, make_user)
    response = client.post(
        f"/incidents/{incident.id}/people/public",
        data={"text": "", "channel": "De Stentor", "url": "ftp://x.nl", "published_at": "vrijdag"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "published_at", "text", "url")
    assert "Schrijf de tekst van de openbare mededeling." in page
    assert "Geef een webadres dat begint met https:// (of http://)." in page
    assert 'value="De Stentor"' in page
    assert db.session.execute(select(PublicNotice)).first() is None
    db.session.expire_all()
    assert incident.public_resolution == ""


def test_reminder_settings_with_a_bad_address_and_reminders_outside_the_term(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    kruix = orgs["kruix"]
    make_user("admin@x.nl", (kruix, Role.ADMIN))
    stored = list(kruix.reminder_offsets)
    login(client, "admin@x.nl")
    response = client.post(
        "/admin/organisations/kruix/clock",
        data={
            "reminder_offsets": "24, 80",  # after the 72 hours
            "office_days": ["1", "2", "3", "4", "5"],
            "office_start_hour": "9",
            "office_end_hour": "8",  # before the start
            "deputy_email": "vervanger bij kruix",
            "escalation_name": "Directie",
            "processor_term_hours": "",  # left empty: the hours before it are not judged
            "processor_hours_before": "12, 4",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "deputy_email", "processor_term_hours", "reminder_offsets", "office_end_hour")
    assert 'id="processor_hours_before-error"' not in page
    assert "Elk herinneringsmoment moet tussen 1 en 71 uur liggen." in page
    assert "De kantooruren eindigen na het begin, tussen 0 en 24." in page
    assert 'value="Directie"' in page and 'value="vervanger bij kruix"' in page
    db.session.expire_all()
    assert kruix.reminder_offsets == stored


def test_a_webhook_with_a_description_too_long_a_plain_http_address_and_no_event(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    response = client.post(
        "/admin/organisations/kruix/webhooks/new",
        data={"url": "http://siem.kruix.example/in", "description": "S" * 201, "events": []},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors_at(page, "description", "url", "events")
    assert "Alleen https://-adressen kunnen webhooks ontvangen." in page
    assert "Kies ten minste één gebeurtenis." in page
    assert 'value="http://siem.kruix.example/in"' in page
    assert db.session.execute(select(WebhookEndpoint)).first() is None


def test_a_public_communication_with_an_unclosed_ipv6_address_is_refused_at_the_field(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """urlsplit raises on "https://[x"; that was a 500 (found while checking every field)."""
    incident = informing(client, orgs, make_user)
    response = client.post(
        f"/incidents/{incident.id}/people/public",
        data={"text": "Openbare mededeling.", "channel": "Website", "url": "https://[x"},
    )
    assert response.status_code == 422
    errors_at(response.get_data(as_text=True), "url")
    assert db.session.execute(select(PublicNotice)).first() is None


def test_closing_names_a_supplement_owed_and_the_forms_own_errors_at_once(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Found by exploratory testing: with a supplement owed, an empty closing form said only
    that; the form's own errors then hid it; filled in right, it came back."""
    incident = assessed(client, orgs, make_user)
    save_checklist(client, incident, UNENCRYPTED_LAPTOP, version=1)
    assert decide(client, incident, 0, 2).status_code == 302  # notify the AP and the people
    filed = client.post(
        f"/incidents/{incident.id}/notification",
        data={"submitted_at": "2026-11-19T10:55", "reference": "M-1", "seen_filings": "0",
              "provisional": "y"},
    )  # fmt: skip
    assert filed.status_code == 302
    response = client.post(
        f"/incidents/{incident.id}/close",
        data={"subjects_outcome": "informed", "subjects_at": "", "subjects_note": ""},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    errors_at(page, "subjects_at", "subjects_note")
    refused = page.split('id="close-refused"', 1)[1].split("</div>", 1)[0]
    assert "aanvulling" in refused
    db.session.expire_all()
    assert incident.state == "decided"
