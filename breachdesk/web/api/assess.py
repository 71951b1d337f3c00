"""``POST /assess``: the assessment on posted facts, without the database — the same input
format, checks and answer as ``breachdesk assess FILE.json`` (services/assessment_io.py)."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint

from ...domain.api_access import Scope
from ...domain.assessment import assess
from ...domain.assessment_json import recommendation_to_dict
from ...services.assessment_io import AssessmentInputError, parse_facts_json
from .auth import authenticated
from .problems import ApiProblem, read_json

blp = Blueprint(
    "api_assess",
    __name__,
    url_prefix="/api/v1",
    description="Assess a breach on posted facts (no database).",
)

COMPONENT = "AssessmentInput"


def input_schema() -> dict[str, Any]:
    """The input's JSON Schema as an OpenAPI 3.1 component: its own references rewritten
    to point inside the component (OpenAPI 3.1 schemas are JSON Schema 2020-12)."""
    text = resources.files("breachdesk").joinpath("schemas/assessment-input.schema.json")
    schema = json.loads(text.read_text("utf-8"))
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    base = f"#/components/schemas/{COMPONENT}/"

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (
                    base + v[2:]
                    if k == "$ref" and isinstance(v, str) and v.startswith("#/")
                    else rewrite(v)
                )
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    return dict(rewrite(copy.deepcopy(schema)))


@blp.route("/assess", methods=["POST"])
@authenticated(Scope.REPORT)
@blp.doc(
    requestBody={
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{COMPONENT}"}}},
    },
    responses={
        "200": {
            "description": "The recommendation, as `breachdesk assess --format json` prints it.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def assess_facts() -> ResponseReturnValue:
    """Run the assessment on the facts of a breach (format_version 1 or 2)."""
    if request.mimetype != "application/json":
        raise ApiProblem(415, "Send the facts as application/json.")
    read_json(request.get_data(cache=True), "body")  # a body that is no JSON: one problem
    try:
        facts = parse_facts_json(request.get_data(cache=True).decode("utf-8"), "body")
    except AssessmentInputError as error:
        raise ApiProblem(
            422,
            "The facts cannot be assessed.",
            kind="validation",
            errors=[(path or "body", reason) for path, reason in error.problems],
        ) from None
    return recommendation_to_dict(assess(facts))
