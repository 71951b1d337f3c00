"""Importing the people to inform about a breach (Art. 34 GDPR), and erasing them later.

The steps, each its own call:

1. :func:`read_table` (from :mod:`.recipient_files`): the file's columns, first rows and a
   proposed :class:`~breachdesk.domain.recipients.Mapping`; nothing is stored.
2. :func:`stage_import`: every row checked (:func:`~breachdesk.domain.recipients.validate_row`,
   e-mail addresses by ``email-validator``, duplicates), the good ones written into a new
   ``staging`` :class:`~breachdesk.models.RecipientImport` in chunks, each chunk its own
   short transaction (a long write transaction would hold SQLite's write lock and freeze the
   app). The totals are written last, so an import whose writing stopped halfway has no valid
   rows and cannot be activated; a failure marks it ``discarded`` and deletes its rows.
3. :func:`activate`: one short transaction makes it the incident's ``active`` list and the
   previous one ``replaced``; or :func:`discard`.

:func:`error_report_csv` (from :mod:`.recipient_files`) gives the refused rows for Excel;
:func:`active_import`, :func:`find_people` and :func:`person_on` (from
:mod:`.recipient_lookup`) read a list.
:func:`purge` and :func:`purge_due` (from :mod:`.recipient_retention`) erase the people of an
incident's lists after the retention period, keeping counts and digests. Audit events hold
counts and digests, never personal data.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..domain.evidence import safe_filename
from ..domain.recipients import (
    Channel,
    Duplicates,
    Mapping,
    PersonRow,
    RecipientImportError,
    RowError,
    check_mapping,
    duplicate_error,
    letter,
    validate_row,
)
from ..domain.text import N_
from ..models import Incident, Recipient, RecipientImport, User
from ..models.people import MAX_ERRORS_KEPT
from . import audit
from .audit import Actor
from .clock import Clock
from .recipient_files import (
    MAX_BYTES,
    Source,
    Table,
    error_report_csv,
    open_table,
    probe,
    read_table,
)
from .recipient_lookup import active_import, find_people, person_matches, person_on
from .recipient_retention import PEOPLE_NOTICE, PurgeResult, purge, purge_due

__all__ = [
    "MAX_BYTES",
    "PEOPLE_NOTICE",
    "PurgeResult",
    "RecipientImportError",
    "Table",
    "activate",
    "active_import",
    "discard",
    "error_report_csv",
    "find_people",
    "person_matches",
    "purge",
    "person_on",
    "purge_due",
    "read_table",
    "stage_import",
]

log = logging.getLogger(__name__)

CHUNK_SIZE = 2000
_NOT_STAGING = N_("This list was already used or set aside; import the file again.")


def _email_check(value: str) -> str:
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


def _write_chunk(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert one chunk of recipients and commit: one short write transaction."""
    session.execute(Recipient.__table__.insert(), rows)
    session.commit()


def _recipient(import_id: int, person: PersonRow) -> dict[str, Any]:
    return {
        "import_id": import_id,
        "row_number": person.row_number,
        "name": person.name,
        "email": person.email,
        "address": person.address,
        "data": person.data,
        "reference": person.reference,
        "channel": person.channel.value,
        "letter_posted_at": None,
    }


def _error_entry(error: RowError, headers: tuple[str, ...]) -> dict[str, Any]:
    column = ""
    if error.column is not None:
        column = headers[error.column] if error.column < len(headers) else letter(error.column)
    return {
        "row": error.row_number,
        "field": error.field,
        "column": column,
        "message": error.message,
        "params": error.params,
        "value": error.value,
    }


@dataclass
class _Tally:
    total: int = 0
    valid: int = 0
    error_rows: int = 0
    email: int = 0
    letter: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "total_rows": self.total,
            "valid_rows": self.valid,
            "error_rows": self.error_rows,
            "email_count": self.email,
            "letter_count": self.letter,
        }


