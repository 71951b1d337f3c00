"""The staff report form through the test client."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from flask import Flask
from markupsafe import escape
from sqlalchemy import func, select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Attachment, AuditEvent, Incident, Organisation, PendingUpload

from ..conftest import MakeUser, deliver_now, login, outbox_messages

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def form_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Brief naar verkeerd adres",
        "description": "Een brief met naam en adres van een klant is naar de buren gestuurd.",
        "discovered_at": "2026-11-19T09:30",  # Amsterdam time; the clock says 11:00 there
        "ongoing": "no",
        "subjects_mode": "exact",
        "subjects_exact": "1",
        "children_involved": "no",
        "protection": "none",
        "containment": ["retrieved"],
    }
    data.update(changes)
    return data


def test_reporter_files_a_report_and_the_fg_is_notified(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    kruix = orgs["kruix"]
    make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@x.nl", (kruix, Role.FG))
    login(client, "r@x.nl")
    assert client.get("/report").headers["Location"] == "/report/kruix"  # one organisation
    page = client.get("/report/kruix").get_data(as_text=True)
    for category in kruix.profile["data_categories"]:
        assert str(escape(category["name"])) in page
    response = client.post(
        "/report/kruix",
        data=form_data(data_category_keys=[kruix.profile["data_categories"][0]["key"]]),
    )
    assert response.status_code == 302
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "KRX-2026-0001" in confirmation
    incident = db.session.execute(select(Incident)).scalar_one()
    # 09:30 in Amsterdam in November is 08:30 UTC
    assert incident.discovered_at.isoformat() == "2026-11-19T08:30:00+00:00"
    assert outbox_messages(app) == []  # the FG's mail is stored with the report ...
    assert deliver_now(app).sent == 1  # ... and the scheduler's next tick sends it
    messages = outbox_messages(app)
    assert len(messages) == 1 and messages[0].parent.name == "kruix"
    text = messages[0].read_text(encoding="utf-8")
    assert "To: fg@x.nl" in text and "KRX-2026-0001" in text


def test_errors_are_shown_at_the_field_and_typing_is_kept(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["luxigo"], Role.REPORTER))
    login(client, "r@x.nl")
    data = form_data(
        discovered_at="2026-11-25T10:00",
        subjects_mode="range",
        subjects_min="50",
        subjects_max="10",
        description="Laptop uit de auto gestolen",
    )
    response = client.post("/report/luxigo", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="discovered_at-error"' in page and 'id="subjects_max-error"' in page
    assert 'aria-describedby="discovered_at-error"' in page or "discovered_at-error" in page
    assert "Laptop uit de auto gestolen" in page  # what was typed is kept
    assert 'value="50"' in page and 'value="2026-11-25T10:00"' in page
    assert db.session.execute(select(func.count()).select_from(Incident)).scalar_one() == 0
    assert (
        db.session.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "incident.reported")
        ).scalar_one()
        == 0
    )


def test_clock_change_gap_is_an_error_on_the_field(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["luxigo"], Role.REPORTER))
    login(client, "r@x.nl")
    response = client.post("/report/luxigo", data=form_data(started_at="2026-03-29T02:30"))
    assert response.status_code == 200
    assert 'id="started_at-error"' in response.get_data(as_text=True)


def test_evidence_upload_kept_across_an_error_and_served_only_to_the_allowed(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    kruix = orgs["kruix"]
    make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@x.nl", (kruix, Role.FG))
    make_user("other@x.nl", (orgs["leiz"], Role.FG))
    login(client, "r@x.nl")
    bad = form_data(
        title="",
        evidence=[(io.BytesIO(PNG), "screenshot.png"), (io.BytesIO(b"MZ\x90"), "virus.exe")],
    )
    page = client.post("/report/kruix", data=bad, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert 'id="title-error"' in page and "virus.exe" in page and 'id="evidence-error"' in page
    pending = db.session.execute(select(PendingUpload)).scalar_one()
    assert pending.filename == "screenshot.png"
    assert re.search(rf'name="pending" value="{pending.id}"[^>]*checked', page)

    response = client.post(
        "/report/kruix", data=form_data(pending=[pending.id]), content_type="multipart/form-data"
    )
    assert response.status_code == 302
    attachment = db.session.execute(select(Attachment)).scalar_one()
    assert attachment.size == len(PNG) and attachment.content_type == "image/png"
    assert db.session.execute(select(func.count()).select_from(PendingUpload)).scalar_one() == 0
    url = f"/incidents/{attachment.incident_id}/attachments/{attachment.id}"
    with client.get(url) as download:  # a streamed file: close the response
        assert download.status_code == 200 and download.data == PNG
        assert "attachment" in download.headers["Content-Disposition"]
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    for email, expected in (("fg@x.nl", 200), ("other@x.nl", 404)):
        client.post("/logout")
        login(client, email)
        with client.get(url) as response:
            assert response.status_code == expected


def test_reporters_never_see_other_peoples_reports(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    kruix, luxigo = orgs["kruix"], orgs["luxigo"]
    make_user("a@x.nl", (kruix, Role.REPORTER))
    make_user("b@x.nl", (kruix, Role.REPORTER))
    make_user("c@x.nl", (luxigo, Role.REPORTER))
    login(client, "a@x.nl")
    location = client.post("/report/kruix", data=form_data(title="Geheim incident")).headers[
        "Location"
    ]
    incident_id = int(location.rsplit("/", 1)[1])
    assert client.get(f"/incidents/{incident_id}").status_code == 200
    assert "Geheim incident" in client.get("/reports").get_data(as_text=True)
    for other in ("b@x.nl", "c@x.nl"):
        client.post("/logout")
        login(client, other)
        assert client.get(f"/incidents/{incident_id}").status_code == 404
        assert "Geheim incident" not in client.get("/reports").get_data(as_text=True)
        assert client.get("/incidents/").status_code == 403
    # A reporter of one organisation cannot even open the report form of another.
    assert client.get("/report/kruix").status_code == 404


def stored_files(app: Flask) -> list[Path]:
    return [p for p in Path(app.config["ATTACHMENT_DIR"]).rglob("*") if p.is_file()]


def pending_rows_written(statements: list[str]) -> list[str]:
    return [s for s in statements if "pending_upload" in s and not s.lstrip().startswith("SELECT")]


def test_a_good_report_and_its_files_are_saved_with_one_commit(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sqlalchemy.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = client.post(
            "/report/kruix",
            data=form_data(evidence=[(io.BytesIO(PNG), "scherm.png")]),
            content_type="multipart/form-data",
        )
    finally:
        sqlalchemy.event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 302
    attachment = db.session.execute(select(Attachment)).scalar_one()
    assert (attachment.filename, attachment.size) == ("scherm.png", len(PNG))
    # The file went straight into the report's transaction: no pending row written and deleted.
    assert pending_rows_written(statements) == []
    assert [p.name for p in stored_files(app)] == [attachment.storage_key.rsplit("/", 1)[-1]]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        # passes the form's checks, refused by the domain's (the start after the discovery)
        ({"started_at": "2026-11-19T10:00"}, "started_at-error"),
        # a good file and a refused one: the report waits for the reporter to decide
        ({"evidence_extra": True}, "evidence-error"),
    ],
)
def test_the_files_of_a_refused_good_looking_report_are_kept_for_the_next_try(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    changes: dict[str, Any],
    error: str,
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    files = [(io.BytesIO(PNG), "scherm.png")]
    if changes.pop("evidence_extra", False):
        files.append((io.BytesIO(b"MZ\x90"), "virus.exe"))
    response = client.post(
        "/report/kruix",
        data=form_data(evidence=files, **changes),
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="{error}"' in page
    pending = db.session.execute(select(PendingUpload)).scalar_one()
    assert pending.filename == "scherm.png" and len(stored_files(app)) == 1
    assert re.search(rf'name="pending" value="{pending.id}"[^>]*checked', page)
    again = client.post(
        "/report/kruix", data=form_data(pending=[pending.id]), content_type="multipart/form-data"
    )
    assert again.status_code == 302
    assert db.session.execute(select(Attachment.filename)).scalar_one() == "scherm.png"
    assert db.session.execute(select(func.count()).select_from(PendingUpload)).scalar_one() == 0


def test_the_same_form_sent_again_makes_one_report(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Found by exploratory testing: sending, going back and sending again (or posting the
    same form three times) made an incident each time, each with its own reminders."""
    kruix = orgs["kruix"]
    make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("r2@x.nl", (kruix, Role.REPORTER))
    login(client, "r@x.nl")
    page = client.get("/report/kruix").get_data(as_text=True)
    key = re.search(r'name="submission" type="hidden" value="([\w-]+)"', page)
    assert key is not None, "the form carries its own key"
    data = form_data(submission=key.group(1))
    first = client.post("/report/kruix", data=data)
    assert first.status_code == 302
    again = client.post("/report/kruix", data=data, follow_redirects=True)
    assert again.status_code == 200 and again.request.path == first.headers["Location"]
    page = again.get_data(as_text=True)
    assert "Je had deze melding al verstuurd (KRX-2026-0001)" in page
    assert db.session.execute(select(func.count()).select_from(Incident)).scalar_one() == 1
    # A fresh form has a key of its own: a second report is a second incident.
    fresh = client.get("/report/kruix").get_data(as_text=True)
    assert key.group(1) not in fresh
    # A form refused for its errors keeps its key, and makes its report once corrected.
    other = re.search(r'name="submission" type="hidden" value="([\w-]+)"', fresh)
    assert other is not None
    refused = client.post("/report/kruix", data=form_data(submission=other.group(1), title=""))
    assert refused.status_code == 200 and other.group(1) in refused.get_data(as_text=True)
    assert (
        client.post("/report/kruix", data=form_data(submission=other.group(1))).status_code == 302
    )
    assert db.session.execute(select(func.count()).select_from(Incident)).scalar_one() == 2
    # Someone else's key is no way to their report: a report of one's own is made.
    client.post("/logout")
    login(client, "r2@x.nl")
    response = client.post("/report/kruix", data=data)
    assert response.status_code == 302
    incidents = db.session.execute(select(Incident).order_by(Incident.id)).scalars().all()
    assert len(incidents) == 3 and incidents[2].submission_key is None
