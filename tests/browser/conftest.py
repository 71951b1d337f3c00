"""Browser tests: the real app served by waitress on a free port, driven in Debian's Chromium.

Playwright must never download a browser here; it starts /usr/bin/chromium with the flags
that work on a machine without network access.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from waitress.server import create_server

from breachdesk import create_app
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.services import organisations as org_service
from breachdesk.services import users as user_service
from breachdesk.services.audit import Actor
from breachdesk.services.clock import Clock

from ..conftest import app_settings

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def app(tmp_path: Path, clock: Any, app_config: dict[str, Any]) -> Iterator[Flask]:
    # Real CSRF protection in the browser; the system clock is not fixed for a live server
    # unless a test asks for it through app_config.
    application = create_app(app_settings(tmp_path, WTF_CSRF_ENABLED=True, **app_config))
    with application.app_context():
        db.drop_all()
        db.create_all()
        yield application
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.socket.getsockname()[1]  # type: ignore[union-attr]
    stopping = threading.Event()

    def serve() -> None:
        # Closing the server from this thread while its loop waits in select() makes that
        # select fail on a closed descriptor: expected when stopping, a failure otherwise.
        try:
            server.run()
        except (OSError, ValueError):
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stopping.set()
        server.close()
        thread.join(timeout=5)


def fg_of_first_seed(app: Flask, clock: Clock, password: str) -> None:
    """The first demo organisation, imported from its seed profile, with one FG: fg@x.nl
    (Femke Gerritsen) and ``password``."""
    seeds = Path(__file__).parents[2] / "breachdesk" / "demo" / "profiles"
    path = next(p for p in sorted(seeds.iterdir()) if p.suffix in (".yaml", ".yml"))
    imported = org_service.import_profile(
        db.session, org_service.load_profile_file(path), actor=Actor.system("t"), clock=clock
    )
    user_service.create_user(
        db.session,
        email="fg@x.nl",
        name="Femke Gerritsen",
        password=password,
        roles=[(imported.organisation, Role.FG)],
        actor=Actor.system("t"),
        clock=clock,
        hasher=app.extensions["breachdesk"].hasher,
    )
    db.session.remove()
