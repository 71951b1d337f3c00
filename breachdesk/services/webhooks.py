"""An organisation's webhook endpoints: registering, changing, rotating the secret, deleting,
and the delivery log.

The signing secret is made here, shown once (returned to the caller, never stored in clear)
and kept sealed under the storage keys (:meth:`~breachdesk.services.vault.Vault.seal`). Every
change is audited with the host, a digest of the full URL (a URL may carry a token) and the
events, never the secret. A target is checked when saved (https, and every address it resolves
to allowed, see :class:`~breachdesk.services.delivery.WebhookTransport`) and again before
every call.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..domain.delivery import Kind, Status
from ..domain.problems import FieldProblem
from ..domain.text import N_
from ..domain.webhooks import (
    DEADLINE_EVENTS,
    MAX_DESCRIPTION_LENGTH,
    SUBSCRIBABLE,
    Target,
    WebhookError,
    parse_target,
)
from ..models import Delivery, Incident, Organisation, WebhookEndpoint
from . import audit, webhook_events
from .audit import Actor
from .clock import Clock
from .vault import Vault, VaultError

#: Endpoints one organisation may have (each event is one row per endpoint).
MAX_ENDPOINTS = 10
LOG_PAGE_SIZE = 25


class TargetCheck(Protocol):
    """Checks a URL and the addresses it resolves to (the webhook transport does)."""

    def check(self, url: str) -> tuple[Target, list[str]]: ...


@dataclass(frozen=True)
class EndpointInput:
    url: str
    description: str
    events: Sequence[str]
    active: bool


@dataclass(frozen=True)
class WithSecret:
    """An endpoint and its signing secret in clear: shown once, to the administrator."""

    endpoint: WebhookEndpoint
    secret: str


def new_secret() -> str:
    """256 random bits, in a form that is easy to copy."""
    return "whsec_" + secrets.token_urlsafe(32)


def endpoints_of(session: Session, organisation: Organisation) -> list[WebhookEndpoint]:
    """The organisation's endpoints (not the deleted ones), oldest first."""
    return list(
        session.execute(
            select(WebhookEndpoint)
            .where(
                WebhookEndpoint.organisation_id == organisation.id,
                WebhookEndpoint.deleted_at.is_(None),
            )
            .order_by(WebhookEndpoint.id)
        ).scalars()
    )


def endpoint_of(
    session: Session, organisation: Organisation, endpoint_id: int
) -> WebhookEndpoint | None:
    """The endpoint, if it is one of ``organisation``'s and not deleted."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.organisation_id != organisation.id or endpoint.deleted_at:
        return None
    return endpoint


def endpoint_problems(
    *, url: str | None, description: str | None, events: Sequence[str] | None
) -> list[FieldProblem]:
    """Every problem with an endpoint as typed, each at its form field: no known event, a
    description too long, an address that is not a valid https:// address. None: not known
    (its rules are skipped). Whether the target can be reached is not checked here (that
    resolves the host, when it is saved). Reads only."""
    problems: list[FieldProblem] = []
    known = {e.value for e in SUBSCRIBABLE}
    if events is not None and (not events or any(e not in known for e in events)):
        problems.append(FieldProblem("events", N_("Choose at least one event.")))
    if description is not None and len(" ".join(description.split())) > MAX_DESCRIPTION_LENGTH:
        problems.append(
            FieldProblem(
                "description",
                N_("Keep the description under %(max)d characters."),
                {"max": MAX_DESCRIPTION_LENGTH},
            )
        )
    if url is not None:
        try:
            parse_target(url)
        except WebhookError as error:
            params = {k: v if isinstance(v, int) else str(v) for k, v in error.params.items()}
            problems.append(FieldProblem(error.field, error.message, params))
    return problems


def _checked(data: EndpointInput, check: TargetCheck | None) -> EndpointInput:
    """``data`` cleaned, or :class:`WebhookError` naming the field (the first of
    :func:`endpoint_problems`). The target is resolved and checked by ``check`` (None: the URL
    is unchanged, kept as it was accepted)."""
    for problem in endpoint_problems(
        url=data.url, description=data.description, events=data.events
    ):
        raise WebhookError(problem.message, field=problem.field, **problem.params)
    url = parse_target(data.url).url
    if check is not None:
        check.check(url)
    events = list(dict.fromkeys(data.events))
    return EndpointInput(url, " ".join(data.description.split()), events, data.active)


def _summary(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit trail keeps of an endpoint: no secret, no URL in clear."""
    return {
        "endpoint": endpoint.id,
        "host": parse_target(endpoint.url).host,
        "url_sha256": hashlib.sha256(endpoint.url.encode()).hexdigest(),
        "events": list(endpoint.events),
        "active": endpoint.active,
        "description_sha256": hashlib.sha256(endpoint.description.encode()).hexdigest(),
    }


