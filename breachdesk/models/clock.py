"""The 72-hour clock: notifications filed, reminder rows and the scheduler lease."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

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
    from .accounts import User
    from .incident import Incident


class Notification(db.Model):  # type: ignore[name-defined,misc]
    """A notification as filed: to the AP (or, as processor, to the controller).

    The first one of an incident is ``initial``; later ones are ``supplement`` or
    ``withdrawal`` (Art. 33(4)). ``deadline_at`` and ``late`` are stored as they stood when it
    was filed, so correcting the moment of awareness afterwards cannot hide a late filing.
    """

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    addressee: Mapped[str] = mapped_column(String(12))  # ap | controller
    kind: Mapped[str] = mapped_column(String(12))  # initial | supplement | withdrawal
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reference: Mapped[str] = mapped_column(String(100), default="")  # the AP's meldnummer
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    delay_reason: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship(back_populates="notifications")
    recorded_by: Mapped[User] = relationship()


class Reminder(db.Model):  # type: ignore[name-defined,misc]
    """One planned reminder or escalation: the truth the scheduler works from.

    Life of a row: ``planned`` -> ``sending`` (claimed by one scheduler with a conditional
    update) -> ``sent``; or ``cancelled`` (re-planned, notified, not required); or back to
    ``planned`` with a later ``due_at`` after a delivery error, and ``failed`` after the last
    attempt (shown in the app, never silently dropped).
    """

    __tablename__ = "reminder"
    __table_args__ = (
        Index("ix_reminder_status_due", "status", "due_at"),
        Index("ix_reminder_incident", "incident_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    duty: Mapped[str] = mapped_column(String(12))  # ap | controller
    kind: Mapped[str] = mapped_column(String(12))  # reminder | escalation
    label: Mapped[str] = mapped_column(String(20))  # "24h", "-4h", "deadline"
    planned_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # moves on retry
    status: Mapped[str] = mapped_column(String(12), default="planned")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_error: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship()


class SchedulerLease(db.Model):  # type: ignore[name-defined,misc]
    """Which scheduler process may tick, until when (a lease renewed on every tick)."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
