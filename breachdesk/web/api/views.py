"""What the API's views share: finding an incident the token may see, its version (ETag),
and turning rows into the response bodies."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import request

from ...domain.api_access import Scope, allows
from ...extensions import db_session
from ...models import Incident
from ...services.register_rows import PageRow, people_affected
from .auth import access
from .problems import ApiProblem


def incident_for(incident_id: int) -> Incident:
    """The incident, if the token may see it: of its organisation, and either readable to
    the token (scope read or write, FG or administrator) or reported by its user. 404
    otherwise, so a token cannot tell another organisation's incidents from missing ones."""
    found = access()
    incident = db_session().get(Incident, incident_id)
    if incident is None or incident.organisation_id != found.token.organisation_id:
        raise ApiProblem(404, "No such incident, or not one this token may see.")
    if allows(found.scope, found.roles, Scope.READ) or incident.reporter_id == found.user.id:
        return incident
    raise ApiProblem(404, "No such incident, or not one this token may see.")


def version(incident: Incident) -> str:
    """The incident's version: changes with every change the API can see or make."""
    parts = (
        incident.id,
        incident.state,
        incident.updated_at.isoformat(),
        incident.facts_version,
        len(incident.decisions),
        len(incident.awareness_history),
        incident.aware_at.isoformat() if incident.aware_at else "",
    )
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:20]


def etag(incident: Incident) -> str:
    return f'"{version(incident)}"'


def require_match(incident: Incident, *, stale_ok: bool = False) -> None:
    """Writes need ``If-Match`` with the incident's current ETag: 428 without, 412 stale
    (unless ``stale_ok``: the write is one already made, RFC 9110 13.1.1)."""
    sent = request.headers.get("If-Match")
    if not sent:
        raise ApiProblem(
            428,
            "Send If-Match with the ETag of the incident as you last read it.",
            kind="stale",
        )
    wanted = [tag.strip().removeprefix("W/") for tag in sent.split(",")]
    if not stale_ok and "*" not in wanted and etag(incident) not in wanted:
        raise ApiProblem(
            412,
            "The incident changed since you read it; read it again and retry.",
            kind="stale",
            headers={"ETag": etag(incident)},
        )


def _keys(entries: list[dict[str, Any]]) -> list[str]:
    return [str(entry.get("key") or "") for entry in entries]


def incident_body(incident: Incident) -> dict[str, Any]:
    names = (
        "id",
        "reference",
        "organisation_id",
        "state",
        "title",
        "description",
        "reported_at",
        "reported_via",
        "discovered_at",
        "started_at",
        "ended_at",
        "discovery_how",
        "ongoing",
        "systems_other",
        "data_other",
        "subjects_mode",
        "subjects_exact",
        "subjects_min",
        "subjects_max",
        "records_count",
        "children_involved",
        "protection",
        "containment",
        "aware_at",
        "breach_types",
        "recommended_outcome",
        "decided_outcome",
        "term_deadline",
        "closed_at",
    )
    body = {name: getattr(incident, name) for name in names}
    body["version"] = version(incident)
    body["processor_keys"] = _keys(incident.processors)
    body["data_category_keys"] = _keys(incident.data_categories)
    body["subject_group_keys"] = _keys(incident.subject_groups)
    body["checklist_version"] = incident.facts_version
    body["attachments"] = _attachments(incident)
    return body


def _attachments(incident: Incident) -> list[dict[str, Any]]:
    """The incident's files as the token may know them: all of them for a token that reads
    incidents (FG, administrator); for a reporter's token only the files its user uploaded
    (the FG's own evidence is not the reporter's to see). Their contents are not in the API."""
    found = access()
    everything = allows(found.scope, found.roles, Scope.READ)
    return [
        {
            "id": a.id,
            "filename": a.filename,
            "content_type": a.content_type,
            "size": a.size,
            "sha256": a.sha256,
            "uploaded_at": a.uploaded_at,
            "erased": a.erased_at is not None,
        }
        for a in incident.attachments
        if everything or a.uploaded_by_id == found.user.id
    ]


def summary(row: Incident | PageRow) -> dict[str, Any]:
    """A list's entry, from a register page's row or from an incident."""
    if isinstance(row, PageRow):
        notified, open_actions = row.filing is not None, row.open_count
    else:  # a reporter's own report: the FG's remedial actions are not theirs to see
        notified = any(
            n.kind == "initial" and n.addressee in ("ap", "controller") for n in row.notifications
        )
        open_actions = None
    return {
        "id": row.id,
        "reference": row.reference,
        "title": row.title,
        "state": row.state,
        "reported_at": row.reported_at,
        "discovered_at": row.discovered_at,
        "closed_at": row.closed_at,
        "people": people_affected(row),
        "decided_outcome": row.decided_outcome,
        "term_deadline": row.term_deadline,
        "notified": notified,
        "open_actions": open_actions,
    }
