"""Real SMTP: a report's FG notification reaches a local aiosmtpd server; many messages go
over one connection, which survives a refusal and is opened again after the server hung up."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.report import Answer, IncidentReport
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.mail import ORG_HEADER, SmtpMailer, build_message
from breachdesk.models import Delivery, Incident, Organisation, User
from breachdesk.runtime import runtime
from breachdesk.services import incidents as incident_service
from breachdesk.services.clock import FixedClock

from ..conftest import T0, Inbox, MakeUser, free_port, run_deliveries


@pytest.fixture
def app_config(smtp_server: tuple[Inbox, int]) -> dict[str, Any]:
    return {"MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server[1]}


def test_smtp_mailer_delivers_utf8_without_internal_headers(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    message = build_message(
        sender="bd@x.nl",
        to=["fg@x.nl"],
        subject="Datalek — test",
        text="Één regel.",
        organisation="kruix",
    )
    SmtpMailer("127.0.0.1", port).send(message)
    assert len(inbox.messages) == 1
    recipients, received = inbox.messages[0]
    assert recipients == ["fg@x.nl"]
    assert received[ORG_HEADER] is None
    payload = received.get_payload(decode=True)
    assert isinstance(payload, bytes) and "Één regel." in payload.decode("utf-8")


def test_report_notification_over_smtp(
    app: Flask,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    smtp_server: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    inbox, _ = smtp_server
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@kruix.nl", (kruix, Role.FG))
    rt = runtime()
    assert isinstance(rt.mailer, SmtpMailer)  # chosen by BREACHDESK_MAIL_BACKEND=smtp
    incident = file_report(reporter, kruix, rt.clock)
    result = run_deliveries(rt.clock, rt.mailer)  # type: ignore[arg-type]
    assert result.sent == 1
    assert [r for r, _ in inbox.messages] == [["fg@kruix.nl"]]
    assert incident.reference in str(inbox.messages[0][1]["Subject"])
    assert not list((tmp_path / "instance" / "outbox").rglob("*.eml"))  # nothing in the file sink
    row = db.session.execute(
        select(Delivery).where(Delivery.incident_id == incident.id, Delivery.kind == "new_report")
    ).scalar_one()
    assert (
        row.server_reply.startswith("250 ") and row.message_id == inbox.messages[0][1]["Message-ID"]
    )


def delivery_of(incident: Incident) -> Delivery:
    query = select(Delivery).where(
        Delivery.incident_id == incident.id, Delivery.kind == "new_report"
    )
    return db.session.execute(query).scalar_one()


def file_report(reporter: User, organisation: Organisation, clock: Any) -> Incident:
    report = IncidentReport(
        title="Phishingmail aangeklikt",
        description="Een medewerker heeft zijn wachtwoord op een nepsite ingevuld.",
        discovered_at=T0 - timedelta(minutes=30),
        discovery_how="Melding van de medewerker zelf",
        ongoing=Answer.UNKNOWN,
    )
    return incident_service.submit_report(
        db.session,
        reporter=reporter,
        organisation=organisation,
        report=report,
        clock=clock,
    )


def test_mail_server_down_while_a_report_is_filed_the_mail_goes_out_once_it_is_back(
    app: Flask,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@kruix.nl", (kruix, Role.FG))
    port = free_port()
    mailer = SmtpMailer("127.0.0.1", port, timeout=5)
    incident = file_report(reporter, kruix, clock)  # nothing listens on the port: server down
    assert run_deliveries(clock, mailer).retried == 1
    assert db.session.get(Incident, incident.id) is not None  # the report is stored
    row = db.session.execute(
        select(Delivery).where(Delivery.incident_id == incident.id, Delivery.kind == "new_report")
    ).scalar_one()
    assert row.status == "planned" and row.attempts == 1 and "refused" in row.last_error.lower()
    assert row.due_at == clock.now() + timedelta(minutes=1)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()  # the mail server is back
    try:
        assert run_deliveries(clock, mailer).sent == 0  # not before the retry is due
        clock.advance(minutes=1)
        assert run_deliveries(clock, mailer).sent == 1
        clock.advance(hours=1)
        assert run_deliveries(clock, mailer).sent == 0
    finally:
        controller.stop()
    assert [recipients for recipients, _ in inbox.messages] == [["fg@kruix.nl"]]
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 2) and row.server_reply.startswith("250")


def test_many_messages_over_one_connection_each_with_its_own_receipt() -> None:
    from .test_bulk_delivery import Sink

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        sink.answers[("RCPT", "b@x.nl")] = ["550 5.1.1 User unknown"]
        sink.hang_up_after = 2  # after the third address's message: two went over it
        mailer = SmtpMailer("127.0.0.1", port, timeout=5)
        receipts, errors = [], []
        with mailer.connection() as connection:
            for to in ("a@x.nl", "b@x.nl", "c@x.nl", "d@x.nl", "e@x.nl"):
                message = build_message(sender="bd@x.nl", to=[to], subject=to, text="t")
                try:
                    receipts.append(connection.send(message))
                except OSError as error:  # smtplib.SMTPException is an OSError
                    errors.append((to, type(error).__name__))
            assert connection.opened == 2
    finally:
        controller.stop()
    # b was refused (the session stayed usable); d found the session closed by the server;
    # e went over a new one.
    assert errors[0] == ("b@x.nl", "SMTPRecipientsRefused") and errors[1][0] == "d@x.nl"
    assert errors[1][1] in ("SMTPServerDisconnected", "SMTPSenderRefused")  # EOF, or its 421
    assert sink.received_by() == ["a@x.nl", "c@x.nl", "e@x.nl"]
    assert len(sink.sessions) == 2
    assert all(r.reply.startswith("250 2.0.0") for r in receipts)
    assert [r.sha256 for r in receipts] == [
        hashlib.sha256(raw).hexdigest() for _, _, raw in sink.messages
    ]
