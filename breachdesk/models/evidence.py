"""Evidence files attached to a report, and uploads not yet attached."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

if TYPE_CHECKING:  # for the annotations; SQLAlchemy resolves them by class name
    from .incident import Incident


class Attachment(db.Model):  # type: ignore[name-defined,misc]
    """Evidence attached to an incident; the bytes live outside the static folder."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    # None: uploaded by the reporter through the reporting or follow-up link (no account).
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What the file is, in the uploader's words (e.g. "the AP's receipt"); FG uploads.
    note: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # When retention erased the file (its name became a neutral label; size, type and the
    # SHA-256 of what was uploaded stay).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    incident: Mapped[Incident] = relationship(back_populates="attachments")


class PendingUpload(db.Model):  # type: ignore[name-defined,misc]
    """A file uploaded with a form that still had errors, kept so nothing is typed twice.

    Claimed (and turned into an :class:`Attachment`) when the form is submitted without
    errors; unclaimed ones are purged after a day.
    """

    __tablename__ = "pending_upload"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The owner: a user, or (on the reporting link, no account) the digest of a random key
    # held in that browser's session.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), index=True, nullable=True
    )
    owner_key: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
