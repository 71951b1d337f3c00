"""Reading an audit event's stored values, whatever version wrote them: a value of another
type, a missing key or one erased by retention (``"[erased]"``) reads as nothing, never as an
error, so that the line falls back to fewer words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from flask_babel import ngettext

from ...domain.assessment import Outcome
from ...domain.audit.erasure import TOMBSTONE
from ...domain.timeutil import utc_to_local
from ..triage_forms import OUTCOME_LABELS

Data = Mapping[str, Any]
#: Reads an event's ``before`` and ``after`` into the parts of its line (empty: none known).
Describe = Callable[[Data, Data], list[str]]
E = TypeVar("E", bound=StrEnum)


def data_of(value: Any) -> Data:
    return value if isinstance(value, Mapping) else {}


def text_of(data: Data, key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value != TOMBSTONE else ""


def count_of(data: Data, key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def moment_of(data: Data, key: str) -> str:
    """A stored instant (ISO text, UTC) in Amsterdam time, as the history writes times."""
    value = data.get(key)
    if not isinstance(value, str):
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return ""
    return utc_to_local(moment if moment.tzinfo else moment.replace(tzinfo=UTC)).strftime(
        "%d-%m-%Y %H:%M"
    )


def day_of(data: Data, key: str) -> str:
    value = data.get(key)
    try:
        return date.fromisoformat(value).strftime("%d-%m-%Y") if isinstance(value, str) else ""
    except ValueError:
        return ""


def member_of(enum: type[E], value: Any) -> E | None:
    """``value`` as a member of ``enum``, or None (another value, or not a text at all)."""
    return enum(value) if isinstance(value, str) and value in enum._value2member_map_ else None


def lower_first(label: str) -> str:
    """A label as it reads inside a line ("melden bij de AP"); "AP ..." stays as it is."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def outcome_words(value: Any) -> str:
    outcome = member_of(Outcome, value)
    return lower_first(str(OUTCOME_LABELS[outcome])) if outcome else ""


def change_words(then: str, now: str) -> str:
    return f"{then} → {now}" if then and then != now else now


def attachment_words(data: Data) -> list[str]:
    files = data.get("attachments")
    if not isinstance(files, list) or not files:
        return []
    return [ngettext("with %(num)d attachment", "with %(num)d attachments", len(files))]
