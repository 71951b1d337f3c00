"""Importing a register kept before breachdesk: check every row, then import the good ones.

:func:`check` reads the file (CSV or XLSX, as the list of people affected is read: see
:mod:`.recipient_files`) with a column mapping and returns the rows that can be imported and
the reasons the others cannot. :func:`import_breaches` writes the good rows as closed register
entries, each marked with the file's SHA-256 and its own reference, with its decision (the
reasoning from the file, rule set ``imported``) and its AP filing when it had one, and an
audit event per incident; all in one transaction, so a file is imported whole or not at all.

A file is imported into an organisation once: a file with the same SHA-256 again would list
every breach twice (a corrected file has another digest). :func:`earlier_import` tells the
check step so, and :func:`import_breaches` refuses it inside its own transaction. A breach is
imported once as well: a row whose reference (the earlier register's own number) is in the
organisation's register already, or repeats an earlier row, is skipped
(:func:`compare_with_register`), so a corrected file brings in only what is new.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.recipients import RecipientImportError
from ..domain.register import spreadsheet_safe
from ..domain.register_columns import FIELD_LABELS, Field
from ..domain.register_entry import ImportedBreach, RowError, RowMessage, RowNote, RowSkipped
from ..domain.register_import import read_row
from ..domain.register_repeats import Known, reference_key, set_aside_repeats, title_key
from ..domain.text import N_
from ..models import (
    AuditEvent,
    Incident,
    Organisation,
    User,
)
from . import audit, register_entries, register_trail
from .audit import Actor
from .clock import Clock
from .recipient_files import Source, open_table
from .versioning import lock_row


@dataclass
class CheckResult:
    breaches: list[ImportedBreach] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    #: Good rows left out as a breach listed already (see :func:`compare_with_register`).
    skipped: list[RowSkipped] = field(default_factory=list)

    @property
    def refused_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def notes(self) -> list[RowNote]:
        """What the FG should know about the rows that are imported, row by row."""
        return [note for breach in self.breaches for note in breach.notes]


@dataclass(frozen=True)
class EarlierImport:
    """A file already imported into an organisation's register."""

    incidents: int  # the register entries that came from it
    imported_at: datetime | None  # when (from the audit trail; None if not found there)


class AlreadyImported(Exception):
    """This file was imported into this organisation's register before; nothing was written."""

    def __init__(self, earlier: EarlierImport) -> None:
        super().__init__(f"already imported: {earlier.incidents} incidents")
        self.earlier = earlier


def earlier_import(
    session: Session,
    organisation_id: int,
    source_sha256: str,
    sheet: str | None = None,
    *,
    first_sheet: str | None = None,
) -> EarlierImport | None:
    """The import of a file with ``source_sha256`` into the register of ``organisation_id``
    that is already there (its entries, and when it was imported), or None. Of a workbook,
    the import of its sheet ``sheet``: another sheet of the same workbook may be imported
    (``first_sheet``, the sheet the workbook opens on, is what an import read that did not
    record its sheet)."""
    incidents = session.execute(
        select(func.count())
        .select_from(Incident)
        .where(
            Incident.organisation_id == organisation_id,
            Incident.imported_from == source_sha256,
        )
    ).scalar_one()
    if not incidents:
        return None
    events = session.execute(
        select(AuditEvent.occurred_at, AuditEvent.after)
        .where(
            AuditEvent.entity_type == "organisation",
            AuditEvent.entity_id == str(organisation_id),
            AuditEvent.action == "register.imported",
        )
        .order_by(AuditEvent.id)
    ).all()
    of_file = [
        (at, after)
        for at, after in events
        if isinstance(after, dict) and after.get("source_sha256") == source_sha256
    ]
    for at, after in of_file:
        if after.get("sheet", first_sheet) == sheet:
            count = after.get("incidents")
            return EarlierImport(count if isinstance(count, int) else incidents, at)
    if of_file:
        return None  # other sheets of the workbook were imported, not this one
    return EarlierImport(incidents, None)  # its entries are there; when is not in the trail


@dataclass(frozen=True)
class ImportOrigin:
    """How an entry came into breachdesk from an earlier register: who imported it and when
    (the audit event's), from which file and row. Pages show this where an entry reported in
    breachdesk shows its reporter: the importer did not report the breach."""

    by: str
    at: datetime
    file_name: str  # "" for an import from before the file's name was kept
    row: int | None


