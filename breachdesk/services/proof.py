"""The proof per person of a sending: for everyone on its list, the e-mail's delivery (its
status, the moment it was handed to the mail server, the server's reply, the Message-ID and
the digest of what was sent) or where their letter stands; a page of it for the people page,
found by a part of a name, address or reference; and all of it as the CSV the evidence pack
holds (:func:`proof_csv`).
Split from ``services/mailings.py``, which sends. Reads only."""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from ..domain.register import spreadsheet_safe
from ..models import Delivery, Mailing, Recipient
from .recipient_lookup import person_matches

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


#: Rows read per query for a mailing's proof.
PROOF_BATCH = 5000
PROOF_HEADER = (
    "row", "reference", "channel", "status", "sent_at", "message_id", "server_reply",
    "content_sha256", "attempts",
)  # fmt: skip


def proof_csv(session: Session, mailing: Mailing) -> IO[bytes]:
    """The proof per person of ``mailing`` as CSV (UTF-8, ``;``), in a temporary file read
    from the start, written a batch at a time (a mailing may have 100,000 rows). Every person
    of the mailing has a row: an e-mail with its delivery's status and proof, a letter with
    its status (``to_post``, ``posted`` or ``cancelled``) and when it was posted."""
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned open
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(PROOF_HEADER)
    letter = letter_status(mailing)
    posted_at = mailing.letters_posted_at
    last = 0
    while True:
        batch = session.execute(
            proof_select(
                mailing,
                Recipient.id,
                Recipient.row_number,
                Recipient.reference,
                Delivery.id,
                Delivery.status,
                Delivery.sent_at,
                Delivery.message_id,
                Delivery.server_reply,
                Delivery.content_sha256,
                Delivery.attempts,
            )
            .where(Recipient.id > last)
            .limit(PROOF_BATCH)
        ).all()
        if not batch:
            break
        for _id, number, reference, delivery, *proof in batch:
            status, sent_at, message_id, reply, digest, tries = proof
            if delivery is None:  # a letter
                status, sent_at, tries = letter, posted_at, ""
            writer.writerow(
                [
                    number,
                    spreadsheet_safe(reference or ""),
                    "letter" if delivery is None else "email",
                    status,
                    sent_at.isoformat() if sent_at else "",
                    spreadsheet_safe(message_id or ""),
                    spreadsheet_safe((reply or "")[:200]),
                    digest or "",
                    tries,
                ]
            )
        last = batch[-1][0]
    text.flush()
    text.detach()  # keep the file open for the ZIP
    target.seek(0)
    return target
