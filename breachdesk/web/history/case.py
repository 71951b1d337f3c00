"""The history's words for the incident itself: the report and its corrections, the triage,
awareness, status, the checklist and the decision, remedial actions, evidence and retention,
and deliveries that failed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import LazyString, gettext, ngettext
from flask_babel import lazy_gettext as _l

from ...domain.actions import ACTION_STATUS_LABELS, ActionStatus
from ...domain.lifecycle import State
from ..labels import delivery_words, state_label
from .reading import (
    Data,
    attachment_words,
    change_words,
    count_of,
    day_of,
    lower_first,
    member_of,
    moment_of,
    outcome_words,
    text_of,
)

#: A remedial action's title longer than this is cut (the action list shows it whole).
SHORT_NAME = 80
#: A reason for a change of state longer than this is cut (the audit trail keeps it whole).
SHORT_REASON = 200


def reported(before: Data, after: Data) -> list[str]:
    parts = []
    if after.get("reported_by_processor") is True:
        parts.append(gettext("reported by a supplier (processor)"))
    return parts + attachment_words(after)


_BREACH_TYPES: dict[str, LazyString] = {
    "confidentiality": _l("confidentiality"),
    "integrity": _l("integrity"),
    "availability": _l("availability"),
}


def _types(value: Any) -> str:
    if not isinstance(value, list):
        return ""
    return ", ".join(
        str(_BREACH_TYPES[v]) for v in value if isinstance(v, str) and v in _BREACH_TYPES
    )


def _role(data: Data) -> str:
    if data.get("our_role") == "controller":
        return gettext("controller")
    if data.get("our_role") != "processor":
        return ""
    name = text_of(data, "controller_name")
    return (
        gettext("processor for %(controller)s", controller=name) if name else gettext("processor")
    )


def triaged(before: Data, after: Data) -> list[str]:
    personal, breached = after.get("personal_data"), after.get("security_breached")
    parts = []
    if "no" in (personal, breached):
        parts.append(gettext("not a personal-data breach"))
    elif personal == "yes" and breached == "yes":
        types = _types(after.get("breach_types"))
        parts.append(
            gettext("a personal-data breach (%(types)s)", types=types)
            if types
            else gettext("a personal-data breach")
        )
    elif personal == "unknown" or breached == "unknown":
        parts.append(gettext("not yet known whether it is a personal-data breach"))
    if after.get("our_role") == "processor":
        parts.append(gettext("as %(role)s", role=_role(after)))
    return parts


def triage_corrected(before: Data, after: Data) -> list[str]:
    parts = []
    then, now = _types(before.get("breach_types")), _types(after.get("breach_types"))
    if now and then != now:
        parts.append(gettext("type of breach: %(change)s", change=change_words(then, now)))
    then, now = _role(before), _role(after)
    if now and then != now:
        parts.append(gettext("role: %(change)s", change=change_words(then, now)))
    return parts


def awareness(before: Data, after: Data) -> list[str]:
    return [change_words(moment_of(before, "aware_at"), moment_of(after, "aware_at"))]


def _state_words(value: Any) -> str:
    state = member_of(State, value)
    return state_label(state) if state else ""


def state_changed(before: Data, after: Data) -> list[str]:
    """The change and its reason (a reopening's, a discard's): the page showed a reopening's
    reason only while the incident was open, and once it was closed again it was nowhere
    (found by exploratory testing)."""
    now = _state_words(after.get("state"))
    if not now:
        return []
    parts = [change_words(_state_words(before.get("state")), now)]
    reason = text_of(after, "reason")
    if reason:
        short = reason if len(reason) <= SHORT_REASON else reason[: SHORT_REASON - 1] + "…"
        parts.append(gettext("reason: “%(reason)s”", reason=" ".join(short.split())))
    return parts


#: The report's columns, grouped as a reader knows them (the number of people is four columns).
_REPORT_PARTS: dict[str, LazyString] = {
    "title": _l("title"),
    "description": _l("what happened"),
    "started_at": _l("start"),
    "ended_at": _l("end"),
    "ongoing": _l("whether it is still going on"),
    "discovered_at": _l("moment of discovery"),
    "discovery_how": _l("how it was discovered"),
    "processors": _l("systems or suppliers"),
    "systems_other": _l("systems or suppliers"),
    "data_categories": _l("kinds of personal data"),
    "data_other": _l("kinds of personal data"),
    "subjects_mode": _l("number of people"),
    "subjects_exact": _l("number of people"),
    "subjects_min": _l("number of people"),
    "subjects_max": _l("number of people"),
    "records_count": _l("number of records"),
    "subject_groups": _l("groups of people"),
    "subject_groups_other": _l("groups of people"),
    "children_involved": _l("children"),
    "protection": _l("protection"),
    "protection_details": _l("protection"),
    "containment": _l("what has been done"),
    "containment_details": _l("what has been done"),
    "reported_by_processor": _l("the supplier's report"),
    "reporting_processor": _l("the supplier's report"),
    "processor_aware_at": _l("the supplier's report"),
    "processor_notified_at": _l("the supplier's report"),
}


def report_corrected(before: Data, after: Data) -> list[str]:
    words = [str(_REPORT_PARTS[name]) for name in before if name in _REPORT_PARTS]
    return [", ".join(dict.fromkeys(words))] if words else []


def reporter_replied(before: Data, after: Data) -> list[str]:
    kind = text_of(after, "kind")
    what = {"answer": gettext("an answer to a question"), "addition": gettext("more information")}
    return ([what[kind]] if kind in what else []) + attachment_words(after)


def question_asked(before: Data, after: Data) -> list[str]:
    mailed = after.get("mailed")
    if mailed is True:
        return [gettext("sent to the reporter by e-mail")]
    return [gettext("on the reporter's follow-up page only")] if mailed is False else []


def _files(data: Data, key: str) -> list[str]:
    count = len(data[key]) if isinstance(data.get(key), list) else count_of(data, key)
    return [ngettext("%(num)d file", "%(num)d files", count)] if count else []


def evidence_added(before: Data, after: Data) -> list[str]:
    return _files(after, "attachments")


def imported(before: Data, after: Data) -> list[str]:
    row = count_of(after, "source_row")
    parts = [gettext("row %(row)d of the earlier register", row=row)] if row else []
    return parts + [outcome_words(after.get("outcome"))]


def checklist(before: Data, after: Data) -> list[str]:
    parts = []
    old, new = before.get("facts"), after.get("facts")
    if isinstance(old, Mapping) and old and isinstance(new, Mapping):
        changed = sum(1 for key in {*old, *new} if old.get(key) != new.get(key))
        parts.append(
            ngettext("%(num)d answer changed", "%(num)d answers changed", changed)
            if changed
            else gettext("no answer changed")
        )
    if after.get("confirmed") is True:
        parts.append(gettext("confirmed"))
    return parts


def decided(before: Data, after: Data) -> list[str]:
    parts = [outcome_words(after.get("outcome"))]
    advice = outcome_words(after.get("recommended"))
    follows = after.get("follows_recommendation")
    if follows is True:
        parts.append(gettext("as advised"))
    elif follows is False:
        parts.append(
            gettext("differs from the advice: %(advice)s", advice=advice)
            if advice
            else gettext("differs from the advice")
        )
    version = count_of(after, "version")
    if version:
        parts.append(gettext("version %(version)d", version=version))
    return parts


def advice(before: Data, after: Data) -> list[str]:
    now, then = (
        outcome_words(after.get("recommended_now")),
        outcome_words(after.get("recommended_then")),
    )
    if now and then and then != now:
        return [gettext("%(now)s instead of %(then)s", now=now, then=then)]
    return [now]


def _status_words(value: Any) -> str:
    status = member_of(ActionStatus, value)
    return lower_first(gettext(ACTION_STATUS_LABELS[status])) if status else ""


def action(before: Data, after: Data) -> list[str]:
    title = text_of(after, "title")
    if len(title) > SHORT_NAME:
        title = title[: SHORT_NAME - 1].rstrip() + "…"
    parts = [f"“{title}”"] if title else []
    due, due_then = day_of(after, "due_on"), day_of(before, "due_on")
    if not before:  # added
        return parts + ([gettext("due %(date)s", date=due)] if due else [])
    status, status_then = _status_words(after.get("status")), _status_words(before.get("status"))
    if status and status != status_then:
        parts.append(change_words(status_then, status))
    if due and due != due_then:
        parts.append(gettext("due date: %(change)s", change=change_words(due_then, due)))
    return parts


def evidence_pack(before: Data, after: Data) -> list[str]:
    intact = after.get("trail_intact")
    parts = _files(after, "files")
    if intact is True:
        parts.append(gettext("audit trail intact"))
    elif intact is False:
        parts.append(gettext("audit trail NOT intact"))
    return parts


def breach_data_erased(before: Data, after: Data) -> list[str]:
    days = count_of(after, "retention_days")
    if days is None:
        return []
    return [ngettext("%(num)d day after closing", "%(num)d days after closing", days)]


def delivery(before: Data, after: Data) -> list[str]:
    kind, label, attempts = after.get("kind"), after.get("label"), count_of(after, "attempts")
    parts = []
    if isinstance(kind, str) and isinstance(label, str):
        parts.append(delivery_words(kind, label))
    if attempts:
        parts.append(ngettext("after %(num)d attempt", "after %(num)d attempts", attempts))
    return parts
