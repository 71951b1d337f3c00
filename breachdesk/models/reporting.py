"""Reporting without an account: the organisation's reporting links and the follow-up.

A :class:`ReportingLink` is the secret address staff (or a processor) use to report without
logging in. Its token is not stored: it is derived from the row's ``nonce`` and the
installation's secret key (see ``services/reporting_links.py``), so the administrator can show
it again (and print its QR code), a copy of the database alone does not reveal it, and
rotating the nonce revokes every printed copy at once.

An :class:`IncidentMessage` is one entry of the conversation between the FG and the person
who reported: a question of the FG, the reporter's answer, or information the reporter added
on their own.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

if TYPE_CHECKING:  # for the annotations; SQLAlchemy resolves them by class name
    from .accounts import Organisation, User


class ReportingLink(db.Model):  # type: ignore[name-defined,misc]
    """A secret reporting address of one organisation, for staff or for processors."""

    __tablename__ = "reporting_link"
    __table_args__ = (Index("ix_reporting_link_org", "organisation_id", "audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    audience: Mapped[str] = mapped_column(String(12))  # staff | processor
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    organisation: Mapped[Organisation] = relationship()


class IncidentMessage(db.Model):  # type: ignore[name-defined,misc]
    """A question of the FG to the reporter, an answer, or information the reporter added."""

    __tablename__ = "incident_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # question | answer | addition
    body: Mapped[str] = mapped_column(Text)
    # Who wrote it: a user (the FG, or a reporter with an account), or the reporter through
    # the follow-up link (no user; ``by_reporter`` true).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    by_reporter: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Questions: when the reporter answered (None while open).
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    author: Mapped[User | None] = relationship()
