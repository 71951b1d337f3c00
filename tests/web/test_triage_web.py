"""The FG's pages through the test client: access, errors at the field, the checklist form."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from breachdesk.domain.checklist import Facts
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation
from breachdesk.web.checklist_form import ADJUSTMENT_ROWS, SECTIONS

from ..conftest import MakeUser, login
from .test_reports import form_data


def test_checklist_form_asks_every_question_of_the_domain() -> None:
    asked = [name for _title, fields in SECTIONS for name, *_ in fields]
    assert len(asked) == len(set(asked))
    # The adjustments and the groups have rows of their own below the questions.
    assert set(asked) | {"dpc_adjustments", "groups"} == set(Facts.__dataclass_fields__)
    assert ADJUSTMENT_ROWS >= 1


def reported_incident(client: Any, orgs: dict[str, Organisation], make_user: MakeUser) -> Incident:
    kruix = orgs["kruix"]
    make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@x.nl", (kruix, Role.FG))
    make_user("admin@x.nl", (kruix, Role.ADMIN))
    login(client, "r@x.nl")
    client.post("/report/kruix", data=form_data())
    client.post("/logout")
    return db.session.execute(select(Incident)).scalar_one()


def test_only_the_fg_may_triage(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = reported_incident(client, orgs, make_user)
    data = {"personal_data": "no", "security_breached": "no", "reason": "Geen persoonsgegevens"}
    for email in ("r@x.nl", "admin@x.nl"):
        login(client, email)
        assert client.post(f"/incidents/{incident.id}/triage", data=data).status_code == 404
        assert client.get(f"/incidents/{incident.id}/checklist").status_code == 404
        client.post("/logout")
    db.session.expire_all()
    assert incident.state == "reported"


def test_triage_errors_are_shown_at_the_field(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="triage"' in page
    response = client.post(
        f"/incidents/{incident.id}/triage",
        data={"personal_data": "no", "security_breached": "yes", "reason": ""},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="reason-error"' in page
    # Summed up at the top, where the FG lands, linking to the field (the error sat a page
    # further down, unannounced: found in an accessibility review).
    assert page.index('id="form-errors"') < page.index("<h1")
    assert 'href="#reason"' in page.split('id="form-errors"')[1].split("</div>")[0]
    response = client.post(
        f"/incidents/{incident.id}/triage",
        data={"personal_data": "yes", "security_breached": "yes", "aware_at": "2026-11-19T10:30"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="breach_types-error"' in page
    boxes = re.findall(r'<input[^>]*name="breach_types"[^>]*>', page)
    assert boxes and all('aria-invalid="true"' in box for box in boxes)
    db.session.expire_all()
    assert incident.state == "reported" and incident.aware_at is None

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
    db.session.expire_all()
    assert incident.state == "breach_confirmed"
    assert incident.aware_at.isoformat() == "2026-11-19T09:30:00+00:00"  # 10:30 Amsterdam
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="deadline"' in page and "22-11-2026 10:30" in page  # aware + 72 h, Dutch time


def test_checklist_page_prefills_previews_and_confirms(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    client.post(
        f"/incidents/{incident.id}/triage",
        data={
            "personal_data": "yes",
            "security_breached": "yes",
            "aware_at": "2026-11-19T10:30",
            "breach_types": ["confidentiality"],
        },
    )
    page = client.get(f"/incidents/{incident.id}/checklist").get_data(as_text=True)
    assert 'id="recommendation"' in page and 'id="enisa-arithmetic"' in page
    checkbox = re.search(r'<input[^>]*value="confidentiality"[^>]*>', page)
    assert checkbox is not None and "checked" in checkbox.group(0)
    answers = {
        "breach_types": ["confidentiality"],
        "malicious": "yes",
        "exfiltration": "yes",
        "recipients": "many_or_unknown",
        "special_category": "yes",
        "identifiability": "maximum",
        "protection": "none",
    }
    preview = client.post(f"/incidents/{incident.id}/checklist/preview", data=answers)
    assert preview.status_code == 200
    assert 'data-outcome="notify_ap_and_subjects"' in preview.get_data(as_text=True)
    bad = client.post(
        f"/incidents/{incident.id}/checklist",
        data={**answers, "adj_0_delta": "1", "action": "confirm"},
    )
    assert bad.status_code == 422 and 'id="adj_0_reason-error"' in bad.get_data(as_text=True)
    saved = client.post(
        f"/incidents/{incident.id}/checklist", data={**answers, "action": "confirm"}
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert incident.state == "assessed" and incident.facts["special_category"] == "yes"
