"""Other notification regimes in the browser: the admin sets NIS2 on the profile, and the
incident page reminds the FG of the 24-hour early warning."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from flask import Flask

from breachdesk.domain.profile import Nis2Entity
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.services.clock import FixedClock

from ..conftest import T0, MakeUser, login
from .test_admin import _edit_form
from .test_triage_web import reported_incident


def reminder_box(page: str) -> str:
    found = re.search(r'<div class="alert alert-info[^"]*" id="other-regimes".*?</div>', page, re.S)
    return found.group(0) if found else ""


def test_admin_sets_nis2_and_the_incident_page_shows_the_early_warning(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    triage = {
        "personal_data": "yes",
        "security_breached": "yes",
        "aware_at": "2026-11-19T10:30",  # Dutch time
        "breach_types": ["confidentiality"],
    }
    assert client.post(f"/incidents/{incident.id}/triage", data=triage).status_code == 302
    assert reminder_box(client.get(f"/incidents/{incident.id}").get_data(as_text=True)) == ""
    client.post("/logout")

    login(client, "admin@x.nl")
    edit = client.get("/admin/organisations/kruix/edit").get_data(as_text=True)
    assert re.search(r'<label[^>]*for="nis2_entity"', edit)
    data = _edit_form(client, "kruix")
    assert not data["nis2_entity"][0]  # nothing chosen yet
    data["nis2_entity"] = ["essential"]
    assert client.post("/admin/organisations/kruix/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, orgs["kruix"].id).profile["nis2_entity"] == "essential"
    view = client.get("/admin/organisations/kruix").get_data(as_text=True)
    assert "Essentiële entiteit" in view
    client.post("/logout")

    login(client, "fg@x.nl")
    box = reminder_box(client.get(f"/incidents/{incident.id}").get_data(as_text=True))
    assert "Mogelijk ook te melden" in box
    assert "NIS2 / Cyberbeveiligingswet (Cbw)" in box and "CSIRT" in box
    # Aware 19-11-2026 10:30 Dutch time: early warning 24 h later, notification 72 h later.
    assert re.search(r"Vroegtijdige waarschuwing:\s*uiterlijk 20-11-2026 10:30", box)
    assert re.search(r"Incidentmelding:\s*uiterlijk 22-11-2026 10:30", box)
    assert "24 uur na kennisname" in box
    client.get("/language/en", follow_redirects=False)
    english = reminder_box(client.get(f"/incidents/{incident.id}").get_data(as_text=True))
    assert "Possibly also to be notified" in english and "Early warning" in english
    client.post("/logout")

    login(client, "r@x.nl")  # the reporter sees the report, not the officers' reminders
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="other-regimes"' not in page


def test_clearing_nis2_on_the_profile_removes_the_field(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@x.nl", (orgs["luxigo"], Role.ADMIN))
    login(client, "admin@x.nl")
    data = _edit_form(client, "luxigo")
    data.update(nis2_entity=["important"], telecom_provider=["yes"], dora_entity=["no"])
    assert client.post("/admin/organisations/luxigo/edit", data=data).status_code == 302
    db.session.expire_all()
    profile = db.session.get(Organisation, orgs["luxigo"].id).profile
    assert (profile["nis2_entity"], profile["telecom_provider"], profile["dora_entity"]) == (
        "important",
        True,
        False,
    )
    data = _edit_form(client, "luxigo")
    assert data["telecom_provider"] == ["yes"] and data["nis2_entity"] == ["important"]
    data.update(nis2_entity=[""], telecom_provider=[""], dora_entity=[""])
    assert client.post("/admin/organisations/luxigo/edit", data=data).status_code == 302
    db.session.expire_all()
    profile = db.session.get(Organisation, orgs["luxigo"].id).profile
    assert not {"nis2_entity", "telecom_provider", "dora_entity"} & set(profile)


def test_the_partial_without_awareness_and_for_terms_without_a_length(app: Flask) -> None:
    from flask import render_template_string

    from breachdesk.domain.notices.other_regimes import DORA, NIS2, WFT

    source = (
        '{% from "notices/_other_regimes.html" import other_regimes with context %}'
        "{{ other_regimes(regimes, aware_at) }}"
    )
    with app.test_request_context("/"):
        html = render_template_string(source, regimes=[NIS2, DORA, WFT], aware_at=None)
        empty = render_template_string(source, regimes=[], aware_at=None)
    assert "gerekend vanaf de kennisname, die nog niet is vastgelegd" in html
    assert 'id="regime-dora"' in html and "controleer de actuele termijn" in html
    assert "art. 42 UAVG" in html  # the Wft row's explanation, in Dutch
    assert empty.strip() == ""


def test_the_answer_sheet_reminds_of_the_other_regimes_and_drafts_question_1_2(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    from breachdesk.services.organisations import profile_of, save_profile

    from ..conftest import TEST_ACTOR
    from .test_stale_and_closing import assessed

    incident = assessed(client, orgs, make_user)
    org = incident.organisation
    changed = replace(profile_of(org), nis2_entity=Nis2Entity.ESSENTIAL, telecom_provider=True)
    save_profile(db.session, org, changed, actor=TEST_ACTOR, clock=FixedClock(T0))
    page = client.get(f"/incidents/{incident.id}/ap-sheet").get_data(as_text=True)
    assert "Vroegtijdige waarschuwing" in page
    block = page.split('id="q-1.2"', 1)[1].split('class="list-group-item"', 1)[0]
    assert "Telecommunicatiewet" in block and 'data-status="needs_words"' in block
