"""Reporting an incident: references, snapshots, audit, FG notification, visibility."""

from __future__ import annotations

import smtplib
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from sqlalchemy import func, select

from breachdesk.domain.report import Answer, CountMode, IncidentReport
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.mail import RecordingMailer
from breachdesk.models import AuditEvent, Delivery, Incident, Organisation, User
from breachdesk.services import incident_access
from breachdesk.services import incidents as incident_service
from breachdesk.services.clock import FixedClock

from ..conftest import T0, MakeUser, run_deliveries

REPORT = IncidentReport(
    title="Klantlijst naar verkeerde ontvanger gemaild",
    description="Een Excel-bestand met klantgegevens is per ongeluk naar een leverancier gestuurd.",
    discovered_at=T0 - timedelta(hours=1),
    discovery_how="De ontvanger belde ons.",
    ongoing=Answer.NO,
    data_category_keys=("naam",),
    subjects_mode=CountMode.RANGE,
    subjects_min=100,
    subjects_max=150,
)


class FailingMailer:
    def send(self, message: EmailMessage) -> None:
        raise smtplib.SMTPServerDisconnected("mail server gone")


def submit(
    user: User,
    org: Organisation,
    clock: FixedClock,
    **changes: object,
) -> Incident:
    first_key = org.profile["data_categories"][0]["key"]
    changes.setdefault("data_category_keys", (first_key,))
    report = replace(REPORT, **changes)  # type: ignore[arg-type]
    return incident_service.submit_report(
        db.session,
        reporter=user,
        organisation=org,
        report=report,
        clock=clock,
    )


def test_reports_filed_at_once_get_distinct_references_even_the_years_first(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    """Eight reporters file five reports each at the same moment, the year's first among them,
    each in its own session (PostgreSQL in CI's second run: real row locks)."""
    kruix_id = orgs["kruix"].id
    user_id = make_user("r@x.nl", (orgs["kruix"], Role.REPORTER)).id
    db.session.commit()  # SQLite: this thread holds no transaction (its write lock) either
    start = threading.Barrier(8)
    references: list[str] = []
    failures: list[BaseException] = []

    def reporter() -> None:
        try:
            with app.app_context():
                me = db.session.get(User, user_id)
                org = db.session.get(Organisation, kruix_id)
                assert me is not None and org is not None
                db.session.commit()  # SQLite: hold no transaction (its write lock) while waiting
                start.wait()
                for _ in range(5):
                    references.append(submit(me, org, clock).reference)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=reporter) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(references) == [f"KRX-2026-{n:04d}" for n in range(1, 41)]


