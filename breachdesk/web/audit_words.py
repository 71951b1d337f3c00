"""The audit trail's verification result in words a privacy officer understands.

The domain names each problem with a :class:`~breachdesk.domain.audit.ProblemKind` and
technical English for the command line; the page says what it means, in the user's language.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

from ..domain.audit import ChainProblem, ProblemKind
from ..domain.audit.register_trail import MismatchKind, RegisterMismatch, moment_in
from ..domain.lifecycle import STATE_LABELS, State
from ..domain.timeutil import utc_to_local
from .history.reading import lower_first, outcome_words
from .labels import filing_kind

PROBLEM_TEXTS: dict[ProblemKind, LazyString] = {
    ProblemKind.OUT_OF_ORDER: _l("Event %(seq)d is out of order: events were moved."),
    ProblemKind.WRONG_ORGANISATION: _l(
        "Event %(seq)d has been moved from one organisation to another."
    ),
    ProblemKind.UNKNOWN_VERSION: _l("Event %(seq)d carries a seal of an unknown kind."),
    ProblemKind.VERSION_DOWNGRADE: _l(
        "Event %(seq)d has been rewritten without the secret key: its seal is of an older "
        "kind than the events before it."
    ),
    ProblemKind.UNKNOWN_KEY: _l(
        "Event %(seq)d is sealed with a key this installation does not have: it was forged, "
        "or a retired key is missing."
    ),
    ProblemKind.BROKEN_LINK: _l(
        "Event %(seq)d no longer connects to the event before it: events were removed, "
        "inserted or rewritten."
    ),
    ProblemKind.EDITED: _l("Event %(seq)d has been changed or forged after it was written."),
    ProblemKind.CONTENT_EDITED: _l(
        "The content of event %(seq)d (who did it, before and after) has been changed after "
        "it was written."
    ),
    ProblemKind.HEAD_MISSING: _l("The record of the last event has been removed."),
    ProblemKind.HEAD_MISMATCH: _l("The record of the last event has been changed."),
    ProblemKind.CHAIN_MISSING: _l("The whole audit trail of this organisation has been removed."),
    ProblemKind.UNKNOWN_CHAIN: _l("This audit trail belongs to no existing organisation."),
    ProblemKind.CHECKPOINT_MISMATCH: _l(
        "Event %(seq)d differs from what the signed checkpoint of %(when)s recorded: the "
        "events up to it have been rewritten."
    ),
}


def local_minute(value: datetime) -> str:
    return utc_to_local(value).strftime("%d-%m-%Y %H:%M")


def problem_text(problem: ChainProblem) -> str:
    """One sentence (or two) saying what went wrong, in the active language."""
    if problem.kind is ProblemKind.EVENTS_MISSING and problem.missing is not None:
        first, last = problem.missing
        text = (
            gettext("Event %(first)d has been removed.", first=first)
            if first == last
            else gettext("Events %(first)d to %(last)d have been removed.", first=first, last=last)
        )
        if problem.checkpoint_at is not None:
            when = local_minute(problem.checkpoint_at)
            text += " " + gettext("The signed checkpoint of %(when)s recorded them.", when=when)
        return text
    template = PROBLEM_TEXTS.get(problem.kind)
    if template is None:
        return problem.reason
    when = local_minute(problem.checkpoint_at) if problem.checkpoint_at else ""
    return str(template) % {"seq": problem.seq or 0, "when": when}


#: The register's facts (:data:`~breachdesk.domain.audit.register_trail.FACTS`) in words.
FACT_WORDS: dict[str, LazyString] = {
    "reference": _l("the reference"),
    "state": _l("the status"),
    "title": _l("the title"),
    "discovered_at": _l("the moment of discovery"),
    "subjects_exact": _l("the number of people"),
    "subjects_min": _l("the lowest number of people"),
    "subjects_max": _l("the highest number of people"),
    "personal_data": _l("whether personal data are involved"),
    "security_breached": _l("whether security was breached"),
    "breach_types": _l("the nature of the breach"),
    "our_role": _l("our role (controller or processor)"),
    "controller_name": _l("the controller"),
    "aware_at": _l("the moment of awareness"),
    "facts": _l("the risk checklist"),
    "decided_outcome": _l("the decision"),
}


MISMATCH_TEXTS: dict[MismatchKind, LazyString] = {
    MismatchKind.CHANGED: _l(
        "Incident %(reference)s: %(fact)s in the register is not what the trail recorded "
        "(event %(seq)d): it was changed outside breachdesk."
    ),
    MismatchKind.NOT_IN_TRAIL: _l(
        "Incident %(reference)s is in the register, but the trail never recorded it: it was "
        "added outside breachdesk."
    ),
    MismatchKind.REMOVED: _l(
        "Incident %(reference)s, recorded by the trail (event %(seq)d), has been removed from "
        "the register."
    ),
    MismatchKind.FILING_UNRECORDED: _l(
        "Incident %(reference)s: a notification to the AP in the register was never recorded "
        "by the trail: it was added or changed outside breachdesk."
    ),
    MismatchKind.FILING_MISSING: _l(
        "Incident %(reference)s: a notification to the AP that the trail recorded is gone "
        "from the register, or was changed."
    ),
    MismatchKind.DECISION_UNRECORDED: _l(
        "Incident %(reference)s: a decision in the register was never recorded by the trail: "
        "it was added or changed outside breachdesk."
    ),
    MismatchKind.DECISION_MISSING: _l(
        "Incident %(reference)s: a decision that the trail recorded is gone from the register, "
        "or was changed."
    ),
}


def mismatch_text(mismatch: RegisterMismatch) -> str:
    """One sentence saying where the register no longer says what the trail recorded."""
    template = MISMATCH_TEXTS[mismatch.kind]
    fact = FACT_WORDS.get(mismatch.fact)
    text = str(template) % {
        "reference": mismatch.reference or f"#{mismatch.incident_id}",
        "fact": str(fact) if fact is not None else mismatch.fact,
        "seq": mismatch.seq or 0,
    }
    if mismatch.kind is MismatchKind.CHANGED and mismatch.fact != "facts":
        text += " " + gettext(
            "Now: %(stored)s; recorded: %(recorded)s.",
            stored=_fact_value(mismatch.fact, mismatch.stored),
            recorded=_fact_value(mismatch.fact, mismatch.recorded),
        )
    row = mismatch.stored if isinstance(mismatch.stored, dict) else mismatch.recorded
    if isinstance(row, dict) and "submitted_at" in row:  # a filing: which one
        text += " " + gettext(
            "(%(kind)s of %(when)s, reference %(reference)s)",
            kind=lower_first(filing_kind(str(row.get("kind")))),
            when=_value(row.get("submitted_at")),
            reference=_value(row.get("reference")),
        )
    elif isinstance(row, dict) and "version" in row:  # a decision: which one
        text += " " + gettext(
            "(decision %(version)s: %(outcome)s)",
            version=row.get("version"),
            outcome=_fact_value("decided_outcome", row.get("outcome")),
        )
    return text


def _fact_value(fact: str, value: object) -> str:
    """A fact's value in words where the pages have them (a status, a decision)."""
    if fact == "state" and isinstance(value, str) and value in State._value2member_map_:
        return gettext(STATE_LABELS[State(value)])
    if fact == "decided_outcome" and outcome_words(value):
        return outcome_words(value)
    return _value(value)


def _value(value: object) -> str:
    """A fact's value as stored in the trail, for the sentence: a moment in Dutch time."""
    if value is None or value == "" or value == []:
        return gettext("(empty)")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str) and (moment := moment_in(value)) is not None:
        return local_minute(moment)
    return str(value)
