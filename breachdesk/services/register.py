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

Only the page's rows are read, as plain columns; their latest decision and first filing are
read in one query each.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from ..domain.assessment import Outcome
from ..domain.duties import SubjectsResolution
from ..domain.register import Informed, RegisterFilter, Sort
from ..models import Decision, Incident, Notification, Organisation, RemedialAction, User
from . import actions as remedial_actions
from .register_query import conditions, decode_cursor, encode_cursor, ids_in

#: Rows per register page.
PAGE_SIZE = 50
#: Rows counted for the "N incidents" line; beyond it the page says "more than N".
COUNT_CAP = 1_000
#: From how many rows in a view its pages walk the sort order's index (see conditions()).
IN_ORDER_FROM = 500
#: Rows read per query when exporting.
EXPORT_BATCH = 1_000


@dataclass(frozen=True)
class Filing:
    """The first notification to the AP (or, as processor, to the controller)."""

    addressee: str
    submitted_at: datetime
    reference: str  # the AP's meldnummer
    late: bool
    delay_reason: str
    provisional: bool


@dataclass(frozen=True)
class DecisionSummary:
    version: int
    outcome: str
    rationale: str
    ruleset_version: str
    follows_recommendation: bool
    decided_at: datetime


class _Standing:
    """How an incident stands in the register, read from its row's fields (shared by a
    page's rows and an export's)."""

    subjects_mode: str
    subjects_exact: int | None
    subjects_min: int | None
    subjects_max: int | None
    subjects_resolution: str
    decided_outcome: str | None
    term_deadline: datetime | None
    filing: Filing | None

    @property
    def people(self) -> str:
        """The number of people affected as known: "120", "100–500" or ""."""
        if self.subjects_mode == "exact" and self.subjects_exact is not None:
            return str(self.subjects_exact)
        if self.subjects_mode == "range" and self.subjects_min is not None:
            return f"{self.subjects_min}–{self.subjects_max}"
        return ""

    @property
    def notified(self) -> bool:
        return self.filing is not None

    def informed(self) -> Informed:
        if self.subjects_resolution == SubjectsResolution.INFORMED.value:
            return Informed.INFORMED
        if self.subjects_resolution:
            return Informed.EXEMPT
        if self.decided_outcome == Outcome.NOTIFY_AP_AND_SUBJECTS.value:
            return Informed.OWED
        if self.decided_outcome is None:
            return Informed.UNDECIDED
        return Informed.NOT_REQUIRED

    def late(self, now: datetime) -> bool:
        """Filed late, or not filed while its term has run out."""
        if self.filing is not None:
            return self.filing.late
        return self.term_deadline is not None and self.term_deadline < now


@dataclass(frozen=True)
class RegisterRow(_Standing):
    """One incident with every Art. 33(5) fact the register keeps (an export's row), read as
    plain values."""

    id: int
    reference: str
    organisation_id: int
    title: str
    description: str
    state: str
    reported_at: datetime
    discovered_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    aware_at: datetime | None
    closed_at: datetime | None
    our_role: str
    breach_types: list[str]
    data_categories: list[dict[str, Any]]
    data_other: str
    data_kinds: str
    subjects_mode: str
    subjects_exact: int | None
    subjects_min: int | None
    subjects_max: int | None
    subject_groups: list[dict[str, Any]]
    containment: list[str]
    containment_details: str
    not_breach_reason: str
    decided_outcome: str | None
    subjects_resolution: str
    subjects_resolution_at: datetime | None
    subjects_resolution_note: str
    public_resolution: str
    term_deadline: datetime | None
    imported_from: str  # the SHA-256 of the earlier register it was imported from, or ""
    # Not columns of their own (the fields above are COLUMNS, in order):
    organisation: str
    consequences: list[str]
    decision: DecisionSummary | None
    filing: Filing | None
    actions: list[tuple[str, str]]  # remedial actions: (title, status)

    def open_actions(self) -> int:
        return sum(1 for _title, status in self.actions if status == "open")


@dataclass(frozen=True)
class PageRow(_Standing):
    """One incident as a register page lists it: what its table shows, nothing more (the
    page reads neither the long texts nor the decision; the incident's own page has them)."""

    id: int
    reference: str
    organisation_id: int
    title: str
    state: str
    reported_at: datetime
    discovered_at: datetime
    closed_at: datetime | None
    data_categories: list[dict[str, Any]]
    subjects_mode: str
    subjects_exact: int | None
    subjects_min: int | None
    subjects_max: int | None
    decided_outcome: str | None
    subjects_resolution: str
    term_deadline: datetime | None
    imported_from: str
    # Not columns of their own (the fields above are PAGE_COLUMNS, in order):
    organisation: str
    filing: Filing | None
    open_count: int  # remedial actions still open

    def open_actions(self) -> int:
        return self.open_count


@dataclass(frozen=True)
class RegisterPage:
    rows: list[PageRow]
    total: int  # counted up to COUNT_CAP
    more_than: bool  # the total is more than COUNT_CAP
    next_cursor: str | None  # rows after the last one
    prev_cursor: str | None  # rows before the first one

    @property
    def first_page(self) -> bool:
        return self.prev_cursor is None


