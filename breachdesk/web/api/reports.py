"""Reports through the API: ``POST /reports`` (JSON, or multipart with evidence files) and
the reports the token's user filed. The same service, validation and audit as the form."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import marshmallow as ma
from flask import current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from werkzeug.datastructures import FileStorage

from ...domain.api_access import Scope
from ...domain.report import IncidentReport
from ...extensions import db_session
from ...models import Incident, PendingUpload
from ...runtime import runtime
from ...services import api_idempotency, evidence, incident_access
from ...services import incidents as incident_service
from ...services.api_idempotency import Outcome
from .. import held_uploads
from .auth import access, authenticated
from .problems import MEDIA_TYPE, ApiProblem, ProblemSchema, flatten, read_json
from .schemas import CreatedSchema, IncidentSummarySchema, ReportSchema
from .views import summary

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1", description="Report incidents.")

KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,200}")
MULTIPART_BODY = {
    "type": "object",
    "required": ["report"],
    "properties": {
        "report": {"type": "string", "description": "The report as JSON (the Report schema)."},
        "evidence": {"type": "array", "items": {"type": "string", "format": "binary"}},
    },
}
REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
        "multipart/form-data": {
            "schema": MULTIPART_BODY,
            "encoding": {"report": {"contentType": "application/json"}},
        },
    },
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Retrying with the same key and body returns the first report; the same "
    "key with another body is refused (422).",
    "schema": {"type": "string", "pattern": "^[!-~]{1,200}$"},
}


def _load(data: Any) -> dict[str, Any]:
    """The report's fields as IncidentReport's arguments (tuples for the lists)."""
    loaded: dict[str, Any] = ReportSchema().load(data)
    for name in ("processor_keys", "data_category_keys", "subject_group_keys", "containment"):
        loaded[name] = tuple(loaded[name])
    return loaded


def _body() -> tuple[Any, list[FileStorage]]:
    if request.mimetype == "application/json":
        return read_json(request.get_data(cache=True), "body"), []
    if request.mimetype == "multipart/form-data":
        text = request.form.get("report")
        if text is None:
            raise ApiProblem(
                422,
                "Missing the report part.",
                kind="validation",
                errors=[("report", "Missing data for required field.")],
            )
        # Every other part is refused, as an unknown JSON field is: a file sent as
        # "evidence[]", or without a file name, was dropped without a word (found by
        # exploratory testing).
        unknown = [name for name in (*request.form, *request.files) if name not in PARTS]
        unnamed = [f for f in request.files.getlist("evidence") if not f.filename]
        if unknown or unnamed or "evidence" in request.form:
            errors = [
                (str(name or "(a part without a name)"), "Unknown part: send files as evidence.")
                for name in dict.fromkeys(unknown)
            ]
            if unnamed or "evidence" in request.form:
                errors.append(("evidence", "Send each file with its file name."))
            raise ApiProblem(
                422, "The request has parts that cannot be accepted.", kind="validation",
                errors=errors,
            )  # fmt: skip
        return read_json(text, "report"), list(request.files.getlist("evidence"))
    raise ApiProblem(
        415,
        "Send application/json, or multipart/form-data with a report part (JSON) and "
        "evidence files.",
    )


#: The parts a multipart report may have.
PARTS = ("report", "evidence")


def _digest(data: Any, files: list[FileStorage]) -> str:
    parts: list[bytes | str] = [json.dumps(data, sort_keys=True, ensure_ascii=True)]
    for upload in files:
        content = upload.stream.read()
        upload.stream.seek(0)
        parts += [upload.filename or "", hashlib.sha256(content).hexdigest()]
    return api_idempotency.digest(*parts)


def _stage(files: list[FileStorage]) -> list[PendingUpload]:
    limit = int(current_app.config["MAX_ATTACHMENTS"])
    if len(files) > limit:
        raise ApiProblem(
            422,
            f"At most {limit} files per report.",
            kind="validation",
            errors=[("evidence", f"At most {limit} files per report.")],
        )
    rt, staged = runtime(), []
    for number, upload in enumerate(files):
        try:
            pending = evidence.stage(
                db_session(),
                user=access().user,
                filename=upload.filename or "",
                stream=upload.stream,
                store=rt.store,
                clock=rt.clock,
                max_bytes=int(current_app.config["MAX_ATTACHMENT_BYTES"]),
                commit=False,  # saved with the report; a refused report leaves no file
            )
        except evidence.UploadRejected as rejected:
            text = rejected.problem.message % rejected.problem.params
            raise ApiProblem(
                422, text, kind="validation", errors=[(f"evidence.{number}", text)]
            ) from None
        held_uploads.hold([pending])
        staged.append(pending)
    return staged


def _create(report: IncidentReport, files: list[FileStorage]) -> Incident:
    found = access()
    try:
        incident = incident_service.submit_report(
            db_session(),
            reporter=found.user,
            organisation=found.token.organisation,
            report=report,
            pending=_stage(files),
            clock=runtime().clock,
            actor=found.actor,
        )
    except incident_service.ReportRejected as rejected:
        errors = [(p.field, p.message % p.params) for p in rejected.problems]
        raise ApiProblem(
            422, "The report has problems; nothing was stored.", kind="validation", errors=errors
        ) from None
    held_uploads.claimed()
    return incident


def _created(incident: Incident, replayed: bool) -> ResponseReturnValue:
    body = {
        "id": incident.id,
        "reference": incident.reference,
        "state": incident.state,
        "reported_at": incident.reported_at,
        "attachments": len(incident.attachments),
    }
    headers = {"Location": url_for("api_incidents.read", incident_id=incident.id)}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return body, 201, headers


@blp.route("/reports", methods=["POST"])
@authenticated(Scope.REPORT)
@blp.doc(requestBody=REQUEST_BODY, parameters=[IDEMPOTENCY_KEY])
@blp.response(201, CreatedSchema, description="The report is stored (or was, under this key).")
@blp.alt_response(
    400, schema=ProblemSchema, content_type=MEDIA_TYPE, description="The body is not JSON."
)
@blp.alt_response(
    409,
    schema=ProblemSchema,
    content_type=MEDIA_TYPE,
    description="A request with this Idempotency-Key is still being handled (Retry-After).",
)
@blp.alt_response(
    415,
    schema=ProblemSchema,
    content_type=MEDIA_TYPE,
    description="Neither application/json nor multipart/form-data.",
)
@blp.alt_response(
    422,
    schema=ProblemSchema,
    content_type=MEDIA_TYPE,
    description="Fields that cannot be accepted (each in errors), or an Idempotency-Key "
    "used for another request.",
)
def create() -> ResponseReturnValue:
    """Report an incident, as a member of staff does with the form."""
    data, files = _body()
    key = request.headers.get("Idempotency-Key")
    if key is not None and not KEY_PATTERN.fullmatch(key):
        raise ApiProblem(
            422,
            "The Idempotency-Key must be 1 to 200 visible ASCII characters.",
            kind="validation",
            errors=[("Idempotency-Key", "Not a usable key.")],
        )
    try:
        loaded = _load(data)
    except ma.ValidationError as error:
        raise ApiProblem(
            422,
            "The report has fields that cannot be accepted.",
            kind="validation",
            errors=flatten(error.messages),
        ) from None
    report = IncidentReport(**loaded)
    if key is None:
        return _created(_create(report, files), False)
    session, found = db_session(), access()
    claim = api_idempotency.claim(
        session, found.token.id, key, _digest(data, files), clock=runtime().clock
    )
    if claim.outcome is Outcome.MISMATCH:
        raise ApiProblem(
            422,
            "This Idempotency-Key was used for another request.",
            kind="idempotency",
            errors=[("Idempotency-Key", "Used before.")],
        )
    if claim.outcome is Outcome.IN_PROGRESS:
        raise ApiProblem(
            409,
            "A request with this Idempotency-Key is being handled; retry in a moment.",
            kind="in-progress",
            headers={"Retry-After": "2"},
        )
    if claim.outcome is Outcome.REPLAY:
        assert claim.incident_id is not None  # noqa: S101 - a replay names its incident
        return _created(session.get_one(Incident, claim.incident_id), True)
    assert claim.row_id is not None  # noqa: S101 - a new claim has a row
    try:
        incident = _create(report, files)
    except BaseException:
        api_idempotency.release(session, claim.row_id)
        raise
    api_idempotency.settle(session, claim.row_id, incident.id)
    return _created(incident, False)


@blp.route("/reports", methods=["GET"])
@authenticated(Scope.REPORT)
@blp.response(200, IncidentSummarySchema(many=True))
def mine() -> ResponseReturnValue:
    """The reports the token's user filed in its organisation, newest first (at most 200)."""
    found = access()
    own = incident_access.reports_by(
        db_session(), found.user, organisation_id=found.token.organisation_id
    )
    return [summary(i) for i in own[:200]]
