"""Remedial actions: add, change and finish them, and remind the owner of an overdue one.

An open action with a due date has two rows in the one delivery engine (kind
``action_overdue``): the morning after its due date and a week later
(:func:`breachdesk.domain.actions.reminder_times`). Changing the due date re-plans them;
finishing or cancelling the action cancels them; a reminder that falls due for an action
that is no longer open is skipped by :func:`prepare`. Every change is audited (with the
owner's address left out of the trail: it holds facts, not personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session

from ..domain.actions import (
    ActionStatus,
    OutcomeRefused,
    check_due_on,
    outcome_problems,
    reminder_times,
)
from ..domain.actions import due_on_problems as domain_due_on_problems
from ..domain.delivery import Kind, Status
from ..domain.formatting import long_date
from ..domain.problems import FieldProblem
from ..domain.text import single_line
from ..domain.timeutil import utc_to_local
from ..models import Delivery, Incident, RemedialAction, User
from . import audit
from .audit import Actor
from .clock import Clock
from .delivery import Outgoing, SendContext, Skip, enqueue
from .reminders import staff_addresses


@dataclass(frozen=True)
class ActionInput:
    title: str
    owner_name: str = ""
    owner_email: str = ""
    due_on: date | None = None


def actions_of(session: Session, incident: Incident) -> list[RemedialAction]:
    return list(
        session.execute(
            select(RemedialAction)
            .where(RemedialAction.incident_id == incident.id)
            .order_by(RemedialAction.id)
        ).scalars()
    )


def by_incident(
    session: Session, incident_ids: list[int], among: ColumnElement[bool] | None = None
) -> dict[int, list[tuple[str, str]]]:
    """incident id -> [(title, status)] of its actions, oldest first (one query). ``among``
    may give the condition on ``RemedialAction.incident_id`` written for the database in use
    (see :func:`.register_query.ids_in`)."""
    result: dict[int, list[tuple[str, str]]] = {}
    if not incident_ids:
        return result
    for incident_id, title, status in session.execute(
        select(RemedialAction.incident_id, RemedialAction.title, RemedialAction.status)
        .where(among if among is not None else RemedialAction.incident_id.in_(incident_ids))
        .order_by(RemedialAction.id)
    ).all():
        result.setdefault(incident_id, []).append((str(title), str(status)))
    return result


def open_count(session: Session, organisation_ids: Select[int] | list[int]) -> int:
    """Open actions of the organisations given (the dashboard's figure)."""
    return int(
        session.execute(
            select(func.count()).where(
                RemedialAction.organisation_id.in_(organisation_ids),
                RemedialAction.status == ActionStatus.OPEN.value,
            )
        ).scalar_one()
    )


def _summary(action: RemedialAction) -> dict[str, object]:
    return {
        "action": action.id,
        "title": action.title,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "status": action.status,
        "owner_set": bool(action.owner_email or action.owner_name),
    }


def _plan(session: Session, action: RemedialAction, clock: Clock) -> None:
    """Cancel the action's planned reminders and plan them again for its due date."""
    session.execute(
        update(Delivery)
        .where(
            Delivery.kind == Kind.ACTION_OVERDUE.value,
            Delivery.incident_id == action.incident_id,
            Delivery.label.like(f"a{action.id}:%"),
            Delivery.status == Status.PLANNED.value,
        )
        .values(status=Status.CANCELLED.value, cancel_reason="replanned")
        .execution_options(synchronize_session=False)
    )
    if action.status != ActionStatus.OPEN.value or action.due_on is None:
        return
    now = clock.now()
    for label, due_at in reminder_times(action.due_on):
        enqueue(
            session,
            kind=Kind.ACTION_OVERDUE,
            due_at=max(due_at, now),
            now=now,
            organisation_id=action.organisation_id,
            incident_id=action.incident_id,
            label=f"a{action.id}:{label}",
            payload={"action_id": action.id},
        )


def discovered_on(incident: Incident) -> date:
    """The day (Dutch date) the breach was discovered, or reported if that came first: no
    measure can be due before it."""
    return utc_to_local(min(incident.discovered_at, incident.reported_at)).date()


def due_on_problems(incident: Incident, due_on: date | None) -> list[FieldProblem]:
    """What is wrong with ``due_on`` as a measure's due date for ``incident`` ([] when nothing
    is, or when it is not given or unknown); :func:`add` and :func:`change` refuse it."""
    return domain_due_on_problems(due_on, discovered_on(incident))


def add(
    session: Session,
    incident: Incident,
    data: ActionInput,
    *,
    user: User,
    actor: Actor,
    clock: Clock,
) -> RemedialAction:
    """Add a measure to ``incident``, with reminders planned for its due date. Commits.

    Raises:
        DueDateRefused: the due date lies before the breach was discovered.
    """
    check_due_on(data.due_on, discovered_on(incident))
    now = clock.now()
    action = RemedialAction(
        incident_id=incident.id,
        organisation_id=incident.organisation_id,
        title=single_line(data.title.strip()),
        owner_name=data.owner_name.strip(),
        owner_email=data.owner_email.strip(),
        due_on=data.due_on,
        status=ActionStatus.OPEN.value,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(action)
    session.flush()
    _plan(session, action, clock)
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.action_added",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after=_summary(action),
    )
    session.commit()
    return action


def change(
    session: Session,
    action: RemedialAction,
    *,
    status: ActionStatus,
    outcome: str = "",
    due_on: date | None = None,
    actor: Actor,
    clock: Clock,
) -> None:
    """Finish, cancel or reopen ``action``, or move its due date (``due_on``). Commits.

    Raises:
        DueDateRefused: a new due date lies before the breach was discovered (a date left
            as it was is not checked again).
        OutcomeRefused: done without what was done, or dropped without why (an outcome
            recorded before counts).
    """
    for problem in outcome_problems(status, outcome.strip() or action.outcome):
        raise OutcomeRefused(problem.message)
    if due_on is not None and due_on != action.due_on:
        check_due_on(due_on, discovered_on(session.get_one(Incident, action.incident_id)))
    before = _summary(action)
    now = clock.now()
    action.status = status.value
    action.outcome = outcome.strip() or action.outcome
    action.done_at = now if status is ActionStatus.DONE else None
    if due_on is not None:
        action.due_on = due_on
    action.updated_at = now
    _plan(session, action, clock)
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.action_changed",
        entity_type="incident",
        entity_id=action.incident_id,
        organisation_id=action.organisation_id,
        before=before,
        after=_summary(action),
    )
    session.commit()


