"""Timestamps come back aware in UTC; migrations and models agree; audit rows are append-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, StatementError

from breachdesk import create_app
from breachdesk.extensions import db
from breachdesk.models import Organisation

from ..conftest import app_settings


def test_timestamps_round_trip_as_aware_utc(app: Flask) -> None:
    amsterdam_summer = timezone(timedelta(hours=2))
    written = datetime(2026, 7, 1, 14, 30, 15, 123456, tzinfo=amsterdam_summer)
    org = Organisation(slug="x1", name="X", profile={}, created_at=written, updated_at=written)
    db.session.add(org)
    db.session.commit()
    db.session.expire_all()
    read = db.session.get(Organisation, org.id)
    assert read is not None
    assert read.created_at.tzinfo is not None
    assert read.created_at.utcoffset() == timedelta(0)
    assert read.created_at == datetime(2026, 7, 1, 12, 30, 15, 123456, tzinfo=UTC)


def test_naive_timestamps_are_refused(app: Flask) -> None:
    naive = datetime(2026, 7, 1, 14, 30)
    db.session.add(
        Organisation(slug="x2", name="X", profile={}, created_at=naive, updated_at=naive)
    )
    with pytest.raises(StatementError, match="naive"):
        db.session.commit()
    db.session.rollback()


@pytest.fixture
def migrated_url(tmp_path: Path) -> str:
    """A database built by the migrations alone (a fresh PostgreSQL database or SQLite file)."""
    base = app_settings(tmp_path)["SQLALCHEMY_DATABASE_URI"]
    if not base.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    name = f"bd_migr_{tmp_path.name[-20:].lower().replace('-', '_')}"
    admin = create_engine(base.replace("+psycopg", "+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def test_migrations_match_the_models(tmp_path: Path, migrated_url: str) -> None:
    app = create_app(app_settings(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"
        db.session.remove()
        db.engine.dispose()


def test_migrated_database_refuses_to_change_audit_events(
    tmp_path: Path, migrated_url: str
) -> None:
    from breachdesk.services import audit
    from breachdesk.services.audit import Actor
    from breachdesk.services.clock import FixedClock

    app = create_app(app_settings(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_url))
    with app.app_context():
        upgrade()
        clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
        audit.record(
            db.session,
            clock=clock,
            actor=Actor.system("t"),
            action="x.y",
            entity_type="x",
            entity_id=1,
            organisation_id=None,
            after={"a": 1},
        )
        db.session.commit()
        for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
        assert db.session.execute(text("SELECT action FROM audit_event")).scalar_one() == "x.y"
        db.session.remove()
        db.engine.dispose()
