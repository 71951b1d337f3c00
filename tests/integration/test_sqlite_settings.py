"""SQLite's busy timeout is a setting: a locked database answers within it."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from breachdesk.extensions import db

from ..conftest import make_app

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("BREACHDESK_TEST_DATABASE_URL")), reason="SQLite settings"
)


def test_the_busy_timeout_reaches_every_connection(tmp_path: Path) -> None:
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT_SECONDS=2.5)
    with app.app_context():
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar_one() == 2500
        db.session.rollback()
        db.engine.dispose()
    default = make_app(tmp_path / "default")
    assert default.config["SQLITE_BUSY_TIMEOUT_SECONDS"] == 15
    with default.app_context():
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar_one() == 15000
        db.session.rollback()
        db.engine.dispose()


def test_the_environment_sets_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BREACHDESK_SQLITE_BUSY_TIMEOUT_SECONDS", "0.5")
    assert make_app(tmp_path).config["SQLITE_BUSY_TIMEOUT_SECONDS"] == 0.5


def test_a_locked_database_fails_after_the_timeout_not_before(tmp_path: Path) -> None:
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT_SECONDS=0.4)
    with app.app_context():
        db.create_all()
        path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            db.session.execute(text("SELECT 1"))
        waited = time.monotonic() - started
        locker.rollback()
        locker.close()
        db.session.rollback()
        db.engine.dispose()
    assert 0.35 <= waited < 2, waited
