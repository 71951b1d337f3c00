"""Changing a running mailing: pause, resume, cancel, and try again for those it failed for.

:func:`pause` holds the unsent rows, :func:`resume` plans them again from now at the
organisation's rate, :func:`cancel` cancels them; a row already handed to the mail server is
not taken back. :func:`retry_failed` plans the failed rows again (after the mail server was
down longer than the engine's retries, or refused the sender until it was set up right).
Each change is one audit event and is refused, with nothing changed, when the mailing is not
in a state that allows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..domain.delivery import Status
from ..domain.text import N_
from ..models import Delivery, Incident, Mailing
from . import audit
from .audit import Actor
from .clock import Clock
from .mailings import ACTIVE, CHUNK, MailingError, send_interval


def _change(
    session: Session,
    mailing: Mailing,
    *,
    action: str,
    status: str,
    actor: Actor,
    clock: Clock,
    extra: dict[str, Any] | None = None,
) -> None:
    mailing.status, mailing.changed_at = status, clock.now()
    incident = session.get_one(Incident, mailing.incident_id)
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action=action,
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={"mailing": mailing.id, **(extra or {})},
    )
    session.commit()


def pause(session: Session, mailing: Mailing, *, actor: Actor, clock: Clock) -> int:
    """Hold every unsent row (a row being handed to the mail server right now still goes).
    Returns how many were held."""
    if mailing.status != "running":
        raise MailingError(N_("Only a running mailing can be paused."))
    held = session.execute(
        update(Delivery)
        .where(Delivery.mailing_id == mailing.id, Delivery.status == Status.PLANNED.value)
        .values(status=Status.HELD.value)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    _change(
        session,
        mailing,
        action="incident.mailing_paused",
        status="paused",
        actor=actor,
        clock=clock,
        extra={"held": held},
    )
    return int(held)


def _chunks_of_ids(session: Session, mailing: Mailing, status: str) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(
            session.execute(
                select(Delivery.id)
                .where(
                    Delivery.mailing_id == mailing.id,
                    Delivery.status == status,
                    Delivery.id > last,
                )
                .order_by(Delivery.id)
                .limit(CHUNK)
            ).scalars()
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def _plan_again(
    session: Session,
    mailing: Mailing,
    source: Status,
    target: Status,
    *,
    clock: Clock,
    fresh: bool = False,
) -> int:
    """Move the mailing's rows in ``source`` to ``target``, due from now at the
    organisation's current rate (one short transaction per chunk); with ``fresh`` their
    attempts count from zero again. Returns how many rows were moved."""
    mailing.rate_per_minute = session.get_one(
        Incident, mailing.incident_id
    ).organisation.notice_rate_per_minute
    interval = send_interval(mailing.rate_per_minute)
    now = clock.now()
    planned = 0
    for ids in _chunks_of_ids(session, mailing, source.value):
        values: list[dict[str, Any]] = []
        for row_id in ids:
            row: dict[str, Any] = {
                "id": row_id,
                "status": target.value,
                "due_at": now + interval * planned,
            }
            if fresh:
                row["attempts"] = 0
            values.append(row)
            planned += 1
        session.execute(update(Delivery), values)
        session.commit()
    return planned


def resume(session: Session, mailing: Mailing, *, actor: Actor, clock: Clock) -> int:
    """Plan the held rows again from now, at the organisation's current rate. Returns how
    many were planned."""
    if mailing.status != "paused":
        raise MailingError(N_("Only a paused mailing can be resumed."))
    planned = _plan_again(session, mailing, Status.HELD, Status.PLANNED, clock=clock)
    _change(
        session,
        mailing,
        action="incident.mailing_resumed",
        status="running",
        actor=actor,
        clock=clock,
        extra={"planned": planned},
    )
    return planned


def cancel(session: Session, mailing: Mailing, *, actor: Actor, clock: Clock) -> int:
    """Cancel every unsent row; the people not yet reached stay visible as not informed.
    Returns how many rows were cancelled."""
    if mailing.status not in ACTIVE:
        raise MailingError(N_("This mailing has finished already."))
    cancelled = session.execute(
        update(Delivery)
        .where(
            Delivery.mailing_id == mailing.id,
            Delivery.status.in_([Status.PLANNED.value, Status.HELD.value]),
        )
        .values(status=Status.CANCELLED.value, cancel_reason="mailing_cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    _change(
        session,
        mailing,
        action="incident.mailing_cancelled",
        status="cancelled",
        actor=actor,
        clock=clock,
        extra={"cancelled": cancelled},
    )
    return int(cancelled)


def retry_failed(session: Session, mailing: Mailing, *, actor: Actor, clock: Clock) -> int:
    """Plan every failed row of ``mailing`` again from now, at the organisation's rate, with
    its attempts counted afresh. Returns how many. A paused mailing's rows are held instead
    (they go on "resume"); a cancelled mailing is not sent again."""
    if mailing.status not in ("running", "paused", "done"):
        raise MailingError(N_("A cancelled mailing is not sent again; start a new one."))
    paused = mailing.status == "paused"
    target = Status.HELD if paused else Status.PLANNED
    planned = _plan_again(session, mailing, Status.FAILED, target, clock=clock, fresh=True)
    if not planned:
        raise MailingError(N_("No message of this mailing has failed."))
    _change(
        session,
        mailing,
        action="incident.mailing_retried",
        status="paused" if paused else "running",
        actor=actor,
        clock=clock,
        extra={"planned": planned},
    )
    return planned
