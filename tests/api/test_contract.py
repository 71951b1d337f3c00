"""The API answers as its OpenAPI document says: the document is valid OpenAPI 3.1, and a
property-based run (schemathesis) sends generated requests to every operation with a valid
token and checks that none gets a 5xx and every answer conforms to the document.

The suite runs a fixed-seed slice (``BREACHDESK_API_FUZZ_EXAMPLES``, default 40 per operation
and mode on SQLite, about a thousand requests; 15 on PostgreSQL); ``make fuzz`` runs 100 per
operation and mode, about 2,600 requests.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, seed, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from breachdesk.domain.roles import Role
from breachdesk.models import Organisation

from ..conftest import MakeUser
from .conftest import MakeToken, bearer, report_body

# PostgreSQL refuses what SQLite stores (NUL, lone surrogates, integers past 32 bits), so the
# slice runs there too, smaller: suite time is a budget.
_SLICE = "15" if os.environ.get("BREACHDESK_TEST_DATABASE_URL") else "40"
EXAMPLES = int(os.environ.get("BREACHDESK_API_FUZZ_EXAMPLES", _SLICE))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def test_the_document_is_valid_openapi_3_1(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    paths = set(document["paths"])
    assert {"/api/v1/reports", "/api/v1/incidents", "/api/v1/incidents/{incident_id}"} <= paths
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_docs_page_loads_swagger_ui_from_this_site(client: Any) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html and "//cdn" not in html
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    with client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js") as script:
        assert script.status_code == 200


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_get_no_5xx_and_conforming_answers(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    make_token: MakeToken,
    mode: GenerationMode,
) -> None:
    kruix = orgs["kruix"]
    fg = make_user("fg@x.nl", (kruix, Role.FG))
    token = make_token(fg, kruix, "write")
    for title in ("Eerste", "Tweede"):  # something to read
        assert (
            client.post(
                "/api/v1/reports", json=report_body(title=title), headers=bearer(token)
            ).status_code
            == 201
        )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 3
    seen: dict[int, int] = {}
    for operation in operations:

        @seed(20261205)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            case.headers = {**(case.headers or {}), **bearer(token)}
            response = case.call()
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            case.validate_response(response, checks=CHECKS)

        run()
    print(f"{mode.value}: {sum(seen.values())} requests, by status {dict(sorted(seen.items()))}")
    assert sum(seen.values()) >= len(operations) * min(EXAMPLES, 10)
    assert not any(status >= 500 for status in seen)
