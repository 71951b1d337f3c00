"""Reading a list of people from a CSV file, an Excel workbook or pasted text, and writing its
error report (no database).

The format is decided by the content, not the name: a ZIP container is read as an ``.xlsx``
workbook (openpyxl, read-only, formulas kept as their text and never evaluated), an old
``.xls`` is refused with advice, anything else must be text: UTF-8 (with or without BOM),
UTF-16 with BOM (Excel's "Unicode text") or else Windows-1252 (Excel's CSV in Dutch Windows),
separated by ``;``, ``,`` or tabs (sniffed; Excel's ``sep=`` first line is honoured). Pasted
text is read as a text file: encode it as UTF-8.

:func:`open_table` checks the size and format and gives a :class:`Source` whose rows can be
read (again) one by one; :func:`read_table` reads it once for the mapping step. Every failure
is a :class:`~breachdesk.domain.recipients.RecipientImportError` on the field ``file``.
:func:`error_report_csv` writes the refused rows for Dutch Excel, safe against CSV injection.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..domain.recipients import (
    Mapping,
    RecipientImportError,
    letter,
    looks_like_header,
    propose_from_values,
    propose_mapping,
)
from ..domain.register import spreadsheet_safe
from ..domain.text import N_, single_line
from . import workbooks
from .workbooks import Row

if TYPE_CHECKING:
    from ..models import RecipientImport

MAX_BYTES = 50 * 1024 * 1024
#: More columns than this are cut off (a person's row has a few dozen at most).
MAX_COLUMNS = 100
#: More rows than this are refused (a 50 MB file holds about a million short rows).
MAX_ROWS = 2_000_000
#: The columns a table has: the widest of its header and first rows (what the mapping offers).
WIDTH_SAMPLE = 1000
PREVIEW_ROWS = 5
_SAMPLE_BYTES = 64 * 1024
_SEPARATORS = (";", "\t", ",")  # ties go to the first: ";" is Dutch Excel's

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _error(message: str, params: dict[str, object] | None = None) -> RecipientImportError:
    return RecipientImportError("file", message, dict(params or {}))


@dataclass(frozen=True)
class Source:
    """A checked file: its format (``csv`` or ``xlsx``), encoding and separator (text only),
    and the sheet read with every sheet of the workbook, in their order (workbooks; only
    the one sheet is read). :meth:`rows` reads it from the start each time."""

    data: bytes = field(repr=False)
    format: str
    encoding: str | None = None
    separator: str | None = None  # None: one column
    sheet: str | None = None
    _text: str = field(default="", repr=False)
    sheets: tuple[str, ...] = ()

    @property
    def other_sheets(self) -> tuple[str, ...]:
        """The workbook's sheets that are not read (say so: they are not ignored unseen)."""
        return tuple(name for name in self.sheets if name != self.sheet)

    def rows(self) -> Iterator[Row]:
        """The non-blank rows, cells as text without trailing empty cells.

        Raises:
            RecipientImportError: the file turns out unreadable partway, or holds more than
                :data:`MAX_ROWS` rows.
        """
        reader = (
            workbooks.rows(self.data, self.sheet, MAX_COLUMNS)
            if self.format == "xlsx"
            else self._csv_rows()
        )
        count = 0
        for number, cells in reader:
            trimmed = list(cells[:MAX_COLUMNS])
            while trimmed and not trimmed[-1].strip():
                trimmed.pop()
            if not trimmed:
                continue
            count += 1
            if count > MAX_ROWS:
                raise _error(N_("The file has more than %(max)d rows."), {"max": MAX_ROWS})
            yield number, tuple(trimmed)

    def _csv_rows(self) -> Iterator[Row]:
        text = self._text
        if _separator_line(text) is not None:  # Excel's "sep=;" line is no row
            text = text.split("\n", 1)[1] if "\n" in text else ""
        delimiter = self.separator or "\x1f"  # one column: a separator that cannot occur
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        number, lines_before, last_start = 0, 0, 0
        last: tuple[str, ...] = ()
        try:
            for number, cells in enumerate(reader, start=1):  # noqa: B007 - used after the loop
                last_start, lines_before, last = lines_before, reader.line_num, tuple(cells)
                yield number, last
        except csv.Error as error:
            rest = itertools.islice(io.StringIO(text, newline=""), lines_before, None)
            quotes = sum(line.count('"') for line in rest)
            if "field larger than field limit" in str(error) and quotes % 2 == 0:
                # Every quote closed: no quote is to blame, a cell is too long.
                limit = csv.field_size_limit()
                raise _error(_TOO_LONG, {"row": number + 1, "max": limit}) from None
            raise _error(_UNCLOSED, {"row": number + 1}) from None
        # A quote opened and never closed takes the rest of the file into one cell of the last
        # row, without an error from the lenient reader: read that row again, strictly.
        multi_line = any("\n" in cell or "\r" in cell for cell in last)
        if multi_line and _ends_inside_quotes(text, last_start, delimiter):
            raise _error(_UNCLOSED, {"row": number})


