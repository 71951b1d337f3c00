"""The API's interactive documentation: Swagger UI from this site's own static files.

Swagger UI sets inline styles on the elements it draws, so this one page allows inline
styles (``style-src 'unsafe-inline'``); scripts stay limited to this site, like every page.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("api_docs", __name__)

DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; connect-src 'self'"
)


@bp.get("/api/v1/docs")
def docs() -> ResponseReturnValue:
    return render_template("api/docs.html"), 200, {"Content-Security-Policy": DOCS_CSP}
