"""Putting rows in the delivery table, and reading them back for the app's pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ...domain.delivery import BULK_KINDS, PRIORITY, Kind, Status
from ...models import Delivery, Incident
from .. import audit
from ..audit import Actor
from ..clock import Clock


def enqueue(
    session: Session,
    *,
    kind: Kind,
    due_at: datetime,
    now: datetime,
    organisation_id: int | None,
    incident_id: int | None = None,
    label: str = "",
    duty: str | None = None,
    payload: dict[str, Any] | None = None,
    endpoint_id: int | None = None,
) -> Delivery:
    """Add one row to send at ``due_at`` (no commit: it belongs to the caller's transaction).

    Written in the same transaction as the change it reports on, so the change and the
    promise to tell someone about it are stored together or not at all.
    """
    row = Delivery(
        organisation_id=organisation_id,
        incident_id=incident_id,
        endpoint_id=endpoint_id,
        kind=kind.value,
        channel="webhook" if endpoint_id is not None else "email",
        priority=int(PRIORITY[kind]),
        duty=duty,
        label=label,
        payload=payload or {},
        planned_due_at=due_at,
        due_at=due_at,
        status=Status.PLANNED.value,
        attempts=0,
        recipients=[],
        created_at=now,
    )
    session.add(row)
    return row


def recent_for(session: Session, organisation_ids: list[int], since: datetime) -> list[Delivery]:
    """Deliveries sent since ``since`` (not the routine checkpoint copies) and every failed
    one: the list in the FG's inbox. Not the notices to the people affected: a mailing has
    its own progress and proof on the incident's informing page; nor webhook calls: they have
    their delivery log on the organisation's webhooks page."""
    if not organisation_ids:
        return []
    return list(
        session.execute(
            select(Delivery)
            .where(
                Delivery.organisation_id.in_(organisation_ids),
                Delivery.kind.not_in([kind.value for kind in (*BULK_KINDS, Kind.WEBHOOK)]),
                or_(
                    and_(
                        Delivery.status == Status.SENT.value,
                        Delivery.sent_at >= since,
                        Delivery.kind != Kind.AUDIT_CHECKPOINT.value,  # routine: not listed
                    ),
                    Delivery.status == Status.FAILED.value,
                ),
            )
            .options(
                selectinload(Delivery.incident).selectinload(Incident.organisation),
                selectinload(Delivery.organisation),
            )
            .order_by(Delivery.status != Status.FAILED.value, Delivery.sent_at.desc())
            .limit(20)
        ).scalars()
    )


def failed_recently(session: Session, organisation_ids: list[int], since: datetime) -> int:
    """How many deliveries of these organisations failed for good since ``since``."""
    if not organisation_ids:
        return 0
    return int(
        session.execute(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.organisation_id.in_(organisation_ids),
                Delivery.status == Status.FAILED.value,
                Delivery.due_at >= since,
                Delivery.kind != Kind.WEBHOOK.value,  # e-mails; webhooks have their own log
            )
        ).scalar_one()
    )


def rows_of(session: Session, incident: Incident) -> list[Delivery]:
    """The incident's deliveries, planned and past, for its page (cancelled ones and webhook
    calls left out: those are in the organisation's delivery log; and the notices to the
    people affected, one per person, which are on the people page with their proof: the
    incident page listed thousands of them with each address, 2.8 MB, found by exploratory
    testing)."""
    return list(
        session.execute(
            select(Delivery)
            .where(
                Delivery.incident_id == incident.id,
                Delivery.status != Status.CANCELLED.value,
                Delivery.kind.not_in((Kind.WEBHOOK.value, Kind.PEOPLE_NOTICE.value)),
            )
            .order_by(Delivery.planned_due_at, Delivery.id)
        ).scalars()
    )


def retry(session: Session, row: Delivery, *, actor: Actor, clock: Clock) -> None:
    """Send a failed row again at once, with a fresh set of attempts (after the mail server
    or an address was fixed); audited. Commits.

    Raises:
        ValueError: the row has not failed.
    """
    if row.status != Status.FAILED.value:
        raise ValueError("only a failed delivery can be tried again")
    before = {"attempts": row.attempts, "error": row.last_error}
    row.status, row.attempts, row.due_at = Status.PLANNED.value, 0, clock.now()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="delivery.retried",
        entity_type="incident" if row.incident_id is not None else "delivery",
        entity_id=row.incident_id if row.incident_id is not None else row.id,
        organisation_id=row.organisation_id,
        before=before,
        after={"delivery": row.id, "kind": row.kind, "label": row.label},
    )
    session.commit()
