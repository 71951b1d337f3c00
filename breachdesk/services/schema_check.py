"""Checking input documents against the JSON Schemas shipped in ``breachdesk/schemas``.

Used for organisation profiles and for assessment input: every problem is reported at once,
each with the field path (``processors[2].location``) and the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator


@dataclass
class InputError(Exception):
    """Input that cannot be used; ``problems`` are (field path, reason) pairs."""

    source: str
    problems: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [
            f"{self.source}: {path or '(top level)'}: {reason}" for path, reason in self.problems
        ]
        return "\n".join(lines)


@cache
def _validator(schema_file: str) -> Draft202012Validator:
    text = resources.files("breachdesk").joinpath(f"schemas/{schema_file}").read_text("utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def field_path(parts: Any) -> str:
    """``["processors", 2, "location"]`` → ``processors[2].location``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def schema_problems(schema_file: str, data: Any) -> list[tuple[str, str]]:
    """Every way ``data`` breaks the schema, in document order; empty when it is valid."""
    errors = sorted(
        _validator(schema_file).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))
    )
    return [(field_path(e.absolute_path), e.message) for e in errors]
