"""Remedial actions (GDPR Art. 33(5): "the remedial action taken"): what they are, when an
overdue one reminds its owner. No framework; the rows are in ``services/actions.py``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum

from .problems import FieldProblem
from .text import N_
from .timeutil import local_to_utc


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: N_("To do"),
    ActionStatus.DONE: N_("Done"),
    ActionStatus.CANCELLED: N_("Cancelled"),
}

#: When an overdue action reminds its owner: the morning after its due date, and a week later.
REMINDER_DAYS_AFTER = (1, 8)
#: The hour of the morning (Dutch time) a reminder goes out.
REMINDER_HOUR = 9


def reminder_times(due_on: date) -> list[tuple[str, datetime]]:
    """(label, moment in UTC) of each reminder of an action due on ``due_on``."""
    return [
        (
            f"overdue-{days}",
            local_to_utc(datetime.combine(due_on + timedelta(days=days), time(REMINDER_HOUR))),
        )
        for days in REMINDER_DAYS_AFTER
    ]


def is_overdue(status: ActionStatus, due_on: date | None, today: date) -> bool:
    return status is ActionStatus.OPEN and due_on is not None and due_on < today


class DueDateRefused(ValueError):
    """A due date that cannot be right. ``message`` is an English template marked with
    ``N_`` (the web layer translates it), ``params`` fills it."""

    def __init__(self, message: str, params: dict[str, str]) -> None:
        super().__init__(message % params)
        self.message = message
        self.params = params


def due_on_problems(due_on: date | None, discovered_on: date) -> list[FieldProblem]:
    """The problem with ``due_on`` (field ``due_on``) when it lies before ``discovered_on``,
    the day (Dutch date) the breach was discovered or reported, whichever came first: a
    measure against a breach cannot have been due before anyone knew of it (a typo such as
    2020 for 2026). [] when it is right, or not given or unknown (None)."""
    if due_on is not None and due_on < discovered_on:
        return [
            FieldProblem(
                "due_on",
                N_("The due date cannot lie before the breach was discovered (%(date)s)."),
                {"date": discovered_on.strftime("%d-%m-%Y")},
            )
        ]
    return []


def check_due_on(due_on: date | None, discovered_on: date) -> None:
    """Refuse a due date that :func:`due_on_problems` finds a problem with.

    Raises:
        DueDateRefused: ``due_on`` lies before ``discovered_on``.
    """
    for problem in due_on_problems(due_on, discovered_on):
        raise DueDateRefused(problem.message, {k: str(v) for k, v in problem.params.items()})


class OutcomeRefused(ValueError):
    """A measure finished or dropped without a word on what was done or why (``message``: an
    English template marked with ``N_``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def outcome_problems(status: ActionStatus, outcome: str) -> list[FieldProblem]:
    """A measure done says what was done, one dropped says why (field ``outcome``): the
    register keeps that as the remedial action taken (Art. 33(5)). Before, both could be set
    with the field empty (found by exploratory testing)."""
    if outcome.strip():
        return []
    if status is ActionStatus.DONE:
        return [FieldProblem("outcome", N_("Say what was done: the register keeps it."))]
    if status is ActionStatus.CANCELLED:
        return [FieldProblem("outcome", N_("Say why the measure lapses: the register keeps it."))]
    return []
