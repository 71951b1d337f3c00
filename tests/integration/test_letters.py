"""Letters for the people without an e-mail address: a real PDF (WeasyPrint), the address where
a Dutch window envelope shows it, the notice exactly as the e-mail says it, and the posting
recorded once."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import select, update

from breachdesk.domain.notices.people_notice import (
    MergePerson,
    draft_people_notice,
    notice_digest,
)
from breachdesk.domain.register import Informed, RegisterFilter
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import (
    AuditEvent,
    Delivery,
    Incident,
    Mailing,
    Organisation,
    PeopleNotice,
    Recipient,
    RecipientImport,
    User,
)
from breachdesk.services import letters, register, triage
from breachdesk.services.answer_sheet import sheet_facts
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.letters import LetterError, letters_pdf, record_posted
from breachdesk.services.people_notices import render_for

from ..conftest import MakeUser
from .test_incidents import submit
from .test_triage import answers

MM = 72 / 25.4  # PDF points per millimetre
LONG_NAME = "Maria Theodora Wilhelmina van den Heuvel-Oldenbarnevelt-Zuidervaart"
PEOPLE = [
    # row, name, e-mail, address lines, their data, their reference
    (1, "Jan de Vries", "", "Dorpsstraat 12\n1234 AB  ZWOLLE", "naam en adres", "K-1001"),
    (2, "Els Bakker", "els@voorbeeld.nl", "", "naam en e-mailadres", "K-1002"),
    (
        3,
        LONG_NAME,
        "",
        "t.a.v. de erven\nLange Hofstraat 1234 A-bis\nPostbus 9999\n8011 XZ  ZWOLLE",
        "naam, adres en klantnummer",
        "K-1003",
    ),
    (4, "Piet Jansen", "", "Kerkweg 3\n8031 HM  ZWOLLE", "naam", ""),
]

#: What the FG writes where breachdesk's draft leaves a section empty.
FILLER = {
    "consequences": "Dit datalek kan deze gevolgen voor u hebben:\n"
    "- U kunt nepberichten krijgen die echt lijken (phishing).",
    "measures": "Wij hebben de ontvanger gevraagd de gegevens te verwijderen. Dat is gebeurd.\n"
    "Bestanden met klantgegevens versturen wij voortaan alleen nog beveiligd.",
}


@dataclass
class Setup:
    incident: Incident
    notice: PeopleNotice
    imported: RecipientImport
    mailing: Mailing
    fg: User


@pytest.fixture
def setup(
    orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock, app: Flask
) -> Setup:
    """Leiz (Zwolle): a confirmed breach, an approved notice, a list of four people of whom
    three have no e-mail address, and a mailing of that notice to that list."""
    leiz = orgs["leiz"]
    reporter = make_user("r@x.nl", (leiz, Role.REPORTER))
    fg = make_user("fg@x.nl", (leiz, Role.FG), name="Fenna Groen")
    incident = submit(reporter, leiz, clock)
    triage.record_triage(db.session, incident, answers(), actor=Actor.of(fg), clock=clock)
    drafted = draft_people_notice(sheet_facts(incident, now=clock.now(), user=fg), "nl")
    sections = {key: text or FILLER.get(key, key) for key, text in drafted.sections.items()}
    now = clock.now()
    notice = PeopleNotice(
        incident_id=incident.id, version=1, lang="nl", subject=drafted.subject,
        sections=sections, created_at=now, updated_at=now, approved_at=now,
        approved_by_id=fg.id, sha256=notice_digest(drafted.subject, sections, "nl"),
    )  # fmt: skip
    imported = RecipientImport(
        incident_id=incident.id, status="active", source_name="lijst.csv", total_rows=4,
        valid_rows=4, email_count=1, letter_count=3, created_at=now, activated_at=now,
    )  # fmt: skip
    db.session.add_all([notice, imported])
    db.session.flush()
    for row, name, email, address, data, reference in PEOPLE:
        db.session.add(
            Recipient(
                import_id=imported.id, row_number=row, name=name, email=email, address=address,
                data=data, reference=reference, channel="email" if email else "letter",
            )
        )  # fmt: skip
    mailing = Mailing(
        incident_id=incident.id, organisation_id=leiz.id, notice_id=notice.id,
        import_id=imported.id, status="running", total=1, letters=3, started_at=now,
        started_by_id=fg.id, changed_at=now,
    )  # fmt: skip
    db.session.add(mailing)
    db.session.commit()
    return Setup(incident, notice, imported, mailing, fg)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in reading order (as the existing PDF test reads it, without -layout)."""
    assert shutil.which("pdftotext"), "pdftotext is missing: apt-get install poppler-utils"
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def flat(text: str) -> str:
    return " ".join(text.split())


