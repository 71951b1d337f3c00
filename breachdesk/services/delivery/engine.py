"""The tick: claim the rows that are due, send each one on its own, keep the outcome.

The rows of one claimed batch go over one connection of the mailer (one SMTP session), and
each row's outcome is committed on its own, right after its message was handed over.

The guarantee this gives is written once, in the package docstring
(:mod:`breachdesk.services.delivery`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, scoped_session, selectinload

from ...domain.delivery import Priority, Status
from ...mail import Mailer, open_connection
from ...models import Delivery, Incident
from ..clock import Clock
from .attempt import attempt
from .lease import acquire_lease, record_tick
from .outcomes import Outcomes
from .outgoing import Handler
from .settings import BATCH_SIZE, DeliverySettings, TickResult
from .webhook_http import WebhookTransport

log = logging.getLogger(__name__)

PLANNED, SENDING = Status.PLANNED.value, Status.SENDING.value


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
                    attempt(
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
