"""Reminder rows follow the incident; the tick sends each due reminder once, late ones say so."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from sqlalchemy import func, select

from breachdesk.domain.assessment import Outcome
from breachdesk.domain.deadline import DeadlineStatus, Duty
from breachdesk.domain.lifecycle import State, TransitionRefused
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.mail import RecordingMailer
from breachdesk.models import AuditEvent, Delivery, Incident, Organisation, User
from breachdesk.services import closing, decisions, delivery, reminders, triage
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.deadlines import clock_of
from breachdesk.services.delivery import lease
from breachdesk.services.filings import NotificationError, record_notification
from breachdesk.services.workflow import TriageError

from ..conftest import T0, MakeUser, run_deliveries
from .test_incidents import submit
from .test_triage import answers

AWARE = T0 - timedelta(hours=2)
HOLDER = "test-scheduler"


@pytest.fixture
def people(orgs: dict[str, Organisation], make_user: MakeUser) -> tuple[User, User]:
    kruix = orgs["kruix"]
    return make_user("r@x.nl", (kruix, Role.REPORTER)), make_user("fg@x.nl", (kruix, Role.FG))


def confirmed(
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,
    **changes: object,
) -> Incident:
    reporter, fg = people
    incident = submit(reporter, orgs["kruix"], clock)
    run_tick(clock, RecordingMailer())  # the FG's mail about the new report goes out at once
    triage.record_triage(
        db.session, incident, replace(answers(), **changes), actor=Actor.of(fg), clock=clock
    )
    return incident


def planned(incident: Incident) -> list[tuple[str, timedelta]]:
    rows = db.session.execute(
        select(Delivery)
        .where(
            Delivery.incident_id == incident.id,
            Delivery.status == "planned",
            Delivery.kind.in_(["reminder", "escalation"]),
        )
        .order_by(Delivery.due_at)
    ).scalars()
    assert incident.aware_at is not None
    return [(r.label, r.due_at - incident.aware_at) for r in rows]


def run_tick(clock: FixedClock, mailer: object) -> delivery.TickResult:
    return run_deliveries(clock, mailer, holder=HOLDER)


def test_awareness_plans_the_default_reminders_and_a_correction_replans_them(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    incident = confirmed(orgs, people, clock)
    hours = [timedelta(hours=h) for h in (24, 48, 60, 70, 72)]
    assert planned(incident) == list(
        zip(["24h", "48h", "60h", "70h", "deadline"], hours, strict=True)
    )

    later = AWARE + timedelta(hours=1)
    triage.record_awareness(
        db.session, incident, later, "Pas na controle van de logbestanden zeker.",
        actor=Actor.of(people[1]), clock=clock,
    )  # fmt: skip
    assert planned(incident) == list(
        zip(["24h", "48h", "60h", "70h", "deadline"], hours, strict=True)
    )
    assert incident.aware_at == later
    cancelled = db.session.execute(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.status == "cancelled", Delivery.kind.in_(["reminder", "escalation"]))
    ).scalar_one()
    assert cancelled == 5


def test_a_due_reminder_is_sent_once_to_the_fg_and_deputy(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    orgs["kruix"].deputy_email = "plaatsvervanger@kruix.example"
    db.session.commit()
    incident = confirmed(orgs, people, clock)
    mailer = RecordingMailer()
    assert run_tick(clock, mailer).sent == 0  # nothing due yet

    clock.current = AWARE + timedelta(hours=24, seconds=30)
    result = run_tick(clock, mailer)
    assert (result.sent, result.late) == (1, 0)
    (message,) = mailer.sent
    assert message["To"] == "fg@x.nl, plaatsvervanger@kruix.example"
    assert incident.reference in message["Subject"] and "48 uur" not in message["Subject"]
    assert "nog 47 uur 59 min" in message["Subject"]
    assert run_tick(clock, mailer).sent == 0 and len(mailer.sent) == 1


def test_reminders_that_fell_due_while_down_are_sent_after_restart_and_say_so(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    incident = confirmed(orgs, people, clock)
    mailer = RecordingMailer()
    clock.current = AWARE + timedelta(hours=50)  # nothing ran between 24 h and 50 h
    result = run_tick(clock, mailer)
    assert (result.sent, result.late) == (2, 2)
    texts = [m.get_content() for m in mailer.sent]
    assert all("te laat verstuurd" in t and "this reminder is late" in t for t in texts)
    assert "Er loopt een termijn om het datalek te melden bij de Autoriteit" in texts[0]
    # From 48 h on the reminder lists what the AP form still needs and suggests notifying now.
    assert "Nog niet bekend" in texts[1] and "(approximate) number of records" in texts[1]
    assert "het (geschatte) aantal records" in texts[1]  # Dutch from the nl catalogue
    assert "notify provisionally now and supplement later" in texts[1]
    rows = db.session.execute(
        select(Delivery).where(Delivery.incident_id == incident.id, Delivery.status == "sent")
    ).scalars()
    assert sorted(r.label for r in rows if r.late) == ["24h", "48h"]


def test_escalation_at_the_deadline_goes_to_the_escalation_contact(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    org = orgs["kruix"]
    org.escalation_name, org.escalation_email = "Directeur", "directie@kruix.example"
    db.session.commit()
    incident = confirmed(orgs, people, clock)
    mailer = RecordingMailer()
    clock.current = AWARE + timedelta(hours=69)
    run_tick(clock, mailer)  # the 24, 48 and 60 h reminders (late)
    mailer.sent.clear()
    clock.current = AWARE + timedelta(hours=72, seconds=10)
    assert run_tick(clock, mailer).sent == 2  # 70 h (late) and the escalation
    escalation = mailer.sent[-1]
    assert "directie@kruix.example" in escalation["To"] and "fg@x.nl" in escalation["To"]
    assert "TERMIJN VERSTREKEN" in escalation["Subject"]
    assert clock_of(incident, clock.now()).status is DeadlineStatus.OVERDUE  # type: ignore[union-attr]

    # Found by exploratory testing: re-planning (new reminder hours, an awareness corrected by
    # an hour, still overdue) sent the escalation again each time. Once per missed term.
    mailer.sent.clear()
    org.reminder_offsets = [24, 48, 60, 69]
    reminders.replan(db.session, incident, clock=clock)
    db.session.commit()
    clock.advance(minutes=1)
    assert run_tick(clock, mailer).sent == 0
    fg = people[1]
    triage.record_awareness(
        db.session, incident, AWARE + timedelta(hours=1), "Een uur later gehoord",
        actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    clock.advance(minutes=1)
    assert run_tick(clock, mailer).sent == 0 and mailer.sent == []
    # Corrected so that the term runs again: when that deadline passes, it is escalated anew.
    triage.record_awareness(
        db.session, incident, clock.now() - timedelta(hours=1), "Pas vanochtend gehoord",
        actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    clock.advance(hours=71, seconds=10)
    run_tick(clock, mailer)
    assert sum("TERMIJN VERSTREKEN" in m["Subject"] for m in mailer.sent) == 1


def test_recording_the_notification_cancels_the_rest_and_fixes_met_or_late(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    incident = confirmed(orgs, people, clock)
    fg = people[1]
    clock.current = AWARE + timedelta(hours=30)
    record_notification(
        db.session, incident, submitted_at=clock.now() - timedelta(minutes=10),
        reference="M-123", provisional=True, delay_reason="", notes="",
        recorded_by=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    assert planned(incident) == []
    view = clock_of(incident, clock.now())
    assert view is not None and view.status is DeadlineStatus.MET
    clock.current = AWARE + timedelta(hours=80)
    assert run_tick(clock, RecordingMailer()).sent == 0
    # Moving awareness earlier afterwards cannot make the filing late after the fact.
    triage.record_awareness(
        db.session, incident, AWARE - timedelta(hours=60), "Toch eerder bekend.",
        actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    assert clock_of(incident, clock.now()).status is DeadlineStatus.MET  # type: ignore[union-attr]
    assert incident.notifications[0].provisional and incident.notifications[0].reference == "M-123"


def test_a_late_notification_needs_reasons_for_the_delay_and_stays_late(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    incident = confirmed(orgs, people, clock)
    fg = people[1]
    clock.current = AWARE + timedelta(hours=75)
    kwargs = {
        "submitted_at": clock.now(), "reference": "", "provisional": False, "notes": "",
        "recorded_by": fg, "actor": Actor.of(fg), "clock": clock,
    }  # fmt: skip
    with pytest.raises(NotificationError) as refused:
        record_notification(db.session, incident, delay_reason=" ", **kwargs)  # type: ignore[arg-type]
    assert refused.value.field == "delay_reason"
    assert incident.notifications == []
    record_notification(
        db.session,
        incident,
        delay_reason="Weekend, FG onbereikbaar.",
        **kwargs,  # type: ignore[arg-type]
    )
    assert incident.notifications[0].late
    # A later correction of awareness (to a later moment) cannot hide the lateness.
    triage.record_awareness(
        db.session, incident, AWARE + timedelta(hours=10), "Later vastgesteld.",
        actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    assert clock_of(incident, clock.now()).status is DeadlineStatus.LATE  # type: ignore[union-attr]
    events = db.session.execute(
        select(AuditEvent.action).where(AuditEvent.entity_id == str(incident.id))
    ).scalars()
    assert {"incident.notification_recorded", "incident.awareness_corrected"} <= set(events)


def test_notification_cannot_precede_awareness_or_lie_in_the_future(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    incident = confirmed(orgs, people, clock)
    fg = people[1]
    for when in (AWARE - timedelta(minutes=1), clock.now() + timedelta(hours=1)):
        with pytest.raises(NotificationError) as refused:
            record_notification(
                db.session, incident, submitted_at=when, reference="", provisional=False,
                delay_reason="", notes="", recorded_by=fg, actor=Actor.of(fg), clock=clock,
            )  # fmt: skip
        assert refused.value.field == "submitted_at"


def test_register_only_decision_cancels_reminders_and_close_needs_the_filing(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    incident = confirmed(orgs, people, clock)
    incident.containment = ["access_blocked"]  # measures on record, as closing needs
    fg = Actor.of(people[1])
    facts = decisions.current_facts(incident)
    assert facts is None
    from breachdesk.domain.prefill import prefill
    from breachdesk.services.organisations import profile_of
    from breachdesk.services.report_columns import report_of

    facts = prefill(report_of(incident), profile_of(incident.organisation), frozenset())
    decisions.save_checklist(db.session, incident, facts, confirm=True, actor=fg, clock=clock)
    decisions.record_decision(
        db.session, incident, outcome=Outcome.NOTIFY_AP, rationale="", actor=fg, clock=clock
    )
    with pytest.raises(TransitionRefused, match="notification is still owed"):
        closing.close(db.session, incident, actor=fg, clock=clock)
    assert incident.state == State.DECIDED.value
    assert len(planned(incident)) == 5

    decisions.record_decision(
        db.session,
        incident,
        outcome=Outcome.REGISTER_ONLY,
        rationale="Versleutelde stick, sleutel veilig: geen risico (EDPB 01/2021, casus 4).",
        actor=fg,
        clock=clock,
    )
    assert planned(incident) == []
    assert clock_of(incident, clock.now()).status is DeadlineStatus.NOT_REQUIRED  # type: ignore[union-attr]
    closing.close(db.session, incident, actor=fg, clock=clock)
    assert incident.state == State.CLOSED.value


def test_as_processor_the_term_runs_towards_the_controller(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    orgs["kruix"].processor_term_hours = 36
    db.session.commit()
    with pytest.raises(TriageError) as refused:
        confirmed(orgs, people, clock, our_role="processor")
    assert refused.value.field == "controller_name"
    db.session.rollback()
    incident = confirmed(orgs, people, clock, our_role="processor", controller_name="Gemeente X")
    view = clock_of(incident, clock.now())
    assert view is not None and view.duty is Duty.CONTROLLER
    assert view.deadline == AWARE + timedelta(hours=36)
    assert [label for label, _ in planned(incident)] == ["-12h", "-4h", "-1h", "deadline"]
    mailer = RecordingMailer()
    clock.current = AWARE + timedelta(hours=24, seconds=5)
    run_tick(clock, mailer)
    # The first report (its triage refused above) is still untriaged: its chase mails went
    # too. Of this incident, exactly one reminder went, and it names the controller.
    (reminder,) = [m for m in mailer.sent if incident.reference in m["Subject"]]
    assert "Gemeente X" in reminder.get_content()


class BrokenMailer:
    def __init__(self) -> None:
        self.calls = 0

    def send(self, message: EmailMessage) -> None:
        self.calls += 1
        raise ConnectionRefusedError("mail server down")


def test_delivery_errors_are_retried_then_marked_failed_and_audited(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    incident = confirmed(orgs, people, clock)
    broken = BrokenMailer()
    clock.current = AWARE + timedelta(hours=24)
    assert run_tick(clock, broken).retried == 1
    row = db.session.execute(
        select(Delivery).where(Delivery.incident_id == incident.id, Delivery.label == "24h")
    ).scalar_one()
    assert row.status == "planned" and row.due_at > clock.now() and "down" in row.last_error
    for _ in range(5):
        clock.advance(hours=1)
        run_tick(clock, broken)
    db.session.refresh(row)
    assert row.status == "failed" and row.attempts == 5
    failed = db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "delivery.failed")
    ).scalar_one()
    assert failed == 1
    # After the mail server is back, nothing failed stays hidden: it is listed in the app.
    assert row in delivery.recent_for(db.session, [incident.organisation_id], clock.now())


def test_only_the_lease_holder_ticks_until_the_lease_expires(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    term = timedelta(seconds=90)
    assert lease.acquire_lease(db.session, "a", clock.now(), term)
    assert not lease.acquire_lease(db.session, "b", clock.now(), term)
    assert lease.acquire_lease(db.session, "a", clock.now() + timedelta(seconds=30), term)
    assert not lease.acquire_lease(db.session, "b", clock.now() + timedelta(seconds=100), term)
    assert lease.acquire_lease(db.session, "b", clock.now() + timedelta(seconds=121), term)
    lease.release_lease(db.session, "b")
    assert lease.acquire_lease(db.session, "a", clock.now() + timedelta(seconds=122), term)


def test_a_claimed_row_cannot_be_claimed_again_until_its_claimer_is_gone(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    confirmed(orgs, people, clock)
    now = AWARE + timedelta(hours=61)
    first = delivery.claim_due(db.session, now, holder="a")
    assert [r.label for r in first] == ["24h", "48h", "60h"]
    token = first[0].claim_token
    # The claimer's own tick does not claim them twice ...
    assert delivery.claim_due(db.session, now, holder="a", mine=[token or ""]) == []
    # ... another scheduler leaves a fresh claim alone (its claimer may be sending) ...
    assert delivery.claim_due(db.session, now + timedelta(seconds=30), holder="b") == []
    # ... and takes it over once it has not been refreshed for the claim timeout (60 s; the
    # claimer refreshes with every lease renewal, so only a dead claimer's claims get there).
    again = delivery.claim_due(db.session, now + timedelta(seconds=61), holder="b")
    assert [r.label for r in again] == ["24h", "48h", "60h"]
    assert {r.claimed_by for r in again} == {"b"}
    # A scheduler's own claims from an earlier tick that stopped halfway are retaken at once.
    own = delivery.claim_due(db.session, now + timedelta(seconds=62), holder="b")
    assert [r.label for r in own] == ["24h", "48h", "60h"]
