"""Two people, one record: the second save is refused (409) and nothing is lost.

Each test opens the same page in two browsers (two test clients, two accounts), saves in the
first, then saves in the second from the page it had loaded before.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Notification, Organisation, User

from ..conftest import MakeUser, login
from .test_stale_and_closing import (
    ENCRYPTED_LAPTOP,
    UNENCRYPTED_LAPTOP,
    assessed,
    decide,
    file_notification,
    save_checklist,
)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    assert match, f"no hidden field {name}"
    return match.group(1)


def second_fg(app: Flask, orgs: dict[str, Organisation], make_user: MakeUser) -> Any:
    make_user("fg2@x.nl", (orgs["kruix"], Role.FG), name="Tweede FG")
    other = app.test_client()
    login(other, "fg2@x.nl")
    return other


class _FormReader(HTMLParser):
    """What a browser would submit from the page's forms (inputs, selects, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and name != "csrf_token":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.data.append((name, a.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = name
            self.data.append((name, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, value = self.data[-1]
            self.data[-1] = (name, value + data.lstrip("\r\n") if not value else value + data)


def form_fields(page: str) -> MultiDict[str, str]:
    reader = _FormReader()
    reader.feed(page.split('<main id="main"')[1])
    return MultiDict(reader.data)


def conflict_rows(page: str) -> list[tuple[str, str, str]]:
    table = page.split('id="conflict-rows"')[1].split("</table>")[0]
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table.split("<tbody>")[1], re.S)
    return [tuple(cells[i : i + 3]) for i in range(0, len(cells), 3)]  # type: ignore[misc]


def test_two_fgs_save_the_same_checklist(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)  # the checklist is at version 1
    other = second_fg(app, orgs, make_user)
    mine = client.get(f"/incidents/{incident.id}/checklist").get_data(as_text=True)
    theirs = other.get(f"/incidents/{incident.id}/checklist").get_data(as_text=True)
    assert hidden(mine, "version") == hidden(theirs, "version") == "1"

    assert save_checklist(other, incident, UNENCRYPTED_LAPTOP, version=1).status_code == 302
    changed = {**ENCRYPTED_LAPTOP, "subjects_count": "60"}
    refused = save_checklist(client, incident, changed, version=1)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and 'id="conflict"' in page
    assert "Tweede FG" in page  # who saved in between
    rows = conflict_rows(page)
    labels = [label for label, _, _ in rows]
    assert len(rows) == 2, rows  # protection and the number of people differ
    assert any(theirs == "Niet beveiligd" for _, theirs, _ in rows), rows
    assert any(mine == "60" for _, _, mine in rows), labels
    assert 'value="60"' in page  # the typing is kept in the form
    assert hidden(page, "version") == "2"  # saving again now is a deliberate choice
    db.session.expire_all()
    assert incident.facts is not None and incident.facts["protection"] == "none"  # theirs kept

    again = save_checklist(client, incident, changed, version=int(hidden(page, "version")))
    assert again.status_code == 302
    db.session.expire_all()
    assert incident.facts["subjects_count"] == 60 and incident.facts_version == 3


def test_a_decision_from_an_older_page_is_refused(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    other = second_fg(app, orgs, make_user)
    assert decide(other, incident, 0, 1, outcome="notify_ap", rationale="x" * 30).status_code == 302
    # The first FG's page still shows no decision: following the advice would replace theirs.
    refused = decide(client, incident, 0, 1)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and 'id="conflict"' in page
    rows = conflict_rows(page)
    assert rows[0][1] == "Melden bij de AP" and rows[0][2] == "Het advies volgen"
    db.session.expire_all()
    assert [d.outcome for d in incident.decisions] == ["notify_ap"]
    # A checklist saved after the page was loaded also refuses the decision.
    save_checklist(other, incident, UNENCRYPTED_LAPTOP, version=1)
    stale_page = decide(client, incident, 1, 1)
    assert stale_page.status_code == 409
    assert "volgt de checklist zoals die nu is" in stale_page.get_data(as_text=True)
    db.session.expire_all()
    assert len(incident.decisions) == 1


def test_a_filing_recorded_twice_from_two_pages(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    save_checklist(client, incident, UNENCRYPTED_LAPTOP, version=1)
    decide(client, incident, 0, 2)
    other = second_fg(app, orgs, make_user)
    assert file_notification(other, incident, seen=0).status_code == 302
    refused = file_notification(client, incident, seen=0)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "meldnummer M-1" in page
    count = db.session.execute(select(Notification).where(Notification.incident_id == incident.id))
    assert len(count.all()) == 1


def test_two_administrators_save_the_reminder_settings(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    kruix = orgs["kruix"]
    make_user("a1@x.nl", (kruix, Role.ADMIN), name="Eerste beheerder")
    make_user("a2@x.nl", (kruix, Role.ADMIN), name="Tweede beheerder")
    other = app.test_client()
    login(client, "a1@x.nl")
    login(other, "a2@x.nl")
    url = "/admin/organisations/kruix/clock"
    version = hidden(client.get(url).get_data(as_text=True), "version")
    base = {
        "reminder_offsets": "24, 48, 60, 70",
        "office_days": ["1", "2", "3", "4", "5"],
        "processor_term_hours": "24",
        "processor_hours_before": "12, 4, 1",
        "version": version,
    }
    assert other.post(url, data={**base, "deputy_email": "b@kruix.nl"}).status_code == 302
    refused = client.post(url, data={**base, "escalation_email": "directie@kruix.nl"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Tweede beheerder" in page
    assert ("Vervanger (e-mailadres)", "b@kruix.nl", "—") in conflict_rows(page)
    assert 'value="directie@kruix.nl"' in page
    db.session.expire_all()
    assert (kruix.deputy_email, kruix.escalation_email) == ("b@kruix.nl", "")


def test_two_administrators_edit_the_profile(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    kruix = orgs["kruix"]
    make_user("a1@x.nl", (kruix, Role.ADMIN))
    make_user("a2@x.nl", (kruix, Role.ADMIN), name="Tweede beheerder")
    other = app.test_client()
    login(client, "a1@x.nl")
    login(other, "a2@x.nl")
    url = "/admin/organisations/kruix/edit"
    fields = form_fields(client.get(url).get_data(as_text=True))
    fields.setlist("phone", ["020 111 1111"])
    assert other.post(url, data=fields).status_code == 302
    fields.setlist("phone", ["020 222 2222"])
    refused = client.post(url, data=fields)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Tweede beheerder" in page
    assert any(t == "020 111 1111" and y == "020 222 2222" for _, t, y in conflict_rows(page))
    db.session.expire_all()
    assert "020 111 1111" in str(kruix.profile) and "020 222 2222" not in str(kruix.profile)


def test_two_administrators_change_one_persons_roles(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    kruix = orgs["kruix"]
    make_user("a1@x.nl", (kruix, Role.ADMIN))
    make_user("a2@x.nl", (kruix, Role.ADMIN), name="Tweede beheerder")
    person = make_user("p@x.nl", (kruix, Role.REPORTER), name="Piet")
    other = app.test_client()
    login(client, "a1@x.nl")
    login(other, "a2@x.nl")
    page = client.get("/admin/organisations/kruix/users/").get_data(as_text=True)
    version = re.search(rf'users/{person.id}/roles".*?name="version" value="(\d+)"', page, re.S)
    assert version is not None
    url = f"/admin/organisations/kruix/users/{person.id}/roles"
    data = {"version": version.group(1)}
    assert other.post(url, data={**data, "roles": ["reporter", "fg"]}).status_code == 302
    refused = client.post(url, data={**data, "roles": ["reporter", "admin"]})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "de rollen van Piet" in text
    db.session.expire_all()
    account = db.session.get(User, person.id)
    assert account is not None
    from breachdesk.services.memberships import members

    assert {r.value for r in dict(members(db.session, kruix))[account]} == {"reporter", "fg"}
