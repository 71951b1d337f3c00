"""One breach of an earlier register, written as a closed entry of breachdesk's register:
the incident with what the file says (nothing made up that it does not say), its moment of
awareness as the first of its history, the decision (rule set ``imported``) and the filing
with the AP. :func:`.register_import.import_breaches` writes them, in one transaction with
their audit events.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from ..domain.assessment import OUTCOME_DUTIES, Outcome
from ..domain.deadline import NOTIFICATION_TERM, due_at, late_between
from ..domain.duties import SubjectsResolution
from ..domain.lifecycle import State
from ..domain.register_columns import Field
from ..domain.register_entry import MOMENT_OF, ImportedBreach
from ..domain.timeutil import AMSTERDAM, local_to_utc, utc_to_local
from ..models import AwarenessRecord, Decision, Incident, Notification, Organisation, User
from .incidents import next_reference

#: The rule set a decision imported from an earlier register is marked with.
IMPORTED_RULESET = "imported"
#: How an imported entry came into breachdesk (``Incident.reported_via``): not reported.
IMPORTED_VIA = "import"


def entry(
    session: Session,
    organisation: Organisation,
    breach: ImportedBreach,
    *,
    source_sha256: str,
    user: User,
    now: datetime,
) -> tuple[Incident, Outcome]:
    """Add ``breach`` as a closed entry of ``organisation``'s register (flushed, not
    committed), imported by ``user`` from the file with digest ``source_sha256``; the
    incident and the outcome its decision records."""
    year = breach.discovered_at.astimezone(AMSTERDAM).year
    seq, reference = next_reference(session, organisation, year)
    outcome = (
        Outcome.NOTIFY_AP_AND_SUBJECTS
        if breach.notified and breach.informed
        else Outcome.NOTIFY_AP
        if breach.notified
        else Outcome.REGISTER_ONLY
    )
    people_mode = (
        "unknown"
        if breach.people_min is None
        else ("exact" if breach.people_min == breach.people_max else "range")
    )
    incident = Incident(
        organisation_id=organisation.id,
        reference=reference,
        year=year,
        seq=seq,
        state=State.CLOSED.value,
        # Not reported in breachdesk: brought in now, by the importer (in the audit event).
        reporter_id=None,
        reported_via=IMPORTED_VIA,
        reported_at=now,
        updated_at=now,
        title=breach.title,
        description=breach.description,
        discovered_at=breach.discovered_at,
        discovery_how="",
        ongoing="no",
        processors=[],
        data_categories=[],
        data_other=breach.data,
        subjects_mode=people_mode,
        subjects_exact=breach.people_min if people_mode == "exact" else None,
        subjects_min=breach.people_min if people_mode == "range" else None,
        subjects_max=breach.people_max if people_mode == "range" else None,
        subject_groups=[],
        children_involved="unknown",
        protection="unknown",
        containment=[],
        containment_details=breach.measures,
        personal_data="yes",
        security_breached="yes",
        breach_types=sorted(breach.breach_types),
        aware_at=breach.aware_at,
        triaged_at=now,  # the answers above were recorded now, at the import
        decided_outcome=outcome.value,
        subjects_resolution=(
            SubjectsResolution.INFORMED.value
            if breach.informed
            else SubjectsResolution.NOT_RECORDED.value
            if breach.informed is None
            else ""
        ),
        subjects_resolution_at=None,  # the file does not say when
        closed_at=breach.closed_at,  # None when the file does not say
        imported_from=source_sha256,
        source_reference=breach.reference,
        dates_only=sorted(
            MOMENT_OF[Field(name)] for name in breach.dates_only if Field(name) in MOMENT_OF
        ),
    )
    session.add(incident)
    session.flush()
    if breach.aware_at is not None:  # the file's moment of awareness, as its first value
        session.add(
            AwarenessRecord(
                incident_id=incident.id,
                aware_at=breach.aware_at,
                reason="",  # shown as "from the earlier register"
                recorded_by_id=user.id,
                recorded_at=now,
            )
        )
    notify_ap, inform, public = OUTCOME_DUTIES[outcome]
    session.add(
        Decision(
            incident_id=incident.id,
            version=1,
            outcome=outcome.value,
            notify_ap=notify_ap,
            inform_subjects=inform,
            public_communication=public,
            ap_severity="",
            follows_recommendation=None,  # there was no advice to follow or differ from
            rationale=breach.reasoning,
            ruleset_version=IMPORTED_RULESET,
            facts_snapshot={},
            recommendation_snapshot={},
            decided_by_id=user.id,  # who imported it; who decided is not in the file
            decided_at=None,  # nor when
        )
    )
    if breach.notified:
        aware = breach.aware_at or breach.discovered_at
        deadline = due_at(aware, NOTIFICATION_TERM)
        late = None
        if breach.filed_at is not None:
            # Counted from the discovery for want of the moment of awareness (then a filing
            # can be called in time, never late: awareness can come after the discovery); a
            # date without a time stands for its whole day.
            late = late_between(
                _bounds(breach.aware_at, "aware", breach) if breach.aware_at else None,
                _bounds(breach.filed_at, "filed", breach),
                discovered_from=_bounds(breach.discovered_at, "discovered", breach)[0],
            )
        session.add(
            Notification(
                incident_id=incident.id,
                addressee="ap",
                kind="initial",
                # No date in the file: not known, and so neither is whether in time.
                submitted_at=breach.filed_at,
                reference=breach.ap_reference,
                provisional=False,
                delay_reason=breach.delay_reason,
                notes="",
                deadline_at=deadline,
                late=late,
                recorded_by_id=user.id,
                recorded_at=now,
            )
        )
    return incident, outcome


def _bounds(moment: datetime, field: str, breach: ImportedBreach) -> tuple[datetime, datetime]:
    """When ``moment`` may have been: itself, or for a date alone in the file its whole day
    (Dutch time: 23 or 25 hours when the clocks change)."""
    if field not in breach.dates_only:
        return moment, moment
    day = utc_to_local(moment).date()
    return moment, local_to_utc(datetime.combine(day + timedelta(days=1), time())) - timedelta(
        microseconds=1
    )