def _audit(
    session: Session,
    endpoint: WebhookEndpoint,
    action: str,
    *,
    actor: Actor,
    clock: Clock,
    before: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action=action,
        entity_type="webhook_endpoint",
        entity_id=endpoint.id,
        organisation_id=endpoint.organisation_id,
        before=before,
        after=_summary(endpoint),
    )


def create(
    session: Session,
    organisation: Organisation,
    data: EndpointInput,
    *,
    check: TargetCheck,
    vault: Vault,
    actor: Actor,
    clock: Clock,
) -> WithSecret:
    """Register an endpoint with a new secret; audited; commits.

    Raises:
        WebhookError: a field is not acceptable (``field`` says which), the target is
            refused, or the organisation has :data:`MAX_ENDPOINTS` already.
    """
    clean = _checked(data, check)
    if len(endpoints_of(session, organisation)) >= MAX_ENDPOINTS:
        raise WebhookError(
            N_("An organisation can have at most %(max)d endpoints."), max=MAX_ENDPOINTS
        )
    secret = new_secret()
    now = clock.now()
    endpoint = WebhookEndpoint(
        organisation_id=organisation.id,
        url=clean.url,
        description=clean.description,
        events=list(clean.events),
        active=clean.active,
        secret_sealed=vault.seal(secret.encode()),
        version=1,
        created_at=now,
        changed_at=now,
    )
    session.add(endpoint)
    session.flush()
    _plan_running_terms(session, endpoint, now)
    _audit(session, endpoint, "webhook.created", actor=actor, clock=clock)
    session.commit()
    return WithSecret(endpoint, secret)


def change(
    session: Session,
    endpoint: WebhookEndpoint,
    data: EndpointInput,
    *,
    check: TargetCheck,
    actor: Actor,
    clock: Clock,
) -> bool:
    """Change the URL, description, events or whether it is active; audited; commits.
    Returns False (and records nothing) when nothing changed. The target is resolved and
    checked again only when the URL changed, so an endpoint whose host cannot be reached
    now can still be paused (every call checks it anyway).

    Raises:
        WebhookError: as :func:`create`.
    """
    clean = _checked(data, check if data.url.strip() != endpoint.url else None)
    new = (clean.url, clean.description, list(clean.events), clean.active)
    if new == (endpoint.url, endpoint.description, list(endpoint.events), endpoint.active):
        return False
    before = _summary(endpoint)
    endpoint.url, endpoint.description, endpoint.events, endpoint.active = new
    endpoint.version += 1
    endpoint.changed_at = clock.now()
    _plan_running_terms(session, endpoint, clock.now())
    _audit(session, endpoint, "webhook.changed", actor=actor, clock=clock, before=before)
    session.commit()
    return True


