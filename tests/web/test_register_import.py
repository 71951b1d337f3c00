"""Importing an earlier register: the columns found by their Dutch names, every row checked,
the good rows imported whole as closed entries with the file's digest, the bad ones reported."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
import zipfile
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from breachdesk.domain.register_columns import Field, propose_mapping
from breachdesk.domain.register_import import (
    parse_moment,
    parse_people,
    parse_yes_no,
    read_row,
)
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Decision, Incident, Notification, Organisation
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, login

HEADERS = [
    "Kenmerk", "Datum ontdekt", "Titel", "Omschrijving", "Aantal betrokkenen", "Gemeld AP",
    "Datum melding", "Meldnummer", "Betrokkenen geïnformeerd", "Motivering", "Maatregelen",
    "Afgesloten",
]  # fmt: skip
ROWS = [
    ["DL-2023-01", datetime(2023, 3, 5), "Laptop kwijt", "In de trein laten liggen.", "120",
     "ja", "07-03-2023 10:15", "M-123456", "nee", "Versleuteld? Nee, dus gemeld.",
     "Laptop op afstand gewist", "2023-04-01"],
    ["DL-2023-02", "12-06-2023", "Mail aan verkeerde klant", "", "1", "nee", "", "", "nee",
     "Eén bekende ontvanger, verwijdering bevestigd.", "", "20-06-2023"],
    ["DL-2024-01", "2024-01-10", "=HYPERLINK(\"http://x\")", "Formule als titel", "100-150",
     "ja", "2024-01-12", "M-777", "ja", "Hoog risico.", "", ""],
    ["DL-2024-02", "gisteren", "Onleesbare rij", "", "veel", "misschien", "", "", "", "", "",
     ""],
]  # fmt: skip


def workbook_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_values_are_read_as_a_dutch_spreadsheet_writes_them() -> None:
    assert parse_moment("05-03-2023") == datetime(2023, 3, 4, 23, 0, tzinfo=UTC)
    assert parse_moment("2023-07-03 10:15") == datetime(2023, 7, 3, 8, 15, tzinfo=UTC)
    assert parse_moment("31-02-2023") is None and parse_moment("gisteren") is None
    assert parse_people("1.200") == (1200, 1200) and parse_people("100 - 150") == (100, 150)
    assert parse_people("ca. 40") == (40, 40) and parse_people("veel") is None
    assert parse_people("") == (None, None) and parse_people("50-10") is None
    # Thousands are set apart in groups of three: "12.5" (a decimal, in a CSV cell or a
    # workbook's number) was read as 125 people (found by exploratory testing).
    assert parse_people("12.5") is None and parse_people("1.2000") is None
    assert parse_people("1.200.000") == (1_200_000, 1_200_000)
    assert parse_people("12 500") == (12_500, 12_500)
    assert [parse_yes_no(v) for v in ("Ja", "NEE", "x", "", "misschien")] == [
        True, False, True, False, None,
    ]  # fmt: skip
    mapping = propose_mapping(HEADERS)
    assert mapping[Field.REFERENCE] == 0 and mapping[Field.DISCOVERED] == 1
    assert mapping[Field.INFORMED] == 8 and mapping[Field.AP_REFERENCE] == 7
    # Dutch registers often say "afgehandeld" or "afgerond" for closed.
    for header in ("Afgehandeld", "Datum afgehandeld", "Afgerond"):
        assert propose_mapping(["Nr.", header])[Field.CLOSED] == 1, header
    now = datetime(2026, 1, 1, tzinfo=UTC)
    breach, errors = read_row(9, {Field.TITLE: "x", Field.DISCOVERED: "2027-01-01"}, now)
    assert breach is None and [e.field for e in errors] == [Field.DISCOVERED]


def test_a_number_of_people_nobody_knew_is_read_as_unknown_not_refused() -> None:
    """Before, "onbekend" refused the whole row ("Geen aantal personen."), though an empty
    cell meaning the same was taken."""
    for unknown in ("onbekend", "Onbekend", " ONBEKEND ", "niet bekend", "n.b.", "unknown", "?"):
        assert parse_people(unknown) == (None, None), unknown
    now = datetime(2026, 1, 1, tzinfo=UTC)
    row = {Field.TITLE: "Brief kwijt", Field.DISCOVERED: "2024-05-01", Field.PEOPLE: "onbekend"}
    breach, errors = read_row(7, row, now)
    assert errors == [] and breach is not None
    assert breach.people_min is None and breach.people_max is None
    # Other words are still refused, and the reason says an empty cell is accepted.
    breach, errors = read_row(7, {**row, Field.PEOPLE: "veel"}, now)
    assert breach is None and [e.field for e in errors] == [Field.PEOPLE]
    assert "leave the cell empty" in errors[0].message


@pytest.fixture
def fg(app: Flask, orgs: dict[str, Organisation], make_user: MakeUser) -> None:
    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))


def upload(client: Any, orgs: dict[str, Organisation], data: bytes, name: str) -> Any:
    return client.post(
        "/register/import",
        data={"org": str(orgs["kruix"].id), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def proposed(page: str) -> dict[str, str]:
    """The mapping the page proposes: the selected option of each field's select."""
    chosen = {}
    for field, body in re.findall(r'name="map_(\w+)"[^>]*>(.*?)</select>', page, re.S):
        found = re.search(r'<option value="(\d+)" selected', body)
        chosen[f"map_{field}"] = found.group(1) if found else ""
    return chosen


