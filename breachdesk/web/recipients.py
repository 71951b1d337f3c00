"""The list of people to inform: upload or paste, map the columns, review, switch over.

Step 1 keeps the uploaded bytes in the instance folder under a random token (nothing is
imported yet); step 2 shows the first rows with a choice per column and stages the import in
chunks (:func:`breachdesk.services.recipients.stage_import`); step 3 shows the counts and the
refused rows (with a downloadable error report) and switches the list over at once, or
discards it. Every error is shown at the step where it happened.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import login_required

from ..domain.recipients import FIELD_LABELS, MULTI_COLUMN, Field, Mapping
from ..extensions import db_session
from ..models import Incident, RecipientImport
from ..runtime import runtime
from ..services import recipients as service
from ..services.recipients import RecipientImportError
from .context import actor, user
from .triage import officer_incident

bp = Blueprint("recipients", __name__, url_prefix="/incidents/<int:incident_id>/people/recipients")
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "pending-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pending(incident: Incident, token: str) -> tuple[bytes, str]:
    """The uploaded file of this user and incident (404 when gone or someone else's)."""
    if not TOKEN.match(token):
        abort(404)
    meta_path = _folder() / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
        data = runtime().vault.read_bytes(_folder() / f"{token}.bin")  # a list of people
    except (OSError, ValueError):
        abort(404)
    if meta.get("incident") != incident.id or meta.get("user") != user().id:
        abort(404)
    return data, str(meta.get("filename", ""))


def _forget_stale(max_age: float = 24 * 3600) -> None:
    """Uploads never mapped (the FG went away) are personal data too: gone after a day."""
    limit = time.time() - max_age
    for path in _folder().glob("*.*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def _forget(token: str) -> None:
    for suffix in (".bin", ".json"):
        (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


@bp.get("/new")
@login_required
def upload_form(incident_id: int) -> ResponseReturnValue:
    return render_template("people/upload.html", incident=officer_incident(incident_id))


@bp.post("/new")
@login_required
def upload(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    file = request.files.get("file")
    pasted = request.form.get("pasted", "")
    if file is not None and file.filename:
        data, filename = file.read(service.MAX_BYTES + 1), file.filename
    elif pasted.strip():
        data, filename = pasted.encode("utf-8"), ""
    else:
        return _upload_error(incident, _("Choose a file, or paste the list."), pasted)
    try:
        service.read_table(data, filename)
    except RecipientImportError as error:
        return _upload_error(incident, _(error.message, **error.params), pasted)
    _forget_stale()
    token = uuid.uuid4().hex
    runtime().vault.write(_folder() / f"{token}.bin", data)  # encrypted at rest
    meta = {"incident": incident.id, "user": user().id, "filename": filename}
    (_folder() / f"{token}.json").write_text(json.dumps(meta), "utf-8")
    return redirect(url_for("recipients.mapping", incident_id=incident.id, token=token))


def _upload_error(incident: Incident, message: str, pasted: str) -> ResponseReturnValue:
    page = render_template("people/upload.html", incident=incident, error=message, pasted=pasted)
    return page, 422


def _columns_from_form(column_count: int) -> Mapping:
    """The mapping from one choice per column (``col-<n>``) and the header checkbox."""
    chosen: dict[str, list[int]] = {}
    for index in range(column_count):
        value = request.form.get(f"col-{index}", "")
        if value in {f.value for f in Field}:
            chosen.setdefault(value, []).append(index)
    data: dict[str, Any] = {"has_header": request.form.get("has_header") == "y"}
    for key, columns in chosen.items():
        if Field(key) not in MULTI_COLUMN and len(columns) > 1:
            raise RecipientImportError(
                "mapping",
                "“%(field)s” is chosen for more than one column.",
                {"field": _(FIELD_LABELS[Field(key)])},
            )
        data[key] = columns if Field(key) in MULTI_COLUMN else columns[0]
    return Mapping.from_json(data)


def _chosen(mapping: Mapping) -> dict[int, str]:
    return {col: f.value for f, cols in mapping.columns().items() for col in cols}


@bp.route("/map/<token>", methods=["GET", "POST"])
@login_required
def mapping(incident_id: int, token: str) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    data, filename = _pending(incident, token)
    table = service.read_table(data, filename)
    chosen, has_header, error = _chosen(table.proposed), table.has_header, None
    if request.method == "POST":
        try:
            mapping = _columns_from_form(len(table.headers))
            imported = service.stage_import(
                db_session(),
                incident,
                data,
                filename,
                mapping,
                user=user(),
                actor=actor(),
                clock=runtime().clock,
            )
        except RecipientImportError as failure:
            error = _(failure.message, **failure.params)
            chosen = {i: request.form.get(f"col-{i}", "") for i in range(len(table.headers))}
            has_header = request.form.get("has_header") == "y"
        else:
            _forget(token)
            return redirect(
                url_for("recipients.review", incident_id=incident.id, import_id=imported.id)
            )
    fields = [(f.value, _(label)) for f, label in FIELD_LABELS.items()]
    return render_template(
        "people/mapping.html",
        incident=incident,
        table=table,
        token=token,
        fields=fields,
        chosen=chosen,
        has_header=has_header,
        error=error,
        filename=filename,
    ), (422 if error else 200)


def _import(incident: Incident, import_id: int) -> RecipientImport:
    found = db_session().get(RecipientImport, import_id)
    if found is None or found.incident_id != incident.id:
        abort(404)
    return found


@bp.get("/<int:import_id>")
@login_required
def review(incident_id: int, import_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    imp = _import(incident, import_id)
    current = service.active_import(db_session(), incident)
    return render_template(
        "people/review.html",
        incident=incident,
        imp=imp,
        # Using this list replaces the one in use: the page says so, with its size.
        replaces=current if current is not None and current.id != imp.id else None,
    )


@bp.post("/<int:import_id>/<any(activate, discard):action>")
@login_required
def decide(incident_id: int, import_id: int, action: str) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    imp = _import(incident, import_id)
    try:
        if action == "activate":
            service.activate(db_session(), imp, actor=actor(), clock=runtime().clock)
            flash(_("The list is in use: %(n)d people.", n=imp.valid_rows), "success")
        else:
            service.discard(db_session(), imp, actor=actor(), clock=runtime().clock)
            flash(_("The list was set aside; nothing of it is used."), "info")
    except RecipientImportError as error:
        flash(_(error.message, **error.params), "danger")
        return redirect(url_for("recipients.review", incident_id=incident.id, import_id=imp.id))
    return redirect(url_for("people.show", incident_id=incident.id) + "#recipients")


@bp.get("/<int:import_id>/errors.csv")
@login_required
def errors_csv(incident_id: int, import_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    imp = _import(incident, import_id)
    body = service.error_report_csv(imp, _)
    errors_word = pgettext("file name", "import-errors")
    name = f"{incident.reference}-{errors_word}-{imp.id}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store, private",
        },
    )