def _stage_rows(
    session: Session, import_id: int, source: Source, mapping: Mapping, chunk_size: int
) -> tuple[_Tally, list[dict[str, Any]]]:
    """Check every row and write the good ones in chunks; no ORM object is touched here, so
    no transaction (and on SQLite no write lock) stays open while rows are parsed."""
    tally = _Tally()
    kept: list[dict[str, Any]] = []
    duplicates = Duplicates()
    chunk: list[dict[str, Any]] = []
    headers: tuple[str, ...] | None = None if mapping.has_header else ()
    for number, cells in source.rows():
        if headers is None:
            headers = cells
            continue
        tally.total += 1
        person, errors = validate_row(cells, mapping, row_number=number, email_check=_email_check)
        if person is not None and (earlier := duplicates.earlier_row(person)) is not None:
            errors = [duplicate_error(person, earlier)]
            person = None
        if person is None:
            tally.error_rows += 1
            room = MAX_ERRORS_KEPT - len(kept)
            kept.extend(_error_entry(e, headers) for e in errors[: max(room, 0)])
            continue
        tally.valid += 1
        if person.channel is Channel.EMAIL:
            tally.email += 1
        else:
            tally.letter += 1
        chunk.append(_recipient(import_id, person))
        if len(chunk) >= chunk_size:
            _write_chunk(session, chunk)
            chunk = []
    if chunk:
        _write_chunk(session, chunk)
    return tally, kept


def stage_import(
    session: Session,
    incident: Incident,
    data: bytes,
    filename: str,
    mapping: Mapping,
    *,
    user: User | None,
    actor: Actor,
    clock: Clock,
    chunk_size: int = CHUNK_SIZE,
) -> RecipientImport:
    """Check every row of a file and write the good ones into a new ``staging`` import of
    ``incident``; commits (in chunks of ``chunk_size`` rows, then the totals and an audit
    event ``incident.recipients_staged``).

    A refused row is counted and, up to :data:`~breachdesk.models.people.MAX_ERRORS_KEPT`,
    described in ``errors`` (row, column, message, the offending value truncated). The
    second appearance of a person (same e-mail address, or without one the same name and
    address) is refused. An import with no valid row is still staged, for its error report;
    :func:`activate` refuses it.

    Raises:
        RecipientImportError: the file (too large, unreadable, no people; ``field`` is
            ``file``) or the mapping (a column the table lacks or chosen twice, neither the
            e-mail column nor the address columns) cannot be used; nothing was stored. Or
            the file broke partway: the import was discarded and its rows deleted.
        sqlalchemy.exc.SQLAlchemyError: the database failed while writing; likewise.
    """
    source = open_table(data, filename)  # the size is checked before anything is parsed
    check_mapping(mapping, probe(source, mapping))
    imp = RecipientImport(
        incident_id=incident.id,
        status="staging",
        source_name=safe_filename(filename or "geplakt.txt"),
        source_sha256=hashlib.sha256(data).hexdigest(),
        mapping=mapping.as_json(),
        errors=[],
        created_at=clock.now(),
        created_by_id=None if user is None else user.id,
    )
    session.add(imp)
    session.flush()
    import_id, incident_id, org_id = imp.id, incident.id, incident.organisation_id
    session.commit()
    try:
        tally, kept = _stage_rows(session, import_id, source, mapping, chunk_size)
        staged = session.get(RecipientImport, import_id)
        assert staged is not None  # noqa: S101 - committed above, never deleted
        for key, value in tally.counts().items():
            setattr(staged, key, value)
        staged.errors = kept
        audit.record(
            session,
            clock=clock,
            actor=actor,
            action="incident.recipients_staged",
            entity_type="incident",
            entity_id=incident_id,
            organisation_id=org_id,
            after={"import": import_id, "source_sha256": staged.source_sha256, **tally.counts()},
        )
        session.commit()
    except BaseException:
        session.rollback()
        _abandon(session, import_id, actor=actor, clock=clock, chunk_size=chunk_size)
        raise
    return staged


def _abandon(
    session: Session, import_id: int, *, actor: Actor, clock: Clock, chunk_size: int
) -> None:
    """After a failed staging: mark the import discarded, then delete its rows. A failure
    here is logged, not raised (the first failure is the one to report); the import then
    keeps zero valid rows, so it can never be activated."""
    try:
        _mark_discarded(session, import_id, actor=actor, clock=clock, reason="failed")
        _delete_rows(session, import_id, chunk_size)
    except Exception:
        session.rollback()
        log.exception("could not clean up recipient import %s", import_id)


