"""Reports nobody has triaged yet: when to remind the FG and when to escalate.

A report can be a breach the organisation is already aware of: the 72 hours may be running
while it waits in the inbox. So a report that is not triaged in time is chased:

* the **reminder** goes to the FG and the deputy after ``office_hours`` hours of the
  organisation's office time (default 4), but never later than :data:`MAX_WAIT` (8 calendar
  hours) after the report: a report made on Friday evening is chased on Saturday morning, not
  on Monday;
* the **escalation** goes to the FG, the deputy and the escalation contact the same time
  again after the reminder (again at most 8 calendar hours later).

Office time is counted in Dutch time on the organisation's office days (ISO weekday numbers,
1 = Monday) between its start and end hour. Times are computed in UTC and returned in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .timeutil import AMSTERDAM, ensure_utc

#: However the office hours are set, a report is chased within this time.
MAX_WAIT = timedelta(hours=8)
DEFAULT_OFFICE_HOURS = 4


@dataclass(frozen=True)
class OfficeHours:
    """The organisation's office time in Dutch time."""

    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    start_hour: int = 9
    end_hour: int = 17

    @classmethod
    def parse(cls, days: str, start_hour: int, end_hour: int) -> OfficeHours:
        """From the stored form: days as a string of ISO weekday digits ("12345")."""
        chosen = frozenset(int(c) for c in days if c.isdigit() and 1 <= int(c) <= 7)
        return cls(days=chosen, start_hour=start_hour, end_hour=end_hour)

    @property
    def usable(self) -> bool:
        return bool(self.days) and 0 <= self.start_hour < self.end_hour <= 24


def add_office_time(start: datetime, duration: timedelta, hours: OfficeHours) -> datetime | None:
    """The moment ``duration`` of office time has passed after ``start`` (UTC in and out).

    None when the office hours contain no time at all (no days, or start not before end).
    Each day's office time is taken in local time, so daylight-saving changes are right.
    """
    if not hours.usable:
        return None
    remaining = duration
    local = ensure_utc(start).astimezone(AMSTERDAM)
    day = local.date()
    for _ in range(400):  # at most a year of days; office hours with at least one day end it
        if day.isoweekday() in hours.days:
            opens = datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM) + timedelta(
                hours=hours.start_hour
            )
            closes = datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM) + timedelta(
                hours=hours.end_hour
            )
            # Elapsed time is counted in UTC: on the day the clocks change, wall-clock
            # subtraction would be an hour off.
            begin = max(opens, local).astimezone(UTC)
            end = closes.astimezone(UTC)
            if begin < end:
                available = end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
        local = datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM)
    return None


@dataclass(frozen=True)
class UntriagedPlan:
    remind_at: datetime
    escalate_at: datetime


def plan(
    reported_at: datetime,
    hours: OfficeHours,
    office_hours: int = DEFAULT_OFFICE_HOURS,
) -> UntriagedPlan:
    """When to remind and when to escalate for a report made at ``reported_at`` (UTC)."""
    wait = timedelta(hours=max(0, office_hours))

    def after(moment: datetime) -> datetime:
        by_office = add_office_time(moment, wait, hours)
        latest = moment + MAX_WAIT
        return latest if by_office is None else min(by_office, latest)

    remind_at = after(ensure_utc(reported_at))
    return UntriagedPlan(remind_at=remind_at, escalate_at=after(remind_at))
