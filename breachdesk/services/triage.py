"""The FG's first steps on an incident: triage and the moment of awareness (closing and
reopening are in :mod:`.closing`).

The risk checklist and the decision are in :mod:`.decisions`; what both share is in
:mod:`.workflow`.

Every function here moves the incident only through :func:`breachdesk.domain.lifecycle.move`,
writes an audit event for each change, and commits; refused moves raise
:class:`~breachdesk.domain.lifecycle.TransitionRefused` (or :class:`TriageError`) before
anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..domain.awareness import awareness_problem
from ..domain.checklist import BreachType, Tri
from ..domain.lifecycle import Guards, State, TransitionRefused, move
from ..domain.problems import FieldProblem
from ..domain.text import N_
from ..models import AwarenessRecord, Incident
from .audit import Actor
from .clock import Clock
from .deadlines import first_filing
from .workflow import TriageError, audit_incident, commit, move_incident, refuse


def start_triage(session: Session, incident: Incident, *, actor: Actor, clock: Clock) -> None:
    """reported → in triage."""
    move_incident(session, incident, State.IN_TRIAGE, actor=actor, clock=clock)
    commit(session, incident, clock)


def awareness_problems(
    incident: Incident, aware_at: datetime | None, reason: str | None, now: datetime
) -> list[FieldProblem]:
    """What is wrong with recording ``aware_at`` as the moment ``incident``'s organisation
    became aware (field ``aware_at``): in the future, before the breach began, after the first
    filing, or a correction without a reason. [] when nothing is, or when ``aware_at`` is not
    known (None); ``reason`` None: not known either. Reads only."""
    if aware_at is None:
        return []
    first = first_filing(incident)
    problem = awareness_problem(
        aware_at,
        incident.aware_at,
        reason,
        now,
        started_at=incident.started_at,
        first_filed_at=first.submitted_at if first else None,
    )
    return [] if problem is None else [FieldProblem("aware_at", problem)]


def _record_awareness(
    session: Session,
    incident: Incident,
    aware_at: datetime,
    reason: str,
    *,
    actor: Actor,
    clock: Clock,
) -> bool:
    refuse(awareness_problems(incident, aware_at, reason, clock.now()))
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
    audit_incident(
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
        TriageError: in the future, before the breach began, after the first filing, or a
            correction without a reason.
    """
    changed = _record_awareness(session, incident, aware_at, reason, actor=actor, clock=clock)
    commit(session, incident, clock)
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


#: The states in which an incident is triaged.
TRIAGE_STATES = (State.REPORTED.value, State.IN_TRIAGE.value)
NAME_THE_CONTROLLER = N_("Name the controller you process these data for; it must be informed.")


def triage_problems(
    incident: Incident,
    *,
    personal_data: Tri | None,
    security_breached: Tri | None,
    reason: str | None,
    aware_at: datetime | None,
    our_role: str | None,
    controller_name: str | None,
    now: datetime,
    aware_reason: str | None = "",
) -> list[FieldProblem]:
    """Every problem with these triage answers for ``incident``, each at its field. An answer
    given as None is not known (a form could not read it): the rules that need it are
    skipped. Reads only; :func:`record_triage` refuses the first problem.

    As processor the controller must be named; either answer no needs a written reason; a
    breach (both answers yes, or not known yet) records the moment of awareness, which
    :func:`awareness_problems` checks.
    """
    problems: list[FieldProblem] = []
    if our_role == "processor" and controller_name is not None and not controller_name.strip():
        problems.append(FieldProblem("controller_name", NAME_THE_CONTROLLER))
    answers = (personal_data, security_breached)
    if Tri.NO in answers:
        if reason is not None and not reason.strip():
            problems.append(
                FieldProblem(
                    "reason",
                    N_("Explain why this is not a personal-data breach; the AP may ask to see it."),
                )
            )
    elif all(answer in (Tri.YES, None) for answer in answers):
        problems += awareness_problems(incident, aware_at, aware_reason, now)
    return problems


def confirmation_problems(
    incident: Incident,
    *,
    personal_data: Tri | None,
    security_breached: Tri | None,
    breach_types: frozenset[BreachType] | None,
) -> list[FieldProblem]:
    """For answers that confirm a breach (both yes): what the lifecycle's guard would refuse
    about the types of breach (field ``breach_types``), asked before the move, so that it is
    shown with the other problems. [] otherwise, or when the types are not known (None).
    Reads only; :func:`record_triage` raises the guard's refusal as TransitionRefused."""
    confirms = personal_data is Tri.YES and security_breached is Tri.YES
    if not confirms or breach_types is None or incident.state not in TRIAGE_STATES:
        return []
    try:
        move(
            State(incident.state),
            State.BREACH_CONFIRMED,
            Guards(aware_at_set=True, breach_types_set=bool(breach_types)),  # awareness: above
        )
    except TransitionRefused as refused:
        return [FieldProblem("breach_types", refused.message)]
    return []


