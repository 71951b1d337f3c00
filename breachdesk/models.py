"""Database models (SQLAlchemy 2.0, typed). Every timestamp is a :class:`UTCDateTime`.

Services are the only code that changes these rows, and every change they make writes an
:class:`AuditEvent`. Audit events are append-only: the database refuses UPDATE and DELETE on
them (triggers installed by the migration and by ``create_all``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .domain.reminders import (
    DEFAULT_OFFSETS_HOURS,
    DEFAULT_PROCESSOR_HOURS_BEFORE,
    DEFAULT_PROCESSOR_TERM_HOURS,
)
from .extensions import db
from .types import UTCDateTime


class Organisation(db.Model):  # type: ignore[name-defined,misc]
    """A controller organisation served by this installation."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))  # display name, kept in sync with profile
    reference_prefix: Mapped[str] = mapped_column(String(6), default="BD")
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
    escalation_name: Mapped[str] = mapped_column(String(200), default="")
    escalation_email: Mapped[str] = mapped_column(String(254), default="")
    processor_term_hours: Mapped[int] = mapped_column(Integer, default=DEFAULT_PROCESSOR_TERM_HOURS)
    processor_hours_before: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_PROCESSOR_HOURS_BEFORE)
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


class ReferenceCounter(db.Model):  # type: ignore[name-defined,misc]
    """The last incident sequence number used per organisation and year."""

    __tablename__ = "reference_counter"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Incident(db.Model):  # type: ignore[name-defined,misc]
    """A reported incident: a possible personal-data breach, from intake to closure."""

    __tablename__ = "incident"
    __table_args__ = (
        UniqueConstraint("organisation_id", "year", "seq"),
        UniqueConstraint("organisation_id", "reference"),
        Index("ix_incident_reporter", "reporter_id"),
        Index("ix_incident_org_state", "organisation_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    reference: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32), default="reported")
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # What happened
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    discovery_how: Mapped[str] = mapped_column(Text, default="")
    ongoing: Mapped[str] = mapped_column(String(10))
    # Systems and processors: snapshots of the profile entries chosen (names may change later)
    processors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    systems_other: Mapped[str] = mapped_column(Text, default="")
    # Data and people
    data_categories: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    data_other: Mapped[str] = mapped_column(Text, default="")
    subjects_mode: Mapped[str] = mapped_column(String(10))
    subjects_exact: Mapped[int | None] = mapped_column(Integer, nullable=True)
    subjects_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    subjects_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    records_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    subject_groups: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    subject_groups_other: Mapped[str] = mapped_column(Text, default="")
    children_involved: Mapped[str] = mapped_column(String(10))
    # Protection and first measures
    protection: Mapped[str] = mapped_column(String(12))
    protection_details: Mapped[str] = mapped_column(Text, default="")
    containment: Mapped[list[str]] = mapped_column(JSON, default=list)
    containment_details: Mapped[str] = mapped_column(Text, default="")
    # Reported to us by a processor
    reported_by_processor: Mapped[bool] = mapped_column(Boolean, default=False)
    reporting_processor: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    processor_aware_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    processor_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # Triage (by the FG)
    personal_data: Mapped[str | None] = mapped_column(String(10), nullable=True)  # yes/no/unknown
    security_breached: Mapped[str | None] = mapped_column(String(10), nullable=True)
    breach_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    not_breach_reason: Mapped[str] = mapped_column(Text, default="")
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Awareness (kennisname): the current value; every value ever set is an AwarenessRecord
    aware_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The risk checklist (answers as in breachdesk.domain.checklist.Facts, JSON)
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    checklist_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Our role for the data: "controller" (72 h to the AP) or "processor" (inform the
    # controller within the contractual term, Art. 33(2)); the controller's name if processor.
    our_role: Mapped[str] = mapped_column(String(12), default="controller")
    controller_name: Mapped[str] = mapped_column(String(200), default="")

    organisation: Mapped[Organisation] = relationship()
    reporter: Mapped[User] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="incident", order_by="Attachment.id"
    )
    awareness_history: Mapped[list[AwarenessRecord]] = relationship(
        back_populates="incident", order_by="AwarenessRecord.id"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="incident", order_by="Decision.version"
    )
    notifications: Mapped[list[Notification]] = relationship(
        back_populates="incident", order_by="Notification.id"
    )


class AwarenessRecord(db.Model):  # type: ignore[name-defined,misc]
    """One value of "when did the organisation become aware", as recorded by the FG.

    The incident keeps the latest value; earlier values stay here, with the reason for each
    correction, so a later correction can never hide what was recorded first.
    """

    __tablename__ = "awareness_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    aware_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship(back_populates="awareness_history")
    recorded_by: Mapped[User] = relationship()


class Decision(db.Model):  # type: ignore[name-defined,misc]
    """The FG's decision on notifying, with everything it rested on (one row per version).

    The answers and the recommendation are stored as they were, with the rule-set version,
    so a later change of the rules or of the checklist never rewrites a past decision.
    """

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("incident_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(40))
    notify_ap: Mapped[bool] = mapped_column(Boolean)
    inform_subjects: Mapped[bool] = mapped_column(Boolean)
    public_communication: Mapped[bool] = mapped_column(Boolean)
    ap_severity: Mapped[str] = mapped_column(String(20))
    follows_recommendation: Mapped[bool] = mapped_column(Boolean)
    rationale: Mapped[str] = mapped_column(Text, default="")
    ruleset_version: Mapped[str] = mapped_column(String(20))
    facts_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    recommendation_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship(back_populates="decisions")
    decided_by: Mapped[User] = relationship()


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
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship(back_populates="attachments")


class PendingUpload(db.Model):  # type: ignore[name-defined,misc]
    """A file uploaded with a form that still had errors, kept so nothing is typed twice.

    Claimed (and turned into an :class:`Attachment`) when the form is submitted without
    errors; unclaimed ones are purged after a day.
    """

    __tablename__ = "pending_upload"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """One append-only entry in an organisation's (or the global) hash chain."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id"), nullable=True, index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # No foreign key on purpose: the trail must outlive the accounts it mentions.
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_label: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(db.Model):  # type: ignore[name-defined,misc]
    """The last event of each chain. Updating it serialises writers of one chain."""

    __tablename__ = "audit_chain_head"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


# --- append-only enforcement ------------------------------------------------------------
# The same statements are executed by the migration that creates the table.
APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]

for _statement in APPEND_ONLY_SQLITE:
    event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in APPEND_ONLY_POSTGRESQL:
    event.listen(
        AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
