"""Webhook calls through the one delivery engine, to a real HTTPS receiver on 127.0.0.1.

The app trusts the receiver's self-signed certificate (WEBHOOK_CA_BUNDLE) and allowlists
loopback (WEBHOOK_ALLOWED_HOSTS); the SSRF tests use a transport without that allowlist.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from breachdesk.domain.delivery import Kind
from breachdesk.domain.prefill import prefill
from breachdesk.domain.roles import Role
from breachdesk.domain.webhooks import (
    SIGNATURE_HEADER,
    EventType,
    TargetPolicy,
    WebhookError,
    verify_signature,
)
from breachdesk.extensions import db
from breachdesk.mail import RecordingMailer
from breachdesk.models import AuditEvent, Decision, Delivery, Incident, Organisation, User
from breachdesk.services import decisions, delivery, filings, health, triage, webhooks
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.delivery import WebhookTransport
from breachdesk.services.organisations import profile_of
from breachdesk.services.report_columns import report_of

from ..conftest import TEST_ACTOR, MakeUser, free_port, run_deliveries
from ..webhook_receiver import Receiver, run_receiver
from .test_incidents import submit
from .test_triage import CONFIDENTIALITY, answers

ALL = [e.value for e in EventType if e is not EventType.TEST]


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    yield from run_receiver(tmp_path)


@pytest.fixture
def app_config(receiver: Receiver) -> dict[str, Any]:
    return {
        "WEBHOOK_CA_BUNDLE": str(receiver.ca_file),
        "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1"],
        "WEBHOOK_TIMEOUT_SECONDS": 2,
    }


def transport(app: Flask) -> WebhookTransport:
    return app.extensions["breachdesk"].webhooks  # type: ignore[no-any-return]


def register(
    app: Flask, org: Organisation, url: str, events: list[str] | None = None
) -> webhooks.WithSecret:
    rt = app.extensions["breachdesk"]
    data = webhooks.EndpointInput(url, "SIEM", events or ALL, True)
    return webhooks.create(
        db.session, org, data, check=rt.webhooks, vault=rt.vault, actor=TEST_ACTOR, clock=rt.clock
    )


def tick(app: Flask, clock: FixedClock, via: WebhookTransport | None = None) -> Any:
    return run_deliveries(clock, RecordingMailer(), webhooks=via or transport(app))


def webhook_rows() -> list[Delivery]:
    return list(
        db.session.execute(
            select(Delivery).where(Delivery.kind == Kind.WEBHOOK.value).order_by(Delivery.id)
        ).scalars()
    )


@pytest.fixture
def reporter(orgs: dict[str, Organisation], make_user: MakeUser) -> User:
    return make_user("r@kruix.nl", (orgs["kruix"], Role.REPORTER), name="Rianne Reporter")


def test_a_report_is_delivered_once_signed_with_the_endpoint_secret(
    app: Flask,
    orgs: dict[str, Organisation],
    reporter: User,
    clock: FixedClock,
    receiver: Receiver,
) -> None:
    made = register(app, orgs["kruix"], receiver.url())
    incident = submit(reporter, orgs["kruix"], clock)
    (row,) = webhook_rows()
    assert row.label == "report.received" and row.status == "planned"

    result = tick(app, clock)
    assert result.sent >= 1 and result.failed == 0
    (call,) = receiver.received
    db.session.refresh(row)
    assert row.status == "sent" and row.attempts == 1
    assert row.server_reply.startswith("HTTP 200 from 127.0.0.1")
    assert row.message_id == f"dlv_{row.id}" and row.recipients == [receiver.url()]

    # The receiver verifies the signature with the secret it was shown once.
    header = call.headers[SIGNATURE_HEADER]
    stamp = int(header.split(",")[0].removeprefix("t="))
    assert verify_signature(made.secret.encode(), header, call.body, now=stamp + 10)
    assert not verify_signature(b"another secret", header, call.body, now=stamp)
    assert not verify_signature(made.secret.encode(), header, call.body + b" ", now=stamp)
    assert not verify_signature(made.secret.encode(), header, call.body, now=stamp + 301)
    assert call.headers["Breachdesk-Event"] == "report.received"
    assert call.headers["Breachdesk-Delivery"] == f"dlv_{row.id}"

    body = json.loads(call.body)
    assert set(body) == {"id", "type", "occurred_at", "organisation", "incident", "data"}
    assert body["organisation"] == "kruix" and body["type"] == "report.received"
    assert body["incident"] == {
        "id": incident.id,
        "reference": incident.reference,
        "url": f"http://bd.test/incidents/{incident.id}",
    }
    assert body["occurred_at"] == "2026-11-19T10:00:00Z"
    assert "Rianne" not in call.body.decode() and incident.title not in call.body.decode()
    assert row.content_sha256 and call.headers["Content-Type"].startswith("application/json")
    # The secret is not stored in clear.
    assert made.secret not in made.endpoint.secret_sealed

    tick(app, clock)
    assert len(receiver.received) == 1  # sent once


def test_a_500_is_retried_with_back_off_then_delivered(
    app: Flask,
    orgs: dict[str, Organisation],
    reporter: User,
    clock: FixedClock,
    receiver: Receiver,
) -> None:
    made = register(app, orgs["kruix"], receiver.url())
    submit(reporter, orgs["kruix"], clock)
    receiver.statuses = [500]
    tick(app, clock)
    (row,) = webhook_rows()
    assert row.status == "planned" and row.attempts == 1
    assert row.last_error == "HTTP 500: receiver says no"
    assert row.due_at == clock.now() + timedelta(minutes=1)

    tick(app, clock)
    assert len(receiver.received) == 1  # not before its time
    clock.advance(seconds=61)
    tick(app, clock)
    db.session.refresh(row)
    assert row.status == "sent" and row.attempts == 2
    first, second = receiver.received
    assert first.body == second.body  # the same event, byte for byte
    assert first.headers["Breachdesk-Delivery"] == second.headers["Breachdesk-Delivery"]
    assert first.headers[SIGNATURE_HEADER] != second.headers[SIGNATURE_HEADER]  # a fresh stamp
    stamp = int(second.headers[SIGNATURE_HEADER].split(",")[0][2:])
    assert stamp == int(clock.now().timestamp())
    assert verify_signature(
        made.secret.encode(), second.headers[SIGNATURE_HEADER], second.body, stamp
    )


@pytest.mark.parametrize(
    ("status", "permanent"), [(404, True), (410, True), (302, True), (429, False), (408, False)]
)
def test_4xx_and_redirects_fail_at_once_but_408_and_429_are_retried(
    app: Flask,
    orgs: dict[str, Organisation],
    reporter: User,
    clock: FixedClock,
    receiver: Receiver,
    status: int,
    permanent: bool,
) -> None:
    register(app, orgs["kruix"], receiver.url())
    submit(reporter, orgs["kruix"], clock)
    receiver.statuses = [status]
    tick(app, clock)
    (row,) = webhook_rows()
    assert len(receiver.received) == 1  # a redirect is not followed
    if permanent:
        assert row.status == "failed" and row.attempts == 1
        failed = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "webhook.failed")
        ).scalar_one()
        assert failed.after["code"] == status and "error" not in failed.after
        # The FG's banner counts failed e-mails; the webhook log shows failed calls.
        kruix = [orgs["kruix"].id]
        assert delivery.failed_recently(db.session, kruix, clock.now() - timedelta(days=7)) == 0
        shown = health.page_health(
            db.session,
            backend="smtp",
            now=clock.now(),
            interval=timedelta(minutes=1),
            organisation_ids=kruix,
            since=clock.now() - timedelta(days=7),
        )
        assert shown.failed == 0
    else:
        assert row.status == "planned" and f"HTTP {status}" in row.last_error


def test_one_bad_endpoint_does_not_stop_the_others(
    app: Flask,
    orgs: dict[str, Organisation],
    reporter: User,
    clock: FixedClock,
    receiver: Receiver,
) -> None:
    register(app, orgs["kruix"], f"https://127.0.0.1:{free_port()}/nobody-listens")
    register(app, orgs["kruix"], receiver.url("/slow"))
    register(app, orgs["kruix"], receiver.url("/fine"))
    submit(reporter, orgs["kruix"], clock)
    receiver.delays["/slow"] = 3.0  # longer than WEBHOOK_TIMEOUT_SECONDS (2)
    result = tick(app, clock)
    refused, timed_out, fine = webhook_rows()
    assert fine.status == "sent"
    assert refused.status == "planned" and "refused" in refused.last_error.lower()
    assert timed_out.status == "planned" and "timed out" in timed_out.last_error.lower()
    assert result.failed == 0 and result.sent == 1  # (the FG mail has no FG here: retried)


def test_targets_must_be_https_and_public_when_not_allowlisted(
    app: Flask, orgs: dict[str, Organisation], receiver: Receiver
) -> None:
    strict = WebhookTransport(policy=TargetPolicy(), vault=app.extensions["breachdesk"].vault)
    refused = {
        "http://example.org/hooks": "Only https://",
        "https://127.0.0.1/hooks": "127.0.0.1",
        "https://10.1.2.3/hooks": "10.1.2.3",
        "https://169.254.169.254/latest/meta-data": "169.254.169.254",
        "https://[::1]:8443/hooks": "::1",
        "https://[::ffff:127.0.0.1]/hooks": "127.0.0.1",
        "https://0.0.0.0/hooks": "0.0.0.0",  # noqa: S104 - the address refused
        "https://224.0.0.1/hooks": "224.0.0.1",
        "https://localhost/hooks": "localhost points to a private or local address",
        "https://user:pw@example.org/hooks": "user name or password",
    }
    for url, why in refused.items():
        with pytest.raises(WebhookError, match=why.replace(".", r"\.").replace("/", "/")):
            strict.check(url)
        data = webhooks.EndpointInput(url, "", ALL, True)
        with pytest.raises(WebhookError):
            webhooks.create(
                db.session,
                orgs["kruix"],
                data,
                check=strict,
                vault=strict.vault,
                actor=TEST_ACTOR,
                clock=app.extensions["breachdesk"].clock,
            )
    assert webhooks.endpoints_of(db.session, orgs["kruix"]) == []
    # A public address passes (checked without a network: a resolver that answers it).
    public = WebhookTransport(
        policy=TargetPolicy(), vault=strict.vault, resolver=lambda host, port: ["93.184.215.14"]
    )
    assert public.check("https://example.org/hooks")[0].host == "example.org"
    # A name resolving to one public and one private address is refused.
    mixed = WebhookTransport(
        policy=TargetPolicy(),
        vault=strict.vault,
        resolver=lambda host, port: ["93.184.215.14", "192.168.1.10"],
    )
    with pytest.raises(WebhookError, match="192.168.1.10"):
        mixed.check("https://example.org/hooks")
    # The allowlist lets a network or a host through, never plain http.
    allowing = WebhookTransport(
        policy=TargetPolicy.from_settings("10.0.0.0/8, localhost", False), vault=strict.vault
    )
    allowing.check("https://10.1.2.3/hooks")
    allowing.check("https://localhost/hooks")
    with pytest.raises(WebhookError, match="https"):
        allowing.check("http://10.1.2.3/hooks")


def test_the_target_is_checked_again_when_sending(
    app: Flask,
    orgs: dict[str, Organisation],
    reporter: User,
    clock: FixedClock,
    receiver: Receiver,
) -> None:
    register(app, orgs["kruix"], receiver.url())  # allowed when registered
    submit(reporter, orgs["kruix"], clock)
    strict = WebhookTransport(policy=TargetPolicy(), vault=app.extensions["breachdesk"].vault)
    tick(app, clock, strict)  # the allowlist was removed since
    (row,) = webhook_rows()
    assert receiver.received == []
    assert row.status == "failed" and "private or local address (127.0.0.1)" in row.last_error


def assessed(
    orgs: dict[str, Organisation], reporter: User, fg: User, clock: FixedClock
) -> Incident:
    """A confirmed breach (aware two hours before T0) whose checklist is confirmed."""
    incident = submit(reporter, orgs["kruix"], clock)
    triage.record_triage(db.session, incident, answers(), actor=Actor.of(fg), clock=clock)
    facts = prefill(report_of(incident), profile_of(incident.organisation), CONFIDENTIALITY)
    decisions.save_checklist(
        db.session, incident, facts, confirm=True, actor=Actor.of(fg), clock=clock
    )
    return incident


def test_a_rolled_back_decision_enqueues_nothing(
    app: Flask,
    orgs: dict[str, Organisation],
    reporter: User,
    make_user: MakeUser,
    clock: FixedClock,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fg = make_user("fg@kruix.nl", (orgs["kruix"], Role.FG))
    register(app, orgs["kruix"], receiver.url(), [EventType.DECISION_RECORDED.value])
    incident = assessed(orgs, reporter, fg, clock)
    original_commit = db.session.commit
    written: list[str] = []

    def failing_commit() -> None:
        db.session.flush()  # the row was written in the decision's transaction ...
        written.extend(r.label for r in webhook_rows())
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(db.session, "commit", failing_commit)
    with pytest.raises(OperationalError):
        decisions.record_decision(
            db.session, incident, outcome=None, rationale="", actor=Actor.of(fg), clock=clock
        )
    db.session.rollback()
    monkeypatch.setattr(db.session, "commit", original_commit)
    assert written == ["decision.recorded"]
    assert webhook_rows() == []  # ... and went with it, as did the decision
    assert db.session.execute(select(Decision)).first() is None

    decision = decisions.record_decision(
        db.session, incident, outcome=None, rationale="", actor=Actor.of(fg), clock=clock
    )
    (row,) = webhook_rows()
    tick(app, clock)
    (call,) = receiver.received
    body = json.loads(call.body)
    assert body["type"] == "decision.recorded" and body["data"]["version"] == 1
    assert body["data"]["outcome"] == decision.outcome
    assert "rationale" not in body["data"]


def test_the_deadline_events_are_planned_with_the_term_and_cancelled_when_filed(
    app: Flask,
    orgs: dict[str, Organisation],
    reporter: User,
    make_user: MakeUser,
    clock: FixedClock,
    receiver: Receiver,
) -> None:
    fg = make_user("fg@kruix.nl", (orgs["kruix"], Role.FG))
    register(app, orgs["kruix"], receiver.url(), ALL)
    incident = assessed(orgs, reporter, fg, clock)
    deadline = incident.aware_at + timedelta(hours=72)  # type: ignore[operator]
    planned = {(r.label, r.planned_due_at) for r in webhook_rows() if r.status == "planned"}
    assert planned == {
        ("report.received", clock.now()),
        ("deadline.due_soon", deadline - timedelta(hours=24)),
        ("deadline.overdue", deadline),
    }
    tick(app, clock)  # the report
    clock.current = deadline - timedelta(hours=24) + timedelta(seconds=5)
    tick(app, clock)
    assert [c.headers["Breachdesk-Event"] for c in receiver.received] == [
        "report.received",
        "deadline.due_soon",
    ]
    due_soon = json.loads(receiver.received[1].body)
    assert due_soon["data"] == {"deadline_at": "2026-11-22T08:00:00Z", "duty": "ap"}
    # Filed with the AP: the overdue event is cancelled, the filing is an event of its own.
    filings.record_notification(
        db.session, incident, submitted_at=clock.now(), reference="AP-2026-77",
        provisional=True, delay_reason="", notes="Gebeld met Jan Jansen", recorded_by=fg,
        actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    clock.current = deadline + timedelta(minutes=1)
    tick(app, clock)
    overdue = [r for r in webhook_rows() if r.label == "deadline.overdue"]
    assert [(r.status, r.cancel_reason) for r in overdue] == [("cancelled", "not_needed")]
    filed = json.loads(receiver.received[-1].body)
    assert filed["type"] == "ap.filed" and filed["data"]["ap_reference"] == "AP-2026-77"
    assert "Jansen" not in receiver.received[-1].body.decode()
    assert len(receiver.received) == 3


def test_an_endpoint_added_during_a_running_term_hears_of_its_deadline(
    app: Flask,
    orgs: dict[str, Organisation],
    reporter: User,
    make_user: MakeUser,
    clock: FixedClock,
    receiver: Receiver,
) -> None:
    fg = make_user("fg@kruix.nl", (orgs["kruix"], Role.FG))
    incident = assessed(orgs, reporter, fg, clock)  # the term runs; no endpoint yet
    assert webhook_rows() == []
    deadline = incident.aware_at + timedelta(hours=72)  # type: ignore[operator]
    hook = register(app, orgs["kruix"], receiver.url(), [EventType.DEADLINE_OVERDUE.value])
    planned = [(r.label, r.planned_due_at, r.endpoint_id) for r in webhook_rows()]
    assert planned == [("deadline.overdue", deadline, hook.endpoint.id)]
    # Subscribing to "due soon" later plans that moment too, and nothing twice.
    rt = app.extensions["breachdesk"]
    both = [EventType.DEADLINE_DUE_SOON.value, EventType.DEADLINE_OVERDUE.value]
    webhooks.change(
        db.session,
        hook.endpoint,
        webhooks.EndpointInput(receiver.url(), "SIEM", both, True),
        check=rt.webhooks,
        actor=TEST_ACTOR,
        clock=clock,
    )
    assert sorted((r.label, r.planned_due_at) for r in webhook_rows()) == [
        ("deadline.due_soon", deadline - timedelta(hours=24)),
        ("deadline.overdue", deadline),
    ]
    clock.current = deadline + timedelta(seconds=30)
    tick(app, clock)
    assert [c.headers["Breachdesk-Event"] for c in receiver.received] == [
        "deadline.due_soon",
        "deadline.overdue",
    ]


def test_an_incident_left_unfiled_sends_overdue_at_the_deadline_once(
    app: Flask,
    orgs: dict[str, Organisation],
    reporter: User,
    make_user: MakeUser,
    clock: FixedClock,
    receiver: Receiver,
) -> None:
    fg = make_user("fg@kruix.nl", (orgs["kruix"], Role.FG))
    register(app, orgs["kruix"], receiver.url(), [EventType.DEADLINE_OVERDUE.value])
    incident = assessed(orgs, reporter, fg, clock)
    deadline = incident.aware_at + timedelta(hours=72)  # type: ignore[operator]
    clock.current = deadline - timedelta(seconds=1)
    tick(app, clock)
    assert receiver.received == []  # not before the deadline
    clock.current = deadline + timedelta(seconds=30)
    tick(app, clock)
    clock.advance(hours=1)
    decisions.record_decision(  # a later change re-plans: the overdue is not sent again
        db.session, incident, outcome=None, rationale="", actor=Actor.of(fg), clock=clock
    )
    tick(app, clock)
    (call,) = receiver.received
    body = json.loads(call.body)
    assert body["type"] == "deadline.overdue" and body["occurred_at"] == "2026-11-22T08:00:00Z"


def test_paused_deleted_and_unsubscribed_endpoints_get_nothing(
    app: Flask,
    orgs: dict[str, Organisation],
    reporter: User,
    clock: FixedClock,
    receiver: Receiver,
) -> None:
    kruix = orgs["kruix"]
    paused = register(app, kruix, receiver.url("/paused")).endpoint
    webhooks.change(
        db.session,
        paused,
        webhooks.EndpointInput(paused.url, "", ALL, False),
        check=transport(app),
        actor=TEST_ACTOR,
        clock=clock,
    )
    register(app, kruix, receiver.url("/decisions"), [EventType.DECISION_RECORDED.value])
    going = register(app, kruix, receiver.url("/going")).endpoint
    register(app, orgs["luxigo"], receiver.url("/other-organisation"))
    submit(reporter, kruix, clock)
    assert [r.endpoint_id for r in webhook_rows()] == [going.id]
    assert webhooks.delete(db.session, going, actor=Actor.system("tests"), clock=clock) == 1
    tick(app, clock)
    assert receiver.received == []
    actions = db.session.execute(
        select(AuditEvent.action).where(AuditEvent.entity_type == "webhook_endpoint")
    ).scalars()
    assert sorted(actions) == ["webhook.changed"] + ["webhook.created"] * 4 + ["webhook.deleted"]


def test_an_endpoint_can_be_paused_when_its_target_is_refused_now(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, receiver: Receiver
) -> None:
    endpoint = register(app, orgs["kruix"], receiver.url()).endpoint
    strict = WebhookTransport(policy=TargetPolicy(), vault=app.extensions["breachdesk"].vault)
    pause = webhooks.EndpointInput(receiver.url(), "", ALL, False)
    assert webhooks.change(db.session, endpoint, pause, check=strict, actor=TEST_ACTOR, clock=clock)
    assert not endpoint.active
    elsewhere = webhooks.EndpointInput(receiver.url("/other"), "", ALL, False)
    with pytest.raises(WebhookError, match="127.0.0.1"):
        webhooks.change(
            db.session, endpoint, elsewhere, check=strict, actor=TEST_ACTOR, clock=clock
        )


def test_a_deadline_moved_and_moved_back_is_told_again(
    app: Flask,
    orgs: dict[str, Organisation],
    reporter: User,
    make_user: MakeUser,
    clock: FixedClock,
    receiver: Receiver,
) -> None:
    """Found by exploratory testing: the awareness corrected a day later and back again left
    the receiver with the later deadline as its last word: the first deadline's event had
    been sent before, so it was not sent again. It is told again, under an id of its own (a
    receiver drops repeats by id)."""
    fg = make_user("fg@kruix.nl", (orgs["kruix"], Role.FG))
    register(app, orgs["kruix"], receiver.url(), [EventType.DEADLINE_OVERDUE.value])
    incident = assessed(orgs, reporter, fg, clock)
    first = incident.aware_at
    assert first is not None
    clock.current = first + timedelta(hours=200)  # both deadlines long past: due at once
    tick(app, clock)
    for moment in (first + timedelta(days=1), first):
        triage.record_awareness(
            db.session, incident, moment, "Gecorrigeerd na navraag.", actor=Actor.of(fg),
            clock=clock,
        )  # fmt: skip
        tick(app, clock)
    told = [json.loads(call.body) for call in receiver.received]
    deadlines = [event["data"]["deadline_at"] for event in told]
    assert deadlines == [
        (first + timedelta(hours=h)).astimezone(UTC).isoformat().replace("+00:00", "Z")
        for h in (72, 96, 72)
    ]
    assert len({event["id"] for event in told}) == 3
    tick(app, clock)
    assert len(receiver.received) == 3  # nothing twice
