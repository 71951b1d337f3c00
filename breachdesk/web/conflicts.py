"""A save refused because someone else saved first: their answers beside the user's own.

The service raised :class:`~breachdesk.services.versioning.StaleEdit` and saved nothing. The
page comes back (409) with the user's typing still in the form, the version in the form moved
to the one that won (so saving again is a deliberate choice to replace it), and a table of the
fields where the two differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wtforms import Field, Form

from ..services.versioning import StaleEdit

#: Fields that are bookkeeping, not answers.
SKIP = {"csrf_token", "version", "seen_decision", "seen_checklist", "seen_filings"}


@dataclass(frozen=True)
class ConflictRow:
    label: str
    theirs: str
    yours: str


@dataclass(frozen=True)
class Conflict:
    """What the page shows: who saved when, what (a translated noun) and where they differ."""

    what: str
    by: str | None
    at: datetime | None
    rows: list[ConflictRow] = field(default_factory=list)
    note: str = ""  # a sentence for conflicts that are not field by field


def shown(item: Field) -> str:
    """A field's value as a person reads it: choice labels, not codes."""
    data = item.data
    choices = getattr(item, "choices", None)
    if choices is not None:
        labels = {str(_value(c)): str(_label(c)) for c in choices}
        if isinstance(data, list | tuple | set):
            return ", ".join(labels.get(str(v), str(v)) for v in data) or "—"
        return labels.get(str(data), "—" if data in (None, "") else str(data))
    if item.type == "BooleanField":
        return "✓" if data else "—"
    if isinstance(data, datetime):
        return data.strftime("%d-%m-%Y %H:%M")
    return "—" if data in (None, "", []) else str(data)


def _value(choice: Any) -> Any:
    return choice[0] if isinstance(choice, tuple) else getattr(choice, "value", choice)


def _label(choice: Any) -> Any:
    return choice[1] if isinstance(choice, tuple) else getattr(choice, "label", choice)


def differences(yours: Form, theirs: Form) -> list[ConflictRow]:
    """The fields whose values differ, in the form's order."""
    rows = []
    for item in yours:
        if item.name in SKIP or item.type in ("HiddenField", "SubmitField", "CSRFTokenField"):
            continue
        other = theirs[item.name] if item.name in theirs else None
        if other is None:
            continue
        mine, newer = shown(item), shown(other)
        if mine != newer:
            rows.append(ConflictRow(str(item.label.text), newer, mine))
    return rows


def conflict(
    error: StaleEdit, what: str, yours: Form | None = None, theirs: Form | None = None
) -> Conflict:
    rows = differences(yours, theirs) if yours is not None and theirs is not None else []
    return Conflict(what, error.by, error.at, rows)
