"""The scheduler's hourly housekeeping: run at the first tick, then at most once an hour; a
failing job is logged and tried again, never stops the tick."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from flask import Flask

from breachdesk import scheduler
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.services.clock import FixedClock

from ..conftest import T0, MakeUser
from .test_incidents import submit


def test_hourly_runs_at_start_then_once_an_hour_and_survives_a_failure(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="breachdesk.scheduler")
    clock = FixedClock(T0)
    runs: list[str] = []

    def job() -> int:
        runs.append(clock.now().isoformat())
        if len(runs) == 2:
            raise RuntimeError("disk full")
        return len(runs)

    name = f"test job {uuid.uuid4()}"  # never one an earlier test used
    scheduler.hourly(db.session, clock, name, job, "did %d things")
    clock.advance(minutes=59)
    scheduler.hourly(db.session, clock, name, job, "did %d things")
    assert len(runs) == 1
    clock.advance(minutes=1)
    scheduler.hourly(db.session, clock, name, job, "did %d things")  # fails: logged only
    assert len(runs) == 2 and "housekeeping 'test job" in caplog.text
    clock.advance(hours=1)
    scheduler.hourly(db.session, clock, name, job, "did %d things")
    assert len(runs) == 3 and "did 3 things" in caplog.text
    assert runs[0] == T0.isoformat() and runs[2] == (T0 + timedelta(hours=2)).isoformat()


def test_the_planner_statistics_are_refreshed_on_sqlite(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    """The register's pages rely on SQLite knowing its indexes' shapes (sqlite_stat1)."""
    from sqlalchemy import text

    from breachdesk.sqlite import refresh_statistics

    reporter = make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    for _ in range(3):
        submit(reporter, orgs["kruix"], clock)
    assert refresh_statistics(db.session) == 0
    if db.engine.dialect.name != "sqlite":
        return  # autovacuum keeps PostgreSQL's statistics
    analysed = db.session.execute(text("SELECT DISTINCT idx FROM sqlite_stat1")).scalars().all()
    assert {"ix_incident_reported", "ix_incident_discovered", "ix_incident_org_state"} <= set(
        analysed
    )