COLUMNS = (
    Incident.id,
    Incident.reference,
    Incident.organisation_id,
    Incident.title,
    Incident.description,
    Incident.state,
    Incident.reported_at,
    Incident.discovered_at,
    Incident.started_at,
    Incident.ended_at,
    Incident.aware_at,
    Incident.closed_at,
    Incident.our_role,
    Incident.breach_types,
    Incident.data_categories,
    Incident.data_other,
    Incident.data_kinds,
    Incident.subjects_mode,
    Incident.subjects_exact,
    Incident.subjects_min,
    Incident.subjects_max,
    Incident.subject_groups,
    Incident.containment,
    Incident.containment_details,
    Incident.not_breach_reason,
    Incident.decided_outcome,
    Incident.subjects_resolution,
    Incident.subjects_resolution_at,
    Incident.subjects_resolution_note,
    Incident.public_resolution,
    Incident.term_deadline,
    Incident.imported_from,
    # Last: RegisterRow takes the columns before it in its fields' order. Only the answer the
    # register shows is read from the checklist's answers (a large JSON document per incident).
    Incident.facts["consequences"].label("consequences"),
)

_FACTS = len(COLUMNS) - 1
#: What a page's table shows (PageRow's fields, in order).
PAGE_COLUMNS = (
    Incident.id,
    Incident.reference,
    Incident.organisation_id,
    Incident.title,
    Incident.state,
    Incident.reported_at,
    Incident.discovered_at,
    Incident.closed_at,
    Incident.data_categories,
    Incident.subjects_mode,
    Incident.subjects_exact,
    Incident.subjects_min,
    Incident.subjects_max,
    Incident.decided_outcome,
    Incident.subjects_resolution,
    Incident.term_deadline,
    Incident.imported_from,
)

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
) -> RegisterPage:
    """One page of the register as ``wanted``: the first page, the page after the cursor
    ``after``, or the page before the cursor ``before``."""
    counted = int(
        session.execute(
            select(func.count()).select_from(
                select(Incident.id)
                .where(*conditions(session, user, wanted, now))
                .limit(COUNT_CAP + 1)
                .subquery()
            )
        ).scalar_one()
    )
    where = conditions(session, user, wanted, now, in_order=counted > IN_ORDER_FROM)
    position = decode_cursor(before, wanted.sort) if before else None
    backwards = position is not None
    if not backwards and after:
        position = decode_cursor(after, wanted.sort)
    statement = _ordered(_base(where, PAGE_COLUMNS), wanted.sort, position, backwards)
    statement = statement.limit(per_page + 1)
    found = _page_rows(session, user, session.execute(statement).all())
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
        total=min(counted, COUNT_CAP),
        more_than=counted > COUNT_CAP,
        next_cursor=next_cursor,
        prev_cursor=prev_cursor,
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
    while limit is None or given < limit:
        size = batch if limit is None else min(batch, limit - given)
        statement = _ordered(_base(where, COLUMNS), wanted.sort, position, False).limit(size)
        found = _rows(session, session.execute(statement).all())
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


def _rows(session: Session, found: Sequence[Any]) -> list[RegisterRow]:
    """Export rows for the selected COLUMNS, with each incident's latest decision and first
    filing (one query each for all of them)."""
    ids = [row.id for row in found]
    if not ids:
        return []
    latest = (
        select(Decision.incident_id, func.max(Decision.version).label("version"))
        .where(ids_in(session, Decision.incident_id, ids))
        .group_by(Decision.incident_id)
        .subquery()
    )
    # Plain columns, not the models: a decision's and a filing's snapshots are large JSON.
    decisions = {
        d.incident_id: DecisionSummary(*d[1:])
        for d in session.execute(
            select(
                Decision.incident_id,
                Decision.version,
                Decision.outcome,
                Decision.rationale,
                Decision.ruleset_version,
                Decision.follows_recommendation,
                Decision.decided_at,
            ).join(
                latest,
                and_(
                    Decision.incident_id == latest.c.incident_id,
                    Decision.version == latest.c.version,
                ),
            )
        )
    }
    filings = _filings(session, ids)
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
            )
        )
    return result


def _filings(session: Session, ids: list[int]) -> dict[int, Filing]:
    """incident id -> its first notification to the AP (or the controller), one query."""
    filings: dict[int, Filing] = {}
    for n in session.execute(
        select(
            Notification.incident_id,
            Notification.addressee,
            Notification.submitted_at,
            Notification.reference,
            Notification.late,
            Notification.delay_reason,
            Notification.provisional,
        )
        .where(
            ids_in(session, Notification.incident_id, ids),
            Notification.kind == "initial",
            Notification.addressee.in_(["ap", "controller"]),
        )
        .order_by(Notification.id)
    ):
        filings.setdefault(n.incident_id, Filing(*n[1:]))
    return filings


def _page_rows(session: Session, user: User, found: Sequence[Any]) -> list[PageRow]:
    """A page's rows for the selected PAGE_COLUMNS, with each incident's first filing and its
    number of open actions (one query each); the organisations' names are the user's own
    memberships, already loaded for the request."""
    ids = [row.id for row in found]
    if not ids:
        return []
    filings = _filings(session, ids)
    open_counts = remedial_actions.open_by_incident(session, ids)
    names = {m.organisation_id: m.organisation.name for m in user.memberships}
    return [
        PageRow(  # type: ignore[misc]  # the columns fill the fields before these
            *row,
            organisation=names.get(row.organisation_id, ""),
            filing=filings.get(row.id),
            open_count=open_counts.get(row.id, 0),
        )
        for row in found
    ]
