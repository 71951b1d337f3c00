"""The people to inform: proposing a mapping, checking rows, reading files (no database)."""

from __future__ import annotations

import io
import random

import openpyxl
import pytest

from breachdesk.domain.recipients import (
    Channel,
    Duplicates,
    Field,
    Mapping,
    PersonRow,
    RecipientImportError,
    check_email_syntax,
    check_mapping,
    duplicate_error,
    letter,
    looks_like_header,
    propose_mapping,
    validate_row,
)
from breachdesk.services import recipient_files, workbooks
from breachdesk.services.recipient_files import MAX_BYTES, read_table

DUTCH = ("Klantnummer", "Voornaam", "Tussenvoegsel", "Achternaam", "E-mailadres", "Straat",
         "Huisnummer", "Toevoeging", "Postcode", "Woonplaats", "Land", "Gegevens")  # fmt: skip
ADDRESS_ONLY = Mapping(name=(0,), street=1, house_number=2, postcode=3, city=4)


# -- Proposing a mapping --------------------------------------------------------------------


def test_dutch_headers_are_recognised_whatever_their_spelling() -> None:
    assert propose_mapping(DUTCH) == Mapping(
        name=(1, 2, 3), email=4, street=5, house_number=6, addition=7, postcode=8, city=9,
        country=10, data=(11,), reference=0,
    )  # fmt: skip
    spelled = propose_mapping(["NAAM", "E-mail adres", "ADRES", "Plaats", "Kenmerk"])
    assert spelled == Mapping(name=(0,), email=1, address=(2,), city=3, reference=4)


def test_english_headers_and_several_address_lines() -> None:
    proposed = propose_mapping(
        ["Full name", "Email address", "Address line 1", "Address line 2", "ZIP", "Country"]
    )
    assert proposed == Mapping(name=(0,), email=1, address=(2, 3), postcode=4, country=5)
    assert propose_mapping(["First name", "Last name", "E-mail"]).name == (0, 1)


def test_voornaam_with_naam_reads_naam_as_the_surname() -> None:
    assert propose_mapping(["Naam", "Voornaam", "Email"]).name == (1, 0)
    assert propose_mapping(["Naam", "Email"]).name == (0,)
    assert propose_mapping(["Iets", "Anders"]) == Mapping()


def test_a_first_row_is_a_header_unless_it_looks_like_a_person() -> None:
    assert looks_like_header(["Naam", "E-mail"])
    assert looks_like_header(["Wie", "Waar"])  # unknown names, but no person either
    assert not looks_like_header(["Jan Jansen", "jan@voorbeeld.nl"])
    assert not looks_like_header(["Jan Jansen", "Dorpsstraat 1", "1234 AB"])


# -- The mapping ----------------------------------------------------------------------------


def test_a_mapping_needs_an_email_or_an_address_column() -> None:
    with pytest.raises(RecipientImportError) as refused:
        check_mapping(Mapping(name=(0,), reference=1), column_count=3)
    assert refused.value.field == "mapping"
    with pytest.raises(RecipientImportError) as refused:
        check_mapping(Mapping(name=(0,), city=1), column_count=3)
    assert refused.value.field == "address"
    check_mapping(Mapping(email=0), column_count=1)
    check_mapping(ADDRESS_ONLY, column_count=5)
    check_mapping(Mapping(address=(0,)), column_count=1)  # an address column holds a place too


def test_a_mapping_names_only_existing_columns_each_once() -> None:
    with pytest.raises(RecipientImportError) as refused:
        check_mapping(Mapping(email=3), column_count=3)
    assert (refused.value.field, refused.value.params) == ("email", {"column": "D"})
    with pytest.raises(RecipientImportError) as refused:
        check_mapping(Mapping(email=0, name=(1, 0)), column_count=3)
    assert refused.value.field in {"email", "name"}


def test_a_mapping_round_trips_through_json_and_refuses_junk() -> None:
    mapping = propose_mapping(DUTCH)
    assert Mapping.from_json(mapping.as_json()) == mapping
    assert Mapping.from_json({"email": "2", "name": 1, "city": ""}) == Mapping(email=2, name=(1,))
    assert Mapping.from_json({"email": 0, "name": ["", "2", None]}) == Mapping(email=0, name=(2,))
    for junk in ({"email": -1}, {"email": "x"}, {"name": [True]}, {"email": 1.5}):
        with pytest.raises(RecipientImportError):
            Mapping.from_json(junk)