def test_the_fg_imports_the_good_rows_and_learns_why_the_others_were_left_out(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    login(client, "fg@x.nl")
    data = workbook_bytes()
    assert upload(client, orgs, data, "register 2023-2024.xlsx").status_code == 302
    page = client.get("/register/import/map").get_data(as_text=True)
    assert "Laptop kwijt" in page  # the preview
    mapping = proposed(page)
    assert mapping["map_title"] == "2" and mapping["map_closed"] == "11"
    checked = client.post("/register/import/check", data={**mapping, "has_header": "1"})
    text = checked.get_data(as_text=True)
    assert checked.status_code == 200 and 'id="import-result"' in text
    assert "3 rijen kunnen worden geïmporteerd" in text and "1 rij kan niet" in text
    # "Change the columns" goes back to the columns chosen, not to a fresh proposal (the
    # choice was thrown away: found by exploratory testing).
    changed = {**mapping, "map_reference": ""}
    client.post("/register/import/check", data={**changed, "has_header": "1"})
    assert proposed(client.get("/register/import/map").get_data(as_text=True)) == changed
    checked = client.post("/register/import/check", data={**mapping, "has_header": "1"})
    report = client.get("/register/import/errors.csv").get_data().decode("utf-8-sig")
    problems = list(csv.reader(io.StringIO(report), delimiter=";"))
    assert {row[0] for row in problems[1:]} == {"5"}  # the spreadsheet's row 5
    # The column as the page names it (before: the internal key, "discovered").
    assert {row[1] for row in problems[1:]} == {
        "Datum ontdekt",
        "Aantal personen",
        "Gemeld bij de AP (ja/nee)",
    }
    people = next(row for row in problems[1:] if row[1] == "Aantal personen")
    assert "laat de cel leeg" in people[2] and people[3] == "veel"
    assert db.session.execute(select(func.count()).select_from(Incident)).scalar_one() == 0

    done = client.post("/register/import/run")
    assert done.status_code == 302 and "/register/" in done.headers["Location"]
    imported = list(db.session.execute(select(Incident).order_by(Incident.id)).scalars())
    assert [i.source_reference for i in imported] == ["DL-2023-01", "DL-2023-02", "DL-2024-01"]
    assert [i.reference for i in imported] == ["KRX-2023-0001", "KRX-2023-0002", "KRX-2024-0001"]
    digest = hashlib.sha256(data).hexdigest()
    assert all(i.imported_from == digest and i.state == "closed" for i in imported)
    laptop, mail, formula = imported
    assert laptop.subjects_exact == 120 and laptop.decided_outcome == "notify_ap"
    assert formula.subjects_min == 100 and formula.subjects_max == 150
    assert formula.decided_outcome == "notify_ap_and_subjects"
    assert formula.subjects_resolution == "informed" and formula.title.startswith("=")
    assert mail.decided_outcome == "register_only"
    filing = db.session.execute(
        select(Notification).where(Notification.incident_id == laptop.id)
    ).scalar_one()
    assert filing.reference == "M-123456" and not filing.late
    assert filing.submitted_at == datetime(2023, 3, 7, 9, 15, tzinfo=UTC)
    decision = db.session.execute(
        select(Decision).where(Decision.incident_id == mail.id)
    ).scalar_one()
    assert decision.ruleset_version == "imported" and "verwijdering" in decision.rationale
    actions = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert actions.count("incident.imported") == 3 and "register.imported" in actions

    # In the register and its export like any other entry; the formula stays text.
    exported = client.get("/register/export.csv?sort=reference_asc").get_data()
    table = list(csv.reader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";"))
    titles = [row[table[0].index("Titel")] for row in table[1:]]
    assert titles == ["Laptop kwijt", "Mail aan verkeerde klant", '\'=HYPERLINK("http://x")']
    assert client.get("/register/import/map").status_code == 404  # the file is gone


def test_the_same_file_again_is_refused_with_when_and_how_many_it_brought(
    client: Any, orgs: dict[str, Organisation], fg: None, clock: FixedClock
) -> None:
    """Before, a second import of the same file succeeded without a word and the register
    held every breach twice, both copies with the same SHA-256."""
    login(client, "fg@x.nl")
    data = workbook_bytes()

    def checked() -> str:
        assert upload(client, orgs, data, "register.xlsx").status_code == 302
        mapping = proposed(client.get("/register/import/map").get_data(as_text=True))
        return client.post("/register/import/check", data={**mapping, "has_header": "1"}).get_data(
            as_text=True
        )

    first = checked()
    assert 'id="import-already"' not in first and 'id="import-run"' in first
    assert client.post("/register/import/run").status_code == 302
    clock.advance(minutes=5)

    again = checked()
    refusal = re.search(r'id="import-already"[^>]*>(.*?)</div>', again, re.S)
    assert refusal is not None and 'id="import-run"' not in again
    assert refusal.group(1) == (
        "Dit bestand is op 19 november 2026 om 11:00 al geïmporteerd in het register van"
        " Kruix. Er staan 3 incidenten uit dit bestand in het register; het nog eens"
        " importeren zou die dubbel opnemen en wordt daarom geweigerd. Een verbeterd bestand"
        " heeft een andere vingerafdruk en kun je wel importeren: de rijen waarvan het kenmerk"
        " al in het register staat, worden dan overgeslagen."
    )
    # Asked anyway (a second tab, a page from before): refused, nothing written.
    refused = client.post("/register/import/run", follow_redirects=True)
    assert "al geïmporteerd in het register van Kruix" in refused.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(Incident)).scalar_one() == 3


