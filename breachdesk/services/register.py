"""The breach register (GDPR Art. 33(5)): every incident of the organisations a user serves.

One function answers every view of the register (:func:`view` for a page, :func:`rows` for an
export of the same view), filtered, searched, sorted and paged in the database, so a page costs
the same with a register of a thousand incidents or a hundred thousand:

- filters (built in :mod:`.register_query`) read stored columns (``decided_outcome``,
  ``data_kinds``, ``subjects_resolution``, ``term_deadline``) or indexed EXISTS probes;
- the search (:func:`.register_query.search_condition`) uses SQLite FTS5 or PostgreSQL
  full-text search behind one function with one meaning: every word must start a word;
- pages are keyset pages (a cursor of the last row's sort value and id, never an offset), so
  an incident reported while the FG reads page 2 does not shift page 3; the total is counted
  up to :data:`COUNT_CAP` and shown as "more than" beyond it.

Only the page's rows are read, as plain columns (their types are in :mod:`.register_rows`),
with their first filing and open actions in the same query; an export's rows with their
latest decision (and the reasons of the advice it rested on), first filing and actions in one
query each per batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    func,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from ..domain.actions import ActionStatus
from ..domain.assessment_json import reasons_from_text
from ..domain.reasons import Reason
from ..domain.register import RegisterFilter, Sending, Sort
from ..models import Decision, Incident, Notification, Organisation, RemedialAction, User
from . import actions as remedial_actions
from .decisions import latest_decisions
from .register_filings import (
    FILING_COLUMNS,
    INITIAL_FILING,
    filings_of,
    sending_of_ids,
    with_followed,
)
from .register_query import (
    conditions,
    decode_cursor,
    driven_by_matches,
    encode_cursor,
    ids_in,
)
from .register_rows import (
    _FACTS,
    COLUMNS,
    PAGE_COLUMNS,
    DecisionSummary,
    Filing,
    PageRow,
    RegisterPage,
    RegisterRow,
)

__all__ = [  # the rows' types live in .register_rows; they are this service's answers
    "COLUMNS",
    "COUNT_CAP",
    "PAGE_COLUMNS",
    "PAGE_SIZE",
    "DecisionSummary",
    "Filing",
    "PageRow",
    "RegisterPage",
    "RegisterRow",
    "capped_count",
    "count",
    "rows",
    "view",
]

#: Rows per register page.
PAGE_SIZE = 50
#: Rows counted for the "N incidents" line; beyond it the page says "more than N".
COUNT_CAP = 1_000
#: From how many rows in a view its pages walk the sort order's index (see conditions()).
IN_ORDER_FROM = 500
#: Rows read per query when exporting.
EXPORT_BATCH = 1_000
#: The most distinct advices (their reasons as stored) an export keeps read.
ADVICE_KEPT = 200


_SORT_COLUMN = {
    Sort.REPORTED_DESC: (Incident.reported_at, True),
    Sort.REPORTED_ASC: (Incident.reported_at, False),
    Sort.DISCOVERED_DESC: (Incident.discovered_at, True),
    Sort.DISCOVERED_ASC: (Incident.discovered_at, False),
    Sort.REFERENCE_ASC: (Incident.reference, False),
    Sort.REFERENCE_DESC: (Incident.reference, True),
}


def _ordered(
    statement: Select[Any], sort: Sort, after: tuple[Any, int] | None, backwards: bool
) -> Select[Any]:
    column, descending = _SORT_COLUMN[sort]
    if backwards:
        descending = not descending
    if after is not None:
        key = tuple_(column, Incident.id)
        bound = tuple_(*after)
        statement = statement.where(key < bound if descending else key > bound)
    if descending:
        return statement.order_by(column.desc(), Incident.id.desc())
    return statement.order_by(column.asc(), Incident.id.asc())


def _sort_value(row: RegisterRow | PageRow, sort: Sort) -> datetime | str:
    value: datetime | str = getattr(row, _SORT_COLUMN[sort][0].key)
    return value


def view(
    session: Session,
    user: User,
    wanted: RegisterFilter,
    now: datetime,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = PAGE_SIZE,
    count_search: bool = True,
) -> RegisterPage:
    """One page of the register as ``wanted``: the first page, the page after the cursor
    ``after``, or the page before the cursor ``before``.

    A search on PostgreSQL is not counted here unless ``count_search``: counting its matches
    reads every match from the GIN index (16,000 matches: 6-8 ms, more than the page's own
    rows), so the page comes first and :func:`capped_count` follows (``total`` is None).
    SQLite always counts: the count tells it whether to walk the sort order's index."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    counted = (
        capped_count(session, user, wanted, now)
        if count_search or sqlite or not wanted.terms
        else None
    )
    in_order = counted is not None and counted > IN_ORDER_FROM
    where = conditions(session, user, wanted, now, in_order=in_order)
    position = decode_cursor(before, wanted.sort) if before else None
    backwards = position is not None
    if not backwards and after:
        position = decode_cursor(after, wanted.sort)
    statement = _ordered(_base(where, PAGE_COLUMNS), wanted.sort, position, backwards)
    found = _page_rows(session, user, statement.limit(per_page + 1), wanted.sort, backwards)
    more = len(found) > per_page
    found = found[:per_page]
    if backwards:
        found.reverse()
    cursor = (lambda r: encode_cursor(_sort_value(r, wanted.sort), r.id)) if found else None
    if backwards:
        next_cursor = cursor(found[-1]) if cursor else None
        prev_cursor = cursor(found[0]) if cursor and more else None
    else:
        next_cursor = cursor(found[-1]) if cursor and more else None
        prev_cursor = cursor(found[0]) if cursor and position is not None else None
    return RegisterPage(
        rows=found,
        total=None if counted is None else min(counted, COUNT_CAP),
        more_than=counted is not None and counted > COUNT_CAP,
        next_cursor=next_cursor,
        prev_cursor=prev_cursor,
    )


