"""Retention: past its organisation's period a closed incident's breach data is erased — the
attachment's file, the outbox's mails, the lists of people and the free texts — while the
register entry, the counts, the reasoning and the digests stay, and the register, its export,
the evidence pack and the audit chain still work; a dry run changes nothing; a recent or
reopened incident is untouched. And encryption at rest seen from the web."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from breachdesk.domain.retention import ERASED
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import (
    Attachment,
    AuditEvent,
    Incident,
    IncidentMessage,
    Organisation,
    Recipient,
    WebhookEndpoint,
)
from breachdesk.services import webhooks
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.vault import MAGIC, Vault

from ..conftest import MakeUser, as_if_moved, deliver_now, login, outbox_messages
from ..integration.test_incidents import submit
from ..integration.test_recipient_import import PEOPLE, csv_bytes, stage
from .test_evidence_pack import RATIONALE_MARK, filed  # noqa: F401 - the fixture
from .test_reports import PNG

__all__ = ["filed"]


def cli(app: Flask, *args: str) -> Any:
    result = app.test_cli_runner().invoke(args=list(args))
    db.session.expire_all()
    return result


def incident_mails(app: Flask, incident: Incident) -> list[Path]:
    from breachdesk.mail import outbox_file_of
    from breachdesk.models import Delivery

    root = Path(app.config["OUTBOX_DIR"])
    replies = db.session.execute(
        select(Delivery.server_reply).where(Delivery.incident_id == incident.id)
    ).scalars()
    found = [root / r for r in (outbox_file_of(x or "") for x in replies) if r]
    return [p for p in found if p.is_file()]


def test_retention_erases_the_breach_data_and_the_register_and_audit_chain_still_verify(
    app: Flask,
    client: Any,
    filed: Incident,  # noqa: F811 - the fixture
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    kruix = orgs["kruix"]
    assert kruix.retention_days == 365  # the default for a new organisation
    incident = filed
    attachment = incident.attachments[0]
    file_path = app.extensions["breachdesk"].store.path(attachment.storage_key)
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    assert file_path.read_bytes().startswith(MAGIC) and PNG not in file_path.read_bytes()
    deliver_now(app)  # the FG's mail about the report lands in the outbox
    assert incident_mails(app, incident)
    db.session.add(
        IncidentMessage(
            incident_id=incident.id,
            kind="addition",
            body="Het ging om het dossier van Jan Jansen.",
            by_reporter=True,
            created_at=clock.now(),
        )
    )
    incident.reporter_name, incident.reporter_email = "Piet", "piet@voorbeeld.nl"
    as_if_moved(incident, "closed", clock, closed_at=clock.now())
    reporter = make_user("r2@x.nl", (kruix, Role.REPORTER))
    recent = submit(reporter, kruix, clock)
    reopened = submit(reporter, kruix, clock)
    as_if_moved(recent, "closed", clock, closed_at=clock.now() + timedelta(days=300))
    as_if_moved(reopened, "in_triage", clock, closed_at=None)  # closed once, then reopened
    imported = submit(reporter, kruix, clock)  # as an entry of a register kept before
    as_if_moved(imported, "closed", clock, closed_at=clock.now(), imported_from="a" * 64)
    db.session.commit()
    recent_description = recent.description
    login(client, "fg@x.nl")
    assert incident.reference in client.get("/register/?q=buren").get_data(as_text=True)

    clock.advance(days=366)
    dry = cli(app, "retention", "run", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "kruix (after 365 days): would erase the breach data of 1 incident(s)" in dry.output
    assert "1 attachment(s)" in dry.output and "1 message(s)" in dry.output
    assert file_path.exists() and incident_mails(app, incident)
    assert incident.description != ERASED and incident.data_erased_at is None
    assert not db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.breach_data_erased")
    ).first()

    done = cli(app, "retention", "run", "--organisation", "kruix")
    assert done.exit_code == 0, done.output
    assert "erased the breach data of 1 incident(s): 1 attachment(s)" in done.output

    # Erased: the file, the mails, the texts, the reporter's contact, the conversation.
    assert not file_path.exists() and incident_mails(app, incident) == []
    attachment = db.session.get(Attachment, attachment.id)
    assert attachment.filename == "attachment-01.png" and attachment.erased_at == clock.now()
    assert (attachment.size, attachment.sha256) == (len(PNG), hashlib.sha256(PNG).hexdigest())
    incident = db.session.get(Incident, incident.id)
    assert incident.description == ERASED and incident.reporter_email == ERASED
    assert incident.data_erased_at == clock.now() and incident.followup_nonce is None
    message = db.session.execute(select(IncidentMessage)).scalar_one()
    assert message.body == ERASED
    # Kept: the register facts and the reasoning.
    assert incident.title == "Brief naar verkeerd adres" and incident.subjects_exact == 1
    assert RATIONALE_MARK in incident.decisions[-1].rationale
    assert incident.notifications[0].reference == "M-2026-424242"
    # One audit event with counts, no personal data; the chain verifies.
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.breach_data_erased")
    ).scalar_one()
    assert event.after["attachments"] == 1 and event.after["messages"] == 1
    assert "Jansen" not in str(event.after) and "piet" not in str(event.after)
    verified = cli(app, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    # The register, its export, the search and the evidence pack (signed in again: a year on).
    login(client, "fg@x.nl")
    page = client.get("/register/").get_data(as_text=True)
    assert incident.reference in page
    exported = client.get("/register/export.csv?sort=reference_asc").get_data(as_text=True)
    assert incident.reference in exported and "buren" not in exported
    assert incident.reference not in client.get("/register/?q=buren").get_data(as_text=True)
    show = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="data-erased"' in show and "buren" not in show
    assert client.get(f"/incidents/{incident.id}/attachments/{attachment.id}").status_code == 404
    response = client.get(f"/register/incidents/{incident.id}/evidence.zip")
    assert response.status_code == 200
    pack = zipfile.ZipFile(io.BytesIO(response.get_data()))
    note = pack.read("attachments/01-erased.txt").decode()
    assert "erased on" in note and attachment.sha256 in note
    verification = json.loads(pack.read("audit/verification.json"))
    assert verification["intact"] is True and verification["problems"] == []

    # The recent and the reopened incident are untouched; a second run erases nothing.
    db.session.expire_all()
    assert db.session.get(Incident, recent.id).description == recent_description
    assert db.session.get(Incident, reopened.id).data_erased_at is None
    assert db.session.get(Incident, imported.id).data_erased_at is None
    assert db.session.get(Incident, imported.id).description != ERASED
    again = cli(app, "retention", "run")
    assert "erased the breach data of 0 incident(s)" in again.output


def test_the_lists_of_people_go_with_the_breach_data(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    fg = make_user("fg@x.nl", (kruix, Role.FG))
    incident = submit(make_user("r@x.nl", (kruix, Role.REPORTER)), kruix, clock)
    stage(incident, fg, clock, csv_bytes(PEOPLE))
    kruix.retention_days, kruix.recipient_retention_days = 30, 3650  # this one first
    incident.state, incident.closed_at = "not_a_breach", clock.now()
    db.session.commit()
    clock.advance(days=31)
    assert "3 person(s) on lists" in cli(app, "retention", "run", "--dry-run").output
    assert cli(app, "retention", "run").exit_code == 0
    names = db.session.execute(select(Recipient.name).where(Recipient.name != "")).all()
    assert names == []


def test_without_a_period_nothing_is_erased(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    incident = submit(make_user("r@x.nl", (kruix, Role.REPORTER)), kruix, clock)
    kruix.retention_days = None  # an organisation from before the setting
    incident.state, incident.closed_at = "closed", clock.now()
    db.session.commit()
    clock.advance(days=4000)
    result = cli(app, "retention", "run", "--organisation", "kruix")
    assert "kruix: no retention period set; breach data kept" in result.output
    assert db.session.get(Incident, incident.id).data_erased_at is None
    assert cli(app, "retention", "run", "--organisation", "nope").exit_code != 0


def test_a_wrong_storage_key_gives_a_clear_page_not_a_traceback(
    app: Flask,
    client: Any,
    filed: Incident,  # noqa: F811 - the fixture
) -> None:
    attachment = filed.attachments[0]
    login(client, "fg@x.nl")
    url = f"/incidents/{filed.id}/attachments/{attachment.id}"
    assert client.get(url).get_data() == PNG  # decrypted on the way out
    runtime = app.extensions["breachdesk"]
    other_key = Vault.from_config(None, Path(app.instance_path) / "other.key").keys[0]
    runtime.store.vault = Vault([other_key])  # as if the key file were replaced
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "Traceback" not in page
    assert "storage key" in page or "sleutel" in page


def test_outbox_mails_are_encrypted_on_disk(
    app: Flask,
    client: Any,
    filed: Incident,  # noqa: F811 - the fixture
) -> None:
    deliver_now(app)
    mails = outbox_messages(app)
    assert mails and all(m.path.read_bytes().startswith(MAGIC) for m in mails)
    assert all(filed.reference.encode() not in m.path.read_bytes() for m in mails)
    assert any(filed.reference in m.read_text() for m in mails)


def test_the_retention_setting_is_checked_and_kept_with_its_version(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    page = client.get("/admin/organisations/kruix/clock").get_data(as_text=True)
    assert 'id="retention"' in page and 'name="retention_days"' in page and 'value="365"' in page
    data = {
        "reminder_offsets": "24, 48, 60, 70",
        "office_days": ["1", "2", "3", "4", "5"],
        "processor_term_hours": "24",
        "processor_hours_before": "12, 4, 1",
        "retention_days": "10",
        "version": str(orgs["kruix"].clock_settings_version),
    }
    refused = client.post("/admin/organisations/kruix/clock", data=data)
    assert refused.status_code == 422 and 'id="retention_days-error"' in refused.get_data(
        as_text=True
    )
    data["retention_days"] = "730"
    assert client.post("/admin/organisations/kruix/clock", data=data).status_code == 302
    db.session.expire_all()
    assert orgs["kruix"].retention_days == 730
    stale = client.post("/admin/organisations/kruix/clock", data={**data, "retention_days": "400"})
    assert stale.status_code == 409  # the page showed the version before the save
    db.session.expire_all()
    assert orgs["kruix"].retention_days == 730


def test_the_daily_job_erases_once_a_day_and_a_bad_incident_fails_alone(
    app: Flask,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
    monkeypatch: Any,
    caplog: Any,
) -> None:
    from breachdesk import scheduler
    from breachdesk.services import retention

    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    bad, good = submit(reporter, kruix, clock), submit(reporter, kruix, clock)
    for incident in (bad, good):
        incident.state, incident.closed_at = "closed", clock.now()
    db.session.commit()
    clock.advance(days=400)
    original = retention.erase_incident

    def failing(session: Any, incident: Incident, **kwargs: Any) -> retention.Counts:
        if incident.id == bad.id:
            raise OSError("disk unreadable")
        return original(session, incident, **kwargs)

    monkeypatch.setattr(retention, "erase_incident", failing)
    monkeypatch.setattr(scheduler, "_last_run", {})  # this process has not run it yet
    rt = app.extensions["breachdesk"]
    scheduler.retention_run(db.session, rt, app.config)
    db.session.expire_all()
    assert db.session.get(Incident, good.id).data_erased_at == clock.now()
    assert db.session.get(Incident, bad.id).data_erased_at is None
    assert f"could not erase {bad.reference}: OSError" in caplog.text

    monkeypatch.setattr(retention, "erase_incident", original)
    clock.advance(hours=23)
    scheduler.retention_run(db.session, rt, app.config)  # not yet a day later
    assert db.session.get(Incident, bad.id).data_erased_at is None
    clock.advance(hours=1)
    scheduler.retention_run(db.session, rt, app.config)  # the next day: the bad one now
    db.session.expire_all()
    assert db.session.get(Incident, bad.id).data_erased_at == clock.now()


def test_the_storage_commands_encrypt_what_was_kept_in_clear_and_rotate(
    app: Flask, orgs: dict[str, Organisation], monkeypatch: Any
) -> None:
    root = Path(app.config["ATTACHMENT_DIR"]) / "ab"
    root.mkdir(parents=True)
    (root / "abcdef").write_bytes(PNG)  # stored before encryption
    Path(app.config["OUTBOX_DIR"]).mkdir(parents=True, exist_ok=True)
    first = cli(app, "storage", "encrypt-existing")
    assert first.exit_code == 0, first.output
    assert "encrypted 1 file(s) kept in clear" in first.output
    assert (root / "abcdef").read_bytes().startswith(MAGIC)
    assert "encrypted 0 file(s)" in cli(app, "storage", "encrypt-existing").output

    rt = app.extensions["breachdesk"]
    # A webhook endpoint's signing secret is sealed with the same keys.
    hook = webhooks.create(
        db.session,
        orgs["kruix"],
        webhooks.EndpointInput("https://siem.example.org/in", "SIEM", ["report.received"], True),
        check=None,
        vault=rt.vault,
        actor=Actor.system("t"),
        clock=rt.clock,
    )
    new_key = cli(app, "storage", "new-key").output.strip().encode()
    rt.vault = Vault([new_key, *rt.vault.keys])  # the new key put first
    rotated = cli(app, "storage", "rotate")
    assert "re-encrypted 1 under the current key, 0 already done, 0 failed" in rotated.output
    assert "webhook secrets: 1 sealed again under the current key, 0 already done" in (
        rotated.output
    )
    assert Vault([new_key]).read_bytes(root / "abcdef") == PNG
    db.session.expire_all()
    endpoint = db.session.get_one(WebhookEndpoint, hook.endpoint.id)
    assert Vault([new_key]).unseal(endpoint.secret_sealed) == hook.secret.encode()
    again = cli(app, "storage", "rotate")
    assert "webhook secrets: 0 sealed again under the current key, 1 already done" in again.output


def test_storage_check_says_whether_the_keys_open_every_stored_file(app: Flask) -> None:
    """After a restore, a key made since (or none) was taken for the right one and the
    restore said it had worked; evidence then gave 503 (found by exploratory testing).
    `breachdesk storage check` reads each file's first frame: exit 1 names what no key opens."""
    from cryptography.fernet import Fernet

    root = Path(app.config["ATTACHMENT_DIR"]) / "cd"
    root.mkdir(parents=True)
    rt = app.extensions["breachdesk"]
    (root / "cdef01").write_bytes(PNG)  # kept in clear
    rt.vault.write(root / "cdef02", PNG)  # encrypted under the current key
    good = cli(app, "storage", "check")
    assert good.exit_code == 0, good.output
    assert "1 file(s) under the current key, 0 under an older key, 1 kept in clear, 0" in (
        good.output
    )
    kept = rt.vault
    rt.vault = Vault([Fernet.generate_key()])  # a key made on the new server
    try:
        wrong = cli(app, "storage", "check")
    finally:
        rt.vault = kept
    assert wrong.exit_code == 1
    assert "1 that no key opens" in wrong.output and "cdef02" in wrong.output
    assert "put back your copy of the key" in wrong.output
