"""Webhook endpoints: an organisation's HTTPS addresses that receive its events.

Each call to an endpoint is a :class:`~breachdesk.models.Delivery` row of kind ``webhook``
(its ``endpoint_id`` names the endpoint), sent by the one delivery engine.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

if TYPE_CHECKING:
    from .accounts import Organisation


class WebhookEndpoint(db.Model):  # type: ignore[name-defined,misc]
    """An HTTPS endpoint of one organisation, the events it wants and its signing secret.

    The secret is stored encrypted under the storage keys (:mod:`breachdesk.services.vault`);
    it is shown once, when made or rotated. A deleted endpoint is kept (without its secret)
    so that the delivery log still names where past events went.
    """

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    secret_sealed: Mapped[str] = mapped_column(Text, default="")  # Fernet token; "" once deleted
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped by every change
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    organisation: Mapped[Organisation] = relationship()

    def wants(self, event: str) -> bool:
        return self.active and self.deleted_at is None and event in (self.events or [])
