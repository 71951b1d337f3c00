"""Letters for the people without an e-mail address (Art. 34 GDPR), and proof they were posted.

A mailing sends the approved notice by e-mail to everyone on the list with an address; the
others (channel ``letter``) get the same notice on paper. :func:`letters_pdf` renders one
PDF with a letter per person, in the list's row order: A4, the address where the window of
a Dutch window envelope (window on the left) shows it, place and date, the subject, and the
notice merged for that person exactly as :func:`~.people_notices.render_for` merges the
e-mail. It changes nothing. :func:`record_posted` records, once, that the letters went into
the post: the moment on the mailing and on every letter recipient, and the PDF's digest.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from markupsafe import Markup
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..domain.notices.envelope import Piece, pieces, size_class, wraps
from ..domain.notices.people_notice import MergePerson
from ..domain.notices.people_words import Words
from ..domain.recipients.rows import dutch_postcode, is_home_country
from ..domain.text import LINE_BREAKS, N_, single_line
from ..domain.webhooks import EventType
from ..models import Incident, Mailing, Recipient, RecipientImport
from . import audit, webhook_events
from .audit import Actor
from .clock import Clock
from .documents import render_pdf
from .notice_templates import environment
from .organisations import profile_of, public_name
from .people_notices import render_for, verified

TEMPLATE = "people/letter.html"
#: How far ahead of the clock a recorded moment may lie (a clock a little fast elsewhere).
FUTURE_PLAY = timedelta(minutes=5)
#: How long before the mailing started the letters may have been posted (a date typed
#: without a time, or letters printed from the preview): one day.
PAST_PLAY = timedelta(days=1)
#: Lines of an address that fit the envelope's window (name included).
MAX_ADDRESS_LINES = 6

WORDS = {
    "nl": {"title": "Brieven"},
    "en": {"title": "Letters"},
}


class LetterError(ValueError):
    """Letters that cannot be made or recorded as asked; nothing was changed.

    ``message`` is an English template marked with ``N_`` (translated by the web layer),
    ``params`` fills it; ``field`` names the form field of :func:`record_posted` at fault
    (``posted_at`` or ``pdf_sha256``), None when the request as a whole is refused.
    """

    def __init__(
        self, message: str, params: dict[str, object] | None = None, *, field: str | None = None
    ) -> None:
        super().__init__(message % (params or {}))
        self.message = message
        self.params = params or {}
        self.field = field


@dataclass(frozen=True)
class Sender:
    """The organisation as it appears on the letter: letterhead and the return line."""

    name: str
    lines: tuple[str, ...]  # street, postcode and city, contact details
    return_line: str  # small, above the address: "Name · Street 1 · 1234 AB CITY"
    city: str  # for "Zwolle, 4 december 2026"; "" when the profile has none


@dataclass(frozen=True)
class WindowLine:
    """One line of the address in the window, in parts (a postcode, or a house number with
    its addition, kept whole), and whether it is too long for one line even set small."""

    pieces: tuple[Piece, ...]
    wraps: bool

    @classmethod
    def of(cls, line: str) -> WindowLine:
        return cls(pieces(line), wraps(line))


@dataclass(frozen=True)
class Letter:
    """One person's letter: the address lines (name first), the CSS class that sets them small
    enough to stay one line each in the window, and the merged notice."""

    address: tuple[WindowLine, ...]
    address_size: str
    subject: str
    body: Markup


def letter_date(value: datetime, lang: str = "nl") -> str:
    """The date of ``value`` (aware) in the Netherlands, written out: "4 december 2026", in
    English "4 December 2026" (the notice's own way of writing dates)."""
    return Words(lang if lang in WORDS else "nl").day(value)


def place_name(city: str) -> str:
    """A city as written in running text: a postal "ZWOLLE" or "DEN HAAG" becomes "Zwolle" or
    "Den Haag" ("'S-HERTOGENBOSCH": "'s-Hertogenbosch"); mixed case is kept as given."""
    city = single_line(city)
    if not city.isupper():
        return city
    words = re.split(r"([ -])", city.lower())
    out = [w if w in ("'s", "'t", " ", "-") else w[:1].upper() + w[1:] for w in words]
    return "".join(out)


def sender_of(incident: Incident) -> Sender:
    """The organisation's name, address and contact details from its profile."""
    profile = profile_of(incident.organisation)
    name = single_line(public_name(incident.organisation))
    address = profile.address
    street = single_line(address.street or "")
    postcode = single_line(address.postal_code or "")
    if is_home_country(address.country or ""):
        postcode = dutch_postcode(postcode)  # as the people's addresses are written
    postal = (postcode, single_line(address.city or ""))
    town = " ".join(part for part in postal if part)
    contact = profile.privacy_contact
    lines = [line for line in (street, town) if line]
    if profile.website:
        lines.append(single_line(profile.website))
    email = contact.email or profile.contact.email
    phone = contact.phone or profile.contact.phone
    if email:
        lines.append(single_line(email))
    if phone:
        lines.append(single_line(phone))
    # The return line names where undeliverable post goes: only with a street address.
    return_line = " · ".join(p for p in (name, street, town) if p) if street else ""
    return Sender(name, tuple(lines), return_line, place_name(address.city or ""))


def letter_recipients(session: Session, mailing: Mailing) -> list[Recipient]:
    """The people of the mailing's list who get a letter, in the list's row order."""
    return list(
        session.execute(
            select(Recipient)
            .where(Recipient.import_id == mailing.import_id, Recipient.channel == "letter")
            .order_by(Recipient.row_number, Recipient.id)
        ).scalars()
    )


def address_lines(recipient: Recipient) -> tuple[str, ...]:
    """The name and the postal address, one line each, empty lines left out."""
    lines = "".join("\n" if ch in LINE_BREAKS else ch for ch in recipient.address)
    return tuple(
        line for line in (single_line(recipient.name), *map(single_line, lines.split("\n"))) if line
    )


_BODY = re.compile(r"<body\b[^>]*>(.*)</body\s*>", re.IGNORECASE | re.DOTALL)


def _body_of(html: str) -> Markup:
    """The inside of the e-mail's ``<body>`` (the whole string if it is only a fragment).

    The e-mail's HTML is rendered by the notice templates with autoescaping, the FG's text
    passed in as data, so it is safe markup already.
    """
    found = _BODY.search(html)
    return Markup(found.group(1) if found else html)  # noqa: S704 - rendered autoescaped


def _checked_mailing(session: Session, mailing: Mailing) -> Incident:
    notice = mailing.notice
    if not verified(notice) or notice.incident_id != mailing.incident_id:
        raise LetterError(N_("Approve the notice first; only an approved version is sent."))
    if mailing.status == "cancelled":
        raise LetterError(N_("This mailing was cancelled."))
    return session.get_one(Incident, mailing.incident_id)


#: Letters per PDF: WeasyPrint holds a whole document in memory (about 1.3 MB a letter), so a
#: large list comes as several PDFs of this many letters each.
LETTERS_PER_PART = 100


def parts(session: Session, mailing: Mailing, per_part: int = LETTERS_PER_PART) -> int:
    """How many PDFs the mailing's letters come in."""
    return -(-len(letter_recipients(session, mailing)) // per_part)


def letters_digest(session: Session, mailing: Mailing) -> str:
    """SHA-256 of what the letters say, in order (each address and merged text): the proof
    kept when the posting is recorded. Unlike the PDF's bytes it does not depend on when or
    in how many parts the PDF was made."""
    incident = _checked_mailing(session, mailing)
    notice = mailing.notice
    digest = hashlib.sha256()
    for person in letter_recipients(session, mailing):
        rendered = render_for(
            incident,
            subject=notice.subject,
            sections=notice.sections,
            lang=notice.lang,
            person=MergePerson(person.name, person.data, person.reference),
        )
        for value in (*address_lines(person), rendered.subject, rendered.text):
            digest.update(value.encode("utf-8") + b"\x00")
    return digest.hexdigest()


def letters_pdf(
    session: Session,
    mailing: Mailing,
    *,
    now: datetime,
    duplex: bool = False,
    part: int = 1,
    per_part: int = LETTERS_PER_PART,
) -> bytes:
    """One PDF with a letter for every person of ``mailing``'s list without an e-mail address.

    Each letter starts on a new page and holds the approved notice merged for that person, as
    the e-mail says it. ``now`` (aware) dates the letters. With ``duplex`` (for printing on
    both sides) every letter starts on a front page, a blank back page added where a letter
    has an odd number of pages, so no letter starts on the back of another. Writes nothing.
    Needs an application context (WeasyPrint loads the stylesheet from the static folder).

    Raises:
        LetterError: the notice is not approved or no longer matches its digest, the mailing
            was cancelled, nobody needs a letter, the list's personal data were erased, or a
            person has no postal address.
        DocumentError: the PDF could not be rendered (WeasyPrint or Pango missing).
    """
    incident = _checked_mailing(session, mailing)
    imported = session.get_one(RecipientImport, mailing.import_id)
    if imported.purged_at is not None or imported.status == "purged":
        raise LetterError(N_("The list's personal data were erased; no letters can be made."))
    people = letter_recipients(session, mailing)
    if not people:
        raise LetterError(N_("Everyone on the list has an e-mail address: no letters needed."))
    people = people[(max(part, 1) - 1) * per_part : max(part, 1) * per_part]
    if not people:
        raise LetterError(N_("There is no such part of the letters."))
    notice = mailing.notice
    lang = notice.lang if notice.lang in WORDS else "nl"
    letters = []
    for person in people:
        lines = address_lines(person)
        if len(lines) < 2:
            raise LetterError(
                N_("Row %(row)d of the list has no postal address."), {"row": person.row_number}
            )
        if len(lines) > MAX_ADDRESS_LINES:
            raise LetterError(
                N_("The address in row %(row)d has more than %(max)d lines; it would not fit "
                   "the envelope's window."),
                {"row": person.row_number, "max": MAX_ADDRESS_LINES - 1},
            )  # fmt: skip
        rendered = render_for(
            incident,
            subject=notice.subject,
            sections=notice.sections,
            lang=notice.lang,
            person=MergePerson(person.name, person.data, person.reference),
        )
        window = tuple(WindowLine.of(line) for line in lines)
        size = size_class(lines)
        letters.append(Letter(window, size, rendered.subject, _body_of(rendered.html)))
    sender = sender_of(incident)
    date = letter_date(now, lang)
    html = (
        environment()
        .get_template(TEMPLATE)
        .render(
            lang=lang,
            words=WORDS[lang],
            sender=sender,
            place_date=f"{sender.city}, {date}" if sender.city else date,
            letters=letters,
            duplex=duplex,
        )
    )
    static = current_app.static_folder or current_app.root_path
    return render_pdf(html, base_url=Path(static).resolve().as_uri() + "/")


def record_posted(
    session: Session,
    mailing: Mailing,
    *,
    posted_at: datetime,
    pdf_sha256: str,
    actor: Actor,
    clock: Clock,
) -> int:
    """Record that the letters of ``mailing`` were posted at ``posted_at`` (aware), with the
    SHA-256 (hex) of the PDF that was printed. Once per mailing; commits, audited with the
    counts and the digest (no names or addresses). Returns the number of letters.

    Raises:
        LetterError: the moment lies in the future or long before the mailing started, the
            digest is not a SHA-256, nobody on the list gets a letter, or the posting was
            recorded already (also when someone else recorded it a moment ago).
    """
    now = clock.now()
    digest = pdf_sha256.strip().lower()
    if posted_at > now + FUTURE_PLAY:
        raise LetterError(N_("This moment lies in the future."), field="posted_at")
    if posted_at < mailing.started_at - PAST_PLAY:
        raise LetterError(N_("This lies before the mailing was started."), field="posted_at")
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise LetterError(
            N_("Give the SHA-256 of the letters' PDF (64 hexadecimal characters)."),
            field="pdf_sha256",
        )
    if mailing.letters_posted_at is not None:
        raise LetterError(N_("The posting of these letters was recorded already."))
    # Claimed with a conditional UPDATE: of two FGs recording at once, one wins.
    claimed = session.execute(
        update(Mailing)
        .where(Mailing.id == mailing.id, Mailing.letters_posted_at.is_(None))
        .values(letters_posted_at=posted_at, letters_pdf_sha256=digest, changed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        session.rollback()
        raise LetterError(N_("The posting of these letters was recorded already."))
    posted = int(
        session.execute(
            update(Recipient)
            .where(Recipient.import_id == mailing.import_id, Recipient.channel == "letter")
            .values(letter_posted_at=posted_at)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    )
    if posted == 0:
        session.rollback()
        raise LetterError(N_("Everyone on the list has an e-mail address: no letters needed."))
    incident = session.get_one(Incident, mailing.incident_id)
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.letters_posted",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={
            "mailing": mailing.id,
            "letters": posted,
            "posted_at": posted_at,
            "pdf_sha256": digest,
            "notice_version": mailing.notice.version,
            "notice_sha256": mailing.notice.sha256,
        },
    )
    webhook_events.emit(
        session,
        incident,
        EventType.PEOPLE_INFORMED,
        occurred_at=posted_at,
        now=now,
        key=("letters", mailing.id),
        data={"channel": "letter", "people": posted, "posted_at": posted_at},
    )
    session.commit()
    session.refresh(mailing)
    return posted
