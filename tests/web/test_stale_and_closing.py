"""A decision that the checklist overtakes is marked out of date and keeps the duties running;
an incident is closed only when every duty of the decision is met or accounted for."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from breachdesk.domain.deadline import DeadlineStatus
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Delivery, Incident, Organisation
from breachdesk.services.deadlines import clock_of
from breachdesk.services.delivery import rows_of

from ..conftest import T0, MakeUser, login
from .test_triage_web import reported_incident

# A lost laptop with HR files (EDPB 01/2021): every question answered.
ENCRYPTED_LAPTOP = {
    "breach_types": ["availability", "confidentiality"],
    "malicious": "no",
    "exfiltration": "unknown",
    "recipients": "unknown",
    "deletion_confirmed": "no",
    "already_public": "no",
    "availability": "no_loss",
    "backup_available": "yes",
    "integrity": "unknown",
    "data_classes": ["financial", "sensitive", "simple"],
    "special_category": "yes",
    "criminal_data": "no",
    "national_id_number": "no",
    "identity_documents": "no",
    "credentials": "no",
    "financial_data": "yes",
    "volume_per_person": "extensive",
    "data_inaccurate": "no",
    "protection": "state_of_the_art_key_safe",  # unintelligible: register only
    "identifiability": "maximum",
    "subjects_count": "45",
    "children": "no",
    "vulnerable": "no",
    "controller_context_sensitive": "no",
    "financial_undertaking": "no",
    "permanence": "reversible",
    "subsequent_measures_remove_high_risk": "no",
    "disproportionate_effort": "no",
}
UNENCRYPTED_LAPTOP = {**ENCRYPTED_LAPTOP, "protection": "none"}  # notify AP and people


def assessed(client: Any, orgs: dict[str, Organisation], make_user: MakeUser) -> Incident:
    """A confirmed breach (aware 10:30 Amsterdam), checklist confirmed: the laptop was encrypted."""
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
    save_checklist(client, incident, ENCRYPTED_LAPTOP, version=0)
    return incident


def save_checklist(
    client: Any, incident: Incident, answers: dict[str, Any], version: int, action: str = "confirm"
) -> Any:
    data = {**answers, "action": action, "version": str(version)}
    return client.post(f"/incidents/{incident.id}/checklist", data=data)


def decide(client: Any, incident: Incident, seen: int, checklist: int, **data: str) -> Any:
    payload = {"outcome": "", "seen_decision": str(seen), "seen_checklist": str(checklist), **data}
    return client.post(f"/incidents/{incident.id}/decision", data=payload)


def reminder_kinds(incident: Incident) -> list[str]:
    return [r.label for r in rows_of(db.session, incident) if r.status == "planned"]


def test_a_changed_checklist_marks_the_decision_stale_and_keeps_the_duties(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    assert decide(client, incident, 0, 1).status_code == 302  # follow: register only
    db.session.expire_all()
    assert incident.decisions[-1].outcome == "register_only" and not incident.decision_stale
    assert clock_of(incident, T0).status is DeadlineStatus.NOT_REQUIRED  # type: ignore[union-attr]
    assert [k for k in reminder_kinds(incident) if k != "new_report"] == []

    # The FG learns the laptop was not encrypted after all and corrects the checklist.
    assert save_checklist(client, incident, UNENCRYPTED_LAPTOP, version=1).status_code == 302
    db.session.expire_all()
    assert incident.decision_stale and incident.recommended_outcome == "notify_ap_and_subjects"
    # The clock runs again and the reminders are back, until the FG decides anew.
    assert clock_of(incident, T0).status is DeadlineStatus.OPEN  # type: ignore[union-attr]
    assert {"24h", "48h", "60h", "70h", "deadline"} <= set(reminder_kinds(incident))
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="decision-stale"' in page and "Het besluit is verouderd" in page
    inbox = client.get("/incidents/").get_data(as_text=True)
    assert 'data-stale="1"' in inbox and 'id="nav-stale"' in inbox
    # Closing waits for a new decision.
    response = client.post(f"/incidents/{incident.id}/close", data={})
    assert response.status_code == 422 and 'id="close-refused"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert incident.state == "decided"
    actions = db.session.execute(
        select(AuditEvent.action).where(AuditEvent.entity_id == str(incident.id))
    ).scalars()
    assert "incident.decision_stale" in set(actions)

    # A new decision makes it current again; the stale mark and the count go.
    assert decide(client, incident, 1, 2).status_code == 302
    db.session.expire_all()
    assert not incident.decision_stale and incident.decisions[-1].version == 2
    assert 'id="nav-stale"' not in client.get("/incidents/").get_data(as_text=True)

    # Changing the answers back to what the first decision saw does not touch decision 2's
    # duties being compared with its own recommendation: now stale the other way round.
    assert save_checklist(client, incident, ENCRYPTED_LAPTOP, version=2).status_code == 302
    db.session.expire_all()
    assert incident.decision_stale  # decision 2 (notify) rested on other advice
    assert clock_of(incident, T0).status is DeadlineStatus.OPEN  # type: ignore[union-attr]


def file_notification(client: Any, incident: Incident, seen: int = 0) -> Any:
    return client.post(
        f"/incidents/{incident.id}/notification",
        data={
            "submitted_at": "2026-11-19T10:55",
            "reference": "M-1",
            "seen_filings": str(seen),
            "confirm_incomplete": "y",  # the drafted sheet still has open answers
        },
    )


def test_closing_needs_the_people_informed_or_a_ground(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    save_checklist(client, incident, UNENCRYPTED_LAPTOP, version=1)
    assert decide(client, incident, 0, 2).status_code == 302  # notify the AP and the people
    assert file_notification(client, incident).status_code == 302
    url = f"/incidents/{incident.id}/close"
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'name="subjects_outcome"' in page and 'name="public_outcome"' not in page

    refused = client.post(url, data={})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "moeten nog worden geïnformeerd" in text

    no_date = client.post(url, data={"subjects_outcome": "informed", "subjects_note": "E-mail"})
    assert no_date.status_code == 422 and 'id="subjects_at-error"' in no_date.get_data(True)
    assert "E-mail</textarea>" in no_date.get_data(True)  # the typing is kept

    vague = client.post(url, data={"subjects_outcome": "art34_3b", "subjects_note": "Opgelost"})
    assert vague.status_code == 422 and 'id="subjects_note-error"' in vague.get_data(True)
    # A forged answer (the page offers no such choice, and "not recorded" is the import's
    # alone) is refused at the field; before, it was stored and the page then failed (500).
    note = "Een zin die lang genoeg is om als reden te gelden."
    for forged in ("bogus", "not_recorded"):
        refused = client.post(url, data={"subjects_outcome": forged, "subjects_note": note})
        assert refused.status_code == 422, forged
        assert 'id="subjects_outcome-error"' in refused.get_data(True)
        assert "Kies een van de gegeven mogelijkheden." in refused.get_data(True)
    assert 'value="not_recorded"' not in page
    db.session.expire_all()
    assert incident.state == "decided" and incident.subjects_resolution == ""

    done = client.post(
        url,
        data={
            "subjects_outcome": "informed",
            "subjects_at": "2026-11-19T10:58",
            "subjects_note": "E-mail aan alle 12 betrokkenen, kopie in het dossier.",
        },
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert incident.state == "closed" and incident.subjects_resolution == "informed"
    assert incident.subjects_resolution_at is not None
    assert incident.subjects_resolution_at.isoformat() == "2026-11-19T09:58:00+00:00"
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'data-resolution="informed"' in page and "12 betrokkenen" in page


def test_a_ground_of_article_34_3_closes_without_informing(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    save_checklist(client, incident, UNENCRYPTED_LAPTOP, version=1)
    decide(client, incident, 0, 2)
    file_notification(client, incident)
    note = "De laptop is binnen het uur teruggevonden en forensisch onderzocht: niet geopend."
    response = client.post(
        f"/incidents/{incident.id}/close",
        data={"subjects_outcome": "art34_3b", "subjects_note": note},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (incident.state, incident.subjects_resolution) == ("closed", "art34_3b")
    assert incident.subjects_resolution_at is None and incident.subjects_resolution_note == note
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.people_duties_recorded")
    ).scalar_one()
    assert event.after["subjects"]["outcome"] == "art34_3b"
    planned = db.session.execute(
        select(Delivery).where(Delivery.incident_id == incident.id, Delivery.status == "planned")
    ).all()
    assert planned == [] or all(r[0].kind == "new_report" for r in planned)


def test_a_new_rule_set_informs_but_does_not_make_a_decision_stale(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """A decision made under rule set 2026.1 that advised notifying what 2026.2 advises to
    register only: the page says so as information; saving the same answers again does not
    mark the decision out of date, and its duties stay as decided."""
    incident = assessed(client, orgs, make_user)
    assert (
        decide(client, incident, 0, 1, outcome="notify_ap", rationale="x" * 20).status_code == 302
    )
    db.session.expire_all()
    decision = incident.decisions[-1]
    decision.ruleset_version = "2026.1"  # as an earlier release stored it
    decision.recommendation_snapshot = {**decision.recommendation_snapshot, "outcome": "notify_ap"}
    db.session.commit()

    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="new-rules-advice"' in page and "2026.1" in page
    assert "Alleen registreren" in page.split('id="new-rules-advice"')[1].split("</div>")[0]

    assert save_checklist(client, incident, ENCRYPTED_LAPTOP, version=1).status_code == 302
    db.session.expire_all()
    assert not incident.decision_stale and incident.recommended_outcome == "register_only"
    version = incident.facts_version  # the same answers: saved, or nothing to save
    # Answers that change what the rules in force advise still make it stale.
    assert save_checklist(client, incident, UNENCRYPTED_LAPTOP, version=version).status_code == 302
    db.session.expire_all()
    assert incident.decision_stale


def test_what_refuses_closing_is_said_before_the_button_is_pressed(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """A provisional filing, or no measures on record, was found out only by pressing "close"
    (found by testing as a user): the close section says it beforehand."""
    incident = assessed(client, orgs, make_user)
    save_checklist(client, incident, UNENCRYPTED_LAPTOP, version=1)
    assert (
        decide(client, incident, 0, 2, outcome="notify_ap", rationale="x" * 20).status_code == 302
    )
    data = {"submitted_at": "2026-11-19T10:55", "reference": "M-1", "seen_filings": "0",
            "provisional": "y"}  # fmt: skip
    assert client.post(f"/incidents/{incident.id}/notification", data=data).status_code == 302
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    pending = page.split('id="close-pending"', 1)[1].split("</div>", 1)[0]
    assert "Voordat het incident kan worden afgesloten" in pending and "voorlopig" in pending
