"""Every error of the JSON API in one shape: RFC 9457 problem details.

``application/problem+json`` with ``type``, ``title``, ``status`` and ``detail``; a request
that failed on its fields also carries ``errors``: one ``{"field", "detail"}`` per problem.
The app's HTML error pages stay for the web: :func:`install_problems` wraps the handlers the
web registered, so a request under the API's prefix gets a problem instead, whatever raised
the error (a view, the router, a failing database).
"""

from __future__ import annotations

import json as stdjson
import logging
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

import marshmallow as ma
from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from ...extensions import db
from ..failures import STORAGE_FAILURES

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
MEDIA_TYPE = "application/problem+json"
#: ``type`` of the problems that have a meaning of their own (others are ``about:blank``).
TYPES = {
    "validation": "urn:breachdesk:problem:validation",
    "stale": "urn:breachdesk:problem:stale-version",
    "idempotency": "urn:breachdesk:problem:idempotency-key-reused",
    "in-progress": "urn:breachdesk:problem:idempotency-key-in-progress",
    "refused": "urn:breachdesk:problem:refused",
}


class FieldErrorSchema(ma.Schema):
    field = ma.fields.String(required=True, metadata={"description": "The field, dotted."})
    detail = ma.fields.String(required=True)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(required=True, metadata={"description": "A URI for the kind."})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    errors = ma.fields.List(
        ma.fields.Nested(FieldErrorSchema), metadata={"description": "The fields that failed."}
    )


class ApiProblem(HTTPException):
    """Raise to answer with a problem (any status, headers, field errors)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: Iterable[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.code = status
        self.kind = kind
        self.errors = list(errors)
        self.extra_headers = dict(headers or {})


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def problem_response(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    errors: Iterable[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPES.get(kind or "", "about:blank"),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    found = [{"field": field, "detail": text} for field, text in errors]
    if found:
        body["errors"] = found
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow/webargs messages (nested dicts of lists) as (dotted field, text) pairs.
    The request part webargs puts first (``json``, ``query``, ...) is left out."""
    pairs: list[tuple[str, str]] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if not prefix and key in ("json", "query", "form", "files", "headers", "view_args"):
                pairs += flatten(value, "")
            elif key == "_schema":  # marshmallow's name for the object as a whole
                pairs += flatten(value, prefix)
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
                pairs += flatten(value, name)
    elif isinstance(messages, list | tuple):
        for value in messages:
            pairs += flatten(value, prefix)
    else:
        pairs.append((prefix or "body", str(messages)))
    return pairs


def _from_http(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, ApiProblem):
        return problem_response(
            status,
            str(error.description),
            kind=error.kind,
            errors=error.errors,
            headers=error.extra_headers,
        )
    headers: dict[str, str] = {}
    errors: list[tuple[str, str]] = []
    data = getattr(error, "data", None) or {}  # webargs' abort: the validation messages
    if "messages" in data:
        errors = flatten(data["messages"])
    if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    retry = getattr(error, "retry_after", None)
    if status == 429:
        headers["Retry-After"] = str(int(retry or 60))
    detail = {
        404: "No such resource, or not one this token may see.",
        405: "This method is not allowed here.",
        413: "The request is too large.",
        422: "The request has fields that cannot be accepted.",
    }.get(status, str(error.description or HTTPStatus(status).description))
    return problem_response(
        status, detail, kind="validation" if errors else None, errors=errors, headers=headers
    )


def as_problem(error: BaseException) -> Response:
    """The problem for any error met while answering an API request."""
    if isinstance(error, HTTPException):
        original = getattr(error, "original_exception", None)
        if error.code == 500 and original is not None:
            return as_problem(original)
        return _from_http(error)
    db.session.rollback()
    if isinstance(error, STORAGE_FAILURES):
        log.warning("API: storage unavailable for %s: %s", request.path, error)
        return problem_response(
            503,
            "The database or the file store is unavailable; try again later.",
            headers={"Retry-After": "60"},
        )
    log.exception("API: unexpected error for %s", request.path, exc_info=error)
    return problem_response(500, "An unexpected error; it has been logged.")


Handler = Callable[[Any], Any]


def _api_first(handler: Handler) -> Handler:
    def handle(error: Any) -> Any:
        if is_api_request():
            return as_problem(error)
        return handler(error)

    return handle


def _web_default(error: HTTPException) -> Any:
    return error  # Werkzeug's own response, as before the API existed


def install_problems(app: Flask) -> None:
    """Answer API requests with problems; call after the web registered its error pages."""
    for by_class in app.error_handler_spec[None].values():
        for cls, handler in list(by_class.items()):
            by_class[cls] = _api_first(handler)
    if HTTPException not in app.error_handler_spec[None][None]:
        app.register_error_handler(HTTPException, _api_first(_web_default))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def read_json(text: str | bytes, field: str) -> Any:
    """``text`` read as JSON; else a 400 naming ``field`` ("body" or "report") and where the
    JSON stopped making sense: one problem for a body that is no JSON, whichever endpoint it
    was sent to (there were three: found by exploratory testing)."""
    try:
        return stdjson.loads(text, parse_constant=_refuse_constant)
    except stdjson.JSONDecodeError as error:
        where = f"{error.msg} (line {error.lineno}, column {error.colno})"
    except UnicodeDecodeError:
        where = "not UTF-8 text"
    except (ValueError, RecursionError) as error:
        where = str(error) if isinstance(error, ValueError) else "nested too deeply"
    part = "body" if field == "body" else "report part"
    raise ApiProblem(
        400,
        f"The {part} is not valid JSON.",
        kind="validation",
        errors=[(field, f"Not valid JSON: {where}.")],
    )
