"""The processor's notice to the controller (Art. 33(2) GDPR): drafted, approved, sent once.

:func:`draft_notice` drafts it from the record (:mod:`breachdesk.domain.notices.controller_notice`).
:func:`send_controller_notice` takes the text as the FG approved it, puts it in the one
delivery engine as a row of kind ``controller_notice`` and records the filing (addressee
``controller``) in the same transaction: the contractual term stops at the moment the notice
was queued, the reminders are cancelled, and the engine sends it — retried like every
delivery — keeping its proof (sent at, Message-ID, the server's reply, a SHA-256 of the
message). :func:`prepare` is the delivery handler: it sends exactly the frozen text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.deadline import Duty
from ..domain.delivery import Kind
from ..domain.notices.controller_notice import ControllerNotice, NoticeKind, compose
from ..domain.problems import FieldProblem, subject_problems
from ..domain.text import N_, single_line
from ..models import Delivery, Incident, Notification, User
from . import audit, filings
from .answer_sheet import sheet_facts
from .audit import Actor
from .clock import Clock
from .deadlines import duty_of, first_filing
from .delivery import Outgoing, SendContext, enqueue
from .organisations import public_name

MAX_RECIPIENTS = 20
MAX_SUBJECT = 250
MAX_TEXT = 30000


class NoticeError(ValueError):
    """A notice that cannot be sent as it is; ``field`` names the form field concerned."""

    def __init__(self, field_name: str, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message % (params or {}))
        self.field = field_name
        self.message = message
        self.params = params or {}


@dataclass(frozen=True)
class SentNotice:
    notification: Notification
    delivery: Delivery


def notices_of(session: Session, incident: Incident) -> list[Delivery]:
    """The incident's notices to its controller, oldest first."""
    return list(
        session.execute(
            select(Delivery)
            .where(
                Delivery.incident_id == incident.id,
                Delivery.kind == Kind.CONTROLLER_NOTICE.value,
            )
            .order_by(Delivery.created_at, Delivery.id)
        ).scalars()
    )


def by_filing(session: Session, incident: Incident) -> dict[int, Delivery]:
    """The notice sent with each filing, by the filing's id (for the proof beside it)."""
    return {
        int(row.payload["notification_id"]): row
        for row in notices_of(session, incident)
        if isinstance(row.payload.get("notification_id"), int)
    }


def draft_notice(
    session: Session, incident: Incident, *, now: datetime, user: User | None = None
) -> ControllerNotice:
    """The notice breachdesk proposes now: the first one, or a supplement to the last."""
    sent = notices_of(session, incident)
    previous = sent[-1].payload.get("sections") if sent else None
    filed = [n for n in incident.notifications if n.addressee == Duty.CONTROLLER.value]
    return compose(
        sheet_facts(incident, now=now, user=user),
        controller=incident.controller_name,
        reference=incident.reference,
        kind=NoticeKind.SUPPLEMENT if filed else NoticeKind.FIRST,
        previous=previous if isinstance(previous, dict) else None,
        previous_at=filed[-1].submitted_at if filed else None,
    )


def last_recipients(session: Session, incident: Incident) -> list[str]:
    """Whom the last notice went to (the default for a supplement)."""
    sent = notices_of(session, incident)
    return list(sent[-1].payload.get("to", [])) if sent else []


def parse_recipients(value: str) -> list[str]:
    """The addresses in ``value`` (separated by commas, semicolons, spaces or new lines),
    normalised, without duplicates.

    Raises:
        NoticeError: none given, too many, or one that is not an e-mail address.
    """
    found: list[str] = []
    for part in re.split(r"[,;\s]+", value):
        if not part:
            continue
        try:
            address = validate_email(part, check_deliverability=False).normalized
        except EmailNotValidError:
            raise NoticeError(
                "to", N_("“%(address)s” is not an e-mail address."), {"address": part[:100]}
            ) from None
        if address.lower() not in {a.lower() for a in found}:
            found.append(address)
    if not found:
        raise NoticeError("to", N_("Give the controller's e-mail address."))
    if len(found) > MAX_RECIPIENTS:
        raise NoticeError(
            "to", N_("At most %(max)d addresses per notice."), {"max": MAX_RECIPIENTS}
        )
    return found


def _content_problems(subject: str | None, text: str | None) -> list[FieldProblem]:
    """The subject's and the text's problems: empty or too long (None: not known)."""
    problems = subject_problems(subject, MAX_SUBJECT)
    if text is not None:
        text = text.replace("\r\n", "\n").strip() + "\n"
        if not text.strip():
            problems.append(FieldProblem("text", N_("The notice has no text.")))
        elif len(text) > MAX_TEXT:
            problems.append(
                FieldProblem("text", N_("At most %(max)d characters."), {"max": MAX_TEXT})
            )
    return problems


