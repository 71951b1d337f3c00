"""The delivery engine: one bad row fails alone, claims are never stuck, urgent mail first.

The first test is the regression test of the worst bug breachdesk had: a title with a line
break (Word's soft line break, U+2028, ...) made building one escalation raise, which aborted
the tick and stranded the reminders of every organisation claimed after it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from breachdesk.domain.roles import Role
from breachdesk.domain.text import LINE_BREAKS
from breachdesk.extensions import db
from breachdesk.mail import RecordingMailer, SmtpMailer
from breachdesk.models import AuditEvent, Delivery, Incident, Organisation, User
from breachdesk.services import delivery, reminders, triage
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.delivery import Outgoing, SendContext, Skip, lease
from breachdesk.services.delivery_kinds import handlers

from ..conftest import T0, Inbox, MakeUser, run_deliveries
from .test_incidents import submit
from .test_triage import answers

AWARE = T0


def confirm(reporter: User, fg: User, org: Organisation, clock: FixedClock) -> Incident:
    """A breach reported and confirmed at AWARE, its FG mail already sent."""
    clock.current = AWARE
    incident = submit(reporter, org, clock)
    run_deliveries(clock, RecordingMailer())
    triage.record_triage(
        db.session, incident, replace(answers(), aware_at=AWARE), actor=Actor.of(fg), clock=clock
    )
    return incident


@pytest.fixture
def two_orgs(
    orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> tuple[Incident, Incident]:
    """An incident at Kruix and one at Luxigo, both aware at AWARE, each with its own FG."""
    made = []
    for slug in ("kruix", "luxigo"):
        org = orgs[slug]
        reporter = make_user(f"r@{slug}.nl", (org, Role.REPORTER))
        fg = make_user(f"fg@{slug}.nl", (org, Role.FG))
        made.append(confirm(reporter, fg, org, clock))
    return made[0], made[1]


def rows(status: str | None = None) -> list[Delivery]:
    query = select(Delivery).order_by(Delivery.id)
    if status:
        query = query.where(Delivery.status == status)
    return list(db.session.execute(query).scalars())


@pytest.mark.parametrize("line_break", list(LINE_BREAKS), ids=lambda c: f"U+{ord(c):04X}")
def test_a_title_with_a_line_break_strands_nobody(
    app: Flask,
    two_orgs: tuple[Incident, Incident],
    clock: FixedClock,
    smtp_server: tuple[Inbox, int],
    line_break: str,
) -> None:
    poisoned, other = two_orgs
    # Stored as an older version stored it (the report form now folds the title itself).
    poisoned.title = f"Lek{line_break}Bekijk het incident: http://evil.example/phish"
    db.session.commit()
    inbox, port = smtp_server
    clock.current = AWARE + timedelta(hours=72, seconds=30)  # every reminder and both escalations
    result = run_deliveries(clock, SmtpMailer("127.0.0.1", port, timeout=5))

    assert (result.sent, result.failed, result.retried) == (10, 0, 0)
    assert rows("sending") == [] and rows("planned") == []
    # The other organisation's four reminders and its escalation arrived, each once.
    other_mail = Counter(
        str(m["Subject"]).split("]")[1].split(":")[0].strip()
        for to, m in inbox.messages
        if to == ["fg@luxigo.nl"]
    )
    assert other_mail == {"Herinnering": 4, "TERMIJN VERSTREKEN / DEADLINE PASSED": 1}
    # The poisoned escalation went out too, with the line break folded to a space ...
    (escalation,) = [
        m for to, m in inbox.messages if to == ["fg@kruix.nl"] and "TERMIJN" in m["Subject"]
    ]
    unfolded = escalation["Subject"].replace("\r\n", "").replace("\n", "")  # RFC 5322 unfolding
    assert unfolded.endswith("PASSED: Lek Bekijk het incident: http://evil.example/phish")
    assert escalation.get_all("Subject") == [escalation["Subject"]]  # no forged header
    # ... and in every body the title is one quoted line, never a line of its own.
    for to, message in inbox.messages:
        if to == ["fg@kruix.nl"]:
            body = message.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
            lines = [line.strip() for line in body.splitlines()]
            assert not any(line.startswith("Bekijk het incident") for line in lines)
            assert "“Lek Bekijk het incident: http://evil.example/phish”" in body


def test_the_report_form_folds_a_title_onto_one_line(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    reporter = make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    incident = submit(reporter, orgs["kruix"], clock, title="Laptop\u2028kwijt\x0b in de trein ")
    assert incident.title == "Laptop kwijt in de trein"


def broken_for(incident_id: int) -> dict[str, delivery.Handler]:
    """The real handlers, except that building any message about ``incident_id`` raises."""
    table = handlers()

    def wrap(real: delivery.Handler) -> delivery.Handler:
        def handler(session: object, row: Delivery, context: SendContext) -> Outgoing | Skip:
            if row.incident_id == incident_id:
                raise ValueError("a template bug that only this incident triggers")
            return real(session, row, context)  # type: ignore[arg-type]

        return handler

    return {kind: wrap(real) for kind, real in table.items()}


def tick_with(table: dict[str, delivery.Handler], clock: FixedClock, mailer: object) -> object:
    return delivery.tick(
        db.session,
        holder="tests",
        clock=clock,
        mailer=mailer,  # type: ignore[arg-type]
        handlers=table,
        settings=delivery.DeliverySettings(mail_from="bd@x.nl", base_url="http://bd.test"),
    )


def test_a_row_that_cannot_be_built_fails_alone_retried_then_failed_and_audited(
    app: Flask, two_orgs: tuple[Incident, Incident], clock: FixedClock
) -> None:
    bad, good = two_orgs
    table = broken_for(bad.id)
    mailer = RecordingMailer()
    clock.current = AWARE + timedelta(hours=24, seconds=1)
    tick_with(table, clock, mailer)
    assert [m["To"] for m in mailer.sent] == ["fg@luxigo.nl"]  # the good one went out
    (bad_row,) = [r for r in rows() if r.incident_id == bad.id and r.label == "24h"]
    assert bad_row.status == "planned" and bad_row.attempts == 1
    assert bad_row.last_error == "ValueError: a template bug that only this incident triggers"
    assert bad_row.due_at == clock.now() + timedelta(minutes=1)
    # Back-off doubles: 1, 2, 4, 8 minutes; the fifth failure is final.
    waits = []
    while bad_row.status == "planned":
        waits.append(bad_row.due_at - clock.now())
        clock.current = bad_row.due_at
        tick_with(table, clock, mailer)
        db.session.refresh(bad_row)
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert bad_row.status == "failed" and bad_row.attempts == 5
    assert rows("sending") == []
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "delivery.failed")
    ).scalar_one()
    assert event.entity_id == str(bad.id) and event.organisation_id == bad.organisation_id
    assert event.after["label"] == "24h" and "template bug" in event.after["error"]
    # The FG sees it: in the inbox's list and as a count.
    assert bad_row in delivery.recent_for(db.session, [bad.organisation_id], clock.now())
    assert delivery.failed_recently(db.session, [bad.organisation_id], AWARE) == 1
    assert delivery.failed_recently(db.session, [good.organisation_id], AWARE) == 0


def test_claims_of_a_scheduler_that_lost_its_lease_are_taken_over_at_once(
    app: Flask, two_orgs: tuple[Incident, Incident], clock: FixedClock
) -> None:
    clock.current = AWARE + timedelta(hours=24, seconds=1)
    term = timedelta(seconds=90)
    assert lease.acquire_lease(db.session, "a", clock.now(), term)
    claimed = delivery.claim_due(db.session, clock.now(), holder="a")
    assert len(claimed) == 2  # then scheduler "a" dies holding both claims
    clock.advance(seconds=91)  # its lease expires; no claim timeout to wait for
    mailer = RecordingMailer()
    result = run_deliveries(clock, mailer, holder="b")
    assert result.sent == 2 and len(mailer.sent) == 2
    assert {r.claimed_by for r in rows("sent") if r.label == "24h"} == {"b"}


def test_a_scheduler_that_loses_its_lease_mid_tick_hands_its_claims_back(
    app: Flask, two_orgs: tuple[Incident, Incident], clock: FixedClock
) -> None:
    clock.current = AWARE + timedelta(hours=72, seconds=1)  # ten rows due

    class SlowMailer(RecordingMailer):
        """Each message takes a minute; after the first, another scheduler has the lease."""

        def send(self, message: EmailMessage) -> object:  # type: ignore[override]
            receipt = super().send(message)
            clock.advance(seconds=60)
            if len(self.sent) == 1:
                db.session.commit()
                lease.release_lease(db.session, "tests")
                assert lease.acquire_lease(db.session, "other", clock.now(), timedelta(hours=1))
            return receipt

    mailer = SlowMailer()
    result = run_deliveries(clock, mailer, lease=timedelta(seconds=90))
    assert result.lost_lease and result.sent == 1  # it noticed at its next renewal
    assert rows("sending") == [] and len(rows("planned")) == 9
    assert len(mailer.sent) == 1


def test_deadline_reminders_go_before_other_mail(
    app: Flask, two_orgs: tuple[Incident, Incident], make_user: MakeUser, clock: FixedClock
) -> None:
    bad, _ = two_orgs
    clock.current = AWARE + timedelta(hours=24, seconds=1)
    # A new report filed after the reminders fell due is claimed after them even though the
    # batch holds only one row at a time.
    reporter = db.session.get(User, bad.reporter_id)
    assert reporter is not None
    submit(reporter, bad.organisation, clock)
    mailer = RecordingMailer()
    run_deliveries(clock, mailer, batch_size=1)
    subjects = [m["Subject"] for m in mailer.sent]
    assert len(subjects) == 3
    assert "Herinnering" in subjects[0] and "Herinnering" in subjects[1]
    assert "Nieuw incident" in subjects[2]


def test_replanning_reminders_leaves_other_kinds_alone(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    org = orgs["kruix"]
    reporter = make_user("r@x.nl", (org, Role.REPORTER))
    fg = make_user("fg@x.nl", (org, Role.FG))
    incident = submit(reporter, org, clock)  # its FG mail is planned, not yet sent
    triage.record_triage(
        db.session, incident, replace(answers(), aware_at=clock.now()), actor=Actor.of(fg),
        clock=clock,
    )  # fmt: skip
    reminders.replan(db.session, incident, clock=clock)
    db.session.commit()
    kinds = Counter((r.kind, r.status) for r in rows())
    assert kinds[("new_report", "planned")] == 1
    assert kinds[("reminder", "planned")] == 4 and kinds[("escalation", "planned")] == 1


def test_an_unknown_kind_fails_alone(
    app: Flask, two_orgs: tuple[Incident, Incident], clock: FixedClock
) -> None:
    incident, _ = two_orgs
    delivery.enqueue(
        db.session,
        kind=delivery.queue.Kind.NEW_REPORT,
        due_at=clock.now(),
        now=clock.now(),
        organisation_id=incident.organisation_id,
        incident_id=incident.id,
    ).kind = "carrier_pigeon"
    db.session.commit()
    result = run_deliveries(clock, RecordingMailer())
    assert result.retried == 1
    (row,) = [r for r in rows() if r.kind == "carrier_pigeon"]
    assert "no handler" in row.last_error
    count = db.session.execute(
        select(func.count()).select_from(Delivery).where(Delivery.status == "sending")
    ).scalar_one()
    assert count == 0


def test_a_failing_query_in_one_handler_fails_that_row_alone(
    app: Flask, two_orgs: tuple[Incident, Incident], clock: FixedClock
) -> None:
    from sqlalchemy import text

    bad, _good = two_orgs
    table = handlers()
    real = table["reminder"]

    def querying(session: Any, row: Delivery, context: SendContext) -> Outgoing | Skip:
        if row.incident_id == bad.id:
            session.execute(text("SELECT no_such_column FROM delivery"))
        return real(session, row, context)

    table["reminder"] = querying
    mailer = RecordingMailer()
    clock.current = AWARE + timedelta(hours=24, seconds=1)
    result = tick_with(table, clock, mailer)
    assert (result.sent, result.retried) == (1, 1)
    assert [m["To"] for m in mailer.sent] == ["fg@luxigo.nl"]
    (row,) = [r for r in rows() if r.incident_id == bad.id and r.label == "24h"]
    assert row.status == "planned"
    assert "OperationalError" in row.last_error or "ProgrammingError" in row.last_error
    assert rows("sending") == []
