"""SQLite settings that make the embedded default safe with several threads and processes.

* WAL journal: readers do not block the writer.
* busy timeout: a connection waits for a lock instead of failing at once, up to
  ``SQLITE_BUSY_TIMEOUT_SECONDS`` (passed to the driver as its ``timeout`` in
  :mod:`breachdesk.config`), after which the request fails with "database is locked".
* ``BEGIN IMMEDIATE``: every transaction takes the write lock when it starts, so two
  transactions can never both read a row (a counter, an audit chain head, a reminder) and
  then both write it. Python's sqlite3 module would otherwise begin lazily (DEFERRED).
* foreign keys enforced, as on PostgreSQL.

Inside :func:`reads_only` transactions begin DEFERRED instead: in WAL mode they read while
another connection holds the write lock, so a form that could not be saved because the
database is locked can still be shown again, filled in, without waiting for the lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

_installed = False
_deferred: ContextVar[bool] = ContextVar("breachdesk_sqlite_deferred", default=False)


@contextmanager
def reads_only() -> Iterator[None]:
    """Transactions begun inside this block (in this thread) do not take the write lock.

    Only for code that reads: a write inside such a transaction may fail with "database is
    locked" at once instead of waiting.
    """
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


@contextmanager
def long_read(session: Any) -> Iterator[None]:
    """A long read (an export) in a transaction of its own that takes no write lock: the
    session's current transaction is ended first (it may have begun with the lock) and the
    read's is ended at once afterwards, so the read never keeps other requests waiting."""
    session.rollback()
    try:
        with reads_only():
            yield
    finally:
        session.rollback()  # a read: nothing to keep; frees the snapshot at once


#: The SQL function, on SQLite, that folds a text's case as Python does (every letter, not only
#: ASCII): ``func.bd_casefold(column)`` in a query.
CASEFOLD = "bd_casefold"


def _casefold(value: str | bytes | int | float | None) -> str | bytes | int | float | None:
    return value.casefold() if isinstance(value, str) else value


def install() -> None:
    """Register the listeners once per process (they apply to SQLite engines only)."""
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLite's LIKE and lower() fold ASCII only: "öztürk" would not find "Öztürk".
        dbapi_connection.create_function(CASEFOLD, 1, _casefold, deterministic=True)

    @event.listens_for(Engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN" if _deferred.get() else "BEGIN IMMEDIATE")


#: The tables whose statistics the register's and the inbox's queries depend on. ANALYZE of
#: these alone takes 0.15 s for 100,000 incidents; the whole database (audit events,
#: deliveries) would take far longer, and sampling (analysis_limit) misleads the planner.
ANALYSED_TABLES = ("incident", "decision", "notification", "remedial_action", "membership")


def refresh_statistics(session: Any) -> int:
    """Refresh SQLite's query-planner statistics (``sqlite_stat1``) of the tables the
    register and the inbox read, so that it chooses the index that fits a filter (a period,
    a year, an organisation) instead of guessing; without them a register page can read every
    incident. A no-op on PostgreSQL, where autovacuum keeps its statistics. Returns 0
    (nothing to report)."""
    if session.get_bind().dialect.name != "sqlite":
        return 0
    for table in ANALYSED_TABLES:
        session.execute(text(f"ANALYZE {table}"))
    session.commit()
    return 0