def test_references_are_sequential_per_organisation_and_year(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix, luxigo = orgs["kruix"], orgs["luxigo"]
    user = make_user("r@x.nl", (kruix, Role.REPORTER), (luxigo, Role.REPORTER))
    refs = [submit(user, kruix, clock).reference for _ in range(3)]
    assert refs == ["KRX-2026-0001", "KRX-2026-0002", "KRX-2026-0003"]
    assert submit(user, luxigo, clock).reference == "LUX-2026-0001"
    # The year is the Dutch calendar year: 31 Dec 23:30 UTC is already 1 Jan in Amsterdam.
    clock.current = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    incident = submit(user, kruix, clock, discovered_at=clock.current - timedelta(minutes=5))
    assert incident.reference == "KRX-2027-0001"


def test_report_is_stored_with_snapshots_and_audited(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    leiz = orgs["leiz"]
    user = make_user("r@x.nl", (leiz, Role.REPORTER))
    processor = leiz.profile["processors"][0]
    incident = submit(user, leiz, clock, processor_keys=(processor["key"],))
    assert incident.processors[0]["name"] == processor["name"]
    assert (
        incident.data_categories[0]["enisa_class"]
        == leiz.profile["data_categories"][0]["enisa_class"]
    )
    assert incident.discovered_at == T0 - timedelta(hours=1)
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.reported")
    ).scalar_one()
    assert event.organisation_id == leiz.id
    assert event.actor_id == user.id
    assert event.after["reference"] == incident.reference
    assert event.after["subjects_min"] == 100


def test_rejected_report_stores_nothing(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    user = make_user("r@x.nl", (kruix, Role.REPORTER))
    events_before = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    with pytest.raises(incident_service.ReportRejected) as rejected:
        submit(user, kruix, clock, discovered_at=T0 + timedelta(days=1))
    assert [p.field for p in rejected.value.problems] == ["discovered_at"]
    assert db.session.execute(select(func.count()).select_from(Incident)).scalar_one() == 0
    assert (
        db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        == events_before
    )


def test_non_member_cannot_report(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    user = make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    with pytest.raises(PermissionError):
        submit(user, orgs["luxigo"], clock)


def test_fgs_are_mailed_and_a_mail_failure_loses_nothing(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg1@x.nl", (kruix, Role.FG))
    make_user("fg2@x.nl", (kruix, Role.FG))
    make_user("admin@x.nl", (kruix, Role.ADMIN))
    incident = submit(reporter, kruix, clock)
    # The mail is a delivery row stored with the report; the scheduler's tick sends it.
    row = db.session.execute(
        select(Delivery).where(Delivery.incident_id == incident.id, Delivery.kind == "new_report")
    ).scalar_one()
    assert (row.kind, row.status, row.due_at) == ("new_report", "planned", clock.now())
    mailer = RecordingMailer()
    assert run_deliveries(clock, mailer).sent == 1
    (message,) = mailer.sent
    assert message["To"] == "fg1@x.nl, fg2@x.nl"
    body = message.get_content()
    assert incident.reference in message["Subject"]
    assert f"http://bd.test/incidents/{incident.id}" in body
    assert "Er is een nieuw incident gemeld" in body and "A new incident was reported" in body
    assert row.message_id == message["Message-ID"] and row.server_reply == "recorded"
    assert len(row.content_sha256) == 64 and row.recipients == ["fg1@x.nl", "fg2@x.nl"]

    second = submit(reporter, kruix, clock)
    broken = FailingMailer()
    for _ in range(5):
        run_deliveries(clock, broken)
        clock.advance(hours=1)
    assert db.session.get(Incident, second.id) is not None
    failures = (
        db.session.execute(select(AuditEvent).where(AuditEvent.action == "delivery.failed"))
        .scalars()
        .all()
    )
    assert len(failures) == 1 and "mail server gone" in failures[0].after["error"]
    assert failures[0].entity_id == str(second.id) and failures[0].after["attempts"] == 5


def test_without_fg_the_administrators_are_mailed(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    luxigo = orgs["luxigo"]
    reporter = make_user("r@x.nl", (luxigo, Role.REPORTER))
    make_user("admin@x.nl", (luxigo, Role.ADMIN))
    submit(reporter, luxigo, clock)
    mailer = RecordingMailer()
    run_deliveries(clock, mailer)
    assert [m["To"] for m in mailer.sent] == ["admin@x.nl"]


def test_who_may_see_an_incident(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix, luxigo = orgs["kruix"], orgs["luxigo"]
    author = make_user("author@x.nl", (kruix, Role.REPORTER))
    colleague = make_user("colleague@x.nl", (kruix, Role.REPORTER))
    fg = make_user("fg@x.nl", (kruix, Role.FG))
    outsider_fg = make_user("other@x.nl", (luxigo, Role.FG))
    incident = submit(author, kruix, clock)
    visible = {
        u.email: incident_access.visible_incident(db.session, u, incident.id) is not None
        for u in (author, colleague, fg, outsider_fg)
    }
    assert visible == {
        "author@x.nl": True,
        "colleague@x.nl": False,
        "fg@x.nl": True,
        "other@x.nl": False,
    }
    assert [i.id for i in incident_access.reports_by(db.session, author)] == [incident.id]
    assert incident_access.reports_by(db.session, colleague) == []
    assert [i.id for i in incident_access.incidents_for_officer(db.session, fg)] == [incident.id]
    assert incident_access.incidents_for_officer(db.session, outsider_fg) == []
