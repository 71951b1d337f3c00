"""Optimistic locking: a save from a page that showed an older version is refused, not merged.

Two FGs may have the same checklist open. Each form carries the version of the record it
showed; saving moves the version on with one conditional UPDATE (``... WHERE version =
:seen``), so of two saves from the same version exactly one wins — on PostgreSQL the second
waits for the first's row lock and then finds the version moved; on SQLite writers queue. The
loser gets :class:`StaleEdit`, with who saved in between and when, and nothing of either is
lost: the web page shows the newer answers beside the user's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import InstrumentedAttribute, set_committed_value

from ..models import AuditEvent


class StaleEdit(Exception):
    """The record changed since the page was loaded; nothing was saved."""

    def __init__(self, current: int, by: str | None = None, at: datetime | None = None) -> None:
        super().__init__(f"saved by someone else in the meantime (now version {current})")
        self.current = current
        self.by = by
        self.at = at


def claim_version(
    session: Session,
    row: Any,
    column: InstrumentedAttribute[int],
    seen: int | None,
    *,
    entity: tuple[str, object],
    actions: Iterable[str],
) -> int:
    """Move ``row``'s version ``column`` from ``seen`` to the next one, or raise StaleEdit.

    ``seen`` None means the caller did not show a version (a script, the CLI): no check, the
    version still moves on. ``entity`` and ``actions`` find, in the audit trail, who saved the
    version that won (for the message). No commit.
    """
    model = type(row)
    name = column.key
    key = model.id == row.id
    condition = [key] if seen is None else [key, column == seen]
    outcome = session.execute(
        update(model)
        .where(*condition)
        .values({name: column + 1})
        .execution_options(synchronize_session=False)
    )
    if outcome.rowcount != 1:  # type: ignore[attr-defined]
        current = session.execute(select(column).where(key)).scalar_one()
        by, at = last_change(session, entity, actions)
        raise StaleEdit(int(current), by, at)
    new = session.execute(select(column).where(key)).scalar_one()
    set_committed_value(row, name, new)
    return int(new)


def last_change(
    session: Session, entity: tuple[str, object], actions: Iterable[str]
) -> tuple[str | None, datetime | None]:
    """Who made the latest of ``actions`` on ``entity`` (type, id) and when, from the trail."""
    event = session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == entity[0],
            AuditEvent.entity_id == str(entity[1]),
            AuditEvent.action.in_(list(actions)),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if event is None:
        return None, None
    return event.actor_label, event.occurred_at


def lock_row(session: Session, row: Any) -> None:
    """Lock ``row`` for the rest of the transaction (``SELECT ... FOR UPDATE`` on PostgreSQL;
    SQLite transactions already hold the write lock), so that checking what is there and
    adding to it cannot interleave with another writer doing the same."""
    model = type(row)
    session.execute(select(model.id).where(model.id == row.id).with_for_update())
