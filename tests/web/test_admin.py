"""Administrators: organisations, profiles, users, outbox, audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Organisation, User

from ..conftest import MakeUser, deliver_now, login


def admin_of_all(make_user: MakeUser, orgs: dict[str, Organisation]) -> User:
    return make_user("admin@x.nl", *[(o, Role.ADMIN) for o in orgs.values()])


def test_admin_sees_the_five_organisations_with_processors(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    admin_of_all(make_user, orgs)
    login(client, "admin@x.nl")
    page = client.get("/admin/organisations").get_data(as_text=True)
    for org in orgs.values():
        assert org.name in page
    leiz = client.get("/admin/organisations/leiz").get_data(as_text=True)
    for processor in orgs["leiz"].profile["processors"]:
        assert processor["name"] in leiz
    assert "Ronald van der Ziel" in leiz


def test_reporters_cannot_administer(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    assert client.get("/admin/organisations").status_code == 403
    assert client.get("/admin/organisations/kruix/edit").status_code == 404
    assert client.get("/admin/outbox").status_code == 403


def _edit_form(client: Any, slug: str) -> dict[str, Any]:
    """The edit form's current values, as a browser would send them back."""
    import html
    import re

    page = client.get(f"/admin/organisations/{slug}/edit").get_data(as_text=True)
    data: dict[str, Any] = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data.setdefault(name[1], []).append(html.unescape(value[1]) if value else "")
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page, re.S):
        data[match[1]] = [html.unescape(match[2])]
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(
            r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', match[2]
        )
        data[match[1]] = [(selected[1] or selected[2]) if selected else ""]
    return data


def test_profile_edit_saves_audits_and_reports_errors_at_the_field(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    admin_of_all(make_user, orgs)
    login(client, "admin@x.nl")
    data = _edit_form(client, "luxigo")
    assert data["legal_name"] == ["Luxigo"]
    data["kvk_number"] = ["123"]
    data["data_categories-9-name"] = ["Klachtgegevens"]  # a blank row used for an addition
    page = client.post("/admin/organisations/luxigo/edit", data=data).get_data(as_text=True)
    assert 'id="kvk_number-error"' in page and "Klachtgegevens" in page
    db.session.expire_all()
    assert db.session.get(Organisation, orgs["luxigo"].id).profile_version == 1

    data["kvk_number"] = ["12345678"]
    response = client.post("/admin/organisations/luxigo/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    luxigo = db.session.get(Organisation, orgs["luxigo"].id)
    assert luxigo.profile["kvk_number"] == "12345678"
    added = [c for c in luxigo.profile["data_categories"] if c["name"] == "Klachtgegevens"]
    assert added and added[0]["key"] == "klachtgegevens"
    # Everything else survived the round trip through the form.
    assert [p["name"] for p in luxigo.profile["processors"]] == [
        p["name"] for p in orgs["luxigo"].profile["processors"]
    ]
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "organisation.profile_updated")
    ).scalar_one()
    assert event.before["kvk_number"] is None and event.after["kvk_number"] == "12345678"


