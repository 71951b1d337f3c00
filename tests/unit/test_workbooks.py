"""Reading workbooks: a formula is found without parsing the sheet (services/workbooks)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from breachdesk.services.workbooks import has_formulas


def saved(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_formula_is_found_and_a_plain_sheet_or_a_text_like_one_is_not() -> None:
    assert has_formulas(saved(["naam", "aantal"], ["Jan", "=40+80"]))
    assert not has_formulas(saved(["naam", "aantal"], ["Jan", 120]))
    # Text that merely looks like XML is escaped in the file: no formula.
    assert not has_formulas(saved(["<f>", "a <f x>"]))
    assert not has_formulas(b"not a workbook")
