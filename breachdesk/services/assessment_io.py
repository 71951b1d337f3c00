"""Reading assessment input files: JSON checked against the schema, errors that name the field.

The input format (version 1) is ``{"format_version": 1, "facts": {...}}``, defined by
``breachdesk/schemas/assessment-input.schema.json`` and documented in ``docs/assessment.md``.
Like organisation profiles (:mod:`breachdesk.services.organisations`), input is checked in two
steps and every problem is reported at once as a (field path, reason) pair: first the JSON
Schema (shape, types, allowed values, unknown fields), then
:func:`breachdesk.domain.assessment_json.facts_from_dict` (anything the schema cannot express).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..domain.assessment_json import facts_from_dict
from ..domain.checklist import Facts
from .schema_check import InputError, schema_problems


class AssessmentInputError(InputError):
    """Input that cannot be assessed; ``problems`` are (field path, reason) pairs."""


def load_facts(data: Any, source: str) -> Facts:
    """Check ``data`` (already parsed JSON) and build the facts it describes.

    Raises:
        AssessmentInputError: naming ``source``, each bad field (e.g. ``facts.recipients``) and
            why.
    """
    if not isinstance(data, Mapping):
        raise AssessmentInputError(source, [("", "the input must be a JSON object")])
    problems = schema_problems("assessment-input.schema.json", data)
    if problems:
        raise AssessmentInputError(source, problems)
    try:
        return facts_from_dict(data.get("facts") or {})
    except ValueError as exc:
        name, _, reason = str(exc).partition(": ")
        path = f"facts.{name}" if reason and " " not in name else "facts"
        raise AssessmentInputError(source, [(path, reason or str(exc))]) from exc


def load_facts_file(path: Path) -> Facts:
    """Read and check a JSON input file.

    Raises:
        AssessmentInputError: unreadable file, JSON syntax error (with line and column), or
            invalid content.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AssessmentInputError(str(path), [("", f"cannot read file: {exc}")]) from exc
    return parse_facts_json(text, str(path))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number that can be assessed")


def parse_facts_json(text: str, source: str) -> Facts:
    """Parse and check JSON input text; ``source`` names it in error messages.

    Strict JSON: ``Infinity``, ``-Infinity`` and ``NaN`` (which Python's parser accepts) are
    refused, as are numbers with more digits than Python converts and absurdly deep nesting.

    Raises:
        AssessmentInputError: a syntax error (with line and column) or invalid content.
    """
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise AssessmentInputError(source, [(where, f"JSON syntax error: {exc.msg}")]) from exc
    except (ValueError, RecursionError) as exc:
        raise AssessmentInputError(source, [("", f"JSON not accepted: {exc}")]) from exc
    return load_facts(data, source)
