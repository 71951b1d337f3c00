"""Checking input documents against the JSON Schemas shipped in ``breachdesk/schemas``.

Used for organisation profiles and for assessment input: every problem is reported at once,
each with the field path (``processors[2].location``) and the reason. :func:`schema_problems`
gives the validator's own words (for technical input); :func:`plain_problems` gives one plain
sentence per kind of check, translatable (:class:`~breachdesk.domain.text.Translatable`), for
input that people type.

Formats are checked as the rest of breachdesk checks them: an ``email`` as the web forms do
(``email_validator``, without a DNS lookup), so "a@b" is refused here as on the reminder
settings page. jsonschema checks no formats unless asked, and its own ``email`` check only
looks for an "@".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from email_validator import EmailNotValidError, validate_email
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from ..domain.text import N_, Translatable


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


#: The formats the schemas use, and only those.
FORMATS = FormatChecker(formats=())


@FORMATS.checks("email", raises=EmailNotValidError)
def _email(value: object) -> bool:
    """WTForms' ``Email()`` rule, which every address field of the web forms uses."""
    if isinstance(value, str):
        validate_email(value, check_deliverability=False)
    return True


@cache
def _validator(schema_file: str) -> Draft202012Validator:
    text = resources.files("breachdesk").joinpath(f"schemas/{schema_file}").read_text("utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FORMATS)


def field_path(parts: Any) -> str:
    """``["processors", 2, "location"]`` → ``processors[2].location``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _errors(schema_file: str, data: Any) -> list[ValidationError]:
    return sorted(
        _validator(schema_file).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))
    )


def schema_problems(schema_file: str, data: Any) -> list[tuple[str, str]]:
    """Every way ``data`` breaks the schema, in document order; empty when it is valid."""
    return [(field_path(e.absolute_path), e.message) for e in _errors(schema_file, data)]


def plain_problems(
    schema_file: str,
    data: Any,
    *,
    patterns: Mapping[str, str] | None = None,
    lists: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """As :func:`schema_problems`, with reasons in plain words, each at the field concerned (a
    missing field at its own path, not at its parent's), repeats dropped.

    ``patterns`` words a broken pattern (the schema's regular expression → an ``N_`` message,
    e.g. "A KvK number has 8 digits."); ``lists`` words an empty list by its path. Other
    checks have one sentence per kind; one without is given in the validator's words.
    """
    found: list[tuple[str, str]] = []
    for error in _errors(schema_file, data):
        for problem in _plain(error, patterns or {}, lists or {}):
            if problem not in found:
                found.append(problem)
    return found


_TYPES = {
    "string": N_("This must be text."),
    "boolean": N_("This must be true or false."),
    "array": N_("This must be a list."),
    "object": N_("This must be a group of fields."),
    "integer": N_("This must be a whole number."),
    "number": N_("This must be a number."),
    "null": N_("Leave this empty for the choice made."),
}


def _plain(
    error: ValidationError, patterns: Mapping[str, str], lists: Mapping[str, str]
) -> list[tuple[str, str]]:
    path, kind = list(error.absolute_path), error.validator
    value: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    instance = error.instance
    at = field_path(path)
    if kind == "required" and isinstance(instance, Mapping):
        missing = [name for name in value if name not in instance]
        return [
            (field_path([*path, name]), Translatable(N_("This is required."))) for name in missing
        ]
    if kind == "additionalProperties" and isinstance(instance, Mapping):
        known = set(schema.get("properties", {}))
        names = ", ".join(sorted(str(name) for name in instance if name not in known))
        return [(at, Translatable(N_("Unknown field: %(names)s."), names=names))]
    if kind == "format" or (kind == "minLength" and schema.get("format") == "email"):
        return [(at, Translatable(N_("Enter a valid e-mail address.")))]
    if kind == "pattern":
        return [(at, Translatable(patterns.get(str(value), N_("This is not in the right form."))))]
    if kind == "minLength":
        return [(at, Translatable(N_("This may not be empty.")))]
    if kind == "minItems":
        return [(at, Translatable(lists.get(at, N_("Add at least one."))))]
    if kind == "uniqueItems":
        return [(at, Translatable(N_("Each value may appear only once.")))]
    if kind == "enum":
        options = ", ".join(str(option) for option in value if option is not None)
        return [(at, Translatable(N_("Choose one of: %(options)s."), options=options))]
    if kind == "const":
        return [(at, Translatable(N_("This must be %(value)s."), value=json.dumps(value)))]
    if kind == "type":
        kinds = [value] if isinstance(value, str) else [str(v) for v in value if v != "null"]
        if len(kinds) == 1 and kinds[0] in _TYPES:
            return [(at, Translatable(_TYPES[kinds[0]]))]
    return [(at, error.message)]
