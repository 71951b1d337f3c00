"""breachdesk: personal-data breach handling for Dutch organisations.

``create_app`` builds the Flask application: configuration, extensions, blueprints and the
CLI. Nothing else happens at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from . import sqlite
from .config import apply_environment, install_proxy_fix
from .extensions import babel, bootstrap, csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the application; ``test_config`` overrides configuration (tests, tools)."""
    instance = os.environ.get("BREACHDESK_INSTANCE_PATH") or (test_config or {}).get(
        "INSTANCE_PATH"
    )
    app = Flask(
        __name__,
        instance_path=str(Path(instance).resolve()) if instance else None,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    apply_environment(app, test_config)
    install_proxy_fix(app)

    sqlite.install()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    babel.init_app(
        app, locale_selector=_select_locale, timezone_selector=lambda: "Europe/Amsterdam"
    )
    csrf.init_app(app)
    bootstrap.init_app(app)

    from . import models  # noqa: F401 - register the models with the metadata
    from .runtime import install_runtime
    from .web import register_web

    install_runtime(app)
    register_web(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _select_locale() -> str:
    from .web.context import selected_locale

    return selected_locale()
