"""An incident and what the FG records about it: awareness, decisions, its reference."""

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
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.register import data_kinds
from ..extensions import db
from ..types import UTCDateTime

if TYPE_CHECKING:  # for the annotations; SQLAlchemy resolves them by class name
    from .accounts import Organisation, User
    from .clock import Notification
    from .evidence import Attachment


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
        # A reporting link's reports of the last day (its daily cap, checked on every report)
        Index("ix_incident_link_reported", "reporting_link_id", "reported_at"),
        Index("ix_incident_org_state", "organisation_id", "state"),
        Index("ix_incident_org_term", "organisation_id", "term_deadline"),
        # The register's sort orders, each with the id as tie-breaker for keyset paging.
        Index("ix_incident_reported", "reported_at", "id"),
        Index("ix_incident_discovered", "discovered_at", "id"),
        Index("ix_incident_reference", "reference", "id"),
        # The top bar's count of decisions out of date: only those rows, so it stays cheap
        # however the planner estimates the (organisation, state) index.
        Index(
            "ix_incident_stale",
            "organisation_id",
            "state",
            sqlite_where=text("decision_stale = 1"),
            postgresql_where=text("decision_stale = true"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    reference: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32), default="reported")
    # The person who reported: an account, or (through the organisation's reporting link) no
    # account and a contact they chose to give; the follow-up link is derived from
    # ``followup_nonce`` (see services/reporting_links.py; a new nonce revokes the old link).
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    reported_via: Mapped[str] = mapped_column(
        String(16), default="account", server_default="account"
    )
    reporter_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    reporter_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    reporting_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporting_link.id"), nullable=True
    )
    followup_nonce: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The report form's own random key: the same form sent again (the back button and send,
    # a reload) finds the report it made instead of making a second one.
    submission_key: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
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
    # The kinds of data among data_categories ("|special|financial|"), for the register's
    # filter; set whenever data_categories is (see the listener below).
    data_kinds: Mapped[str] = mapped_column(String(120), default="", server_default="")
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

    # The reporter's own answers, kept when the FG first corrects the facts above (None: never
    # corrected); the corrections themselves are in the audit trail.
    reported_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    # Triage (by the FG)
    personal_data: Mapped[str | None] = mapped_column(String(10), nullable=True)  # yes/no/unknown
    security_breached: Mapped[str | None] = mapped_column(String(10), nullable=True)
    breach_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    not_breach_reason: Mapped[str] = mapped_column(Text, default="")
    # The FG's reasoning at the latest triage, shown on the incident page (every earlier one
    # stays in the audit trail).
    triage_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Awareness (kennisname): the current value; every value ever set is an AwarenessRecord
    aware_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The risk checklist (answers as in breachdesk.domain.checklist.Facts, JSON). The version
    # goes up with every save; a save from a page that showed an older version is refused.
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    facts_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    checklist_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The outcome the checklist recommends now, and whether the latest decision is out of
    # date because that recommendation names other duties (see domain/duties.py). Columns, so
    # that lists and counts can be made in SQL.
    recommended_outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # The latest decision's outcome (a copy of decisions[-1].outcome, for the register's filter).
    decided_outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)
    decision_stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The deadline of the term while it runs (owed, not yet filed), else NULL: a copy of what
    # services.deadlines.clock_of derives, kept in step by every change (reminders.replan) and
    # checked hourly by the scheduler, so that the top bar's counts and the inbox's order are
    # made in SQL. Pages about one incident derive the clock afresh.
    term_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # How the duties towards people were met (Art. 34), recorded when closing.
    subjects_resolution: Mapped[str] = mapped_column(String(20), default="", server_default="")
    subjects_resolution_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    subjects_resolution_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    public_resolution: Mapped[str] = mapped_column(String(20), default="", server_default="")
    public_resolution_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    public_resolution_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When retention erased the breach data (services/retention.py); the register entry stays.
    data_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Our role for the data: "controller" (72 h to the AP) or "processor" (inform the
    # controller within the contractual term, Art. 33(2)); the controller's name if processor.
    # An entry of a register kept before breachdesk: the SHA-256 of the file it came from
    # and the reference it had there (empty for incidents reported in breachdesk).
    imported_from: Mapped[str] = mapped_column(String(64), default="", server_default="")
    source_reference: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # Of an imported entry, the moments its register gave as a date without a time of day
    # ("discovered_at", "aware_at", "submitted_at" of its filing, "closed_at"): shown as dates.
    dates_only: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    our_role: Mapped[str] = mapped_column(String(12), default="controller")
    controller_name: Mapped[str] = mapped_column(String(200), default="")

    organisation: Mapped[Organisation] = relationship()
    reporter: Mapped[User | None] = relationship()
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
    # None for a decision taken over from an earlier register (rule set "imported"): there
    # was no advice to follow or to differ from.
    follows_recommendation: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    rationale: Mapped[str] = mapped_column(Text, default="")
    ruleset_version: Mapped[str] = mapped_column(String(20))
    facts_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    recommendation_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Of a decision taken over from an earlier register: who imported it, and None (the file
    # does not say when it was taken).
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    incident: Mapped[Incident] = relationship(back_populates="decisions")
    decided_by: Mapped[User] = relationship()


@event.listens_for(Incident.data_categories, "set")
def _data_categories_set(
    target: Incident, value: list[dict[str, Any]] | None, _old: Any, _initiator: Any
) -> None:
    target.data_kinds = data_kinds(value or [])
