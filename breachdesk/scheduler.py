"""The scheduler: APScheduler 3.x running one idempotent tick of the delivery engine.

Two ways to run it, both safe together:

* ``breachdesk scheduler`` runs it as its own process (for deployments with several web
  workers, or to keep the web server free of background work);
* ``breachdesk serve`` (and so ``make run``) embeds it in the single web process, unless
  ``BREACHDESK_SCHEDULER_EMBEDDED=false``.

However many are started, the lease in :func:`breachdesk.services.delivery.tick` lets only
one tick at a time, and each delivery row is claimed with a conditional update before it is
sent (the guarantee is in :mod:`breachdesk.services.delivery`). APScheduler holds no state of
its own here (the truth is in the rows), so its in-memory job store is all that is needed and
nothing is lost when a process stops.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask
from sqlalchemy.orm import Session

from . import sqlite
from .extensions import db, db_session
from .runtime import delivery_settings, runtime
from .services import (
    audit_anchor,
    checkpoint_mail,
    deadlines,
    delivery,
    evidence,
    recipients,
    retention,
)
from .services.audit import Actor
from .services.audit_keys import files_for
from .services.clock import Clock
from .services.delivery import lease
from .services.delivery_kinds import handlers

log = logging.getLogger(__name__)


def holder_name() -> str:
    """A name for this scheduler that is unique across processes and hosts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def run_tick(app: Flask, holder: str) -> delivery.TickResult:
    """One tick inside an application context: due deliveries, then housekeeping."""
    with app.app_context():
        rt = runtime()
        session = db_session()
        try:
            result = delivery.tick(
                session,
                holder=holder,
                clock=rt.clock,
                mailer=rt.mailer,
                handlers=handlers(),
                settings=delivery_settings(app.config),
                webhooks=rt.webhooks,
            )
            if not result.skipped:
                evidence.purge_stale(session, store=rt.store, clock=rt.clock)
                anchor_audit_trail(session, rt.clock, app.config)
                purge_recipients(session, rt.clock)
                retention_run(session, rt, app.config)
                sync_terms(session, rt.clock)
                hourly(
                    session,
                    rt.clock,
                    "planner statistics",
                    lambda: sqlite.refresh_statistics(session),
                    "",
                )
            if result.sent or result.failed or result.retried:
                log.info(
                    "tick: %d sent (%d late), %d to retry, %d failed",
                    result.sent,
                    result.late,
                    result.retried,
                    result.failed,
                )
            return result
        except Exception:
            session.rollback()
            log.exception("scheduler tick failed; the next tick tries again")
            raise
        finally:
            db.session.remove()


HOURLY = timedelta(hours=1)
DAILY = timedelta(days=1)
_last_run: dict[str, datetime] = {}  # housekeeping job -> when this process last ran it


def hourly(
    session: Session,
    clock: Clock,
    name: str,
    job: Callable[[], int],
    done: str,
    every: timedelta = HOURLY,
) -> None:
    """Run ``job`` at the first tick of this process and then at most once an hour (or
    ``every``); log ``done`` (with the number it returns) when it did something. A failure is
    logged and tried again a period later: housekeeping never stops a tick."""
    now = clock.now()
    last = _last_run.get(name)
    if last is not None and now - last < every:
        return
    _last_run[name] = now
    try:
        count = job()
    except Exception:  # noqa: BLE001 - housekeeping must never stop a tick
        session.rollback()
        log.exception("housekeeping %r failed; tried again in an hour", name)
        return
    if count:
        log.info(done, count)


def purge_recipients(session: Session, clock: Clock) -> None:
    """Erase the lists of people kept past their retention period."""
    hourly(
        session,
        clock,
        "purge recipients",
        lambda: recipients.purge_due(session, clock=clock, actor=Actor.system("scheduler")),
        "erased the lists of people of %d incident(s) past retention",
    )