def capped_count(session: Session, user: User, wanted: RegisterFilter, now: datetime) -> int:
    """How many incidents the view ``wanted`` holds, counted up to COUNT_CAP + 1 (the page
    says "more than COUNT_CAP" beyond it)."""
    if wanted.terms and session.get_bind().dialect.name == "sqlite":
        where = conditions(session, user, wanted, now, search=False)
        chosen = driven_by_matches(select(Incident.id), wanted.terms).where(*where)
    else:
        chosen = select(Incident.id).where(*conditions(session, user, wanted, now))
    return int(
        session.execute(
            select(func.count()).select_from(chosen.limit(COUNT_CAP + 1).subquery())
        ).scalar_one()
    )


def rows(
    session: Session,
    user: User,
    wanted: RegisterFilter,
    now: datetime,
    *,
    limit: int | None = None,
    batch: int = EXPORT_BATCH,
) -> Iterator[RegisterRow]:
    """Every row of the view ``wanted`` in its order (at most ``limit``), read ``batch`` rows
    at a time by keyset, so an export of any size holds one batch in memory."""
    where = conditions(session, user, wanted, now, in_order=limit is None)
    position: tuple[Any, int] | None = None
    given = 0
    advice: dict[str, tuple[Reason, ...]] = {}
    while limit is None or given < limit:
        size = batch if limit is None else min(batch, limit - given)
        statement = _ordered(_base(where, COLUMNS), wanted.sort, position, False).limit(size)
        found = _rows(session, session.execute(statement).all(), advice)
        yield from found
        given += len(found)
        if len(found) < size:
            return
        position = (_sort_value(found[-1], wanted.sort), found[-1].id)


def count(session: Session, user: User, wanted: RegisterFilter, now: datetime) -> int:
    """How many incidents the view ``wanted`` holds (counted in full)."""
    where = conditions(session, user, wanted, now)
    return int(session.execute(select(func.count(Incident.id)).where(*where)).scalar_one())


def _base(where: list[ColumnElement[bool]], columns: Sequence[Any]) -> Select[Any]:
    # No join with the organisations: it would give SQLite a way round the index steering
    # (driving from each organisation's rows); their names are read apart.
    return select(*columns).where(*where)


_ADVICE = Decision.recommendation_snapshot
#: The outcome a decision was advised: its own when it follows the advice (read from the
#: stored advice only for a decision that departs from it, which is rare; none for one taken
#: over from an earlier register, which had no advice: follows_recommendation is NULL).
_ADVISED = case(
    (Decision.follows_recommendation.is_(True), Decision.outcome),
    else_=_ADVICE["outcome"].as_string(),
)