def bare(text: str) -> str:
    """Without spaces and hyphens: pdftotext drops a hyphen where a line breaks after it
    ("Heuvel-" / "Oldenbarnevelt" comes out as "HeuvelOldenbarnevelt")."""
    return re.sub(r"[\s\-\u00ad]", "", text)


def word_boxes(pdf: bytes) -> list[tuple[int, float, float, float, float, str]]:
    """Every word of the PDF as (page, left, top, right, bottom in mm from the top-left
    corner of the paper, word)."""
    assert shutil.which("pdftotext"), "pdftotext is missing: apt-get install poppler-utils"
    html = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
        check=True,
    ).stdout.decode("utf-8")  # fmt: skip
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    words = []
    for number, page in enumerate(html.split("<page ")[1:], start=1):
        for x0, y0, x1, y1, word in re.findall(pattern, page):
            box = (float(x0) / MM, float(y0) / MM, float(x1) / MM, float(y1) / MM)
            words.append((number, *box, unescape(word)))
    return words


def test_one_letter_per_person_without_e_mail_with_the_address_in_the_window(
    setup: Setup, clock: FixedClock
) -> None:
    pdf = letters_pdf(db.session, setup.mailing, now=clock.now())
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    pages = text.split("\f")[:-1]  # pdftotext ends every page with a form feed
    letter_people = [p for p in PEOPLE if not p[2]]
    return_line = "LEIZ Mediaproducties · Porporastraat 81 · 8031 HM ZWOLLE"
    # Three letters, in row order, each starting on a new page (with the return line above
    # the address); a long notice may run on to a second page, never further.
    starts = [number for number, page in enumerate(pages) if return_line in flat(page)]
    assert len(starts) == 3 and starts[0] == 0 and len(pages) <= 6
    ends = [*starts[1:], len(pages)]
    for start, end, person in zip(starts, ends, letter_people, strict=True):
        _row, name, _email, address, data, reference = person
        # Without the foot of each page (the person's name, for the post room).
        page = "\n".join(p.rstrip().removesuffix(name) for p in pages[start:end])
        words = flat(page)
        assert bare(f"{name} {address}") in bare(page)  # name and every line, in order
        assert "Zwolle, 19 november 2026" in words
        # The letter says exactly what the e-mail says, merged for this person.
        email = render_for(
            setup.incident, subject=setup.notice.subject, sections=setup.notice.sections,
            lang="nl", person=MergePerson(name, data, reference),
        )  # fmt: skip
        assert email.subject in words
        assert bare(email.text) in bare(page)
        assert bare(data) in bare(page)
    assert "Els Bakker" not in text  # she has an e-mail address: no letter

    # Where a window envelope (window on the left) shows it: 20 mm from the left edge and
    # 50 mm from the top, 90 x 45 mm. What lies in that band of the page is the return line
    # and the address, all inside the window, with a few millimetres to spare.
    boxes = word_boxes(pdf)
    for start, person in zip(starts, letter_people, strict=True):
        _row, name, _email, address, _data, _ref = person
        band = [b for b in boxes if b[0] == start + 1 and 45 <= b[2] <= 100]
        assert bare(" ".join(b[5] for b in band)) == bare(f"{return_line} {name} {address}")
        for _page, left, top, right, bottom, word in band:
            assert 22 <= left and right <= 108 and 52 <= top and bottom <= 93, (start, word)


def window_lines(pdf: bytes, page: int) -> list[tuple[str, float, float]]:
    """The lines in the band of the window on ``page``: (text, left, right in mm)."""
    band = [b for b in word_boxes(pdf) if b[0] == page and 45 <= b[2] <= 100]
    lines: dict[float, list[tuple[int, float, float, float, float, str]]] = {}
    for box in band:
        lines.setdefault(round(box[4], 1), []).append(box)
    return [
        (" ".join(b[5] for b in words), words[0][1], words[-1][3])
        for _top, words in sorted(lines.items())
    ]


