"""The FG corrects the reported facts: the reporter's answers kept, every correction audited."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..domain.problems import FieldProblem
from ..domain.report import IncidentReport, validate_report
from ..domain.text import N_
from ..models import Incident
from . import audit
from .audit import Actor
from .clock import Clock
from .incidents import ReportRejected
from .organisations import profile_of
from .report_columns import profile_snapshots, report_columns
from .workflow import commit

#: The facts the FG may correct: everything the reporter filled in.
CORRECTABLE = tuple(
    name
    for name in (
        "title", "description", "started_at", "ended_at", "discovered_at", "discovery_how",
        "ongoing", "processors", "systems_other", "data_categories", "data_other",
        "subjects_mode", "subjects_exact", "subjects_min", "subjects_max", "records_count",
        "subject_groups", "subject_groups_other", "children_involved", "protection",
        "protection_details", "containment", "containment_details", "reported_by_processor",
        "reporting_processor", "processor_aware_at", "processor_notified_at",
    )
)  # fmt: skip


def _stored(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def correction_problems(
    incident: Incident,
    report: IncidentReport,
    reason: str | None,
    now: datetime,
    *,
    unread: Collection[str] = (),
) -> list[FieldProblem]:
    """Every problem with correcting ``incident``'s report to ``report`` for ``reason``: the
    report's (see :func:`~breachdesk.domain.report.validate_report`, also for ``unread``) and
    a missing reason (field ``correction_reason``; None: not known). Reads only."""
    problems = validate_report(report, profile_of(incident.organisation), now, unread=unread)
    if reason is not None and not reason.strip():
        problems.append(FieldProblem("correction_reason", N_("Write down why you correct it.")))
    return problems


def correct_report(
    session: Session,
    incident: Incident,
    report: IncidentReport,
    reason: str,
    *,
    actor: Actor,
    clock: Clock,
) -> list[str]:
    """The FG corrects the reported facts (the number of people, the groups, ...) and says why
    (commits). The reporter's own answers are kept once, before the first correction, in
    ``incident.reported_facts``; every correction is audited with the fields it changed.
    Returns the names of the fields that changed ([] when nothing did: nothing is stored).

    Raises:
        ReportRejected: the corrected report has problems, or no reason was given (field
            ``correction_reason``); nothing is stored.
    """
    problems = correction_problems(incident, report, reason, clock.now())
    if problems:
        raise ReportRejected(problems)
    profile = profile_of(incident.organisation)
    before = {name: _stored(getattr(incident, name)) for name in CORRECTABLE}
    for name, value in report_columns(report, profile_snapshots(report, profile)).items():
        setattr(incident, name, value)
    after = {name: _stored(getattr(incident, name)) for name in CORRECTABLE}
    changed = [name for name in CORRECTABLE if before[name] != after[name]]
    if not changed:
        session.rollback()
        return []
    if incident.reported_facts is None:
        incident.reported_facts = before
    incident.updated_at = clock.now()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.report_corrected",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        before={name: before[name] for name in changed},
        after={**{name: after[name] for name in changed}, "reason": reason.strip()},
    )
    commit(session, incident, clock)
    return changed
