"""Importing an earlier register, as it comes from the offices that kept one in Excel: a
title above the column names, dates without a time of day, the nature of the breach and the
reasons for a late notification in columns of their own, formulas. (Split from
test_register_import.py, whose helpers these tests use.)"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from breachdesk.extensions import db
from breachdesk.models import Incident, Notification, Organisation

from ..conftest import login
from .test_register_import import (
    HEADERS,
    ROWS,
    checked_csv,
    fg,  # noqa: F401 - the fixture
    imported_csv,
    imported_workbook,
    note_rows,
    pdf_text,
    proposed,
    upload,
)


def test_a_title_above_the_column_names_is_passed_over_and_said(
    client: Any,
    orgs: dict[str, Organisation],
    fg: None,  # noqa: F811 - the fixture
) -> None:
    """An Excel register often starts with a title and a blank row: the title was taken for
    the column names, nothing was proposed and its first row would have been read as a
    breach (found by exploratory testing)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Register datalekken Kruix 2023-2024", None, None, "bijgewerkt door de FG"])
    sheet.append([])
    sheet.append(HEADERS)
    for row in ROWS[:3]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    login(client, "fg@x.nl")
    assert upload(client, orgs, buffer.getvalue(), "register.xlsx").status_code == 302
    page = client.get("/register/import/map").get_data(as_text=True)
    mapping = proposed(page)
    assert mapping["map_title"] == "2" and mapping["map_reference"] == "0"
    assert "Rij 3 bevat de kolomnamen" in page
    note = re.search(r'id="import-title-rows"[^>]*>(.*?)</div>', page, re.S)
    assert note is not None
    assert "Register datalekken Kruix 2023-2024 · bijgewerkt door de FG" in html.unescape(
        note.group(1)
    )
    preview = page[page.index('id="import-preview-title"') :]
    assert "Laptop kwijt" in preview and "Register datalekken" not in preview

    checked = client.post("/register/import/check", data={**mapping, "has_header": "1"})
    assert checked.status_code == 200 and "3 rijen kunnen worden geïmporteerd" in (
        checked.get_data(as_text=True)
    )
    assert client.post("/register/import/run").status_code == 302
    titles = db.session.execute(select(Incident.title).order_by(Incident.id)).scalars().all()
    assert titles[:2] == ["Laptop kwijt", "Mail aan verkeerde klant"] and len(titles) == 3


def test_a_date_without_a_time_is_shown_as_a_date_not_as_midnight(
    client: Any,
    orgs: dict[str, Organisation],
    fg: None,  # noqa: F811 - the fixture
) -> None:
    """The earlier register gave "2023-03-05": the register said "05-03-2023 00:00", a time
    of day it never gave and one the AP would read as the moment (found by exploratory
    testing). A date alone stays a date, in the page, the exports and the evidence pack; a
    moment with a time keeps it."""
    login(client, "fg@x.nl")
    laptop, _mail, _formula = imported_workbook(client, orgs)
    assert laptop.dates_only == ["closed_at", "discovered_at"]  # filed "07-03-2023 10:15"

    page = client.get("/register/?q=laptop").get_data(as_text=True)
    assert "05-03-2023" in page and "05-03-2023 00:00" not in page
    shown = client.get(f"/incidents/{laptop.id}").get_data(as_text=True)
    assert "05-03-2023" in shown and "05-03-2023 00:00" not in shown
    assert "07-03-2023 10:15" in shown  # the filing came with its time

    exported = client.get("/register/export.csv?q=laptop").get_data().decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(exported), delimiter=";"))[:2]
    cell = dict(zip(header, row, strict=True))
    assert cell["Ontdekt (Nederlandse tijd)"] == "2023-03-05"
    assert cell["Gemeld (Nederlandse tijd)"] == "2023-03-07 10:15"
    assert cell["Afgesloten (Nederlandse tijd)"] == "2023-04-01"

    book = load_workbook(io.BytesIO(client.get("/register/export.xlsx?q=laptop").get_data()))
    sheet = book.active
    assert sheet is not None
    names = [c.value for c in sheet[1]]
    discovered = sheet.cell(2, names.index("Ontdekt (Nederlandse tijd)") + 1)
    filed = sheet.cell(2, names.index("Gemeld (Nederlandse tijd)") + 1)
    assert discovered.number_format == "dd-mm-yyyy" and discovered.value.hour == 0
    assert filed.number_format == "dd-mm-yyyy hh:mm" and filed.value.hour == 10

    pack = zipfile.ZipFile(
        io.BytesIO(client.get(f"/register/incidents/{laptop.id}/evidence.zip").get_data())
    )
    summary = pdf_text(pack.read("summary.pdf"))
    assert "05-03-2023" in summary and "05-03-2023 00:00" not in summary
    assert "01-04-2023 00:00" not in summary


