"""Which incidents a register view holds: its WHERE clauses, and the full-text search.

:func:`conditions` turns a :class:`~breachdesk.domain.register.RegisterFilter` into SQL on
stored columns and indexed EXISTS probes; :func:`search_condition` is the one search of both
databases (SQLite FTS5, PostgreSQL full text); :func:`encode_cursor` and :func:`decode_cursor`
name the row a keyset page continues from. Used by :mod:`.register` for pages, exports and
counts alike.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    any_,
    case,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from ..domain.assessment import Outcome
from ..domain.delivery import Kind
from ..domain.delivery import Status as DeliveryStatus
from ..domain.duties import SubjectsResolution
from ..domain.lifecycle import State
from ..domain.register import NO_BREACH_STATES, Informed, Notified, RegisterFilter, Sending, Sort
from ..domain.timeutil import local_to_utc
from ..models import Delivery, Incident, Mailing, Notification, Recipient, User
from ..models.incident_search import PG_VECTOR, SEARCH_TABLE
from .inbox_query import organisations_served

_EXEMPT = [
    SubjectsResolution.ENCRYPTED.value,
    SubjectsResolution.MEASURES.value,
    SubjectsResolution.DISPROPORTIONATE.value,
    SubjectsResolution.OTHER.value,
]


def search_condition(
    session: Session, terms: Sequence[str], *, in_order: bool = False
) -> ColumnElement[bool]:
    """Incidents whose text has a word starting with each of ``terms`` (see
    :func:`breachdesk.domain.register.search_terms`), through the full-text index of the
    database in use: SQLite FTS5, or PostgreSQL's ``tsvector`` with a GIN index. With
    ``in_order`` (SQLite), the matches are checked while walking the sort order's index
    instead of being fetched and sorted (see :func:`conditions`)."""
    if not terms:
        return and_(True)
    if session.get_bind().dialect.name == "postgresql":
        query = " & ".join(f"{term}:*" for term in terms)
        return literal_column(PG_VECTOR).op("@@")(func.to_tsquery("simple", query))
    matching: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text(SEARCH_TABLE))
        .where(literal_column(SEARCH_TABLE).op("MATCH")(_fts_query(terms)))
    )
    found: ColumnElement[bool] = _plain(Incident.id, in_order).in_(matching)
    return found


def _fts_query(terms: Sequence[str]) -> str:
    """FTS5: each word quoted (so no word is read as an operator), as a prefix, all required."""
    return " ".join('"' + term.replace('"', '""') + '"*' for term in terms)


def driven_by_matches(statement: Select[Any], terms: Sequence[str]) -> Select[Any]:
    """``statement`` (on the incident table, without the search condition) read from the FTS5
    matches of ``terms`` onwards (SQLite), joined to their incidents: a capped count then stops
    after enough matches instead of first collecting all of them (16,479 for "laptop" in
    100,000 incidents: 1.4 ms instead of 3.3-4.5 ms)."""
    matches = table(SEARCH_TABLE, column("rowid"))
    return (
        statement.select_from(matches)
        .join(Incident, Incident.id == matches.c.rowid)
        .where(literal_column(SEARCH_TABLE).op("MATCH")(_fts_query(terms)))
    )


def _imported() -> ColumnElement[bool]:
    """The entry was imported from a register kept before breachdesk."""
    return Incident.imported_from.is_not(None)


def _plain(column: Any, in_order: bool) -> Any:
    """``column``, or (``in_order``) ``column + 0``, which SQLite does not look up by index."""
    return column + 0 if in_order else column


def conditions(
    session: Session,
    user: User,
    wanted: RegisterFilter,
    now: datetime,
    *,
    in_order: bool = False,
    search: bool = True,
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a register view: ``user``'s organisations, narrowed by ``wanted``
    (without its search when not ``search``: see :func:`driven_by_matches`).

    ``in_order``: the view holds many rows, so the first page is found fastest by walking the
    sort order's index and stopping after a page. SQLite has no statistics to know that, and
    would look up the organisations' rows (or the search's matches) by index and sort them
    all; writing those columns as ``column + 0`` takes those indexes out of its choice.
    PostgreSQL plans by its statistics and gets the plain query (``column + 0`` would only
    spoil its estimates).
    """
    # PostgreSQL estimates from its statistics and plans better left alone.
    in_order = in_order and session.get_bind().dialect.name == "sqlite"
    served = organisations_served(user)
    organisation = _plain(Incident.organisation_id, in_order)
    where: list[ColumnElement[bool]] = [organisation.in_(served)]
    if wanted.organisation_id is not None:
        where.append(organisation == wanted.organisation_id)
    if wanted.year is not None:
        # The reference year is the Dutch calendar year of the report: the same as a range of
        # reported_at, which (unlike the year) the sort index can seek to. Not so for an entry
        # imported from an earlier register: its year is the year of its discovery, and its
        # reported_at the moment of the import (every imported entry was left out of the
        # years it belongs to: found by exploratory testing).
        start, end = _start_of(date(wanted.year, 1, 1)), _start_of(date(wanted.year + 1, 1, 1))
        reported_then = and_(Incident.reported_at >= start, Incident.reported_at < end)
        where += [Incident.year == wanted.year, or_(reported_then, _imported())]
    if wanted.discovered_from is not None:
        where.append(Incident.discovered_at >= _start_of(wanted.discovered_from))
    if wanted.discovered_to is not None:
        where.append(Incident.discovered_at < _start_of(wanted.discovered_to) + timedelta(days=1))
    if wanted.undecided:
        where.append(Incident.decided_outcome.is_(None))
    elif wanted.outcome is not None:
        where.append(Incident.decided_outcome == wanted.outcome.value)
    if wanted.notified is not None:
        filed = _filed()
        where.append(filed if wanted.notified is Notified.YES else ~filed)
    if wanted.informed is not None:
        where.append(_informed(wanted.informed))
    if wanted.late:
        late_filing = exists().where(
            Notification.incident_id == Incident.id, Notification.late.is_(True)
        )
        where.append(or_(late_filing, and_(Incident.term_deadline < now, ~_filed())))
    if wanted.state is not None:
        where.append(Incident.state == wanted.state.value)
    else:
        # Discarded reports (spam, tests) were never incidents: shown only when asked for.
        where.append(Incident.state != State.DISCARDED.value)
    if wanted.data_kind is not None:
        where.append(Incident.data_kinds.contains(f"|{wanted.data_kind.value}|"))
    if wanted.terms and search:
        where.append(search_condition(session, wanted.terms, in_order=in_order))
    return where


