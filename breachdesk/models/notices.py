"""The AP answer sheet as the FG edits it, and the exchanges with the AP about a filing."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

if TYPE_CHECKING:
    from .accounts import User
    from .clock import Notification


class AnswerSheet(db.Model):  # type: ignore[name-defined,misc]
    """The FG's own answers to the AP form for one incident, laid over breachdesk's drafts.

    ``edits`` maps a question number to ``{"text", "choices", "by", "at"}``; ``version``
    counts saves (optimistic locking: a save from an older page is refused, not merged).
    """

    __tablename__ = "answer_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), unique=True)
    form_key: Mapped[str] = mapped_column(String(40))
    edits: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


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
