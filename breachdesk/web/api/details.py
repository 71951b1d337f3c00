"""An incident's parts: its assessment, decisions, filings, notices and remedial actions.

Read with a ``read`` (or ``write``) token of an FG or administrator, as the incident page.
"""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint

from ...domain.api_access import Scope
from ...domain.assessment import assess
from ...domain.assessment_json import facts_to_dict, recommendation_to_dict
from ...extensions import db_session
from ...services import actions, decisions, people_notices, public_notice
from .auth import authenticated
from .schemas import (
    ActionSchema,
    AssessmentSchema,
    DecisionSchema,
    FilingSchema,
    NoticesSchema,
)
from .views import incident_for

blp = Blueprint(
    "api_details",
    __name__,
    url_prefix="/api/v1/incidents/<int:incident_id>",
    description="An incident's assessment, decisions, filings, notices and actions.",
)


@blp.route("/assessment", methods=["GET"])
@authenticated(Scope.READ)
@blp.response(200, AssessmentSchema)
def assessment(incident_id: int) -> ResponseReturnValue:
    """The risk checklist as saved, and what the rules recommend on it (null: not yet)."""
    incident = incident_for(incident_id)
    facts = decisions.current_facts(incident)
    return {
        "checklist_version": incident.facts_version,
        "confirmed_at": incident.checklist_confirmed_at,
        "facts": facts_to_dict(facts) if facts else None,
        "recommendation": recommendation_to_dict(assess(facts)) if facts else None,
    }


@blp.route("/decisions", methods=["GET"])
@authenticated(Scope.READ)
@blp.response(200, DecisionSchema(many=True))
def decisions_of(incident_id: int) -> ResponseReturnValue:
    """Every version of the decision on notifying, oldest first."""
    return incident_for(incident_id).decisions


@blp.route("/filings", methods=["GET"])
@authenticated(Scope.READ)
@blp.response(200, FilingSchema(many=True))
def filings(incident_id: int) -> ResponseReturnValue:
    """Notifications to the AP (or, as processor, to the controller), oldest first."""
    return incident_for(incident_id).notifications


@blp.route("/notices", methods=["GET"])
@authenticated(Scope.READ)
@blp.response(200, NoticesSchema)
def notices(incident_id: int) -> ResponseReturnValue:
    """The notice to the people affected (every version) and the public communication."""
    incident = incident_for(incident_id)
    return {
        "people": people_notices.versions(db_session(), incident),
        "public": public_notice.public_notice_of(db_session(), incident),
    }


@blp.route("/actions", methods=["GET"])
@authenticated(Scope.READ)
@blp.response(200, ActionSchema(many=True))
def remedial_actions(incident_id: int) -> ResponseReturnValue:
    """The remedial actions and how they stand."""
    return actions.actions_of(db_session(), incident_for(incident_id))
