"""The 72-hour clock: deadlines across DST, derived status in named time phases, reminder plans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from breachdesk.domain.ap_facts import KnownSoFar, missing_for_ap
from breachdesk.domain.deadline import (
    DeadlineStatus,
    Duty,
    Filing,
    deadline_status,
    due_at,
    filed_late,
    time_left,
)
from breachdesk.domain.reminders import (
    Kind,
    check_offsets,
    is_late,
    plan_ap,
    plan_processor,
    suggests_provisional,
)
from breachdesk.domain.timeutil import AMSTERDAM, local_to_utc, utc_to_local

AWARE = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
DEADLINE = AWARE + timedelta(hours=72)

#: Named moments in the life of a term that started at AWARE.
PHASES = {
    "just_aware": AWARE + timedelta(minutes=5),
    "a_day_in": AWARE + timedelta(hours=24, minutes=1),
    "due_soon": DEADLINE - timedelta(hours=3),
    "at_the_deadline": DEADLINE,
    "overdue": DEADLINE + timedelta(minutes=1),
}


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        ("just_aware", DeadlineStatus.OPEN),
        ("a_day_in", DeadlineStatus.OPEN),
        ("due_soon", DeadlineStatus.DUE_SOON),
        ("at_the_deadline", DeadlineStatus.DUE_SOON),
        ("overdue", DeadlineStatus.OVERDUE),
    ],
)
def test_status_in_each_phase_without_a_filing(phase: str, expected: DeadlineStatus) -> None:
    assert deadline_status(DEADLINE, PHASES[phase]) is expected


def test_notified_in_time_stays_met_whatever_the_hour() -> None:
    filing = Filing(filed_at=DEADLINE - timedelta(hours=1), late=False)
    for now in PHASES.values():
        assert deadline_status(DEADLINE, now, first_filing=filing) is DeadlineStatus.MET


def test_notified_late_stays_late_even_if_the_deadline_moves_later() -> None:
    filing = Filing(filed_at=DEADLINE + timedelta(hours=5), late=True)
    later_deadline = DEADLINE + timedelta(days=2)  # awareness "corrected" afterwards
    assert deadline_status(later_deadline, PHASES["just_aware"], first_filing=filing) is (
        DeadlineStatus.LATE
    )


def test_a_filing_without_a_known_date_is_neither_met_nor_late() -> None:
    """An earlier register's "notified: yes" without a date: filed, but whether in time
    cannot be told (before, the import invented a date and called it met)."""
    filing = Filing(filed_at=None, late=None)
    for now in PHASES.values():
        assert deadline_status(DEADLINE, now, first_filing=filing) is (DeadlineStatus.FILED_UNDATED)


def test_not_required_when_register_only() -> None:
    assert deadline_status(DEADLINE, PHASES["overdue"], required=False) is (
        DeadlineStatus.NOT_REQUIRED
    )


def test_filing_exactly_at_the_deadline_is_in_time() -> None:
    assert not filed_late(DEADLINE, DEADLINE)
    assert filed_late(DEADLINE, DEADLINE + timedelta(seconds=1))


def test_autumn_dst_change_deadline_lands_one_wall_clock_hour_earlier() -> None:
    aware = local_to_utc(datetime(2026, 10, 24, 12, 0))  # CEST, UTC+2
    deadline = due_at(aware)
    assert deadline == datetime(2026, 10, 27, 10, 0, tzinfo=UTC)
    local = utc_to_local(deadline)
    assert (local.day, local.hour, local.tzname()) == (27, 11, "CET")
    assert deadline - aware == timedelta(hours=72)


def test_spring_dst_change_deadline_lands_one_wall_clock_hour_later() -> None:
    aware = local_to_utc(datetime(2026, 3, 28, 12, 0))  # CET, UTC+1; clocks go forward on the 29th
    deadline = due_at(aware)
    assert deadline == datetime(2026, 3, 31, 11, 0, tzinfo=UTC)
    local = deadline.astimezone(AMSTERDAM)
    assert (local.day, local.hour, local.tzname()) == (31, 13, "CEST")


def test_time_left_is_negative_once_overdue() -> None:
    assert time_left(AWARE, PHASES["overdue"]) == timedelta(minutes=-1)
    assert time_left(AWARE, AWARE) == timedelta(hours=72)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        due_at(datetime(2026, 11, 16, 9, 0))  # noqa: DTZ001 - the point of the test


def test_ap_plan_default_offsets_and_escalation_at_the_deadline() -> None:
    plan = plan_ap(AWARE, DEADLINE, PHASES["just_aware"], (24, 48, 60, 70))
    assert [(p.label, p.kind, p.due_at - AWARE) for p in plan] == [
        ("24h", Kind.REMINDER, timedelta(hours=24)),
        ("48h", Kind.REMINDER, timedelta(hours=48)),
        ("60h", Kind.REMINDER, timedelta(hours=60)),
        ("70h", Kind.REMINDER, timedelta(hours=70)),
        ("deadline", Kind.ESCALATION, timedelta(hours=72)),
    ]
    assert {p.duty for p in plan} == {Duty.AP}


def test_ap_plan_skips_past_reminders_but_keeps_the_escalation() -> None:
    now = AWARE + timedelta(hours=50)
    assert [p.label for p in plan_ap(AWARE, DEADLINE, now, (24, 48, 60, 70))] == [
        "60h",
        "70h",
        "deadline",
    ]
    overdue = DEADLINE + timedelta(hours=3)
    (escalation,) = plan_ap(AWARE, DEADLINE, overdue, (24, 48))
    assert escalation.kind is Kind.ESCALATION and escalation.due_at == overdue


def test_processor_plan_counts_back_from_the_contractual_deadline() -> None:
    deadline = AWARE + timedelta(hours=24)
    plan = plan_processor(deadline, AWARE, (12, 4, 1))
    assert [(p.label, deadline - p.due_at) for p in plan] == [
        ("-12h", timedelta(hours=12)),
        ("-4h", timedelta(hours=4)),
        ("-1h", timedelta(hours=1)),
        ("deadline", timedelta(0)),
    ]
    assert {p.duty for p in plan} == {Duty.CONTROLLER}


def test_offsets_are_checked() -> None:
    assert check_offsets([24, 48], 72) == []
    assert check_offsets([0, 72], 72)[0][1] == {"max": 71}
    assert len(check_offsets([24, 24], 72)) == 1


def test_late_reminders_and_provisional_suggestion() -> None:
    assert not is_late(AWARE, AWARE + timedelta(minutes=1))
    assert is_late(AWARE, AWARE + timedelta(minutes=3))
    assert not suggests_provisional(AWARE, AWARE + timedelta(hours=47, minutes=59))
    assert suggests_provisional(AWARE, AWARE + timedelta(hours=48))


def test_missing_ap_facts_are_listed_in_form_order() -> None:
    known = KnownSoFar(
        breach_types_known=True,
        data_categories_known=True,
        subjects_count_known=False,
        records_count_known=False,
        contact_point_known=True,
        consequences_known=False,
        measures_known=True,
    )
    assert missing_for_ap(known) == ["subjects_count", "records_count", "consequences"]


def test_a_long_countdown_counts_days_apart() -> None:
    """ "Verlopen 6009:11:43 te laat" (250 days) read as a clock: found by exploratory testing."""
    from breachdesk.web.clock_view import duration_text

    assert duration_text(3 * 3600 + 4 * 60 + 5) == "3:04:05"
    assert duration_text(47 * 3600 + 59 * 60 + 59) == "47:59:59"  # the 72 hours' own scale
    assert duration_text(48 * 3600) == "2 d 0:00:00"
    assert duration_text(6009 * 3600 + 11 * 60 + 43) == "250 d 9:11:43"


def test_a_filing_known_by_dates_alone_is_judged_from_whole_days() -> None:
    """An earlier register's dates without a time stand for their whole day: aware on the
    21st and filed on the 24th may be 49 or 95 hours, so not known; on the 23rd surely in
    time, on the 25th surely late (a date read as midnight called the 24th "in time": found
    by exploratory testing). Without a moment of awareness only "in time" can be told."""
    from datetime import UTC, datetime, timedelta

    from breachdesk.domain.deadline import late_between

    def day(d: int) -> tuple[datetime, datetime]:
        start = datetime(2022, 10, d, tzinfo=UTC)
        return start, start + timedelta(days=1) - timedelta(microseconds=1)

    aware = day(21)
    assert late_between(aware, day(23), discovered_from=aware[0]) is False
    assert late_between(aware, day(24), discovered_from=aware[0]) is None
    assert late_between(aware, day(25), discovered_from=aware[0]) is True
    exact = (aware[0] + timedelta(hours=9),) * 2
    filed = (exact[0] + timedelta(hours=72),) * 2
    assert late_between(exact, filed, discovered_from=exact[0]) is False  # at the deadline
    later = (filed[0] + timedelta(seconds=1),) * 2
    assert late_between(exact, later, discovered_from=exact[0]) is True
    assert late_between(None, day(23), discovered_from=aware[0]) is False
    assert late_between(None, day(30), discovered_from=aware[0]) is None  # never "late"