def imported_workbook(client: Any, orgs: dict[str, Organisation]) -> list[Incident]:
    """The workbook imported through the pages, as the FG does it; its incidents."""
    assert upload(client, orgs, workbook_bytes(), "register.xlsx").status_code == 302
    mapping = proposed(client.get("/register/import/map").get_data(as_text=True))
    client.post("/register/import/check", data={**mapping, "has_header": "1"})
    assert client.post("/register/import/run").status_code == 302
    return list(db.session.execute(select(Incident).order_by(Incident.id)).scalars())


def pdf_text(data: bytes) -> str:
    run = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(run.stdout.decode().split())


def test_the_old_registers_reference_shows_where_the_reference_does(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """The reference a breach had in the old register ("Uw eigen kenmerk") was stored but
    shown nowhere: not on the incident page, in no export, not in the evidence pack."""
    login(client, "fg@x.nl")
    laptop = imported_workbook(client, orgs)[0]
    assert (laptop.reference, laptop.source_reference) == ("KRX-2023-0001", "DL-2023-01")

    page = client.get(f"/incidents/{laptop.id}").get_data(as_text=True)
    shown = re.search(r'id="imported-from">(.*?)</p>', page, re.S)
    assert shown is not None
    assert "Kenmerk in het eerdere register: <strong" in shown.group(1)
    assert "DL-2023-01</strong>" in shown.group(1) and laptop.imported_from in shown.group(1)
    listed = client.get("/register/?sort=reference_asc").get_data(as_text=True)
    assert 'title="Kenmerk in het eerdere register">DL-2023-01</span>' in listed
    found = client.get("/register/?q=DL-2023-01").get_data(as_text=True)  # the search, too
    assert re.findall(r'data-reference="([^"]+)"', found) == ["KRX-2023-0001"]

    # The spreadsheets: a column right after the reference.
    exported = client.get("/register/export.csv?sort=reference_asc").get_data()
    table = list(csv.reader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["Kenmerk", "Kenmerk in het eerdere register", "Organisatie"]
    assert [row[:2] for row in table[1:]] == [
        ["KRX-2023-0001", "DL-2023-01"],
        ["KRX-2023-0002", "DL-2023-02"],
        ["KRX-2024-0001", "DL-2024-01"],
    ]
    workbook = client.get("/register/export.xlsx?sort=reference_asc").get_data()
    sheet = load_workbook(io.BytesIO(workbook)).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))][:2] == [
        "KRX-2023-0001",
        "DL-2023-01",
    ]

    # The register's PDF and the evidence pack's summary.
    printed = pdf_text(client.get("/register/export.pdf?sort=reference_asc").get_data())
    assert "Kenmerk in het eerdere register: DL-2023-01" in printed
    pack = client.get(f"/register/incidents/{laptop.id}/evidence.zip").get_data()
    summary = pdf_text(zipfile.ZipFile(io.BytesIO(pack)).read("summary.pdf"))
    assert "Kenmerk in het eerdere register: DL-2023-01" in summary
    assert laptop.imported_from in summary


