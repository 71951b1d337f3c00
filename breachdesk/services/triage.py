"""The FG's work on an incident: triage, awareness, the risk checklist, the decision.

Every function here moves the incident only through :func:`breachdesk.domain.lifecycle.move`,
writes an audit event for each change, and commits; refused moves raise
:class:`~breachdesk.domain.lifecycle.TransitionRefused` (or :class:`TriageError`) before
anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.assessment import Outcome, Recommendation, assess
from ..domain.assessment_json import facts_from_dict, facts_to_dict, recommendation_to_dict
from ..domain.awareness import awareness_problem
from ..domain.checklist import BreachType, Facts, Tri
from ..domain.lifecycle import Guards, State, TransitionRefused, move
from ..domain.text import N_
from ..models import AwarenessRecord, Decision, Incident, User
from . import audit, reminders
from .audit import Actor
from .clock import Clock
from .deadlines import first_filing, notification_required


class TriageError(ValueError):
    """A request the FG must correct; ``field`` names the form field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _audit(
    session: Session,
    incident: Incident,
    action: str,
    *,
    actor: Actor,
    clock: Clock,
    before: Any = None,
    after: Any = None,
) -> None:
    """One audit event about ``incident``, in the same transaction as the change."""
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action=action,
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        before=before,
        after=after,
    )


def _commit(session: Session, incident: Incident, clock: Clock) -> None:
    """Bring the reminder rows in line with the incident, then commit the whole change."""
    reminders.replan(session, incident, clock=clock)
    session.commit()


def _guards(incident: Incident, reason: str = "") -> Guards:
    return Guards(
        reason=reason,
        aware_at_set=incident.aware_at is not None,
        breach_types_set=bool(incident.breach_types),
        checklist_confirmed=incident.checklist_confirmed_at is not None,
        has_decision=bool(incident.decisions),
        notification_outstanding=incident.aware_at is not None
        and notification_required(incident)
        and first_filing(incident) is None,
    )


def _move(
    session: Session,
    incident: Incident,
    target: State,
    *,
    actor: Actor,
    clock: Clock,
    reason: str = "",
) -> None:
    before = incident.state
    incident.state = move(State(incident.state), target, _guards(incident, reason)).value
    incident.updated_at = clock.now()
    _audit(
        session,
        incident,
        "incident.state_changed",
        actor=actor,
        clock=clock,
        before={"state": before},
        after={"state": incident.state, "reason": reason},
    )


def start_triage(session: Session, incident: Incident, *, actor: Actor, clock: Clock) -> None:
    """reported → in triage."""
    _move(session, incident, State.IN_TRIAGE, actor=actor, clock=clock)
    _commit(session, incident, clock)


def _record_awareness(
    session: Session,
    incident: Incident,
    aware_at: datetime,
    reason: str,
    *,
    actor: Actor,
    clock: Clock,
) -> bool:
    problem = awareness_problem(aware_at, incident.aware_at, reason, clock.now())
    if problem is not None:
        raise TriageError(problem, field="aware_at")
    if incident.aware_at is not None and incident.aware_at == aware_at:
        return False
    before = {"aware_at": incident.aware_at}
    session.add(
        AwarenessRecord(
            incident_id=incident.id,
            aware_at=aware_at,
            reason=reason.strip(),
            recorded_by_id=actor.id,
            recorded_at=clock.now(),
        )
    )
    incident.aware_at = aware_at
    incident.updated_at = clock.now()
    _audit(
        session,
        incident,
        "incident.awareness_corrected" if before["aware_at"] else "incident.awareness_recorded",
        actor=actor,
        clock=clock,
        before=before,
        after={"aware_at": aware_at, "reason": reason.strip()},
    )
    return True


def record_awareness(
    session: Session,
    incident: Incident,
    aware_at: datetime,
    reason: str,
    *,
    actor: Actor,
    clock: Clock,
) -> bool:
    """Set or correct the moment of awareness; False when it was already that value.

    Raises:
        TriageError: in the future, or a correction without a reason.
    """
    changed = _record_awareness(session, incident, aware_at, reason, actor=actor, clock=clock)
    _commit(session, incident, clock)
    return changed


@dataclass(frozen=True)
class TriageAnswers:
    personal_data: Tri  # were personal data involved?
    security_breached: Tri  # was security breached (disclosure, access, alteration, loss)?
    breach_types: frozenset[BreachType]
    reason: str  # the FG's explanation (required when it is not a personal-data breach)
    aware_at: datetime | None  # when the organisation became aware (breach confirmed)
    aware_reason: str = ""
    # Our role for these data: as "processor" the duty is to inform the controller (named
    # here) within the contractual term (Art. 33(2) GDPR), not to notify the AP.
    our_role: str = "controller"
    controller_name: str = ""