def retention_run(session: Session, rt: Any, config: Mapping[str, Any]) -> None:
    """Once a day: erase the breach data past each organisation's retention period (as
    ``breachdesk retention run`` does). An incident that fails is logged and skipped."""

    def job() -> int:
        reports = retention.run(
            session,
            store=rt.store,
            outbox=retention.Outbox.of(config),
            clock=rt.clock,
            actor=Actor.system("scheduler"),
        )
        for report in reports:
            for failure in report.failed:
                log.error("retention: %s: could not erase %s", report.slug, failure)
        return sum(r.erased.incidents for r in reports)

    hourly(
        session,
        rt.clock,
        "retention",
        job,
        "erased the breach data of %d incident(s) past retention",
        every=DAILY,
    )


def sync_terms(session: Session, clock: Clock) -> None:
    """Check that each incident's stored deadline (used for the counts and the inbox's order)
    matches its clock, and put right what does not (after an upgrade: fill it in)."""
    hourly(
        session,
        clock,
        "sync terms",
        lambda: deadlines.sync_terms(session),
        "put right the stored deadline of %d incident(s)",
    )


def anchor_audit_trail(session: Session, clock: Clock, config: Mapping[str, Any]) -> None:
    """Sign a checkpoint of the audit trail when one is due, and plan each organisation's
    weekly copy of it for its FG. A failure here (a full disk) is logged, never stops a tick."""
    interval = timedelta(seconds=float(config["AUDIT_CHECKPOINT_INTERVAL"]))
    try:
        written = audit_anchor.checkpoint_if_due(session, clock=clock, interval=interval)
        latest = written or audit_anchor.last_checkpoint(files_for(session).checkpoint_file)
        checkpoint_mail.plan_weekly(session, latest, clock.now())
        session.commit()
    except OSError:
        session.rollback()
        log.exception("could not write the audit trail's checkpoint; the next tick tries again")


def _add_job(scheduler: BaseScheduler, app: Flask, holder: str) -> None:
    scheduler.add_job(
        run_tick,
        "interval",
        args=(app, holder),
        seconds=float(app.config["SCHEDULER_INTERVAL"]),
        next_run_time=datetime.now(UTC),  # tick at once: catch up on what fell due while down
        id="reminders-tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )


def release(app: Flask, holder: str) -> None:
    """Give the lease up so that another scheduler can take over without waiting."""
    with app.app_context():
        try:
            lease.release_lease(db_session(), holder)
        finally:
            db.session.remove()


class Embedded:
    """The scheduler running in a background thread of ``breachdesk serve``."""

    def __init__(self, app: Flask) -> None:
        self.app, self.holder = app, holder_name()
        self.scheduler = BackgroundScheduler(timezone="UTC", daemon=True)
        _add_job(self.scheduler, app, self.holder)

    def stop(self) -> None:
        """Let a tick in progress finish and give the lease up, as ``breachdesk scheduler``
        does: a restarted ``serve`` then ticks at once instead of waiting out the lease of the
        process it replaces (up to two minutes without reminders: found by exploratory
        testing)."""
        self.scheduler.shutdown(wait=True)
        release(self.app, self.holder)
        log.info("embedded reminder scheduler %s stopped", self.holder)


def start_embedded(app: Flask) -> Embedded:
    """Start the scheduler in a background thread of this process (``breachdesk serve``)."""
    embedded = Embedded(app)
    embedded.scheduler.start()
    log.info("embedded reminder scheduler started as %s", embedded.holder)
    return embedded


def run_forever(app: Flask, stop: threading.Event) -> None:
    """Run the scheduler until ``stop`` is set (``breachdesk scheduler``; SIGTERM sets it).

    On stop, a tick in progress is allowed to finish (so no claimed reminder is left half
    done) and the lease is released so another scheduler can take over at once.
    """
    holder = holder_name()
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_job(scheduler, app, holder)
    scheduler.start()
    log.info("reminder scheduler %s: one tick every %ss", holder, app.config["SCHEDULER_INTERVAL"])
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        release(app, holder)
        log.info("reminder scheduler %s stopped", holder)
