"""The dashboard: the register's figures for a board member, counted in SQL.

For the organisations a user serves (or one of them) and a span of calendar months: personal-
data breaches per month (by the month of discovery, Dutch time), by decision, by type of breach;
of those notified to the AP, the share notified on time and the median hours from awareness to
filing; and the incidents still open. Every figure is an aggregate over an indexed range; only
the filings of the span are read row by row (for the median).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, and_, case, cast, func, select
from sqlalchemy.orm import Session

from ..domain.dashboard import Month, median, share
from ..domain.lifecycle import BREACH_STATES, UNTRIAGED_STATES, State
from ..models import Incident, Notification, User
from . import actions
from .inbox_query import FINISHED, organisations_served

#: The types of breach, as stored in the incident's breach_types list.
BREACH_TYPES = ("confidentiality", "integrity", "availability")


@dataclass(frozen=True)
class Figures:
    months: list[tuple[Month, int]]  # breaches discovered per month
    by_outcome: dict[str, int]  # decided outcome ("" for no decision yet) -> breaches
    by_type: dict[str, int]  # breach type -> breaches (one breach may have several)
    breaches: int
    not_breaches: int  # incidents judged not to be a personal-data breach
    to_triage: int  # reports not yet judged (not counted as breaches)
    filed: int  # breaches notified to the AP (first filing in the span)
    filed_on_time: int
    median_hours_to_filing: float | None
    open_incidents: int  # not yet closed, at any date
    open_actions: int  # remedial actions not yet done, at any date
    #: Of ``filed``, those whose date is not known (imported from an earlier register that
    #: gave none): neither in time nor late, so left out of the share on time.
    filed_undated: int = 0

    @property
    def on_time_share(self) -> float | None:
        return share(self.filed_on_time, self.filed - self.filed_undated)


def _scope(user: User, organisation_id: int | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Incident.organisation_id.in_(organisations_served(user))]
    if organisation_id is not None:
        where.append(Incident.organisation_id == organisation_id)
    return where


def figures(
    session: Session, user: User, months: list[Month], organisation_id: int | None = None
) -> Figures:
    """The dashboard's figures for ``months`` (consecutive, oldest first)."""
    scope = _scope(user, organisation_id)
    start, end = months[0].start, months[-1].end
    in_span = [*scope, Incident.discovered_at >= start, Incident.discovered_at < end]
    # Confirmed breaches only: a report not yet judged is not one (yet), nor is a discarded one.
    breach = Incident.state.in_([s.value for s in BREACH_STATES])
    untriaged = Incident.state.in_([s.value for s in UNTRIAGED_STATES])

    month_of = case(
        *[(Incident.discovered_at < m.end, index) for index, m in enumerate(months)],
        else_=len(months),
    )
    per_month: dict[int, int] = dict(
        session.execute(
            select(month_of, func.count()).where(*in_span, breach).group_by(month_of)
        ).all()
    )
    by_outcome = {
        str(outcome or ""): int(n)
        for outcome, n in session.execute(
            select(Incident.decided_outcome, func.count())
            .where(*in_span, breach)
            .group_by(Incident.decided_outcome)
        ).all()
    }
    types_text = cast(Incident.breach_types, String)
    type_counts = session.execute(
        select(
            *[
                func.count().filter(and_(breach, types_text.like(f'%"{kind}"%')))
                for kind in BREACH_TYPES
            ],
            func.count().filter(breach),
            func.count().filter(Incident.state == State.NOT_A_BREACH.value),
            func.count().filter(untriaged),
        ).where(*in_span)
    ).one()
    first_filing = (
        select(
            Notification.incident_id,
            func.min(Notification.id).label("id"),
        )
        .where(Notification.kind == "initial", Notification.addressee == "ap")
        .group_by(Notification.incident_id)
        .subquery()
    )
    filings = session.execute(
        select(Incident.aware_at, Notification.submitted_at, Notification.late)
        .join(first_filing, first_filing.c.incident_id == Incident.id)
        .join(Notification, Notification.id == first_filing.c.id)
        .where(*in_span)
    ).all()
    hours = [
        (submitted - aware).total_seconds() / 3600
        for aware, submitted, _late in filings
        if aware is not None and submitted is not None
    ]
    open_incidents = session.execute(
        select(func.count()).where(
            *scope, Incident.state.in_([s.value for s in State if s not in FINISHED])
        )
    ).scalar_one()
    return Figures(
        months=[(m, int(per_month.get(index, 0))) for index, m in enumerate(months)],
        by_outcome=by_outcome,
        by_type={kind: int(n or 0) for kind, n in zip(BREACH_TYPES, type_counts[:3], strict=True)},
        breaches=int(type_counts[3] or 0),
        not_breaches=int(type_counts[4] or 0),
        to_triage=int(type_counts[5] or 0),
        filed=len(filings),
        filed_on_time=sum(1 for *_rest, late in filings if late is False),
        filed_undated=sum(1 for *_rest, late in filings if late is None),
        median_hours_to_filing=median(hours),
        open_incidents=int(open_incidents),
        open_actions=actions.open_count(
            session,
            [organisation_id] if organisation_id is not None else organisations_served(user),
        ),
    )