def _start_of(day: Any) -> datetime:
    """The start of a calendar day in Dutch time, in UTC."""
    return local_to_utc(datetime.combine(day, time()))


def _filed() -> ColumnElement[bool]:
    return exists().where(
        Notification.incident_id == Incident.id,
        Notification.kind == "initial",
        Notification.addressee.in_(["ap", "controller"]),
    )


def _informed(informed: Informed) -> ColumnElement[bool]:
    """The incidents whose duty to inform stands as ``informed``: the SQL of
    :func:`breachdesk.domain.register.informed_state`, case by case."""
    not_recorded = SubjectsResolution.NOT_RECORDED.value
    unresolved = Incident.subjects_resolution == ""
    sending_speaks = Incident.subjects_resolution.in_(("", not_recorded))
    owed = Incident.decided_outcome == Outcome.NOTIFY_AP_AND_SUBJECTS.value
    under_way, done = sending_under_way(Incident.id), sending_done(Incident.id)
    none_sent = or_(~_has_mailing(Incident.id), and_(~under_way, ~done))
    nothing_sent = and_(unresolved, none_sent)
    if informed is Informed.INFORMED:
        recorded = Incident.subjects_resolution == SubjectsResolution.INFORMED.value
        return or_(recorded, and_(sending_speaks, ~under_way, done))
    if informed is Informed.INFORMING:
        return and_(sending_speaks, under_way)
    if informed is Informed.EXEMPT:
        return Incident.subjects_resolution.in_(_EXEMPT)
    if informed is Informed.UNKNOWN:
        return and_(Incident.subjects_resolution == not_recorded, none_sent)
    no_breach = Incident.state.in_(NO_BREACH_STATES)
    if informed is Informed.NOT_A_BREACH:
        return and_(nothing_sent, no_breach)
    if informed is Informed.OWED:
        return and_(nothing_sent, ~no_breach, owed)
    if informed is Informed.UNDECIDED:
        return and_(nothing_sent, ~no_breach, Incident.decided_outcome.is_(None))
    return and_(nothing_sent, ~no_breach, Incident.decided_outcome.is_not(None), ~owed)


#: A notice to a person not yet delivered: still to send, paused, or failed.
_UNDELIVERED = (
    DeliveryStatus.PLANNED.value,
    DeliveryStatus.SENDING.value,
    DeliveryStatus.HELD.value,
    DeliveryStatus.FAILED.value,
)


