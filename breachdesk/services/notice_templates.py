"""The Jinja environment for the notice templates under ``templates/notices/``.

Notices are rendered outside a request too (the scheduler sends them), so they get their own
environment on the same folder as the app's templates: HTML templates autoescaped, plain-text
templates not, and the FG's text only ever passed in as data, never as template source.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

NOTICE_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "notices"


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(NOTICE_TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
