"""Evidence on the incident page: the FG's own uploads, and previews of images and PDFs.

Downloads stay as they were (``incidents.attachment``: always a download, sandboxed). A
preview is served inline only for the kinds whose content was checked on upload to be what
its name says (PNG, JPEG, PDF), with a policy that allows nothing to run in it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain import evidence as domain_evidence
from ..extensions import db_session
from ..models import Attachment, Incident
from ..runtime import runtime
from ..services import evidence, incident_access
from .context import user
from .failures import NotSaved, keeps_typing
from .incident_page import page_context
from .reporter_forms import EvidenceForm
from .reports import stage_uploads
from .triage import as_sent, officer_incident

bp = Blueprint("evidence", __name__, url_prefix="/incidents/<int:incident_id>")


@bp.app_template_global("came_with_report")
def came_with_report(attachment: Attachment, incident: Incident) -> bool:
    """Whether ``attachment`` came with the report itself rather than later (found by
    exploratory testing: a file a reporter added with an answer days later was shown as
    "with the report")."""
    return domain_evidence.came_with_report(attachment.uploaded_at, incident.reported_at)


PREVIEWABLE = frozenset({"image/png", "image/jpeg", "application/pdf"})
#: Nothing may run or load in a preview; a PDF needs the browser's own viewer (object-src).
PREVIEW_CSP = "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"


@bp.get("/attachments/<int:attachment_id>/view")
@login_required
def preview(incident_id: int, attachment_id: int) -> ResponseReturnValue:
    found = incident_access.visible_attachment(db_session(), user(), incident_id, attachment_id)
    if found is None or found.content_type not in PREVIEWABLE or found.erased_at is not None:
        abort(404)
    response = send_file(
        runtime().store.open(found.storage_key),
        mimetype=found.content_type,
        as_attachment=False,
        download_name=found.filename,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.post("/evidence")
@keeps_typing(as_sent("evidence_form", EvidenceForm), NotSaved.WORK)
@login_required
def add(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = EvidenceForm()
    valid = form.validate_on_submit()
    pending = stage_uploads(form, user())
    if valid and not form.evidence.errors:
        if not pending:
            form.evidence.errors.append(_("Choose at least one file."))
        else:
            evidence.add_to_incident(
                db_session(),
                incident,
                pending,
                note=form.note.data or "",
                user=user(),
                clock=runtime().clock,
            )
            flash(_("The evidence was added."), "success")
            return redirect(url_for("incidents.show", incident_id=incident.id) + "#evidence")
    page = page_context(incident, evidence_form=form)
    return render_template("incidents/show.html", pending=pending, **page), 422
