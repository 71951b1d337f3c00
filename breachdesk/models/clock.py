"""The 72-hour clock: the notifications filed (reminders are deliveries, see delivery.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

if TYPE_CHECKING:  # for the annotations; SQLAlchemy resolves them by class name
    from .accounts import User
    from .incident import Incident


class Notification(db.Model):  # type: ignore[name-defined,misc]
    """A notification as filed: to the AP (or, as processor, to the controller).

    The first one of an incident is ``initial``; later ones are ``supplement`` or
    ``withdrawal`` (Art. 33(4)). ``deadline_at`` and ``late`` are stored as they stood when it
    was filed, so correcting the moment of awareness afterwards cannot hide a late filing.

    ``submitted_at`` and ``late`` are None for a filing imported from an earlier register
    that says the breach was notified but not when: the date is not known, so neither is
    whether it was in time, and no page claims either.
    """

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    addressee: Mapped[str] = mapped_column(String(12))  # ap | controller
    kind: Mapped[str] = mapped_column(String(12))  # initial | supplement | withdrawal
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reference: Mapped[str] = mapped_column(String(100), default="")  # the AP's meldnummer
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    delay_reason: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    late: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The answer sheet as filed (None for filings recorded before the sheet existed, and for
    # a withdrawal): its form table, the answers question by question, and their digest.
    form_key: Mapped[str] = mapped_column(String(40), default="", server_default="")
    sheet: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    sheet_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    incident: Mapped[Incident] = relationship(back_populates="notifications")
    recorded_by: Mapped[User] = relationship()
    exchanges: Mapped[list[FilingExchange]] = relationship(
        back_populates="notification", order_by="FilingExchange.id"
    )


class FilingExchange(db.Model):  # type: ignore[name-defined,misc]
    """A follow-up question from the AP about a filing, and the organisation's answer."""

    __tablename__ = "filing_exchange"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="", server_default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    notification: Mapped[Notification] = relationship(back_populates="exchanges")
    recorded_by: Mapped[User] = relationship()