def import_origin(session: Session, events: Iterable[AuditEvent]) -> ImportOrigin | None:
    """The origin of an imported entry, from its audit ``events`` (None if not imported)."""
    event = next((e for e in events if e.action == "incident.imported"), None)
    if event is None:
        return None
    after = event.after if isinstance(event.after, dict) else {}
    importer = session.get(User, event.actor_id) if event.actor_id is not None else None
    row = after.get("source_row")
    return ImportOrigin(
        by=importer.name if importer is not None else event.actor_label,
        at=event.occurred_at,
        file_name=str(after.get("source_name") or ""),
        row=row if isinstance(row, int) else None,
    )


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_register(data: bytes, filename: str, sheet: str | None = None) -> Source:
    """The uploaded file, opened for reading, once it is known to hold at least one row. Of
    a workbook the sheet ``sheet``; None: the sheet it opens on or, when that one is empty,
    the first sheet that holds rows (:attr:`Source.sheet` says which; the pages name it and
    the sheets not read).

    Raises:
        RecipientImportError: (field ``file``) the file cannot be read (see
            :func:`.recipient_files.open_table`), or it holds no row at all (only blank rows
            or separators, such as a CSV of ``;;;`` lines; of a workbook, in no sheet).
    """
    source = open_table(data, filename, sheet)
    if source.format == "csv":
        # Read to the end once: a text that cannot be read (a quote never closed) is
        # refused here, at the file, not after the columns were chosen.
        for _row in source.rows():
            pass
    if next(source.rows(), None) is not None:
        return source
    if sheet is None:
        for other in source.other_sheets:
            found = open_table(data, filename, other)
            if next(found.rows(), None) is not None:
                return found
    if sheet is not None:
        raise RecipientImportError(
            "file", N_("The sheet “%(sheet)s” holds no rows."), {"sheet": sheet}
        )
    raise RecipientImportError("file", N_("The file holds no rows."))


def check(
    data: bytes,
    filename: str,
    mapping: Mapping[Field, int],
    *,
    has_header: bool,
    now: datetime,
    sheet: str | None = None,
    header_row: int = 0,
) -> CheckResult:
    """Every row of the file (of a workbook, of the sheet ``sheet``) read with ``mapping``
    (field -> column index). The rows above ``header_row`` (a title, as the mapping step
    found it) are not read, nor that row itself when ``has_header``.

    Raises:
        RecipientImportError: the file cannot be read (see :func:`.recipient_files.open_table`).
    """
    result = CheckResult()
    for position, (number, cells) in enumerate(open_table(data, filename, sheet).rows()):
        if position < header_row or (position == header_row and has_header):
            continue
        result.rows += 1
        values = {f: cells[i] if i < len(cells) else "" for f, i in mapping.items()}
        breach, errors = read_row(number, values, now)
        if breach is not None:
            result.breaches.append(breach)
        result.errors.extend(errors)
    return result


#: References looked up in one query (SQL's IN list).
_CHUNK = 500


def known_entries(session: Session, organisation_id: int, breaches: list[ImportedBreach]) -> Known:
    """What the register of ``organisation_id`` holds of ``breaches`` already: the earlier
    registers' references of its entries, breachdesk's own references that a row gives (a
    register exported from breachdesk), and the day and title of the entries discovered on
    the days of the rows without a reference."""
    in_org = Incident.organisation_id == organisation_id
    references: dict[str, str] = {}
    for reference, source in session.execute(
        select(Incident.reference, Incident.source_reference)
        .where(in_org, Incident.source_reference != "")
        .order_by(Incident.id)
    ):
        references.setdefault(reference_key(source), reference)
    given = sorted({reference_key(b.reference) for b in breaches if b.reference})
    for start in range(0, len(given), _CHUNK):
        for (reference,) in session.execute(
            select(Incident.reference).where(
                in_org, func.lower(Incident.reference).in_(given[start : start + _CHUNK])
            )
        ):
            references.setdefault(reference_key(reference), reference)
    titles: dict[tuple[date, str], str] = {}
    wanted = {title_key(b.discovered_at, b.title) for b in breaches if not b.reference}
    if wanted:
        days = [b.discovered_at for b in breaches if not b.reference]
        for discovered_at, title, reference in session.execute(
            select(Incident.discovered_at, Incident.title, Incident.reference)
            .where(
                in_org,
                Incident.discovered_at >= min(days) - timedelta(days=1),
                Incident.discovered_at < max(days) + timedelta(days=2),
            )
            .order_by(Incident.id)
        ):
            key = title_key(discovered_at, title)
            if key in wanted:
                titles.setdefault(key, reference)
    return Known(references, titles)


