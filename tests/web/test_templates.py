"""Templates keep to the strict Content-Security-Policy (``style-src 'self'``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask

from breachdesk.domain.roles import Role
from breachdesk.models import Organisation

from ..conftest import MakeUser, login
from .test_reports import form_data

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CSS = Path(__file__).resolve().parents[2] / "breachdesk" / "static" / "css" / "app.css"


def test_no_template_has_an_inline_style_attribute_or_element() -> None:
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\sstyle\s*=|<style[\s>]", line, re.IGNORECASE)
    ]
    assert offenders == [], "the CSP blocks inline styles; use a class in app.css"


def test_the_csp_stays_strict(client: Any) -> None:
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert "style-src 'self';" in csp and "script-src 'self';" in csp
    assert "unsafe-inline" not in csp


def test_multi_line_text_is_shown_with_its_line_breaks(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    assert re.search(r"\.pre-wrap\s*\{\s*white-space:\s*pre-wrap;", CSS.read_text("utf-8"))
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    response = client.post("/report/kruix", data=form_data(description="Regel 1\nRegel 2"))
    page = client.get(response.headers["Location"].replace("/report/submitted", "/incidents"))
    assert re.search(r'class="[^"]*\bpre-wrap\b[^"]*">Regel 1\nRegel 2<', page.get_data(True))
