"""The JSON API under ``/api/v1``: personal access tokens, problem details, an OpenAPI 3.1
document generated from the code (flask-smorest), and interactive docs from local files.

Views are thin, as on the web: they check the token (:mod:`.auth`), bind the request to a
schema (:mod:`.schemas`) and call the same services as the web's views. Reads are written to
the access log (logger ``breachdesk.api.access``, one line per request), never to the audit
chain; writes and exports are audited by the services, as the token's user, with the token's
id in the actor's label.
"""

from __future__ import annotations

import http
import json
import logging
import time
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_smorest import Api

from ...extensions import csrf, login_manager
from .auth import access, started
from .problems import PREFIX, ProblemSchema, install_problems, is_api_request
from .schemas import ReportSchema

access_log = logging.getLogger("breachdesk.api.access")

SETTINGS: dict[str, Any] = {
    "API_TITLE": "breachdesk API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
    # Requests per token (a fixed window each), counted in the database like every limit.
    "API_RATE_LIMIT": "120 per minute;3000 per hour",
}

DESCRIPTION = """\
Report personal-data breaches from another system, and read the register of the
organisation. Authenticate with a personal access token (made on your account page) as
`Authorization: Bearer bd_...`. Every error is an RFC 9457 problem
(`application/problem+json`). `POST /reports` takes an `Idempotency-Key` header; writes to
an incident need `If-Match` with the incident's `ETag`.
"""


def _markdown(node: Any) -> Any:
    """``node`` with every summary's and description's reStructuredText inline code (``x``)
    as Markdown's (`x`); names, patterns and examples as they are."""
    if isinstance(node, dict):
        return {
            key: value.replace("``", "`")
            if key in ("summary", "description") and isinstance(value, str)
            else _markdown(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_markdown(value) for value in node]
    return node


class BreachdeskApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, with its errors documented and answered as problem details.

    Its own error handler (JSON for every HTTPException of the whole app) is not installed:
    the web keeps its HTML pages, the API gets problems (:func:`install_problems`).
    """

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        pass

    def _openapi_json(self) -> Any:
        """The spec as JSON, its texts in Markdown (what Swagger UI renders): the docstrings'
        reStructuredText ``code`` showed its backticks doubled (found by exploratory testing)."""
        return current_app.response_class(
            json.dumps(_markdown(self.spec.to_dict()), indent=2, ensure_ascii=False),
            mimetype="application/json",
        )

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {"application/problem+json": {"schema": "Problem"}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            "DEFAULT_ERROR",
            {
                "description": "A problem (RFC 9457)",
                "content": {"application/problem+json": {"schema": "Problem"}},
            },
            lazy=True,
        )


def install_api(app: Flask) -> None:
    """Bind the API to ``app``; call after the web registered its blueprints and handlers."""
    from . import assess, details, docs, export, incidents, reports, writes

    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    api = BreachdeskApi(
        spec_kwargs={
            "info": {"description": DESCRIPTION},
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
        }
    )
    api.init_app(app)
    api.spec.components.schema("Problem", schema=ProblemSchema)
    api.spec.components.schema("Report", schema=ReportSchema)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "bd_..."}
    )
    api.spec.components.schema(assess.COMPONENT, component=assess.input_schema())
    for module in (reports, incidents, details, writes, assess, export):
        api.register_blueprint(module.blp)
        csrf.exempt(module.blp)
    app.register_blueprint(docs.bp)
    csrf.exempt(app.blueprints["api-docs"])
    app.extensions["breachdesk_api"] = api
    install_problems(app)

    def api_clock() -> None:
        if is_api_request():
            started()
            # Never the session cookie's user, not even for the language of an export.
            g._login_user = login_manager.anonymous_user()  # noqa: SLF001 - Flask-Login's cache

    # First of all: before the web's second-factor guard looks at a session cookie.
    app.before_request_funcs.setdefault(None, []).insert(0, api_clock)

    @app.after_request
    def api_access_log(response: Response) -> Response:
        if is_api_request() and "api_started" in g:
            found = g.get("api_access")
            access_log.info(
                "token=%s user=%s %s %s %d %.1fms",
                found.token.id if found else "-",
                found.user.id if found else "-",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - g.api_started) * 1000,
            )
        return response


__all__ = ["access", "install_api"]
