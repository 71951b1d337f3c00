"""Writes to an incident with a ``write`` token (the organisation's FG): record awareness,
save the risk checklist, record a decision. The same services as the FG's forms.

Optimistic locking: each write needs ``If-Match`` with the ETag of the incident as last read
(428 without, 412 when it changed since). The versions the services guard themselves (the
checklist's, the decision's) are passed on as seen, so a write racing another between the
check and the save is refused (412) as well, never merged.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint

from ...domain.api_access import Scope
from ...domain.lifecycle import TransitionRefused
from ...extensions import db_session
from ...models import Incident
from ...runtime import runtime
from ...services import decisions, triage
from ...services.assessment_io import AssessmentInputError, load_facts
from ...services.versioning import StaleEdit
from ...services.workflow import TriageError
from .auth import access, authenticated
from .problems import MEDIA_TYPE, ApiProblem, ProblemSchema, read_json
from .schemas import (
    AwarenessInputSchema,
    ChecklistInputSchema,
    DecisionInputSchema,
    IncidentSchema,
)
from .views import etag, incident_body, incident_for, require_match

blp = Blueprint(
    "api_writes",
    __name__,
    url_prefix="/api/v1/incidents/<int:incident_id>",
    description="Record awareness, the checklist and decisions (write tokens).",
)

F = TypeVar("F", bound=Callable[..., Any])
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The ETag of the incident as you last read it.",
    "schema": {"type": "string"},
}
ETAG = {"ETag": {"schema": {"type": "string"}}}
#: What a write answers besides 200 and 422, listed in the OpenAPI document (it listed only
#: 200, 422 and a default: found by exploratory testing).
WRITE_REFUSALS = {
    400: "The body is not JSON.",
    409: "The incident's state does not allow this now.",
    412: "The incident changed since the ETag sent in If-Match was read.",
    415: "The body is not application/json.",
    428: "If-Match is missing.",
}


def _refusals(view: F) -> F:
    for status, text in WRITE_REFUSALS.items():
        document = blp.alt_response(
            status, schema=ProblemSchema, content_type=MEDIA_TYPE, description=text
        )
        view = document(view)
    return view


def json_only(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if request.mimetype != "application/json":
            raise ApiProblem(415, "Send application/json.")
        read_json(request.get_data(cache=True), "body")  # a body that is no JSON: one problem
        return view(*args, **kwargs)

    return cast(F, wrapped)


def _answer(incident: Incident) -> ResponseReturnValue:
    db_session().refresh(incident)
    return incident_body(incident), 200, {"ETag": etag(incident)}


def _guarded(incident_id: int) -> Incident:
    incident = incident_for(incident_id)
    require_match(incident)
    return incident


def _refused(error: Exception) -> ApiProblem:
    db_session().rollback()
    if isinstance(error, StaleEdit):
        return ApiProblem(
            412, "The incident changed meanwhile; read it again and retry.", kind="stale"
        )
    if isinstance(error, TriageError):
        text = error.message
        return ApiProblem(422, text, kind="validation", errors=[(error.field or "body", text)])
    assert isinstance(error, TransitionRefused)  # noqa: S101 - the three the services raise
    return ApiProblem(409, str(error), kind="refused")


@blp.route("/awareness", methods=["POST"])
@authenticated(Scope.WRITE)
@json_only
@blp.arguments(AwarenessInputSchema)
@blp.doc(parameters=[IF_MATCH])
@blp.response(200, IncidentSchema, headers=ETAG)
@_refusals
def awareness(body: dict[str, Any], incident_id: int) -> ResponseReturnValue:
    """Record (or correct, with a reason) when the organisation became aware: the 72 hours
    start there."""
    incident = _guarded(incident_id)
    try:
        triage.record_awareness(
            db_session(),
            incident,
            body["aware_at"],
            body["reason"],
            actor=access().actor,
            clock=runtime().clock,
        )
    except (TriageError, TransitionRefused) as error:
        raise _refused(error) from None
    return _answer(incident)


@blp.route("/checklist", methods=["PUT"])
@authenticated(Scope.WRITE)
@json_only
@blp.arguments(ChecklistInputSchema)
@blp.doc(parameters=[IF_MATCH])
@blp.response(200, IncidentSchema, headers=ETAG)
@_refusals
def checklist(body: dict[str, Any], incident_id: int) -> ResponseReturnValue:
    """Save the risk checklist's answers (``confirm``: complete, and the incident is assessed).
    Idempotent: the same answers again change nothing and answer 200 with the current ETag,
    also to a retry whose ``If-Match`` names the version before its own first try."""
    incident = incident_for(incident_id)
    try:
        facts = load_facts({"format_version": 2, "facts": body["facts"]}, "body")
    except AssessmentInputError as error:
        raise ApiProblem(
            422,
            "The answers cannot be used.",
            kind="validation",
            errors=[(path or "facts", reason) for path, reason in error.problems],
        ) from None
    if decisions.unchanged_checklist(incident, facts, confirm=body["confirm"]):
        require_match(incident, stale_ok=True)  # still needs If-Match; a retry may be stale
        return _answer(incident)
    require_match(incident)
    try:
        decisions.save_checklist(
            db_session(),
            incident,
            facts,
            confirm=body["confirm"],
            actor=access().actor,
            clock=runtime().clock,
            seen_version=incident.facts_version,
        )
    except (StaleEdit, TransitionRefused) as error:
        raise _refused(error) from None
    return _answer(incident)


@blp.route("/decision", methods=["POST"])
@authenticated(Scope.WRITE)
@json_only
@blp.arguments(DecisionInputSchema)
@blp.doc(parameters=[IF_MATCH])
@blp.response(200, IncidentSchema, headers=ETAG)
@_refusals
def decision(body: dict[str, Any], incident_id: int) -> ResponseReturnValue:
    """Record a decision on notifying (a new version if there was one)."""
    incident = _guarded(incident_id)
    latest = incident.decisions[-1].version if incident.decisions else 0
    try:
        decisions.record_decision(
            db_session(),
            incident,
            outcome=body["outcome"],
            rationale=body["rationale"],
            actor=access().actor,
            clock=runtime().clock,
            seen_decision=latest,
            seen_checklist=incident.facts_version,
        )
    except (StaleEdit, TriageError, TransitionRefused) as error:
        raise _refused(error) from None
    return _answer(incident)
