"""The AP answer sheet as a PDF: every chapter and question in order, filed versions as filed,
no network, and a clear error when it cannot be rendered."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from breachdesk.domain.assessment import Outcome
from breachdesk.domain.notices.ap_2022 import AP_2022
from breachdesk.domain.notices.sheet import rows_from_snapshot, snapshot, snapshot_digest
from breachdesk.domain.prefill import prefill
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation, User
from breachdesk.services import decisions, documents, triage
from breachdesk.services.answer_sheet import save_answer, sheet_of
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.documents import DocumentError, ap_sheet_pdf, render_pdf
from breachdesk.services.filings import record_notification, withdraw_notification
from breachdesk.services.organisations import profile_of
from breachdesk.services.report_columns import report_of

from ..conftest import T0, MakeUser
from .test_incidents import submit
from .test_triage import answers

#: The question numbers of the AP form (DOMAIN.md §b.2), written out: the PDF must hold them
#: all, in this order.
NUMBERS = [
    "1.1", "1.2", "1.3", "2.1.1", "2.2.1", "3.1.1", "3.1.2", "3.2.1", "3.2.2", "3.3",
    "4.1.1", "4.1.2", "4.2", "4.3", "4.5", "5.1", "5.2", "5.3", "5.4", "6.1", "6.2", "6.3.1",
    "7.1", "7.2", "7.3", "8.1", "9.1", "9.2", "9.3", "10.1.1", "10.1.3", "10.1.7", "10.2",
]  # fmt: skip
CHAPTERS_NL = [
    "1 Introductie", "2 Internationale aspecten", "3 De verwerkingsverantwoordelijke",
    "4 Tijdlijn", "5 Gegevens over de inbreuk", "6 Welke persoonsgegevens",
    "7 Getroffen personen", "8 Maatregelen vooraf", "9 Gevolgen", "10 Vervolgacties",
]  # fmt: skip
MELDNUMMER = "AP-2026-0471123"
CONF = (
    "Vertrouwelijkheid: persoonsgegevens (mogelijk) ingezien, gekopieerd of verstrekt aan"
    " onbevoegden"
)
AVAIL = "Beschikbaarheid: persoonsgegevens verwijderd, vernietigd of (tijdelijk) niet toegankelijk"


def pdf_text(pdf: bytes) -> str:
    assert shutil.which("pdftotext"), "pdftotext is missing: apt-get install poppler-utils"
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def numbers_in_order(text: str) -> list[str]:
    """The question numbers in the left-hand column, top to bottom (``-layout`` text)."""
    return re.findall(r"(?m)^\s{0,8}(\d+(?:\.\d+)+)\s{2,}\S", text)


@pytest.fixture
def people(orgs: dict[str, Organisation], make_user: MakeUser) -> tuple[User, User]:
    kruix = orgs["kruix"]
    return (
        make_user("r@x.nl", (kruix, Role.REPORTER)),
        make_user("fg@x.nl", (kruix, Role.FG), name="Fenna Groen"),
    )


@pytest.fixture
def incident(
    orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> Incident:
    """Kruix's misdirected customer list: reported, confirmed, assessed, decided to notify."""
    reporter, fg = people
    actor = Actor.of(fg)
    incident = submit(reporter, orgs["kruix"], clock)
    triage.record_triage(db.session, incident, answers(), actor=actor, clock=clock)
    facts = prefill(report_of(incident), profile_of(incident.organisation), frozenset())
    decisions.save_checklist(db.session, incident, facts, confirm=True, actor=actor, clock=clock)
    decisions.record_decision(
        db.session, incident, outcome=Outcome.NOTIFY_AP, rationale="", actor=actor, clock=clock
    )
    return incident


def test_the_live_sheet_has_every_chapter_and_every_question_in_order(
    app: Flask, incident: Incident, people: tuple[User, User], clock: FixedClock
) -> None:
    pdf = ap_sheet_pdf(db.session, incident, now=clock.now(), user=people[1])
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert AP_2022.numbers() == NUMBERS  # the table and this list agree
    assert numbers_in_order(text) == NUMBERS
    flat = " ".join(text.split())
    for heading in CHAPTERS_NL:
        assert heading in flat
    assert "Kruix" in flat and incident.reference in flat
    assert "Meldformulier datalekken" in flat
    assert "Gereconstrueerd" in flat  # the table is marked as reconstructed
    assert re.search(r"pagina 1 van \d+", flat)
    assert "Concept" in flat  # not a filed version
    page = sheet_of(db.session, incident, now=clock.now(), user=people[1])
    assert snapshot_digest(snapshot(page.sheet)) in flat
    if any(a.status.value == "missing" for a in page.sheet.answers):
        assert "ONTBREEKT" in flat


