"""Creating reports through the API: the form's validation and audit, idempotency keys,
attachments, and the problems a bad request gets."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Attachment, AuditEvent, Incident, Organisation, PendingUpload

from ..conftest import MakeUser
from .conftest import MakeToken, bearer, report_body

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def incidents() -> int:
    return int(db.session.execute(select(func.count()).select_from(Incident)).scalar_one())


def test_a_report_token_creates_a_report_audited_as_its_user(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, make_token: MakeToken
) -> None:
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    token = make_token(reporter, kruix, "report")
    category = kruix.profile["data_categories"][0]["key"]
    response = client.post(
        "/api/v1/reports", json=report_body(data_category_keys=[category]), headers=bearer(token)
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["reference"] == "KRX-2026-0001" and body["state"] == "reported"
    assert response.headers["Location"] == f"/api/v1/incidents/{body['id']}"
    incident = db.session.get(Incident, body["id"])
    assert incident is not None and incident.reporter_id == reporter.id
    assert incident.discovered_at.isoformat() == "2026-11-19T08:30:00+00:00"
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.reported")
    ).scalar_one()
    assert event.actor_id == reporter.id
    assert event.actor_label.startswith("R <r@x.nl> (API token ")
    # the reporter reads their own report back, with its ETag
    read = client.get(response.headers["Location"], headers=bearer(token))
    assert read.status_code == 200 and read.get_json()["data_category_keys"] == [category]
    assert read.headers["ETag"].strip('"') == read.get_json()["version"]


def test_the_domain_s_problems_are_field_errors_and_nothing_is_stored(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, make_token: MakeToken
) -> None:
    kruix = orgs["kruix"]
    token = make_token(make_user("r@x.nl", (kruix, Role.REPORTER)), kruix, "report")
    body = report_body(
        title=" ", discovered_at="2027-01-01T00:00:00+01:00", data_category_keys=["nope"]
    )
    response = client.post("/api/v1/reports", json=body, headers=bearer(token))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422 and problem["type"] == "urn:breachdesk:problem:validation"
    fields = {error["field"] for error in problem["errors"]}
    assert fields == {"title", "discovered_at", "data_category_keys"}
    assert incidents() == 0


def test_shape_errors_name_the_field(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, make_token: MakeToken
) -> None:
    kruix = orgs["kruix"]
    token = make_token(make_user("r@x.nl", (kruix, Role.REPORTER)), kruix, "report")
    cases: list[tuple[Any, set[str]]] = [
        (report_body(discovered_at="2026-11-19T08:30"), {"discovered_at"}),  # no zone
        (report_body(subjects_exact=2**40), {"subjects_exact"}),
        # Found by exploratory testing: 1.9 people was stored as 1, "40" read as 40, a year 1
        # stored (a deadline in year 1), and a year 1 at +14:00 a 500 (overflow into year 0).
        (report_body(subjects_exact=1.9), {"subjects_exact"}),
        (report_body(subjects_exact="40"), {"subjects_exact"}),
        (report_body(subjects_exact=1_000_000_001), {"subjects_exact"}),  # the form's bound
        (report_body(discovered_at="0001-01-01T00:00:00Z"), {"discovered_at"}),
        (report_body(discovered_at="1969-12-31T23:00:00Z"), {"discovered_at"}),
        (report_body(discovered_at="0001-01-01T00:00:00+14:00"), {"discovered_at"}),
        (report_body(discovered_at="9999-12-31T23:59:59-14:00"), {"discovered_at"}),
        (report_body(title="\u200b\u200b"), {"title"}),  # nothing visible: no title
        (report_body(title="a\x00b"), {"title"}),
        (report_body(colour="red"), {"colour"}),
        ([1, 2], {"body"}),  # not marshmallow's internal "_schema"
    ]
    for body, expected in cases:
        response = client.post("/api/v1/reports", json=body, headers=bearer(token))
        assert response.status_code == 422, body
        assert {e["field"] for e in response.get_json()["errors"]} == expected
    lone = '{"title": "\\ud800", "description": "x", "discovered_at": "2026-11-19T08:30:00Z"}'
    response = client.post(
        "/api/v1/reports", data=lone, content_type="application/json", headers=bearer(token)
    )
    assert response.status_code == 422
    for data, content_type, status in (
        ("{not json", "application/json", 400),
        ("title=x", "application/x-www-form-urlencoded", 415),
        ("NaN", "application/json", 400),
    ):
        response = client.post(
            "/api/v1/reports", data=data, content_type=content_type, headers=bearer(token)
        )
        assert response.status_code == status and response.mimetype == "application/problem+json"
        if status == 400:  # said at the field, as the README promises for bad input
            problem = response.get_json()
            assert problem["type"] == "urn:breachdesk:problem:validation"
            assert [e["field"] for e in problem["errors"]] == ["body"]
    not_json = client.post(
        "/api/v1/reports",
        data={"report": "{'title': 'x'}"},
        content_type="multipart/form-data",
        headers=bearer(token),
    ).get_json()
    assert not_json["errors"] == [
        {
            "field": "report",
            "detail": "Not valid JSON: Expecting property name enclosed in double quotes "
            "(line 1, column 2).",
        }
    ]
    assert incidents() == 0


def test_an_idempotency_key_makes_one_report_and_refuses_another_body(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, make_token: MakeToken
) -> None:
    kruix = orgs["kruix"]
    token = make_token(make_user("r@x.nl", (kruix, Role.REPORTER)), kruix, "report")
    headers = bearer(token, **{"Idempotency-Key": "ticket-4711"})
    first = client.post("/api/v1/reports", json=report_body(), headers=headers)
    again = client.post("/api/v1/reports", json=report_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert incidents() == 1
    other = client.post("/api/v1/reports", json=report_body(title="Ander"), headers=headers)
    assert other.status_code == 422
    assert other.get_json()["type"] == "urn:breachdesk:problem:idempotency-key-reused"
    # a failed create releases the key: fixed and sent again under it, it is made
    fresh = bearer(token, **{"Idempotency-Key": "ticket-4712"})
    assert (
        client.post("/api/v1/reports", json=report_body(title=""), headers=fresh).status_code == 422
    )
    assert client.post("/api/v1/reports", json=report_body(), headers=fresh).status_code == 201
    assert incidents() == 2
    bad_key = bearer(token, **{"Idempotency-Key": "met spatie"})
    assert client.post("/api/v1/reports", json=report_body(), headers=bad_key).status_code == 422


def test_attachments_as_multipart(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    make_token: MakeToken,
) -> None:
    kruix = orgs["kruix"]
    token = make_token(make_user("r@x.nl", (kruix, Role.REPORTER)), kruix, "report")
    data = {
        "report": json.dumps(report_body()),
        "evidence": [(io.BytesIO(PNG), "schermafdruk.png")],
    }
    response = client.post(
        "/api/v1/reports", data=data, content_type="multipart/form-data", headers=bearer(token)
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["attachments"] == 1
    attachment = db.session.execute(select(Attachment)).scalar_one()
    assert attachment.filename == "schermafdruk.png" and attachment.size == len(PNG)
    refused = {"report": json.dumps(report_body()), "evidence": [(io.BytesIO(b"MZ\x90"), "x.exe")]}
    response = client.post(
        "/api/v1/reports", data=refused, content_type="multipart/form-data", headers=bearer(token)
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "evidence.0"
    assert incidents() == 1
    # A good file with a refused one, and a good file with a report the rules refuse: nothing
    # of either stays behind (no pending row, no file), only the first report's attachment.
    future = report_body(discovered_at="2030-01-01T10:00:00Z")
    for report, files in (
        (report_body(), [(io.BytesIO(PNG), "goed.png"), (io.BytesIO(b"MZ\x90"), "x.exe")]),
        (future, [(io.BytesIO(PNG), "goed.png")]),
    ):
        response = client.post(
            "/api/v1/reports",
            data={"report": json.dumps(report), "evidence": files},
            content_type="multipart/form-data",
            headers=bearer(token),
        )
        assert response.status_code == 422, response.get_json()
    assert incidents() == 1
    # A file under another part name, or without a file name, is refused, not dropped (it
    # was: 201 with "attachments": 0; found by exploratory testing).
    for parts in (
        {"evidence[]": [(io.BytesIO(PNG), "goed.png")]},
        {"evidence": [(io.BytesIO(PNG), "")]},
        {"evidence": "geen bestand"},
    ):
        response = client.post(
            "/api/v1/reports",
            data={"report": json.dumps(report_body()), **parts},
            content_type="multipart/form-data",
            headers=bearer(token),
        )
        assert response.status_code == 422, (parts, response.get_json())
        assert response.get_json()["errors"][0]["field"] in ("evidence[]", "evidence")
    assert incidents() == 1
    assert db.session.execute(select(func.count()).select_from(PendingUpload)).scalar_one() == 0
    stored = [p for p in Path(app.config["ATTACHMENT_DIR"]).rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [attachment.storage_key.rsplit("/", 1)[-1]]


def test_the_own_reports_list(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, make_token: MakeToken
) -> None:
    kruix = orgs["kruix"]
    mine = make_token(make_user("r@x.nl", (kruix, Role.REPORTER)), kruix, "report")
    theirs = make_token(make_user("s@x.nl", (kruix, Role.REPORTER)), kruix, "report")
    created = client.post("/api/v1/reports", json=report_body(), headers=bearer(mine))
    client.post("/api/v1/reports", json=report_body(title="Van een ander"), headers=bearer(theirs))
    listed = client.get("/api/v1/reports", headers=bearer(mine)).get_json()
    assert [item["id"] for item in listed] == [created.get_json()["id"]]


def test_the_openapi_document_names_every_refusal_of_a_report(client: Any) -> None:
    """Found by testing: POST /reports answered 400, 409, 415 and 422, but its OpenAPI
    document listed only 201 and a default."""
    spec = client.get("/api/v1/openapi.json").get_json()
    answers = spec["paths"]["/api/v1/reports"]["post"]["responses"]
    for status in ("400", "409", "415", "422"):
        assert list(answers[status]["content"]) == ["application/problem+json"], status


def test_an_incident_read_lists_its_files_as_the_token_may_know_them(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    make_token: MakeToken,
) -> None:
    """Found by testing: POST /reports answered "attachments": 1, but GET /incidents/{id}
    said nothing of the files. A read token sees every file's name, size and digest; the
    reporter's own token only the files its user uploaded, not the FG's evidence."""
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    fg = make_user("fg@x.nl", (kruix, Role.FG))
    mine, reader = make_token(reporter, kruix, "report"), make_token(fg, kruix, "read")
    data = {
        "report": json.dumps(report_body()),
        "evidence": [(io.BytesIO(PNG), "schermafdruk.png")],
    }
    created = client.post(
        "/api/v1/reports", data=data, content_type="multipart/form-data", headers=bearer(mine)
    ).get_json()
    own = db.session.execute(select(Attachment)).scalar_one()
    db.session.add(
        Attachment(
            incident_id=own.incident_id, filename="logboek-fg.txt", content_type="text/plain",
            size=3, sha256="ab" * 32, storage_key="fg-evidence", uploaded_by_id=fg.id,
            uploaded_at=own.uploaded_at,
        )
    )  # fmt: skip
    db.session.commit()
    url = f"/api/v1/incidents/{created['id']}"
    seen_by_fg = client.get(url, headers=bearer(reader)).get_json()["attachments"]
    assert [a["filename"] for a in seen_by_fg] == ["schermafdruk.png", "logboek-fg.txt"]
    assert seen_by_fg[0]["size"] == len(PNG) and seen_by_fg[0]["erased"] is False
    assert seen_by_fg[0]["sha256"] == own.sha256
    seen_by_reporter = client.get(url, headers=bearer(mine)).get_json()["attachments"]
    assert [a["filename"] for a in seen_by_reporter] == ["schermafdruk.png"]


def test_a_title_keeps_no_control_characters(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, make_token: MakeToken
) -> None:
    """Found by exploratory testing: a bell, an escape and a right-to-left override in a title
    sent through the API were stored and returned (the forms dropped the override only). A
    one-line field keeps neither; a line break or tab becomes a space."""
    kruix = orgs["kruix"]
    token = make_token(make_user("r@x.nl", (kruix, Role.REPORTER)), kruix, "report")
    title = "Bijlage \u202eexe.live\u202c\x07 verstuurd\x1b[31m\nrood"
    response = client.post("/api/v1/reports", json=report_body(title=title), headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    stored = db.session.execute(select(Incident.title)).scalar_one()
    assert stored == "Bijlage exe.live verstuurd[31m rood"


def test_the_openapi_document_says_what_the_writes_and_filters_accept(client: Any) -> None:
    """Found by exploratory testing: the writes listed only 200, 422 and a default, though they
    answer 400, 409, 412, 415 and 428; the register's year said 1900-2200 where 1970-2099 is
    accepted; and Swagger UI showed the docstrings' ``code`` with its backticks doubled."""
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("awareness", "decision"):
        answers = spec["paths"][f"/api/v1/incidents/{{incident_id}}/{path}"]["post"]["responses"]
        assert {"400", "409", "412", "415", "428"} <= set(answers), path
    parameters = spec["paths"]["/api/v1/register/export"]["get"]["parameters"]
    (year,) = [p["schema"] for p in parameters if p["name"] == "year"]
    assert (year["minimum"], year["maximum"]) == (1970, 2099)
    assert "``" not in json.dumps(spec)


def test_a_boolean_is_true_or_false_not_yes_or_1(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, make_token: MakeToken
) -> None:
    """Found by exploratory testing with schemathesis: "yes", "1" and 1 were read as true,
    though the document says boolean."""
    kruix = orgs["kruix"]
    token = make_token(make_user("r@x.nl", (kruix, Role.REPORTER)), kruix, "report")
    for value in ("yes", "1", 1, None):
        body = report_body(reported_by_processor=value)
        response = client.post("/api/v1/reports", json=body, headers=bearer(token))
        assert response.status_code == 422, (value, response.get_json())
        assert response.get_json()["errors"][0]["field"] == "reported_by_processor"
    assert incidents() == 0
    body = report_body(reported_by_processor=False)
    assert client.post("/api/v1/reports", json=body, headers=bearer(token)).status_code == 201
