"""Organisations, user accounts and their roles in organisations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from ..domain.references import DEFAULT_PREFIX
from ..domain.reminders import (
    DEFAULT_OFFSETS_HOURS,
    DEFAULT_PROCESSOR_HOURS_BEFORE,
    DEFAULT_PROCESSOR_TERM_HOURS,
)
from ..extensions import db
from ..types import UTCDateTime


class Organisation(db.Model):  # type: ignore[name-defined,misc]
    """A controller organisation served by this installation."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))  # display name, kept in sync with profile
    reference_prefix: Mapped[str] = mapped_column(String(6), default=DEFAULT_PREFIX)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    profile_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The clock: reminder hours after awareness (72 h towards the AP), a deputy who gets the
    # reminders too, the contact who is told at the deadline, and the processor's term.
    reminder_offsets: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_OFFSETS_HOURS)
    )
    deputy_email: Mapped[str] = mapped_column(String(254), default="")
    # Where this organisation files with the AP (empty: the installation's AP_REPORTING_URL).
    ap_reporting_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    escalation_name: Mapped[str] = mapped_column(String(200), default="")
    escalation_email: Mapped[str] = mapped_column(String(254), default="")
    processor_term_hours: Mapped[int] = mapped_column(Integer, default=DEFAULT_PROCESSOR_TERM_HOURS)
    processor_hours_before: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_PROCESSOR_HOURS_BEFORE)
    )
    # Informing the people affected: the mail provider's cap on messages a minute (Microsoft
    # 365 allows about 30 per mailbox) and how long their list is kept after the incident
    # is closed (then purged; counts and digests stay).
    notice_rate_per_minute: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    recipient_retention_days: Mapped[int] = mapped_column(Integer, default=90, server_default="90")
    # Retention of the breach data (attachments, mails, lists of people, free texts; see
    # domain/retention.py): erased this many days after closing; the register entry stays.
    # New organisations: 365. NULL (organisations from before the setting): nothing is erased
    # until an administrator chooses a period, so an upgrade never erases by itself.
    retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True, default=365)
    # Reports not yet triaged: the office hours (Dutch time) and after how many of them the FG
    # and the deputy are reminded (never later than 8 calendar hours; see domain/untriaged.py).
    office_days: Mapped[str] = mapped_column(String(7), default="12345", server_default="12345")
    office_start_hour: Mapped[int] = mapped_column(Integer, default=9, server_default="9")
    office_end_hour: Mapped[int] = mapped_column(Integer, default=17, server_default="17")
    untriaged_office_hours: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    # Goes up with every save of the reminder settings (profile_version does so for the
    # profile): a save from a page that showed an older version is refused, not merged.
    clock_settings_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # FG and administrators must sign in with a second factor (TOTP). On for organisations
    # made since it exists; organisations of an upgraded installation keep it off until an
    # administrator turns it on (nobody is locked out by an upgrade).
    require_second_factor: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=false()
    )

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")


class User(db.Model):  # type: ignore[name-defined,misc]
    """A person who can log in. Roles are held per organisation through memberships."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The personal calendar feed: only a SHA-256 of the secret token is kept; revocable.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    calendar_token_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The second factor (TOTP, RFC 6238): the shared secret, encrypted (services/second_factor),
    # the secret being enrolled until its first code is confirmed, and the last time step
    # accepted (a code is accepted once: an overheard code cannot be replayed).
    totp_secret: Mapped[str | None] = mapped_column(String(255), nullable=True)
    totp_pending: Mapped[str | None] = mapped_column(String(255), nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Goes up when an administrator changes the account's roles or status (stale saves refused).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None


class Membership(db.Model):  # type: ignore[name-defined,misc]
    """One role of one user in one organisation."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
