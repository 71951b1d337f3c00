"""The risk checklist and the decision: the FG's answers, breachdesk's recommendation, and
the decision taken with its reasons, kept as versions.

Like :mod:`.triage`, every function moves the incident only through the lifecycle, audits each
change and commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.assessment import OUTCOME_DUTIES, Outcome, Recommendation, assess
from ..domain.assessment_json import facts_from_dict, facts_to_dict, recommendation_to_dict
from ..domain.checklist import Facts
from ..domain.lifecycle import State, TransitionRefused
from ..domain.text import N_
from ..models import Decision, Incident
from .audit import Actor
from .clock import Clock
from .workflow import TriageError, audit_incident, commit, move_incident


def current_facts(incident: Incident) -> Facts | None:
    return facts_from_dict(incident.facts) if incident.facts is not None else None


def save_checklist(
    session: Session, incident: Incident, facts: Facts, *, confirm: bool, actor: Actor, clock: Clock
) -> None:
    """Store the checklist answers; ``confirm`` marks it complete (breach confirmed → assessed)."""
    if incident.state not in (
        State.BREACH_CONFIRMED.value,
        State.ASSESSED.value,
        State.DECIDED.value,
    ):
        raise TransitionRefused(N_("The risk checklist is for confirmed breaches."))
    before = incident.facts
    incident.facts = facts_to_dict(facts)
    if confirm:
        incident.checklist_confirmed_at = clock.now()
    incident.updated_at = clock.now()
    audit_incident(
        session,
        incident,
        "incident.checklist_saved",
        actor=actor,
        clock=clock,
        before={"facts": before},
        after={"facts": incident.facts, "confirmed": confirm},
    )
    if confirm and incident.state == State.BREACH_CONFIRMED.value:
        move_incident(session, incident, State.ASSESSED, actor=actor, clock=clock)
    commit(session, incident, clock)


def recommendation_for(incident: Incident) -> Recommendation | None:
    facts = current_facts(incident)
    return assess(facts) if facts is not None else None


def record_decision(
    session: Session,
    incident: Incident,
    *,
    outcome: Outcome | None,
    rationale: str,
    actor: Actor,
    clock: Clock,
) -> Decision:
    """Record a (new version of the) decision. ``outcome`` None means: follow the recommendation.

    A decision that differs from the recommendation needs a written rationale. The answers,
    the recommendation and the rule-set version are stored with it.

    Raises:
        TransitionRefused: the checklist is not complete, or the incident is not assessed.
        TriageError: an override without rationale.
    """
    if incident.state not in (State.ASSESSED.value, State.DECIDED.value):
        raise TransitionRefused(N_("Complete and confirm the risk checklist first."))
    facts = current_facts(incident)
    if facts is None or incident.checklist_confirmed_at is None:
        raise TransitionRefused(N_("Complete and confirm the risk checklist first."))
    recommendation = assess(facts)
    chosen = outcome or recommendation.outcome
    follows = chosen is recommendation.outcome
    if not follows and len(rationale.strip()) < 20:
        raise TriageError(
            N_(
                "You decide differently from the recommendation: explain why (at least a sentence)."
            ),
            field="rationale",
        )
    notify_ap, inform_subjects, public = OUTCOME_DUTIES[chosen]
    version = (
        session.execute(
            select(func.max(Decision.version)).where(Decision.incident_id == incident.id)
        ).scalar_one()
        or 0
    ) + 1
    decision = Decision(
        incident_id=incident.id,
        version=version,
        outcome=chosen.value,
        notify_ap=notify_ap,
        inform_subjects=inform_subjects,
        public_communication=public,
        ap_severity=recommendation.ap_severity.value,
        follows_recommendation=follows,
        rationale=rationale.strip(),
        ruleset_version=recommendation.ruleset_version,
        facts_snapshot=facts_to_dict(facts),
        recommendation_snapshot=recommendation_to_dict(recommendation),
        decided_by_id=actor.id,
        decided_at=clock.now(),
    )
    session.add(decision)
    session.flush()
    session.refresh(incident, ["decisions"])
    audit_incident(
        session,
        incident,
        "incident.decided",
        actor=actor,
        clock=clock,
        after=_decision_summary(decision),
    )
    if incident.state == State.ASSESSED.value:
        move_incident(session, incident, State.DECIDED, actor=actor, clock=clock)
    commit(session, incident, clock)
    return decision


def _decision_summary(decision: Decision) -> dict[str, Any]:
    return {
        "version": decision.version,
        "outcome": decision.outcome,
        "follows_recommendation": decision.follows_recommendation,
        "rationale": decision.rationale,
        "ruleset_version": decision.ruleset_version,
        "recommended": decision.recommendation_snapshot.get("outcome"),
    }
