"""Every error of a form in one round: its shape (WTForms) and its meaning (the domain).

A view that calls its service only once the form validates shows the domain's errors one
round after the form's own: the FG fixes an empty field, sends again, and only then hears that
the date they typed lies before the breach began. :func:`validate_all` validates the form and,
on the same request, runs the domain's checks on what could be read (:func:`read`,
:func:`read_utc`: ``None`` for a field with an error, so a rule that needs it is skipped),
and puts every problem at its field. The checks only read; the service checks again when it
writes, in its own transaction, and writes nothing when a check fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field

from ..domain.problems import FieldProblem
from ..domain.timeutil import LocalTimeError, is_ambiguous, local_to_utc

#: The domain's checks of one form: called after the form validated, reads the form's fields
#: (through :func:`read`), returns the problems found. It must not write.
Check = Callable[[], Iterable[FieldProblem]]


def read(field: Field) -> Any:
    """What ``field`` holds, or None when it has an error (then its value is unknown)."""
    return None if field.errors else field.data


def read_utc(field: Field) -> datetime | None:
    """The Dutch wall-clock time in ``field`` as aware UTC; None when empty or unknown. A time
    that does not exist or is ambiguous in Amsterdam becomes an error at the field."""
    local = read(field)
    if local is None:
        return None
    try:
        return local_to_utc(local)
    except LocalTimeError as error:
        field.errors = [*field.errors, _(error.message, **error.params)]
        return None


def twice_note(field: Field) -> str | None:
    """When the time in ``field`` occurred twice (the autumn clock change), what breachdesk
    made of it, to say after saving; None otherwise. The time was read silently as the
    earlier one (found by exploratory testing)."""
    local = read(field)
    if not isinstance(local, datetime) or not is_ambiguous(local):
        return None
    return _(
        "%(typed)s occurred twice that night (the clocks went back an hour). breachdesk took "
        "the first, in summer time (%(utc)s UTC): the careful reading, since the deadline then "
        "falls an hour earlier.",
        typed=local.strftime("%d-%m-%Y %H:%M"),
        utc=local_to_utc(local).strftime("%H:%M"),
    )


def show_problems(form: FlaskForm, problems: Iterable[FieldProblem], *, default: str = "") -> None:
    """Put each problem at its field (translated), or at ``default`` when the form has no field
    of that name, or above the form when there is no ``default`` either.

    A field that shows an error already (the form's own, or a time :func:`read_utc` refused)
    gets none of these: it would be the domain repeating the form's "required", or a rule
    about a value the form could not read. Several problems at one field are all shown.
    """
    placed = [
        (problem.field if problem.field in form else default, problem) for problem in problems
    ]
    taken = {name for name, _problem in placed if name and form[name].errors}
    for name, problem in placed:
        message = _(problem.message, **problem.params)
        if not name:
            if message not in form.form_errors:
                form.form_errors.append(message)
        elif name not in taken and message not in form[name].errors:
            form[name].errors = [*form[name].errors, message]


def show_refusal(
    form: FlaskForm,
    field: str,
    message: str,
    params: Mapping[str, object] | None = None,
    *,
    default: str = "",
) -> None:
    """Put a service's refusal (its field, English template and parameters) at its field, as
    :func:`show_problems` does."""
    values = {k: v if isinstance(v, int) else str(v) for k, v in (params or {}).items()}
    show_problems(form, [FieldProblem(field, message, values)], default=default)


def has_errors(form: FlaskForm) -> bool:
    return bool(form.form_errors) or any(field.errors for field in form)


def validate_all(form: FlaskForm, check: Check, *, default: str = "") -> bool:
    """Validate ``form`` and, when it was sent, the domain's ``check`` on what could be read;
    True when neither found a problem (every problem found is at its field).

    A request whose CSRF token failed goes no further than the form's own validation.
    """
    valid = bool(form.validate_on_submit())
    if not form.is_submitted() or _csrf_failed(form):
        return False
    problems = list(check())  # first: reading a time may set an error at its field
    show_problems(form, problems, default=default)
    return valid and not has_errors(form)


def _csrf_failed(form: FlaskForm) -> bool:
    token = getattr(form, "csrf_token", None)
    return token is not None and bool(token.errors)
