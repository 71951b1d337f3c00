"""The inbox's SQL: which incidents are whose work, the columns a row of the inbox takes, and
the order of urgency (see :mod:`.inbox`), built once per kind of filter. Also what the top
bar's counts, the dashboard and the register share with it: the states that are still work
and the organisations a user serves.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)

from ..domain.deadline import Duty
from ..domain.lifecycle import State
from ..domain.roles import Role
from ..models import Decision, Incident, Mailing, Membership, Notification, User

RUNNING = {State.BREACH_CONFIRMED, State.ASSESSED}
UNTRIAGED = {State.REPORTED, State.IN_TRIAGE}


#: The states of finished incidents: they live in the register, not in the FG's inbox.
FINISHED = {State.CLOSED, State.NOT_A_BREACH, State.DISCARDED}


LISTED = (
    Incident.id,
    Incident.reference,
    Incident.title,
    Incident.state,
    Incident.organisation_id,
    Incident.aware_at,
    Incident.our_role,
    Incident.recommended_outcome,
    Incident.decision_stale,
    Incident.subjects_resolution,
    Incident.checklist_confirmed_at,
    Incident.discovered_at,  # shown while the awareness is still to be recorded
)


def page_columns(chosen: Any) -> list[Any]:
    """What the inbox shows of each incident of a page (``chosen``: a subquery of the page's
    rows): its columns, its latest decision's duties, its first filing towards the party its
    term runs to (the AP, or as processor the controller), whether informing the people has
    started. Each is an index lookup per row, made after the page's rows are
    chosen: one round trip instead of four (a subquery in the SELECT that chooses the rows
    would run for every matching row, not only the page's)."""

    def latest_decision(column: Any) -> Any:
        return (
            select(column)
            .where(Decision.incident_id == chosen.id)
            .order_by(Decision.version.desc())
            .limit(1)
            .scalar_subquery()
            .label(column.key)
        )

    towards = case((chosen.our_role == "processor", Duty.CONTROLLER.value), else_=Duty.AP.value)

    def first_filing(column: Any, label: str) -> Any:
        return (
            select(column)
            .where(Notification.incident_id == chosen.id, Notification.addressee == towards)
            .order_by(Notification.id)
            .limit(1)
            .scalar_subquery()
            .label(label)
        )

    informing = exists(select(Mailing.id).where(Mailing.incident_id == chosen.id))
    # The last filing was provisional and nothing followed it: a supplement is owed.
    supplement = (
        select(and_(Notification.provisional, Notification.kind != "withdrawal"))
        .where(Notification.incident_id == chosen.id, Notification.addressee == towards)
        .order_by(Notification.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return [
        *(chosen[column.key] for column in LISTED),
        latest_decision(Decision.notify_ap),
        latest_decision(Decision.inform_subjects),
        latest_decision(Decision.public_communication),
        first_filing(Notification.id, "filed_id"),
        first_filing(Notification.submitted_at, "filed_at"),
        first_filing(Notification.late, "filed_late"),
        informing.label("informing_started"),
        supplement.label("supplement_owed"),
    ]


#: The columns the order needs besides those listed (for sorting the page's rows again).
_SORTED_BY = (
    Incident.term_deadline,
    Incident.reported_at,
    Incident.updated_at,
)  # + state, aware_at


#: The roles that make an organisation's incidents someone's work (and their register).
SERVING_ROLES = [Role.FG.value, Role.ADMIN.value]


def organisations_served(user: User) -> Select[int]:
    """The organisations ``user`` serves as FG or administrator (a subquery of their ids)."""
    return select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role.in_(SERVING_ROLES)
    )


#: Urgency as a sort key in SQL: running terms (least time left first), then new reports and
#: confirmed breaches whose awareness is still to be recorded (oldest report first), then
#: those with no term running any more (notified, or none owed) and decided incidents, then
#: the rest (most recently changed first). Before, a breach already notified sat among the
#: new reports and pushed them down (found by exploratory testing).
def _urgency(of: Any) -> tuple[Any, ...]:
    """The sort key on the columns of ``of`` (the incident table, or a subquery of its rows)."""
    running = of.state.in_([s.value for s in RUNNING])
    group = case(
        (of.term_deadline.is_not(None), 0),
        (of.state.in_([s.value for s in UNTRIAGED]), 1),
        (and_(running, of.aware_at.is_(None)), 1),
        (or_(running, of.state == State.DECIDED.value), 2),
        else_=3,
    )
    return (
        group,
        of.term_deadline,
        case((group == 1, of.reported_at)),
        of.updated_at.desc(),
        of.id.desc(),
    )


_URGENCY = _urgency(Incident)


def served_organisations() -> Select[Any]:
    """The organisations the user with bind parameter ``user_id`` serves as FG or admin."""
    return select(Membership.organisation_id).where(
        Membership.user_id == bindparam("user_id"), Membership.role.in_(SERVING_ROLES)
    )


def inbox_filters(by_organisation: bool, by_state: bool) -> list[ColumnElement[bool]]:
    """The inbox's conditions, with bind parameters ``user_id``, ``organisation_id`` and
    ``state`` (the last two when filtered by them)."""
    where: list[ColumnElement[bool]] = [Incident.organisation_id.in_(served_organisations())]
    if by_organisation:
        where.append(Incident.organisation_id == bindparam("organisation_id"))
    if by_state:
        where.append(Incident.state == bindparam("state"))
    else:  # named, not "not in FINISHED", so that ix_incident_org_state is used
        where.append(Incident.state.in_([s.value for s in State if s not in FINISHED]))
    return where


@functools.cache
def page_statement(by_organisation: bool, by_state: bool) -> Select[Any]:
    """One page of the inbox (bind parameters: those of :func:`inbox_filters`, ``offset`` and
    ``limit``). Made once per kind of filter and kept: building this statement (a subquery
    and seven correlated lookups) cost more than running it.

    Plain columns, not the models: loading 50 incidents with their decisions and filings as
    objects was a third of the page's time; the clock reads the same values either way. The
    latest decision's duties, the first filing and whether informing has started come with
    each row (index lookups per row of the page), and the total with the page: one round trip,
    not four."""
    where = inbox_filters(by_organisation, by_state)
    chosen = (
        select(*LISTED, *_SORTED_BY)
        .where(*where)
        .order_by(*_URGENCY)
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )
    # Counted apart, once: a window count over the chosen rows made SQLite scan the table.
    total = select(func.count()).select_from(Incident).where(*where).scalar_subquery()
    return select(*page_columns(chosen.c), total.label("total")).order_by(*_urgency(chosen.c))
