"""Informing the people affected (Art. 34 GDPR): the notice, its recipients, the mailing.

* :class:`PeopleNotice` — one version of the notice; the FG edits the working draft (the
  latest version without ``approved_at``) and approves it, which freezes it with a SHA-256 of
  its content. What is sent is exactly an approved version.
* :class:`RecipientImport` and :class:`Recipient` — a list of people, imported from a file or
  pasted. A new import is written in chunks into a *staging* import, then switched over at
  once (one transaction flips the old active import to ``replaced`` and this one to
  ``active``): nothing of a bad file is ever half-imported, and no long write transaction
  blocks the app on SQLite.
* :class:`Mailing` — one sending of an approved notice to the active list: one delivery row
  per person with an e-mail address (kind ``people_notice``, low priority), letters for the
  rest. Pause, resume and cancel flip its rows; its progress is counted from the rows.
* :class:`PublicNotice` — the public communication of Art. 34(3)(c): the text, where and when.

Recipients are personal data: :func:`~breachdesk.services.recipients.purge` clears names,
addresses and e-mail addresses after the retention period and keeps the counts and the
digests that prove what was sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

if TYPE_CHECKING:
    from .accounts import User


class PeopleNotice(db.Model):  # type: ignore[name-defined,misc]
    """One version of the notice to the people affected, in one language.

    ``sections`` maps a section key (what happened, your data, consequences, measures, advice,
    the AP informed, contact) to its text, which may hold merge fields (``[naam]``). The
    working draft has no ``approved_at``; ``edit_count`` counts saves of the draft
    (optimistic locking). An approved version never changes; ``sha256`` is its digest.
    """

    __tablename__ = "people_notice"
    __table_args__ = (UniqueConstraint("incident_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(5), default="nl")
    subject: Mapped[str] = mapped_column(String(300), default="")
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    edit_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), default="")

    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])


class RecipientImport(db.Model):  # type: ignore[name-defined,misc]
    """One list of people for an incident: ``staging`` while it is written, then ``active``
    (the incident's list), ``replaced`` by a later one, or ``discarded``; ``purged`` once the
    personal data were erased (the counts stay). A ``subset`` is the part of a list
    (``derived_from_id``) a mailing went to when the FG sent a version only to the people it
    had not reached yet (:mod:`breachdesk.services.unreached`); it is never the active list.

    ``errors`` holds the rows that were refused (row number, column, message), at most
    :data:`MAX_ERRORS_KEPT`; ``error_rows`` counts them all.
    """

    __tablename__ = "recipient_import"
    __table_args__ = (Index("ix_recipient_import_incident", "incident_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    status: Mapped[str] = mapped_column(String(12), default="staging")
    source_name: Mapped[str] = mapped_column(String(255), default="")
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    valid_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    email_count: Mapped[int] = mapped_column(Integer, default=0)
    letter_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    derived_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipient_import.id"), nullable=True
    )

    created_by: Mapped[User | None] = relationship()


MAX_ERRORS_KEPT = 5000


class Recipient(db.Model):  # type: ignore[name-defined,misc]
    """One person to inform: by e-mail when there is an address, otherwise by letter.

    ``data`` says which of *their* data were involved (a merge field), ``reference`` is their
    own reference (customer number, …). ``letter_posted_at`` is set when the FG records that
    the letters went into the post.
    """

    __tablename__ = "recipient"
    __table_args__ = (Index("ix_recipient_import_row", "import_id", "row_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("recipient_import.id"))
    row_number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(Text, default="")  # postal address, lines
    data: Mapped[str] = mapped_column(String(500), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(8), default="email")  # email | letter
    letter_posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Mailing(db.Model):  # type: ignore[name-defined,misc]
    """One sending of an approved notice to an incident's active list of people.

    ``status``: ``running`` (rows planned at the organisation's rate), ``paused`` (its unsent
    rows held), ``cancelled`` (its unsent rows cancelled) or ``done`` (nothing left to send).
    ``rate_per_minute`` spreads the rows' due times so the mail provider's cap is respected;
    ``total``/``letters`` count the people at the start.
    """

    __tablename__ = "mailing"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    notice_id: Mapped[int] = mapped_column(ForeignKey("people_notice.id"))
    import_id: Mapped[int] = mapped_column(ForeignKey("recipient_import.id"))
    status: Mapped[str] = mapped_column(String(12), default="running")
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=30)
    total: Mapped[int] = mapped_column(Integer, default=0)
    letters: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    letters_pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    letters_posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    notice: Mapped[PeopleNotice] = relationship()
    started_by: Mapped[User | None] = relationship()


class PublicNotice(db.Model):  # type: ignore[name-defined,misc]
    """The public communication instead of informing each person (Art. 34(3)(c) GDPR)."""

    __tablename__ = "public_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(200), default="")  # website, newspaper, …
    url: Mapped[str] = mapped_column(String(500), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