def _rows(
    session: Session, found: Sequence[Any], advice: dict[str, tuple[Reason, ...]]
) -> list[RegisterRow]:
    """Export rows for the selected COLUMNS, with each incident's latest decision and first
    filing (one query each for all of them). ``advice`` holds the advices read so far."""
    ids = [row.id for row in found]
    if not ids:
        return []
    decisions = {
        d.incident_id: DecisionSummary(
            d.version,
            d.outcome,
            d.rationale,
            d.ruleset_version,
            d.follows_recommendation,
            d.decided_at,
            d.recommended or "",
            reasons_from_text(d.reasons, advice, kept=ADVICE_KEPT),
        )
        for d in latest_decisions(
            session,
            ids_in(session, Decision.incident_id, ids),
            Decision.version,
            Decision.outcome,
            Decision.rationale,
            Decision.ruleset_version,
            Decision.follows_recommendation,
            Decision.decided_at,
            _ADVISED.label("recommended"),
            # Only the reasons of the stored advice (the whole is a large JSON document: the
            # severity's arithmetic, the groups' own advice, ...), as its JSON text.
            _ADVICE["reasons"].as_string().label("reasons"),
        )
    }
    filings = filings_of(session, ids)
    measures = remedial_actions.by_incident(
        session, ids, ids_in(session, RemedialAction.incident_id, ids)
    )
    names = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_({row.organisation_id for row in found})
            )
        ).all()
    )
    sending = sending_of_ids(session, ids)
    result = []
    for row in found:
        values = tuple(row)  # positional: far cheaper than a mapping per row
        consequences = values[_FACTS]
        result.append(
            RegisterRow(  # type: ignore[misc]  # the columns fill the fields before these
                *values[:_FACTS],
                organisation=names.get(row.organisation_id, ""),
                consequences=list(consequences or []),
                decision=decisions.get(row.id),
                filing=filings.get(row.id),
                actions=measures.get(row.id, []),
                sending=Sending(sending.get(row.id, "")),
            )
        )
    return result


def _page_rows(
    session: Session, user: User, chosen: Select[Any], sort: Sort, backwards: bool
) -> list[PageRow]:
    """The rows ``chosen`` selects (PAGE_COLUMNS, ordered and limited), with each incident's
    first filing and its number of open actions looked up per row of the page in the same
    round trip (after the rows are chosen, so only for the page's rows); the organisations'
    names are the user's own memberships, already loaded for the request."""
    page = chosen.subquery()
    first = (
        select(func.min(Notification.id))
        .where(Notification.incident_id == page.c.id, *INITIAL_FILING)
        .correlate(page)  # not the notification joined outside: this one looks its own up
        .scalar_subquery()
    )
    open_count = (
        select(func.count())
        .where(
            RemedialAction.incident_id == page.c.id,
            RemedialAction.status == ActionStatus.OPEN.value,
        )
        .scalar_subquery()
    )
    column, descending = _SORT_COLUMN[sort]
    if backwards:
        descending = not descending
    key = (page.c[column.key], page.c.id)
    statement = (
        select(
            *page.c,
            Notification.id.label("filing_id"),
            *FILING_COLUMNS,
            open_count.label("open_count"),
        )
        .select_from(page)
        .outerjoin(Notification, Notification.id == first)
        .order_by(*(k.desc() if descending else k.asc() for k in key))
    )
    names = {m.organisation_id: m.organisation.name for m in user.memberships}
    listed = len(PAGE_COLUMNS)
    found = session.execute(statement).all()
    sending = sending_of_ids(session, [row.id for row in found])
    filed = with_followed(
        session,
        {
            row.id: Filing(*row[listed + 1 : listed + 1 + len(FILING_COLUMNS)])
            for row in found
            if row.filing_id is not None
        },
    )
    return [
        PageRow(  # type: ignore[misc]  # the columns fill the fields before these
            *row[:listed],
            organisation=names.get(row.organisation_id, ""),
            filing=filed.get(row.id),
            open_count=int(row.open_count or 0),
            sending=Sending(sending.get(row.id, "")),
        )
        for row in found
    ]
