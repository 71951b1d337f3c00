"""The processor's notice in the web UI: review, a bad address refused at its field with the
text kept, send; the incident page names the controller, never the AP's form."""

from __future__ import annotations

import html
from typing import Any

from flask import Flask
from sqlalchemy import select

from breachdesk.extensions import db
from breachdesk.models import Delivery, Incident, Organisation

from ..conftest import MakeUser, deliver_now, login
from .test_triage_web import reported_incident

CONTROLLER = "Gemeente Voorbeeld"


def processor_incident(client: Any, orgs: dict[str, Organisation], make_user: MakeUser) -> Incident:
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    response = client.post(
        f"/incidents/{incident.id}/triage",
        data={
            "personal_data": "yes",
            "security_breached": "yes",
            "aware_at": "2026-11-19T09:00",  # T0 is 19-11 11:00 Dutch time: the term runs
            "breach_types": ["confidentiality"],
            "our_role": "processor",
            "controller_name": CONTROLLER,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return incident


def test_review_refuse_a_bad_address_keep_the_text_then_send(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = processor_incident(client, orgs, make_user)
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="open-controller-notice"' in page and CONTROLLER in page
    assert "Meldnummer" not in page and "meldformulier" not in page.lower()

    review = client.get(f"/incidents/{incident.id}/controller-notice")
    text = html.unescape(review.get_data(as_text=True))
    assert review.status_code == 200
    assert f"Aan {CONTROLLER}," in text and 'id="notice-preview"' in text
    assert "Melding datalek door verwerker" in text

    edited = "Aan de FG van de gemeente,\n\nEigen woorden van de FG.\n"
    data = {
        "seen_filings": "0",
        "to": "privacy@gemeente.example, geen-adres",
        "subject": "Melding datalek door verwerker Kruix",
        "text": edited,
    }
    refused = client.post(f"/incidents/{incident.id}/controller-notice", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="to-error"' in page and "geen-adres" in page
    assert "Eigen woorden van de FG." in page  # the typing is kept
    db.session.expire_all()
    assert incident.notifications == []

    data["to"] = "privacy@gemeente.example"
    sent = client.post(f"/incidents/{incident.id}/controller-notice", data=data)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#notification")
    db.session.expire_all()
    [filing] = incident.notifications
    assert filing.addressee == "controller"
    row = db.session.execute(
        select(Delivery).where(Delivery.kind == "controller_notice")
    ).scalar_one()
    assert row.payload["text"] == edited and row.payload["to"] == ["privacy@gemeente.example"]

    deliver_now(app)
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'data-notice-status="sent"' in page and "Message-ID" in page
    assert "Op tijd gemeld" not in page and 'data-status="met"' in page
    assert "Meldnummer" not in page

    again = client.post(f"/incidents/{incident.id}/controller-notice", data=data)  # stale page
    assert again.status_code == 409 and 'id="conflict"' in again.get_data(as_text=True)


def test_the_notice_page_is_for_processor_incidents_only(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    client.post(
        f"/incidents/{incident.id}/triage",
        data={
            "personal_data": "yes",
            "security_breached": "yes",
            "aware_at": "2026-11-19T09:00",
            "breach_types": ["confidentiality"],
        },
    )
    assert client.get(f"/incidents/{incident.id}/controller-notice").status_code == 404