def record_triage(
    session: Session, incident: Incident, answers: TriageAnswers, *, actor: Actor, clock: Clock
) -> State:
    """Record the triage and move the incident accordingly; returns the new state.

    Both answers yes: a personal-data breach (awareness and breach types required).
    Either answer no: not a personal-data breach (a written reason required; kept in the
    incident log). Otherwise the incident stays in triage.

    Raises:
        TransitionRefused: triage is finished, or the breach cannot be confirmed yet.
        TriageError: the first of :func:`triage_problems` (nothing is written).
    """
    if incident.state not in TRIAGE_STATES:
        raise TransitionRefused(N_("Triage is finished for this incident; reopen it first."))
    refuse(
        triage_problems(
            incident,
            personal_data=answers.personal_data,
            security_breached=answers.security_breached,
            reason=answers.reason,
            aware_at=answers.aware_at,
            our_role=answers.our_role,
            controller_name=answers.controller_name,
            now=clock.now(),
            aware_reason=answers.aware_reason,
        )
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
    incident.triage_reason = answers.reason.strip()
    incident.triaged_at = clock.now()
    audit_incident(
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
        incident.not_breach_reason = answers.reason.strip()
        move_incident(
            session,
            incident,
            State.NOT_A_BREACH,
            actor=actor,
            clock=clock,
            reason=answers.reason,
            closed_at=clock.now(),
        )
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
            move_incident(session, incident, State.BREACH_CONFIRMED, actor=actor, clock=clock)
        except (TriageError, TransitionRefused):
            session.rollback()
            raise
    elif incident.state == State.REPORTED.value:
        move_incident(session, incident, State.IN_TRIAGE, actor=actor, clock=clock)
    commit(session, incident, clock)
    return State(incident.state)


def correction_problems(
    *,
    breach_types: frozenset[BreachType] | None,
    our_role: str | None,
    controller_name: str | None,
    reason: str | None,
) -> list[FieldProblem]:
    """Every problem with a correction of the triage, each at its field: no reason, no type of
    breach, a processor without its controller. None: not known (its rules are skipped)."""
    problems: list[FieldProblem] = []
    if reason is not None and not reason.strip():
        problems.append(FieldProblem("reason", N_("Write down the reason for the correction.")))
    if breach_types is not None and not breach_types:
        problems.append(
            FieldProblem(
                "breach_types",
                N_(
                    "Choose at least one type of breach (confidentiality, integrity, availability)."
                ),
            )
        )
    if our_role == "processor" and controller_name is not None and not controller_name.strip():
        problems.append(FieldProblem("controller_name", NAME_THE_CONTROLLER))
    return problems


def correct_triage(
    session: Session,
    incident: Incident,
    *,
    breach_types: frozenset[BreachType],
    our_role: str,
    controller_name: str,
    reason: str,
    actor: Actor,
    clock: Clock,
) -> None:
    """Correct the triage of a confirmed breach without going back (commits): the types of
    breach and our role for the data, with the reason for the correction; the earlier
    answers stay in the audit trail. A changed role changes whose term runs, so the
    reminders are planned again.

    Raises:
        TransitionRefused: the incident is not a confirmed breach that is still open.
        TriageError: no reason, no type of breach, or a processor without its controller.
    """
    if incident.state not in (
        State.BREACH_CONFIRMED.value,
        State.ASSESSED.value,
        State.DECIDED.value,
    ):
        raise TransitionRefused(
            N_("Only the triage of an open, confirmed breach can be corrected.")
        )
    refuse(
        correction_problems(
            breach_types=breach_types,
            our_role=our_role,
            controller_name=controller_name,
            reason=reason,
        )
    )
    processor = our_role == "processor"
    before = {
        "breach_types": incident.breach_types,
        "our_role": incident.our_role,
        "controller_name": incident.controller_name,
    }
    incident.breach_types = sorted(t.value for t in breach_types)
    incident.our_role = "processor" if processor else "controller"
    incident.controller_name = controller_name.strip() if processor else ""
    incident.triage_reason = reason.strip()
    incident.updated_at = clock.now()
    audit_incident(
        session,
        incident,
        "incident.triage_corrected",
        actor=actor,
        clock=clock,
        before=before,
        after={
            "breach_types": incident.breach_types,
            "our_role": incident.our_role,
            "controller_name": incident.controller_name,
            "reason": reason.strip(),
        },
    )
    commit(session, incident, clock)