def test_a_filed_version_shows_its_meldnummer_and_stays_as_filed(
    app: Flask, incident: Incident, people: tuple[User, User], clock: FixedClock
) -> None:
    fg = people[1]
    clock.current = T0 + timedelta(hours=3)
    page = sheet_of(db.session, incident, now=clock.now(), user=fg)
    filed = snapshot(page.sheet)
    notification = record_notification(
        db.session, incident, submitted_at=clock.now() - timedelta(minutes=5),
        reference=MELDNUMMER, provisional=True, delay_reason="", notes="",
        recorded_by=fg, actor=Actor.of(fg), clock=clock, sheet=filed,
    )  # fmt: skip
    # The FG changes an answer after filing: the filed version's PDF does not change with it.
    save_answer(
        db.session, incident, "10.2", text="Na de melding: leverancier heeft bestand gewist.",
        choices=(), seen_version=None, user=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    pdf = ap_sheet_pdf(db.session, incident, now=clock.now(), user=fg, notification=notification)
    flat = " ".join(pdf_text(pdf).split())
    assert MELDNUMMER in flat
    assert "Eerste melding (voorlopig)" in flat
    assert notification.sheet_sha256 in flat
    assert "Na de melding" not in flat
    assert numbers_in_order(pdf_text(pdf)) == NUMBERS
    for heading in CHAPTERS_NL:
        assert heading in flat
    live = " ".join(pdf_text(ap_sheet_pdf(db.session, incident, now=clock.now(), user=fg)).split())
    assert "Na de melding: leverancier heeft bestand gewist." in live
    # A withdrawal holds no sheet: its PDF gives the kind, the meldnummer and the reason.
    withdrawal = withdraw_notification(
        db.session, incident, submitted_at=clock.now(), reason="Toch geen persoonsgegevens.",
        reference="", recorded_by=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    pdf = ap_sheet_pdf(db.session, incident, now=clock.now(), user=fg, notification=withdrawal)
    flat = " ".join(pdf_text(pdf).split())
    assert "Intrekking" in flat and MELDNUMMER in flat and "Toch geen persoonsgegevens." in flat


def test_the_sheet_in_english(
    app: Flask, incident: Incident, people: tuple[User, User], clock: FixedClock
) -> None:
    pdf = ap_sheet_pdf(db.session, incident, now=clock.now(), user=people[1], lang="en")
    text = pdf_text(pdf)
    flat = " ".join(text.split())
    assert "1 Introduction" in flat and "10 Follow-up" in flat
    assert re.search(r"page 1 of \d+", flat)
    assert numbers_in_order(text) == NUMBERS


def test_snapshot_rows_keep_the_filed_answers_in_form_order() -> None:
    data = {
        "form": AP_2022.key,
        "answers": [
            {"number": "10.2", "text": "Gewist.", "choices": [], "status": "complete",
             "edited": True},
            {"number": "5.2", "text": "", "choices": ["email_misdirected"],
             "status": "needs_words", "edited": False},
            {"number": "9.3", "text": "Beperkt\nOnderbouwing: ENISA 1,5.", "choices": ["beperkt"],
             "status": "complete", "edited": False},
            {"number": "5.1", "text": f"{CONF}\n{AVAIL}",
             "choices": ["confidentiality", "availability"], "status": "complete",
             "edited": False},
        ],
    }  # fmt: skip
    rows = rows_from_snapshot(AP_2022, data)
    assert [r.number for r in rows] == NUMBERS
    by_number = {r.number: r for r in rows}
    assert by_number["10.2"].text == "Gewist." and by_number["10.2"].edited
    assert by_number["5.2"].choices == ("email_misdirected",)
    assert by_number["5.2"].status.value == "needs_words"
    assert by_number["1.1"].status.value == "missing"
    chapters = documents.sheet_rows(AP_2022, rows, "nl")
    five = next(c for c in chapters if c.number == "5")
    assert next(r for r in five.rows if r.number == "5.2").options == (
        "E-mail naar verkeerde ontvanger (of cc in plaats van bcc)",
    )
    # On paper the option's label is not repeated as the first line of the text.
    nine = next(r for c in chapters if c.number == "9" for r in c.rows if r.number == "9.3")
    assert nine.options == ("Beperkt",) and nine.text == "Onderbouwing: ENISA 1,5."
    # Two options ticked: neither label is printed again (before, the second one was).
    q51 = next(r for r in five.rows if r.number == "5.1")
    assert q51.options == (CONF, AVAIL) and q51.text == ""


def test_a_failing_render_raises_document_error(
    app: Flask,
    incident: Incident,
    people: tuple[User, User],
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import weasyprint

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("Pango exploded")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    with pytest.raises(DocumentError, match="Pango exploded"):
        ap_sheet_pdf(db.session, incident, now=clock.now(), user=people[1])
    # Nothing was lost: the sheet is still there as it was.
    assert sheet_of(db.session, incident, now=clock.now()).sheet.total == len(NUMBERS)


def test_without_weasyprint_a_document_error_says_so(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import raises ImportError
    with pytest.raises(DocumentError, match="WeasyPrint cannot be loaded"):
        render_pdf("<p>x</p>")


def test_documents_fetch_nothing_from_outside(app: Flask, tmp_path: Path) -> None:
    import weasyprint

    static = Path(app.static_folder or "").resolve()
    fetcher = documents._local_fetcher(weasyprint, static)
    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red }")
    for url in (
        "http://127.0.0.1:9/x.png",
        "https://example.org/logo.png",
        "ftp://example.org/x",
        secret.as_uri(),
        (static / ".." / ".." / "pyproject.toml").as_uri(),
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert fetcher.fetch((static / "css" / "app.css").as_uri()).read()
    assert fetcher.fetch("data:text/plain,hallo").read() == b"hallo"
    # A document that asks for outside resources still renders, without them.
    html = f'<img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="{secret.as_uri()}">'
    assert render_pdf(html + "<p>Tekst</p>").startswith(b"%PDF")