@pytest.mark.parametrize(("index", "name"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ")])
def test_column_letters(index: int, name: str) -> None:
    assert letter(index) == name


# -- One row --------------------------------------------------------------------------------


def test_a_person_with_an_email_address_is_informed_by_email() -> None:
    mapping = propose_mapping(DUTCH)
    row = ["1001", " José ", "van", "Dijk", "Jose@Voorbeeld.NL", "", "", "", "", "", "", "naam"]
    person, errors = validate_row(row, mapping, row_number=2)
    assert errors == []
    assert person == PersonRow(2, "José van Dijk", "Jose@voorbeeld.nl", "", "naam", "1001")


def test_without_an_email_address_a_full_postal_address_means_a_letter() -> None:
    mapping = propose_mapping(DUTCH)
    row = ["7", "Zoë", "", "Brontë", "", "Kerkweg", "12", "a", "2345bc", "Ons Dorp", "NL"]
    person, errors = validate_row(row, mapping, row_number=3)
    assert errors == [] and person is not None
    assert person.channel is Channel.LETTER
    assert person.address == "Kerkweg 12 a\n2345 BC  Ons Dorp"  # PostNL: two spaces
    abroad = ["8", "Jan", "", "Peeters", "", "Meir", "1", "", "2000", "Antwerpen", "België"]
    person, _ = validate_row(abroad, mapping, row_number=4)
    assert person is not None and person.address == "Meir 1\n2000  Antwerpen\nBelgië"


def test_an_address_column_with_a_house_number_column() -> None:
    mapping = Mapping(name=(0,), address=(1,), house_number=2)
    person, _ = validate_row(["Jan", "Dorpsstraat, 1234 AB Ons Dorp", "5"], mapping, row_number=2)
    assert person is not None and person.address == "Dorpsstraat 5\n1234 AB Ons Dorp"
    lines = Mapping(address=(0,))
    person, errors = validate_row(["Dorpsstraat 5\r\n1234 AB Ons Dorp"], lines, row_number=2)
    assert person is not None and person.channel is Channel.LETTER


def test_a_row_without_email_and_without_a_usable_address_is_refused() -> None:
    person, errors = validate_row(["Jan", "Dorpsstraat", "1", "", ""], ADDRESS_ONLY, row_number=5)
    assert person is None
    assert [(e.row_number, e.field, e.column) for e in errors] == [(5, "", None)]
    assert errors[0].message.startswith("No e-mail address and no postal address")


def test_a_bad_email_address_is_refused_at_its_column_with_its_value() -> None:
    mapping = Mapping(name=(0,), email=1)
    person, errors = validate_row(["Jan", "jan@@x"], mapping, row_number=9)
    assert person is None
    assert [(e.row_number, e.field, e.column, e.value) for e in errors] == [
        (9, "email", 1, "jan@@x")
    ]


def test_overlong_values_are_refused_and_the_value_is_truncated() -> None:
    mapping = Mapping(name=(0,), email=1, reference=2)
    person, errors = validate_row(["x" * 201, "a@voorbeeld.nl", "r" * 101], mapping, row_number=2)
    assert person is None
    assert [(e.field, e.params) for e in errors] == [
        ("name", {"max": 200}),
        ("reference", {"max": 100}),
    ]
    assert len(errors[0].value) == 100 and errors[0].value.endswith("…")


def test_a_formula_is_kept_as_its_text_and_control_characters_become_spaces() -> None:
    mapping = Mapping(name=(0,), email=1)
    formula = '=HYPERLINK("http://evil","klik")'
    person, _ = validate_row([formula, "a@voorbeeld.nl"], mapping, row_number=2)
    assert person is not None and person.name == formula
    person, _ = validate_row(["Jan\r\nBcc: x@y.nl", "a@voorbeeld.nl"], mapping, row_number=2)
    assert person is not None and person.name == "Jan Bcc: x@y.nl"


@pytest.mark.parametrize(
    "value", ["jan@@x", "jan", "jan@x", "jan@x..nl", ".jan@x.nl", "a b@x.nl", "a@-x.nl"]
)
def test_the_pragmatic_email_syntax_check_refuses(value: str) -> None:
    with pytest.raises(ValueError):
        check_email_syntax(value)


def test_the_pragmatic_email_syntax_check_lowercases_the_domain() -> None:
    assert check_email_syntax("Jan.de-Vries+x@Voorbeeld.NL") == "Jan.de-Vries+x@voorbeeld.nl"


def test_duplicates_by_email_or_else_by_name_and_address() -> None:
    seen = Duplicates()
    first = PersonRow(2, "Jan", "jan@voorbeeld.nl")
    assert seen.earlier_row(first) is None
    again = PersonRow(7, "Johannes", "JAN@voorbeeld.nl")
    assert seen.earlier_row(again) == 2
    assert duplicate_error(again, 2).params == {"row": 2}
    letter_1 = PersonRow(3, "Piet", "", "Kerkweg 1\n1234 AB  Dorp", channel=Channel.LETTER)
    letter_2 = PersonRow(4, "piet", "", "kerkweg 1\n1234 ab  dorp", channel=Channel.LETTER)
    other = PersonRow(5, "Kees", "", "Kerkweg 1\n1234 AB  Dorp", channel=Channel.LETTER)
    assert seen.earlier_row(letter_1) is None
    assert seen.earlier_row(letter_2) == 3
    assert seen.earlier_row(other) is None
    assert duplicate_error(letter_2, 3).field == Field.ADDRESS.value


# -- Reading files --------------------------------------------------------------------------

CSV = "Naam;E-mail\r\nJosé Müller;jose@voorbeeld.nl\r\nZoë Brontë;zoe@voorbeeld.nl\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CSV.encode("utf-8"), "utf-8"),
        (CSV.encode("utf-8-sig"), "utf-8-sig"),
        (CSV.encode("cp1252"), "cp1252"),
        (CSV.encode("utf-16"), "utf-16"),  # Excel's "Unicode text"
    ],
)
def test_the_encoding_is_detected_and_reported(data: bytes, encoding: str) -> None:
    table = read_table(data, "lijst.csv")
    assert (table.encoding, table.separator, table.row_count) == (encoding, ";", 2)
    assert table.headers == ("Naam", "E-mail")
    assert table.preview[0] == ("José Müller", "jose@voorbeeld.nl")
    assert table.proposed == Mapping(name=(0,), email=1)


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_the_separator_is_sniffed(separator: str) -> None:
    text = (
        f'Naam{separator}Adres{separator}E-mail\n"Jansen, Jan"{separator}"Dorpsstraat 1, Dorp"'
        f"{separator}jan@voorbeeld.nl\nPiet{separator}Kerkweg 2{separator}piet@voorbeeld.nl\n"
    )
    table = read_table(text.encode(), "lijst.csv")
    assert table.separator == separator
    assert table.preview[0] == ("Jansen, Jan", "Dorpsstraat 1, Dorp", "jan@voorbeeld.nl")


