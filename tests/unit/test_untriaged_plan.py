"""When an untriaged report is chased: office hours, the 8-hour cap, clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.domain.untriaged import MAX_WAIT, OfficeHours, add_office_time, plan

WEEKDAYS = OfficeHours()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_office_time_skips_evenings_and_weekends() -> None:
    # Friday 20 November 2026 16:00 Amsterdam (15:00 UTC): 1 hour left that day, 3 on Monday.
    assert add_office_time(utc(2026, 11, 20, 15), timedelta(hours=4), WEEKDAYS) == utc(
        2026, 11, 23, 11
    )


def test_office_time_is_counted_in_real_hours_across_the_clock_change() -> None:
    # Sunday 25 October 2026 has 25 hours; office hours all day every day.
    always = OfficeHours(days=frozenset(range(1, 8)), start_hour=0, end_hour=24)
    start = utc(2026, 10, 24, 21)  # 23:00 summer time
    assert add_office_time(start, timedelta(hours=4), always) == start + timedelta(hours=4)


def test_the_reminder_never_waits_longer_than_eight_hours() -> None:
    saturday = utc(2026, 11, 21, 12)
    due = plan(saturday, WEEKDAYS)
    assert due.remind_at == saturday + MAX_WAIT
    assert due.escalate_at == due.remind_at + MAX_WAIT


def test_office_hours_without_time_fall_back_to_the_cap() -> None:
    none = OfficeHours.parse("", 9, 17)
    backwards = OfficeHours.parse("12345", 17, 9)
    for hours in (none, backwards):
        assert not hours.usable
        assert plan(utc(2026, 11, 19, 9), hours).remind_at == utc(2026, 11, 19, 17)


@settings(max_examples=200, deadline=None)
@given(
    reported=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    days=st.sets(st.integers(1, 7)),
    start=st.integers(0, 23),
    length=st.integers(1, 24),
    office=st.integers(0, 12),
)
def test_reminder_comes_after_the_report_and_before_the_escalation_within_the_caps(
    reported: datetime, days: set[int], start: int, length: int, office: int
) -> None:
    hours = OfficeHours(days=frozenset(days), start_hour=start, end_hour=min(24, start + length))
    due = plan(reported, hours, office)
    assert reported <= due.remind_at <= reported + MAX_WAIT
    assert due.remind_at <= due.escalate_at <= due.remind_at + MAX_WAIT
