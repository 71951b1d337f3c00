"""Webhook events: one delivery row per subscribed endpoint, written with the change itself.

The services that record a moment (a report received, a decision, a filing with the AP, the
people informed) call :func:`emit` before they commit, so the change and the promise to tell
the endpoints about it are stored together or not at all (a rolled-back decision sends
nothing). The deadline's moments (due soon, overdue) are planned like reminders:
:func:`replan_deadline` runs wherever the reminders are re-planned and keeps one row per
endpoint and moment, cancelling those that no longer fit (the AP was notified, the moment of
awareness moved).

:func:`prepare` is the delivery handler of kind ``webhook``: at the moment of sending it reads
the endpoint again (paused, deleted or unsubscribed meanwhile: the row is cancelled) and builds
the request; the transport signs and sends it (:mod:`.delivery.webhook_http`).

What a payload holds is written in the README ("Webhooks"); in short, register facts only —
moments, outcomes, counts, references — never a name, an address or a free text.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.delivery import Kind, Status
from ..domain.webhooks import (
    DEADLINE_EVENTS,
    DELIVERY_HEADER,
    EVENT_HEADER,
    EventBody,
    EventType,
    event_body,
    event_id,
)
from ..models import Delivery, Incident, Organisation, WebhookEndpoint
from .deadlines import clock_of
from .delivery import SendContext, Skip, WebhookRequest, enqueue

#: "Due soon": this long before the deadline (the 72 hours' last day).
DUE_SOON_BEFORE = timedelta(hours=24)
EVENT_ID_HEADER = "Breachdesk-Event-Id"


def subscribed(session: Session, organisation_id: int, event: EventType) -> list[WebhookEndpoint]:
    """The organisation's active endpoints that want ``event`` (few: filtered in Python)."""
    endpoints = session.execute(
        select(WebhookEndpoint).where(
            WebhookEndpoint.organisation_id == organisation_id,
            WebhookEndpoint.active.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
        )
    ).scalars()
    return [endpoint for endpoint in endpoints if endpoint.wants(event.value)]


def _incident_ref(incident: Incident) -> dict[str, Any]:
    return {"id": incident.id, "reference": incident.reference}


def emit(
    session: Session,
    incident: Incident,
    event: EventType,
    *,
    occurred_at: datetime,
    now: datetime,
    key: tuple[object, ...] = (),
    data: Mapping[str, Any] | None = None,
) -> int:
    """Plan ``event`` about ``incident`` for every subscribed endpoint, due at once (no
    commit: it belongs to the caller's transaction). ``key`` makes the event id stable (the
    decision's version, the filing's id). Returns the number of rows added."""
    endpoints = subscribed(session, incident.organisation_id, event)
    if not endpoints:
        return 0
    body = EventBody(
        id=event_id(incident.id, event.value, *key),
        type=event,
        occurred_at=occurred_at,
        organisation=incident.organisation.slug,
        incident=_incident_ref(incident),
        data=dict(data or {}),
    )
    for endpoint in endpoints:
        _enqueue(session, endpoint, body, due_at=now, now=now, incident_id=incident.id)
    return len(endpoints)


def emit_test(
    session: Session, endpoint: WebhookEndpoint, organisation: Organisation, now: datetime
) -> Delivery:
    """A test event for one endpoint, due at once (no commit)."""
    body = EventBody(
        id=event_id("test", endpoint.id, uuid.uuid4().hex),
        type=EventType.TEST,
        occurred_at=now,
        organisation=organisation.slug,
        data={"message": "This is a test event from breachdesk."},
    )
    return _enqueue(session, endpoint, body, due_at=now, now=now, incident_id=None)


def _enqueue(
    session: Session,
    endpoint: WebhookEndpoint,
    body: EventBody,
    *,
    due_at: datetime,
    now: datetime,
    incident_id: int | None,
) -> Delivery:
    return enqueue(
        session,
        kind=Kind.WEBHOOK,
        due_at=due_at,
        now=now,
        organisation_id=endpoint.organisation_id,
        incident_id=incident_id,
        label=body.type.value,
        payload={"event": body.stored()},
        endpoint_id=endpoint.id,
    )