def _has_mailing(incident_id: Any) -> ColumnElement[bool]:
    """breachdesk started informing the people of ``incident_id`` (every notice to a person
    belongs to a mailing): one probe, which spares most incidents the others."""
    return exists().where(Mailing.incident_id == incident_id)


def sending_under_way(incident_id: Any) -> ColumnElement[bool]:
    """breachdesk's informing of the incident ``incident_id`` (a column) is not finished: a
    mailing is being prepared, a notice is undelivered, or a mailing's letters are not posted.
    Index probes on the incident's mailings and deliveries."""
    undelivered = exists().where(
        Delivery.incident_id == incident_id,
        Delivery.status.in_(_UNDELIVERED),
        Delivery.kind == Kind.PEOPLE_NOTICE.value,
        ~reached_later(Delivery),
    )
    mailing_open = exists().where(
        Mailing.incident_id == incident_id,
        or_(
            Mailing.status == "preparing",
            and_(
                Mailing.letters > 0,
                Mailing.letters_posted_at.is_(None),
                Mailing.status != "cancelled",
            ),
        ),
    )
    return and_(_has_mailing(incident_id), or_(mailing_open, undelivered))


def reached_later(failed: Any) -> ColumnElement[bool]:
    """The person of the notice ``failed`` (a :class:`Delivery`, or an alias of it) was
    reached by a later mailing of the incident: a notice sent to the same address (a
    corrected list sent to those not reached yet). Such a failure no longer leaves the
    informing unfinished. Probed only for undelivered notices, which are few."""
    person, later, theirs = aliased(Recipient), aliased(Delivery), aliased(Recipient)
    return (
        exists()
        .where(
            person.id == failed.recipient_id,
            later.incident_id == failed.incident_id,
            later.kind == Kind.PEOPLE_NOTICE.value,
            later.status == DeliveryStatus.SENT.value,
            later.mailing_id > failed.mailing_id,
            theirs.id == later.recipient_id,
            func.lower(theirs.email) == func.lower(person.email),
        )
        .correlate(failed)
    )


def sending_done(incident_id: Any) -> ColumnElement[bool]:
    """breachdesk has delivered a notice or posted letters for the incident ``incident_id``."""
    delivered = exists().where(
        Delivery.incident_id == incident_id,
        Delivery.status == DeliveryStatus.SENT.value,
        Delivery.kind == Kind.PEOPLE_NOTICE.value,
    )
    posted = exists().where(
        Mailing.incident_id == incident_id, Mailing.letters_posted_at.is_not(None)
    )
    return and_(_has_mailing(incident_id), or_(posted, delivered))


def sending_of(incident_id: Any) -> ColumnElement[str]:
    """A :class:`~breachdesk.domain.register.Sending` value for the incident ``incident_id``
    (a column), for a page's or an export's rows: one probe for an incident without a
    mailing (most of them)."""
    return case(
        (~_has_mailing(incident_id), Sending.NOTHING.value),
        (sending_under_way(incident_id), Sending.UNDER_WAY.value),
        (sending_done(incident_id), Sending.DONE.value),
        else_=Sending.NOTHING.value,
    )


def with_mailings(session: Session, ids: Sequence[int]) -> list[int]:
    """Those of the incidents ``ids`` for which breachdesk started informing the people."""
    return list(
        session.execute(
            select(Mailing.incident_id).distinct().where(ids_in(session, Mailing.incident_id, ids))
        ).scalars()
    )


# Keyset cursors: the sort value and id of the row a page continues from.


def encode_cursor(value: datetime | str, row_id: int) -> str:
    raw = (value.isoformat() if isinstance(value, datetime) else f"s:{value}") + f"|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort) -> tuple[datetime | str, int] | None:
    """The sort value and id in ``cursor``; None for a cursor that is not one of ours or
    belongs to another sort order (the view then starts at the first page)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        value, row_id = raw.rsplit("|", 1)
        if sort in (Sort.REFERENCE_ASC, Sort.REFERENCE_DESC):
            if not value.startswith("s:"):
                return None
            return value[2:], int(row_id)
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return None
        return parsed.astimezone(UTC), int(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def ids_in(session: Session, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """``column IN ids``, written for the database in use. An export reads 1,000 incidents at
    a time; on PostgreSQL a thousand placeholders make a statement too long for psycopg's
    statement cache, which then parses it anew for every batch (a sixth of an export's time),
    so there the ids go as one array: ``column = ANY(:ids)``."""
    found: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        found = column == any_(literal(list(ids), ARRAY(Integer)))
    else:
        found = column.in_(ids)
    return found
