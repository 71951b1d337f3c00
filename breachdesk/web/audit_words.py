"""The audit trail's verification result in words a privacy officer understands.

The domain names each problem with a :class:`~breachdesk.domain.audit.ProblemKind` and
technical English for the command line; the page says what it means, in the user's language.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

from ..domain.audit import ChainProblem, ProblemKind
from ..domain.timeutil import utc_to_local

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