def test_a_file_that_cannot_be_read_or_a_missing_column_is_named_at_its_field(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    login(client, "fg@x.nl")
    old_excel = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    refused = upload(client, orgs, old_excel, "register.xls")
    assert refused.status_code == 400 and 'id="import-file-error"' in refused.get_data(as_text=True)
    # A quote never closed is refused at the file, with its row (before, the file was read as
    # one column and the next page showed two fields without a column).
    unclosed = b'Titel;Datum ontdekt\r\n"Laptop kwijt;01-02-2024\r\nUSB-stick;02-02-2024\r\n'
    refused = upload(client, orgs, unclosed, "register.csv")
    error = refused.get_data(as_text=True).split('id="import-file-error"')[1].split("</div>")[0]
    assert refused.status_code == 400 and "Rij 2 kan niet worden gelezen" in error
    assert upload(client, orgs, workbook_bytes(), "r.xlsx").status_code == 302
    missing = client.post("/register/import/check", data={"map_title": "2", "has_header": "1"})
    assert missing.status_code == 400
    assert 'id="map-discovered-error"' in missing.get_data(as_text=True)
    twice = client.post(
        "/register/import/check",
        data={"map_title": "2", "map_discovered": "2", "has_header": "1"},
    )
    page = twice.get_data(as_text=True)
    assert 'id="mapping-error"' in page
    # Each field concerned says so at its choice (the summary alone did not say which).
    for field in ("title", "discovered"):
        error = page.split(f'id="map-{field}-error"')[1].split("</div>")[0]
        assert "ook voor een ander veld gekozen" in error, field


def test_a_file_without_rows_is_refused_at_its_field_not_mapped(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Before, a CSV of separators only was taken, and the mapping page offered no column at
    all: "(staat niet in het bestand)" for every field, without saying why."""
    login(client, "fg@x.nl")
    for data, name in ((b";;;\r\n;;;\r\n\r\n", "leeg.csv"), (b" ;\n", "spatie.csv")):
        refused = upload(client, orgs, data, name)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 400, name
        assert re.search(r'id="import-file-error">Het bestand bevat geen rijen\.<', text), name
    assert client.get("/register/import/map").status_code == 404  # nothing waits to be mapped


def test_only_an_fg_or_administrator_imports(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    login(client, "r@x.nl")
    assert client.get("/register/import").status_code == 403
    assert upload(client, orgs, workbook_bytes(), "r.xlsx").status_code == 403


def checked_csv(client: Any, orgs: dict[str, Organisation], lines: list[str]) -> str:
    """A CSV file (``;``-separated lines, the first the header) uploaded and checked with the
    columns the page proposes; the check page."""
    data = ("\r\n".join(lines) + "\r\n").encode()
    assert upload(client, orgs, data, "register.csv").status_code == 302
    mapping = proposed(client.get("/register/import/map").get_data(as_text=True))
    page = client.post("/register/import/check", data={**mapping, "has_header": "1"})
    assert page.status_code == 200
    return str(page.get_data(as_text=True))


def imported_csv(client: Any, orgs: dict[str, Organisation], lines: list[str]) -> list[Incident]:
    """The CSV file checked and imported; the incidents it made."""
    checked_csv(client, orgs, lines)
    before = db.session.execute(select(func.max(Incident.id))).scalar_one() or 0
    assert client.post("/register/import/run").status_code == 302
    return list(
        db.session.execute(
            select(Incident).where(Incident.id > before).order_by(Incident.id)
        ).scalars()
    )


def note_rows(page: str) -> dict[str, str]:
    """The check page's notes: field -> the rows it names."""
    return dict(re.findall(r'data-note-field="(\w*)".*?data-note-rows="([^"]*)"', page, re.S))


def test_notified_without_a_date_stays_without_a_date_and_is_called_neither_in_time_nor_late(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Before, a row "Gemeld bij AP: Ja" without a date of filing was recorded as filed on
    its closing date (24 days after the discovery, past the deadline) and called "on time"
    on the incident page, in the exports and in the evidence pack."""
    login(client, "fg@x.nl")
    header = "Nr.;Datum ontdekt;Titel;Gemeld bij AP;Datum melding AP;Afgesloten;Datum bekend"
    lines = [header, "7;06-05-2024;Datum van de melding kwijt;Ja;;30-05-2024;06-05-2024 09:00"]
    page = checked_csv(client, orgs, lines)
    assert note_rows(page) == {"filed": "2", "informed": "2"}  # informed: not in the file
    assert "Gemeld bij de AP, zegt het bestand, maar niet wanneer" in page

    assert client.post("/register/import/run").status_code == 302
    incident = db.session.execute(select(Incident)).scalar_one()
    filing = db.session.execute(select(Notification)).scalar_one()
    assert filing.submitted_at is None and filing.late is None

    shown = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'data-status="filed_undated">Gemeld; op tijd of niet is onbekend<' in shown  # the clock
    assert 'data-status="met"' not in shown and "Op tijd gemeld" not in shown
    filings = re.search(r'id="filing-list".*?</table>', shown, re.S)
    assert filings is not None and "data-filed-undated" in filings.group(0)
    assert ">op tijd</span>" not in filings.group(0) and ">te laat</span>" not in filings.group(0)
    assert "30-05-2024" not in filings.group(0) and "toenmalige deadline" not in filings.group(0)

    exported = client.get("/register/export.csv").get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(exported), delimiter=";"))
    row = dict(zip(table[0], table[1], strict=True))
    assert row["Gemeld (Nederlandse tijd)"] == ""
    assert row["Op tijd"] == "onbekend: datum van de melding niet bekend"
    listed = client.get("/register/").get_data(as_text=True)
    assert "datum onbekend" in listed
    figures = client.get("/dashboard/?months=36").get_data(as_text=True)
    assert re.search(r'id="fig-filed">1<', figures) and 'id="fig-filed-undated"' in figures
    assert "— op tijd (binnen 72 uur)" in figures  # not "100% op tijd"

    pack = client.get(f"/register/incidents/{incident.id}/evidence.zip").get_data()
    summary = pdf_text(zipfile.ZipFile(io.BytesIO(pack)).read("summary.pdf"))
    notices = summary[summary.index("Meldingen") : summary.index("De betrokkenen")]
    assert "Datum van de melding niet bekend" in notices and "30-05-2024" not in notices
    assert "op tijd (termijn" not in notices and "te laat (termijn" not in notices


def skipped_rows(page: str) -> list[str]:
    return re.findall(r'data-skipped-row="(\d+)"', page)


def test_a_breach_listed_already_is_skipped_with_a_count_not_imported_twice(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Before, a row repeated in the file became two entries, and a corrected file (which the
    page said could be imported) brought every row in a second time: 20 entries for 10."""
    login(client, "fg@x.nl")
    header = "Nr.;Datum ontdekt;Titel"
    first = [
        header,
        "A1;01-02-2024;Laptop kwijt",
        "A2;02-02-2024;Mail verkeerd",
        "A1;01-02-2024;Laptop kwijt",
    ]
    page = checked_csv(client, orgs, first)
    assert skipped_rows(page) == ["4"]
    assert 'data-skipped="1"' in page and "1 rij wordt overgeslagen" in page
    assert "Hetzelfde kenmerk als rij 2" in page
    assert "2 rijen importeren" in page
    done = client.post("/register/import/run", follow_redirects=True).get_data(as_text=True)
    assert "2 incidenten als afgesloten registraties in het register van Kruix" in done
    assert [i.source_reference for i in db.session.execute(select(Incident)).scalars()] == [
        "A1",
        "A2",
    ]

    # The corrected file: A2 reworded, a1 with other capitals, and one new row.
    corrected = [
        header,
        "a1;01-02-2024;Laptop kwijt",
        "A2;02-02-2024;Mail aan verkeerde klant",
        "A3;03-02-2024;Brief kwijt",
    ]
    page = checked_csv(client, orgs, corrected)
    assert 'id="import-already"' not in page  # another file: not refused as a whole
    assert skipped_rows(page) == ["2", "3"] and "1 rij importeren" in page
    assert "Staat al in het register, als KRX-2024-0001" in page
    report = client.get("/register/import/errors.csv").get_data().decode("utf-8-sig")
    listed = list(csv.reader(io.StringIO(report), delimiter=";"))[1:]
    assert [(row[0], row[1], row[3]) for row in listed] == [
        ("2", "Je eigen kenmerk", "a1"),
        ("3", "Je eigen kenmerk", "A2"),
    ]
    done = client.post("/register/import/run", follow_redirects=True).get_data(as_text=True)
    assert "1 incident als afgesloten registratie in het register van Kruix" in done
    assert "2 rijen zijn overgeslagen" in done
    references = db.session.execute(select(Incident.source_reference)).scalars().all()
    assert sorted(references) == ["A1", "A2", "A3"]


def test_rows_without_a_reference_like_an_entry_are_imported_with_a_note(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Without a reference a repeated breach cannot be told apart surely: the same day of
    discovery and title is named on the check page, and the row imported all the same."""
    login(client, "fg@x.nl")
    header = "Datum ontdekt;Titel"
    assert len(imported_csv(client, orgs, [header, "01-02-2024;Laptop kwijt"])) == 1
    lines = [header, "01-02-2024;laptop  KWIJT", "05-02-2024;Brief kwijt", "05-02-2024;Brief kwijt"]
    page = checked_csv(client, orgs, lines)
    assert skipped_rows(page) == []
    assert "3 rijen importeren" in page
    notes = re.search(r'id="import-notes".*?</table>', page, re.S)
    assert notes is not None
    assert "dezelfde titel als KRX-2024-0001 in het register" in notes.group(0)
    assert "dezelfde titel als rij 3" in notes.group(0)
    found = re.findall(r'data-note-field="(\w*)".*?data-note-rows="([^"]*)"', page, re.S)
    assert [rows for field, rows in found if field == "title"] == ["2", "4"]


def test_a_text_too_long_is_shortened_with_a_note_and_a_reference_too_long_refused(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Before, a 262-character title was stored as its first 200 characters and a 6,000-
    character description as 5,000, without a word anywhere."""
    login(client, "fg@x.nl")
    title, description = "Titel " + "t" * 256, "Omschrijving " + "d" * 5987
    lines = [
        "Nr.;Datum ontdekt;Titel;Omschrijving",
        f"A1;01-02-2024;{title};{description}",
        "A2;02-02-2024;Kort;Ook kort",
        f"{'B' * 101};03-02-2024;Kenmerk te lang;",
    ]
    page = checked_csv(client, orgs, lines)
    assert note_rows(page) == {"title": "2", "description": "2", "closed": "2 3"}
    assert "Langer dan de 200 tekens die passen" in page
    assert "Langer dan de 5000 tekens die passen" in page
    errors = re.search(r'id="import-errors".*?</table>', page, re.S)
    assert errors is not None and "Langer dan de 100 tekens die een kenmerk mag hebben" in (
        errors.group(0)
    )
    assert client.post("/register/import/run").status_code == 302
    shortened, short = db.session.execute(select(Incident).order_by(Incident.id)).scalars()
    assert len(shortened.title) == 200 and shortened.title == title[:199] + "…"
    assert len(shortened.description) == 5000 and shortened.description.endswith("d…")
    assert (short.title, short.description) == ("Kort", "Ook kort")


def test_what_the_file_does_not_say_is_not_made_up(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Before, every imported decision "followed the advice" (there was none), the importing
    FG was shown as the reporter and the one who decided, a row without a closing date was
    closed on its discovery date, "informed" on its closing date, "ca. 250" became exactly
    250 without a word, and "Gemeld bij AP: Nee" with a report number became "notified"."""
    login(client, "fg@x.nl")
    lines = [
        "Nr.;Datum ontdekt;Titel;Aantal betrokkenen;Gemeld bij AP;Datum melding AP;Meldnummer;"
        "Betrokkenen geïnformeerd;Afgesloten",
        "A1;06-05-2024;Zonder afsluitdatum;ca. 250;Ja;07-05-2024;M-1;Ja;",
        "A2;06-05-2024;Nee met nummer;;Nee;;M-999;Nee;10-05-2024",
        "A3;07-05-2024;Leeg met nummer;;;;M-5;Nee;10-05-2024",
    ]
    page = checked_csv(client, orgs, lines)
    errors = re.search(r'id="import-errors".*?</table>', page, re.S)
    assert errors is not None and "Niet gemeld bij de AP, zegt het bestand" in errors.group(0)
    assert re.findall(r'data-label="Rij" class="stack-half">(\d+)<', errors.group(0)) == ["3"]
    assert note_rows(page) == {
        "people": "2",
        "aware": "2",
        "informed": "2",
        "closed": "2",
        "notified": "4",
        "filed": "4",
    }
    assert "Een schatting (“ca. 250”)" in page and 'id="import-what-it-says"' in page
    assert client.post("/register/import/run").status_code == 302
    unclosed, empty = db.session.execute(select(Incident).order_by(Incident.id)).scalars()
    assert empty.source_reference == "A3" and empty.decided_outcome == "notify_ap"
    assert unclosed.state == "closed" and unclosed.closed_at is None
    assert unclosed.subjects_resolution == "informed" and unclosed.subjects_resolution_at is None
    assert unclosed.subjects_exact == 250
    assert unclosed.reporter_id is None and unclosed.reported_via == "import"
    decision = unclosed.decisions[0]
    assert decision.follows_recommendation is None and decision.decided_at is None

    shown = client.get(f"/incidents/{unclosed.id}").get_data(as_text=True)
    reported = re.search(r'id="reported-by" data-imported>(.*?)</dd>', shown, re.S)
    assert reported is not None and reported.group(1) == (
        "niet in breachdesk gemeld: overgenomen uit een eerder register · geïmporteerd door"
        " Fg op 19-11-2026 11:00 uit “register.csv”, rij 2"
    )
    assert "volgt het advies" not in shown and "wijkt af van het advies" not in shown
    assert "uit het eerdere register (geïmporteerd door Fg; wie besloot, en wanneer" in shown
    assert 'id="conversation"' not in shown  # no reporter to ask

    pack = client.get(f"/register/incidents/{unclosed.id}/evidence.zip").get_data()
    summary = pdf_text(zipfile.ZipFile(io.BytesIO(pack)).read("summary.pdf"))
    assert "volgt het advies" not in summary and "geïmporteerd door Fg op" in summary
    assert "uit het eerdere register (geïmporteerd door Fg;" in summary

    # Reopened, its page still opens (an imported decision had no advice to compare with).
    reopened = client.post(f"/incidents/{unclosed.id}/reopen", data={"reason": "Nakijken"})
    assert reopened.status_code == 302
    assert client.get(f"/incidents/{unclosed.id}").status_code == 200


def test_a_time_the_clocks_skipped_is_refused_as_such_not_as_no_date() -> None:
    """Before, 31-03-2024 02:30 (the hour the clocks move forward) was refused with "Not a
    date (use 31-12-2024)", though it is one, written as asked."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    row = {Field.TITLE: "Zomertijd", Field.DISCOVERED: "31-03-2024 02:30"}
    breach, errors = read_row(6, row, now)
    assert breach is None and [(e.field, e.value) for e in errors] == [
        (Field.DISCOVERED, "31-03-2024 02:30")
    ]
    assert errors[0].message == (
        "This time does not exist in the Netherlands (the clocks moved forward)."
    )
    # The hour before and after, and the autumn's doubled hour (its first time), are read.
    for fine in ("31-03-2024 01:59", "31-03-2024 03:00", "27-10-2024 02:30"):
        assert read_row(6, {**row, Field.DISCOVERED: fine}, now)[1] == [], fine


def test_the_check_page_says_the_time_did_not_exist(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    login(client, "fg@x.nl")
    page = checked_csv(client, orgs, ["Datum ontdekt;Titel", "31-03-2024 02:30;Zomertijd"])
    errors = re.search(r'id="import-errors".*?</table>', page, re.S)
    assert (
        errors is not None
        and "Dit tijdstip bestaat niet in Nederland (de klok werd vooruitgezet)" in errors.group(0)
    )
    assert "Geen datum" not in errors.group(0)


def test_the_evidence_pack_and_the_page_of_an_imported_entry_read_well(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Before, the pack's summary said "Persoonsgegevens —; e-mail" (an empty part joined) and
    "bevat de 1 auditgebeurtenissen", and the moment of awareness the file gave was in neither
    the summary's "Beoordeling en moment van bekendheid" nor the page's awareness table."""
    login(client, "fg@x.nl")
    lines = [
        "Nr.;Datum ontdekt;Titel;Persoonsgegevens;Datum bekend;Afgesloten",
        "A1;01-02-2024;Lijst gemaild;e-mail;02-02-2024 10:00;10-02-2024",
    ]
    (incident,) = imported_csv(client, orgs, lines)
    assert [(a.aware_at, a.reason) for a in incident.awareness_history] == [
        (datetime(2024, 2, 2, 9, 0, tzinfo=UTC), "")
    ]
    shown = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    awareness = re.search(r'id="awareness".*?</table>', shown, re.S)
    assert awareness is not None and "02-02-2024 10:00" in awareness.group(0)
    assert "uit het eerdere register" in awareness.group(0)

    pack = client.get(f"/register/incidents/{incident.id}/evidence.zip").get_data()
    summary = pdf_text(zipfile.ZipFile(io.BytesIO(pack)).read("summary.pdf"))
    assert "Persoonsgegevens e-mail" in summary and "—; e-mail" not in summary
    assert "bevat de 1 auditgebeurtenis van dit incident" in summary
    triage = summary[
        summary.index("Beoordeling en moment van bekendheid") : summary.index("Besluiten")
    ]
    assert "02-02-2024 10:00" in triage and "uit het eerdere register" in triage


def workbook_of_sheets(sheets: dict[str, list[list[Any]]], active: str) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.active = list(sheets).index(active)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SHEETS = {
    "2023": [["Nr.", "Datum ontdekt", "Titel"], ["A1", "05-03-2023", "Laptop kwijt"]],
    "2024": [["Nr.", "Datum ontdekt", "Titel"], ["B1", "10-01-2024", "Mail verkeerd"]],
    "Toelichting <b>": [["Dit blad legt de kolommen uit."]],
}


def test_the_mapping_page_names_the_sheet_read_and_the_others_and_another_can_be_chosen(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Before, only the sheet the workbook opened on was read, and its other sheets were
    ignored without a word: the mapping page did not say which sheet it read."""
    login(client, "fg@x.nl")
    data = workbook_of_sheets(SHEETS, active="2024")

    def mapped() -> str:
        return str(client.get("/register/import/map").get_data(as_text=True))

    assert upload(client, orgs, data, "register.xlsx").status_code == 302
    page = mapped()
    assert re.search(r'id="import-sheet">2024<', page)
    others = re.search(r'id="import-other-sheets"[^>]*>(.*?)</div>', page, re.S)
    assert others is not None
    assert "nog 2 bladen, die niet worden gelezen: “2023”, “Toelichting &lt;b&gt;”" in (
        others.group(1)
    )
    assert "Mail verkeerd" in page and "Laptop kwijt" not in page

    # Another sheet: read instead, its columns proposed afresh, and imported.
    assert client.post("/register/import/sheet", data={"sheet": "2023"}).status_code == 302
    page = mapped()
    assert re.search(r'id="import-sheet">2023<', page) and "Laptop kwijt" in page
    assert client.post("/register/import/sheet", data={"sheet": "Elders"}).status_code == 400
    checked = client.post("/register/import/check", data={**proposed(page), "has_header": "1"})
    assert "1 rij importeren" in checked.get_data(as_text=True)
    assert client.post("/register/import/run").status_code == 302

    # The same workbook again: its other sheet may be imported; the same sheet is refused.
    assert upload(client, orgs, data, "register.xlsx").status_code == 302
    page = mapped()
    checked = client.post("/register/import/check", data={**proposed(page), "has_header": "1"})
    assert 'id="import-already"' not in checked.get_data(as_text=True)
    assert client.post("/register/import/run").status_code == 302
    assert upload(client, orgs, data, "register.xlsx").status_code == 302
    client.post("/register/import/sheet", data={"sheet": "2023"})
    checked = client.post("/register/import/check", data={**proposed(mapped()), "has_header": "1"})
    assert 'id="import-already"' in checked.get_data(as_text=True)
    references = db.session.execute(select(Incident.source_reference)).scalars().all()
    assert sorted(references) == ["A1", "B1"]


def test_an_empty_sheet_the_workbook_opens_on_gives_way_to_one_with_rows(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    login(client, "fg@x.nl")
    data = workbook_of_sheets({"Leeg": [], **SHEETS}, active="Leeg")
    assert upload(client, orgs, data, "register.xlsx").status_code == 302
    page = client.get("/register/import/map").get_data(as_text=True)
    assert re.search(r'id="import-sheet">2023<', page) and "“Leeg”" in page


def test_a_number_of_people_past_any_breach_is_refused_at_its_row_not_a_failure(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Before, "100000000000000000000" people passed the check and the import then failed
    (the number does not fit the database's integer): a server error, nothing imported."""
    login(client, "fg@x.nl")
    lines = ["Datum ontdekt;Titel;Aantal betrokkenen", "01-02-2024;Te veel;100000000000000000000"]
    page = checked_csv(client, orgs, lines)
    errors = re.search(r'id="import-errors".*?</table>', page, re.S)
    assert errors is not None and "Meer dan een miljard mensen" in errors.group(0)
    assert 'id="import-run"' not in page


def test_a_file_that_does_not_say_whether_people_were_informed_is_not_read_as_no(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Before, a register without a column "informed" (or an empty cell) was read as "no":
    every notified breach in it then said "Not required by the decision" in the register
    handed to the AP, a fact the file never gave. It now says "not known", the check page
    says why, and the register's filter finds these entries."""
    login(client, "fg@x.nl")
    lines = [
        "Nr.;Datum ontdekt;Titel;Gemeld bij AP;Datum melding AP;Afgesloten",
        "B1;06-05-2024;Gemeld zonder woord over betrokkenen;Ja;07-05-2024;10-05-2024",
        "B2;07-05-2024;Niet gemeld;Nee;;10-05-2024",
    ]
    page = checked_csv(client, orgs, lines)
    assert note_rows(page)["informed"] == "2"  # the notified row only
    assert "zegt niet of de betrokkenen zijn geïnformeerd" in page
    client.post("/register/import/run")
    notified, register_only = db.session.execute(select(Incident).order_by(Incident.id)).scalars()
    assert notified.subjects_resolution == "not_recorded"
    assert register_only.subjects_resolution == ""  # not notified: informing not required

    listed = client.get("/register/").get_data(as_text=True)
    row = re.search(rf'<tr data-reference="{notified.reference}">.*?</tr>', listed, re.S)
    assert row is not None
    assert "Niet bekend (het eerdere register zegt het niet)" in row.group(0)
    assert "Niet vereist door het besluit" not in row.group(0)
    unknown = client.get("/register/?informed=unknown").get_data(as_text=True)
    assert notified.reference in unknown and register_only.reference not in unknown
    not_required = client.get("/register/?informed=not_required").get_data(as_text=True)
    assert register_only.reference in not_required and notified.reference not in not_required
    shown = client.get(f"/incidents/{notified.id}").get_data(as_text=True)
    assert 'data-resolution="not_recorded"' in shown


def test_without_a_date_of_awareness_a_late_looking_filing_is_called_neither(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Before, a row without a date of awareness had its filing judged from the discovery:
    filed five days after it, it was called late in the register, though the organisation
    may have become aware days after the discovery. Within 72 hours of the discovery it is
    surely in time; later, neither in time nor late."""
    login(client, "fg@x.nl")
    header = "Nr.;Datum ontdekt;Titel;Gemeld bij AP;Datum melding AP;Afgesloten"
    lines = [
        header,
        "1;06-05-2024;Vijf dagen later gemeld;Ja;11-05-2024 10:00;30-05-2024",
        "2;06-05-2024;Dezelfde dag gemeld;Ja;06-05-2024 16:00;30-05-2024",
    ]
    page = checked_csv(client, orgs, lines)
    assert "een latere wordt niet op tijd en niet te laat genoemd" in page
    later, same_day = imported_csv(client, orgs, lines)
    filings = {n.incident_id: n for n in db.session.execute(select(Notification)).scalars()}
    assert filings[later.id].late is None and filings[later.id].submitted_at is not None
    assert filings[same_day.id].late is False

    shown = client.get(f"/incidents/{later.id}").get_data(as_text=True)
    assert 'data-status="late"' not in shown
    assert "data-filed-unjudged" in shown
    assert ">te laat</span>" not in shown and "11-05-2024" in shown
    exported = client.get("/register/export.csv").get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(exported), delimiter=";"))
    rows = {r[table[0].index("Titel")]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    assert (
        rows["Vijf dagen later gemeld"]["Op tijd"] == "onbekend: datum van kennisname niet bekend"
    )
    assert rows["Dezelfde dag gemeld"]["Op tijd"] == "op tijd"
    pack = client.get(f"/register/incidents/{later.id}/evidence.zip").get_data()
    summary = " ".join(pdf_text(zipfile.ZipFile(io.BytesIO(pack)).read("summary.pdf")).split())
    assert "op tijd of niet is onbekend" in summary and "te laat (termijn" not in summary


def test_dates_without_a_time_judge_a_filing_from_whole_days_and_odd_dates_are_said(
    client: Any, orgs: dict[str, Organisation], fg: None
) -> None:
    """Found by exploratory testing: known on 21-10-2022 and notified on 24-10-2022 (dates
    alone) was called "on time", read as midnight to midnight, though it may have been 95
    hours; awareness before the discovery was taken without a word; and "this date lies before
    the discovery" showed no value."""
    login(client, "fg@x.nl")
    header = "Nr.;Datum ontdekt;Datum bekend;Titel;Gemeld bij AP;Datum melding AP;Afgesloten"
    lines = [
        header,
        "1;21-10-2022;21-10-2022;Derde dag gemeld;Ja;24-10-2022;30-10-2022",
        "2;21-10-2022;21-10-2022;Tweede dag gemeld;Ja;23-10-2022;30-10-2022",
        "3;21-10-2022;21-10-2022;Vierde dag gemeld;Ja;25-10-2022;30-10-2022",
        "4;21-10-2022 09:00;21-10-2022 09:00;Met tijd gemeld;Ja;24-10-2022 09:00;30-10-2022",
        "5;10-06-2022;01-06-2022;Eerder bekend dan ontdekt;Nee;;30-06-2022",
        "6;10-06-2022;10-06-2022;Melding voor ontdekking;Ja;01-06-2022;30-06-2022",
    ]
    page = checked_csv(client, orgs, lines)
    assert "Bekend vóór de ontdekking" in page
    assert "01-06-2022" in page.split("Deze datum ligt vóór de ontdekking")[1][:400]
    third, second, fourth, timed, early = imported_csv(client, orgs, lines[:6])
    late = {n.incident_id: n.late for n in db.session.execute(select(Notification)).scalars()}
    assert late[third.id] is None  # 49 to 95 hours: not known
    assert late[second.id] is False and late[fourth.id] is True
    assert late[timed.id] is False  # exactly 72 hours, with the times given
    # Said as it is, not as "date not known" or "no date of awareness" (both were shown:
    # found by testing the fix as a user).
    shown = client.get(f"/incidents/{third.id}").get_data(as_text=True)
    assert "Gemeld; op tijd of niet is onbekend" in shown and "datum onbekend" not in shown
    assert "geeft de datums zonder tijdstip" in shown and "geen datum van kennisname" not in shown
    exported = client.get("/register/export.csv").get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(exported), delimiter=";"))
    rows = {r[table[0].index("Titel")]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    unknown = "onbekend: het eerdere register geeft datums zonder tijdstip"
    assert rows["Derde dag gemeld"]["Op tijd"] == unknown


def test_a_yes_no_column_taken_for_a_date_is_named_as_such() -> None:
    """A column "Afgesloten" holding ja/nee was proposed for the date of closing, and every row
    was refused with "not a date (use 31-12-2024)" (found by testing as a user)."""
    now = datetime(2026, 12, 5, tzinfo=UTC)
    cells = {Field.TITLE: "Brief kwijt", Field.DISCOVERED: "05-03-2023", Field.CLOSED: "ja"}
    breach, errors = read_row(2, cells, now)
    assert breach is None and [e.field for e in errors] == [Field.CLOSED]
    assert errors[0].message.startswith("Yes or no, not a date") and errors[0].value == "ja"
