"""Timestamps come back aware in UTC; migrations and models agree; audit rows are append-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    inspect,
    text,
)
from sqlalchemy.exc import DBAPIError, StatementError

from breachdesk import create_app
from breachdesk.domain.audit import GENESIS_HASH, EventRecord, hash_v1
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.types import UTCDateTime

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


KEYED_HASHING = "c4a9e2b17d35"
BEFORE_KEYED_HASHING = "f0e41e565d67"


def _insert_version_1_event(conn: Connection) -> None:
    """One event as the code before keyed hashing wrote it, into the old table layout."""
    old = Table(
        "audit_event",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("chain", String),
        Column("seq", Integer),
        Column("organisation_id", Integer),
        Column("occurred_at", UTCDateTime()),
        Column("actor_id", Integer),
        Column("actor_label", String),
        Column("action", String),
        Column("entity_type", String),
        Column("entity_id", String),
        Column("before", JSON),
        Column("after", JSON),
        Column("prev_hash", String),
        Column("hash", String),
    )
    record = EventRecord(
        chain="global",
        seq=1,
        occurred_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
        actor_id=None,
        actor_label="system: before",
        action="user.created",
        entity_type="user",
        entity_id="1",
        before=None,
        after={"email": "a@example.org"},
        prev_hash=GENESIS_HASH,
    )
    values = {k: v for k, v in vars(record).items() if k in old.c}
    conn.execute(old.insert().values(**{**values, "hash": hash_v1(record)}))
    conn.execute(
        text("INSERT INTO audit_chain_head (chain, last_seq, last_hash) VALUES ('global', 1, :h)"),
        {"h": hash_v1(record)},
    )


def _refuses_changes() -> None:
    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()


def test_keyed_hashing_migration_keeps_old_events_verifiable_and_the_triggers(
    tmp_path: Path, migrated_url: str
) -> None:
    from breachdesk.services import audit
    from breachdesk.services.audit import Actor
    from breachdesk.services.audit_verify import verify_trail
    from breachdesk.services.clock import FixedClock

    app = create_app(app_settings(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_url))
    with app.app_context():
        upgrade(revision=BEFORE_KEYED_HASHING)
        with db.engine.begin() as conn:
            _insert_version_1_event(conn)
        upgrade(revision=KEYED_HASHING)
        old = db.session.execute(
            text("SELECT hash_version, key_id, content_digest FROM audit_event")
        ).one()
        assert tuple(old) == (1, None, None)
        _refuses_changes()
        audit.record(
            db.session,
            clock=FixedClock(datetime(2026, 12, 1, tzinfo=UTC)),
            actor=Actor.system("t"),
            action="user.created",
            entity_type="user",
            entity_id=2,
            organisation_id=None,
            after={"email": "b@example.org"},
        )
        db.session.commit()
        report = verify_trail(db.session)
        assert report.intact
        assert [(r.chain, r.events) for r in report.chains] == [("global", 2)]
        _refuses_changes()
        db.session.rollback()
        # Going back would drop the columns the keyed event is verified with: refused
        # (Flask-Migrate logs the migration's error and exits).
        with pytest.raises(SystemExit):
            downgrade(revision=BEFORE_KEYED_HASHING)
        columns = {c["name"] for c in inspect(db.engine).get_columns("audit_event")}
        assert {"hash_version", "key_id", "content_digest"} <= columns
        db.session.remove()
        db.engine.dispose()


def test_keyed_hashing_migration_downgrades_without_keyed_events(
    tmp_path: Path, migrated_url: str
) -> None:
    app = create_app(app_settings(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_url))
    with app.app_context():
        upgrade(revision=BEFORE_KEYED_HASHING)
        with db.engine.begin() as conn:
            _insert_version_1_event(conn)
        upgrade(revision=KEYED_HASHING)
        downgrade(revision=BEFORE_KEYED_HASHING)
        columns = {c["name"] for c in inspect(db.engine).get_columns("audit_event")}
        assert not columns & {"hash_version", "key_id", "content_digest"}
        _refuses_changes()
        db.session.remove()
        db.engine.dispose()
