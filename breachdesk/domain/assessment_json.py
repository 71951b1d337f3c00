"""Checklist answers and recommendations as plain JSON-ready data (input format version 2).

The input format is ``{"format_version": 2, "facts": {...}}``; ``facts`` holds any of the
fields of :class:`~breachdesk.domain.checklist.Facts` (absent fields take the dataclass
defaults). Version 1 documents are still read: they hold only the facts of
:data:`FORMAT_1_FIELDS` (version 2 added :data:`FORMAT_2_FIELDS` and three recipients and one
consequence), and they mean what they meant. Enumerations are written as their values, sets
as sorted lists, ``dpc_adjustments`` as a list of ``{"delta": int, "reason": str}``. Numbers
are finite and bounded (:mod:`breachdesk.domain.limits`): no ``Infinity``, ``NaN`` or 30-digit
counts. The shape is defined by ``breachdesk/schemas/assessment-input.schema.json`` and checked
by :mod:`breachdesk.services.assessment_io` before :func:`facts_from_dict` runs; the functions
here still refuse values they cannot convert (``ValueError`` naming the field), since the web form
calls them too.

Documented in ``docs/assessment.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields
from enum import StrEnum
from typing import Any

from .assessment import Recommendation
from .checklist import (
    GROUP_FIELDS,
    BreachType,
    Consequence,
    DpcAdjustment,
    Facts,
    PeopleGroup,
    consequences_fit,
    lower_bound_fits,
)
from .limits import MAX_COMMITMENT_CHARS, MAX_COMMITMENTS, MAX_COUNT, MAX_HOURS, within
from .profile import EnisaClass
from .reasons import Reason
from .severity import Severity

INPUT_FORMAT_VERSION = 2
#: The facts format version 2 added (rule set 2026.2).
FORMAT_2_FIELDS = (
    "deletion_requested",
    "exposure_hours",
    "exposure_reach",
    "misuse",
    "id_document_number",
    "password_protection",
    "subjects_min",
    "commitments",
    "groups",
)
_FIELD_NAMES = tuple(f.name for f in fields(Facts))
#: The facts of format version 1.
FORMAT_1_FIELDS = tuple(name for name in _FIELD_NAMES if name not in FORMAT_2_FIELDS)


def _plain(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, DpcAdjustment):
        return {"delta": value.delta, "reason": value.reason}
    if isinstance(value, PeopleGroup):
        changes = {name: _plain(change) for name, change in value.changes}
        return {"name": value.name, "count": value.count, "facts": changes}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def facts_to_dict(facts: Facts) -> dict[str, Any]:
    """Every field of ``facts`` as JSON-ready data, in the dataclass's field order."""
    return {name: _plain(getattr(facts, name)) for name in _FIELD_NAMES}


def input_document(facts: Facts) -> dict[str, Any]:
    """``facts`` as a complete input document (what ``breachdesk assess`` reads)."""
    return {"format_version": INPUT_FORMAT_VERSION, "facts": facts_to_dict(facts)}


