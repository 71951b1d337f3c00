"""Is breachdesk able to keep its promises? The database, the scheduler and the mail.

Read by ``/healthz`` (for monitoring) and by the banners that tell FGs and administrators in
the app when reminders would not go out: the scheduler has stopped ticking, deliveries are
failing, or mail is written to a folder instead of being sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, false, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..domain.delivery import Kind, Status
from ..models import Delivery, SchedulerLease, User
from .delivery.lease import LEASE_NAME

#: However short the interval, a scheduler is only called stalled after this long.
MIN_STALL = timedelta(seconds=60)


@dataclass(frozen=True)
class SchedulerHealth:
    last_seen: datetime | None  # the last tick that finished, or the last lease renewal
    stalled: bool

    def seconds_since(self, now: datetime) -> float | None:
        return None if self.last_seen is None else (now - self.last_seen).total_seconds()


@dataclass(frozen=True)
class MailHealth:
    backend: str
    to_folder: bool  # the file sink, in an installation that is not only the demo
    last_sent_at: datetime | None
    retrying: int  # rows whose last attempt failed and that will be tried again
    failed_last_hour: int

    @property
    def ok(self) -> bool:
        return not self.to_folder and self.retrying == 0 and self.failed_last_hour == 0


def database_ok(session: Session) -> bool:
    try:
        session.execute(text("SELECT 1"))
        session.rollback()
        return True
    except SQLAlchemyError:
        session.rollback()
        return False


def stall_after(interval: timedelta) -> timedelta:
    """A scheduler that has not ticked for two intervals (at least a minute) has stopped."""
    return max(2 * interval, MIN_STALL)


def scheduler_health(session: Session, now: datetime, interval: timedelta) -> SchedulerHealth:
    """When a scheduler was last seen working, and whether that is too long ago."""
    row = session.get(SchedulerLease, LEASE_NAME)
    if row is None:
        return SchedulerHealth(None, True)
    seen = max(t for t in (row.last_tick_at, row.acquired_at) if t is not None)
    return SchedulerHealth(seen, now - seen > stall_after(interval))


def mail_to_folder(session: Session, backend: str) -> bool:
    """True when mail goes to the file sink and real (non-demo) people use the installation:
    their reminders would end up in a folder instead of reaching them."""
    if backend != "file":
        return False
    real_user = select(User.id).where(User.active.is_(True), User.is_demo.is_(False))
    return bool(session.execute(select(exists(real_user))).scalar())


@dataclass(frozen=True)
class PageHealth:
    """What the warnings above an FG's or administrator's pages say."""

    mail_to_folder: bool
    scheduler: SchedulerHealth | None  # None when not asked (not an FG or administrator)
    failed: int  # deliveries of their organisations that failed for good since ``since``


def page_health(
    session: Session,
    *,
    backend: str,
    now: datetime,
    interval: timedelta,
    organisation_ids: list[int] | None,
    since: datetime,
) -> PageHealth:
    """The same answers as :func:`mail_to_folder`, :func:`scheduler_health` and
    :func:`~.delivery.failed_recently` (for ``organisation_ids``; the last two only when they
    are given), in one round trip: every page of an FG asks them."""
    real_user = exists(select(User.id).where(User.active.is_(True), User.is_demo.is_(False)))
    columns: list[Any] = [real_user if backend == "file" else false()]
    if organisation_ids is not None:
        lease = select(SchedulerLease).where(SchedulerLease.name == LEASE_NAME).subquery()
        columns += [
            select(lease.c.last_tick_at).scalar_subquery(),
            select(lease.c.acquired_at).scalar_subquery(),
            exists(select(lease.c.name)),
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.organisation_id.in_(organisation_ids or [-1]),
                Delivery.status == Status.FAILED.value,
                Delivery.due_at >= since,
                # The banner speaks of e-mails; a failed webhook call shows in the
                # organisation's webhook log (and is audited as webhook.failed).
                Delivery.kind != Kind.WEBHOOK.value,
            )
            .scalar_subquery(),
        ]
    found = session.execute(select(*columns)).one()
    if organisation_ids is None:
        return PageHealth(bool(found[0]), None, 0)
    last_tick, acquired, leased, failed = found[1:]
    seen = max((t for t in (last_tick, acquired) if t is not None), default=None)
    ticks = (
        SchedulerHealth(seen, now - seen > stall_after(interval))
        if leased and seen is not None
        else SchedulerHealth(None, True)
    )
    return PageHealth(bool(found[0]), ticks, int(failed or 0) if organisation_ids else 0)


def mail_health(session: Session, now: datetime, backend: str) -> MailHealth:
    last_sent = session.execute(
        select(Delivery.sent_at)
        .where(Delivery.status == Status.SENT.value)
        .order_by(Delivery.sent_at.desc())
        .limit(1)
    ).scalar()
    retrying = session.execute(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.status == Status.PLANNED.value, Delivery.attempts > 0)
    ).scalar_one()
    failed = session.execute(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.status == Status.FAILED.value, Delivery.due_at >= now - timedelta(hours=1))
    ).scalar_one()
    return MailHealth(
        backend=backend,
        to_folder=mail_to_folder(session, backend),
        last_sent_at=last_sent,
        retrying=int(retrying),
        failed_last_hour=int(failed),
    )
