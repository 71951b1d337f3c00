"""Reopening keeps what was recorded; a triage mistake is corrected, not redone."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.assessment import Outcome
from breachdesk.domain.checklist import BreachType
from breachdesk.domain.lifecycle import State, TransitionRefused
from breachdesk.domain.prefill import prefill
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Delivery, Incident, Organisation, User
from breachdesk.services import closing, decisions, triage
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.organisations import profile_of
from breachdesk.services.report_columns import report_of
from breachdesk.services.workflow import TriageError

from ..conftest import MakeUser
from .test_reminders import confirmed

WHY = "Versleuteld bestand, sleutel niet gelekt: geen risico voor de betrokkenen (EDPB casus 4)."


@pytest.fixture
def people(orgs: dict[str, Organisation], make_user: MakeUser) -> tuple[User, User]:
    kruix = orgs["kruix"]
    return make_user("r@x.nl", (kruix, Role.REPORTER)), make_user("fg@x.nl", (kruix, Role.FG))


def correct(incident: Incident, fg: Actor, clock: FixedClock, **answers: object) -> None:
    values: dict[str, object] = {
        "breach_types": frozenset({BreachType.AVAILABILITY}),
        "our_role": "controller",
        "controller_name": "",
        "reason": "Beschikbaarheid, niet vertrouwelijkheid.",
    }
    values.update(answers)
    triage.correct_triage(db.session, incident, actor=fg, clock=clock, **values)  # type: ignore[arg-type]


def decided_and_closed(
    orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> Incident:
    incident = confirmed(orgs, people, clock)
    incident.containment = ["access_blocked"]  # measures on record, as closing needs
    fg = Actor.of(people[1])
    facts = prefill(report_of(incident), profile_of(incident.organisation), frozenset())
    decisions.save_checklist(db.session, incident, facts, confirm=True, actor=fg, clock=clock)
    decisions.record_decision(
        db.session,
        incident,
        outcome=Outcome.REGISTER_ONLY,
        rationale=WHY,
        actor=fg,
        clock=clock,
    )
    closing.close(db.session, incident, actor=fg, clock=clock)
    return incident


def test_reopening_a_decided_incident_keeps_triage_checklist_and_decision(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,
) -> None:
    incident = decided_and_closed(orgs, people, clock)
    fg = Actor.of(people[1])
    with pytest.raises(TransitionRefused):
        closing.reopen(db.session, incident, "", actor=fg, clock=clock)
    db.session.rollback()
    closing.reopen(
        db.session, incident, "De ontvanger blijkt het door te sturen.", actor=fg, clock=clock
    )
    assert incident.state == State.DECIDED.value
    assert incident.checklist_confirmed_at is not None and len(incident.decisions) == 1
    assert incident.aware_at is not None and incident.closed_at is None
    # A new decision can be recorded at once, and it can be closed again.
    decisions.record_decision(
        db.session,
        incident,
        outcome=Outcome.REGISTER_ONLY,
        rationale=WHY,
        actor=fg,
        clock=clock,
    )
    closing.close(db.session, incident, actor=fg, clock=clock)
    assert incident.state == State.CLOSED.value and len(incident.decisions) == 2


def test_correcting_the_triage_keeps_the_state_and_replans_for_a_new_role(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,
) -> None:
    incident = confirmed(orgs, people, clock)
    fg = Actor.of(people[1])
    ap_rows = {
        r.duty
        for r in db.session.execute(
            select(Delivery).where(
                Delivery.incident_id == incident.id,
                Delivery.status == "planned",
                Delivery.kind == "reminder",
            )
        ).scalars()
    }
    assert ap_rows == {"ap"}
    with pytest.raises(TriageError) as no_reason:
        correct(incident, fg, clock, reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(TriageError) as no_controller:
        correct(incident, fg, clock, our_role="processor")
    assert no_controller.value.field == "controller_name"
    correct(incident, fg, clock, our_role="processor", controller_name="Gemeente X")
    assert incident.state == State.BREACH_CONFIRMED.value
    assert incident.breach_types == ["availability"] and incident.controller_name == "Gemeente X"
    planned = {
        r.duty
        for r in db.session.execute(
            select(Delivery).where(
                Delivery.incident_id == incident.id,
                Delivery.status == "planned",
                Delivery.kind == "reminder",
            )
        ).scalars()
    }
    assert planned == {"controller"}  # the term now runs towards the controller
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.triage_corrected")
    ).scalar_one()
    assert event.before["our_role"] == "controller" and event.after["our_role"] == "processor"


def test_a_report_not_yet_triaged_cannot_be_corrected(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,
) -> None:
    from .test_incidents import submit

    incident = submit(people[0], orgs["kruix"], clock)
    with pytest.raises(TransitionRefused):
        correct(incident, Actor.of(people[1]), clock)
