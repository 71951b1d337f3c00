"""Reading an incident's list of people: the active list, and the people a search finds on
it (by row number, or a part of a name, e-mail address or reference). Reads only."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from ..models import Incident, Recipient, RecipientImport


def active_import(session: Session, incident: Incident) -> RecipientImport | None:
    """The incident's active list of people, or None."""
    return session.execute(
        select(RecipientImport).where(
            RecipientImport.incident_id == incident.id, RecipientImport.status == "active"
        )
    ).scalar_one_or_none()


def find_people(
    session: Session, imp: RecipientImport, query: str = "", *, limit: int = 25
) -> tuple[list[Recipient], int]:
    """The people of the list ``imp`` that ``query`` finds, in row order: the first ``limit``
    and how many there are. It finds a row number, or a part of a name, e-mail address or
    reference (case-insensitive); an empty query finds everyone. Reads only."""
    where = [Recipient.import_id == imp.id]
    matches = person_matches(session, query)
    if matches is not None:
        where.append(matches)
    total = session.execute(select(func.count()).where(*where)).scalar_one()
    people = session.execute(
        select(Recipient).where(*where).order_by(Recipient.row_number, Recipient.id).limit(limit)
    ).scalars()
    return list(people), int(total)


def person_matches(session: Session, query: str) -> ColumnElement[bool] | None:
    """The people ``query`` finds: a row number, or a part of a name, e-mail address or
    reference (case-insensitive); None for an empty query (everyone)."""
    wanted = query.strip()
    if not wanted:
        return None
    sqlite = session.get_bind().dialect.name == "sqlite"
    found = [
        # SQLite folds the case of ASCII letters only ("öztürk" missed "Öztürk"); PostgreSQL's
        # ILIKE folds every letter.
        func.bd_casefold(column).contains(wanted.casefold(), autoescape=True)
        if sqlite
        else column.icontains(wanted, autoescape=True)
        for column in (Recipient.name, Recipient.email, Recipient.reference)
    ]
    if wanted.isdigit() and len(wanted) <= 9:
        found.append(Recipient.row_number == int(wanted))
    return or_(*found)


def person_on(session: Session, imp: RecipientImport, person_id: int) -> Recipient | None:
    """The person ``person_id`` if they are on the list ``imp``; else None."""
    return session.execute(
        select(Recipient).where(Recipient.id == person_id, Recipient.import_id == imp.id)
    ).scalar_one_or_none()