def test_reference_prefix_is_checked_at_its_field_and_applies_to_new_reports(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    admin_of_all(make_user, orgs)
    login(client, "admin@x.nl")
    data = _edit_form(client, "luxigo")
    assert data["reference_prefix"] == ["LUX"]
    data["reference_prefix"] = ["L-1"]
    response = client.post("/admin/organisations/luxigo/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="reference_prefix-error"' in page
    assert 'value="L-1"' in page
    assert "Gebruik 2 tot 6 letters" in page
    data["reference_prefix"] = ["lxg"]  # capitalised on saving
    assert client.post("/admin/organisations/luxigo/edit", data=data).status_code == 302
    db.session.expire_all()
    luxigo = db.session.get(Organisation, orgs["luxigo"].id)
    assert luxigo.reference_prefix == "LXG" and luxigo.profile["reference_prefix"] == "LXG"


def test_admin_adds_a_user_with_roles(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    admin_of_all(make_user, orgs)
    login(client, "admin@x.nl")
    response = client.post(
        "/admin/organisations/kruix/users/",
        data={"email": "nieuw@kruix.nl", "name": "Nieuwe Collega", "roles": ["reporter"]},
    )
    assert response.status_code == 302
    page = client.get("/admin/organisations/kruix/users/").get_data(as_text=True)
    assert "nieuw@kruix.nl" in page.split('id="invitations"')[1]  # invited, not yet in
    make_user("nieuw@kruix.nl", (orgs["kruix"], Role.REPORTER))  # as if they accepted
    user = db.session.execute(select(User).where(User.email == "nieuw@kruix.nl")).scalar_one()
    client.post(
        f"/admin/organisations/kruix/users/{user.id}/roles", data={"roles": ["reporter", "fg"]}
    )
    page = client.get("/admin/organisations/kruix/users/").get_data(as_text=True)
    assert f'id="r-{user.id}-fg" checked' in page


def test_outbox_and_audit_pages(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    admin_of_all(make_user, orgs)
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    from .test_reports import form_data

    client.post("/report/kruix", data=form_data())
    deliver_now(app)
    client.post("/logout")
    login(client, "admin@x.nl")
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert "KRX-2026-0001" in outbox
    link = outbox.split('href="/admin/outbox/kruix/')[1].split('"')[0]
    message = client.get(f"/admin/outbox/kruix/{link}").get_data(as_text=True)
    assert "Er is een nieuw incident gemeld bij Kruix" in message
    english = message.split("-- English --", 1)[1]  # its English half marked as such
    assert english.lstrip().startswith('<span lang="en">') and "</span>" in english
    assert client.get("/admin/outbox/kruix/..%2Fsecret_key").status_code == 404
    audit_page = client.get("/admin/organisations/kruix/audit").get_data(as_text=True)
    assert "incident.reported" in audit_page and "alert-success" in audit_page


def _error(page: str, field: str) -> str:
    """The error shown next to ``field``."""
    return page.split(f'id="{field}-error">')[1].split("</div>")[0]


def test_profile_problems_are_plain_dutch_at_their_fields(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """The schema's checks in words a person can act on, next to the field, never the
    validator's own ("'1234' does not match '^[0-9]{8}$'", "'' should be non-empty")."""
    admin_of_all(make_user, orgs)
    login(client, "admin@x.nl")
    data = _edit_form(client, "luxigo")
    data.update(kvk_number=["1234"], legal_name=[""], email=["x"])
    data["retention-3-applies_to"] = ["Camerabeelden"]  # a blank row used, without a period
    data["data_categories-0-enisa_class"] = ["evil"]  # forged: WTForms' own words, in Dutch
    response = client.post("/admin/organisations/luxigo/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _error(page, "kvk_number") == "Een KvK-nummer heeft 8 cijfers."
    assert _error(page, "legal_name") == "Dit mag niet leeg zijn."
    assert _error(page, "email") == "Vul een geldig e-mailadres in."
    assert _error(page, "retention-3-period") == "Dit mag niet leeg zijn."
    assert _error(page, "data_categories-0-enisa_class") == "Ongeldige keuze."
    for raw in ("does not match", "is too short", "non-empty", "'1234'", "Not a valid"):
        assert raw not in page, raw
    db.session.expire_all()
    assert db.session.get(Organisation, orgs["luxigo"].id).profile_version == 1


def test_removing_the_last_administrator_is_refused_in_dutch(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    admin = make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    page = client.post(
        f"/admin/organisations/kruix/users/{admin.id}/roles",
        data={"roles": ["fg"]},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Een organisatie heeft minstens één beheerder nodig." in page
    assert "administrator" not in page
    assert f'id="r-{admin.id}-admin" checked' in page


@pytest.mark.parametrize("address", ["not-an-email", "a@b", "not an email@"])
def test_profile_e_mail_addresses_are_checked_like_every_other_address(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, address: str
) -> None:
    """The schema says "format": "email"; the reminder settings page refuses "a@b" too."""
    admin_of_all(make_user, orgs)
    login(client, "admin@x.nl")
    for field in ("contact_email", "email"):
        data = _edit_form(client, "luxigo")
        data[field] = [address]
        response = client.post("/admin/organisations/luxigo/edit", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, (field, address)
        assert _error(page, field) == "Vul een geldig e-mailadres in."
        assert f'value="{address}"' in page
    db.session.expire_all()
    assert db.session.get(Organisation, orgs["luxigo"].id).profile_version == 1


def test_a_processors_service_in_english_is_edited_and_shown_to_english_readers(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    admin_of_all(make_user, orgs)
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "admin@x.nl")
    data = _edit_form(client, "kruix")
    assert data["processors-0-name"] == [""]  # Kruix's statement names no processors: a blank row
    data["processors-0-name"] = ["Mailhuis"]
    data["processors-0-service"] = ["Versturen van de nieuwsbrief"]
    data["processors-0-service_en"] = ["Sending the newsletter"]
    assert client.post("/admin/organisations/kruix/edit", data=data).status_code == 302
    db.session.expire_all()
    kruix = db.session.get(Organisation, orgs["kruix"].id)
    assert kruix.profile["processors"][0]["service_en"] == "Sending the newsletter"

    client.post("/logout")
    login(client, "r@x.nl")
    page = client.get("/report/kruix").get_data(as_text=True)
    assert "Mailhuis — Versturen van de nieuwsbrief" in page and "Sending" not in page
    client.get("/language/en?next=/reports")
    page = client.get("/report/kruix").get_data(as_text=True)
    assert "Mailhuis — Sending the newsletter" in page and "Versturen van" not in page

    client.post("/logout")
    login(client, "admin@x.nl")
    data = _edit_form(client, "kruix")
    assert data["processors-0-service_en"] == ["Sending the newsletter"]
    data["processors-0-service_en"] = [""]  # emptied: not given, as in an older profile
    assert client.post("/admin/organisations/kruix/edit", data=data).status_code == 302
    db.session.expire_all()
    kruix = db.session.get(Organisation, orgs["kruix"].id)
    assert "service_en" not in kruix.profile["processors"][0]
    client.post("/logout")
    login(client, "r@x.nl")
    page = client.get("/report/kruix").get_data(as_text=True)  # still English
    assert "Mailhuis — Versturen van de nieuwsbrief" in page  # the Dutch, rather than nothing
