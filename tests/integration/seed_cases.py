"""One realistic breach of a demo organisation, taken through the services up to a decision:
reported, triaged, the checklist confirmed, the recommendation followed. Shared by the tests
that compare what breachdesk drafts from it with checked-in files."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from breachdesk.domain.checklist import BreachType, Tri
from breachdesk.domain.prefill import prefill
from breachdesk.domain.report import Answer, IncidentReport
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Decision, Incident, Organisation, User
from breachdesk.services import decisions, triage
from breachdesk.services import incidents as incident_service
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.organisations import profile_of

from ..conftest import T0, MakeUser


@dataclass(frozen=True)
class Case:
    incident: Incident
    fg: User
    decision: Decision


def decided_case(
    org: Organisation,
    make_user: MakeUser,
    fields: dict[str, Any],
    types: frozenset[BreachType],
    established: dict[str, Any],
) -> Case:
    """Report ``fields`` at ``org`` (discovered 3 h before T0, aware 2 h before), confirm the
    checklist prefilled from the report with ``established`` laid over it, and follow the
    recommendation."""
    profile = profile_of(org)
    fields = {"discovery_how": "Een medewerker meldde het bij de servicedesk.", **fields}
    clock = FixedClock(T0)
    slug = org.slug
    fg = make_user(f"fg@{slug}.example", (org, Role.FG), name="Fleur Gerritsen")
    reporter = make_user(f"melder@{slug}.example", (org, Role.REPORTER))
    report = IncidentReport(
        discovered_at=T0 - timedelta(hours=3), ongoing=Answer.NO,
        started_at=T0 - timedelta(days=1), ended_at=T0 - timedelta(hours=4), **fields,
    )  # fmt: skip
    incident = incident_service.submit_report(
        db.session, reporter=reporter, organisation=org, report=report, clock=clock
    )
    actor = Actor.of(fg)
    triage.record_triage(
        db.session,
        incident,
        triage.TriageAnswers(Tri.YES, Tri.YES, types, "", T0 - timedelta(hours=2)),
        actor=actor,
        clock=clock,
    )
    facts = replace(prefill(report, profile, types), **established)
    decisions.save_checklist(db.session, incident, facts, confirm=True, actor=actor, clock=clock)
    decision = decisions.record_decision(
        db.session, incident, outcome=None, rationale="", actor=actor, clock=clock
    )
    return Case(incident, fg, decision)
