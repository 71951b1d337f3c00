"""Reading an Excel workbook (``.xlsx``) for the imports: a sheet's rows as text, and its
sheets' names. openpyxl, read-only; a formula is read as the value it showed when the
workbook was last saved, or as its text when none was kept, and never evaluated; a
damaged workbook is a :class:`~breachdesk.domain.recipients.RecipientImportError` on the
field ``file``. Used by :mod:`.recipient_files`.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from ..domain.recipients import RecipientImportError
from ..domain.text import N_

Row = tuple[int, tuple[str, ...]]  # the row number as a spreadsheet shows it, and its cells


def _error(message: str, params: dict[str, object] | None = None) -> RecipientImportError:
    return RecipientImportError("file", message, dict(params or {}))


def rows(data: bytes, sheet_name: str | None, max_columns: int) -> Iterator[Row]:
    """The rows of the sheet ``sheet_name`` (None: the sheet the workbook opens on), each
    with its number and at most ``max_columns`` cells as text."""
    import openpyxl  # a heavy import, needed only for workbooks

    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it skips (data validation, styles): not our concern
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
            # When it has formulas, the same workbook once more for the values they had when
            # it was last saved (Excel and LibreOffice store them; nothing is calculated
            # here). Only then: a second read doubles the time of a 100,000-row list.
            shown = (
                openpyxl.load_workbook(
                    io.BytesIO(data), read_only=True, data_only=True, keep_links=False
                )
                if has_formulas(data)
                else None
            )
            try:
                sheet = chosen(book, sheet_name)
                sheet.reset_dimensions()  # a wrong stored size must not cut rows off
                kept: Iterator[tuple[Any, ...]] = iter(())
                if shown is not None:
                    cached = chosen(shown, sheet_name)
                    cached.reset_dimensions()
                    kept = cached.iter_rows(values_only=True)
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    seen = next(kept, ())
                    yield (
                        number,
                        tuple(
                            cell_text(shown_value(v, seen[i] if i < len(seen) else None))
                            for i, v in enumerate(values[:max_columns])
                        ),
                    )
            finally:
                book.close()
                if shown is not None:
                    shown.close()
    except RecipientImportError:
        raise
    except Exception:  # openpyxl raises many types for a damaged file
        raise _error(N_("The workbook is damaged or is not an Excel workbook (.xlsx).")) from None


_FORMULA = re.compile(rb"<f[ >/]")


def has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the workbook ``data`` holds a formula (an ``<f>`` element),
    found in its XML without parsing it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for name in book.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with book.open(name) as part:
                        tail = b""
                        while chunk := part.read(1 << 20):
                            if _FORMULA.search(tail + chunk):
                                return True
                            tail = chunk[-8:]
    except (zipfile.BadZipFile, OSError):
        return False  # openpyxl says what is wrong with the file
    return False


def shown_value(value: object, cached: object) -> object:
    """A cell as the person saw it: of a formula ("=B2+B3"), the value it showed when the
    workbook was last saved; its text when the workbook kept none (one written by a program
    that does not calculate). A number of people written as "=40+80" read "not a number"
    (found by exploratory testing)."""
    if isinstance(value, str) and value.startswith("=") and cached is not None:
        return cached
    return value


def chosen(book: Any, sheet_name: str | None) -> Any:
    """The worksheet called ``sheet_name``, or else the one the workbook opens on (its
    first worksheet when that is a chart)."""
    if sheet_name is not None:
        return book[sheet_name]
    active = book.active
    return active if active in book.worksheets else book.worksheets[0]


def sheet_names(data: bytes, sheet_name: str | None) -> tuple[str, tuple[str, ...]]:
    """The sheet that is read (``sheet_name``, or the one the workbook opens on) and every
    worksheet of the workbook, in order.

    Raises:
        RecipientImportError: the workbook is damaged, or has no sheet ``sheet_name``.
    """
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, keep_links=False)
            try:
                names = tuple(str(sheet.title) for sheet in book.worksheets)
                if sheet_name is not None and sheet_name not in names:
                    raise _error(
                        N_("The workbook has no sheet “%(sheet)s”."), {"sheet": sheet_name}
                    )
                return str(chosen(book, sheet_name).title), names
            finally:
                book.close()
    except RecipientImportError:
        raise
    except Exception:
        raise _error(N_("The workbook is damaged or is not an Excel workbook (.xlsx).")) from None


def cell_text(value: object) -> str:
    """A workbook cell as text: whole numbers without ".0", dates as ISO dates, a formula as
    its text (openpyxl gives it as the string "=...")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
