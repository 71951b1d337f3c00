"""The clock of an incident as pages show it: its colour, words and live countdown.

The inbox shows up to 50 clocks; what each needs is worked out here in Python, once per clock,
and the words once per request, instead of in template logic for every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g
from flask_babel import get_locale, gettext
from markupsafe import Markup, escape

from ..domain.deadline import CONTROLLER_STATUS_LABELS, STATUS_LABELS, DeadlineStatus, Duty
from ..services.deadlines import IncidentClock

#: The Bootstrap colour of each status of a term (badges and alerts).
STATUS_COLOURS = {
    DeadlineStatus.OPEN.value: "info",
    DeadlineStatus.DUE_SOON.value: "warning",
    DeadlineStatus.OVERDUE.value: "danger",
    DeadlineStatus.MET.value: "success",
    DeadlineStatus.LATE.value: "danger",
    DeadlineStatus.FILED_UNDATED.value: "secondary",
    DeadlineStatus.NOT_REQUIRED.value: "secondary",
}


def clock_words() -> dict[str, Any]:
    """The clock's words in the reader's language, translated once per request and language:
    the inbox shows up to 50 running terms, each with a badge and a countdown, and would
    otherwise translate the same eight words for every one of them."""
    locale = str(get_locale())
    cache: dict[str, dict[str, Any]] | None = g.get("clock_words")
    if cache is None:
        cache = g.clock_words = {}
    if locale not in cache:
        cache[locale] = {
            "left": gettext("{t} left"),
            "over": gettext("{t} late"),
            "hms": gettext("hours:minutes:seconds (d: days)"),
            "ap": {s.value: gettext(label) for s, label in STATUS_LABELS.items()},
            "controller": {
                s.value: gettext(label) for s, label in CONTROLLER_STATUS_LABELS.items()
            },
            "colour": STATUS_COLOURS,
        }
    return cache[locale]


@dataclass(frozen=True)
class ClockBadge:
    """What the badges of one clock show (clock_cell below)."""

    status: str  # the DeadlineStatus value
    colour: str  # Bootstrap colour
    label: str  # the status in the reader's language
    running: bool
    deadline: str  # ISO 8601, for the live countdown script
    now: str  # ISO 8601: the server's time when the page was made
    countdown: str  # "12:03:04 left" or "1:02:03 late"
    words: dict[str, Any]  # clock_words(), for the countdown script's labels


#: From here on a countdown counts days too: "6009:11:43 late" (250 days) read as a clock
#: (found by exploratory testing). static/js/countdown.js writes the same.
DAYS_FROM = 48 * 3600


def duration_text(seconds: int) -> str:
    """ "12:03:04", or from two days on "250 d 9:11:43"."""
    days, rest = divmod(seconds, 86400) if seconds >= DAYS_FROM else (0, seconds)
    clock = f"{rest // 3600}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days} d {clock}" if days else clock


def clock_badge(clock: IncidentClock, now: datetime) -> ClockBadge:
    words = clock_words()
    status = clock.status.value
    labels = words["controller"] if clock.duty is Duty.CONTROLLER else words["ap"]
    countdown = ""
    if clock.running:
        seconds = int((clock.deadline - now).total_seconds())
        text = duration_text(abs(seconds))
        countdown = (words["over"] if seconds < 0 else words["left"]).replace("{t}", text)
    return ClockBadge(
        status=status,
        colour=STATUS_COLOURS[status],
        label=labels[status],
        running=clock.running,
        deadline=clock.deadline.isoformat(),
        now=now.isoformat(),
        countdown=countdown,
        words=words,
    )


def clock_cell(clock: IncidentClock, now: datetime, stacked: bool = False) -> Markup:
    """The clock's badges as HTML: its status and, while the term runs, the live countdown
    (static/js reads the data attributes). Made here rather than in a template macro: the
    inbox shows up to 50 of them, and a macro call per row was a third of its rendering."""
    b = clock_badge(clock, now)
    colour = escape(b.colour)
    html = f'<span class="badge text-bg-{colour} deadline-status" data-status="{escape(b.status)}"'
    if b.running:
        ap = b.words["ap"]
        html += (
            f' data-status-deadline="{escape(b.deadline)}"'
            f' data-label-open="{escape(ap["open"])}"'
            f' data-label-due-soon="{escape(ap["due_soon"])}"'
            f' data-label-overdue="{escape(ap["overdue"])}"'
        )
    html += f">{escape(b.label)}</span>"
    if b.running:
        html += (
            ("" if stacked else " ")
            + f'<span class="badge countdown text-bg-{colour}" data-deadline="{escape(b.deadline)}"'
            f' data-now="{escape(b.now)}" data-left="{escape(b.words["left"])}"'
            f' data-over="{escape(b.words["over"])}" title="{escape(b.words["hms"])}">'
            f"{escape(b.countdown)}</span>"
        )
    if stacked:
        html = f'<div class="d-flex flex-column align-items-start gap-1">{html}</div>'
    # Every value above went through escape(); Markup.format() would be safe too, but it was
    # slower than the macro this replaces.
    return Markup(html)  # noqa: S704


def status_colour(clock: IncidentClock) -> str:
    """The Bootstrap colour of the clock's status (an alert around the clock)."""
    return STATUS_COLOURS[clock.status.value]
