"""Incidents as the FG and administrators see them, the incident page, and evidence files."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_file
from flask.typing import ResponseReturnValue
from flask_login import login_required

from ..domain.roles import Role, can_see_all_incidents
from ..extensions import db_session
from ..runtime import runtime
from ..services import audit
from ..services import incidents as incident_service
from .context import require_any_role, roles_in, user

bp = Blueprint("incidents", __name__, url_prefix="/incidents")


@bp.get("/")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def index() -> ResponseReturnValue:
    incidents = incident_service.incidents_for_officer(db_session(), user())
    return render_template("incidents/index.html", incidents=incidents)


@bp.get("/<int:incident_id>")
@login_required
def show(incident_id: int) -> ResponseReturnValue:
    incident = incident_service.visible_incident(db_session(), user(), incident_id)
    if incident is None:
        abort(404)
    officer = can_see_all_incidents(set(roles_in(incident.organisation)))
    events = audit.history(db_session(), "incident", incident.id) if officer else []
    return render_template("incidents/show.html", incident=incident, officer=officer, events=events)


@bp.get("/<int:incident_id>/attachments/<int:attachment_id>")
@login_required
def attachment(incident_id: int, attachment_id: int) -> ResponseReturnValue:
    found = incident_service.visible_attachment(db_session(), user(), incident_id, attachment_id)
    if found is None:
        abort(404)
    response = send_file(
        runtime().store.open(found.storage_key),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.filename,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
