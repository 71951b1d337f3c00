"""The risk checklist and the decision: the FG's answers, breachdesk's recommendation, and
the decision taken with its reasons, kept as versions.

Like :mod:`.triage`, every function moves the incident only through the lifecycle, audits each
change and commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, select
from sqlalchemy.orm import Session

from ..domain.assessment import (
    OUTCOME_DUTIES,
    RULESET_VERSION,
    Outcome,
    Recommendation,
    assess,
)
from ..domain.assessment_json import facts_from_dict, facts_to_dict, recommendation_to_dict
from ..domain.checklist import Facts
from ..domain.duties import is_stale
from ..domain.lifecycle import State, TransitionRefused
from ..domain.text import N_
from ..domain.webhooks import EventType
from ..models import Decision, Incident
from . import webhook_events
from .audit import Actor
from .clock import Clock
from .versioning import StaleEdit, claim_version, last_change, lock_row
from .workflow import TriageError, audit_incident, commit, move_incident


def current_facts(incident: Incident) -> Facts | None:
    return facts_from_dict(incident.facts) if incident.facts is not None else None


CHECKLIST_ACTIONS = ("incident.checklist_saved",)
DECISION_ACTIONS = ("incident.decided",)


def unchanged_checklist(incident: Incident, facts: Facts, *, confirm: bool) -> bool:
    """Whether saving ``facts`` would change nothing: the same answers, confirmed already (or
    not to be confirmed), and the rules in force advising what is stored."""
    return (
        incident.state in (State.ASSESSED.value, State.DECIDED.value)
        and facts_to_dict(facts) == incident.facts
        and (incident.checklist_confirmed_at is not None or not confirm)
        and incident.recommended_outcome == assess(facts).outcome.value
    )


def save_checklist(
    session: Session,
    incident: Incident,
    facts: Facts,
    *,
    confirm: bool,
    actor: Actor,
    clock: Clock,
    seen_version: int | None = None,
) -> None:
    """Store the checklist answers; ``confirm`` marks it complete (breach confirmed → assessed).

    ``seen_version`` is the checklist version the FG's page showed. When the new answers make
    the recommendation name other duties than when the FG decided, the decision is marked out
    of date (see :mod:`breachdesk.domain.duties`); the clock then runs for both sets of duties.

    The same answers again change nothing (no new version or audit event).

    Raises:
        TransitionRefused: the incident is not a confirmed breach.
        StaleEdit: someone saved the checklist after ``seen_version``; nothing was saved.
    """
    if incident.state not in (
        State.BREACH_CONFIRMED.value,
        State.ASSESSED.value,
        State.DECIDED.value,
    ):
        raise TransitionRefused(N_("The risk checklist is for confirmed breaches."))
    if unchanged_checklist(incident, facts, confirm=confirm):
        # The same answers again (a client retrying its PUT after a lost answer, a form saved
        # unchanged): nothing changes, so no new version, event or ETag (the retry got 412:
        # found by exploratory testing).
        return
    claim_version(
        session,
        incident,
        Incident.facts_version,
        seen_version,
        entity=("incident", incident.id),
        actions=CHECKLIST_ACTIONS,
    )
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
    _follow_recommendation(session, incident, assess(facts).outcome, actor=actor, clock=clock)
    if confirm and incident.state == State.BREACH_CONFIRMED.value:
        move_incident(session, incident, State.ASSESSED, actor=actor, clock=clock)
    commit(session, incident, clock)


def _follow_recommendation(
    session: Session, incident: Incident, now_recommended: Outcome, *, actor: Actor, clock: Clock
) -> None:
    """Keep ``recommended_outcome`` and ``decision_stale`` in step with the answers (audited
    when the decision goes out of date or becomes current again)."""
    incident.recommended_outcome = now_recommended.value
    if not incident.decisions:
        return
    latest = incident.decisions[-1]
    then = recommended_then(latest)
    stale = is_stale(then, now_recommended)
    if stale != incident.decision_stale:
        incident.decision_stale = stale
        audit_incident(
            session,
            incident,
            "incident.decision_stale" if stale else "incident.decision_current",
            actor=actor,
            clock=clock,
            after={
                "decision_version": latest.version,
                "recommended_then": then.value,
                "recommended_now": now_recommended.value,
            },
        )


def recommended_then(decision: Decision) -> Outcome:
    """What the rules in force recommend for the answers ``decision`` rested on: the
    recommendation it was given, when it was made under these rules; otherwise these rules
    applied to its answers. Comparing with it, only changed answers make a decision out of
    date, never a new rule set alone."""
    if decision.ruleset_version == RULESET_VERSION:
        return Outcome(decision.recommendation_snapshot["outcome"])
    return assess(facts_from_dict(decision.facts_snapshot)).outcome


def new_rules_advice(incident: Incident) -> Outcome | None:
    """For an unfinished incident whose current decision was made under an earlier rule set:
    what the rules in force advise on that decision's own answers, when it differs from what
    the decision was given (shown as information; the decision stands)."""
    if not incident.decisions or incident.state in (State.CLOSED.value, State.NOT_A_BREACH.value):
        return None
    latest = incident.decisions[-1]
    if latest.ruleset_version == RULESET_VERSION or not latest.recommendation_snapshot:
        return None  # the rules in force; or no advice at all (taken over from a register)
    now = recommended_then(latest)
    given = Outcome(latest.recommendation_snapshot["outcome"])
    return now if now is not given else None


def latest_decisions(session: Session, among: ColumnElement[bool], *columns: Any) -> list[Row[Any]]:
    """Each incident's latest decision, for the incidents ``among`` selects (a condition on
    ``Decision.incident_id``): rows of the incident id followed by ``columns``, one query.
    Plain columns, not the model: a decision's snapshots are large JSON documents."""
    latest = (
        select(Decision.incident_id, func.max(Decision.version).label("version"))
        .where(among)
        .group_by(Decision.incident_id)
        .subquery()
    )
    return list(
        session.execute(
            select(Decision.incident_id, *columns).join(
                latest,
                and_(
                    Decision.incident_id == latest.c.incident_id,
                    Decision.version == latest.c.version,
                ),
            )
        ).all()
    )


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
    seen_decision: int | None = None,
    seen_checklist: int | None = None,
) -> Decision:
    """Record a (new version of the) decision. ``outcome`` None means: follow the recommendation.

    A decision that differs from the recommendation needs a written rationale. The answers,
    the recommendation and the rule-set version are stored with it. ``seen_decision`` (the
    latest decision version the FG's page showed, 0 for none) and ``seen_checklist`` (the
    checklist version it showed) guard against deciding on an outdated page.

    Raises:
        TransitionRefused: the checklist is not complete, or the incident is not assessed.
        TriageError: an override without rationale.
        StaleEdit: another decision was recorded, or the checklist saved, after the page was
            loaded; nothing was saved.
    """
    if incident.state not in (State.ASSESSED.value, State.DECIDED.value):
        raise TransitionRefused(N_("Complete and confirm the risk checklist first."))
    lock_row(session, incident)
    session.refresh(incident, ["decisions", "facts_version"])
    latest = incident.decisions[-1].version if incident.decisions else 0
    if seen_decision is not None and seen_decision != latest:
        raise StaleEdit(latest, *last_change(session, ("incident", incident.id), DECISION_ACTIONS))
    if seen_checklist is not None and seen_checklist != incident.facts_version:
        raise StaleEdit(
            incident.facts_version,
            *last_change(session, ("incident", incident.id), CHECKLIST_ACTIONS),
        )
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
    decided_at = clock.now()
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
        decided_at=decided_at,
    )
    session.add(decision)
    session.flush()
    session.refresh(incident, ["decisions"])
    incident.decision_stale = False
    incident.recommended_outcome = recommendation.outcome.value
    incident.decided_outcome = decision.outcome
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
    webhook_events.emit(
        session,
        incident,
        EventType.DECISION_RECORDED,
        occurred_at=decided_at,
        now=clock.now(),
        key=(decision.version,),
        data={  # the register's facts of the decision; never the rationale (free text)
            "version": decision.version,
            "outcome": decision.outcome,
            "follows_recommendation": decision.follows_recommendation,
            "notify_ap": decision.notify_ap,
            "inform_subjects": decision.inform_subjects,
            "public_communication": decision.public_communication,
            "ruleset_version": decision.ruleset_version,
            "decided_at": decision.decided_at,
        },
    )
    commit(session, incident, clock)
    return decision


def _decision_summary(decision: Decision) -> dict[str, Any]:
    return {
        "version": decision.version,
        "outcome": decision.outcome,
        "notify_ap": decision.notify_ap,
        "inform_subjects": decision.inform_subjects,
        "public_communication": decision.public_communication,
        "ap_severity": decision.ap_severity,
        "decided_at": decision.decided_at,
        "follows_recommendation": decision.follows_recommendation,
        "rationale": decision.rationale,
        "ruleset_version": decision.ruleset_version,
        "recommended": decision.recommendation_snapshot.get("outcome"),
    }
