"""A notification filed as provisional ("supplemented later", Art. 33(4) GDPR) holds the
incident open until a supplement or a withdrawal is recorded."""

from __future__ import annotations

import pytest
from flask import Flask

from breachdesk.domain.assessment import Outcome
from breachdesk.domain.lifecycle import State, TransitionRefused
from breachdesk.domain.next_action import NextAction
from breachdesk.domain.prefill import prefill
from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation, User
from breachdesk.services import closing, decisions, inbox
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.filings import record_notification, withdraw_notification
from breachdesk.services.organisations import profile_of
from breachdesk.services.report_columns import report_of

from .test_reminders import confirmed, people  # noqa: F401 - the fixture is used by name


def decided_and_filed(
    orgs: dict[str, Organisation],
    people: tuple[User, User],  # noqa: F811 - the fixture, passed on
    clock: FixedClock,
) -> Incident:
    incident = confirmed(orgs, people, clock)
    incident.containment = ["access_blocked"]  # measures on record, as closing needs
    fg = Actor.of(people[1])
    facts = prefill(report_of(incident), profile_of(incident.organisation), frozenset())
    decisions.save_checklist(db.session, incident, facts, confirm=True, actor=fg, clock=clock)
    decisions.record_decision(
        db.session, incident, outcome=Outcome.NOTIFY_AP, rationale="", actor=fg, clock=clock
    )
    record_notification(
        db.session, incident, submitted_at=clock.now(), reference="M-1", provisional=True,
        delay_reason="", notes="", recorded_by=people[1], actor=fg, clock=clock,
    )  # fmt: skip
    return incident


def steps(incident: Incident, fg: User, clock: FixedClock) -> set[NextAction]:
    """The next step for ``incident`` on its page and in ``fg``'s inbox."""
    page = inbox.next_action_for(db.session, incident, clock.now())
    listed = [
        r.action
        for r in inbox.inbox(db.session, fg, clock.now()).rows
        if r.incident.id == incident.id
    ]
    assert len(listed) == 1
    return {page, *listed}


def test_a_provisional_filing_must_be_supplemented_before_closing(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],  # noqa: F811 - the fixture
    clock: FixedClock,
) -> None:
    incident = decided_and_filed(orgs, people, clock)
    fg = Actor.of(people[1])
    # The next step says so, on the incident page and in the inbox (it said "Close").
    assert steps(incident, people[1], clock) == {NextAction.SUPPLEMENT}
    with pytest.raises(TransitionRefused, match="provisional"):
        closing.close(db.session, incident, actor=fg, clock=clock)
    assert incident.state == State.DECIDED.value

    clock.advance(hours=1)
    record_notification(
        db.session, incident, submitted_at=clock.now(), reference="M-1", provisional=False,
        delay_reason="", notes="Niets gewijzigd.", recorded_by=people[1], actor=fg, clock=clock,
    )  # fmt: skip
    assert steps(incident, people[1], clock) == {NextAction.CLOSE}
    closing.close(db.session, incident, actor=fg, clock=clock)
    assert incident.state == State.CLOSED.value


def test_a_withdrawn_provisional_filing_does_not_hold_the_incident_open(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],  # noqa: F811 - the fixture
    clock: FixedClock,
) -> None:
    incident = decided_and_filed(orgs, people, clock)
    fg = Actor.of(people[1])
    clock.advance(hours=1)
    withdraw_notification(
        db.session, incident, submitted_at=clock.now(), reason="Geen datalek gebleken.",
        reference="", recorded_by=people[1], actor=fg, clock=clock,
    )  # fmt: skip
    closing.close(db.session, incident, actor=fg, clock=clock)
    assert incident.state == State.CLOSED.value


def test_a_breach_is_closed_only_with_its_measures_on_record(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],  # noqa: F811 - the fixture
    clock: FixedClock,
) -> None:
    """Art. 33(5) documents "the remedial action taken" for every breach: a register-only
    breach closed with no measure at all left the register's measures empty (found by
    exploratory testing). Closing asks for them first; a remedial action counts."""
    from datetime import timedelta

    from breachdesk.services import actions

    incident = confirmed(orgs, people, clock)
    fg = Actor.of(people[1])
    facts = prefill(report_of(incident), profile_of(incident.organisation), frozenset())
    decisions.save_checklist(db.session, incident, facts, confirm=True, actor=fg, clock=clock)
    decisions.record_decision(
        db.session, incident, outcome=Outcome.REGISTER_ONLY, rationale="Versleuteld; geen risico.",
        actor=fg, clock=clock,
    )  # fmt: skip
    assert closing.standing_refusals(db.session, incident)
    assert steps(incident, people[1], clock) == {NextAction.MEASURES}  # page and inbox
    with pytest.raises(TransitionRefused, match="measures taken"):
        closing.close(db.session, incident, actor=fg, clock=clock)
    assert incident.state == State.DECIDED.value
    action = actions.ActionInput(
        title="Laptop op afstand gewist",
        owner_name="IT",
        owner_email="it@x.nl",
        due_on=(clock.now() + timedelta(days=1)).date(),
    )
    actions.add(db.session, incident, action, user=people[1], actor=fg, clock=clock)
    assert closing.standing_refusals(db.session, incident) == []
    assert steps(incident, people[1], clock) == {NextAction.CLOSE}
    closing.close(db.session, incident, actor=fg, clock=clock)
    assert incident.state == State.CLOSED.value


def test_every_refusal_of_closing_is_given_at_once(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],  # noqa: F811 - the fixture
    clock: FixedClock,
) -> None:
    """A provisional filing and no measures on record: the closing form named the first, and
    the second only after it was mended (found by testing the fix as a user)."""
    incident = decided_and_filed(orgs, people, clock)
    incident.containment = []
    db.session.commit()
    refusals = closing.standing_refusals(db.session, incident)
    assert len(refusals) == 2
    assert "provisional" in refusals[0] and "measures taken" in refusals[1]
