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

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..domain.delivery import Status
from ..models import Delivery, Mailing, PeopleNotice, Recipient, RecipientImport
from .clock import Clock

CHUNK = 2000
_COPIED = ("row_number", "name", "email", "address", "data", "reference", "channel")


def email_key(email: str) -> str:
    return email.strip().casefold()


def letter_key(name: str, address: str) -> tuple[str, str]:
    def plain(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip().casefold()

    return plain(name), plain(address)


@dataclass
class Reached:
    """Whom one version of the notice reached before: e-mail addresses and letter keys."""

    emails: set[str] = field(default_factory=set)
    letters: set[tuple[str, str]] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.emails or self.letters)

    def has(self, channel: str, email: str, name: str, address: str) -> bool:
        if channel == "email":
            return email_key(email) in self.emails
        return letter_key(name, address) in self.letters


def reached(session: Session, notice: PeopleNotice) -> Reached:
    """Everyone ``notice`` (one approved version) reached in the incident's mailings so far."""
    earlier = select(Mailing.id).where(
        Mailing.incident_id == notice.incident_id, Mailing.notice_id == notice.id
    )
    emails = session.execute(
        select(Recipient.email)
        .join(Delivery, Delivery.recipient_id == Recipient.id)
        .where(Delivery.mailing_id.in_(earlier), Delivery.status == Status.SENT.value)
    ).scalars()
    letters = session.execute(
        select(Recipient.name, Recipient.address)
        .join(Mailing, Mailing.import_id == Recipient.import_id)
        .where(
            Mailing.id.in_(earlier),
            Mailing.letters_posted_at.is_not(None),
            Recipient.channel == "letter",
        )
    ).all()
    return Reached({email_key(e) for e in emails}, {letter_key(n, a) for n, a in letters})


@dataclass(frozen=True)
class Split:
    """The people of a list, by whether a version reached them before."""

    emails: int  # not reached yet, by e-mail
    letters: int  # not reached yet, by letter
    reached: int  # reached before, on this list

    @property
    def unreached(self) -> int:
        return self.emails + self.letters


def _people(session: Session, imp: RecipientImport) -> Iterator[Any]:
    """The people of ``imp`` in chunks by id (no cursor held open while :func:`subset`
    writes; a list may hold 100,000 people)."""
    columns = [Recipient.id, *(getattr(Recipient, name) for name in _COPIED)]
    last = 0
    while True:
        chunk = session.execute(
            select(*columns)
            .where(Recipient.import_id == imp.id, Recipient.id > last)
            .order_by(Recipient.id)
            .limit(CHUNK)
        ).all()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].id


def split(session: Session, imp: RecipientImport, before: Reached) -> Split:
    emails = letters = done = 0
    for person in _people(session, imp):
        if before.has(person.channel, person.email, person.name, person.address):
            done += 1
        elif person.channel == "email":
            emails += 1
        else:
            letters += 1
    return Split(emails, letters, done)


def subset(
    session: Session, imp: RecipientImport, before: Reached, *, clock: Clock
) -> RecipientImport:
    """The people of ``imp`` whom ``before`` does not hold, as a list of their own (flushed,
    not committed: it belongs to the mailing that goes to it)."""
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
    rows: list[dict[str, Any]] = []
    emails = letters = 0
    for person in _people(session, imp):
        if before.has(person.channel, person.email, person.name, person.address):
            continue
        rows.append({"import_id": part.id, **{name: getattr(person, name) for name in _COPIED}})
        emails += person.channel == "email"
        letters += person.channel == "letter"
        if len(rows) == CHUNK:
            session.execute(insert(Recipient), rows)
            rows = []
    if rows:
        session.execute(insert(Recipient), rows)
    part.total_rows = part.valid_rows = emails + letters
    part.email_count, part.letter_count = emails, letters
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
