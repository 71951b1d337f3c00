"""The tick: claim the rows that are due, send each one on its own, keep the outcome.

The rows of one claimed batch go over one connection of the mailer (one SMTP session), and
each row's outcome is committed on its own, right after its message was handed over.

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
    BULK_KINDS,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_BASE,
    DEFAULT_RETRY_CAP,
    REFUSED_FOR_GOOD,
    Priority,
    Status,
    gives_up,
    is_permanent,
    retry_delay,
)
from ...domain.reminders import LATE_AFTER, is_late
from ...mail import Mailer, Receipt, Sender, build_message, open_connection, sender_named
from ...models import Delivery, Incident
from .. import audit
from ..audit import Actor
from ..clock import Clock
from .lease import acquire_lease, record_tick
from .outcomes import Outcomes
from .outgoing import Handler, Hold, Outgoing, SendContext, Skip, WebhookRequest
from .refusals import connection_trouble, smtp_refusal
from .webhook_http import WebhookFailure, WebhookTransport

log = logging.getLogger(__name__)

PLANNED, SENDING, SENT = Status.PLANNED.value, Status.SENDING.value, Status.SENT.value
CANCELLED, FAILED = Status.CANCELLED.value, Status.FAILED.value
#: Rows claimed at once: small enough that the lease is renewed often during a slow batch.
BATCH_SIZE = 100
#: Rows of bulk kinds claimed at once (when nothing more urgent is due): each claim sorts the
#: due queue (~50 ms with 100,000 rows due on SQLite), so larger batches cost less per message.
#: A bulk batch still makes way every lease/3 (30 s) for rows that fell due meanwhile.
BULK_BATCH_SIZE = 500


@dataclass(frozen=True)
class DeliverySettings:
    """How the engine sends (from the ``SCHEDULER_*`` and ``DELIVERY_*`` settings)."""

    mail_from: str
    base_url: str
    #: The installation's secret key: handlers derive private links from it (the reporter's
    #: follow-up link), so those links need not be stored.
    secret_key: str = ""
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
    bulk_batch_size: int = BULK_BATCH_SIZE


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
    #: A bulk row could not be handed over for a reason that is the connection's, not the
    #: row's; the tick then sends no more bulk rows (see :func:`_connection_trouble`).
    bulk_stopped: bool = False
    delays: list[float] = field(default_factory=list)  # seconds from planned to handed over


def claim_due(
    session: Session,
    now: datetime,
    *,
    holder: str = "",
    mine: Collection[str] = (),
    limit: int = BATCH_SIZE,
    bulk_limit: int | None = None,
    claim_timeout: timedelta = timedelta(seconds=60),
    urgent_only: bool = False,
) -> list[Delivery]:
    """Claim up to ``limit`` rows for ``holder`` with one conditional UPDATE (commits).

    A row can be claimed when it is ``planned`` and due, or when its claim was abandoned:
    made by ``holder`` in an earlier tick that stopped halfway (not one of ``mine``, this
    tick's claims), or made by another scheduler and not refreshed for ``claim_timeout``.
    Rows in any other status (``held``, ``sent``, ``failed``, ``cancelled``) are never
    claimed. When two schedulers race for a row exactly one UPDATE matches it: on PostgreSQL
    the second waits for the first's row lock and then re-checks the condition; on SQLite
    writers are serialised. Urgent kinds first (``priority``), then the oldest due time.
    When the first row to claim is of bulk priority (so nothing more urgent is due), up to
    ``bulk_limit`` rows are claimed instead of ``limit``. With ``urgent_only`` no row of
    bulk priority is claimed.
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
    if urgent_only:
        claimable = and_(claimable, Delivery.priority < Priority.BULK)
    found = session.execute(
        select(Delivery.id, Delivery.priority)
        .where(claimable)
        .order_by(Delivery.priority, Delivery.due_at, Delivery.id)
        .limit(max(limit, bulk_limit or 0))
    ).all()
    if not found:
        session.rollback()
        return []
    if bulk_limit is None or found[0].priority < Priority.BULK:
        found = found[:limit]
    ids = [row.id for row in found]
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
    webhooks: WebhookTransport | None = None,
) -> TickResult:
    """Send every row that is due. Idempotent: run it as often as you like.

    The rows of each claimed batch go over one connection of ``mailer`` (see
    :meth:`breachdesk.mail.Mailer.connection`; a mailer with only ``send`` sends each on its
    own). Returns what was done. Raises only when the database itself fails (then the rows it
    had claimed are taken over by the next tick). ``heartbeat`` records the tick as the
    scheduler's sign of life (off for the demo loader, whose clock walks through the past).
    ``webhooks`` makes the HTTP calls of webhook rows (without it they fail as attempts).
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
    outcomes = Outcomes(session)
    try:
        while not result.lost_lease:
            batch = claim_due(
                session,
                clock.now(),
                holder=holder,
                mine=mine,
                limit=settings.batch_size,
                bulk_limit=settings.bulk_batch_size,
                claim_timeout=settings.claim_timeout,
                urgent_only=result.bulk_stopped,
            )
            if not batch:
                break
            token = batch[0].claim_token or ""
            mine.append(token)
            bulk = batch[0].priority >= Priority.BULK  # then every row of it is bulk
            cache: dict[object, object] = {}
            renewed = clock.now()
            # One connection for the batch; it is closed (QUIT) only after the last outcome
            # was committed, and opened again by the next row if it broke.
            with open_connection(mailer) as connection:
                for row in batch:
                    if result.bulk_stopped and row.priority >= Priority.BULK:
                        continue  # the mail server takes none now: handed back below
                    _attempt(
                        session,
                        row,
                        handlers,
                        (connection, webhooks),
                        clock,
                        settings,
                        cache,
                        result,
                        outcomes,
                    )
                    if clock.now() - renewed > settings.lease / 3:
                        if not acquire_lease(session, holder, clock.now(), settings.lease):
                            _hand_back(session, token)
                            log.warning("lost the scheduler lease mid-tick; claims handed back")
                            result.lost_lease = True
                            break
                        if bulk:  # a long bulk batch makes way for what fell due meanwhile
                            _hand_back(session, token)
                            break
                        _refresh_claims(session, token, clock.now())
                        renewed = clock.now()
            if result.bulk_stopped:
                _hand_back(session, token)
        if heartbeat and not result.lost_lease:
            record_tick(session, holder, clock.now())
    finally:
        outcomes.close()
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
    """Return this tick's unsent claims to ``planned``: the lease went to another scheduler,
    or a bulk batch has run for a third of the lease and lets urgent rows be claimed first."""
    session.execute(
        update(Delivery)
        .where(Delivery.claim_token == token, Delivery.status == SENDING)
        .values(status=PLANNED)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _attempt(
    session: Session,
    row: Delivery,
    handlers: Mapping[str, Handler],
    channels: tuple[Sender, WebhookTransport | None],
    clock: Clock,
    settings: DeliverySettings,
    cache: dict[object, object],
    result: TickResult,
    outcomes: Outcomes,
) -> None:
    """Try to send one row and commit its outcome. Any failure of this row stays this row's.

    ``channels``: the batch's mail connection, and the transport of webhook calls."""
    now = clock.now()
    late = is_late(row.planned_due_at, now, settings.late_after)
    context = SendContext(
        now=now,
        late=late,
        base_url=settings.base_url,
        cache=cache,
        secret_key=settings.secret_key,
    )
    try:
        handler = handlers.get(row.kind)
        if handler is None:
            raise LookupError(f"no handler for deliveries of kind {row.kind!r}")
        prepared = handler(session, row, context)
        if isinstance(prepared, Hold):
            row.status = Status.HELD.value
            session.commit()
            return
        if isinstance(prepared, Skip):
            row.status, row.cancel_reason = CANCELLED, prepared.reason[:40]
            session.commit()
            result.cancelled += 1
            return
        if isinstance(prepared, WebhookRequest):
            proof = _post(session, prepared, channels[1], clock)
        else:
            message, receipt = _send(session, row, prepared, channels[0], settings)
            proof = {
                "recipients": list(prepared.recipients),
                "message_id": str(message["Message-ID"] or "")[:255],
                "server_reply": _reply_text(receipt),
                "content_sha256": receipt.sha256 or hashlib.sha256(bytes(message)).hexdigest(),
            }
    except Exception as error:  # noqa: BLE001 - one bad row must never stop the tick
        if isinstance(error, SQLAlchemyError) or session.new or session.dirty or session.deleted:
            session.rollback()  # a failed statement, or something the handler left half-done
        elif session.in_transaction():
            session.commit()  # end the handler's reads; the batch stays loaded
        _failed_attempt(session, row, error, clock, settings, result)
        session.commit()
        return
    sent_at = clock.now()
    outcomes.record(
        row,
        status=SENT,
        sent_at=sent_at,
        late=late,
        attempts=row.attempts + 1,
        last_error="",
        **proof,
    )
    result.sent += 1
    result.late += int(late)
    result.delays.append((sent_at - row.planned_due_at).total_seconds())


