"""The AP answer sheet as the FG edits it (the filings themselves are in clock.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime


class AnswerSheet(db.Model):  # type: ignore[name-defined,misc]
    """The FG's own answers to the AP form for one incident, laid over breachdesk's drafts.

    ``edits`` maps a question number to ``{"text", "choices", "by", "at"}``; ``version``
    counts saves (optimistic locking per question: a save from an older page is refused when
    the same question was saved or reverted since, from the trail's events).
    """

    __tablename__ = "answer_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), unique=True)
    form_key: Mapped[str] = mapped_column(String(40))
    edits: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
