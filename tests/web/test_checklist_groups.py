"""The checklist's groups of people with a different exposure: entered, stored, assessed on
their own, shown in the recommendation, and kept in the form when the page comes back."""

from __future__ import annotations

from typing import Any

from flask import Flask

from breachdesk.domain.checklist import Misuse, Tri
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.services.decisions import current_facts

from ..conftest import MakeUser
from .test_stale_and_closing import UNENCRYPTED_LAPTOP, assessed, save_checklist

LEAKED = {**UNENCRYPTED_LAPTOP, "special_category": "no", "data_classes": ["simple"]}


def test_a_group_is_stored_assessed_and_shown(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    answers = {
        **LEAKED,
        "group_0_name": "Accounts entered",
        "group_0_count": "40",
        "group_0_misuse": "already_misused",
        "group_0_flags": ["credentials"],
        "group_1_name": "",  # an empty row is no group
    }
    response = save_checklist(client, incident, answers, version=1)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    facts = current_facts(incident)
    assert facts is not None and len(facts.groups) == 1
    (group,) = facts.groups
    assert group.name == "Accounts entered" and group.count == 40
    assert dict(group.changes) == {"credentials": Tri.YES, "misuse": Misuse.ALREADY_MISUSED}

    page = client.get(f"/incidents/{incident.id}/checklist").get_data(as_text=True)
    assert 'value="Accounts entered"' in page  # the form comes back filled in
    assert 'data-group="1"' in page and "Accounts entered" in page.split('data-group="1"')[1]
    assert 'data-outcome="notify_ap_and_subjects"' in page


def test_the_evidence_pack_summary_lists_the_groups(app: Flask) -> None:
    from breachdesk.web.register_pack import checklist_answers

    facts = {
        "groups": [
            {
                "name": "Accounts entered",
                "count": 40,
                "facts": {"credentials": "yes", "misuse": "already_misused"},
            }
        ]
    }
    with app.test_request_context("/"):
        sections = dict(checklist_answers(facts))
    (row,) = sections["Groepen die anders zijn getroffen"]
    assert row[0] == "Accounts entered (40)"
    assert "Wachtwoorden of toegangscodes" in row[1] and "al misbruikt" in row[1]