def _send(
    session: Session,
    row: Delivery,
    prepared: Outgoing,
    connection: Sender,
    settings: DeliverySettings,
) -> tuple[EmailMessage, Receipt]:
    if not prepared.recipients:
        raise LookupError("no recipient: the organisation has no FG, administrator or deputy")
    filed_under = row.organisation if not prepared.personal else None
    message = build_message(
        sender=sender_named(settings.mail_from, prepared.sender_name)
        if prepared.sender_name
        else settings.mail_from,
        to=prepared.recipients,
        subject=prepared.subject,
        text=prepared.text,
        organisation=filed_under.slug if filed_under else None,
        html=prepared.html,
        reply_to=prepared.reply_to,
    )
    if session.in_transaction():
        session.commit()  # no transaction (on SQLite: no write lock) while the message goes out
    return message, connection.send(message)


def _post(
    session: Session, request: WebhookRequest, webhooks: WebhookTransport | None, clock: Clock
) -> dict[str, object]:
    """Make a webhook call (no transaction open meanwhile); the proof to keep of it."""
    if webhooks is None:
        raise LookupError("no webhook transport configured for this scheduler")
    if session.in_transaction():
        session.commit()
    receipt = webhooks.post(request, clock.now())
    return {
        "recipients": [request.url],
        "message_id": str(request.headers.get("Breachdesk-Delivery", ""))[:255],
        "server_reply": receipt.reply[:1000],
        "content_sha256": receipt.sha256,
    }


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
    expected = isinstance(error, OSError | smtplib.SMTPException | LookupError | WebhookFailure)
    description = f"{type(error).__name__}: {error}" if not expected else str(error)
    refusal = smtp_refusal(error)
    code = refusal[0] if refusal else None
    bulk = row.kind in BULK_KINDS
    trouble = bulk and connection_trouble(error)
    permanent = refusal is not None and is_permanent(refusal[0]) and not trouble
    if refusal is not None:
        description = f"{REFUSED_FOR_GOOD}{refusal[1]}" if permanent else refusal[1]
    if isinstance(error, WebhookFailure):  # an HTTP status, or a target the policy refuses
        code, permanent = error.status, error.permanent
    if not description:
        description = type(error).__name__  # a bare TimeoutError() says nothing by itself
    result.bulk_stopped = result.bulk_stopped or trouble
    row.attempts += 1
    row.last_error = description[:500]
    if permanent or gives_up(row.attempts, settings.max_attempts):
        row.status = FAILED
        result.failed += 1
        after: dict[str, object] = {
            "delivery": row.id,
            "kind": row.kind,
            "label": row.label,
            "attempts": row.attempts,
            "code": code,
        }
        # A bulk row's error names the person, a webhook's holds what the receiver answered:
        # kept on the row, not in the chain.
        if not bulk and row.endpoint_id is None:
            after["error"] = row.last_error
        audit.record(
            session,
            clock=clock,
            actor=Actor.system("scheduler"),
            action="webhook.failed" if row.endpoint_id is not None else "delivery.failed",
            entity_type="incident" if row.incident_id is not None else "delivery",
            entity_id=row.incident_id if row.incident_id is not None else row.id,
            organisation_id=row.organisation_id,
            after=after,
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
        # A bulk row's error may name the person; it is on the row (until retention erases it).
        f"{type(error).__name__} (SMTP code {code})" if bulk else description,
        exc_info=None if expected else error,
    )
