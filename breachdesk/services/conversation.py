"""The conversation between the FG and the person who reported, and discarding a non-report.

* :func:`ask`: the FG asks the reporter a question; it is mailed to them (their account, or the
  address they gave with the reporting link) and shown on their follow-up page.
* :func:`reply`: the reporter answers (every open question counts as answered) or adds
  information on their own, with files; the FG is mailed (without the content).
* :func:`discard`: a "report" that is none (spam through the public link, a test) leaves the
  inbox and the register, with the FG's reason.

Every step is one transaction with its audit event. The chain holds the length and SHA-256 of
a message, not its text: what people write about a breach may be the leaked data itself, and
retention must be able to erase it while the chain still verifies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.lifecycle import State
from ..domain.text import N_
from ..models import Attachment, Incident, IncidentMessage, PendingUpload, User
from . import evidence, reporter_mail
from .audit import Actor
from .clock import Clock
from .workflow import audit_incident, commit, move_incident

MAX_MESSAGE_CHARS = 5000
#: Files the reporter may add through the follow-up link in all (the link is public-facing).
MAX_REPORTER_FILES = 30


@dataclass(frozen=True)
class MessageRefused(Exception):
    """The message cannot be stored; ``message`` is an English template for translation."""

    message: str
    field: str = "body"


def messages_of(session: Session, incident: Incident) -> list[IncidentMessage]:
    return list(
        session.execute(
            select(IncidentMessage)
            .where(IncidentMessage.incident_id == incident.id)
            .order_by(IncidentMessage.created_at, IncidentMessage.id)
        ).scalars()
    )


def open_questions(session: Session, incident: Incident) -> list[IncidentMessage]:
    return [
        m for m in messages_of(session, incident) if m.kind == "question" and m.answered_at is None
    ]


def _digest(body: str) -> dict[str, object]:
    return {"chars": len(body), "sha256": hashlib.sha256(body.encode()).hexdigest()}


def _checked(body: str) -> str:
    text = body.strip()
    if not text:
        raise MessageRefused(N_("Write your message."))
    if len(text) > MAX_MESSAGE_CHARS:
        raise MessageRefused(N_("At most 5,000 characters."))
    return text


def can_reach_reporter(incident: Incident) -> bool:
    """Whether a question reaches the reporter by mail (else only on their follow-up page)."""
    return incident.reporter_id is not None or bool(incident.reporter_email.strip())


def ask(
    session: Session, incident: Incident, body: str, *, user: User, clock: Clock
) -> IncidentMessage:
    """Store the FG's question and plan the mail to the reporter (commits)."""
    text = _checked(body)
    now = clock.now()
    message = IncidentMessage(
        incident_id=incident.id,
        kind="question",
        body=text,
        author_id=user.id,
        by_reporter=False,
        created_at=now,
    )
    session.add(message)
    session.flush()
    if can_reach_reporter(incident):
        reporter_mail.enqueue_question(session, incident, message)
    audit_incident(
        session,
        incident,
        "incident.question_asked",
        actor=Actor.of(user),
        clock=clock,
        after={"message_id": message.id, **_digest(text), "mailed": can_reach_reporter(incident)},
    )
    incident.updated_at = now
    session.commit()
    return message


def reply(
    session: Session,
    incident: Incident,
    body: str,
    *,
    pending: Sequence[PendingUpload],
    user: User | None,
    clock: Clock,
) -> IncidentMessage:
    """Store what the reporter wrote (``user`` None: through the follow-up link) with their
    files, mark open questions answered and plan the FG's mail (commits).

    Raises:
        MessageRefused: no text, too long, or too many files on this report.
    """
    text = body.strip()
    if not text and pending:
        text = "(bestanden toegevoegd / files added)"
    text = _checked(text)
    already = session.execute(
        select(Attachment.id).where(
            Attachment.incident_id == incident.id, Attachment.uploaded_by_id.is_(None)
        )
    ).all()
    if user is None and len(already) + len(pending) > MAX_REPORTER_FILES:
        raise MessageRefused(N_("No more files can be added to this report."), field="evidence")
    now = clock.now()
    questions = open_questions(session, incident)
    message = IncidentMessage(
        incident_id=incident.id,
        kind="answer" if questions else "addition",
        body=text,
        author_id=user.id if user is not None else None,
        by_reporter=True,
        created_at=now,
    )
    session.add(message)
    for question in questions:
        question.answered_at = now
    attachments = evidence.claim(session, pending, incident_id=incident.id, user=user)
    session.flush()
    audit_incident(
        session,
        incident,
        "incident.reporter_replied",
        actor=Actor.of(user) if user is not None else Actor(None, "reporter (follow-up link)"),
        clock=clock,
        after={
            "message_id": message.id,
            "kind": message.kind,
            **_digest(text),
            "attachments": [
                {"filename": a.filename, "size": a.size, "sha256": a.sha256} for a in attachments
            ],
        },
    )
    reporter_mail.enqueue_reply(session, incident, message)
    incident.updated_at = now
    session.commit()
    return message


def discard(
    session: Session, incident: Incident, reason: str, *, actor: Actor, clock: Clock
) -> None:
    """Take a non-report (spam, a test) out of the inbox and the register (commits).

    Raises:
        TransitionRefused: no reason, or the incident is past triage.
    """
    move_incident(session, incident, State.DISCARDED, actor=actor, clock=clock, reason=reason)
    incident.not_breach_reason = reason.strip()
    commit(session, incident, clock)


def restore(
    session: Session, incident: Incident, reason: str, *, actor: Actor, clock: Clock
) -> None:
    """Bring a discarded report back to triage (commits)."""
    move_incident(session, incident, State.IN_TRIAGE, actor=actor, clock=clock, reason=reason)
    commit(session, incident, clock)
