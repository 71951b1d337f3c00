"""Personal access tokens for the JSON API, and the idempotency keys of its creates.

A token belongs to one user in one organisation and acts as that user there, within its
scope. Only a SHA-256 of the token is stored (the token is 256 random bits, so a plain hash
cannot be reversed by trying); the token itself is shown once, when it is made.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime
from .accounts import Organisation, User


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    name: Mapped[str] = mapped_column(String(100))  # what it is for ("TOPdesk koppeling")
    scope: Mapped[str] = mapped_column(String(10))  # report | read | write
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256
    hint: Mapped[str] = mapped_column(String(12))  # the first characters, to recognise it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class IdempotencyKey(db.Model):  # type: ignore[name-defined,misc]
    """A create that was made under an ``Idempotency-Key``: a retry with the same key and the
    same request gets the same answer; the same key with another request is refused."""

    __tablename__ = "api_idempotency_key"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path, body
    # NULL while the create runs (the key is claimed first, so two concurrent retries cannot
    # both create); set when the report is stored.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
