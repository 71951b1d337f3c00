"""The processor's notice to the controller: sent once through the delivery engine to a real
SMTP server (aiosmtpd), recorded as the filing with the controller, and the term stops."""

from __future__ import annotations

from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.deadline import DeadlineStatus, Duty
from breachdesk.extensions import db
from breachdesk.mail import SmtpMailer
from breachdesk.models import AuditEvent, Delivery, Incident, Organisation, User
from breachdesk.services import controller_notice
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.deadlines import clock_of
from breachdesk.services.organisations import public_name
from breachdesk.services.versioning import StaleEdit

from ..conftest import Inbox, run_deliveries
from .test_reminders import confirmed, people  # noqa: F401 - the fixture

CONTROLLER = "Gemeente Voorbeeld"


def processor_incident(
    orgs: dict[str, Organisation], staff: tuple[User, User], clock: FixedClock
) -> Incident:
    orgs["kruix"].processor_term_hours = 36
    db.session.commit()
    return confirmed(orgs, staff, clock, our_role="processor", controller_name=CONTROLLER)


def planned_reminders(incident_id: int) -> list[str]:
    return list(
        db.session.execute(
            select(Delivery.label).where(
                Delivery.incident_id == incident_id,
                Delivery.status == "planned",
                Delivery.kind.in_(["reminder", "escalation"]),
            )
        ).scalars()
    )


def test_the_notice_reaches_a_real_smtp_server_once_and_the_term_stops(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],  # noqa: F811
    clock: FixedClock,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    fg = people[1]
    incident = processor_incident(orgs, people, clock)
    assert planned_reminders(incident.id)  # the contractual term runs, with reminders
    clock.advance(hours=3)
    draft = controller_notice.draft_notice(db.session, incident, now=clock.now(), user=fg)
    assert CONTROLLER in draft.body and "Autoriteit Persoonsgegevens" in draft.body
    approved = draft.body.replace("Met vriendelijke groet,", "Met vriendelijke groet, (FG)")

    sent = controller_notice.send_controller_notice(
        db.session,
        incident,
        to="privacy@gemeente.example, Privacy@Gemeente.example",  # one address, twice
        subject=draft.subject,
        text=approved,
        seen_filings=0,
        user=fg,
        actor=Actor.of(fg),
        clock=clock,
        sections=draft.snapshot(),
    )

    # The filing is recorded at the moment of queueing: the term has stopped, no reminder left.
    filing = sent.notification
    assert (filing.addressee, filing.kind, filing.late) == (Duty.CONTROLLER.value, "initial", False)
    assert filing.submitted_at == clock.now()
    view = clock_of(incident, clock.now())
    assert view is not None and view.status is DeadlineStatus.MET and not view.running
    assert planned_reminders(incident.id) == []

    mailer = SmtpMailer("127.0.0.1", port, timeout=5)
    assert run_deliveries(clock, mailer).sent == 1
    clock.advance(hours=1)
    assert run_deliveries(clock, mailer).sent == 0  # once, and only once
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["privacy@gemeente.example"]
    assert str(make_header(decode_header(message["Subject"]))) == draft.subject
    # From the processor by name (the controller would not know "breachdesk").
    sender = str(make_header(decode_header(message["From"])))
    assert sender == f"{public_name(incident.organisation)} <bd@x.nl>", sender
    body = message.get_payload(decode=True)
    assert (
        isinstance(body, bytes)
        and body.decode("utf-8").replace("\r\n", "\n") == approved.strip() + "\n"
    )

    row = db.session.get(Delivery, sent.delivery.id)
    assert row is not None and row.status == "sent" and row.kind == "controller_notice"
    assert row.message_id == message["Message-ID"] and row.server_reply.startswith("250")
    assert len(row.content_sha256) == 64 and row.sent_at == clock.now() - timedelta(hours=1)
    assert controller_notice.by_filing(db.session, incident) == {filing.id: row}
    queued = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.controller_notice_queued")
    ).scalar_one()
    assert "gemeente" not in str(queued.after).lower()  # digests, not the addresses


def test_a_supplement_lists_what_changed_and_goes_to_the_same_addresses(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],  # noqa: F811
    clock: FixedClock,
) -> None:
    fg = people[1]
    incident = processor_incident(orgs, people, clock)
    first = controller_notice.draft_notice(db.session, incident, now=clock.now(), user=fg)
    controller_notice.send_controller_notice(
        db.session,
        incident,
        to=["privacy@gemeente.example"],
        subject=first.subject,
        text=first.body,
        seen_filings=0,
        user=fg,
        actor=Actor.of(fg),
        clock=clock,
        sections=first.snapshot(),
    )
    incident.records_count = 1234
    db.session.commit()
    clock.advance(hours=5)
    second = controller_notice.draft_notice(db.session, incident, now=clock.now(), user=fg)
    assert second.kind.value == "supplement" and second.changed == ("data",)
    assert second.subject.startswith("Aanvulling")
    assert "Gewijzigd sinds de vorige melding: betrokken personen en gegevens." in second.body
    assert controller_notice.last_recipients(db.session, incident) == ["privacy@gemeente.example"]
    with pytest.raises(StaleEdit):  # the page still showed no filing
        controller_notice.send_controller_notice(
            db.session,
            incident,
            to=["privacy@gemeente.example"],
            subject=second.subject,
            text=second.body,
            seen_filings=0,
            user=fg,
            actor=Actor.of(fg),
            clock=clock,
        )
    assert len(controller_notice.notices_of(db.session, incident)) == 1  # nothing half-saved


def test_a_bad_address_saves_nothing(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],  # noqa: F811
    clock: FixedClock,
) -> None:
    fg = people[1]
    incident = processor_incident(orgs, people, clock)
    with pytest.raises(controller_notice.NoticeError) as refused:
        controller_notice.send_controller_notice(
            db.session,
            incident,
            to="privacy@gemeente.example, niet-een-adres",
            subject="Melding",
            text="Tekst",
            seen_filings=0,
            user=fg,
            actor=Actor.of(fg),
            clock=clock,
        )
    assert refused.value.field == "to" and "niet-een-adres" in str(refused.value)
    assert incident.notifications == [] and planned_reminders(incident.id)
