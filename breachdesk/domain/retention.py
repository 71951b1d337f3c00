"""Retention of breach data: what is erased once an incident has been closed long enough,
and what stays in the register — written down in one place, column by column.

The rule (GDPR Art. 5(1)(c) and (e), Art. 33(5)): the register entry of every breach is kept,
because it must "enable the supervisory authority to verify compliance"; the breach data
itself — the leaked files, the mails, the lists of people, what people wrote in their own
words — is kept only as long as it is needed to handle the breach and to answer questions
about it. breachdesk erases that data a chosen number of days after the incident was closed
(``Organisation.retention_days``) and keeps the facts, the counts, the dates, the reasoning of
every decision and the digests (SHA-256) that prove what was received and sent.

The default period for a new organisation is 365 days: the AP's questions about a filed
notification come within months, and a year covers an annual review of the register and a
complaint by someone affected (who has to be answered within a month, Art. 12(3), but may
come much later). An organisation that needs longer (a claim, a court case) sets up to ten
years; shorter, down to 30 days. An organisation that existed before this setting has no
period until an administrator chooses one: an upgrade never erases anything by itself.

Only incidents in a closing state (closed, not a breach, discarded) are erased; an incident
that is reopened is no longer in such a state and is left alone until it is closed again.
Erasure happens once per incident (``Incident.data_erased_at``) and can be run again safely.
Entries imported from a register kept before breachdesk are left alone: their description is
the register's own account of what happened, and they hold no files, mails or lists.

The audit trail holds digests where it can; where its events about the incident hold the
texts erased here (the report as filed, corrections, attachment names), those values are
erased from the events as well (:data:`AUDIT_KEYS`), each erasure recorded by a keyed event so
the chain still verifies (``domain/audit/erasure.py``). Events sealed before keyed hashing
(version 1) cannot be erased that way and are left as they are (counted).

Known limits, said plainly: the AP filing as filed (``Notification.sheet``) is kept as the
proof of what was told to the AP; database backups made before the erasure still hold the
data until they expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: What an erased free text reads afterwards (the same marker the audit trail uses).
ERASED = "[erased]"

DEFAULT_RETENTION_DAYS = 365
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3650

#: The states in which an incident's work is over (see lifecycle.py).
CLOSING_STATES = ("closed", "not_a_breach", "discarded")


@dataclass(frozen=True)
class Column:
    """One stored value and what retention does with it, with the reason in plain words."""

    table: str
    column: str
    erase: bool
    why: str


def _e(table: str, column: str, why: str) -> Column:
    return Column(table, column, True, why)


def _k(table: str, column: str, why: str) -> Column:
    return Column(table, column, False, why)


#: Every free text and personal detail of an incident, erased or kept. Structured facts
#: (dates, categories, counts, states, outcomes, risk answers) are all kept and not listed.
COLUMNS: tuple[Column, ...] = (
    # The report
    _k("incident", "title", "the register's one-line summary of what happened (Art. 33(5))"),
    _e("incident", "description", "the reporter's own account; may name people"),
    _e("incident", "discovery_how", "free text of how it was found; may name people"),
    _e("incident", "systems_other", "free text beside the systems chosen from the profile"),
    _e("incident", "data_other", "free text beside the data categories; may quote the data"),
    _e("incident", "subject_groups_other", "free text beside the groups of people"),
    _e("incident", "protection_details", "free text; the protection chosen stays"),
    _e("incident", "containment_details", "free text; the measures chosen stay"),
    _e("incident", "reporter_name", "the reporter's contact (reporting link, no account)"),
    _e("incident", "reporter_email", "the reporter's contact (reporting link, no account)"),
    _e("incident", "reported_facts", "the reporter's first answers: the texts above in it"),
    _k("incident", "controller_name", "who we processed for: a register fact"),
    # Reasoning: the register must show why (EDPB 01/2021; DOMAIN.md a.8)
    _k("incident", "triage_reason", "the FG's reasoning whether it is a breach"),
    _k("incident", "not_breach_reason", "the reasoning why it is not a breach"),
    _k("incident", "subjects_resolution_note", "the Art. 34(3) ground or reason not to inform"),
    _k("incident", "public_resolution_note", "the reasoning on public communication"),
    _k("awareness_record", "reason", "reasons for the moment of awareness and any delay"),
    _k("decision", "rationale", "the reasoning of the decision to notify or not"),
    _k("notification", "delay_reason", "reasons for a late notification (Art. 33(1))"),
    _k("notification", "sheet", "the filing as sent to the AP: proof of what it was told"),
    _k("notification", "withdrawal_reason", "why a filing was withdrawn"),
    _e("notification", "notes", "the FG's working notes"),
    _k("filing_exchange", "question", "the AP's questions and our answers: the AP's record"),
    # Remedial action taken is a register fact; who carried it out is not
    _k("remedial_action", "title", "the remedial action taken (Art. 33(5))"),
    _k("remedial_action", "outcome", "what the action achieved"),
    _e("remedial_action", "owner_name", "a person's name"),
    _e("remedial_action", "owner_email", "a person's address"),
    # The conversation with the reporter
    _e("incident_message", "body", "messages between the FG and the reporter"),
    # Files and mails
    _e("attachment", "file", "the evidence itself, often the leaked data"),
    _e("attachment", "filename", "may name people; becomes a neutral label"),
    _e("attachment", "note", "the uploader's words about the file"),
    _k("attachment", "size, content_type, sha256", "proof of what was received"),
    _e("outbox", "mail files", "copies of the mails about the incident (file mailer)"),
    _e("delivery", "recipients", "the reporter's address on the mails to them"),
    _k("delivery", "message_id, server_reply, sha256, times", "proof of what was sent"),
    # The people affected (services/recipient_retention.py, also on its own shorter period)
    _e("recipient", "name, email, address, data, reference", "the people affected"),
    _e("recipient_import", "source_name", "the uploaded file's name"),
    _k("recipient_import", "counts", "how many were informed, by which channel"),
    _k("people_notice", "subject, sections", "the notice as approved: no one's own data"),
    _k("public_notice", "text", "published already (Art. 34(3)(c))"),
)


#: The keys whose values are erased from the audit events about an erased incident: the
#: incident's erased texts, and the names and notes of attachments, people and actions.
AUDIT_KEYS: frozenset[str] = frozenset(
    {
        "description",
        "discovery_how",
        "systems_other",
        "data_other",
        "subject_groups_other",
        "protection_details",
        "containment_details",
        "reporter_name",
        "reporter_email",
        "filename",
        "note",
        "notes",
        "body",
        "owner_name",
        "owner_email",
        "source_name",
    }
)


def erased_columns(table: str) -> tuple[str, ...]:
    """The columns of ``table`` that retention erases (as listed in :data:`COLUMNS`)."""
    return tuple(c.column for c in COLUMNS if c.table == table and c.erase)


def erase_after(closed_at: datetime, days: int) -> datetime:
    """The moment the breach data of an incident closed at ``closed_at`` may be erased."""
    return closed_at + timedelta(days=days)


def is_due(state: str, closed_at: datetime | None, days: int | None, now: datetime) -> bool:
    """Whether an incident's breach data is due for erasure at ``now`` (aware UTC)."""
    if days is None or closed_at is None or state not in CLOSING_STATES:
        return False
    return erase_after(closed_at, days) <= now


def check_days(days: int | None) -> bool:
    """Whether ``days`` is an allowed retention period (None: none chosen, nothing erased)."""
    return days is None or MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS


def attachment_label(index: int, filename: str) -> str:
    """The neutral name an erased attachment gets: its place and the file type only."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    keep = suffix if suffix.isalnum() and len(suffix) <= 5 else ""
    return f"attachment-{index:02d}" + (f".{keep}" if keep else "")
