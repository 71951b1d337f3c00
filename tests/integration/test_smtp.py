"""Real SMTP: a report's FG notification reaches a local aiosmtpd server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from breachdesk.domain.report import Answer, IncidentReport
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.mail import ORG_HEADER, SmtpMailer, build_message
from breachdesk.models import Organisation
from breachdesk.runtime import runtime
from breachdesk.services import incidents as incident_service

from ..conftest import T0, Inbox, MakeUser


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
    report = IncidentReport(
        title="Phishingmail aangeklikt",
        description="Een medewerker heeft zijn wachtwoord op een nepsite ingevuld.",
        discovered_at=T0 - timedelta(minutes=30),
        discovery_how="Melding van de medewerker zelf",
        ongoing=Answer.UNKNOWN,
    )
    incident = incident_service.submit_report(
        db.session,
        reporter=reporter,
        organisation=kruix,
        report=report,
        pending_ids=[],
        clock=rt.clock,
        mailer=rt.mailer,
        mail_from=rt.mail_from,
        base_url=rt.base_url,
    )
    assert [r for r, _ in inbox.messages] == [["fg@kruix.nl"]]
    assert incident.reference in str(inbox.messages[0][1]["Subject"])
    assert not list((tmp_path / "instance" / "outbox").rglob("*.eml"))  # nothing in the file sink
