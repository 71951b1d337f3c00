"""When the database or the file store fails: the typing is kept, the answer is a 503.

A form sent while the database is locked or unreachable, or while the disk of the file store is
full, must not cost the person what they typed. :func:`keeps_typing` wraps such a view: on a
storage failure the transaction is rolled back (nothing is half-stored), and the form is
rendered again as it was sent, with a message at the top that it was NOT saved, under HTTP 503.
The page is rendered in a read-only transaction, which on SQLite does not wait for the write
lock (:func:`breachdesk.sqlite.reads_only`).

Every other request that meets an unavailable database gets the plain 503 page of
:func:`database_unavailable`, rendered without touching the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, g, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from .. import sqlite
from ..extensions import db, login_manager
from . import held_uploads

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

#: Failures of storage that say "try again later", not "this program has a bug": a locked,
#: full or unreachable database, and a file store that cannot write (full disk, I/O error).
#: An IntegrityError or a DataError is a bug and stays a 500.
STORAGE_FAILURES: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, OSError)


class NotSaved(StrEnum):
    """Which message the page shows at the top."""

    REPORT = "report"  # a member of staff: contact the FG if it keeps failing
    WORK = "work"  # the FG or an administrator: tell the administrator


def not_saved() -> NotSaved | None:
    """Set while a form is shown again after a storage failure (for the templates)."""
    return cast(NotSaved | None, g.get("not_saved"))


def database_down() -> bool:
    """True while the plain 503 page is rendered: templates must not query anything."""
    return bool(g.get("database_down"))


def _rollback() -> None:
    try:
        db.session.rollback()
    except DBAPIError:  # the connection is gone; the pool replaces it
        log.warning("rollback after a storage failure failed", exc_info=True)


def keeps_typing(render: Callable[..., str], kind: NotSaved) -> Callable[[F], F]:
    """On a storage failure during a POST, answer 503 with ``render(**view_args)``.

    ``render`` builds the page of the form from the request as sent, without saving; it gets
    the view's URL arguments. Place the decorator above ``login_required``, so that a failure
    while loading the signed-in user is caught as well.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except STORAGE_FAILURES as error:
                if request.method != "POST":
                    raise
                log.warning("%s not saved: %s", request.path, error)
                _rollback()
                held_uploads.after_failure()
                g.not_saved = kind
                with sqlite.reads_only():
                    page = render(**kwargs)
                    _rollback()  # end the read-only transaction: no later write may use it
                return page, 503, {"Retry-After": "60"}

        return cast(F, wrapped)

    return decorator


def database_unavailable(error: Exception) -> ResponseReturnValue:
    """The plain 503 page for any other request that met an unavailable database."""
    log.warning("database unavailable for %s: %s", request.path, error)
    _rollback()
    g.database_down = True
    if "_login_user" not in g:
        # Flask-Login loads the user for every template; the page shows no user instead.
        g._login_user = login_manager.anonymous_user()  # noqa: SLF001 - Flask-Login's cache
    return render_template("errors/503.html"), 503, {"Retry-After": "60"}


def install_failure_pages(app: Flask) -> None:
    held_uploads.install(app)
    for failure in (OperationalError, InterfaceError):
        app.register_error_handler(failure, database_unavailable)