def record_triage(
    session: Session, incident: Incident, answers: TriageAnswers, *, actor: Actor, clock: Clock
) -> State:
    """Record the triage and move the incident accordingly; returns the new state.

    Both answers yes: a personal-data breach (awareness and breach types required).
    Either answer no: not a personal-data breach (a written reason required; kept in the
    incident log). Otherwise the incident stays in triage.
    """
    if incident.state not in (State.REPORTED.value, State.IN_TRIAGE.value):
        raise TransitionRefused(N_("Triage is finished for this incident; reopen it first."))
    if answers.our_role == "processor" and not answers.controller_name.strip():
        raise TriageError(
            N_("Name the controller you process these data for; it must be informed."),
            field="controller_name",
        )
    before = {
        "personal_data": incident.personal_data,
        "security_breached": incident.security_breached,
        "breach_types": incident.breach_types,
        "our_role": incident.our_role,
        "controller_name": incident.controller_name,
    }
    incident.our_role = "processor" if answers.our_role == "processor" else "controller"
    incident.controller_name = (
        answers.controller_name.strip() if incident.our_role == "processor" else ""
    )
    incident.personal_data = answers.personal_data.value
    incident.security_breached = answers.security_breached.value
    incident.breach_types = sorted(t.value for t in answers.breach_types)
    incident.triaged_at = clock.now()
    _audit(
        session,
        incident,
        "incident.triaged",
        actor=actor,
        clock=clock,
        before=before,
        after={
            **before,
            "personal_data": incident.personal_data,
            "security_breached": incident.security_breached,
            "breach_types": incident.breach_types,
            "our_role": incident.our_role,
            "controller_name": incident.controller_name,
            "reason": answers.reason,
        },
    )
    if Tri.NO in (answers.personal_data, answers.security_breached):
        if not answers.reason.strip():
            session.rollback()
            raise TriageError(
                N_("Explain why this is not a personal-data breach; the AP may ask to see it."),
                field="reason",
            )
        incident.not_breach_reason = answers.reason.strip()
        _move(
            session, incident, State.NOT_A_BREACH, actor=actor, clock=clock, reason=answers.reason
        )
        incident.closed_at = clock.now()
    elif answers.personal_data is Tri.YES and answers.security_breached is Tri.YES:
        try:
            if answers.aware_at is not None:
                _record_awareness(
                    session,
                    incident,
                    answers.aware_at,
                    answers.aware_reason,
                    actor=actor,
                    clock=clock,
                )
            _move(session, incident, State.BREACH_CONFIRMED, actor=actor, clock=clock)
        except (TriageError, TransitionRefused):
            session.rollback()
            raise
    elif incident.state == State.REPORTED.value:
        _move(session, incident, State.IN_TRIAGE, actor=actor, clock=clock)
    _commit(session, incident, clock)
    return State(incident.state)


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
    _audit(
        session,
        incident,
        "incident.checklist_saved",
        actor=actor,
        clock=clock,
        before={"facts": before},
        after={"facts": incident.facts, "confirmed": confirm},
    )
    if confirm and incident.state == State.BREACH_CONFIRMED.value:
        _move(session, incident, State.ASSESSED, actor=actor, clock=clock)
    _commit(session, incident, clock)


def recommendation_for(incident: Incident) -> Recommendation | None:
    facts = current_facts(incident)
    return assess(facts) if facts is not None else None


OUTCOME_FLAGS: dict[Outcome, tuple[bool, bool, bool]] = {
    Outcome.REGISTER_ONLY: (False, False, False),
    Outcome.NOTIFY_AP: (True, False, False),
    Outcome.NOTIFY_AP_AND_SUBJECTS: (True, True, False),
    Outcome.NOTIFY_AP_AND_PUBLIC_COMMUNICATION: (True, False, True),
}


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
    notify_ap, inform_subjects, public = OUTCOME_FLAGS[chosen]
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
    _audit(
        session,
        incident,
        "incident.decided",
        actor=actor,
        clock=clock,
        after=_decision_summary(decision),
    )
    if incident.state == State.ASSESSED.value:
        _move(session, incident, State.DECIDED, actor=actor, clock=clock)
    _commit(session, incident, clock)
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


def close(session: Session, incident: Incident, *, actor: Actor, clock: Clock) -> None:
    """decided → closed."""
    _move(session, incident, State.CLOSED, actor=actor, clock=clock)
    incident.closed_at = clock.now()
    _commit(session, incident, clock)


def reopen(
    session: Session, incident: Incident, reason: str, *, actor: Actor, clock: Clock
) -> None:
    """not a breach / closed → in triage; a reason is required."""
    _move(session, incident, State.IN_TRIAGE, actor=actor, clock=clock, reason=reason)
    incident.closed_at = None
    _commit(session, incident, clock)


def decided_by(session: Session, decision: Decision) -> User | None:
    return session.get(User, decision.decided_by_id)
