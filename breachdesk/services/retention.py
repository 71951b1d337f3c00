"""Erasing the breach data of incidents closed longer ago than their organisation's retention
period, keeping the register entry (what is erased and what stays: ``domain/retention.py``).

:func:`run` is the one retention run, for ``breachdesk retention run`` and the scheduler's
daily job: it purges the lists of people past ``recipient_retention_days``
(:mod:`.recipient_retention`, as before) and erases the breach data of incidents past
``retention_days`` with :func:`erase_incident`. With ``dry_run`` it counts and changes
nothing. One incident that fails is rolled back, named in the report and skipped; the rest
goes on. Each erased incident gets one audit event with counts, never the data erased.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..domain import retention as rules
from ..mail import outbox_file_of
from ..models import (
    Delivery,
    Incident,
    IncidentMessage,
    Notification,
    Organisation,
    Recipient,
    RecipientImport,
    RemedialAction,
)
from . import audit, audit_erasure, recipient_retention
from .audit import Actor
from .clock import Clock
from .storage import FileStore

log = logging.getLogger(__name__)

ERASED_ACTION = "incident.breach_data_erased"
_INCIDENT_TEXTS = tuple(c for c in rules.erased_columns("incident") if c != "reported_facts")


@dataclass
class Counts:
    """What was (or, in a dry run, would be) erased."""

    incidents: int = 0
    attachments: int = 0  # files erased (their rows stay, renamed)
    mails: int = 0  # outbox mail files erased
    texts: int = 0  # free-text values replaced by the erasure marker
    messages: int = 0  # messages with the reporter
    people: int = 0  # people on lists (recipients) erased
    audit_events: int = 0  # audit events whose personal content was erased

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class OrganisationReport:
    slug: str
    retention_days: int | None
    erased: Counts = field(default_factory=Counts)
    lists_purged: int = 0  # incidents whose lists of people were purged on the shorter period
    failed: list[str] = field(default_factory=list)


@dataclass
class Outbox:
    """Where the file mailer keeps its mails (None: mail goes out by SMTP, nothing kept)."""

    root: Path | None

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Outbox:
        """The file mailer's folder when it is the mail backend (else nothing is kept)."""
        if str(config.get("MAIL_BACKEND", "")).lower() == "file":
            return cls(Path(str(config["OUTBOX_DIR"])))
        return cls(None)


def _nonempty(value: Any) -> bool:
    return bool(value) and value != rules.ERASED