def test_a_long_address_keeps_each_line_on_one_line_in_the_window(
    setup: Setup, clock: FixedClock
) -> None:
    """Set smaller rather than wrapped, and a house number never apart from its addition
    (found by exploratory testing: "…Sevenaerstraat 1234" / "bis" / "5211 AB …")."""
    name = "Mevrouw dr. Anna-Catharina Oudshoorn-van Rijckevorsel"
    street = "Burgemeester van Nispen tot Sevenaerstraat 1234 bis"
    piet = db.session.execute(select(Recipient).where(Recipient.row_number == 4)).scalar_one()
    piet.name, piet.address = name, f"{street}\n5211 AB 's-Hertogenbosch"
    db.session.commit()
    pdf = letters_pdf(db.session, setup.mailing, now=clock.now())
    pages = pdf_text(pdf).split("\f")[:-1]
    page = next(n for n, text in enumerate(pages, start=1) if "Oudshoorn" in text)
    lines = window_lines(pdf, page)
    texts = [" ".join(text.split()) for text, _left, _right in lines[1:]]  # after the return line
    assert texts == [name, street, "5211 AB 's-Hertogenbosch"]
    for _text, left, right in lines:
        assert 22 <= left and right <= 108

    # A name too long for one line even at the smallest size wraps, inside the window, and
    # the street's number stays with its addition.
    piet.name = LONG_NAME
    db.session.commit()
    pdf = letters_pdf(db.session, setup.mailing, now=clock.now())
    pages = pdf_text(pdf).split("\f")[:-1]
    page = [n for n, text in enumerate(pages, start=1) if "Sevenaerstraat" in text][0]
    lines = window_lines(pdf, page)
    assert any(" ".join(text.split()) == street for text, _l, _r in lines)
    assert all(22 <= left and right <= 108 for _text, left, right in lines)


def test_printed_on_both_sides_every_letter_starts_on_a_front_page(
    setup: Setup, clock: FixedClock
) -> None:
    notice = setup.notice
    notice.sections = {key: f"Korte tekst ({key})." for key in notice.sections}  # one page
    notice.sha256 = notice_digest(notice.subject, notice.sections, notice.lang)
    db.session.commit()

    def starts(duplex: bool) -> list[int]:
        text = pdf_text(letters_pdf(db.session, setup.mailing, now=clock.now(), duplex=duplex))
        pages = text.split("\f")[:-1]
        return [n for n, page in enumerate(pages) if "Porporastraat 81 · 8031" in page]

    assert starts(duplex=False) == [0, 1, 2]
    assert starts(duplex=True) == [0, 2, 4]  # a blank back page after each one-page letter


def test_the_letters_follow_the_notice_language(setup: Setup, clock: FixedClock) -> None:
    notice = setup.notice
    drafted = draft_people_notice(sheet_facts(setup.incident, now=clock.now()), "en")
    sections = {key: text or f"Text for {key}." for key, text in drafted.sections.items()}
    notice.lang, notice.subject, notice.sections = "en", drafted.subject, sections
    notice.sha256 = notice_digest(drafted.subject, sections, "en")
    db.session.commit()
    words = flat(pdf_text(letters_pdf(db.session, setup.mailing, now=clock.now())))
    assert "Zwolle, 19 November 2026" in words
    assert "Your reference: K-1001" in words and "Dear Jan de Vries," in words


def test_no_letters_without_an_approved_notice_or_anyone_to_write_to(
    setup: Setup, clock: FixedClock
) -> None:
    notice = setup.notice
    notice.subject += " (gewijzigd)"  # no longer what was approved
    db.session.commit()
    with pytest.raises(LetterError, match="Approve the notice first"):
        letters_pdf(db.session, setup.mailing, now=clock.now())
    notice.subject = notice.subject.removesuffix(" (gewijzigd)")
    notice.approved_at = None
    db.session.commit()
    with pytest.raises(LetterError, match="Approve the notice first"):
        letters_pdf(db.session, setup.mailing, now=clock.now())
    notice.approved_at = clock.now()
    people = list(db.session.execute(select(Recipient).order_by(Recipient.row_number)).scalars())
    people[3].address = ""
    db.session.commit()
    with pytest.raises(LetterError, match="Row 4 of the list has no postal address"):
        letters_pdf(db.session, setup.mailing, now=clock.now())
    people[3].address = "\n".join(f"regel {n}" for n in range(6))
    db.session.commit()
    with pytest.raises(LetterError, match="would not fit"):
        letters_pdf(db.session, setup.mailing, now=clock.now())
    setup.mailing.status = "cancelled"
    db.session.commit()
    with pytest.raises(LetterError, match="cancelled"):
        letters_pdf(db.session, setup.mailing, now=clock.now())
    setup.mailing.status, setup.imported.status = "running", "purged"
    db.session.commit()
    with pytest.raises(LetterError, match="erased"):
        letters_pdf(db.session, setup.mailing, now=clock.now())
    setup.imported.status = "active"
    for person in people:
        person.channel, person.email = "email", person.email or "x@voorbeeld.nl"
    db.session.commit()
    with pytest.raises(LetterError, match="no letters needed"):
        letters_pdf(db.session, setup.mailing, now=clock.now())


