"""A form sent for an incident that moved on meanwhile (another FG, another tab) comes back
with what was typed and why it was refused, instead of a page without the form.

Found by the fuzz test: the sections of the incident page only showed each form in the
states where it is offered, so a refused form vanished with its typing and its error.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from breachdesk.extensions import db
from breachdesk.models import Organisation

from ..conftest import MakeUser
from .test_clock_web import confirmed


def test_forms_for_an_incident_that_moved_on_come_back_with_the_typing(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = confirmed(client, orgs, make_user)  # breach confirmed; signed in as the FG
    cases = [
        ("triage", {"personal_data": "no", "security_breached": "no",
                    "reason": "Toch geen persoonsgegevens: het bestand was leeg."}, "reason"),
        ("decision", {"outcome": "register_only",
                      "rationale": "Het risico is laag; de ontvanger heeft alles gewist."},
         "rationale"),
        ("reopen", {"reason": "Nieuwe feiten: er waren toch namen in de bijlage."}, "reason"),
    ]  # fmt: skip
    for path, data, field in cases:
        response = client.post(f"/incidents/{incident.id}/{path}", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, path
        assert f'action="/incidents/{incident.id}/{path}"' in page, path
        assert str(escape(data[field])) in page, path
        assert "alert-danger" in page or "invalid-feedback" in page, path  # and why
    db.session.expire_all()
    assert incident.state == "breach_confirmed"


def test_a_notification_for_an_incident_without_a_clock_keeps_the_typing(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    from ..conftest import login
    from .test_triage_web import reported_incident

    incident = reported_incident(client, orgs, make_user)  # no awareness yet: no clock
    login(client, "fg@x.nl")
    data = {"submitted_at": "2026-11-19T10:30", "reference": "AP-777", "notes": "Vooruitgelopen"}
    response = client.post(f"/incidents/{incident.id}/notification", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="AP-777"' in page and "Vooruitgelopen" in page
    assert 'id="submitted_at-error"' in page
