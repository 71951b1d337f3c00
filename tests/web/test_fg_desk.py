"""The incident page as the FG's desk: the next step, awareness proposed, triage kept, reopening
that hides nothing, corrections instead of starting over."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Organisation

from ..conftest import MakeUser, login
from .test_reports import form_data
from .test_triage_web import reported_incident

BREACH = {
    "personal_data": "yes",
    "security_breached": "yes",
    "breach_types": ["confidentiality"],
    "reason": "Klantlijst bij de verkeerde leverancier.",
}


def test_awareness_is_proposed_from_the_report_and_never_assumed(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="next-step"' in page and "Melding beoordelen" in page
    # The report came in at 11:00 Amsterdam time (the test clock): proposed, with why.
    assert re.search(r'id="aware_at"[^>]*value="2026-11-19T11:00"', page)
    assert "Voorstel: het moment waarop de melding binnenkwam" in page
    emptied = client.post(f"/incidents/{incident.id}/triage", data={**BREACH, "aware_at": ""})
    assert emptied.status_code == 422
    assert 'id="aware_at-error"' in emptied.get_data(as_text=True)
    db.session.expire_all()
    assert incident.aware_at is None and incident.state == "reported"


def test_triage_answers_stay_visible_and_are_corrected_in_place(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    done = client.post(
        f"/incidents/{incident.id}/triage", data={**BREACH, "aware_at": "2026-11-19T10:30"}
    )
    assert done.status_code == 302
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    answers = page.split('id="triage-answers"')[1].split("</section>")[0]
    assert "Klantlijst bij de verkeerde leverancier." in answers and "Vertrouwelijkheid" in answers
    refused = client.post(
        f"/incidents/{incident.id}/triage/correct",
        data={"breach_types": ["availability"], "our_role": "controller", "reason": ""},
    )
    assert refused.status_code == 422
    assert re.search(r'<input checked[^>]*value="availability"', refused.get_data(as_text=True))
    fixed = client.post(
        f"/incidents/{incident.id}/triage/correct",
        data={
            "breach_types": ["availability"],
            "our_role": "controller",
            "reason": "Het bestand was alleen onbereikbaar.",
        },
    )
    assert fixed.status_code == 302
    db.session.expire_all()
    assert incident.state == "breach_confirmed" and incident.breach_types == ["availability"]
    assert incident.aware_at is not None  # nothing redone


def test_reopening_shows_why_and_the_earlier_triage(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    client.post(
        f"/incidents/{incident.id}/triage",
        data={"personal_data": "no", "security_breached": "no", "reason": "Lege testpagina."},
    )
    reopened = client.post(
        f"/incidents/{incident.id}/reopen", data={"reason": "Er stonden toch namen op."}
    )
    assert reopened.status_code == 302
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    notice = page.split('id="reopened"')[1].split("</div>")[0]
    assert "Er stonden toch namen op." in notice
    form = page.split('id="triage"')[1].split("</form>")[0]
    assert re.search(r'<input checked[^>]*name="personal_data"[^>]*value="no"', form)
    assert "Lege testpagina." in form


def test_the_fg_corrects_the_reported_facts_and_the_reporters_answers_stay(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = reported_incident(client, orgs, make_user)
    login(client, "r@x.nl")
    assert client.get(f"/incidents/{incident.id}/report/correct").status_code == 404
    client.post("/logout")
    login(client, "fg@x.nl")
    form = client.get(f"/incidents/{incident.id}/report/correct").get_data(as_text=True)
    assert 'value="Brief naar verkeerd adres"' in form  # filled in as it stands
    corrected = {
        **form_data(subjects_exact="340", containment=["retrieved", "asked_deletion"]),
        "correction_reason": "",
    }
    refused = client.post(f"/incidents/{incident.id}/report/correct", data=corrected)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="correction_reason-error"' in page and 'value="340"' in page
    db.session.expire_all()
    assert incident.subjects_exact == 1 and incident.reported_facts is None
    corrected["correction_reason"] = "De lijst bleek 340 klanten te bevatten."
    assert (
        client.post(f"/incidents/{incident.id}/report/correct", data=corrected).status_code == 302
    )
    db.session.expire_all()
    assert incident.subjects_exact == 340
    assert incident.reported_facts is not None and incident.reported_facts["subjects_exact"] == 1
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.report_corrected")
    ).scalar_one()
    assert event.before == {"subjects_exact": 1, "containment": ["retrieved"]}
    assert event.after["subjects_exact"] == 340 and "340 klanten" in event.after["reason"]
    shown = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    table = shown.split('id="report-corrected"')[1].split("</details>")[0]
    assert "Aantal personen" in table and "340" in table
    assert "Ontvanger gevraagd het te verwijderen" in table or "verwijderen" in table
    # A second correction keeps the reporter's first answers, not the first correction.
    corrected["subjects_exact"] = "350"
    client.post(f"/incidents/{incident.id}/report/correct", data=corrected)
    db.session.expire_all()
    assert incident.reported_facts["subjects_exact"] == 1 and incident.subjects_exact == 350


def test_a_moment_that_occurred_twice_is_read_as_the_first_and_said_so(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """25-10-2026 02:30 happened twice (the clocks went back): it was read as the first
    without a word (found by exploratory testing). It still is, the careful reading, and the
    FG is told which instant was taken."""
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    done = client.post(
        f"/incidents/{incident.id}/triage", data={**BREACH, "aware_at": "2026-10-25T02:30"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert incident.aware_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # CEST, the first
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "25-10-2026 02:30 kwam die nacht twee keer voor" in page and "00:30 UTC" in page
    # An ordinary moment says nothing of the kind.
    corrected = client.post(
        f"/incidents/{incident.id}/awareness",
        data={"aware_at": "2026-10-26T09:00", "reason": "Toch pas de maandag zeker."},
    )
    assert corrected.status_code == 302
    assert "twee keer voor" not in client.get(f"/incidents/{incident.id}").get_data(as_text=True)