def _mark_discarded(
    session: Session, import_id: int, *, actor: Actor, clock: Clock, reason: str
) -> bool:
    # A conditional update: an activation that got there first wins, and this one refuses.
    flipped = session.execute(
        update(RecipientImport)
        .where(RecipientImport.id == import_id, RecipientImport.status == "staging")
        .values(status="discarded")
    )
    if int(getattr(flipped, "rowcount", 0) or 0) != 1:
        session.rollback()
        return False
    incident = session.execute(
        select(Incident).join(RecipientImport).where(RecipientImport.id == import_id)
    ).scalar_one()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.recipients_discarded",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={"import": import_id, "reason": reason},
    )
    session.commit()
    return True


def _delete_rows(session: Session, import_id: int, chunk_size: int) -> int:
    """Delete an import's recipients, ``chunk_size`` at a time, each chunk committed."""
    deleted = 0
    while True:
        ids = select(Recipient.id).where(Recipient.import_id == import_id).limit(chunk_size)
        result = session.execute(
            delete(Recipient).where(Recipient.id.in_(ids)),
            execution_options={"synchronize_session": False},
        )
        session.commit()
        count = int(getattr(result, "rowcount", 0) or 0)
        deleted += count
        if count == 0:
            return deleted


def activate(
    session: Session, staging_import: RecipientImport, *, actor: Actor, clock: Clock
) -> RecipientImport:
    """Make a staged import the incident's list, at once: the previous active import becomes
    ``replaced`` in the same short transaction (with the audit event
    ``incident.recipients_imported``: counts, the file's SHA-256 and name). Commits.

    Raises:
        RecipientImportError: (field ``import``) the import is not ``staging``, has no valid
            row, or its rows do not match its count (its writing did not finish). Nothing
            changed.
    """
    import_id = staging_import.id
    incident = session.execute(
        select(Incident).where(Incident.id == staging_import.incident_id).with_for_update()
    ).scalar_one()  # two activations for one incident queue up here
    session.refresh(staging_import)
    imp = staging_import
    written = session.execute(
        select(func.count()).select_from(Recipient).where(Recipient.import_id == import_id)
    ).scalar_one()
    problem = None
    if imp.status != "staging":
        problem = _NOT_STAGING
    elif imp.valid_rows == 0:
        problem = N_("This list holds nobody who can be informed.")
    elif written != imp.valid_rows:
        problem = N_("This list was not written completely; import the file again.")
    if problem is not None:
        session.rollback()
        raise RecipientImportError("import", problem)
    previous = active_import(session, incident)
    if previous is not None:
        previous.status = "replaced"
    # Conditional, so that a discard that got there first makes this refuse, never undo it.
    flipped = session.execute(
        update(RecipientImport)
        .where(RecipientImport.id == import_id, RecipientImport.status == "staging")
        .values(status="active", activated_at=clock.now())
    )
    if int(getattr(flipped, "rowcount", 0) or 0) != 1:
        session.rollback()
        raise RecipientImportError("import", _NOT_STAGING)
    counts = {k: getattr(imp, k) for k in _Tally().counts()}
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.recipients_imported",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        before={"import": previous.id} if previous is not None else None,
        after={
            "import": import_id,
            "source_name": imp.source_name,
            "source_sha256": imp.source_sha256,
            **counts,
        },
    )
    session.commit()
    return imp


def discard(
    session: Session,
    staging_import: RecipientImport,
    *,
    actor: Actor,
    clock: Clock,
    chunk_size: int = CHUNK_SIZE,
) -> None:
    """Set a staged import aside: marked ``discarded`` (audited, committed) first, then its
    rows deleted in chunks, so a discard that stops halfway leaves no usable list behind.

    Raises:
        RecipientImportError: (field ``import``) the import is not ``staging``.
    """
    import_id = staging_import.id
    if not _mark_discarded(session, import_id, actor=actor, clock=clock, reason="discarded"):
        raise RecipientImportError("import", _NOT_STAGING)
    _delete_rows(session, import_id, chunk_size)
