"""A report nobody triages is chased: the FG and the deputy are reminded, then it escalates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.mail import RecordingMailer
from breachdesk.models import Delivery, Incident, Organisation, User
from breachdesk.services import triage
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, run_deliveries
from .test_incidents import submit
from .test_triage import answers

# Thursday 19 November 2026, 10:00 in Amsterdam (09:00 UTC): office hours 9-17 on weekdays.
THURSDAY_10 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(orgs: dict[str, Organisation], make_user: MakeUser) -> tuple[User, User]:
    kruix = orgs["kruix"]
    kruix.deputy_email = "deputy@x.nl"
    kruix.escalation_name = "Directeur"
    kruix.escalation_email = "directie@x.nl"
    db.session.commit()
    return make_user("r@x.nl", (kruix, Role.REPORTER)), make_user("fg@x.nl", (kruix, Role.FG))


def chase_rows(incident: Incident) -> list[Delivery]:
    return list(
        db.session.execute(
            select(Delivery)
            .where(Delivery.incident_id == incident.id, Delivery.kind.like("untriaged%"))
            .order_by(Delivery.due_at)
        ).scalars()
    )


def sent_at(clock: FixedClock, moment: datetime) -> RecordingMailer:
    clock.current = moment
    mailer = RecordingMailer()
    run_deliveries(clock, mailer)
    return mailer


def test_an_untriaged_report_reminds_then_escalates_in_office_hours(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    clock.current = THURSDAY_10
    incident = submit(people[0], orgs["kruix"], clock)
    rows = chase_rows(incident)
    # 4 office hours: 14:00 Amsterdam. The escalation 4 office hours later would be Friday
    # 10:00, but 8 calendar hours is the most: Thursday 22:00 Amsterdam.
    assert [(r.kind, r.due_at) for r in rows] == [
        ("untriaged_reminder", THURSDAY_10 + timedelta(hours=4)),
        ("untriaged_escalation", THURSDAY_10 + timedelta(hours=12)),
    ]
    first = sent_at(clock, THURSDAY_10 + timedelta(minutes=1))
    assert [m["Subject"] for m in first.sent] == [
        f"[{incident.reference}] Nieuw incident gemeld / New incident reported"
    ]
    assert first.sent[0]["To"] == "fg@x.nl, deputy@x.nl"  # the deputy is copied on new reports
    assert sent_at(clock, THURSDAY_10 + timedelta(hours=3, minutes=59)).sent == []
    reminder = sent_at(clock, THURSDAY_10 + timedelta(hours=4, seconds=5)).sent
    assert len(reminder) == 1 and reminder[0]["To"] == "fg@x.nl, deputy@x.nl"
    assert "wacht op beoordeling" in reminder[0]["Subject"]
    assert "4 uur geleden" in reminder[0].get_content()
    assert sent_at(clock, THURSDAY_10 + timedelta(hours=11)).sent == []
    escalation = sent_at(clock, THURSDAY_10 + timedelta(hours=12, seconds=5)).sent
    assert len(escalation) == 1
    assert escalation[0]["To"] == "fg@x.nl, deputy@x.nl, directie@x.nl"
    assert "ESCALATIE" in escalation[0]["Subject"]
    assert sent_at(clock, THURSDAY_10 + timedelta(days=3)).sent == []  # each goes once


def test_an_evening_report_is_chased_within_eight_hours_not_next_morning(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    friday_evening = datetime(2026, 11, 20, 19, 30, tzinfo=UTC)  # 20:30 Amsterdam
    clock.current = friday_evening
    incident = submit(people[0], orgs["kruix"], clock)
    remind, escalate = (r.due_at for r in chase_rows(incident))
    assert remind == friday_evening + timedelta(hours=8)  # Saturday 04:30, not Monday 13:00
    assert escalate == remind + timedelta(hours=8)


def test_office_hours_are_the_organisations_own(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    kruix.office_days, kruix.office_start_hour, kruix.office_end_hour = "1234567", 7, 23
    kruix.untriaged_office_hours = 2
    db.session.commit()
    saturday_8 = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)  # 08:00 Amsterdam
    clock.current = saturday_8
    incident = submit(people[0], kruix, clock)
    assert [r.due_at for r in chase_rows(incident)] == [
        saturday_8 + timedelta(hours=2),
        saturday_8 + timedelta(hours=4),
    ]


def test_triage_cancels_the_chase(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    clock.current = THURSDAY_10
    incident = submit(people[0], orgs["kruix"], clock)
    sent_at(clock, THURSDAY_10 + timedelta(minutes=1))
    clock.current = THURSDAY_10 + timedelta(hours=1)
    triage.record_triage(db.session, incident, answers(), actor=Actor.of(people[1]), clock=clock)
    assert [(r.status, r.cancel_reason) for r in chase_rows(incident)] == [
        ("cancelled", "triaged"),
        ("cancelled", "triaged"),
    ]
    assert not [
        m
        for m in sent_at(clock, THURSDAY_10 + timedelta(hours=9)).sent
        if "beoordeling" in m["Subject"] or "ESCALATIE" in m["Subject"]
    ]


def test_a_report_triaged_after_the_claim_sends_nothing(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    """The handler checks the state when sending: a change that bypassed the cancelling
    (another process between claim and send) still stops the mail."""
    clock.current = THURSDAY_10
    incident = submit(people[0], orgs["kruix"], clock)
    incident.state = "in_triage"  # as if changed a moment ago, rows still planned
    db.session.commit()
    mailer = sent_at(clock, THURSDAY_10 + timedelta(hours=4, seconds=5))
    assert not [m for m in mailer.sent if "beoordeling" in m["Subject"]]
    reminder, _ = chase_rows(incident)
    assert (reminder.status, reminder.cancel_reason) == ("cancelled", "triaged")
