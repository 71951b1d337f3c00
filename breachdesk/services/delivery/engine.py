"""The tick: claim the rows that are due, send each one on its own, keep the outcome.

The guarantee this gives is written once, in the package docstring
(:mod:`breachdesk.services.delivery`).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session, selectinload

from ...domain.delivery import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_BASE,
    DEFAULT_RETRY_CAP,
    Status,
    gives_up,
    retry_delay,
)
from ...domain.reminders import LATE_AFTER, is_late
from ...mail import Mailer, Receipt, build_message
from ...models import Delivery, Incident
from .. import audit
from ..audit import Actor
from ..clock import Clock
from .lease import acquire_lease, record_tick
from .outgoing import Handler, Outgoing, SendContext, Skip

log = logging.getLogger(__name__)

PLANNED, SENDING, SENT = Status.PLANNED.value, Status.SENDING.value, Status.SENT.value
CANCELLED, FAILED = Status.CANCELLED.value, Status.FAILED.value
#: Rows claimed at once: small enough that the lease is renewed often during a slow batch.
BATCH_SIZE = 100


@dataclass(frozen=True)
class DeliverySettings:
    """How the engine sends (from the ``SCHEDULER_*`` and ``DELIVERY_*`` settings)."""

    mail_from: str
    base_url: str
    lease: timedelta = timedelta(seconds=90)
    late_after: timedelta = LATE_AFTER
    #: Another scheduler's claim is taken over once it is this old and not refreshed. Shorter
    #: than the lease (so a dead scheduler's claims go as soon as its lease has), longer than
    #: the SMTP timeout and the refresh (every lease/3), so a live claimer is never robbed.
    claim_timeout: timedelta = timedelta(seconds=60)
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    retry_base: timedelta = DEFAULT_RETRY_BASE
    retry_cap: timedelta = DEFAULT_RETRY_CAP
    batch_size: int = BATCH_SIZE


@dataclass
class TickResult:
    """What one tick did; ``skipped`` is True when another scheduler holds the lease."""

    skipped: bool = False
    sent: int = 0
    late: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    lost_lease: bool = False
    delays: list[float] = field(default_factory=list)  # seconds from planned to handed over


def claim_due(
    session: Session,
    now: datetime,
    *,
    holder: str = "",
    mine: Collection[str] = (),
    limit: int = BATCH_SIZE,
    claim_timeout: timedelta = timedelta(seconds=60),
) -> list[Delivery]:
    """Claim up to ``limit`` rows for ``holder`` with one conditional UPDATE (commits).

    A row can be claimed when it is ``planned`` and due, or when its claim was abandoned:
    made by ``holder`` in an earlier tick that stopped halfway (not one of ``mine``, this
    tick's claims), or made by another scheduler and not refreshed for ``claim_timeout``.
    When two schedulers race for a row exactly one UPDATE matches it: on PostgreSQL the second
    waits for the first's row lock and then re-checks the condition; on SQLite writers are
    serialised. Urgent kinds first (``priority``), then the oldest due time.
    """
    token = uuid.uuid4().hex
    own_earlier = and_(
        Delivery.claimed_by == holder[:100],
        Delivery.claim_token.not_in(list(mine)) if mine else Delivery.claim_token.is_not(None),
    )
    others_stale = and_(
        or_(Delivery.claimed_by.is_(None), Delivery.claimed_by != holder[:100]),
        or_(Delivery.claimed_at.is_(None), Delivery.claimed_at < now - claim_timeout),
    )
    abandoned = and_(Delivery.status == SENDING, or_(own_earlier, others_stale))
    claimable = or_(and_(Delivery.status == PLANNED, Delivery.due_at <= now), abandoned)
    ids = list(
        session.execute(
            select(Delivery.id)
            .where(claimable)
            .order_by(Delivery.priority, Delivery.due_at, Delivery.id)
            .limit(limit)
        ).scalars()
    )
    if not ids:
        session.rollback()
        return []
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), claimable)
        .values(status=SENDING, claim_token=token, claimed_by=holder[:100], claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return list(
        session.execute(
            select(Delivery)
            .where(Delivery.claim_token == token)
            .options(
                selectinload(Delivery.organisation),
                selectinload(Delivery.incident).selectinload(Incident.organisation),
                selectinload(Delivery.incident).selectinload(Incident.decisions),
                selectinload(Delivery.incident).selectinload(Incident.notifications),
            )
            .order_by(Delivery.priority, Delivery.due_at, Delivery.id)
            .execution_options(populate_existing=True)
        ).scalars()
    )


def tick(
    session: Session,
    *,
    holder: str,
    clock: Clock,
    mailer: Mailer,
    handlers: Mapping[str, Handler],
    settings: DeliverySettings,
    heartbeat: bool = True,
) -> TickResult:
    """Send every row that is due. Idempotent: run it as often as you like.

    Returns what was done. Raises only when the database itself fails (then the rows it had
    claimed are taken over by the next tick). ``heartbeat`` records the tick as the
    scheduler's sign of life (off for the demo loader, whose clock walks through the past).
    """
    result = TickResult()
    if not acquire_lease(session, holder, clock.now(), settings.lease):
        result.skipped = True
        return result
    if isinstance(session, scoped_session):  # Flask-SQLAlchemy's proxy: set it on the session
        session = session()
    keep_loaded = session.expire_on_commit
    session.expire_on_commit = False  # send from what was loaded, without reopening a transaction
    mine: list[str] = []
    try:
        while not result.lost_lease:
            batch = claim_due(
                session,
                clock.now(),
                holder=holder,
                mine=mine,
                limit=settings.batch_size,
                claim_timeout=settings.claim_timeout,
            )
            if not batch:
                break
            token = batch[0].claim_token or ""
            mine.append(token)
            cache: dict[object, object] = {}
            renewed = clock.now()
            for row in batch:
                _attempt(session, row, handlers, mailer, clock, settings, cache, result)
                if clock.now() - renewed > settings.lease / 3:
                    if not acquire_lease(session, holder, clock.now(), settings.lease):
                        _hand_back(session, token)
                        result.lost_lease = True
                        break
                    _refresh_claims(session, token, clock.now())
                    renewed = clock.now()
        if heartbeat and not result.lost_lease:
            record_tick(session, holder, clock.now())
    finally:
        session.expire_on_commit = keep_loaded
    return result


def _refresh_claims(session: Session, token: str, now: datetime) -> None:
    """Show that this tick is still working on its unsent claims (see ``claim_timeout``)."""
    session.execute(
        update(Delivery)
        .where(Delivery.claim_token == token, Delivery.status == SENDING)
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _hand_back(session: Session, token: str) -> None:
    """Return this tick's unsent claims to ``planned`` (the lease went to another scheduler)."""
    session.execute(
        update(Delivery)
        .where(Delivery.claim_token == token, Delivery.status == SENDING)
        .values(status=PLANNED)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    log.warning("lost the scheduler lease mid-tick; unsent claims handed back")


def _attempt(
    session: Session,
    row: Delivery,
    handlers: Mapping[str, Handler],
    mailer: Mailer,
    clock: Clock,
    settings: DeliverySettings,
    cache: dict[object, object],
    result: TickResult,
) -> None:
    """Try to send one row and commit its outcome. Any failure of this row stays this row's."""
    now = clock.now()
    late = is_late(row.planned_due_at, now, settings.late_after)
    context = SendContext(now=now, late=late, base_url=settings.base_url, cache=cache)
    try:
        handler = handlers.get(row.kind)
        if handler is None:
            raise LookupError(f"no handler for deliveries of kind {row.kind!r}")
        prepared = handler(session, row, context)
        if isinstance(prepared, Skip):
            row.status, row.cancel_reason = CANCELLED, prepared.reason[:40]
            session.commit()
            result.cancelled += 1
            return
        message, receipt = _send(session, row, prepared, mailer, settings)
    except Exception as error:  # noqa: BLE001 - one bad row must never stop the tick
        if isinstance(error, SQLAlchemyError) or session.new or session.dirty or session.deleted:
            session.rollback()  # a failed statement, or something the handler left half-done
        elif session.in_transaction():
            session.commit()  # end the handler's reads; the batch stays loaded
        _failed_attempt(session, row, error, clock, settings, result)
        session.commit()
        return
    sent_at = clock.now()
    row.status, row.sent_at, row.late = SENT, sent_at, late
    row.attempts += 1
    row.recipients = prepared.recipients
    row.last_error = ""
    row.message_id = str(message["Message-ID"] or "")[:255]
    row.server_reply = _reply_text(receipt)
    row.content_sha256 = hashlib.sha256(bytes(message)).hexdigest()
    session.commit()  # each outcome on its own: a crash repeats at most one message
    result.sent += 1
    result.late += int(late)
    result.delays.append((sent_at - row.planned_due_at).total_seconds())


def _send(
    session: Session,
    row: Delivery,
    prepared: Outgoing,
    mailer: Mailer,
    settings: DeliverySettings,
) -> tuple[EmailMessage, Receipt]:
    if not prepared.recipients:
        raise LookupError("no recipient: the organisation has no FG, administrator or deputy")
    message = build_message(
        sender=settings.mail_from,
        to=prepared.recipients,
        subject=prepared.subject,
        text=prepared.text,
        organisation=row.organisation.slug if row.organisation else None,
    )
    session.commit()  # no transaction (on SQLite: no write lock) while the message goes out
    return message, mailer.send(message)


def _reply_text(receipt: Receipt) -> str:
    refused = "; ".join(f"refused {to}: {why}" for to, why in receipt.refused.items())
    return f"{receipt.reply} ({refused})" if refused else receipt.reply


def _failed_attempt(
    session: Session,
    row: Delivery,
    error: BaseException,
    clock: Clock,
    settings: DeliverySettings,
    result: TickResult,
) -> None:
    now = clock.now()
    expected = isinstance(error, OSError | smtplib.SMTPException | LookupError)
    description = f"{type(error).__name__}: {error}" if not expected else str(error)
    row.attempts += 1
    row.last_error = description[:500]
    if gives_up(row.attempts, settings.max_attempts):
        row.status = FAILED
        result.failed += 1
        audit.record(
            session,
            clock=clock,
            actor=Actor.system("scheduler"),
            action="delivery.failed",
            entity_type="incident" if row.incident_id is not None else "delivery",
            entity_id=row.incident_id if row.incident_id is not None else row.id,
            organisation_id=row.organisation_id,
            after={
                "delivery": row.id,
                "kind": row.kind,
                "label": row.label,
                "attempts": row.attempts,
                "error": row.last_error,
            },
        )
    else:
        row.status = PLANNED
        row.due_at = now + retry_delay(row.attempts, settings.retry_base, settings.retry_cap)
        result.retried += 1
    log.warning(
        "delivery %s (%s) attempt %d failed: %s",
        row.id,
        row.kind,
        row.attempts,
        description,
        exc_info=None if expected else error,
    )