def test_the_nature_of_the_breach_and_the_reasons_for_a_late_notification_come_along(
    client: Any,
    orgs: dict[str, Organisation],
    fg: None,  # noqa: F811 - the fixture
) -> None:
    """The earlier register's "Soort inbreuk" and "Reden vertraging" were left behind: the
    register then showed no nature of the breach and a late filing without its reasons, which
    Art. 33(1) GDPR asks for (found by exploratory testing)."""
    login(client, "fg@x.nl")
    header = (
        "Nr.;Datum ontdekt;Titel;Gemeld bij AP;Datum melding AP;Datum bekend;Soort inbreuk;"
        "Reden vertraging;Afgesloten"
    )
    lines = [
        header,
        "1;02-05-2024;Server versleuteld;Ja;10-05-2024 12:00;02-05-2024 09:00;"
        "Beschikbaarheid, vertrouwelijkheid;Het forensisch onderzoek liep uit;30-05-2024",
        "2;06-05-2024;Brief verkeerd adres;Nee;;;C;Geen reden;30-05-2024",
        "3;07-05-2024;Onleesbaar;Nee;;;rood;;30-05-2024",
    ]
    page = checked_csv(client, orgs, lines)
    assert (
        proposed(client.get("/register/import/map").get_data(as_text=True))["map_breach_type"]
        == "6"
    )
    assert note_rows(page).get("delay_reason") == "3"  # a reason without a notification
    assert "Geen soort inbreuk" in page  # row 4 refused at its column
    server, letter = imported_csv(client, orgs, lines)
    assert server.breach_types == ["availability", "confidentiality"]
    assert letter.breach_types == ["confidentiality"]
    filing = db.session.execute(
        select(Notification).where(Notification.incident_id == server.id)
    ).scalar_one()
    assert filing.late is True and filing.delay_reason == "Het forensisch onderzoek liep uit"

    exported = client.get("/register/export.csv?q=versleuteld").get_data().decode("utf-8-sig")
    head, row = list(csv.reader(io.StringIO(exported), delimiter=";"))[:2]
    cell = dict(zip(head, row, strict=True))
    assert cell["Reden van de vertraging"] == "Het forensisch onderzoek liep uit"
    assert "beschikbaarheid" in cell["Soort inbreuk"].lower()


def saved_with_values(book: Workbook, values: dict[str, str]) -> bytes:
    """``book`` as Excel saves it: each formula with the value it showed (``<v>``), which
    openpyxl does not write; ``values`` maps a formula's text to that value."""
    buffer = io.BytesIO()
    book.save(buffer)
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8")
                for formula, value in values.items():
                    text = text.replace(
                        f"<f>{formula}</f><v></v>", f"<f>{formula}</f><v>{value}</v>"
                    )
                data = text.encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def test_a_formula_is_read_as_the_value_the_workbook_showed(
    client: Any,
    orgs: dict[str, Organisation],
    fg: None,  # noqa: F811 - the fixture
) -> None:
    """ "Aantal betrokkenen: =40+80" was read as the text "=40+80" and refused as "not a
    number" (found by exploratory testing). The value the workbook showed when it was saved is
    read; nothing is calculated, and a formula without a kept value stays its text."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Kenmerk", "Datum ontdekt", "Titel", "Aantal betrokkenen", "Afgesloten"])
    sheet.append(["DL-1", "2024-02-01", "Lijst gedeeld", "=40+80", "2024-02-20"])
    sheet.append(["DL-2", "2024-03-01", '=CONCATENATE("Laptop"," kwijt")', "3", "2024-03-20"])
    data = saved_with_values(book, {"40+80": "120"})
    login(client, "fg@x.nl")
    assert upload(client, orgs, data, "register.xlsx").status_code == 302
    mapping = proposed(client.get("/register/import/map").get_data(as_text=True))
    client.post("/register/import/check", data={**mapping, "has_header": "1"})
    assert client.post("/register/import/run").status_code == 302
    shared, laptop = db.session.execute(select(Incident).order_by(Incident.id)).scalars()
    assert shared.subjects_exact == 120
    assert laptop.title == '=CONCATENATE("Laptop"," kwijt")'  # no value kept: its text


def test_a_date_alone_for_awareness_gives_dates_for_its_deadline_and_the_data_in_words_show(
    client: Any,
    orgs: dict[str, Organisation],
    fg: None,  # noqa: F811 - the fixture
) -> None:
    """Found by exploratory testing: "Kennisname op 05-03-2023 00:00 · uiterlijk melden bij
    de AP: 08-03-2023 00:00" for awareness the file gave as a date; the register page left out
    the personal data an imported entry names in words; a reason for delay beside a filing in
    time went without a word."""
    login(client, "fg@x.nl")
    header = (
        "Nr.;Datum ontdekt;Titel;Persoonsgegevens;Gemeld bij AP;Datum melding AP;"
        "Datum bekend;Reden vertraging;Afgesloten"
    )
    lines = [
        header,
        "1;05-03-2023;Laptop kwijt;Naam, adres en BSN;Ja;10-03-2023;05-03-2023;Vakantie;30-03-2023",
        "2;05-04-2023;Mail verkeerd;Naam;Ja;06-04-2023 09:00;05-04-2023 10:00;"
        "Te laat door vakantie;30-04-2023",
    ]
    page = checked_csv(client, orgs, lines)
    assert note_rows(page).get("delay_reason") == "3"  # the one filed within 72 hours
    laptop, _mail = imported_csv(client, orgs, lines)
    shown = client.get(f"/incidents/{laptop.id}").get_data(as_text=True)
    banner = shown.split('id="deadline"')[1].split("</div>")[0]
    assert "05-03-2023" in banner and "08-03-2023" in banner and "00:00" not in banner, banner
    assert "00:00" not in shown.split('data-label="Ingediend op"')[1].split("</td>")[0]
    register = client.get("/register/?q=laptop").get_data(as_text=True)
    assert "Naam, adres en BSN" in register