def _deadline_moments(incident: Incident, now: datetime) -> dict[str, datetime]:
    """Event type -> when it happens, while the incident's term runs (else nothing)."""
    clock = clock_of(incident, now)
    if clock is None or not clock.running:
        return {}
    return {
        EventType.DEADLINE_DUE_SOON.value: clock.deadline - DUE_SOON_BEFORE,
        EventType.DEADLINE_OVERDUE.value: clock.deadline,
    }


def replan_deadline(session: Session, incident: Incident, *, now: datetime) -> None:
    """Make the incident's planned deadline events match its term (no commit).

    One row per subscribed endpoint and moment; a moment already past is due at once (the
    term was recorded late), one already sent is not sent again. Rows of moments that no
    longer fit are cancelled.
    """
    moments = _deadline_moments(incident, now)
    clock = clock_of(incident, now)
    duty = clock.duty.value if clock is not None else None
    rows = session.execute(
        select(Delivery)
        .where(
            Delivery.incident_id == incident.id,
            Delivery.kind == Kind.WEBHOOK.value,
            Delivery.label.in_([e.value for e in DEADLINE_EVENTS]),
            Delivery.status != Status.CANCELLED.value,
        )
        .order_by(Delivery.id)
    ).scalars()
    have: set[tuple[int | None, str, datetime]] = set()
    last_told: dict[tuple[int | None, str], datetime] = {}  # what each endpoint heard last
    told: set[tuple[str, datetime]] = set()
    tellings: dict[str, int] = {}
    for row in rows:
        key = (row.endpoint_id, row.label, row.planned_due_at)
        if row.status in (Status.PLANNED.value, Status.HELD.value):
            if moments.get(row.label) != row.planned_due_at:
                row.status, row.cancel_reason = Status.CANCELLED.value, "not_needed"
            else:
                have.add(key)
        elif row.status == Status.SENDING.value:
            have.add(key)
        else:  # sent, or given up: what the endpoint was (or was last meant to be) told
            last_told[(row.endpoint_id, row.label)] = row.planned_due_at
            told.add((row.label, row.planned_due_at))
            tellings[row.label] = tellings.get(row.label, 0) + 1
    # A moment is told again when the endpoint heard another one since: the awareness moved
    # and moved back, and the receiver's last word was the wrong deadline (found by
    # exploratory testing).
    have |= {(endpoint, label, at) for (endpoint, label), at in last_told.items()}
    for label, at in moments.items():
        event = EventType(label)
        endpoints = subscribed(session, incident.organisation_id, event)
        wanted = [e for e in endpoints if (e.id, label, at) not in have]
        if not wanted:
            continue
        # The same moment told again gets an id of its own: a receiver drops repeats by id.
        again = [tellings[label]] if (label, at) in told else []
        body = EventBody(
            id=event_id(incident.id, label, at.isoformat(), *again),
            type=event,
            occurred_at=at,
            organisation=incident.organisation.slug,
            incident=_incident_ref(incident),
            data={"deadline_at": moments[EventType.DEADLINE_OVERDUE.value], "duty": duty},
        )
        for endpoint in wanted:
            _enqueue(session, endpoint, body, due_at=at, now=now, incident_id=incident.id)


def prepare(session: Session, row: Delivery, context: SendContext) -> WebhookRequest | Skip:
    """The delivery handler of kind ``webhook``."""
    endpoint = session.get(WebhookEndpoint, row.endpoint_id) if row.endpoint_id else None
    if endpoint is None or endpoint.deleted_at is not None:
        return Skip("endpoint_deleted")
    if not endpoint.active:
        return Skip("endpoint_paused")
    if row.label != EventType.TEST.value and not endpoint.wants(row.label):
        return Skip("unsubscribed")
    if row.label in DEADLINE_EVENTS:
        incident = row.incident
        if incident is None or _deadline_moments(incident, context.now).get(row.label) != (
            row.planned_due_at
        ):
            return Skip("not_needed")  # notified, closed or re-planned since it was claimed
    stored = row.payload["event"]
    url = context.link(f"/incidents/{row.incident_id}") if row.incident_id else None
    return WebhookRequest(
        url=endpoint.url,
        body=event_body(stored, url),
        headers={
            EVENT_HEADER: str(stored["type"]),
            EVENT_ID_HEADER: str(stored["id"]),
            DELIVERY_HEADER: f"dlv_{row.id}",
        },
        secret_sealed=endpoint.secret_sealed,
    )