def test_the_posting_is_recorded_once_with_the_digest_and_no_personal_data(
    setup: Setup, clock: FixedClock
) -> None:
    actor = Actor.of(setup.fg)
    digest = "ab" * 32
    with pytest.raises(LetterError, match="future"):
        record_posted(db.session, setup.mailing, posted_at=clock.now() + timedelta(hours=1),
                      pdf_sha256=digest, actor=actor, clock=clock)  # fmt: skip
    with pytest.raises(LetterError, match="SHA-256") as raised:
        record_posted(db.session, setup.mailing, posted_at=clock.now(), pdf_sha256="abc",
                      actor=actor, clock=clock)  # fmt: skip
    assert raised.value.field == "pdf_sha256"
    with pytest.raises(LetterError, match="before the mailing"):
        record_posted(db.session, setup.mailing, posted_at=clock.now() - timedelta(days=2),
                      pdf_sha256=digest, actor=actor, clock=clock)  # fmt: skip
    clock.advance(hours=5)

    def informed() -> Informed:
        rows = register.rows(db.session, setup.fg, RegisterFilter(), clock.now())
        return next(r.informed() for r in rows if r.id == setup.mailing.incident_id)

    db.session.execute(  # the e-mail to the one person with an address went out
        update(Delivery).where(Delivery.mailing_id == setup.mailing.id).values(status="sent")
    )
    assert informed() is Informed.INFORMING  # the letters are not posted yet
    posted_at = clock.now() - timedelta(hours=1)
    count = record_posted(
        db.session, setup.mailing, posted_at=posted_at, pdf_sha256=digest.upper(), actor=actor,
        clock=clock,
    )  # fmt: skip
    assert count == 3
    assert informed() is Informed.INFORMED  # the register follows without closing
    mailing = db.session.get_one(Mailing, setup.mailing.id)
    assert (mailing.letters_posted_at, mailing.letters_pdf_sha256) == (posted_at, digest)
    posted = {
        r.name: r.letter_posted_at
        for r in db.session.execute(select(Recipient).order_by(Recipient.row_number)).scalars()
    }
    assert posted == {
        "Jan de Vries": posted_at, "Els Bakker": None, LONG_NAME: posted_at,
        "Piet Jansen": posted_at,
    }  # fmt: skip
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.letters_posted")
    ).scalar_one()
    assert event.after["letters"] == 3 and event.after["pdf_sha256"] == digest
    assert "Vries" not in str(event.after) and "ZWOLLE" not in str(event.after)
    with pytest.raises(LetterError, match="recorded already"):
        record_posted(db.session, setup.mailing, posted_at=posted_at, pdf_sha256=digest,
                      actor=actor, clock=clock)  # fmt: skip


def test_dates_and_place_names_as_written_in_a_letter() -> None:
    from datetime import UTC, datetime

    assert letters.letter_date(datetime(2026, 12, 3, 23, 30, tzinfo=UTC)) == "4 december 2026"
    assert letters.letter_date(datetime(2026, 5, 1, 9, 0, tzinfo=UTC), "en") == "1 May 2026"
    assert letters.place_name("ZWOLLE") == "Zwolle"
    assert letters.place_name("DEN HAAG") == "Den Haag"
    assert letters.place_name("'S-HERTOGENBOSCH") == "'s-Hertogenbosch"
    assert letters.place_name("Alphen aan den Rijn") == "Alphen aan den Rijn"


def test_the_organisations_own_postcode_is_written_as_the_peoples(setup: Setup) -> None:
    """Found by exploratory testing: the people's "2517AB" became "2517 AB" in the window,
    while the organisation's own "2629HG" stayed as typed in its return line."""
    organisation = setup.incident.organisation
    address = {**organisation.profile["address"], "postal_code": "8031hm"}
    organisation.profile = {**organisation.profile, "address": address}
    db.session.commit()
    sender = letters.sender_of(setup.incident)
    assert "8031 HM" in sender.return_line and "8031hm" not in sender.return_line
    assert any("8031 HM" in line for line in sender.lines)
    # Abroad, a postcode is left as written.
    abroad = {**address, "postal_code": "8031hm", "country": "België"}
    organisation.profile = {**organisation.profile, "address": abroad}
    db.session.commit()
    assert "8031hm" in letters.sender_of(setup.incident).return_line