def _number(
    value: Any, kind: type[int] | type[float], *, high: int, low: int = 0
) -> int | float | None:
    """``value`` as ``kind``, from ``low`` to ``high``; infinity, NaN and huge values refused."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    if not within(value, low, high):
        raise ValueError(f"{value!r} is not a number from {low} to {high}")
    if kind is int:
        if value != int(value):
            raise ValueError(f"{value!r} is not a whole number")
        return int(value)
    return float(value)


def _set_of(enum: type[StrEnum]) -> Callable[[Any], frozenset[Any]]:
    def convert(value: Any) -> frozenset[Any]:
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            raise ValueError(f"{value!r} is not a list")
        return frozenset(enum(v) for v in value)

    return convert


def _adjustments(value: Any) -> tuple[DpcAdjustment, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{value!r} is not a list")
    out = []
    for item in value:
        if isinstance(item, DpcAdjustment):
            out.append(item)
            continue
        delta = _number(item["delta"], int, low=-3, high=3)
        if delta is None:
            raise ValueError("an adjustment needs a delta")
        out.append(DpcAdjustment(int(delta), str(item["reason"])))
    return tuple(out)


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError(f"{value!r} is not a list")
    if len(value) > MAX_COMMITMENTS:
        raise ValueError(f"at most {MAX_COMMITMENTS} promises")
    out = []
    for item in value:
        if not isinstance(item, str) or len(item) > MAX_COMMITMENT_CHARS:
            raise ValueError(f"each promise is a text of at most {MAX_COMMITMENT_CHARS} characters")
        if item.strip():
            out.append(" ".join(item.split()))
    return tuple(out)


#: At most this many groups of people, each name at most this long.
MAX_GROUPS, MAX_GROUP_NAME = 10, 200


def _groups(value: Any) -> tuple[PeopleGroup, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError(f"{value!r} is not a list")
    if len(value) > MAX_GROUPS:
        raise ValueError(f"at most {MAX_GROUPS} groups")
    out = []
    for item in value:
        if isinstance(item, PeopleGroup):
            out.append(item)
            continue
        if not isinstance(item, Mapping):
            raise ValueError("each group is an object with a name, a count and facts")
        name = " ".join(str(item.get("name") or "").split())
        if not name or len(name) > MAX_GROUP_NAME:
            raise ValueError(f"each group needs a name of at most {MAX_GROUP_NAME} characters")
        count = _number(item.get("count"), int, high=MAX_COUNT)
        changes = dict(item.get("facts") or {})
        unknown = sorted(set(changes) - set(GROUP_FIELDS))
        if unknown:
            raise ValueError(f"a group cannot change {', '.join(unknown)}")
        converted = tuple(
            (field, _CONVERTERS[field](changes[field]))
            for field in GROUP_FIELDS
            if field in changes
        )
        out.append(PeopleGroup(name, int(count) if count is not None else None, converted))
    return tuple(out)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "breach_types": _set_of(BreachType),
    "data_classes": _set_of(EnisaClass),
    "consequences": _set_of(Consequence),
    "subjects_count": lambda v: _number(v, int, high=MAX_COUNT),
    "subjects_min": lambda v: _number(v, int, high=MAX_COUNT),
    "exposure_reach": lambda v: _number(v, int, high=MAX_COUNT),
    "restore_hours": lambda v: _number(v, float, high=MAX_HOURS),
    "exposure_hours": lambda v: _number(v, float, high=MAX_HOURS),
    "dpc_adjustments": _adjustments,
    "commitments": _texts,
    "groups": _groups,
}
for _field in fields(Facts):
    if _field.name not in _CONVERTERS and _field.default is not MISSING:
        _default = _field.default
        if isinstance(_default, StrEnum):
            _CONVERTERS[_field.name] = type(_default)


def facts_from_dict(data: Mapping[str, Any]) -> Facts:
    """Build :class:`Facts` from the ``facts`` part of an input document.

    Raises:
        ValueError: an unknown field, or a value that does not fit its field (the message
            starts with the field name).
    """
    unknown = sorted(set(data) - set(_FIELD_NAMES))
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, raw in data.items():
        try:
            values[name] = _CONVERTERS[name](raw)
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"{name}: {exc}") from exc
    if not lower_bound_fits(values.get("subjects_min"), values.get("subjects_count")):
        raise ValueError(
            "subjects_min: the lower bound needs a number of people (subjects_count) at least "
            "as large"
        )
    if not consequences_fit(values.get("consequences", frozenset())):
        raise ValueError("consequences: none_likely goes with no other consequence")
    return Facts(**values)


def reason_to_dict(reason: Reason) -> dict[str, Any]:
    """A reason with its English sentence filled in (``text``), its template and parameters."""
    return {
        "factor": reason.factor,
        "rule": reason.rule,
        "text": reason.text(),
        "message": reason.message,
        "params": dict(reason.params),
    }


def reason_from_dict(data: Mapping[str, Any]) -> Reason:
    """A reason as :func:`reason_to_dict` stored it (its ``text`` is made again from the
    template and parameters)."""
    return Reason(
        factor=str(data.get("factor", "")),
        rule=str(data.get("rule", "")),
        message=str(data["message"]),
        params=dict(data.get("params") or {}),
    )


def reasons_from_text(
    stored: str | None, known: dict[str, tuple[Reason, ...]], *, kept: int
) -> tuple[Reason, ...]:
    """The reasons of an advice from their stored JSON text (a list of
    :func:`reason_to_dict`), read once per distinct text: ``known`` keeps up to ``kept`` texts
    read before (a register repeats the same advice: every "register only" of one kind of
    breach gives the same reasons). An advice stored without reasons (an entry imported from
    an earlier register) has none."""
    if not stored:
        return ()
    reasons = known.get(stored)
    if reasons is None:
        if len(known) >= kept:
            known.clear()
        reasons = known[stored] = tuple(reason_from_dict(r) for r in json.loads(stored))
    return reasons


def severity_to_dict(severity: Severity) -> dict[str, Any]:
    """The ENISA score with every intermediate value and its reason."""
    return {
        "base": severity.base,
        "base_reason": reason_to_dict(severity.base_reason),
        "adjustments": [
            {"delta": step.delta, "manual": step.manual, "reason": reason_to_dict(step.reason)}
            for step in severity.adjustments
        ],
        "dpc_unclamped": severity.dpc_unclamped,
        "dpc": severity.dpc,
        "clamped": severity.clamped,
        "ei": severity.ei,
        "ei_reason": reason_to_dict(severity.ei_reason),
        "cb_parts": [
            {"element": part.element, "points": part.points, "reason": reason_to_dict(part.reason)}
            for part in severity.cb_parts
        ],
        "cb": severity.cb,
        "score": severity.score,
        "band": severity.band.value,
        "arithmetic": severity.arithmetic,
        "sum": severity.sum,
        "notes": [reason_to_dict(note) for note in severity.notes],
    }


def recommendation_to_dict(recommendation: Recommendation) -> dict[str, Any]:
    """The recommendation as JSON-ready data (what ``breachdesk assess`` prints)."""
    rec = recommendation
    return {
        "ruleset_version": rec.ruleset_version,
        "risk": rec.risk.value,
        "outcome": rec.outcome.value,
        "notify_ap": rec.notify_ap,
        "inform_subjects": rec.inform_subjects,
        "public_communication": rec.public_communication,
        "art34_exemption": rec.art34_exemption,
        "art34_excluded_uavg42": rec.art34_excluded_uavg42,
        "ap_severity": rec.ap_severity.value,
        "provisional_advised": rec.provisional_advised,
        "severity": severity_to_dict(rec.severity),
        "reasons": [reason_to_dict(r) for r in rec.reasons],
        "uncertainties": [reason_to_dict(r) for r in rec.uncertainties],
        "groups": [
            {
                "name": part.name,
                "count": part.count,
                "recommendation": recommendation_to_dict(part.recommendation),
            }
            for part in rec.groups
        ],
    }
