"""Sending a version of the notice only to the people it has not reached yet.

A list in use grows (a few more people found after the first sending) or is corrected (a
bounced address fixed): sending the same version to the whole list again would give everyone
who already had it a second, alarming copy. :func:`split` tells the people of a list apart by
whether the version reached them before: an e-mail of that version **sent** to the same
address (compared without regard to case), or a letter of that version **recorded as posted**
to the same name and postal address (compared without regard to case and spacing). A notice
that failed, was cancelled or is still on its way did not reach anyone, nor did a letter not
yet posted; a different version never counts (a supplement goes to everyone it concerns).

:func:`subset` keeps the people not reached as a list of their own (status ``subset``,
derived from the list in use) for the mailing to go to, so every later step (the deliveries,
the letters' PDF, the proof per person, the register's account of the informing) works on
exactly the people that mailing was for, as for any list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from ..domain.delivery import Status
from ..domain.recipients.rows import person_key
from ..models import Delivery, Mailing, PeopleNotice, Recipient, RecipientImport
from .clock import Clock

_COPIED = ("row_number", "name", "email", "address", "data", "reference", "channel")


def _earlier(notice: PeopleNotice) -> Select[Any]:
    return select(Mailing.id).where(
        Mailing.incident_id == notice.incident_id, Mailing.notice_id == notice.id
    )


def _email_reached(notice: PeopleNotice) -> ColumnElement[bool]:
    """SQL, for a :class:`Recipient` row: an e-mail of ``notice`` was sent to its address
    before (compared in lower case; one subquery, not one per person)."""
    sent_to = aliased(Recipient)
    addresses = (
        select(func.lower(sent_to.email))
        .join(Delivery, Delivery.recipient_id == sent_to.id)
        .where(Delivery.mailing_id.in_(_earlier(notice)), Delivery.status == Status.SENT.value)
    )
    return func.lower(Recipient.email).in_(addresses)


def _letters_reached(session: Session, notice: PeopleNotice) -> set[str]:
    rows = session.execute(
        select(Recipient.name, Recipient.address)
        .join(Mailing, Mailing.import_id == Recipient.import_id)
        .where(
            Mailing.id.in_(_earlier(notice)),
            Mailing.letters_posted_at.is_not(None),
            Recipient.channel == "letter",
        )
    ).all()
    return {person_key("", name, address) for name, address in rows}


def _letters_not_reached(
    session: Session, imp: RecipientImport, notice: PeopleNotice
) -> tuple[list[Any], int]:
    """The people of ``imp`` who get a letter and had none of ``notice`` posted to them (their
    rows), and how many did. Letters go to the few without an e-mail address: read here."""
    posted = _letters_reached(session, notice)
    columns = [getattr(Recipient, name) for name in _COPIED]
    rows = session.execute(
        select(*columns)
        .where(Recipient.import_id == imp.id, Recipient.channel == "letter")
        .order_by(Recipient.id)
    ).all()
    left = [row for row in rows if person_key("", row.name, row.address) not in posted]
    return left, len(rows) - len(left)


def sent_before(session: Session, notice: PeopleNotice) -> bool:
    """Whether ``notice`` reached anyone yet: an e-mail of it sent, or its letters posted."""
    emailed = (
        select(Delivery.id)
        .where(Delivery.mailing_id.in_(_earlier(notice)), Delivery.status == Status.SENT.value)
        .limit(1)
    )
    posted = _earlier(notice).where(Mailing.letters_posted_at.is_not(None)).limit(1)
    return bool(session.execute(emailed).first() is not None or session.execute(posted).first())


@dataclass(frozen=True)
class Split:
    """The people of a list, by whether a version reached them before."""

    emails: int  # not reached yet, by e-mail
    letters: int  # not reached yet, by letter
    reached: int  # reached before, on this list

    @property
    def unreached(self) -> int:
        return self.emails + self.letters


def split(session: Session, imp: RecipientImport, notice: PeopleNotice) -> Split:
    """How many people of ``imp`` ``notice`` reached before, and how many it did not (by
    channel): one count for the e-mail addresses, the letters read."""
    reached_email = _email_reached(notice)
    emails_reached, emails = session.execute(
        select(func.count().filter(reached_email), func.count()).where(
            Recipient.import_id == imp.id, Recipient.channel == "email"
        )
    ).one()
    letters, letters_reached = _letters_not_reached(session, imp, notice)
    return Split(emails - emails_reached, len(letters), emails_reached + letters_reached)


def subset(
    session: Session, imp: RecipientImport, notice: PeopleNotice, *, clock: Clock
) -> RecipientImport:
    """The people of ``imp`` whom ``notice`` has not reached yet, as a list of their own
    (flushed, not committed: it belongs to the mailing that goes to it). The e-mail
    addresses are copied by one INSERT … SELECT."""
    part = RecipientImport(
        incident_id=imp.incident_id,
        status="subset",
        derived_from_id=imp.id,
        source_name=imp.source_name,
        source_sha256=imp.source_sha256,
        mapping=imp.mapping,
        errors=[],
        created_at=clock.now(),
        created_by_id=imp.created_by_id,
    )
    session.add(part)
    session.flush()
    columns = [getattr(Recipient, name) for name in _COPIED]
    session.execute(
        insert(Recipient).from_select(
            ["import_id", *_COPIED],
            select(literal(part.id), *columns)
            .where(
                Recipient.import_id == imp.id,
                Recipient.channel == "email",
                ~_email_reached(notice),
            )
            .order_by(Recipient.id),
        )
    )
    # Counted, not read from the INSERT's rowcount: through the ORM on PostgreSQL that is -1
    # (the first version trusted it, and every subset there looked empty).
    emails = session.execute(
        select(func.count()).where(Recipient.import_id == part.id, Recipient.channel == "email")
    ).scalar_one()
    letters, _reached = _letters_not_reached(session, imp, notice)
    if letters:
        session.execute(
            insert(Recipient),
            [{"import_id": part.id, **{name: getattr(row, name) for name in _COPIED}}
             for row in letters],
        )  # fmt: skip
    part.total_rows = part.valid_rows = int(emails) + len(letters)
    part.email_count, part.letter_count = int(emails), len(letters)
    session.flush()
    return part


def derived_lists(session: Session, import_ids: list[int]) -> dict[int, int]:
    """Of the lists ``import_ids``, the subsets: subset id -> the list it was taken from."""
    if not import_ids:
        return {}
    rows = session.execute(
        select(RecipientImport.id, RecipientImport.derived_from_id).where(
            RecipientImport.id.in_(set(import_ids)), RecipientImport.derived_from_id.is_not(None)
        )
    ).all()
    return {row.id: row.derived_from_id for row in rows}
