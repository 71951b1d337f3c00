"""One row's attempt: prepare it by its kind's handler, send the mail or make the webhook
call with no transaction open, and keep the outcome (sent, held, skipped, retried later, or
failed for good, audited). Any failure of a row stays that row's: the tick goes on."""

from __future__ import annotations

import hashlib
import logging
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ...domain.delivery import (
    BULK_KINDS,
    REFUSED_FOR_GOOD,
    Status,
    gives_up,
    is_permanent,
    retry_delay,
)
from ...domain.reminders import is_late
from ...mail import Receipt, Sender, build_message, sender_named
from ...models import Delivery
from .. import audit
from ..audit import Actor
from ..clock import Clock
from .outcomes import Outcomes
from .outgoing import Handler, Hold, Outgoing, SendContext, Skip, WebhookRequest
from .refusals import connection_trouble, smtp_refusal
from .settings import DeliverySettings, TickResult
from .webhook_http import WebhookFailure, WebhookTransport

log = logging.getLogger(__name__)

PLANNED, SENT = Status.PLANNED.value, Status.SENT.value
CANCELLED, FAILED = Status.CANCELLED.value, Status.FAILED.value


def attempt(
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