def test_excels_sep_line_blank_rows_and_trailing_separators() -> None:
    text = "sep=,\nNaam,E-mail,,\n\nJan,jan@voorbeeld.nl,,\n,,,\nPiet,piet@voorbeeld.nl\n"
    table = read_table(text.encode(), "lijst.csv")
    assert (table.separator, table.row_count, table.headers) == (",", 2, ("Naam", "E-mail"))
    source = recipient_files.open_table(text.encode(), "lijst.csv")
    assert [n for n, _ in source.rows()] == [1, 3, 5]  # row numbers as Excel shows them


def test_pasted_lines_without_a_header() -> None:
    table = read_table(b"Jan Jansen\tjan@voorbeeld.nl\nPiet\tpiet@voorbeeld.nl", "")
    assert (table.has_header, table.row_count, table.headers) == (False, 2, ("A", "B"))
    assert table.proposed == Mapping(has_header=False, name=(0,), email=1)
    single = read_table(b"jan@voorbeeld.nl\n", "geplakt.txt")
    assert (single.separator, single.proposed.email, single.row_count) == (None, 0, 1)


def workbook_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Klanten"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_is_read_with_formulas_as_text() -> None:
    data = workbook_bytes(
        [["Naam", "E-mail", "Postcode", "Klantnummer"],
         ['=HYPERLINK("http://evil","klik")', "a@voorbeeld.nl", 1234, 1001.0]]
    )  # fmt: skip
    table = read_table(data, "lijst.bin")  # the content decides, not the name
    assert (table.format, table.sheet, table.encoding, table.row_count) == (
        "xlsx", "Klanten", None, 1
    )  # fmt: skip
    assert table.preview[0] == (
        '=HYPERLINK("http://evil","klik")',
        "a@voorbeeld.nl",
        "1234",
        "1001",
    )


