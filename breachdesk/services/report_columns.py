"""A report's facts as the incident's columns and back: the profile entries it names copied
with it (so a later profile edit does not rewrite its history), the columns of a report as
reported or as corrected by the FG, the snapshot its audit event keeps, and the report read
back from the incident (to pre-fill the checklist and the correction form). Split from
``services/incidents.py``, which stores reports."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..domain.profile import OrganisationProfile
from ..domain.report import Answer, Containment, CountMode, IncidentReport, Protection
from ..domain.text import single_line
from ..models import Incident


def profile_snapshots(report: IncidentReport, profile: OrganisationProfile) -> dict[str, Any]:
    """Copies of the chosen profile entries, so later profile edits do not rewrite history."""
    chosen: dict[str, Any] = {
        "data_categories": [
            asdict(c) for key in report.data_category_keys if (c := profile.data_category(key))
        ],
        "processors": [asdict(p) for key in report.processor_keys if (p := profile.processor(key))],
        "subject_groups": [
            asdict(g) for key in report.subject_group_keys if (g := profile.subject_category(key))
        ],
        "reporting_processor": None,
    }
    for item in chosen["processors"]:
        item["data_shared"] = list(item["data_shared"])
    if report.reported_by_processor:
        proc = profile.processor(report.reporting_processor_key)
        chosen["reporting_processor"] = (
            {"key": proc.key, "name": proc.name}
            if proc
            else {"key": None, "name": report.reporting_processor_name.strip()}
        )
    return chosen


def report_columns(report: IncidentReport, chosen: dict[str, Any]) -> dict[str, Any]:
    """The incident's columns for the facts of ``report`` (``chosen``: the profile entries'
    snapshots), as reported or as corrected by the FG."""
    return dict(  # noqa: C408 - the column names as keyword arguments, as in Incident(...)
        title=single_line(report.title),
        description=report.description.strip(),
        started_at=report.started_at,
        ended_at=report.ended_at,
        discovered_at=report.discovered_at,
        discovery_how=report.discovery_how.strip(),
        ongoing=report.ongoing.value,
        processors=chosen["processors"],
        systems_other=report.systems_other.strip(),
        data_categories=chosen["data_categories"],
        data_other=report.data_other.strip(),
        subjects_mode=report.subjects_mode.value,
        subjects_exact=report.subjects_exact,
        subjects_min=report.subjects_min,
        subjects_max=report.subjects_max,
        records_count=report.records_count,
        subject_groups=chosen["subject_groups"],
        subject_groups_other=report.subject_groups_other.strip(),
        children_involved=report.children_involved.value,
        protection=report.protection.value,
        protection_details=report.protection_details.strip(),
        containment=[c.value for c in report.containment],
        containment_details=report.containment_details.strip(),
        reported_by_processor=report.reported_by_processor,
        reporting_processor=chosen["reporting_processor"],
        processor_aware_at=report.processor_aware_at if report.reported_by_processor else None,
        processor_notified_at=(
            report.processor_notified_at if report.reported_by_processor else None
        ),
    )


def incident_snapshot(incident: Incident) -> dict[str, Any]:
    """The reported facts of ``incident`` for the audit trail."""
    names = (
        "reference",
        "state",
        "title",
        "description",
        "started_at",
        "ended_at",
        "discovered_at",
        "discovery_how",
        "ongoing",
        "processors",
        "systems_other",
        "data_categories",
        "data_other",
        "subjects_mode",
        "subjects_exact",
        "subjects_min",
        "subjects_max",
        "records_count",
        "subject_groups",
        "subject_groups_other",
        "children_involved",
        "protection",
        "protection_details",
        "containment",
        "containment_details",
        "reported_by_processor",
        "reporting_processor",
        "processor_aware_at",
        "processor_notified_at",
    )
    values = {name: getattr(incident, name) for name in names}
    for key in ("data_categories", "processors", "subject_groups"):
        values[key] = [item["key"] for item in values[key]]
    return values


def report_of(incident: Incident) -> IncidentReport:
    """The staff report of ``incident`` as the domain object (for pre-filling the checklist)."""

    processor = incident.reporting_processor or {}
    return IncidentReport(
        title=incident.title,
        description=incident.description,
        discovered_at=incident.discovered_at,
        discovery_how=incident.discovery_how,
        ongoing=Answer(incident.ongoing),
        started_at=incident.started_at,
        ended_at=incident.ended_at,
        processor_keys=tuple(p["key"] for p in incident.processors),
        systems_other=incident.systems_other,
        data_category_keys=tuple(c["key"] for c in incident.data_categories),
        data_other=incident.data_other,
        subjects_mode=CountMode(incident.subjects_mode),
        subjects_exact=incident.subjects_exact,
        subjects_min=incident.subjects_min,
        subjects_max=incident.subjects_max,
        records_count=incident.records_count,
        subject_group_keys=tuple(g["key"] for g in incident.subject_groups),
        subject_groups_other=incident.subject_groups_other,
        children_involved=Answer(incident.children_involved),
        protection=Protection(incident.protection),
        protection_details=incident.protection_details,
        containment=tuple(Containment(c) for c in incident.containment),
        containment_details=incident.containment_details,
        reported_by_processor=incident.reported_by_processor,
        reporting_processor_key=processor.get("key") or "",
        reporting_processor_name=processor.get("name") or "",
        processor_aware_at=incident.processor_aware_at,
        processor_notified_at=incident.processor_notified_at,
    )
