"""The top bar's counts: how many of a user's running terms are overdue or due soon, and how
many decisions are out of date. Every page of an FG shows them, so they are aggregates on
stored columns (``term_deadline``, ``decision_stale``) through indexes, in one statement
built once, costing the same with ten incidents or a register of 100,000."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select, true
from sqlalchemy.orm import Session

from ..domain.deadline import DUE_SOON
from ..domain.lifecycle import State
from ..models import Incident, User
from .inbox_query import RUNNING, served_organisations


@dataclass(frozen=True)
class Urgency:
    """How many of a user's running terms are overdue or due soon (shown in the top bar)."""

    overdue: int = 0
    due_soon: int = 0
    stale: int = 0  # decisions out of date: the checklist now advises other duties

    @property
    def total(self) -> int:
        return self.overdue + self.due_soon


@functools.cache
def _urgency_statement() -> Select[Any]:
    """The top bar's counts (bind parameters ``user_id``, ``now`` and ``soon``), made once."""
    orgs = served_organisations()
    term_states = [s.value for s in (*RUNNING, State.DECIDED)]
    now = bindparam("now", type_=Incident.term_deadline.type)
    # Only terms that are overdue or due soon are read, through ix_incident_org_term.
    terms = (
        select(
            func.count().filter(Incident.term_deadline < now).label("overdue"),
            func.count().filter(Incident.term_deadline >= now).label("due_soon"),
        )
        .where(
            Incident.organisation_id.in_(orgs),
            Incident.term_deadline <= bindparam("soon", type_=Incident.term_deadline.type),
            Incident.state.in_(term_states),
        )
        .subquery()
    )
    # Only assessed and decided incidents are read, through ix_incident_org_state.
    stale = (
        select(func.count())
        .where(
            Incident.organisation_id.in_(orgs),
            Incident.state.in_([State.ASSESSED.value, State.DECIDED.value]),
            # "= true" written as a constant, which SQLite matches to ix_incident_stale.
            Incident.decision_stale == true(),
        )
        .scalar_subquery()
    )
    # One round trip for both counts; each keeps its own index.
    return select(terms.c.overdue, terms.c.due_soon, stale)


def urgency(session: Session, user: User, now: datetime) -> Urgency:
    """Count the running terms of ``user``'s organisations that are overdue or due soon, and
    the decisions out of date: two aggregate queries on stored columns (``term_deadline``),
    each reading only the rows it counts through an index, so the count costs the same with
    ten incidents or a register of 100,000."""
    overdue, due_soon, stale_count = session.execute(
        _urgency_statement(), {"user_id": user.id, "now": now, "soon": now + DUE_SOON}
    ).one()
    return Urgency(int(overdue or 0), int(due_soon or 0), int(stale_count or 0))
