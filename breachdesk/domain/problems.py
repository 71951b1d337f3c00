"""A problem with one field of what someone typed, found by a rule of the domain.

Checks that name every problem at once (so a person can fix them all in one go) return a
list of these. A check is given what could be read, with ``None`` for what could not (an
empty required field, a date that did not parse): a rule that needs an unknown value is
skipped, never guessed. The web layer shows each problem at its form field, beside the
form's own errors; a service raises its error for the first one before it writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from .text import N_, single_line


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one form field; ``message`` is an English template for translation
    (marked with :func:`~breachdesk.domain.text.N_`), ``params`` fills it."""

    field: str
    message: str
    params: dict[str, str | int] = dataclass_field(default_factory=dict)


def subject_problems(subject: str | None, limit: int) -> list[FieldProblem]:
    """An e-mail subject's problems at the field ``subject``: none given, or longer than
    ``limit`` characters once on one line (None: not known, nothing to say)."""
    if subject is None:
        return []
    subject = single_line(subject)
    if not subject:
        return [FieldProblem("subject", N_("Give the e-mail a subject."))]
    if len(subject) > limit:
        return [FieldProblem("subject", N_("At most %(max)d characters."), {"max": limit})]
    return []
