"""Recovery codes of the second factor: shown once, kept as SHA-256 digests, each used once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime


class RecoveryCode(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the normalised code: the codes carry 60 random bits each and are tried under
    # a rate limit, so a fast digest suffices (a slow hash would make ten checks take seconds).
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