def rotate_secret(
    session: Session, endpoint: WebhookEndpoint, *, vault: Vault, actor: Actor, clock: Clock
) -> str:
    """A new secret for ``endpoint`` (returned in clear, once); the old one stops signing at
    once, also for calls already planned. Audited; commits."""
    secret = new_secret()
    endpoint.secret_sealed = vault.seal(secret.encode())
    endpoint.version += 1
    endpoint.changed_at = endpoint.secret_rotated_at = clock.now()
    _audit(session, endpoint, "webhook.secret_rotated", actor=actor, clock=clock)
    session.commit()
    return secret


def _plan_running_terms(session: Session, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Plan the deadline events of the organisation's running terms for an endpoint that now
    wants them (new, resumed or newly subscribed), as every term's next change would: an
    endpoint added during a breach hears of its deadline. A moment already past is due at
    once; nothing already planned or sent is planned twice (replan_deadline keeps one row per
    endpoint and moment)."""
    if not endpoint.active or not any(endpoint.wants(e.value) for e in DEADLINE_EVENTS):
        return
    session.flush()
    running = session.scalars(
        select(Incident).where(
            Incident.organisation_id == endpoint.organisation_id,
            Incident.term_deadline.is_not(None),
        )
    )
    for incident in running:
        webhook_events.replan_deadline(session, incident, now=now)


def reseal_secrets(session: Session, vault: Vault) -> tuple[int, int, list[str]]:
    """Seal every endpoint's secret under the current storage key (``breachdesk storage
    rotate``), so that the old keys can be removed: (resealed, already current, failures).
    Commits."""
    resealed, current, failed = 0, 0, []
    for endpoint in session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.secret_sealed != "")
    ):
        try:
            token = vault.reseal(endpoint.secret_sealed)
        except VaultError as error:
            failed.append(f"webhook endpoint {endpoint.id}: {error}")
            continue
        if token is None:
            current += 1
        else:
            endpoint.secret_sealed, resealed = token, resealed + 1
    session.commit()
    return resealed, current, failed


def delete(session: Session, endpoint: WebhookEndpoint, *, actor: Actor, clock: Clock) -> int:
    """Delete an endpoint: its secret is erased, its planned calls cancelled (returned as a
    count); the row stays so that the delivery log still says where past events went.
    Audited; commits."""
    now = clock.now()
    cancelled = int(
        session.execute(
            update(Delivery)
            .where(Delivery.endpoint_id == endpoint.id, Delivery.status == Status.PLANNED.value)
            .values(status=Status.CANCELLED.value, cancel_reason="endpoint_deleted")
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    )
    endpoint.deleted_at, endpoint.changed_at = now, now
    endpoint.active, endpoint.secret_sealed = False, ""
    endpoint.version += 1
    _audit(session, endpoint, "webhook.deleted", actor=actor, clock=clock)
    session.commit()
    return cancelled


def send_test(
    session: Session, endpoint: WebhookEndpoint, *, actor: Actor, clock: Clock
) -> Delivery:
    """Plan a test event for ``endpoint``, due at once (the scheduler sends it within a
    tick); audited; commits."""
    row = webhook_events.emit_test(session, endpoint, endpoint.organisation, clock.now())
    _audit(session, endpoint, "webhook.test_sent", actor=actor, clock=clock)
    session.commit()
    return row


@dataclass(frozen=True)
class LogPage:
    rows: list[tuple[Delivery, WebhookEndpoint]]
    total: int
    page: int
    pages: int


def delivery_log(
    session: Session,
    organisation: Organisation,
    *,
    page: int = 1,
    per_page: int = LOG_PAGE_SIZE,
) -> LogPage:
    """The organisation's webhook calls, newest first, one page of them (counted and cut in
    SQL): event, endpoint, status, attempts, last result and next try are on the rows."""
    where = (
        Delivery.organisation_id == organisation.id,
        Delivery.kind == Kind.WEBHOOK.value,
    )
    total = int(
        session.execute(select(func.count()).select_from(Delivery).where(*where)).scalar_one()
    )
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.execute(
        select(Delivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
        .where(*where)
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return LogPage([(row[0], row[1]) for row in rows], total, page, pages)
