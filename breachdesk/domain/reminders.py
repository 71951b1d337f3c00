"""When breachdesk reminds the FG of a running term, and when it escalates.

A reminder is planned as a row with a due time (see ``services/reminders.py``); this module
only decides the times. For the 72 hours towards the AP the defaults are 24, 48, 60 and 70
hours after awareness, each organisation may choose its own, and at the deadline itself an
escalation goes to a contact the organisation names (a director, for example). For the
processor's term towards its controller, reminders fall a number of hours *before* the
contractual deadline (defaults 12, 4 and 1), with an escalation at the deadline.

Reminders whose time has already passed when they are planned (because awareness was recorded
late or corrected to an earlier moment) are not planned: the FG is at that moment working on
the incident. The escalation is always planned: if the deadline has already passed it falls due
at once, so the escalation contact learns of a missed deadline in every case.

From 48 hours after awareness, a reminder lists the facts the AP form asks for that are still
missing and suggests notifying provisionally now and supplementing later (Art. 33(4) GDPR).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .deadline import Duty
from .delivery import Kind
from .text import N_
from .timeutil import ensure_utc

DEFAULT_OFFSETS_HOURS: tuple[int, ...] = (24, 48, 60, 70)
DEFAULT_PROCESSOR_TERM_HOURS = 24
DEFAULT_PROCESSOR_HOURS_BEFORE: tuple[int, ...] = (12, 4, 1)
#: From this many hours after awareness, reminders suggest a provisional notification.
PROVISIONAL_FROM = timedelta(hours=48)
#: A reminder sent more than this after its due time says that it is late.
LATE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True, order=True)
class Planned:
    """One reminder to plan: ``label`` names it stably (``"24h"``, ``"-4h"``, ``"deadline"``)."""

    due_at: datetime
    duty: Duty
    kind: Kind
    label: str


def check_offsets(offsets: Iterable[int], term_hours: int) -> list[tuple[str, dict[str, int]]]:
    """Problems with reminder hours for a term of ``term_hours``: (message, params) pairs."""
    problems: list[tuple[str, dict[str, int]]] = []
    values = list(offsets)
    if any(h <= 0 or h >= term_hours for h in values):
        problems.append(
            (N_("Each reminder must fall between 1 and %(max)d hours."), {"max": term_hours - 1})
        )
    if len(set(values)) != len(values):
        problems.append((N_("Each reminder time may appear only once."), {}))
    return problems


def plan_ap(
    aware_at: datetime, deadline: datetime, now: datetime, offsets: Sequence[int]
) -> list[Planned]:
    """Reminders for the 72 hours towards the AP, ``offsets`` in hours after awareness."""
    aware = ensure_utc(aware_at)
    wanted = [
        Planned(aware + timedelta(hours=h), Duty.AP, Kind.REMINDER, f"{h}h")
        for h in sorted(set(offsets))
        if aware + timedelta(hours=h) < deadline
    ]
    return _drop_past(wanted, deadline, now, Duty.AP)


def plan_processor(deadline: datetime, now: datetime, hours_before: Sequence[int]) -> list[Planned]:
    """Reminders for the processor's term towards its controller, in hours before it ends."""
    wanted = [
        Planned(ensure_utc(deadline) - timedelta(hours=h), Duty.CONTROLLER, Kind.REMINDER, f"-{h}h")
        for h in sorted(set(hours_before), reverse=True)
    ]
    return _drop_past(wanted, deadline, now, Duty.CONTROLLER)


def _drop_past(
    wanted: list[Planned], deadline: datetime, now: datetime, duty: Duty
) -> list[Planned]:
    current = ensure_utc(now)
    kept = [p for p in wanted if p.due_at > current]
    escalation_at = max(ensure_utc(deadline), current)
    kept.append(Planned(escalation_at, duty, Kind.ESCALATION, "deadline"))
    return sorted(kept)


def is_late(due_at: datetime, sent_at: datetime, late_after: timedelta = LATE_AFTER) -> bool:
    """A reminder sent well after its due time (the scheduler was not running) says so."""
    return ensure_utc(sent_at) - ensure_utc(due_at) > late_after


def suggests_provisional(aware_at: datetime, at: datetime) -> bool:
    """From 48 hours after awareness, missing facts lead to 'notify now, supplement later'."""
    return ensure_utc(at) - ensure_utc(aware_at) >= PROVISIONAL_FROM
