"""Bulk mail through the one delivery engine, against a real SMTP server (aiosmtpd on
127.0.0.1) that can refuse, answer "try later" and hang up.

A batch goes over one SMTP session; a 5xx refusal fails its row at once (and the audit
trail does not learn the address of a person affected); a 4xx is tried again; a held row
waits; a session the server drops is opened again for the next row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select, update

from breachdesk.domain.delivery import Kind, Status
from breachdesk.extensions import db
from breachdesk.mail import Receipt, SmtpMailer
from breachdesk.models import AuditEvent, Delivery, Organisation
from breachdesk.services import delivery
from breachdesk.services.clock import FixedClock
from breachdesk.services.delivery import Outgoing, SendContext

from ..conftest import free_port


class Sink:
    """An aiosmtpd handler that records messages and the SMTP sessions they came over, and
    answers as told: ``answers[("RCPT", address)] = ["450 ...", ...]`` is used up in turn
    (then the address is accepted); ``hang_up_after`` closes the session at the next MAIL
    once that many messages came over it."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage, bytes]] = []
        self.sessions: list[object] = []  # kept, so that no two sessions share an id
        self.answers: dict[tuple[str, str], list[str]] = {}
        self.hang_up_after: int | None = None
        self.per_session: dict[int, int] = {}

    def _answer(self, step: str, key: str) -> str | None:
        queued = self.answers.get((step, key))
        return queued.pop(0) if queued else None

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if not any(known is session for known in self.sessions):
            self.sessions.append(session)
        count = self.per_session.get(id(session), 0)
        if self.hang_up_after is not None and count >= self.hang_up_after:
            self.hang_up_after = None
            server.transport.close()  # as a server at its limit, or restarting, would
            return "421 4.3.2 Closing connection"
        answer = self._answer("MAIL", address)
        if answer:
            return answer
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        answer = self._answer("RCPT", address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        to = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        answer = self._answer("DATA", to)
        if answer:
            return answer
        parsed = message_from_bytes(envelope.original_content, policy=email_policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed, envelope.original_content))
        self.per_session[id(session)] = self.per_session.get(id(session), 0) + 1
        return "250 2.0.0 Message accepted for delivery"

    def received_by(self) -> list[str]:
        return [to for recipients, _, _ in self.messages for to in recipients]


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def notice_handler(session: object, row: Delivery, context: SendContext) -> Outgoing:
    """Like the notice to the people affected: the message comes with the row."""
    payload = row.payload
    return Outgoing(
        recipients=[payload["to"]],
        subject="Datalek: uw gegevens / Data breach: your data",
        text=f"Beste {payload['name']},\n\nEr is een datalek geweest.\n",
        html=f"<p>Beste {payload['name']},</p><p>Er is een datalek geweest.</p>",
        reply_to="fg@kruix.nl",
    )


HANDLERS: dict[str, delivery.Handler] = {
    Kind.PEOPLE_NOTICE.value: notice_handler,
    Kind.NEW_REPORT.value: notice_handler,  # stands in for a kind that is not bulk
}


def plan(
    org: Organisation, clock: FixedClock, count: int, kind: Kind = Kind.PEOPLE_NOTICE
) -> list[Delivery]:
    rows = [
        delivery.enqueue(
            db.session,
            kind=kind,
            due_at=clock.now(),
            now=clock.now(),
            organisation_id=org.id,
            label="m1",
            payload={"to": f"persoon{n}@example.org", "name": f"Persoon {n}"},
        )
        for n in range(count)
    ]
    db.session.commit()
    return rows


def send(clock: FixedClock, port: int, **settings: Any) -> delivery.TickResult:
    return delivery.tick(
        db.session,
        holder="tests",
        clock=clock,
        mailer=SmtpMailer("127.0.0.1", port, timeout=5),
        handlers=HANDLERS,
        settings=delivery.DeliverySettings(
            mail_from="Kruix <bd@kruix.nl>", base_url="http://bd.test", **settings
        ),
    )


def statuses() -> dict[str, str]:
    rows = db.session.execute(select(Delivery).execution_options(populate_existing=True))
    return {row.payload["to"]: row.status for row in rows.scalars()}