def test_a_workbook_names_its_sheets_and_reads_the_one_asked_for() -> None:
    """The list of people still reads the sheet the workbook opens on; the source also names
    the others (the register's import says so), and can read another."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Uitleg"
    first.append(["Alleen uitleg"])
    people = book.create_sheet("Klanten")
    people.append(["Naam", "E-mail"])
    people.append(["Jan", "jan@voorbeeld.nl"])
    book.active = 1
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    table = read_table(data, "lijst.xlsx")
    assert (table.sheet, table.row_count, table.other_sheets) == ("Klanten", 1, ("Uitleg",))
    source = recipient_files.open_table(data, "lijst.xlsx")
    assert (source.sheet, source.sheets, source.other_sheets) == (
        "Klanten", ("Uitleg", "Klanten"), ("Uitleg",)
    )  # fmt: skip
    other = recipient_files.open_table(data, "lijst.xlsx", "Uitleg")
    assert [cells for _, cells in other.rows()] == [("Alleen uitleg",)]
    with pytest.raises(RecipientImportError, match="no sheet"):
        recipient_files.open_table(data, "lijst.xlsx", "Elders")
    text = recipient_files.open_table(b"a;b\n1;2\n", "lijst.csv")
    assert (text.sheet, text.sheets, text.other_sheets) == (None, (), ())


def refused(data: bytes, filename: str = "lijst.csv") -> RecipientImportError:
    with pytest.raises(RecipientImportError) as info:
        read_table(data, filename)
    assert info.value.field == "file"
    return info.value


def test_broken_files_are_refused_with_a_clear_message() -> None:
    assert "empty" in str(refused(b""))
    assert "empty" in str(refused(b"  \r\n"))
    assert "header row but no people" in str(refused(b"Naam;E-mail\r\n\r\n"))
    junk = random.Random(7).randbytes(4096)
    assert "not a CSV file" in str(refused(junk, "lijst.csv"))
    assert "not a CSV file" in str(refused(b"%PDF-1.7\n\x00\x01binary", "lijst.csv"))
    assert ".xls" in str(refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "oud.xls"))
    damaged = "damaged or is not an Excel workbook"
    assert damaged in str(refused(b"PK\x03\x04" + b"junk" * 100, "lijst.xlsx"))
    assert damaged in str(refused(b"Naam;E-mail\r\nJan;jan@x.nl\r\n", "lijst.xlsx"))
    good = workbook_bytes([["Naam"], ["Jan"]])
    assert damaged in str(refused(good[: len(good) // 2], "lijst.xlsx"))
    assert "closing quote" in str(refused(b'Naam;E-mail\r\n"Jan' + b"x" * 200_000, "lijst.csv"))
    # No quote at all, a huge cell: said so (it was blamed on a quote: exploratory testing).
    huge = refused(b"naam,e-mail\r\n" + b"x" * 140_000 + b",big@example.org\r\n", "lijst.csv")
    assert "Row 2 has a cell of more than 131072 characters" in str(huge)


def test_a_quote_never_closed_is_refused_at_its_row_not_read_as_one_long_cell() -> None:
    """Before, a short file with one opening quote and no closing one was read without a
    word: the rest of the file became one cell of that row (two people became one)."""
    unclosed = b'Naam;E-mail\r\nJan;jan@x.nl\r\n"Piet;piet@x.nl\r\nAnna;anna@x.nl\r\n'
    assert "Row 3 cannot be read (an opening quote without its closing quote?)" in str(
        refused(unclosed, "lijst.csv")
    )
    # A cell over two lines in quotes (an address from Excel), last or not, is fine, and so
    # is a quote inside a cell, which the reader has always let through.
    fine = (
        b'Naam;E-mail;Adres\r\nJan;jan@x.nl;"Straat 1\r\n1234 AB Dorp"\r\n'
        b'"Piet" de Vries;piet@x.nl;\r\nEls;;"Dorpsstraat 12\r\n1234 AB Ons Dorp"\r\n'
    )
    assert read_table(fine, "lijst.csv").row_count == 3


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_parsing(*args: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(recipient_files, "_decode", no_parsing)
    monkeypatch.setattr(workbooks, "rows", no_parsing)
    big = bytes(MAX_BYTES + 1024 * 1024)  # 51 MB of zeros, only in memory
    error = refused(big, "groot.csv")
    assert str(error) == "The file is larger than 50 MB; split the list."