def prepare(session: Session, row: Delivery, context: SendContext) -> Outgoing | Skip:
    """The delivery handler for overdue actions: to the owner and the FG(s), whom the owner's
    reply reaches and whose address the mail gives (it said "tell the FG" without saying
    how, and the link needs an account the owner may not have: found by exploratory
    testing)."""
    action = session.get(RemedialAction, int((row.payload or {}).get("action_id") or 0))
    if action is None or action.status != ActionStatus.OPEN.value:
        return Skip("action_not_open")
    incident = action.incident
    due = long_date(action.due_on, "nl") if action.due_on else "—"
    due_en = long_date(action.due_on, "en") if action.due_on else "—"
    staff = staff_addresses(session, action.organisation_id)
    recipients = [a for a in [action.owner_email, *staff] if a]
    link = context.link(f"incidents/{incident.id}/actions")
    title = f"“{single_line(action.title)}”"
    owner = single_line(action.owner_name) or "—"
    fg = ", ".join(staff) or "—"
    return Outgoing(
        recipients=list(dict.fromkeys(recipients)),
        reply_to=staff[0] if staff else None,
        subject=(f"[{incident.reference}] Herstelmaatregel over datum / Remedial action overdue"),
        text=f"""\
Een herstelmaatregel na datalek {incident.reference} is nog niet afgerond, terwijl die op
{due} klaar moest zijn.

  Maatregel:    {title}
  Eigenaar:     {owner}
  Afgesproken:  {due}

Is de maatregel uitgevoerd? Laat het de functionaris gegevensbescherming weten (beantwoord
deze e-mail, of mail {fg}), of werk hem bij in breachdesk als je daar een account hebt:
{link}

-- English --

A remedial action after breach {incident.reference} is not finished; it was due on {due_en}.

  Action:   {title}
  Owner:    {owner}
  Due:      {due_en}

Has it been done? Tell the data protection officer (reply to this e-mail, or write to
{fg}), or update it in breachdesk if you have an account there: {link}

--
breachdesk
""",
    )
