"""Exports of a register view: CSV and XLSX streamed with constant memory, a PDF up to a limit.

The caller gives the rows (an iterator, read batch by batch from the database by
:func:`breachdesk.services.register.rows`) and the columns (a header and a function per
column, already in the reader's language). Nothing here holds more than one row at a time:

- :func:`csv_chunks` yields the CSV as text in pieces: UTF-8 with a byte-order mark and ``;``
  between fields, which is what Dutch Excel opens correctly with a double click;
- :func:`xlsx_file` writes an XLSX with openpyxl's write-only mode into a temporary file
  (rows go to disk as they come) and hands back the open file, ready to be streamed;
- :func:`json_chunks` yields a JSON array for programs (the API), a row at a time.

:func:`record_export` writes the export's audit event (the web and the API alike).

A title like ``=HYPERLINK(...)`` is shown as text, never run as a formula: in the CSV every
text goes through :func:`breachdesk.domain.register.spreadsheet_safe` (an apostrophe in front,
a CSV having no cell types); in the XLSX such a text is a cell typed as text, shown as typed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy.orm import Session

from ..domain.register import FORMULA_START, RegisterFilter, spreadsheet_safe
from ..domain.timeutil import utc_to_local
from . import audit
from .audit import Actor
from .clock import Clock
from .register_rows import RegisterRow

#: Rows per piece of CSV handed to the web server.
CSV_CHUNK_ROWS = 500
#: The most incidents a PDF of the register holds (WeasyPrint lays out the whole document in
#: memory at once; a PDF is for the AP or the board, a spreadsheet for everything larger).
PDF_LIMIT = 500

Cell = str | int | datetime | date | None


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[RegisterRow], Cell]
    width: int = 18  # XLSX column width, in characters


def _text(value: Cell) -> str:
    if value.__class__ is str:
        return spreadsheet_safe(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        # "2026-11-19 11:00", Dutch time (isoformat is several times faster than strftime).
        return utc_to_local(value).replace(tzinfo=None).isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()  # a date alone: "2026-11-19"
    return str(value)


def csv_chunks(rows: Iterable[RegisterRow], columns: Sequence[Column]) -> Iterator[str]:
    """The CSV of ``rows`` in pieces: a byte-order mark, the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(c.header) for c in columns])
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    getters = [c.value for c in columns]
    text = _text
    for row in rows:
        writer.writerow([text(get(row)) for get in getters])
        pending += 1
        if pending == CSV_CHUNK_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def _xlsx_cell(value: Cell) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        # Excel has no time zones: the Dutch wall-clock time, as the header says.
        return utc_to_local(value).replace(tzinfo=None)
    return value


def xlsx_file(rows: Iterable[RegisterRow], columns: Sequence[Column], *, title: str) -> IO[bytes]:
    """An XLSX workbook of ``rows`` in a temporary file (deleted when closed), positioned at
    its start. Written in openpyxl's write-only mode: rows go to disk as they come."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=spreadsheet_safe(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        values = []
        for column in columns:
            value = _xlsx_cell(column.value(row))
            if isinstance(value, date):  # a moment, or a date alone (no "00:00")
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = (
                    "dd-mm-yyyy hh:mm" if isinstance(value, datetime) else "dd-mm-yyyy"
                )
                values.append(cell)
            elif isinstance(value, str) and value[:1] in FORMULA_START:
                # A text cell, shown as typed and never run: no apostrophe before it (Excel
                # showed "'+31 6 …" with it: found by exploratory testing); the CSV keeps
                # the apostrophe, since a CSV has no cell types.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                values.append(cell)
            else:
                values.append(value)
        sheet.append(values)
    # Spooled: a small register stays in memory, a large one moves to disk on its own.
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned open
    workbook.save(target)
    target.seek(0)
    return target


def file_chunks(handle: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """The contents of ``handle`` in pieces; closes (and so deletes) it at the end."""
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()


def json_chunks(rows: Iterable[RegisterRow]) -> Iterator[str]:
    """The rows as one JSON array, a row at a time (machine names, ISO 8601 UTC times)."""
    yield "["
    for number, row in enumerate(rows):
        yield ("," if number else "") + json.dumps(
            dataclasses.asdict(row), default=_json_value, ensure_ascii=False
        )
    yield "]"


def _json_value(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def record_export(
    session: Session, wanted: RegisterFilter, fmt: str, *, actor: Actor, clock: Clock
) -> None:
    """Audit an export of the view ``wanted`` (which view and format, not the rows; the
    search words may name a person, so only whether there were any) and commit."""
    args = wanted.to_args()
    searched = bool(args.pop("q", ""))
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="register.exported",
        entity_type="register",
        entity_id=None,
        organisation_id=wanted.organisation_id,
        after={"format": fmt, "filter": args, "searched": searched},
    )
    session.commit()