def test_a_notice_arrives_as_plain_text_and_html_with_reply_to_and_no_unsubscribe(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    (row,) = plan(orgs["kruix"], clock, 1)
    assert send(clock, port).sent == 1
    ((recipients, message, raw),) = handler.messages
    assert recipients == ["persoon0@example.org"]
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert (
        "Beste Persoon 0," in plain.get_content()
        and "<p>Beste Persoon 0,</p>" in html.get_content()
    )
    assert message["Reply-To"] == "fg@kruix.nl"
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert message["X-Breachdesk-Organisation"] is None
    db.session.refresh(row)
    assert row.status == "sent" and row.message_id == message["Message-ID"]
    assert row.server_reply.startswith("250 2.0.0") and row.recipients == ["persoon0@example.org"]


def test_a_batch_of_twenty_goes_over_one_smtp_session(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    plan(orgs["kruix"], clock, 20)
    result = send(clock, port)
    assert (result.sent, result.retried, result.failed) == (20, 0, 0)
    assert len(handler.sessions) == 1
    assert sorted(handler.received_by()) == sorted(f"persoon{n}@example.org" for n in range(20))
    assert len({m["Message-ID"] for _, m, _ in handler.messages}) == 20


def test_the_proof_is_the_digest_of_exactly_the_bytes_the_server_received(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    rows = plan(orgs["kruix"], clock, 3)
    send(clock, port)
    received = {recipients[0]: raw for recipients, _, raw in handler.messages}
    for row in rows:
        db.session.refresh(row)
        assert row.content_sha256 == hashlib.sha256(received[row.payload["to"]]).hexdigest()


def test_a_recipient_refused_for_now_is_tried_again_and_then_sent(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    handler.answers[("RCPT", "persoon1@example.org")] = ["450 4.2.1 Mailbox busy, try later"]
    plan(orgs["kruix"], clock, 3)
    result = send(clock, port)
    assert (result.sent, result.retried, result.failed) == (2, 1, 0)
    assert len(handler.sessions) == 1  # the refusal did not cost the session
    row = db.session.execute(
        select(Delivery).where(Delivery.payload["to"].as_string() == "persoon1@example.org")
    ).scalar_one()
    assert (row.status, row.attempts) == ("planned", 1)
    assert row.last_error.startswith("450 4.2.1 Mailbox busy")
    assert row.due_at == clock.now() + timedelta(minutes=1)

    clock.advance(minutes=1)
    assert send(clock, port).sent == 1
    db.session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert sorted(handler.received_by()) == [f"persoon{n}@example.org" for n in range(3)]


@pytest.mark.parametrize(
    ("step", "answer"),
    [
        ("RCPT", "550 5.1.1 <persoon1@example.org>: Recipient address rejected: User unknown"),
        ("DATA", "554 5.7.1 <persoon1@example.org>: Message refused as spam"),
    ],
)
def test_a_permanent_refusal_fails_at_once_and_the_audit_trail_keeps_no_address(
    app: Flask,
    orgs: dict[str, Organisation],
    clock: FixedClock,
    sink: tuple[Sink, int],
    step: str,
    answer: str,
) -> None:
    handler, port = sink
    handler.answers[(step, "persoon1@example.org")] = [answer]
    plan(orgs["kruix"], clock, 3)
    result = send(clock, port)
    assert (result.sent, result.retried, result.failed) == (2, 0, 1)
    assert len(handler.sessions) == 1  # smtplib reset the session; the next row went on
    assert statuses() == {
        "persoon0@example.org": "sent",
        "persoon1@example.org": "failed",
        "persoon2@example.org": "sent",
    }
    row = db.session.execute(
        select(Delivery).where(Delivery.status == Status.FAILED.value)
    ).scalar_one()
    assert row.attempts == 1
    assert row.last_error == f"refused permanently: {answer}"  # on the row, for the FG
    # Never tried again, however long one waits.
    clock.advance(hours=2)
    assert send(clock, port).sent == 0
    assert handler.received_by().count("persoon1@example.org") == 0
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "delivery.failed")
    ).scalar_one()
    code = int(answer[:3])
    assert event.after == {
        "delivery": row.id,
        "kind": "people_notice",
        "label": "m1",
        "attempts": 1,
        "code": code,
    }
    recorded = json.dumps([event.before, event.after, event.entity_id, event.entity_type])
    assert "@" not in recorded and "persoon" not in recorded


def attempts() -> dict[str, int]:
    rows = db.session.execute(select(Delivery).execution_options(populate_existing=True))
    return {row.payload["to"]: row.attempts for row in rows.scalars()}


def test_a_sender_refused_for_good_stops_the_bulk_rows_and_is_tried_again(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, sink: tuple[Sink, int]
) -> None:
    """Refusing our sender address says nothing about the person: every other message would
    be refused too. The row is tried again (never failed for good), and the others wait
    without spending an attempt."""
    handler, port = sink
    handler.answers[("MAIL", "bd@kruix.nl")] = ["553 5.7.1 Sender address rejected"] * 2
    plan(orgs["kruix"], clock, 3)
    result = send(clock, port)
    assert (result.sent, result.retried, result.failed) == (0, 1, 0)
    assert set(statuses().values()) == {"planned"}
    assert attempts() == {f"persoon{n}@example.org": int(n == 0) for n in range(3)}
    row = db.session.execute(select(Delivery).where(Delivery.attempts == 1)).scalar_one()
    assert row.last_error == "553 5.7.1 Sender address rejected"
    assert send(clock, port).retried == 1  # the next tick tries one row, not all of them
    clock.advance(minutes=2)
    assert send(clock, port).sent == 3  # the sender is accepted again
    assert sorted(handler.received_by()) == [f"persoon{n}@example.org" for n in range(3)]


def test_a_sender_refused_for_good_fails_a_mail_that_is_not_bulk_at_once(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    handler.answers[("MAIL", "bd@kruix.nl")] = ["553 5.7.1 Sender address rejected"]
    plan(orgs["kruix"], clock, 2, kind=Kind.NEW_REPORT)
    result = send(clock, port)
    assert (result.sent, result.failed) == (1, 1)
    assert statuses() == {"persoon0@example.org": "failed", "persoon1@example.org": "sent"}
    row = db.session.execute(select(Delivery).where(Delivery.status == "failed")).scalar_one()
    assert row.last_error == "refused permanently: 553 5.7.1 Sender address rejected"


def test_a_permanent_refusal_of_a_mail_that_is_not_bulk_keeps_the_error_in_the_audit(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    handler.answers[("RCPT", "persoon0@example.org")] = ["550 5.1.1 User unknown"]
    plan(orgs["kruix"], clock, 1, kind=Kind.NEW_REPORT)
    assert send(clock, port).failed == 1
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "delivery.failed")
    ).scalar_one()
    assert event.after["code"] == 550
    assert event.after["error"] == "refused permanently: 550 5.1.1 User unknown"


def test_a_refusal_for_now_on_data_is_tried_again(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    handler.answers[("DATA", "persoon0@example.org")] = ["451 4.3.0 Try again later"] * 2
    plan(orgs["kruix"], clock, 1)
    assert send(clock, port).retried == 1
    clock.advance(minutes=1)
    assert send(clock, port).retried == 1
    clock.advance(minutes=2)
    assert send(clock, port).sent == 1
    assert handler.received_by() == ["persoon0@example.org"]


def hold(*rows: Delivery) -> None:
    db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_([r.id for r in rows]))
        .values(status=Status.HELD.value)
    )
    db.session.commit()


def test_held_rows_are_never_sent_until_they_are_planned_again(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    rows = plan(orgs["kruix"], clock, 4)
    hold(rows[1], rows[3])
    clock.advance(days=3)  # long overdue
    result = send(clock, port)
    assert (result.sent, result.retried, result.failed, result.cancelled) == (2, 0, 0, 0)
    assert sorted(handler.received_by()) == ["persoon0@example.org", "persoon2@example.org"]
    held = [r for r in rows if statuses()[r.payload["to"]] == "held"]
    assert held == [rows[1], rows[3]] and all(r.attempts == 0 for r in held)
    assert send(clock, port).sent == 0

    db.session.execute(
        update(Delivery).where(Delivery.status == "held").values(status=Status.PLANNED.value)
    )  # resumed
    db.session.commit()
    assert send(clock, port).sent == 2
    assert sorted(handler.received_by()) == [f"persoon{n}@example.org" for n in range(4)]


def test_claim_due_never_claims_a_held_row(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    rows = plan(orgs["kruix"], clock, 3)
    hold(rows[0])
    clock.advance(days=30)
    claimed = delivery.claim_due(db.session, clock.now(), holder="a", limit=10, bulk_limit=10)
    assert {r.id for r in claimed} == {rows[1].id, rows[2].id}
    # Nor with the claims that are taken over: this scheduler's earlier ones, or another's
    # stale ones.
    again = delivery.claim_due(db.session, clock.now(), holder="a", limit=10)
    assert {r.id for r in again} == {rows[1].id, rows[2].id}
    clock.advance(seconds=1)
    other = delivery.claim_due(
        db.session, clock.now(), holder="b", limit=10, claim_timeout=timedelta(0)
    )
    assert {r.id for r in other} == {rows[1].id, rows[2].id}
    assert statuses()["persoon0@example.org"] == "held"


def test_a_session_the_server_drops_mid_batch_is_opened_again_by_the_next_tick(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    handler.hang_up_after = 5  # the sixth message finds the session gone
    plan(orgs["kruix"], clock, 20)
    result = send(clock, port)
    assert (result.sent, result.retried, result.failed) == (5, 1, 0)
    assert attempts()["persoon5@example.org"] == 1
    assert sum(1 for status in statuses().values() if status == "planned") == 15
    assert send(clock, port).sent == 14  # handed back unsent: due at once, on a new session
    assert len(handler.sessions) == 2
    (retried,) = [to for to, status in statuses().items() if status == "planned"]
    assert retried == "persoon5@example.org"
    clock.advance(minutes=1)
    assert send(clock, port).sent == 1
    assert sorted(handler.received_by()) == sorted(f"persoon{n}@example.org" for n in range(20))


def test_a_server_that_is_down_costs_one_attempt_per_tick_not_one_per_person(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    port = free_port()  # nothing listens
    plan(orgs["kruix"], clock, 7)
    plan(orgs["kruix"], clock, 1, kind=Kind.NEW_REPORT)
    result = send(clock, port, bulk_batch_size=3)
    assert (result.sent, result.retried) == (0, 2)  # the urgent row and one person
    tried = db.session.execute(
        select(Delivery.kind, func.sum(Delivery.attempts)).group_by(Delivery.kind)
    ).all()
    assert dict(tried) == {"new_report": 1, "people_notice": 1}
    assert set(statuses().values()) == {"planned"}
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clock.advance(minutes=1)
        assert send(clock, port).sent == 8
    finally:
        controller.stop()
    assert len(handler.sessions) == 1


def test_urgent_rows_go_before_a_bulk_batch_and_a_bulk_batch_is_larger(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    plan(orgs["kruix"], clock, 30)
    urgent = plan(orgs["kruix"], clock, 2, kind=Kind.NEW_REPORT)
    first = delivery.claim_due(db.session, clock.now(), holder="a", limit=5, bulk_limit=25)
    assert [r.id for r in first][:2] == [r.id for r in urgent] and len(first) == 5
    second = delivery.claim_due(
        db.session, clock.now(), holder="a", mine=[first[0].claim_token or ""], limit=5,
        bulk_limit=25,
    )  # fmt: skip
    assert len(second) == 25 and {r.kind for r in second} == {"people_notice"}


def test_a_long_bulk_batch_makes_way_for_rows_that_fall_due_meanwhile(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    plan(orgs["kruix"], clock, 10)
    order: list[str] = []

    class SlowMailer:
        """Each message takes 20 s; during the third an urgent row falls due."""

        def send(self, message: EmailMessage) -> Receipt:
            order.append(str(message["Subject"])[:4])
            clock.advance(seconds=20)
            if len(order) == 3:
                plan(orgs["kruix"], clock, 1, kind=Kind.NEW_REPORT)
            return Receipt(reply="250 OK")

    table = {**HANDLERS, Kind.NEW_REPORT.value: _urgent_handler}
    result = delivery.tick(
        db.session,
        holder="tests",
        clock=clock,
        mailer=SlowMailer(),  # type: ignore[arg-type]
        handlers=table,
        settings=delivery.DeliverySettings(mail_from="bd@kruix.nl", base_url="http://bd.test"),
    )
    assert result.sent == 11 and not result.lost_lease
    # lease/3 = 30 s: a bulk batch makes way after every second message (40 s). The urgent row
    # fell due during the third, so the claim after the fourth took it first.
    assert order.index("URGE") == 4, order  # without making way it would be the last


def _urgent_handler(session: object, row: Delivery, context: SendContext) -> Outgoing:
    return Outgoing(recipients=["fg@kruix.nl"], subject="URGENT", text="t")
