"""The FG's path: triage, awareness, checklist, decision; every step audited and guarded."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from breachdesk.domain.assessment import Outcome
from breachdesk.domain.checklist import BreachType, Tri
from breachdesk.domain.deadline import DeadlineStatus
from breachdesk.domain.lifecycle import State, TransitionRefused
from breachdesk.domain.next_action import next_action
from breachdesk.domain.prefill import prefill
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, AwarenessRecord, Incident, Organisation, User
from breachdesk.services import (
    closing,
    deadlines,
    decisions,
    filings,
    inbox,
    inbox_query,
    triage,
    urgency,
)
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.organisations import profile_of
from breachdesk.services.report_columns import report_of
from breachdesk.services.workflow import TriageError

from ..conftest import T0, MakeUser
from .test_incidents import submit

CONFIDENTIALITY = frozenset({BreachType.CONFIDENTIALITY})


@pytest.fixture
def people(orgs: dict[str, Organisation], make_user: MakeUser) -> tuple[User, User]:
    kruix = orgs["kruix"]
    return make_user("r@x.nl", (kruix, Role.REPORTER)), make_user("fg@x.nl", (kruix, Role.FG))


def answers(**changes: object) -> triage.TriageAnswers:
    base = triage.TriageAnswers(
        personal_data=Tri.YES,
        security_breached=Tri.YES,
        breach_types=CONFIDENTIALITY,
        reason="",
        aware_at=T0 - timedelta(hours=2),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def audit_count(action: str) -> int:
    return db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    ).scalar_one()


def confirmed(
    orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> tuple[Incident, Actor]:
    reporter, fg = people
    incident = submit(reporter, orgs["kruix"], clock)
    triage.record_triage(db.session, incident, answers(), actor=Actor.of(fg), clock=clock)
    return incident, Actor.of(fg)


def test_not_a_breach_needs_a_reason_and_is_kept(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    reporter, fg = people
    incident = submit(reporter, orgs["kruix"], clock)
    with pytest.raises(TriageError) as refused:
        triage.record_triage(
            db.session, incident, answers(personal_data=Tri.NO), actor=Actor.of(fg), clock=clock
        )
    assert refused.value.field == "reason"
    db.session.expire_all()
    assert incident.state == State.REPORTED.value and audit_count("incident.triaged") == 0

    reason = "Alleen een leeg sjabloon verstuurd, geen persoonsgegevens."
    state = triage.record_triage(
        db.session,
        incident,
        answers(personal_data=Tri.NO, reason=reason),
        actor=Actor.of(fg),
        clock=clock,
    )
    assert state is State.NOT_A_BREACH and incident.not_breach_reason == reason
    assert incident.closed_at == clock.now() and incident.aware_at is None
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.state_changed")
    ).scalar_one()
    assert event.before == {"state": "reported"} and event.after["state"] == "not_a_breach"

    with pytest.raises(TransitionRefused, match="reason"):
        closing.reopen(db.session, incident, "", actor=Actor.of(fg), clock=clock)
    closing.reopen(
        db.session, incident, "Ontvanger meldt toch klantnamen", actor=Actor.of(fg), clock=clock
    )
    assert incident.state == State.IN_TRIAGE.value and incident.closed_at is None


def test_unknown_answers_keep_it_in_triage(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    reporter, fg = people
    incident = submit(reporter, orgs["kruix"], clock)
    state = triage.record_triage(
        db.session,
        incident,
        answers(security_breached=Tri.UNKNOWN),
        actor=Actor.of(fg),
        clock=clock,
    )
    assert state is State.IN_TRIAGE and incident.aware_at is None


def test_breach_confirmation_needs_types_and_records_awareness(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    reporter, fg = people
    incident = submit(reporter, orgs["kruix"], clock)
    with pytest.raises(TransitionRefused, match="type of breach"):
        triage.record_triage(
            db.session, incident, answers(breach_types=frozenset()), actor=Actor.of(fg), clock=clock
        )
    db.session.expire_all()
    assert incident.state == State.REPORTED.value and incident.aware_at is None
    with pytest.raises(TriageError, match="future"):
        triage.record_triage(
            db.session,
            incident,
            answers(aware_at=T0 + timedelta(hours=1)),
            actor=Actor.of(fg),
            clock=clock,
        )
    triage.record_triage(db.session, incident, answers(), actor=Actor.of(fg), clock=clock)
    assert incident.state == State.BREACH_CONFIRMED.value
    assert incident.aware_at == T0 - timedelta(hours=2)
    assert [r.aware_at for r in incident.awareness_history] == [T0 - timedelta(hours=2)]


def test_awareness_correction_needs_a_reason_and_keeps_history(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    incident, fg = confirmed(orgs, people, clock)
    earlier = T0 - timedelta(hours=20)
    with pytest.raises(TriageError, match="write down why"):
        triage.record_awareness(db.session, incident, earlier, "", actor=fg, clock=clock)
    triage.record_awareness(
        db.session, incident, earlier, "Verwerker meldde het gisteren al", actor=fg, clock=clock
    )
    history = (
        db.session.execute(
            select(AwarenessRecord)
            .where(AwarenessRecord.incident_id == incident.id)
            .order_by(AwarenessRecord.id)
        )
        .scalars()
        .all()
    )
    assert [h.aware_at for h in history] == [T0 - timedelta(hours=2), earlier]
    assert history[1].reason == "Verwerker meldde het gisteren al"
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.awareness_corrected")
    ).scalar_one()
    assert event.before["aware_at"].startswith("2026-11-19T08:00") and event.after[
        "aware_at"
    ].startswith("2026-11-18T14:00")


def test_decision_needs_the_checklist_and_keeps_versions(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    incident, fg = confirmed(orgs, people, clock)
    with pytest.raises(TransitionRefused, match="checklist"):
        decisions.record_decision(
            db.session, incident, outcome=None, rationale="", actor=fg, clock=clock
        )

    facts = prefill(report_of(incident), profile_of(incident.organisation), CONFIDENTIALITY)
    decisions.save_checklist(db.session, incident, facts, confirm=False, actor=fg, clock=clock)
    assert incident.state == State.BREACH_CONFIRMED.value  # a draft does not complete it
    decisions.save_checklist(db.session, incident, facts, confirm=True, actor=fg, clock=clock)
    assert incident.state == State.ASSESSED.value

    first = decisions.record_decision(
        db.session, incident, outcome=None, rationale="", actor=fg, clock=clock
    )
    recommended = Outcome(first.outcome)
    assert first.version == 1 and first.follows_recommendation
    assert first.ruleset_version and first.recommendation_snapshot["outcome"] == recommended.value
    assert incident.state == State.DECIDED.value

    other = next(o for o in Outcome if o is not recommended)
    with pytest.raises(TriageError):
        decisions.record_decision(
            db.session, incident, outcome=other, rationale="nee", actor=fg, clock=clock
        )
    rationale = (
        "De ontvanger is een vaste zakenpartner met geheimhoudingsplicht en heeft alles gewist."
    )
    second = decisions.record_decision(
        db.session, incident, outcome=other, rationale=rationale, actor=fg, clock=clock
    )
    assert (
        second.version == 2 and not second.follows_recommendation and second.rationale == rationale
    )

    # A later change of the answers never rewrites the decisions already taken.
    snapshot = dict(first.facts_snapshot)
    decisions.save_checklist(
        db.session, incident, replace(facts, malicious=Tri.YES), confirm=True, actor=fg, clock=clock
    )
    db.session.expire_all()
    assert [d.version for d in incident.decisions] == [1, 2]
    assert incident.decisions[0].facts_snapshot == snapshot
    assert audit_count("incident.decided") == 2


def test_inbox_puts_the_least_time_left_first(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix, leiz = orgs["kruix"], orgs["leiz"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER), (leiz, Role.REPORTER))
    fg = make_user("fg@x.nl", (kruix, Role.FG), (leiz, Role.FG))
    actor = Actor.of(fg)
    untriaged = submit(reporter, kruix, clock)
    fresh = submit(reporter, kruix, clock)
    overdue = submit(reporter, leiz, clock)
    nearly = submit(reporter, kruix, clock)
    triage.record_triage(
        db.session, fresh, answers(aware_at=T0 - timedelta(hours=1)), actor=actor, clock=clock
    )
    triage.record_triage(
        db.session, nearly, answers(aware_at=T0 - timedelta(hours=70)), actor=actor, clock=clock
    )
    clock.current = T0 + timedelta(minutes=1)
    triage.record_triage(
        db.session, overdue, answers(aware_at=T0 - timedelta(hours=80)), actor=actor, clock=clock
    )
    rows = inbox.inbox(db.session, fg, clock.now()).rows
    assert [r.incident.id for r in rows] == [overdue.id, nearly.id, fresh.id, untriaged.id]
    assert rows[0].overdue and not rows[1].overdue and rows[3].time_left is None
    # The next step: file at once when the term is pressing, else the checklist; triage.
    assert [r.action.value for r in rows] == ["file_ap", "file_ap", "checklist", "triage"]
    only_leiz = inbox.inbox(db.session, fg, clock.now(), organisation_id=leiz.id).rows
    assert [r.incident.id for r in only_leiz] == [overdue.id]
    reported = inbox.inbox(db.session, fg, clock.now(), state=State.REPORTED).rows
    assert [r.incident.id for r in reported] == [untriaged.id]
    past_the_end = inbox.inbox(db.session, fg, clock.now(), state=State.REPORTED, page=5)
    assert (past_the_end.page, past_the_end.total) == (1, 1)
    assert [r.incident.id for r in past_the_end.rows] == [untriaged.id]
    # Paged in the database: two per page, the same order across the pages.
    first = inbox.inbox(db.session, fg, clock.now(), per_page=2)
    second = inbox.inbox(db.session, fg, clock.now(), per_page=2, page=2)
    assert (first.pages, first.total, second.page) == (2, 4, 2)
    assert [r.incident.id for r in first.rows + second.rows] == [r.incident.id for r in rows]
    assert inbox.inbox(db.session, fg, clock.now(), per_page=2, page=9).page == 2
    # The top bar's count: one overdue, one due soon; the fresh one is not urgent.
    assert urgency.urgency(db.session, fg, clock.now()) == urgency.Urgency(overdue=1, due_soon=1)
    assert urgency.urgency(db.session, reporter, clock.now()).total == 0  # not their inbox
    # A decision to notify does not stop the clock; only the filing does.
    facts = prefill(report_of(nearly), profile_of(nearly.organisation), CONFIDENTIALITY)
    decisions.save_checklist(db.session, nearly, facts, confirm=True, actor=actor, clock=clock)
    decisions.record_decision(
        db.session,
        nearly,
        outcome=Outcome.NOTIFY_AP,
        rationale="Voor de zekerheid melden: de ontvanger is onbekend.",
        actor=actor,
        clock=clock,
    )
    assert nearly.state == State.DECIDED.value
    assert urgency.urgency(db.session, fg, clock.now()) == urgency.Urgency(overdue=1, due_soon=1)
    # A change made behind the services' back (here: the stored deadline wiped in SQL) is put
    # right by the scheduler's hourly check.
    db.session.execute(update(Incident).values(term_deadline=None))
    db.session.commit()
    assert urgency.urgency(db.session, fg, clock.now()).total == 0
    assert deadlines.sync_terms(db.session) == 3
    assert urgency.urgency(db.session, fg, clock.now()) == urgency.Urgency(overdue=1, due_soon=1)
    # The inbox reads plain columns; its clocks and next steps are those of the incidents.
    rows = inbox.inbox(db.session, fg, clock.now()).rows
    for row in rows:
        real = db.session.get_one(Incident, row.incident.id)
        assert row.clock == deadlines.clock_of(real, clock.now())
        assert row.action is next_action(inbox.standing_of(real, row.clock, False))
    decided = next(r for r in rows if r.incident.id == nearly.id)
    assert (
        decided.incident.decisions[0].notify_ap
        and decided.incident.organisation is nearly.organisation
    )
    # Filed with the AP: the row's clock reads the filing that the page's query found.
    filings.record_notification(
        db.session,
        nearly,
        submitted_at=clock.now(),
        reference="M-2026-000123",
        provisional=False,
        delay_reason="",
        notes="",
        recorded_by=fg,
        actor=actor,
        clock=clock,
    )
    rows = inbox.inbox(db.session, fg, clock.now()).rows
    filed = next(r for r in rows if r.incident.id == nearly.id)
    assert filed.clock == deadlines.clock_of(nearly, clock.now())
    assert filed.clock is not None and filed.clock.status is DeadlineStatus.MET
    assert filed.clock.first_filing is not None
    assert filed.clock.first_filing.submitted_at == clock.now()
    assert [r.incident.id for r in rows][-1] == nearly.id  # decided, filed: least urgent
    # Notified before any decision (filed at once): no term runs any more, and the report
    # still to be triaged comes first. Before, the notified breach sat among the new reports
    # (found by exploratory testing).
    filings.record_notification(
        db.session,
        fresh,
        submitted_at=clock.now(),
        reference="M-2026-000124",
        provisional=True,
        delay_reason="",
        notes="",
        recorded_by=fg,
        actor=actor,
        clock=clock,
    )
    order = [r.incident.id for r in inbox.inbox(db.session, fg, clock.now()).rows]
    assert order.index(untriaged.id) < order.index(fresh.id), order


def test_an_inbox_incident_takes_the_listed_columns_in_its_fields_order() -> None:
    """InboxIncident is built positionally from the selected columns."""
    import dataclasses

    fields = [f.name for f in dataclasses.fields(inbox.InboxIncident)]
    columns = [c.key for c in inbox_query.LISTED]
    assert fields[: len(columns)] == columns
    assert fields[len(columns) :] == ["organisation", "decisions", "notifications"]
