"""The proof per person of a sending: for everyone on its list, the e-mail's delivery (its
status, the moment it was handed to the mail server, the server's reply, the Message-ID and
the digest of what was sent) or where their letter stands; a page of it for the people page,
found by a part of a name, address or reference, and the rows the evidence pack writes.
Split from ``services/mailings.py``, which sends. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from ..models import Delivery, Mailing, Recipient
from .recipients import person_matches

PROOF_PAGE = 100

#: Where a person's letter stands (the proof's status for the channel ``letter``).
LETTER_TO_POST = "to_post"  # in the mailing's letters, its posting not recorded yet
LETTER_POSTED = "posted"
LETTER_CANCELLED = "cancelled"  # the mailing was cancelled before its letters were posted


def letter_status(mailing: Mailing) -> str:
    """Where the letter of each person of ``mailing`` without an e-mail address stands. The
    posting is recorded for a mailing's letters at once, so the mailing says it for each of
    them (not the person's ``letter_posted_at``: a list sent twice has one such field for
    two mailings)."""
    if mailing.letters_posted_at is not None:
        return LETTER_POSTED
    if mailing.status == "cancelled":
        return LETTER_CANCELLED
    return LETTER_TO_POST


@dataclass(frozen=True)
class ProofRow:
    """One person of a mailing in its proof: their e-mail's delivery row, or their letter."""

    person: Recipient
    delivery: Delivery | None  # None: this person gets a letter
    letter: str = ""  # a letter's status (LETTER_*); "" for an e-mail
    posted_at: datetime | None = None  # when the letter was posted

    @property
    def channel(self) -> str:
        return "email" if self.delivery is not None else "letter"


def proof_select(mailing: Mailing, *columns: Any) -> Select[Any]:
    """``columns`` (of :class:`Recipient` and :class:`Delivery`) for every person of
    ``mailing``: those with an e-mail address that has its delivery row (``Delivery`` columns
    are None for the others), and those who get a letter, in the list's order."""
    return (
        select(*columns)
        .select_from(Recipient)
        .outerjoin(
            Delivery,
            and_(Delivery.recipient_id == Recipient.id, Delivery.mailing_id == mailing.id),
        )
        .where(
            Recipient.import_id == mailing.import_id,
            or_(Recipient.channel == "letter", Delivery.id.is_not(None)),
        )
        .order_by(Recipient.id)
    )


def proof_rows(
    session: Session,
    mailing: Mailing,
    *,
    page: int = 1,
    per_page: int = PROOF_PAGE,
    find: str = "",
) -> tuple[list[ProofRow], bool]:
    """One page of the proof per person, by e-mail and by letter alike, and whether more
    pages follow; with ``find``, only the people it finds (as the people page's search: one
    caller's proof was twenty pages away, found by exploratory testing). Paginated in the
    database: a mailing may have 100,000 people."""
    query = proof_select(mailing, Recipient, Delivery)
    matches = person_matches(session, find)
    if matches is not None:
        query = query.where(matches)
    rows = session.execute(query.offset((page - 1) * per_page).limit(per_page + 1)).all()
    letter = letter_status(mailing)
    found = [
        ProofRow(person, delivery)
        if delivery is not None
        else ProofRow(person, None, letter, mailing.letters_posted_at)
        for person, delivery in rows
    ]
    return found[:per_page], len(found) > per_page
