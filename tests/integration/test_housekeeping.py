"""The scheduler's hourly housekeeping: run at the first tick, then at most once an hour; a
failing job is logged and tried again, never stops the tick."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from flask import Flask

from breachdesk import scheduler
from breachdesk.extensions import db
from breachdesk.services.clock import FixedClock

from ..conftest import T0


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

    name = f"test job {id(runs)}"
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