def compare_with_register(
    session: Session, organisation_id: int, result: CheckResult
) -> CheckResult:
    """``result`` with the rows whose breach is in the register of ``organisation_id``
    already, or earlier in the file, set aside as skipped (and notes on the rows without a
    reference that look like one): see :func:`~..domain.register_import.set_aside_repeats`."""
    kept, skipped = set_aside_repeats(
        result.breaches, known_entries(session, organisation_id, result.breaches)
    )
    return CheckResult(kept, result.errors, result.rows, [*result.skipped, *skipped])


def message_text(message: RowMessage, translate: Callable[[str], str]) -> str:
    """A row's message translated, its values filled in."""
    text = translate(message.message)
    return text % dict(message.params) if message.params else text


def error_report(result: CheckResult, translate: Callable[[str], str]) -> str:
    """The refused rows, and those skipped as listed already, as CSV for Dutch Excel (BOM,
    ``;``), safe against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([translate(h) for h in ("Row", "Column", "Problem", "Value")])
    for error in [*result.errors, *result.skipped]:
        writer.writerow(
            [
                error.row,
                translate(FIELD_LABELS[error.field]) if error.field else "",  # as the page
                spreadsheet_safe(message_text(error, translate)),
                spreadsheet_safe(error.value[:200]),
            ]
        )
    return "\ufeff" + buffer.getvalue()


def import_breaches(
    session: Session,
    organisation: Organisation,
    breaches: list[ImportedBreach],
    *,
    source_sha256: str,
    source_name: str = "",
    sheet: str | None = None,
    first_sheet: str | None = None,
    user: User,
    actor: Actor,
    clock: Clock,
) -> list[Incident]:
    """Write ``breaches`` as closed register entries of ``organisation`` (one transaction),
    except those whose reference is in its register already or in an earlier one of them
    (see :func:`compare_with_register`; checked again here, under the lock).

    Raises:
        AlreadyImported: a file with ``source_sha256`` (of a workbook: its sheet ``sheet``;
            see :func:`earlier_import`) was imported into ``organisation`` before. Checked
            with the organisation's row locked (SQLite: the transaction holds the write
            lock), so of two imports of one file at the same moment the second waits for the
            first and is then refused. Nothing was written; rolled back.
    """
    lock_row(session, organisation)
    earlier = earlier_import(
        session, organisation.id, source_sha256, sheet, first_sheet=first_sheet
    )
    if earlier is not None:
        session.rollback()
        raise AlreadyImported(earlier)
    # Checked again under the lock: a row whose reference came in since the check (another
    # file imported meanwhile) is skipped too, never listed twice.
    breaches, _skipped = set_aside_repeats(
        breaches, known_entries(session, organisation.id, breaches)
    )
    now = clock.now()
    made: list[Incident] = []
    for breach in breaches:
        incident, outcome = register_entries.entry(
            session, organisation, breach, source_sha256=source_sha256, user=user, now=now
        )
        audit.record(
            session,
            clock=clock,
            actor=actor,
            action="incident.imported",
            entity_type="incident",
            entity_id=incident.id,
            organisation_id=organisation.id,
            after={
                "reference": incident.reference,
                "source_sha256": source_sha256,
                "source_name": source_name,
                "source_row": breach.row,
                "outcome": outcome.value,
                # The entry's register facts, filing and decision, so that the trail shows
                # any later change to them (audit verify compares).
                **register_trail.entry_snapshot(session, incident),
            },
        )
        made.append(incident)
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="register.imported",
        entity_type="organisation",
        entity_id=organisation.id,
        organisation_id=organisation.id,
        after={
            "source_sha256": source_sha256,
            "source_name": source_name,
            "sheet": sheet,
            "incidents": len(made),
        },
    )
    session.commit()
    return made
