"""Timestamps come back aware in UTC; migrations and models agree; audit rows are append-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

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
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, StatementError

from breachdesk import create_app
from breachdesk.domain.audit import GENESIS_HASH, EventRecord, hash_v1
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.models.incident_search import include_object
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
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            )
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


def test_reminder_rows_become_deliveries_without_losing_one(
    tmp_path: Path, migrated_url: str
) -> None:
    """The migration to one delivery table keeps every reminder with its id and history."""
    app = create_app(app_settings(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_url))
    with app.app_context():
        upgrade(revision="f0e41e565d67")
        now = "2026-11-19 10:00:00"
        _insert_minimal("organisation", id=1, profile="{}", reminder_offsets="[24]")
        _insert_minimal("user_account", id=1)
        _insert_minimal("incident", id=1, organisation_id=1, reporter_id=1)
        for row_id, kind, status in ((7, "reminder", "sent"), (9, "escalation", "planned")):
            db.session.execute(
                text(
                    "INSERT INTO reminder (id, organisation_id, incident_id, duty, kind, label, "
                    "planned_due_at, due_at, status, attempts, late, recipients, last_error, "
                    "cancel_reason, created_at) VALUES (:id, 1, 1, 'ap', :kind, '24h', :t, "
                    ":t, :status, 1, false, '[\"fg@x.nl\"]', '', '', :t)"
                ),
                {"id": row_id, "kind": kind, "status": status, "t": now},
            )
        db.session.commit()
        upgrade()
        rows = db.session.execute(
            text("SELECT id, kind, status, priority, channel, recipients FROM delivery ORDER BY id")
        ).all()
        assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
            (7, "reminder", "sent", 0, "email"),
            (9, "escalation", "planned", 0, "email"),
        ]
        assert "fg@x.nl" in str(rows[0][5])
        # New rows continue after the copied ids (PostgreSQL's sequence was moved on).
        db.session.execute(
            text(
                "INSERT INTO delivery (organisation_id, kind, channel, priority, label, payload, "
                "planned_due_at, due_at, status, attempts, late, recipients, last_error, "
                "cancel_reason, message_id, server_reply, content_sha256, created_at) VALUES "
                "(1, 'new_report', 'email', 10, '', '{}', :t, :t, 'planned', 0, false, '[]', "
                "'', '', '', '', '', :t)"
            ),
            {"t": now},
        )
        new_id = db.session.execute(text("SELECT MAX(id) FROM delivery")).scalar_one()
        assert new_id > 9
        db.session.remove()
        db.engine.dispose()


KEYED_HASHING = "c4a9e2b17d35"
BEFORE_KEYED_HASHING = "1cd4e3832a8f"  # the revision before keyed hashing


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


def _insert_minimal(table: str, **values: object) -> None:
    """Insert a row with ``values`` and a plain value in every other NOT NULL column."""
    from sqlalchemy import inspect
    from sqlalchemy.types import JSON, Boolean, DateTime, Integer

    for column in inspect(db.session.connection()).get_columns(table):
        name, kind = column["name"], column["type"]
        if name in values or column["nullable"]:
            continue
        if isinstance(kind, Boolean):
            values[name] = False
        elif isinstance(kind, Integer):
            values[name] = 1
        elif isinstance(kind, DateTime):
            values[name] = datetime(2026, 11, 19, 10, 0)
        elif isinstance(kind, JSON):
            values[name] = "[]"
        else:
            values[name] = f"x{values.get('id', '')}"
    names = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    db.session.execute(text(f"INSERT INTO {table} ({names}) VALUES ({params})"), values)


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


SEARCH_OF_THE_EARLIER_REFERENCE = "c8e2f4a61d93"
BEFORE_SEARCH_OF_THE_EARLIER_REFERENCE = "b7e3f1a2c9d4"


def _found(words: str) -> list[int]:
    from breachdesk.domain.register import search_terms
    from breachdesk.models import Incident
    from breachdesk.services.register_query import search_condition

    condition = search_condition(db.session, search_terms(words))
    return list(db.session.execute(select(Incident.id).where(condition)).scalars())


def test_the_search_migration_finds_an_earlier_registers_reference(
    tmp_path: Path, migrated_url: str
) -> None:
    """A database with imported entries: after the upgrade the search finds them by the
    reference they had in the earlier register, also when it changes; after a downgrade it
    searches what it searched before, and the upgrade can be run again."""
    app = create_app(app_settings(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_url))
    with app.app_context():
        upgrade(revision=BEFORE_SEARCH_OF_THE_EARLIER_REFERENCE)
        _insert_minimal("organisation", id=1, profile="{}", reminder_offsets="[24]")
        _insert_minimal("user_account", id=1)
        _insert_minimal(
            "incident",
            id=1,
            organisation_id=1,
            reporter_id=1,
            title="Laptop kwijt",
            imported_from="a" * 64,
            source_reference="DL-2023-07",
        )
        db.session.commit()
        assert _found("laptop") == [1] and _found("DL-2023-07") == []
        db.session.remove()  # SQLite: the migration needs the write lock
        upgrade(revision=SEARCH_OF_THE_EARLIER_REFERENCE)
        assert _found("laptop") == [1] and _found("DL-2023-07") == [1] and _found("dl-20") == [1]
        db.session.execute(text("UPDATE incident SET source_reference = 'OUD-42' WHERE id = 1"))
        db.session.commit()
        assert _found("oud-42") == [1] and _found("DL-2023-07") == []
        db.session.remove()
        downgrade(revision=BEFORE_SEARCH_OF_THE_EARLIER_REFERENCE)
        assert _found("laptop") == [1] and _found("oud-42") == []
        db.session.remove()
        upgrade()
        assert _found("oud-42") == [1]
        db.session.remove()
        db.engine.dispose()


def _triggers() -> set[tuple[str, str]]:
    """(trigger, table) of the database of the current app."""
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        found = conn.execute(
            text("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        )
    else:
        found = conn.execute(
            text(
                "SELECT DISTINCT trigger_name, event_object_table FROM information_schema.triggers"
                " WHERE trigger_schema = current_schema()"
            )
        )
    return {(str(name), str(table)) for name, table in found}


def test_the_migrations_keep_every_trigger_so_the_search_finds_new_incidents(
    app: Flask, tmp_path: Path, migrated_url: str
) -> None:
    """On SQLite a migration that recreates a table drops its triggers: d7b2f9a4c1e3 did, and
    the register's search then found nothing reported or changed after the upgrade (found by
    exploratory testing; comparing migrations with the models leaves the search objects out).
    The database the migrations build has the triggers the models make, and its search finds
    an incident reported after the upgrade, and finds it by what it says after a change."""
    from breachdesk.models.incident_search import SQLITE_TRIGGERS

    made = _triggers()  # the app's database: made from the models
    if db.session.connection().dialect.name == "sqlite":
        assert set(SQLITE_TRIGGERS) <= {name for name, _table in made}
    db.session.remove()
    migrated = create_app(app_settings(tmp_path / "migrated", SQLALCHEMY_DATABASE_URI=migrated_url))
    with migrated.app_context():
        upgrade()
        assert _triggers() == made
        _insert_minimal("organisation", id=1, profile="{}", reminder_offsets="[24]")
        _insert_minimal("user_account", id=1)
        _insert_minimal("incident", id=1, organisation_id=1, reporter_id=1, title="Laptop kwijt")
        db.session.commit()
        assert _found("laptop") == [1]
        db.session.execute(text("UPDATE incident SET title = 'Usb-stick verloren' WHERE id = 1"))
        db.session.commit()
        assert _found("usb") == [1] and _found("laptop") == []
        db.session.remove()
        db.engine.dispose()


def test_a_database_that_lost_its_search_triggers_finds_its_incidents_again(
    tmp_path: Path, migrated_url: str
) -> None:
    """A SQLite database upgraded by the first d7b2f9a4c1e3 has no search triggers, and the
    incidents reported since are missing from the index: e2a9c5d7f314 builds it anew."""
    app = create_app(app_settings(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_url))
    with app.app_context():
        upgrade(revision="d7b2f9a4c1e3")
        sqlite = db.session.connection().dialect.name == "sqlite"
        if sqlite:  # as the first d7b2f9a4c1e3 left it
            for name in ("incident_search_insert", "incident_search_update"):
                db.session.execute(text(f"DROP TRIGGER {name}"))
        _insert_minimal("organisation", id=1, profile="{}", reminder_offsets="[24]")
        _insert_minimal("user_account", id=1)
        _insert_minimal("incident", id=1, organisation_id=1, reporter_id=1, title="Laptop kwijt")
        db.session.commit()
        assert _found("laptop") == ([] if sqlite else [1])
        db.session.remove()
        upgrade()
        assert _found("laptop") == [1]
        db.session.execute(text("UPDATE incident SET title = 'Usb-stick verloren' WHERE id = 1"))
        db.session.commit()
        assert _found("usb") == [1]
        db.session.remove()
        db.engine.dispose()


BEFORE_HONEST_IMPORTS = "c8e2f4a61d93"  # before an imported entry kept unknowns unknown


def test_the_migrations_of_imported_entries_keep_what_is_known_and_go_back(
    tmp_path: Path, migrated_url: str
) -> None:
    """An entry imported before: its decision no longer "follows the advice", its importer is
    no longer its reporter, its moment of awareness is in its history (recorded when it was
    imported, by its importer). The downgrade puts the older representation back, and refuses
    while a filing has no date (the older schema needs one; none is invented)."""
    app = create_app(app_settings(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_url))
    imported_at = datetime(2026, 11, 20, 8, 0)
    with app.app_context():
        upgrade(revision=BEFORE_HONEST_IMPORTS)
        _insert_minimal("organisation", id=1, profile="{}", reminder_offsets="[24]")
        _insert_minimal("user_account", id=1)
        _insert_minimal(
            "incident",
            id=1,
            organisation_id=1,
            reporter_id=1,
            reported_via="account",
            imported_from="a" * 64,
            aware_at=datetime(2024, 2, 2, 9, 0),
        )
        _insert_minimal(
            "incident", id=2, seq=2, organisation_id=1, reporter_id=1, reported_via="account",
            imported_from="",
        )  # fmt: skip
        _insert_minimal(
            "decision", id=1, incident_id=1, version=1, ruleset_version="imported",
            follows_recommendation=True, decided_by_id=1,
        )  # fmt: skip
        _insert_minimal(
            "decision", id=2, incident_id=2, version=1, ruleset_version="2026.2",
            follows_recommendation=True, decided_by_id=1,
        )  # fmt: skip
        _insert_minimal("notification", id=1, incident_id=1, recorded_by_id=1)
        _insert_minimal(
            "audit_event", id=1, organisation_id=1, entity_type="incident", entity_id="1",
            action="incident.imported", occurred_at=imported_at, actor_id=1,
        )  # fmt: skip
        db.session.commit()
        db.session.remove()
        upgrade()

        def read(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(row) for row in db.session.execute(text(sql))]

        assert read("SELECT id, reported_via, reporter_id FROM incident ORDER BY id") == [
            (1, "import", None),
            (2, "account", 1),
        ]
        assert read("SELECT id, follows_recommendation FROM decision ORDER BY id") == [
            (1, None),
            (2, True),
        ]
        history = read(
            "SELECT incident_id, reason, recorded_by_id, recorded_at FROM awareness_record"
        )
        assert [row[:3] for row in history] == [(1, "", 1)]
        assert str(history[0][3]).startswith("2026-11-20 08:00")
        db.session.execute(text("UPDATE notification SET submitted_at = NULL, late = NULL"))
        db.session.execute(text("UPDATE decision SET decided_at = NULL WHERE id = 1"))
        db.session.commit()
        db.session.remove()
        with pytest.raises(SystemExit):  # flask-migrate logs the RuntimeError and exits
            downgrade(revision=BEFORE_HONEST_IMPORTS)
        db.session.remove()
        assert read("SELECT count(*) FROM notification WHERE submitted_at IS NULL") == [(1,)]
        db.session.execute(
            text("UPDATE notification SET submitted_at = :at, late = :late"),
            {"at": imported_at, "late": False},
        )
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE_HONEST_IMPORTS)
        assert read("SELECT id, reported_via, reporter_id FROM incident ORDER BY id") == [
            (1, "account", 1),
            (2, "account", 1),
        ]
        assert read("SELECT follows_recommendation FROM decision ORDER BY id") == [(True,), (True,)]
        assert read("SELECT count(*) FROM decision WHERE decided_at IS NULL") == [(0,)]
        assert read("SELECT count(*) FROM awareness_record") == [(0,)]
        db.session.remove()
        upgrade()
        db.session.remove()
        db.engine.dispose()
