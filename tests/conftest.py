"""Shared fixtures: an app per test on a fresh database, factories, a fixed clock.

The database is SQLite in a temporary folder, or PostgreSQL when
``BREACHDESK_TEST_DATABASE_URL`` is set (``.ci/run`` does that for the second run).
"""

from __future__ import annotations

import functools
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from breachdesk import create_app
from breachdesk.demo import profile_paths
from breachdesk.domain.profile import OrganisationProfile
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation, User
from breachdesk.services import delivery
from breachdesk.services import organisations as org_service
from breachdesk.services import users as user_service
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.delivery_kinds import handlers
from breachdesk.services.vault import Vault

PASSWORD = "correct horse battery"
TEST_ACTOR = Actor.system("tests")
# Thursday 19 November 2026, 10:00 UTC (11:00 in Amsterdam)
T0 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)


def database_url(tmp_path: Path) -> str:
    shared = os.environ.get("BREACHDESK_TEST_DATABASE_URL")
    return worker_database(shared) if shared else f"sqlite:///{tmp_path / 'test.sqlite3'}"


@functools.cache
def worker_database(url: str) -> str:
    """The PostgreSQL database of this test process. Each test drops and creates the schema,
    so under pytest-xdist every worker gets a database of its own next to ``url``
    (``breachdesk_test_gw0``, …), created when missing; without xdist, ``url`` itself."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    server, name = url.rsplit("/", 1)
    own = f"{name}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own}
            )
            if found.first() is None:
                conn.execute(text(f'CREATE DATABASE "{own}"'))
    finally:
        admin.dispose()
    return f"{server}/{own}"


def app_settings(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "SECRET_KEY": "test-secret",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        "RATELIMIT_ENABLED": False,
        # Organisations require a second factor of FG and admins by default; the tests that
        # are about it switch enforcement on (tests/web/test_second_factor.py).
        "SECOND_FACTOR_ENFORCED": False,
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://breachdesk.test",
    }
    config.update(overrides)
    return config


class PerRequestClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``, as in production.

    The ``app`` fixture keeps one application context open so tests can use ``db.session``;
    Flask reuses that context for requests, and with it ``g``, where Flask-Login and
    Flask-Babel cache the user and the locale. Clearing it makes each request stand alone.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        from flask import g

        for name in list(vars(g)):
            delattr(g, name)
        return super().open(*args, **kwargs)


def make_app(tmp_path: Path, **config: Any) -> Flask:
    application = create_app(app_settings(tmp_path, **config))
    application.test_client_class = PerRequestClient
    return application


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Per-test configuration overrides; override this fixture in a module to change them."""
    return {}


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database with the whole schema and no rows, made once per test process:
    copying it (the backup API, a few milliseconds) replaces creating the schema in each
    test's own file (80 ms)."""
    folder = tmp_path_factory.mktemp("schema")
    path = folder / "schema.sqlite3"
    application = make_app(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with application.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return path


_schema_fresh: set[str] = set()


def empty_database(application: Flask) -> None:
    """Give ``application`` (in its app context) the current schema without rows.

    PostgreSQL: the schema is dropped and created by the first test of a process (the
    database may hold an older schema from an earlier run), then only emptied (TRUNCATE, 20 ms
    instead of 150 ms); a test that dropped tables gets them created again."""
    url = application.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql") and url in _schema_fresh:
        tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        try:
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            return
        except ProgrammingError:  # a table is missing: a test dropped the schema
            pass
    db.drop_all()
    db.create_all()
    _schema_fresh.add(url)


@pytest.fixture
def app(
    tmp_path: Path, clock: FixedClock, app_config: dict[str, Any], sqlite_schema: Path
) -> Iterator[Flask]:
    settings = app_settings(tmp_path, **app_config)
    own_file = settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'test.sqlite3'}"
    if own_file:  # the test's own SQLite file starts as a copy of the empty schema
        with closing(sqlite3.connect(sqlite_schema)) as source:
            with closing(sqlite3.connect(tmp_path / "test.sqlite3")) as copy:
                source.backup(copy)
    application = make_app(tmp_path, CLOCK=clock, **app_config)
    with application.app_context():
        if not own_file:
            empty_database(application)
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@functools.cache
def demo_profiles() -> tuple[OrganisationProfile, ...]:
    """The five seed profiles, read and checked once per run (a tenth of a second each time,
    for each of some 450 tests); the profiles are frozen."""
    return tuple(org_service.load_profile_file(path) for path in profile_paths())


@pytest.fixture
def orgs(app: Flask, clock: FixedClock) -> dict[str, Organisation]:
    """The five demo organisations, by slug."""
    result = {}
    for profile in demo_profiles():
        imported = org_service.import_profile(db.session, profile, actor=TEST_ACTOR, clock=clock)
        result[profile.slug] = imported.organisation
    return result


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(app: Flask, clock: FixedClock) -> MakeUser:
    """make_user("a@x.nl", (org, Role.FG), ...) creates an account with those roles."""
    rt = app.extensions["breachdesk"]

    def make(email: str, *roles: tuple[Organisation, Role], name: str | None = None) -> User:
        return user_service.create_user(
            db.session,
            email=email,
            name=name or email.split("@")[0].title(),
            password=PASSWORD,
            roles=list(roles),
            actor=TEST_ACTOR,
            clock=clock,
            hasher=rt.hasher,
        )

    return make


def run_deliveries(
    clock: FixedClock,
    mailer: Any,
    holder: str = "tests",
    webhooks: delivery.WebhookTransport | None = None,
    **settings: Any,
) -> delivery.TickResult:
    """One tick of the delivery engine, as the scheduler runs it, on the test database."""
    return delivery.tick(
        db.session,
        holder=holder,
        clock=clock,
        mailer=mailer,
        webhooks=webhooks,
        handlers=handlers(),
        settings=delivery.DeliverySettings(
            mail_from="bd@x.nl", base_url="http://bd.test", secret_key="test-secret", **settings
        ),
    )


def deliver_now(app: Flask) -> delivery.TickResult:
    """What the running scheduler would do next: send what is due with the app's own mailer."""
    rt = app.extensions["breachdesk"]
    return run_deliveries(rt.clock, rt.mailer, webhooks=rt.webhooks)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@dataclass(frozen=True)
class OutboxFile:
    """An outbox mail as tests read it: decrypted (the file on disk is encrypted)."""

    path: Path
    vault: Vault

    @property
    def parent(self) -> Path:
        return self.path.parent

    @property
    def name(self) -> str:
        return self.path.name

    def read_bytes(self) -> bytes:
        return self.vault.read_bytes(self.path)

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def stat(self) -> os.stat_result:
        return self.path.stat()


def outbox_messages(app: Flask) -> list[OutboxFile]:
    vault = app.extensions["breachdesk"].vault
    paths = sorted(Path(app.config["OUTBOX_DIR"]).rglob("*.eml"))
    return [OutboxFile(path, vault) for path in paths]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def as_if_moved(incident: Incident, state: str, clock: FixedClock, **columns: Any) -> None:
    """Test set-up: put ``incident`` in ``state`` (and set ``columns``) without the workflow's
    guards, but with the audit event the workflow writes, so that `audit verify`, which
    compares the register with its trail, sees what the application would have recorded.
    Does not commit."""
    from breachdesk.services.workflow import audit_incident

    before = incident.state
    incident.state = state
    for name, value in columns.items():
        setattr(incident, name, value)
    audit_incident(
        db.session,
        incident,
        "incident.state_changed",
        actor=TEST_ACTOR,
        clock=clock,
        before={"state": before},
        after={"state": state, "reason": ""},
    )
