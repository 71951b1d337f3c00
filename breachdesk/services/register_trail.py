"""The register's rows as :mod:`breachdesk.domain.audit.register_trail` compares them with
the trail: every incident of an organisation with its register facts, filings and decisions,
read from the database a few thousand at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.audit.register_trail import (
    DECISION_KEYS,
    FACTS,
    FILING_KEYS,
    StoredIncident,
    import_snapshot,
)
from ..domain.notices.sheet import snapshot_digest
from ..models import Decision, Incident, Notification

_STREAM_ROWS = 2000
_FACT_COLUMNS = tuple(getattr(Incident, name) for name in FACTS)
# The digest of the answer sheet is made from the sheet as stored, so that a sheet changed
# behind breachdesk's back differs from the digest its filing's event recorded.
_FILING_COLUMNS = tuple(
    Notification.sheet if name == "sheet_sha256" else getattr(Notification, name)
    for name in FILING_KEYS
)
_DECISION_COLUMNS = tuple(getattr(Decision, name) for name in DECISION_KEYS)


def _rows_by_incident(
    session: Session, model: Any, columns: tuple[Any, ...], keys: tuple[str, ...], where: Any
) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    statement = select(model.incident_id, *columns).join(Incident).where(where)
    for row in session.execute(statement):
        values = dict(zip(keys, row[1:], strict=True))
        if "sheet_sha256" in values:
            sheet = values["sheet_sha256"]
            values["sheet_sha256"] = snapshot_digest(sheet) if sheet else ""
        found[row[0]].append(values)
    return found


def stored_incidents(session: Session, organisation_id: int) -> Iterator[StoredIncident]:
    """Every incident of the organisation as the register holds it, by id."""
    return _stored(session, Incident.organisation_id == organisation_id)


def _stored(session: Session, where: Any) -> Iterator[StoredIncident]:
    filings = _rows_by_incident(session, Notification, _FILING_COLUMNS, FILING_KEYS, where)
    decisions = _rows_by_incident(session, Decision, _DECISION_COLUMNS, DECISION_KEYS, where)
    statement = (
        select(Incident.id, *_FACT_COLUMNS)
        .where(where)
        .order_by(Incident.id)
        .execution_options(yield_per=_STREAM_ROWS)
    )
    for row in session.connection().execute(statement):
        yield StoredIncident(
            id=row[0],
            facts=dict(zip(FACTS, row[1:], strict=True)),
            filings=tuple(filings.get(row[0], ())),
            decisions=tuple(decisions.get(row[0], ())),
        )


def entry_snapshot(session: Session, incident: Incident) -> dict[str, Any]:
    """What the import event of ``incident`` (just made, not yet committed) records of it:
    its register facts, its filing and its decision (see ``import_snapshot``)."""
    session.flush()
    (stored,) = _stored(session, Incident.id == incident.id)
    return import_snapshot(
        stored.facts,
        stored.filings[0] if stored.filings else None,
        stored.decisions[0] if stored.decisions else None,
    )
