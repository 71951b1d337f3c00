"""When the database or the file store fails, the form comes back filled in, with a 503.

Failures are injected where they happen in production: in the middle of the report's
transaction, in the file store's write, in the commit of an upload, or as a real SQLite lock
held by another connection.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Attachment, AuditEvent, Incident, Organisation, PendingUpload
from breachdesk.services import decisions, triage
from breachdesk.services import incidents as incident_service
from breachdesk.services.storage import FileStore

from ..conftest import MakeUser, login
from .test_admin import _edit_form
from .test_clock_web import confirmed
from .test_reports import PNG, form_data

TYPED = form_data(
    title="Map met cliëntdossiers kwijt",
    description="Regel één.\nRegel twee: <script>alert(1)</script> & meer.",
    started_at="2026-11-18T16:45",
    subjects_mode="range",
    subjects_min="12",
    subjects_max="40",
    records_count="77",
    discovery_how="Een collega belde.",
    protection_details="Geen versleuteling",
    containment=["retrieved", "asked_deletion"],
    containment_details="Buren gebeld",
    systems_other="Papieren map",
)


def locked(statement: str = "INSERT") -> OperationalError:
    return OperationalError(statement, None, sqlite3.OperationalError("database is locked"))


def count(model: type) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


CHOICES = ("subjects_mode", "ongoing", "children_involved", "protection", "containment")


def checked(page: str, name: str, value: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', page)
    return tag is not None and "checked" in tag.group(0)


def assert_typing_kept(page: str, data: dict[str, Any]) -> None:
    """Every value sent is in the page again: text, dates and counts, and the choices ticked."""
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if name in CHOICES:
                assert checked(page, name, item), (name, item)
            else:
                assert str(escape(item)) in page, (name, item)


@pytest.fixture
def reporter(client: Any, orgs: dict[str, Organisation], make_user: MakeUser) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "r@x.nl")


def test_database_failure_mid_report_gives_the_form_back_with_503(
    client: Any, reporter: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise locked()

    # The incident row is already flushed when the audit event fails: it must be rolled back.
    monkeypatch.setattr(incident_service.audit, "record", fail)
    response = client.post("/report/kruix", data=TYPED)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert 'id="not-saved"' in page and "Je melding is NIET opgeslagen." in page
    assert "Alles wat je hebt ingevuld, staat nog in het formulier hieronder." in page
    assert 'id="fg-contact"' in page and "fg-schade@nn.nl" in page  # kruix's FG contact
    assert_typing_kept(page, TYPED)
    assert not checked(page, "ongoing", "unknown")  # not the default: what was sent
    assert "data-draft-restore" not in page  # the server's copy wins over the browser's draft
    assert count(Incident) == 0
    assert not db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.reported")
    ).first()

    monkeypatch.undo()
    again = client.post("/report/kruix", data=TYPED)
    assert again.status_code == 302 and count(Incident) == 1


def test_full_file_store_gives_the_form_back_and_leaves_no_file(
    app: Flask, client: Any, reporter: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: FileStore, stream: Any, max_bytes: int) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileStore, "save", full)
    data = {**TYPED, "evidence": [(io.BytesIO(PNG), "scherm.png")]}
    response = client.post("/report/kruix", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and 'id="not-saved"' in page
    assert_typing_kept(page, TYPED)
    assert count(Incident) == 0 and count(PendingUpload) == 0
    assert not any(Path(app.config["ATTACHMENT_DIR"]).rglob("*"))


def test_database_failure_while_storing_an_upload_leaves_no_orphan_file(
    app: Flask, client: Any, reporter: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Session) -> None:
        raise locked("COMMIT")

    monkeypatch.setattr(Session, "commit", refuse)
    data = {**TYPED, "evidence": [(io.BytesIO(PNG), "scherm.png")]}
    response = client.post("/report/kruix", data=data, content_type="multipart/form-data")
    monkeypatch.undo()
    assert response.status_code == 503
    assert_typing_kept(response.get_data(as_text=True), TYPED)
    assert count(Incident) == 0 and count(PendingUpload) == 0
    assert not [p for p in Path(app.config["ATTACHMENT_DIR"]).rglob("*") if p.is_file()]


def test_an_upload_stored_before_the_failure_is_listed_again(
    client: Any, reporter: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise locked()

    monkeypatch.setattr(incident_service, "submit_report", fail)
    data = {**TYPED, "evidence": [(io.BytesIO(PNG), "scherm.png")]}
    response = client.post("/report/kruix", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    pending = db.session.execute(select(PendingUpload)).scalar_one()
    assert response.status_code == 503
    assert f'name="pending" value="{pending.id}"' in page and "scherm.png" in page


def test_when_even_the_form_cannot_be_shown_the_plain_503_page_answers(
    client: Any, reporter: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from breachdesk.web import reports

    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise locked("SELECT")

    monkeypatch.setattr(incident_service, "submit_report", fail)
    monkeypatch.setattr(reports, "profile_of", fail)
    response = client.post("/report/kruix", data=TYPED)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Tijdelijk niet beschikbaar" in page and 'id="draft-kept"' in page
    assert 'id="not-saved"' not in page  # no form below to speak of
    assert "Uitloggen" not in page  # the plain page does not load the user


@pytest.mark.parametrize(
    ("path", "patched", "data", "field"),
    [
        (
            "triage",
            (triage, "record_triage"),
            {
                "personal_data": "yes",
                "security_breached": "yes",
                "breach_types": ["confidentiality"],
                "aware_at": "2026-11-15T10:00",  # as recorded: a change would need a reason
                "reason": "Adreslijst naar verkeerde klant",
            },
            "triage",
        ),
        (
            "checklist",
            (decisions, "save_checklist"),
            {"malicious": "yes", "restore_hours": "7.5", "adj_0_delta": "1",
             "adj_0_reason": "Bijzondere context", "action": "confirm"},
            "checklist-form",
        ),
        (
            "notification",
            None,
            {"submitted_at": "2026-11-19T10:45", "reference": "AP-123456",
             "delay_reason": "Weekend en ziekte", "notes": "Voorlopig gemeld",
             "provisional": "y"},  # the sheet has open answers
            "notification",
        ),
        (
            "decision",
            (decisions, "record_decision"),
            {"outcome": "notify_ap", "rationale": "Afwijkend: context weegt zwaarder"},
            "decision",
        ),
    ],
)  # fmt: skip
def test_the_fgs_forms_come_back_filled_in_with_503(
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    patched: tuple[Any, str] | None,
    data: dict[str, Any],
    field: str,
) -> None:
    incident = confirmed(client, orgs, make_user)
    if path == "triage":
        incident.state = "reported"  # the triage form is offered again
        db.session.commit()
    if path == "decision":
        client.post(f"/incidents/{incident.id}/checklist", data={"action": "confirm"})

    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise locked()

    from breachdesk.services import filings

    target, name = patched or (filings, "record_notification")
    monkeypatch.setattr(target, name, fail)
    response = client.post(f"/incidents/{incident.id}/{path}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:300]
    assert 'id="not-saved"' in page and "Dit is NIET opgeslagen." in page
    assert "Niet opgeslagen. Verstuur het over een minuut opnieuw." in page  # at the form
    assert f'id="{field}"' in page
    for name, value in data.items():
        if name == "action":
            continue
        for item in value if isinstance(value, list) else [value]:
            assert str(escape(item)) in page, (name, item)


sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("BREACHDESK_TEST_DATABASE_URL")), reason="an SQLite file lock"
)


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SQLITE_BUSY_TIMEOUT_SECONDS": 0.3}


@sqlite_only
def test_a_locked_database_answers_within_the_busy_timeout_with_the_form(
    app: Flask, client: Any, reporter: None
) -> None:
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    db.session.remove()
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        started = time.monotonic()
        response = client.post("/report/kruix", data=TYPED)
        elapsed = time.monotonic() - started
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and 'id="not-saved"' in page
        assert_typing_kept(page, TYPED)
        assert elapsed < 3, elapsed
        other = client.get("/reports")  # any other page: the plain 503
        assert other.status_code == 503 and "Tijdelijk niet beschikbaar" in other.get_data(
            as_text=True
        )
    finally:
        locker.rollback()
        locker.close()
    assert client.post("/report/kruix", data=TYPED).status_code == 302
    assert count(Incident) == 1


def test_the_administrators_long_forms_come_back_filled_in_with_503(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from breachdesk.services import clock_settings
    from breachdesk.services import organisations as org_service

    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")

    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise locked("UPDATE")

    monkeypatch.setattr(org_service, "save_profile", fail)
    monkeypatch.setattr(clock_settings, "save_clock_settings", fail)
    data = _edit_form(client, "kruix")
    data.update(legal_name="Kruix Verzekeringen B.V. (nieuw)", notes="Regel 1\nRegel 2")
    response = client.post("/admin/organisations/kruix/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "Dit is NIET opgeslagen." in page
    assert 'value="Kruix Verzekeringen B.V. (nieuw)"' in page and "Regel 1\nRegel 2" in page
    settings = {
        "reminder_offsets": "12, 36",
        "processor_term_hours": "24",
        "processor_hours_before": "6, 1",
        "escalation_name": "Directie Kruix",
        "office_days": ["1", "2", "3", "4", "5"],  # at least one: checked before saving
    }
    response = client.post("/admin/organisations/kruix/clock", data=settings)
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "Dit is NIET opgeslagen." in page
    assert 'value="12, 36"' in page and 'value="Directie Kruix"' in page


def test_a_report_that_fails_with_a_bug_leaves_no_file_behind(
    app: Flask, client: Any, reporter: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("a bug, not a storage failure")

    # The incident and its attachment are flushed when the audit event fails.
    monkeypatch.setattr(incident_service.audit, "record", bug)
    data = {**TYPED, "evidence": [(io.BytesIO(PNG), "scherm.png")]}
    with pytest.raises(RuntimeError):  # the test app propagates it; production answers 500
        client.post("/report/kruix", data=data, content_type="multipart/form-data")
    monkeypatch.undo()
    db.session.rollback()
    assert count(Incident) == 0 and count(PendingUpload) == 0
    assert not [p for p in Path(app.config["ATTACHMENT_DIR"]).rglob("*") if p.is_file()]


def test_a_failure_after_the_report_was_saved_keeps_its_files(
    app: Flask, client: Any, reporter: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from breachdesk.web import reports

    def bug(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("a bug after the commit")

    monkeypatch.setattr(reports, "url_for", bug)  # the redirect after the saved report fails
    data = {**TYPED, "evidence": [(io.BytesIO(PNG), "scherm.png")]}
    with pytest.raises(RuntimeError):
        client.post("/report/kruix", data=data, content_type="multipart/form-data")
    monkeypatch.undo()
    db.session.rollback()
    assert count(Incident) == 1
    (attachment,) = db.session.execute(select(Attachment)).scalars()
    files = [p for p in Path(app.config["ATTACHMENT_DIR"]).rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() != b""
