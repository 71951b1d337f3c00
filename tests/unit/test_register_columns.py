"""Finding the row with the column names of an earlier register (domain/register_columns)."""

from __future__ import annotations

from breachdesk.domain.register_columns import HEADER_SEARCH_ROWS, header_row

NAMES = ("Kenmerk", "Datum ontdekt", "Titel", "Gemeld AP")


def test_the_first_row_when_it_holds_the_column_names() -> None:
    assert header_row([NAMES, ("DL-1", "01-02-2024", "Laptop", "ja")]) == 0


def test_below_a_title_and_a_blank_row() -> None:
    rows = [("Register datalekken 2024", "", "", ""), ("", "", "", ""), NAMES, ("DL-1",)]
    assert header_row(rows) == 2


def test_a_title_that_names_one_column_is_still_a_title() -> None:
    # "Titel" alone is a known name, but one is not enough to be the row of names.
    assert header_row([("Titel", "", "", ""), NAMES]) == 1


def test_no_row_of_names_reads_from_the_first_row_and_looks_no_further_than_ten() -> None:
    data = [("DL-1", "01-02-2024", "Laptop", "ja")] * 3
    assert header_row(data) == 0
    assert header_row([("x",)] * HEADER_SEARCH_ROWS + [NAMES]) == 0
    assert header_row([]) == 0


def test_the_nature_of_a_breach_is_read_in_dutch_english_or_by_its_letter() -> None:
    from breachdesk.domain.register_cells import parse_breach_types

    both = frozenset({"confidentiality", "availability"})
    assert parse_breach_types("Vertrouwelijkheid, beschikbaarheid") == both
    assert parse_breach_types("confidentiality and availability") == both
    assert parse_breach_types("C/B") == both and parse_breach_types("A + C") == both
    assert parse_breach_types("Integriteit en vertrouwelijkheid") == {
        "integrity",
        "confidentiality",
    }
    assert parse_breach_types("") == frozenset()
    assert parse_breach_types("rood") is None and parse_breach_types("C, groen") is None