_UNCLOSED = N_("Row %(row)d cannot be read (an opening quote without its closing quote?).")
#: Python's csv reader refuses a cell past its field limit (131,072 characters): no list of
#: people holds one; it said "an opening quote without its closing quote?" (found by
#: exploratory testing).
_TOO_LONG = N_(
    "Row %(row)d has a cell of more than %(max)d characters, more than breachdesk reads: is "
    "this the right file?"
)  # it said "no list holds one" also for a register (found by exploratory testing)


def _ends_inside_quotes(text: str, start_line: int, delimiter: str) -> bool:
    """Whether the text from its line ``start_line`` (as the csv reader counts lines) ends
    inside a quoted cell. A quote inside a cell the lenient reader tolerates ("x"y) is no
    such end."""
    tail = itertools.islice(io.StringIO(text, newline=""), start_line, None)
    try:
        for _row in csv.reader(tail, delimiter=delimiter, strict=True):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def _decode(data: bytes) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).lstrip("\ufeff"), codec
            except UnicodeDecodeError:
                raise _error(N_("The file is not readable text.")) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise _error(N_("This is not a CSV file, text or an Excel workbook (.xlsx).")) from None


def _looks_binary(text: str) -> bool:
    sample = text[:_SAMPLE_BYTES]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    return "\x00" in sample or controls > len(sample) // 100


def _sniff(text: str) -> str | None:
    """The separator that splits the first rows into the same number of columns (more than
    one) most consistently; None when no separator does (one column)."""
    sample = text[:_SAMPLE_BYTES]
    if len(text) > _SAMPLE_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # no half last line
    best: tuple[float, int] = (0.0, 1)
    chosen: str | None = None
    for separator in _SEPARATORS:
        try:
            widths = [
                len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=separator)
            ][:50]
        except csv.Error:
            continue
        widths = [w for w in widths if w > 0]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = (widths.count(common) / len(widths), common)
        if score > best:
            best, chosen = score, separator
    return chosen


