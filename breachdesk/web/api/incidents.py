"""Reading incidents: the register's view of the token's organisation (the same filters as
``/register/``, keyset pages behind an opaque cursor) and one incident with its ETag."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint

from ...domain.api_access import Scope
from ...domain.register import RegisterFilter, parse_filter
from ...extensions import db_session
from ...runtime import runtime
from ...services import register
from ...services.register_query import decode_cursor
from .auth import access, authenticated
from .problems import ApiProblem
from .schemas import IncidentPageSchema, IncidentSchema, ListQuerySchema
from .views import etag, incident_body, incident_for, summary

blp = Blueprint(
    "api_incidents", __name__, url_prefix="/api/v1", description="Read incidents and the register."
)

#: Query arguments of a list that are not the register's filters.
PAGING = ("cursor", "limit", "format")


def register_filter() -> RegisterFilter:
    """The register's filter from the query string, narrowed to the token's organisation;
    422 naming each argument that cannot be understood (the web ignores them and says so)."""
    organisation_id = access().token.organisation_id
    args = {k: v for k, v in request.args.items() if k not in PAGING}
    parsed = parse_filter(args, [organisation_id])
    if parsed.errors:
        raise ApiProblem(
            422,
            "Some filters cannot be understood.",
            kind="validation",
            errors=sorted(parsed.errors.items()),
        )
    return replace(parsed.filter, organisation_id=organisation_id)


@blp.route("/incidents", methods=["GET"])
@authenticated(Scope.READ)
@blp.arguments(ListQuerySchema, location="query", as_kwargs=True)
@blp.response(200, IncidentPageSchema)
def index(**query: Any) -> ResponseReturnValue:
    """The register of the token's organisation, a page at a time, as filtered.

    Pages are keyset pages: an incident reported while you page does not shift the pages
    after it. Follow ``next_cursor`` until it is null.
    """
    wanted = register_filter()
    cursor = query.get("cursor")
    if cursor and decode_cursor(cursor, wanted.sort) is None:
        raise ApiProblem(
            422,
            "This cursor is not one of this list (or of another sort order).",
            kind="validation",
            errors=[("cursor", "Not a cursor of this list.")],
        )
    page = register.view(
        db_session(),
        access().user,
        wanted,
        runtime().clock.now(),
        after=cursor or None,
        per_page=int(query.get("limit") or 50),
    )
    return {
        "items": [summary(row) for row in page.rows],
        "next_cursor": page.next_cursor,
        "total": page.total,
        "total_is_capped": page.more_than,
    }


@blp.route("/incidents/<int:incident_id>", methods=["GET"])
@authenticated(Scope.REPORT)
@blp.response(200, IncidentSchema, headers={"ETag": {"schema": {"type": "string"}}})
def read(incident_id: int) -> ResponseReturnValue:
    """One incident. A ``report`` token reads only the reports of its own user.

    The ``ETag`` goes back as ``If-Match`` on writes to the incident.
    """
    incident = incident_for(incident_id)
    return incident_body(incident), 200, {"ETag": etag(incident)}
