"""The 72-hour term of Art. 33(1) GDPR, and the processor's term towards its controller.

The term runs from the moment the controller became aware of the breach (kennisname) and is
counted in clock hours, nights, weekends and holidays included. It is computed in UTC, so a
daylight-saving change in Europe/Amsterdam does not add or remove an hour: awareness on
24 October 2026 12:00 Amsterdam (10:00 UTC) gives 27 October 2026 11:00 Amsterdam (10:00 UTC),
one wall-clock hour earlier than naive local arithmetic would say.

The status of a deadline is *derived* whenever it is read (:func:`deadline_status`); no job
flips it. Whether a filing was late is fixed when it is first filed
(:func:`filed_late`) and stored with the filing, so correcting the moment of awareness later
cannot turn a late notification into a timely one.

When the organisation is itself the *processor* for the data, Art. 33(2) GDPR obliges it to
inform the controller "without undue delay". The GDPR sets no hours; the processing agreement
usually does (24 or 36 hours are common), and breachdesk counts that contractual term the same
way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .text import N_
from .timeutil import ensure_utc

NOTIFICATION_TERM = timedelta(hours=72)
#: Less than this left on the clock and the deadline is "due soon".
DUE_SOON = timedelta(hours=12)


class Duty(StrEnum):
    """Whom the organisation must inform within a term."""

    AP = "ap"  # controller -> Autoriteit Persoonsgegevens, 72 hours (Art. 33(1))
    CONTROLLER = "controller"  # processor -> its controller, contractual term (Art. 33(2))


class DeadlineStatus(StrEnum):
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"  # filed in time
    LATE = "late"  # filed after the deadline
    # filed, but whether in time is not known (no date of filing or of awareness in an earlier
    # register, or dates without a time): neither in time nor late
    FILED_UNDATED = "filed_undated"
    NOT_REQUIRED = "not_required"  # register only, or not a personal-data breach


STATUS_LABELS = {
    DeadlineStatus.OPEN: N_("Open"),
    DeadlineStatus.DUE_SOON: N_("Due soon"),
    DeadlineStatus.OVERDUE: N_("Overdue"),
    DeadlineStatus.MET: N_("Notified in time"),
    DeadlineStatus.LATE: N_("Notified late"),
    DeadlineStatus.FILED_UNDATED: N_("Notified; whether in time is not known"),
    DeadlineStatus.NOT_REQUIRED: N_("Not required"),
}

#: As processor the term is met by informing the controller, not the AP (Art. 33(2)).
CONTROLLER_STATUS_LABELS = {
    **STATUS_LABELS,
    DeadlineStatus.MET: N_("Controller informed in time"),
    DeadlineStatus.LATE: N_("Controller informed late"),
    DeadlineStatus.FILED_UNDATED: N_("Controller informed; whether in time is not known"),
}

#: The states in which the term keeps running (the clock is "live").
RUNNING_STATUSES = frozenset({DeadlineStatus.OPEN, DeadlineStatus.DUE_SOON, DeadlineStatus.OVERDUE})


def due_at(aware_at: datetime, term: timedelta = NOTIFICATION_TERM) -> datetime:
    """The deadline: awareness plus the term (aware UTC in, aware UTC out)."""
    return ensure_utc(aware_at) + term


def time_left(aware_at: datetime, now: datetime, term: timedelta = NOTIFICATION_TERM) -> timedelta:
    """Time until the deadline; negative once it has passed."""
    return due_at(aware_at, term) - ensure_utc(now)


def filed_late(deadline: datetime, filed_at: datetime) -> bool:
    """Whether a filing at ``filed_at`` missed ``deadline`` (filing at the deadline is in time)."""
    return ensure_utc(filed_at) > ensure_utc(deadline)


def late_between(
    aware: tuple[datetime, datetime] | None,
    filed: tuple[datetime, datetime],
    *,
    discovered_from: datetime,
    term: timedelta = NOTIFICATION_TERM,
) -> bool | None:
    """Whether a filing was late when its moments are known only within bounds (an earlier
    register that gives dates without a time: the whole day): True or False when every moment
    within the bounds says the same, else None (not known). ``aware`` None: the awareness is
    not known, only that it came at or after ``discovered_from``, so a filing can be called in
    time, never late. (A date alone read as midnight called a filing on the third day "in
    time" while it may have come 95 hours after: found by exploratory testing.)"""
    filed_first, filed_last = (ensure_utc(t) for t in filed)
    aware_first = ensure_utc(aware[0]) if aware else ensure_utc(discovered_from)
    if filed_last <= aware_first + term:
        return False
    if aware is not None and filed_first > ensure_utc(aware[1]) + term:
        return True
    return None


@dataclass(frozen=True)
class Filing:
    """The first filing of a duty as recorded: when, and whether it was late at that time.

    Both None for a filing taken over from an earlier register that does not say when it was
    made: it was filed, but whether in time cannot be told.
    """

    filed_at: datetime | None
    late: bool | None


def deadline_status(
    deadline: datetime,
    now: datetime,
    *,
    required: bool = True,
    first_filing: Filing | None = None,
    due_soon: timedelta = DUE_SOON,
) -> DeadlineStatus:
    """The status of a deadline as seen at ``now``.

    ``required`` is False when the decision is "register only" or the incident is not a
    personal-data breach. A recorded filing decides between met and late by what was stored
    when it was first filed, never by the deadline as it stands today; a filing without a
    known date is neither.
    """
    if first_filing is not None:
        if first_filing.filed_at is None or first_filing.late is None:
            return DeadlineStatus.FILED_UNDATED
        return DeadlineStatus.LATE if first_filing.late else DeadlineStatus.MET
    if not required:
        return DeadlineStatus.NOT_REQUIRED
    left = ensure_utc(deadline) - ensure_utc(now)
    if left < timedelta(0):
        return DeadlineStatus.OVERDUE
    if left <= due_soon:
        return DeadlineStatus.DUE_SOON
    return DeadlineStatus.OPEN