def notice_problems(
    incident: Incident,
    *,
    to: str | None,
    subject: str | None,
    text: str | None,
    delay_reason: str | None,
    now: datetime,
) -> list[FieldProblem]:
    """Every problem with sending this notice now, each at its form field: the addresses, the
    subject and the text (as :func:`send_controller_notice` refuses them) and the filing it
    records at this moment (:func:`~.filings.notification_problems`: a late first notice
    needs the reasons for the delay). None: not known. Reads only."""
    problems: list[FieldProblem] = []
    if to is not None:
        try:
            parse_recipients(to)
        except NoticeError as error:
            params = {k: v if isinstance(v, int) else str(v) for k, v in error.params.items()}
            problems.append(FieldProblem(error.field, error.message, params))
    problems += _content_problems(subject, text)
    return problems + filings.notification_problems(
        incident, submitted_at=now, delay_reason=delay_reason, now=now
    )


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def send_controller_notice(
    session: Session,
    incident: Incident,
    *,
    to: str | list[str],
    subject: str,
    text: str,
    seen_filings: int | None,
    user: User,
    actor: Actor,
    clock: Clock,
    delay_reason: str = "",
    sections: dict[str, str] | None = None,
) -> SentNotice:
    """Queue the notice as approved and record it as filed with the controller; commits.

    ``subject`` and ``text`` are sent exactly as given (the subject on one line). The filing's
    moment is now, the moment the notice is handed to the delivery engine. ``sections`` is the
    drafted notice's snapshot, kept for the next supplement's list of changes.

    Raises:
        NoticeError: an address that is not one, an empty subject or text, or not a processor
            incident. Nothing was saved.
        filings.NotificationError, TransitionRefused, StaleEdit: as
            :func:`~breachdesk.services.filings.record_notification`; nothing was saved.
    """
    recipients = parse_recipients(to if isinstance(to, str) else ", ".join(to))
    if duty_of(incident) is not Duty.CONTROLLER:
        raise NoticeError("to", N_("Only a processor sends a notice to its controller."))
    for problem in _content_problems(subject, text):
        raise NoticeError(problem.field, problem.message, dict(problem.params))
    subject = single_line(subject)
    text = text.replace("\r\n", "\n").strip() + "\n"
    now = clock.now()
    first = first_filing(incident) is None
    try:
        notification = filings.record_notification(
            session,
            incident,
            submitted_at=now,
            reference="",
            provisional=False,
            delay_reason=delay_reason,
            notes="",
            recorded_by=user,
            actor=actor,
            clock=clock,
            seen_filings=seen_filings,
            commit=False,
        )
        row = enqueue(
            session,
            kind=Kind.CONTROLLER_NOTICE,
            due_at=now,
            now=now,
            organisation_id=incident.organisation_id,
            incident_id=incident.id,
            label=f"filing-{notification.id}",
            duty=Duty.CONTROLLER.value,
            payload={
                "notification_id": notification.id,
                "kind": (NoticeKind.FIRST if first else NoticeKind.SUPPLEMENT).value,
                "to": recipients,
                "subject": subject,
                "text": text,
                "text_sha256": _digest(text),
                "sections": dict(sections or {}),
            },
        )
        session.flush()
        audit.record(
            session,
            clock=clock,
            actor=actor,
            action="incident.controller_notice_queued",
            entity_type="incident",
            entity_id=incident.id,
            organisation_id=incident.organisation_id,
            after={
                "delivery": row.id,
                "notification_id": notification.id,
                "kind": row.payload["kind"],
                "recipients": len(recipients),
                "recipients_sha256": _digest("\n".join(recipients)),
                "subject_sha256": _digest(subject),
                "text_sha256": row.payload["text_sha256"],
            },
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return SentNotice(notification, row)


def prepare(session: Session, row: Delivery, context: SendContext) -> Outgoing:
    """The delivery handler: the notice exactly as approved, to the addresses given.

    Never skipped: the notice was filed when it was queued, so it must go out whatever
    happened to the incident since. A text that no longer matches its digest is refused
    (the row fails and is shown), never sent altered.
    """
    payload = row.payload or {}
    text = str(payload.get("text", ""))
    if _digest(text) != payload.get("text_sha256"):
        raise ValueError("the notice's text does not match the approved version's SHA-256")
    return Outgoing(
        recipients=[str(a) for a in payload.get("to", [])],
        subject=str(payload.get("subject", "")),
        text=text,
        sender_name=public_name(row.organisation) if row.organisation else None,
    )