def open_table(data: bytes, filename: str, sheet: str | None = None) -> Source:
    """Check the size and the format of a file and decide how to read it: of a workbook the
    sheet ``sheet``, or (None) the sheet it opens on; a text file has no sheets.

    Raises:
        RecipientImportError: larger than :data:`MAX_BYTES` (checked before anything is
            read), empty, an old ``.xls``, a damaged workbook or one without ``sheet``, or
            not text.
    """
    if len(data) > MAX_BYTES:
        raise _error(
            N_("The file is larger than %(max)d MB; split the list."),
            {"max": MAX_BYTES // (1024 * 1024)},
        )
    if not data or data.isspace():
        raise _error(N_("The file is empty."))
    if data.startswith(_OLE_MAGIC):
        raise _error(N_("This is an old Excel file (.xls): save it as .xlsx or CSV first."))
    if data.startswith(_ZIP_MAGIC):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise _error(N_("The workbook is damaged or is not an Excel workbook (.xlsx)."))
        read, sheets = workbooks.sheet_names(data, sheet)
        return Source(data, "xlsx", sheet=read, sheets=sheets)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise _error(N_("The workbook is damaged or is not an Excel workbook (.xlsx)."))
    text, encoding = _decode(data)
    if _looks_binary(text):
        raise _error(N_("This is not a CSV file, text or an Excel workbook (.xlsx)."))
    separator = _separator_line(text) or _sniff(text)
    return Source(data, "csv", encoding=encoding, separator=separator, _text=text)


def _separator_line(text: str) -> str | None:
    first = text[:8].splitlines()[0] if text[:8] else ""
    return first[4] if first.startswith("sep=") and len(first) == 5 else None


@dataclass(frozen=True)
class Table:
    """What a file holds, for the mapping step.

    ``headers`` names every column (the header row's text, or the column's letter where it
    has none or the file has no header row); ``preview`` the first people's cells, as many as
    there are headers; ``row_count`` the people (non-blank rows after the header).
    ``encoding`` is a Python codec name (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``),
    ``separator`` one of ``;``, ``,``, a tab, or None (one column, or a workbook).
    """

    headers: tuple[str, ...]
    preview: tuple[tuple[str, ...], ...]
    row_count: int
    format: str
    encoding: str | None
    separator: str | None
    sheet: str | None
    has_header: bool
    proposed: Mapping
    other_sheets: tuple[str, ...] = ()  # a workbook's sheets that are not read


def probe(source: Source, mapping: Mapping) -> int:
    """How many columns the mapping may choose from (the widest of the first rows, as
    :func:`read_table` offers them), after checking that the table holds people.

    Raises:
        RecipientImportError: no rows, or only the header row.
    """
    width = rows = 0
    for rows, (_, cells) in enumerate(source.rows(), start=1):  # noqa: B007 - used below
        width = max(width, len(cells))
        if rows > WIDTH_SAMPLE:
            break
    if rows == 0:
        raise _error(N_("The file holds no rows."))
    if mapping.has_header and rows == 1:
        raise _error(N_("The file has a header row but no people."))
    return width


def read_table(data: bytes, filename: str) -> Table:
    """Read a file for the mapping step: its columns, the first people, how many there are,
    how it was read, and the mapping its header names suggest.

    Raises:
        RecipientImportError: see :func:`open_table`; and a file without any person (only a
            header row, or only blank rows).
    """
    source = open_table(data, filename)
    first: tuple[str, ...] | None = None
    preview: list[tuple[str, ...]] = []
    count = width = 0
    for seen, (_, cells) in enumerate(source.rows()):
        if seen <= WIDTH_SAMPLE:
            width = max(width, len(cells))
        if first is None:
            first = cells
            has_header = looks_like_header(cells)
            if has_header:
                continue
        count += 1
        if len(preview) < PREVIEW_ROWS:
            preview.append(cells)
    if first is None:
        raise _error(N_("The file holds no rows."))
    if count == 0:
        raise _error(N_("The file has a header row but no people."))
    if has_header:
        headers = tuple(single_line(first[i]) if i < len(first) else "" for i in range(width))
        headers = tuple(h or letter(i) for i, h in enumerate(headers))
        proposed = propose_mapping(headers)
    else:
        headers = tuple(letter(i) for i in range(width))
        proposed = propose_from_values(first)
    return Table(
        headers=headers,
        preview=tuple(tuple(r[i] if i < len(r) else "" for i in range(width)) for r in preview),
        row_count=count,
        format=source.format,
        encoding=source.encoding,
        separator=source.separator,
        sheet=source.sheet,
        has_header=has_header,
        proposed=proposed,
        other_sheets=source.other_sheets,
    )


def _safe_cell(value: object) -> str:
    """A cell that Excel shows as text, never runs as a formula (CSV injection)."""
    return spreadsheet_safe(str(value))


def _message(entry: dict[str, Any], translate: Callable[[str], str]) -> str:
    message = translate(str(entry.get("message", "")))
    try:
        return message % (entry.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return message


#: The error report's columns, as the review page names them (translated with the messages).
ERROR_REPORT_HEADER = (N_("Row"), N_("Column"), N_("Problem"), N_("Value"))


def error_report_csv(
    imp: RecipientImport, translate: Callable[[str], str] = lambda message: message
) -> bytes:
    """The refused rows kept for ``imp`` as a CSV file for Dutch Excel: UTF-8 with BOM, ``;``
    separated, header :data:`ERROR_REPORT_HEADER`. ``translate`` looks the header and the
    messages up (the web layer passes ``gettext``: "Rij;Kolom;Probleem;Waarde" in Dutch). A
    cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with
    ``'`` so Excel never runs it as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([translate(name) for name in ERROR_REPORT_HEADER])
    for entry in imp.errors or []:
        cells = [entry.get("row", ""), entry.get("column", ""), _message(entry, translate)]
        writer.writerow([_safe_cell(c) for c in [*cells, entry.get("value", "")]])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
