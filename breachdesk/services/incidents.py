"""Reporting incidents and finding the ones a person may see."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from ..domain.lifecycle import State
from ..domain.problems import FieldProblem
from ..domain.references import format_reference
from ..domain.report import IncidentReport, validate_report
from ..domain.roles import Role
from ..domain.text import single_line
from ..domain.timeutil import AMSTERDAM
from ..domain.webhooks import EventType
from ..models import (
    Incident,
    Membership,
    Organisation,
    PendingUpload,
    ReferenceCounter,
    ReportingLink,
    User,
)
from . import (
    audit,
    evidence,
    notifications,
    reporter_mail,
    reporting_links,
    untriaged,
    webhook_events,
)
from .audit import Actor
from .clock import Clock
from .organisations import profile_of
from .report_columns import incident_snapshot, profile_snapshots, report_columns

log = logging.getLogger(__name__)


@dataclass
class ReportRejected(Exception):
    """The report has problems; nothing was stored."""

    problems: list[FieldProblem]


@dataclass
class AlreadyReported(Exception):
    """This form was sent before and made ``incident``; nothing new was stored. (Going back
    after sending and sending again made a second incident, with its own reminders: found by
    exploratory testing.)"""

    incident: Incident


def _made_by_form(session: Session, key: str | None) -> Incident | None:
    """The report an earlier sending of the form with ``key`` made, if any."""
    if not key:
        return None
    return session.execute(
        select(Incident).where(Incident.submission_key == key)
    ).scalar_one_or_none()


def _reported_by(incident: Incident, reporter: User | LinkReporter) -> bool:
    if isinstance(reporter, LinkReporter):
        return incident.reporting_link_id == reporter.link.id
    return incident.reporter_id == reporter.id


def roles_in(session: Session, user: User, organisation_id: int) -> set[Role]:
    return {
        Role(role)
        for role in session.execute(
            select(Membership.role).where(
                Membership.user_id == user.id, Membership.organisation_id == organisation_id
            )
        ).scalars()
    }


def next_reference(session: Session, organisation: Organisation, year: int) -> tuple[int, str]:
    """Reserve the next sequence number of ``organisation`` in ``year`` (caller commits).

    One ``UPDATE … RETURNING`` counts up and locks the counter row for the rest of the
    transaction, so two reports filed at the same moment get different numbers. The year's
    first report makes the row (a concurrent first report may make it instead; then that one
    is counted up).
    """
    counter = ReferenceCounter.__table__
    bump = (
        update(counter)
        .where(counter.c.organisation_id == organisation.id, counter.c.year == year)
        .values(last_seq=counter.c.last_seq + 1)
        .returning(counter.c.last_seq)
    )
    seq = session.execute(bump).scalar_one_or_none()
    if seq is None:
        try:
            with session.begin_nested():
                first = ReferenceCounter(organisation_id=organisation.id, year=year, last_seq=0)
                session.add(first)
        except IntegrityError:
            pass  # made concurrently by another report; count on theirs
        seq = session.execute(bump).scalar_one()
    return seq, format_reference(organisation.reference_prefix, year, seq)


@dataclass(frozen=True)
class LinkReporter:
    """Who reports through a reporting link (no account): what they chose to tell about
    themselves, the link they used, and the key that owns the files they uploaded."""

    link: ReportingLink
    owner_key: str
    name: str = ""
    email: str = ""


def report_problems(
    organisation: Organisation,
    report: IncidentReport,
    now: datetime,
    *,
    unread: Collection[str] = (),
) -> list[FieldProblem]:
    """Every problem with ``report`` for ``organisation`` (see
    :func:`~breachdesk.domain.report.validate_report`, also for ``unread``). Reads only;
    :func:`submit_report` refuses a report that has any."""
    return validate_report(report, profile_of(organisation), now, unread=unread)


def submit_report(
    session: Session,
    *,
    reporter: User | LinkReporter,
    organisation: Organisation,
    report: IncidentReport,
    clock: Clock,
    pending: Sequence[PendingUpload] = (),
    actor: Actor | None = None,
    submission_key: str | None = None,
) -> Incident:
    """Store a report as a new incident, audited, and plan the mails about it.

    ``reporter`` is a user with a role in ``organisation``, or a :class:`LinkReporter` who used
    one of its reporting links (the caller resolved the link). The report, its attachments,
    its audit event and the delivery rows (the FG's and the deputy's mail, the reporter's
    confirmation when they gave an address, the reminder and escalation if nobody triages it)
    are committed together; the scheduler sends them (and retries while the mail server is
    down), so a mail failure can never cost a report. The event names ``actor``, by default
    the reporter (the API names the token too). ``pending`` are the reporter's uploads to
    attach (:func:`breachdesk.services.evidence.pending_of`, or staged in this transaction).

    ``submission_key`` is the report form's own key: the same form sent again makes nothing.

    Raises:
        AlreadyReported: this reporter sent this form before (nothing new is stored; a key
            another reporter's form carried is ignored).
        PermissionError: ``reporter`` has no role in ``organisation``, used a link of another
            organisation, or names an upload of someone else.
        ReportRejected: the report has problems (nothing is stored).
        sqlalchemy.exc.OperationalError: the database failed before the commit (nothing is
            stored; the caller rolls back).
    """
    if isinstance(reporter, LinkReporter):
        if reporter.link.organisation_id != organisation.id or reporter.link.revoked_at:
            raise PermissionError("not a reporting link of this organisation")
    elif not roles_in(session, reporter, organisation.id):
        raise PermissionError("not a member of this organisation")
    owner = reporter.owner_key if isinstance(reporter, LinkReporter) else reporter
    if not all(evidence.owned_by(item, owner) for item in pending):
        raise PermissionError("an upload of someone else")
    profile = profile_of(organisation)
    earlier = _made_by_form(session, submission_key)
    if earlier is not None:
        if _reported_by(earlier, reporter):
            raise AlreadyReported(earlier)
        submission_key = None  # another reporter's form's key: not theirs to reuse
    now = clock.now()
    problems = validate_report(report, profile, now)
    if problems:
        raise ReportRejected(problems)
    year = now.astimezone(AMSTERDAM).year
    seq, reference = next_reference(session, organisation, year)
    incident = Incident(
        organisation_id=organisation.id,
        reference=reference,
        year=year,
        seq=seq,
        state=State.REPORTED.value,
        **_reporter_columns(reporter),
        reported_at=now,
        updated_at=now,
        **report_columns(report, profile_snapshots(report, profile)),
        submission_key=submission_key or None,
    )
    session.add(incident)
    try:
        session.flush()
    except IntegrityError:
        # The same form sent twice at the same moment: the other sending made the report.
        session.rollback()
        earlier = _made_by_form(session, submission_key)
        if earlier is None or not _reported_by(earlier, reporter):
            raise
        raise AlreadyReported(earlier) from None
    attachments = evidence.claim(
        session,
        pending,
        incident_id=incident.id,
        user=None if isinstance(reporter, LinkReporter) else reporter,
    )
    session.flush()
    after = incident_snapshot(incident)
    after["attachments"] = [
        {"filename": a.filename, "size": a.size, "sha256": a.sha256} for a in attachments
    ]
    if isinstance(reporter, LinkReporter):
        # The chain keeps no contact details (retention must be able to erase them): only
        # whether they were given.
        after["reported_via"] = incident.reported_via
        after["reporter_contact"] = {
            "name_given": bool(incident.reporter_name),
            "email_given": bool(incident.reporter_email),
        }
    audit.record(
        session,
        clock=clock,
        actor=actor or reporter_actor(reporter),
        action="incident.reported",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=organisation.id,
        after=after,
    )
    notifications.enqueue_new_report(session, incident)
    if incident.reporter_email:
        reporter_mail.enqueue_confirmation(session, incident)
    untriaged.plan_chase(session, incident, organisation)
    webhook_events.emit(
        session,
        incident,
        EventType.REPORT_RECEIVED,
        occurred_at=now,
        now=now,
        data={"reported_at": now, "reported_via": incident.reported_via, "state": incident.state},
    )
    # The caller answers from what was just written (the receipt, the follow-up link): it is
    # not read back from the database after the commit.
    own = object_session(incident)  # the Session itself, not a scoped proxy
    assert own is not None  # noqa: S101 - added above
    keep_loaded = own.expire_on_commit
    own.expire_on_commit = False
    try:
        own.commit()
    finally:
        own.expire_on_commit = keep_loaded
    return incident


def reporter_actor(reporter: User | LinkReporter) -> Actor:
    """How the audit trail names a reporter: the user, or the link they used (no contact)."""
    if isinstance(reporter, LinkReporter):
        return Actor(None, f"reporting link ({reporter.link.audience})")
    return Actor.of(reporter)


def _reporter_columns(reporter: User | LinkReporter) -> dict[str, Any]:
    if isinstance(reporter, User):
        return {"reporter_id": reporter.id, "reported_via": "account"}
    return {
        "reporter_id": None,
        "reported_via": f"link_{reporter.link.audience}",
        "reporting_link_id": reporter.link.id,
        "reporter_name": single_line(reporter.name)[:200],
        "reporter_email": reporter.email.strip()[:254],
        "followup_nonce": reporting_links.new_nonce(),
    }
