"""The AP's follow-up questions about a filing, and the answers given: recorded with the
filing they are about, audited (the question's digest, not its text), for the incident's
history and the evidence pack.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from ..domain.problems import FieldProblem
from ..domain.text import N_
from ..models import FilingExchange, Notification, User
from . import audit
from .audit import Actor
from .clock import Clock
from .filings import FUTURE_PLAY, refuse


def exchange_problems(
    *,
    asked_at: datetime | None,
    question: str | None,
    answer: str | None,
    answered_at: datetime | None,
    now: datetime,
    filed_at: datetime | None = None,
) -> list[FieldProblem]:
    """Every problem with a follow-up question of the AP and its answer, each at its form
    field: no question, a moment in the future or before the filing it is about (``filed_at``,
    when its date is known), an answer before the question or without a date. None: not known
    (or, for ``answered_at``, not given). Reads only."""
    problems: list[FieldProblem] = []
    if question is not None and not question.strip():
        problems.append(FieldProblem("question", N_("Write down the AP's question.")))
    if asked_at is not None and asked_at > now + FUTURE_PLAY:
        problems.append(FieldProblem("asked_at", N_("This moment lies in the future.")))
    elif asked_at is not None and filed_at is not None and asked_at < filed_at:
        problems.append(
            FieldProblem(
                "asked_at", N_("The AP cannot have asked this before the filing it is about.")
            )
        )
    if answered_at is not None:
        if answered_at > now + FUTURE_PLAY:
            problems.append(FieldProblem("answered_at", N_("This moment lies in the future.")))
        elif asked_at is not None and answered_at < asked_at:
            problems.append(
                FieldProblem("answered_at", N_("The answer cannot precede the question."))
            )
    elif answer is not None and answer.strip():
        problems.append(FieldProblem("answered_at", N_("When was the answer sent?")))
    return problems


def record_exchange(
    session: Session,
    notification: Notification,
    *,
    asked_at: datetime,
    question: str,
    answer: str,
    answered_at: datetime | None,
    recorded_by: User,
    actor: Actor,
    clock: Clock,
) -> FilingExchange:
    """Record a follow-up question of the AP about a filing, and the answer given (if any).

    Raises:
        NotificationError: no question, a moment in the future, or an answer without a date.
    """
    now = clock.now()
    refuse(
        exchange_problems(
            asked_at=asked_at,
            question=question,
            answer=answer,
            answered_at=answered_at,
            now=now,
            filed_at=notification.submitted_at,
        )
    )
    exchange = FilingExchange(
        notification_id=notification.id,
        asked_at=asked_at,
        question=question.strip(),
        answer=answer.strip(),
        answered_at=answered_at,
        recorded_by_id=recorded_by.id,
        recorded_at=now,
    )
    session.add(exchange)
    session.flush()
    incident = notification.incident
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.filing_exchange_recorded",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={
            "notification_id": notification.id,
            # Which filing the question is about, for the history to name it.
            "addressee": notification.addressee,
            "kind": notification.kind,
            "submitted_at": notification.submitted_at,
            "reference": notification.reference,
            "asked_at": asked_at,
            "answered_at": answered_at,
            "question_sha256": hashlib.sha256(exchange.question.encode("utf-8")).hexdigest(),
        },
    )
    session.commit()
    return exchange
