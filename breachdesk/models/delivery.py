"""Deliveries: every message breachdesk must send once, as a row; and the scheduler lease."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

if TYPE_CHECKING:  # for the annotations; SQLAlchemy resolves them by class name
    from .accounts import Organisation
    from .incident import Incident


class Delivery(db.Model):  # type: ignore[name-defined,misc]
    """One message to send once: a reminder, an escalation, a new-report mail, a checkpoint.

    Life of a row: ``planned`` -> ``sending`` (claimed by one scheduler with a conditional
    update) -> ``sent`` with its proof; or ``cancelled`` (re-planned, no longer needed); or
    back to ``planned`` with a later ``due_at`` after a failed attempt, and ``failed`` after
    the last one (shown in the app and audited, never silently dropped). The delivery
    guarantee is written once, in :mod:`breachdesk.services.delivery`.

    ``label`` names a row stably within its kind and incident (``"24h"``, ``"deadline"``), so
    that planning can tell which rows are still wanted. ``payload`` holds what a kind needs
    beyond the incident (JSON). The proof of a sent row is ``sent_at``, ``recipients``,
    ``message_id``, ``server_reply`` and ``content_sha256`` (of the bytes handed over).
    """

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_status_due", "status", "due_at"),
        Index("ix_delivery_incident", "incident_id", "status"),
        Index("ix_delivery_organisation", "organisation_id", "status"),
        Index("ix_delivery_mailing", "mailing_id", "status"),
        # The delivery log of an organisation's webhooks, newest first.
        Index("ix_delivery_endpoint", "endpoint_id", "created_at"),
        # The claim's order: urgent first, then the oldest due; no sort of every due row.
        Index("ix_delivery_claim_order", "status", "priority", "due_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id"), nullable=True
    )
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), nullable=True)
    # A notice to one of the people affected: its mailing and the person (Art. 34 GDPR).
    mailing_id: Mapped[int | None] = mapped_column(ForeignKey("mailing.id"), nullable=True)
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipient.id"), nullable=True, index=True
    )
    # A webhook call: the endpoint it goes to (the event is in ``payload``).
    endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoint.id"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(12), default="email")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    duty: Mapped[str | None] = mapped_column(String(12), nullable=True)  # ap | controller
    label: Mapped[str] = mapped_column(String(40), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    planned_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # moves on retry
    status: Mapped[str] = mapped_column(String(12), default="planned")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_error: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str] = mapped_column(String(40), default="")
    message_id: Mapped[str] = mapped_column(String(255), default="")
    server_reply: Mapped[str] = mapped_column(Text, default="")
    content_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    incident: Mapped[Incident | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class SchedulerLease(db.Model):  # type: ignore[name-defined,misc]
    """Which scheduler process may tick, until when (a lease renewed on every tick), and when
    a tick last finished (for /healthz and the "scheduler stopped" banner)."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_tick_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
