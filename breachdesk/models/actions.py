"""Remedial actions of an incident: what, who, by when, and whether it was done."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

if TYPE_CHECKING:
    from .incident import Incident


class RemedialAction(db.Model):  # type: ignore[name-defined,misc]
    """One measure to take after a breach (Art. 33(5): "the remedial action taken").

    The owner need not have an account (often someone in IT or a supplier): a name and an
    e-mail address, to which an overdue action is reminded (delivery kind
    ``action_overdue``). ``status``: open, done (with ``done_at`` and what was done in
    ``outcome``) or cancelled (with the reason in ``outcome``).
    """

    __tablename__ = "remedial_action"
    __table_args__ = (Index("ix_remedial_action_org_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    title: Mapped[str] = mapped_column(String(300))
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    owner_email: Mapped[str] = mapped_column(String(254), default="")
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="open")
    outcome: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship()
