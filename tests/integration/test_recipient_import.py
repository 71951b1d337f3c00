"""Importing the people to inform into the database: staged in chunks, switched over at once,
never half; the error report; erasing the lists after the retention period."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import func, select

from breachdesk.domain.recipients import Mapping, RecipientImportError
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import (
    AuditEvent,
    Delivery,
    Incident,
    Organisation,
    Recipient,
    RecipientImport,
    User,
)
from breachdesk.services import recipients
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser
from .test_incidents import submit

HEADER = ["Naam", "E-mailadres", "Straat", "Huisnummer", "Postcode", "Woonplaats", "Klantnummer"]
PEOPLE = [
    ["José van Dijk", "jose@voorbeeld.nl", "", "", "", "", "1001"],
    ["Zoë Brontë", "zoe@voorbeeld.nl", "", "", "", "", "1002"],
    ["Jörg Müller", "", "Kerkweg", "12", "2345bc", "Ons Dorp", "1003"],  # a letter
]
MAPPING = Mapping(name=(0,), email=1, street=2, house_number=3, postcode=4, city=5, reference=6)


@pytest.fixture
def fg(orgs: dict[str, Organisation], make_user: MakeUser) -> User:
    return make_user("fg@x.nl", (orgs["kruix"], Role.FG))


@pytest.fixture
def incident(
    orgs: dict[str, Organisation], make_user: MakeUser, fg: User, clock: FixedClock
) -> Incident:
    reporter = make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    return submit(reporter, orgs["kruix"], clock)


def csv_bytes(rows: list[list[str]], separator: str = ";", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows([HEADER, *rows])
    return out.getvalue().encode(encoding)


def stage(
    incident: Incident,
    fg: User,
    clock: FixedClock,
    data: bytes,
    mapping: Mapping = MAPPING,
    filename: str = "klanten.csv",
    **options: int,
) -> RecipientImport:
    return recipients.stage_import(
        db.session, incident, data, filename, mapping,
        user=fg, actor=Actor.of(fg), clock=clock, **options,
    )  # fmt: skip


def people_of(imp: RecipientImport) -> list[tuple[int, str, str, str, str, str]]:
    rows = db.session.execute(
        select(Recipient).where(Recipient.import_id == imp.id).order_by(Recipient.row_number)
    ).scalars()
    return [(r.row_number, r.name, r.email, r.address, r.reference, r.channel) for r in rows]


EXPECTED = [
    (2, "José van Dijk", "jose@voorbeeld.nl", "", "1001", "email"),
    (3, "Zoë Brontë", "zoe@voorbeeld.nl", "", "1002", "email"),
    (4, "Jörg Müller", "", "Kerkweg 12\n2345 BC  Ons Dorp", "1003", "letter"),
]


@pytest.mark.parametrize(
    ("separator", "encoding"),
    [(";", "utf-8"), (";", "utf-8-sig"), (";", "cp1252"), (",", "utf-8"), ("\t", "cp1252")],
)
def test_csv_in_every_encoding_and_separator_gives_the_same_people(
    app: Flask, incident: Incident, fg: User, clock: FixedClock, separator: str, encoding: str
) -> None:
    data = csv_bytes(PEOPLE, separator, encoding)
    table = recipients.read_table(data, "klanten.csv")
    assert (table.encoding, table.separator, table.row_count) == (encoding, separator, 3)
    assert table.proposed == MAPPING

    imp = stage(incident, fg, clock, data, table.proposed)

    assert imp.status == "staging" and imp.errors == []
    assert (imp.total_rows, imp.valid_rows, imp.error_rows) == (3, 3, 0)
    assert (imp.email_count, imp.letter_count) == (2, 1)
    assert people_of(imp) == EXPECTED


def test_pasted_text_is_read_like_a_file(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    pasted = "José van Dijk\tjose@voorbeeld.nl\nZoë Brontë\tzoe@voorbeeld.nl\n"
    table = recipients.read_table(pasted.encode("utf-8"), "")
    imp = stage(incident, fg, clock, pasted.encode("utf-8"), table.proposed, filename="")
    assert [p[1:3] for p in people_of(imp)] == [e[1:3] for e in EXPECTED[:2]]
    assert [p[0] for p in people_of(imp)] == [1, 2]  # no header row
    assert imp.source_name == "geplakt.txt"


def test_a_workbook_formula_is_stored_as_its_text(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(['=HYPERLINK("http://evil","klik")', "a@voorbeeld.nl", "", "", "", "", 1001])
    sheet.append(["Jörg Müller", None, "Kerkweg", 12, "2345 BC", "Ons Dorp", 1003.0])
    buffer = io.BytesIO()
    book.save(buffer)

    imp = stage(incident, fg, clock, buffer.getvalue(), filename="klanten.xlsx")

    assert people_of(imp) == [
        (2, '=HYPERLINK("http://evil","klik")', "a@voorbeeld.nl", "", "1001", "email"),
        (3, "Jörg Müller", "", "Kerkweg 12\n2345 BC  Ons Dorp", "1003", "letter"),
    ]


def test_refused_rows_are_counted_and_described_the_first_of_a_pair_kept(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    rows = [
        *PEOPLE,
        ["Jan", "jan@@x", "", "", "", "", ""],  # row 5
        ["Zoë B.", "ZOE@voorbeeld.nl", "", "", "", "", ""],  # row 6: the same address as row 3
        ["Piet", "", "Dorpsstraat", "1", "", "", ""],  # row 7: no place
        ["Jörg Müller", "", "Kerkweg", "12", "2345 BC", "Ons Dorp", "9"],  # row 8: as row 4
    ]
    imp = stage(incident, fg, clock, csv_bytes(rows))

    assert (imp.total_rows, imp.valid_rows, imp.error_rows) == (7, 3, 4)
    assert people_of(imp) == EXPECTED
    assert [(e["row"], e["field"], e["column"], e["value"]) for e in imp.errors] == [
        (5, "email", "E-mailadres", "jan@@x"),
        (6, "email", "", "ZOE@voorbeeld.nl"),
        (7, "", "", "Piet"),
        (8, "address", "", "Jörg Müller"),
    ]
    assert imp.errors[1]["params"] == {"row": 3}


def test_too_many_errors_keeps_the_first_and_counts_all(
    app: Flask, incident: Incident, fg: User, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recipients, "MAX_ERRORS_KEPT", 3)
    bad = [["x", f"bad{i}@", "", "", "", "", ""] for i in range(5)]
    imp = stage(incident, fg, clock, csv_bytes(bad))
    assert (imp.error_rows, len(imp.errors), imp.valid_rows) == (5, 3, 0)


def no_import_stored() -> bool:
    return db.session.execute(select(func.count()).select_from(RecipientImport)).scalar_one() == 0


def test_unusable_files_and_mappings_are_refused_before_anything_is_stored(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    cases = [
        (bytes(recipients.MAX_BYTES + 1024 * 1024), MAPPING, "file", "larger than"),
        (b"PK\x03\x04" + b"\x00broken" * 50, MAPPING, "file", "damaged"),
        (bytes(range(256)) * 8, MAPPING, "file", "not a CSV file"),
        (csv_bytes([]), MAPPING, "file", "header row but no people"),
        (csv_bytes(PEOPLE), Mapping(name=(0,), reference=6), "mapping", "e-mail"),
        (csv_bytes(PEOPLE), Mapping(name=(0,), email=9), "email", "no column J"),
    ]
    for data, mapping, field, words in cases:
        with pytest.raises(RecipientImportError) as refused:
            stage(incident, fg, clock, data, mapping)
        assert (refused.value.field, words in str(refused.value)) == (field, True)
    assert no_import_stored()


def active_with_people(incident: Incident, fg: User, clock: FixedClock) -> RecipientImport:
    imp = stage(incident, fg, clock, csv_bytes(PEOPLE))
    return recipients.activate(db.session, imp, actor=Actor.of(fg), clock=clock)


def test_a_failure_in_the_middle_leaves_no_rows_and_the_old_list_active(
    app: Flask, incident: Incident, fg: User, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = active_with_people(incident, fg, clock)
    before = people_of(old)
    real_write = recipients._write_chunk
    calls: list[int] = []

    def failing_third_chunk(session: object, rows: list[dict[str, object]]) -> None:
        calls.append(len(rows))
        if len(calls) == 3:
            raise OSError("disk full")
        real_write(session, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(recipients, "_write_chunk", failing_third_chunk)
    many = [[f"Persoon {i}", f"p{i}@voorbeeld.nl", "", "", "", "", ""] for i in range(10)]
    with pytest.raises(OSError, match="disk full"):
        stage(incident, fg, clock, csv_bytes(many), chunk_size=2)

    assert calls == [2, 2, 2]
    failed = db.session.execute(
        select(RecipientImport).where(RecipientImport.id != old.id)
    ).scalar_one()
    assert (failed.status, failed.valid_rows) == ("discarded", 0)
    assert people_of(failed) == []
    assert recipients.active_import(db.session, incident) == old
    assert people_of(old) == before


def test_a_file_that_breaks_partway_is_discarded(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    # Past the first rows (read before anything is stored), so the break comes while writing.
    rows = [[f"P{i}", f"p{i}@voorbeeld.nl", "", "", "", "", ""] for i in range(1100)]
    broken = csv_bytes(rows) + b'"unterminated' + b"x" * 200_000
    with pytest.raises(RecipientImportError, match="Row 1102 cannot be read"):
        stage(incident, fg, clock, broken, chunk_size=100)
    imp = db.session.execute(select(RecipientImport)).scalar_one()
    assert imp.status == "discarded" and people_of(imp) == []


def test_activation_replaces_the_old_list_at_once_and_the_audit_holds_no_names(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    first = active_with_people(incident, fg, clock)
    assert (first.status, first.activated_at) == ("active", clock.now())
    clock.advance(minutes=5)
    second = stage(incident, fg, clock, csv_bytes(PEOPLE[:2]), filename="nieuw.csv")
    assert recipients.active_import(db.session, incident) == first  # staging changes nothing

    recipients.activate(db.session, second, actor=Actor.of(fg), clock=clock)

    assert (first.status, second.status) == ("replaced", "active")
    assert recipients.active_import(db.session, incident) == second
    event = (
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.action == "incident.recipients_imported")
            .order_by(AuditEvent.seq.desc())
        )
        .scalars()
        .first()
    )
    assert event is not None and event.entity_id == str(incident.id)
    assert event.after is not None and event.before == {"import": first.id}
    assert event.after["source_name"] == "nieuw.csv" and event.after["valid_rows"] == 2
    assert len(event.after["source_sha256"]) == 64
    everything = " ".join(
        str((e.before, e.after)) for e in db.session.execute(select(AuditEvent)).scalars()
    )
    for personal in ("José", "Dijk", "jose@", "zoe@", "Kerkweg", "1001"):
        assert personal not in everything


def test_activation_refuses_an_empty_or_used_list(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    empty = stage(incident, fg, clock, csv_bytes([["Jan", "jan@@x", "", "", "", "", ""]]))
    with pytest.raises(RecipientImportError, match="nobody"):
        recipients.activate(db.session, empty, actor=Actor.of(fg), clock=clock)
    used = active_with_people(incident, fg, clock)
    with pytest.raises(RecipientImportError, match="already used") as refused:
        recipients.activate(db.session, used, actor=Actor.of(fg), clock=clock)
    assert refused.value.field == "import"
    assert empty.status == "staging" and used.status == "active"


def test_discarding_deletes_the_rows_in_chunks(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    imp = stage(incident, fg, clock, csv_bytes(PEOPLE))
    recipients.discard(db.session, imp, actor=Actor.of(fg), clock=clock, chunk_size=2)
    assert imp.status == "discarded" and people_of(imp) == []
    with pytest.raises(RecipientImportError):
        recipients.activate(db.session, imp, actor=Actor.of(fg), clock=clock)
    with pytest.raises(RecipientImportError):
        recipients.discard(db.session, imp, actor=Actor.of(fg), clock=clock)


def test_the_error_report_is_for_dutch_excel_and_never_runs_a_formula(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    rows = [
        ["Jan", '=HYPERLINK("http://evil","klik")', "", "", "", "", ""],
        ["Piet", "+31@", "", "", "", "", ""],
        ["Kees", "-1@", "", "", "", "", ""],
        ["Anna", "@evil", "", "", "", "", ""],
    ]
    imp = stage(incident, fg, clock, csv_bytes(rows))

    report = recipients.error_report_csv(imp)

    assert report.startswith(b"\xef\xbb\xbf")
    lines = report.decode("utf-8-sig").splitlines()
    assert lines[0] == "Row;Column;Problem;Value"  # translated by the web layer
    parsed = list(csv.reader(lines[1:], delimiter=";"))
    assert [row[0] for row in parsed] == ["2", "3", "4", "5"]
    assert [row[3] for row in parsed] == [
        "'=HYPERLINK(\"http://evil\",\"klik\")", "'+31@", "'-1@", "'@evil"
    ]  # fmt: skip
    assert parsed[0][1:3] == ["E-mailadres", "This is not an e-mail address."]
    catalogue = {"This is not an e-mail address.": "Geen e-mailadres."}
    dutch = recipients.error_report_csv(imp, lambda message: catalogue.get(message, message))
    assert "Geen e-mailadres." in dutch.decode("utf-8-sig")


def people_notice(incident: Incident, person: Recipient, clock: FixedClock) -> Delivery:
    row = Delivery(
        organisation_id=incident.organisation_id,
        incident_id=incident.id,
        recipient_id=person.id,
        kind=recipients.PEOPLE_NOTICE,
        planned_due_at=clock.now(),
        due_at=clock.now(),
        created_at=clock.now(),
        status="sent",
        sent_at=clock.now(),
        recipients=[person.email],
        message_id="<1@breachdesk.test>",
        server_reply="250 OK",
        content_sha256="a" * 64,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_purge_erases_the_people_and_keeps_counts_and_proof(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    imp = active_with_people(incident, fg, clock)
    refused = stage(incident, fg, clock, csv_bytes([["Jan", "jan@@x", "", "", "", "", ""]]))
    person = db.session.execute(
        select(Recipient).where(Recipient.import_id == imp.id, Recipient.row_number == 2)
    ).scalar_one()
    sent = people_notice(incident, person, clock)
    clock.advance(days=1)

    result = recipients.purge(db.session, incident, actor=Actor.system("retention"), clock=clock)

    assert result == recipients.PurgeResult(imports=2, recipients=3, deliveries=1)
    assert people_of(imp) == [
        (2, "", "", "", "", "email"), (3, "", "", "", "", "email"), (4, "", "", "", "", "letter")
    ]  # fmt: skip
    assert (imp.status, imp.purged_at, imp.valid_rows, imp.email_count) == (
        "purged", clock.now(), 3, 2
    )  # fmt: skip
    assert refused.status == "purged" and refused.errors[0]["value"] == ""
    assert refused.error_rows == 1 and refused.errors[0]["row"] == 2
    assert sent.recipients == []
    assert (sent.status, sent.content_sha256, sent.message_id, sent.server_reply) == (
        "sent", "a" * 64, "<1@breachdesk.test>", "250 OK"
    )  # fmt: skip
    again = recipients.purge(db.session, incident, actor=Actor.system("retention"), clock=clock)
    assert again == recipients.PurgeResult(imports=0, recipients=0, deliveries=1)


def test_purge_due_erases_lists_of_incidents_closed_past_the_retention_period(
    app: Flask,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    incident: Incident,
    fg: User,
    clock: FixedClock,
) -> None:
    active_with_people(incident, fg, clock)
    recent = submit(make_user("r2@x.nl", (orgs["kruix"], Role.REPORTER)), orgs["kruix"], clock)
    active_with_people(recent, fg, clock)
    orgs["kruix"].recipient_retention_days = 30
    incident.state, incident.closed_at = "closed", clock.now()
    recent.state, recent.closed_at = "not_a_breach", clock.now() + timedelta(days=10)
    db.session.commit()
    system = Actor.system("retention")

    clock.advance(days=30)
    assert recipients.purge_due(db.session, clock=clock, actor=system) == 0  # not yet past
    clock.advance(seconds=1)
    assert recipients.purge_due(db.session, clock=clock, actor=system) == 1
    clock.advance(days=10)
    assert recipients.purge_due(db.session, clock=clock, actor=system) == 1
    assert recipients.purge_due(db.session, clock=clock, actor=system) == 0  # nothing left
    names = db.session.execute(select(Recipient.name).where(Recipient.name != "")).all()
    assert names == []


def test_ten_thousand_people_are_imported(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    rows = [[f"P {i}", f"p{i}@voorbeeld.nl", "", "", "", "", str(i)] for i in range(10_000)]
    imp = stage(incident, fg, clock, csv_bytes(rows))
    assert (imp.valid_rows, imp.email_count, imp.error_rows) == (10_000, 10_000, 0)
    recipients.activate(db.session, imp, actor=Actor.of(fg), clock=clock)
    count = db.session.execute(
        select(func.count()).select_from(Recipient).where(Recipient.import_id == imp.id)
    ).scalar_one()
    assert count == 10_000


def test_a_cell_longer_than_any_list_or_register_holds_is_named_neutrally(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    """The message said "no list holds one", also for an earlier register's file (the reader is
    shared): found by exploratory testing."""
    rows = [["Piet", "piet@voorbeeld.nl", "", "", "", "", ""]]
    huge = csv_bytes(rows) + b'"' + b"x" * 140_000 + b'";a@b.nl;;;;;\r\n'
    with pytest.raises(RecipientImportError, match="more than breachdesk reads") as refused:
        stage(incident, fg, clock, huge)
    assert "no list" not in str(refused.value)
