"""An invitation to join an organisation with roles, sent by one of its administrators.

Adding a person never attaches an existing account by itself: the person gets an invitation
by mail and joins only by accepting it (signing in to their account, or making one). The
administrator learns nothing about whether the address already has an account elsewhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

if TYPE_CHECKING:
    from .accounts import Organisation


class Invitation(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")  # proposed, for a new account
    roles: Mapped[list[str]] = mapped_column(JSON)
    nonce: Mapped[str] = mapped_column(String(64))  # the link's token is derived from it
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    organisation: Mapped[Organisation] = relationship()
