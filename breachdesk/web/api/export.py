"""``GET /register/export``: the register of the token's organisation as CSV, XLSX or JSON,
streamed, with the same filters as the list; audited as the token's user, as on the web."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, stream_with_context
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint

from ...domain.api_access import Scope
from ...extensions import db_session
from ...runtime import runtime
from ...services import register
from ...services.register_export import (
    csv_chunks,
    file_chunks,
    json_chunks,
    record_export,
    xlsx_file,
)
from ...sqlite import long_read
from ..register import Labels, columns
from .auth import access, authenticated
from .incidents import register_filter
from .schemas import ExportQuerySchema

blp = Blueprint("api_export", __name__, url_prefix="/api/v1", description="Export the register.")

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _stream(chunks: Iterator[str]) -> Iterator[bytes]:
    with long_read(db_session()):  # no write lock while the rows stream (see web/register.py)
        for chunk in chunks:
            yield chunk.encode("utf-8")


@blp.route("/register/export", methods=["GET"])
@authenticated(Scope.READ)
@blp.arguments(ExportQuerySchema, location="query", as_kwargs=True)
@blp.doc(
    responses={
        "200": {
            "description": "The register as filtered, in the format asked for.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                MEDIA["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        }
    }
)
def export(**query: Any) -> ResponseReturnValue:
    """Every incident of the view (no paging), with its Art. 33(5) facts."""
    wanted = register_filter()
    fmt = str(query.get("format") or "json")
    rt, found = runtime(), access()
    now = rt.clock.now()
    record_export(db_session(), wanted, fmt, actor=found.actor, clock=rt.clock)
    rows = register.rows(db_session(), found.user, wanted, now)
    if fmt == "xlsx":
        with long_read(db_session()):
            handle = xlsx_file(rows, columns(Labels(now)), title="Register")
        response = Response(file_chunks(handle))
    elif fmt == "csv":
        response = Response(stream_with_context(_stream(csv_chunks(rows, columns(Labels(now))))))
    else:
        response = Response(stream_with_context(_stream(json_chunks(rows))))
    response.headers["Content-Type"] = MEDIA[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="register.{fmt}"'
    return response
