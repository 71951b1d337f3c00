"""Converting Amsterdam wall-clock time to UTC, including the daylight-saving traps."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest

from breachdesk.domain.timeutil import (
    AMSTERDAM,
    LocalTimeError,
    ensure_utc,
    local_to_utc,
    utc_to_local,
)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        pytest.param(datetime(2026, 1, 15, 12, 0), datetime(2026, 1, 15, 11, 0), id="winter"),
        pytest.param(datetime(2026, 7, 1, 12, 0), datetime(2026, 7, 1, 10, 0), id="summer"),
        pytest.param(
            datetime(2026, 1, 1, 0, 30), datetime(2025, 12, 31, 23, 30), id="winter-previous-day"
        ),
        pytest.param(
            datetime(2026, 3, 29, 1, 59), datetime(2026, 3, 29, 0, 59), id="just-before-gap"
        ),
        pytest.param(datetime(2026, 3, 29, 3, 0), datetime(2026, 3, 29, 1, 0), id="just-after-gap"),
        pytest.param(
            datetime(2026, 10, 25, 1, 59),
            datetime(2026, 10, 24, 23, 59),
            id="just-before-overlap",
        ),
        pytest.param(
            datetime(2026, 10, 25, 3, 0), datetime(2026, 10, 25, 2, 0), id="just-after-overlap"
        ),
        pytest.param(
            datetime(2026, 7, 1, 12, 0, 0, 123456),
            datetime(2026, 7, 1, 10, 0, 0, 123456),
            id="microseconds-kept",
        ),
    ],
)
def test_local_to_utc(local: datetime, expected: datetime) -> None:
    result = local_to_utc(local)
    assert result == expected.replace(tzinfo=UTC)
    assert result.tzinfo is UTC
    assert (result.year, result.month, result.day, result.hour, result.minute) == (
        expected.year,
        expected.month,
        expected.day,
        expected.hour,
        expected.minute,
    )


@pytest.mark.parametrize(
    "local",
    [
        pytest.param(datetime(2026, 3, 29, 2, 0), id="02:00"),
        pytest.param(datetime(2026, 3, 29, 2, 30), id="02:30"),
        pytest.param(datetime(2026, 3, 29, 2, 59, 59), id="02:59:59"),
    ],
)
def test_spring_gap_is_refused(local: datetime) -> None:
    with pytest.raises(LocalTimeError) as info:
        local_to_utc(local)
    assert isinstance(info.value, ValueError)
    assert "does not exist" in info.value.message


def test_autumn_overlap_takes_the_earlier_instant() -> None:
    # 02:30 happens twice on 2026-10-25: first in summer time (+02:00 = 00:30 UTC), then in
    # winter time (+01:00 = 01:30 UTC). The earlier one starts the breach clock sooner.
    result = local_to_utc(datetime(2026, 10, 25, 2, 30))
    assert result == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_autumn_overlap_ignores_fold_of_the_input() -> None:
    result = local_to_utc(datetime(2026, 10, 25, 2, 30, fold=1))
    assert result == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("aware", "expected"),
    [
        pytest.param(
            datetime(2026, 7, 1, 12, 0, tzinfo=AMSTERDAM),
            datetime(2026, 7, 1, 10, 0, tzinfo=UTC),
            id="amsterdam",
        ),
        pytest.param(
            datetime(2026, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=5))),
            datetime(2026, 7, 1, 7, 0, tzinfo=UTC),
            id="plus-five",
        ),
        pytest.param(
            datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
            datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
            id="already-utc",
        ),
    ],
)
def test_aware_input_is_converted_not_reinterpreted(aware: datetime, expected: datetime) -> None:
    result = local_to_utc(aware)
    assert result == expected
    assert result.utcoffset() == timedelta(0)
    assert result.hour == expected.hour


def test_aware_input_inside_the_gap_is_not_refused() -> None:
    # An aware time already names one instant, so the wall-clock gap does not apply.
    aware = datetime(2026, 3, 29, 2, 30, tzinfo=timezone(timedelta(hours=1)))
    assert local_to_utc(aware) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_ensure_utc_rejects_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        ensure_utc(datetime(2026, 7, 1, 12, 0))


def test_ensure_utc_converts_aware() -> None:
    result = ensure_utc(datetime(2026, 1, 15, 12, 0, tzinfo=AMSTERDAM))
    assert result.tzinfo is UTC
    assert result.hour == 11


@pytest.mark.parametrize(
    ("utc", "local", "offset_hours"),
    [
        pytest.param(
            datetime(2026, 11, 19, 10, 0, tzinfo=UTC), datetime(2026, 11, 19, 11, 0), 1, id="winter"
        ),
        pytest.param(
            datetime(2026, 7, 1, 10, 0, tzinfo=UTC), datetime(2026, 7, 1, 12, 0), 2, id="summer"
        ),
        pytest.param(
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            datetime(2026, 10, 25, 2, 30),
            2,
            id="overlap-first",
        ),
        pytest.param(
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            datetime(2026, 10, 25, 2, 30),
            1,
            id="overlap-second",
        ),
    ],
)
def test_utc_to_local(utc: datetime, local: datetime, offset_hours: int) -> None:
    result = utc_to_local(utc)
    assert result.replace(tzinfo=None) == local
    assert result.utcoffset() == timedelta(hours=offset_hours)
    # Same instant (compared in UTC: PEP 495 makes inter-zone == False inside a fold).
    assert result.astimezone(UTC) == utc
    assert result.tzinfo is AMSTERDAM


def test_utc_to_local_marks_the_second_pass_through_the_overlap() -> None:
    first = utc_to_local(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    second = utc_to_local(datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert (first.fold, second.fold) == (0, 1)


def test_utc_to_local_rejects_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        utc_to_local(datetime(2026, 7, 1, 10, 0))


def test_round_trip_local_utc_local() -> None:
    local = datetime(2026, 4, 2, 9, 15)
    assert utc_to_local(local_to_utc(local)).replace(tzinfo=None) == local


def test_local_time_error_behaves_like_an_ordinary_exception() -> None:
    error = LocalTimeError("This time does not exist")
    error.add_note("while reading field discovered_at")
    assert error.__notes__ == ["while reading field discovered_at"]
    clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert clone.message == error.message
    assert copy.copy(error).message == error.message


@pytest.mark.parametrize(
    "value",
    [
        datetime(1, 1, 1, 0, 0),  # OverflowError in the conversion before
        datetime(9999, 12, 31, 23, 59),
        datetime(1969, 12, 31, 23, 59),
        datetime(2101, 1, 1, 0, 0),
        datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=5))),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_years_out_of_range_are_a_local_time_error_never_an_overflow(value: datetime) -> None:
    with pytest.raises(LocalTimeError) as info:
        local_to_utc(value)
    assert info.value.message == "Give a date between %(first)d and %(last)d."
    assert info.value.params == {"first": 1970, "last": 2100}
    assert str(info.value) == "Give a date between 1970 and 2100."
    clone = pickle.loads(pickle.dumps(info.value))  # noqa: S301 - our own object
    assert (clone.message, clone.params) == (info.value.message, info.value.params)


def test_the_edges_of_the_range_are_accepted() -> None:
    assert local_to_utc(datetime(1970, 1, 1, 1, 0)) == datetime(1970, 1, 1, 0, 0, tzinfo=UTC)
    assert local_to_utc(datetime(2100, 12, 31, 23, 59)).year == 2100


def test_only_the_hour_the_clocks_go_back_is_ambiguous() -> None:
    from breachdesk.domain.timeutil import is_ambiguous

    assert is_ambiguous(datetime(2026, 10, 25, 2, 30))  # happened twice
    assert not is_ambiguous(datetime(2026, 10, 25, 3, 0))
    assert not is_ambiguous(datetime(2026, 10, 25, 1, 59))
    assert not is_ambiguous(datetime(2026, 3, 29, 2, 30))  # did not happen at all
    assert not is_ambiguous(datetime(2026, 10, 25, 2, 30, tzinfo=UTC))  # not a wall time