def due_incidents(
    session: Session, organisation: Organisation, now: datetime, *, limit: int | None = None
) -> list[int]:
    """Ids of the organisation's incidents whose breach data is due for erasure at ``now``."""
    days = organisation.retention_days
    if days is None:
        return []
    query = (
        select(Incident.id)
        .where(
            Incident.organisation_id == organisation.id,
            Incident.state.in_(rules.CLOSING_STATES),
            Incident.closed_at.is_not(None),
            Incident.closed_at <= now - timedelta(days=days),
            Incident.data_erased_at.is_(None),
            Incident.imported_from == "",  # an imported register entry is the register
        )
        .order_by(Incident.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def erase_incident(
    session: Session,
    incident: Incident,
    *,
    store: FileStore,
    outbox: Outbox,
    clock: Clock,
    actor: Actor,
    dry_run: bool = False,
) -> Counts:
    """Erase the breach data of one incident (see ``domain/retention.py``) and commit, or with
    ``dry_run`` only count it. Files are removed before the rows are marked, so a run that
    stops halfway leaves the incident due and the next run finishes it.

    Raises:
        OSError: a file could not be removed (the incident stays due; nothing is marked).
    """
    if incident.imported_from or not rules.is_due(
        incident.state,
        incident.closed_at,
        incident.organisation.retention_days,
        clock.now(),
    ):
        return Counts()
    counts = Counts(incidents=1)
    attachments = [a for a in incident.attachments if a.erased_at is None]
    counts.attachments = len(attachments)
    mail_files = _outbox_files(session, incident.id, outbox)
    counts.mails = len(mail_files)
    counts.texts = sum(_nonempty(getattr(incident, c)) for c in _INCIDENT_TEXTS)
    messages = _rows(session, IncidentMessage, incident.id)
    counts.messages = sum(_nonempty(m.body) for m in messages)
    notes = _rows(session, Notification, incident.id)
    actions = _rows(session, RemedialAction, incident.id)
    counts.texts += sum(_nonempty(n.notes) for n in notes)
    counts.texts += sum(_nonempty(a.owner_name) + _nonempty(a.owner_email) for a in actions)
    counts.people = _people_left(session, incident.id)
    if dry_run:
        return counts

    if counts.people:
        recipient_retention.purge(session, incident, actor=actor, clock=clock)
        session.refresh(incident)
    for path in mail_files:
        path.unlink(missing_ok=True)
    for attachment in attachments:
        store.delete(attachment.storage_key)
    now = clock.now()
    for index, attachment in enumerate(incident.attachments, start=1):
        if attachment.erased_at is None:
            attachment.filename = rules.attachment_label(index, attachment.filename)
            attachment.note = ""
            attachment.erased_at = now
    _erase_texts(incident, messages, notes, actions)
    for imp in _rows(session, RecipientImport, incident.id):
        imp.source_name = rules.ERASED if imp.source_name else ""
    _forget_reporter_address(session, incident)
    incident.followup_nonce = None  # the reporter's follow-up link stops working
    incident.data_erased_at = now
    in_trail = audit_erasure.erase_incident_events(
        session,
        organisation_id=incident.organisation_id,
        incident_id=incident.id,
        keys=rules.AUDIT_KEYS,
        clock=clock,
        actor=actor,
    )
    counts.audit_events = in_trail.erased
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action=ERASED_ACTION,
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={
            **counts.as_dict(),
            "audit_events_left": in_trail.left,  # sealed before keyed hashing
            "retention_days": incident.organisation.retention_days,
            "closed_at": incident.closed_at,
        },
    )
    session.commit()
    return counts


def _rows(session: Session, model: Any, incident_id: int) -> list[Any]:
    return list(session.execute(select(model).where(model.incident_id == incident_id)).scalars())


def _people_left(session: Session, incident_id: int) -> int:
    """People on the incident's lists whose details are not erased yet."""
    imports = select(RecipientImport.id).where(RecipientImport.incident_id == incident_id)
    return int(
        session.execute(
            select(func.count())
            .select_from(Recipient)
            .where(
                Recipient.import_id.in_(imports),
                (Recipient.name != "") | (Recipient.email != "") | (Recipient.address != ""),
            )
        ).scalar_one()
    )


def _outbox_files(session: Session, incident_id: int, outbox: Outbox) -> list[Path]:
    """The file mailer's copies of the mails about the incident that are still there."""
    if outbox.root is None:
        return []
    replies = session.execute(
        select(Delivery.server_reply).where(
            Delivery.incident_id == incident_id, Delivery.server_reply.like("written to %")
        )
    ).scalars()
    found = []
    for reply in replies:
        relative = outbox_file_of(reply or "")
        if relative is not None and (outbox.root / relative).is_file():
            found.append(outbox.root / relative)
    return found


def _erase_texts(
    incident: Incident,
    messages: list[IncidentMessage],
    notes: list[Notification],
    actions: list[RemedialAction],
) -> None:
    for column in _INCIDENT_TEXTS:
        if _nonempty(getattr(incident, column)):
            setattr(incident, column, rules.ERASED)
    if incident.reported_facts:
        incident.reported_facts = {
            k: (rules.ERASED if k in _INCIDENT_TEXTS and _nonempty(v) else v)
            for k, v in incident.reported_facts.items()
        }
    for message in messages:
        if _nonempty(message.body):
            message.body = rules.ERASED
    for notification in notes:
        if _nonempty(notification.notes):
            notification.notes = rules.ERASED
    for action in actions:
        action.owner_name = rules.ERASED if _nonempty(action.owner_name) else action.owner_name
        action.owner_email = ""


def _forget_reporter_address(session: Session, incident: Incident) -> None:
    """The reporter's address on the mails to them (before it is erased from the incident)."""
    address = incident.reporter_email
    if not _nonempty(address):
        return
    for delivery in _rows(session, Delivery, incident.id):
        if address in (delivery.recipients or []):
            delivery.recipients = [r for r in delivery.recipients if r != address]


def run(
    session: Session,
    *,
    store: FileStore,
    outbox: Outbox,
    clock: Clock,
    actor: Actor,
    dry_run: bool = False,
    organisation_slug: str | None = None,
) -> list[OrganisationReport]:
    """The retention run for every organisation (or the one with ``organisation_slug``)."""
    query = select(Organisation).order_by(Organisation.slug)
    if organisation_slug is not None:
        query = query.where(Organisation.slug == organisation_slug)
    organisations = list(session.execute(query).scalars())
    now = clock.now()
    reports = []
    erased_any = False
    for organisation in organisations:
        report = OrganisationReport(organisation.slug, organisation.retention_days)
        reports.append(report)
        report.lists_purged = _purge_lists(session, organisation, now, actor, clock, dry_run)
        for incident_id in due_incidents(session, organisation, now):
            incident = session.get(Incident, incident_id)
            if incident is None:
                continue
            reference = incident.reference
            try:
                counts = erase_incident(
                    session,
                    incident,
                    store=store,
                    outbox=outbox,
                    clock=clock,
                    actor=actor,
                    dry_run=dry_run,
                )
            except Exception as error:  # noqa: BLE001 - one bad incident never stops the run
                session.rollback()
                log.exception("retention: could not erase the breach data of %s", reference)
                report.failed.append(f"{reference}: {type(error).__name__}")
                continue
            report.erased.add(counts)
            erased_any = erased_any or bool(counts.incidents and not dry_run)
    if erased_any:
        _compact_search_index(session)
    return reports


def _purge_lists(
    session: Session,
    organisation: Organisation,
    now: datetime,
    actor: Actor,
    clock: Clock,
    dry_run: bool,
) -> int:
    due = recipient_retention.due_ids(session, now, organisation_id=organisation.id)
    if dry_run:
        return len(due)
    return recipient_retention.purge_ids(session, due, actor=actor, clock=clock)


def _compact_search_index(session: Session) -> None:
    """SQLite's FTS5 keeps deleted words in its segments until they are merged: merge them so
    erased text cannot be found in the index's own tables. (PostgreSQL recomputes the stored
    search column with the row; the old row version goes at the next VACUUM.)"""
    if session.get_bind().dialect.name != "sqlite":
        return
    try:
        session.execute(text("INSERT INTO incident_search(incident_search) VALUES ('optimize')"))
        session.commit()
    except Exception:  # noqa: BLE001 - the erasure is done; compaction is housekeeping
        session.rollback()
        log.exception("retention: could not compact the search index")
