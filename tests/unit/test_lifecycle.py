"""The incident state machine and the 72-hour deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from breachdesk.domain.awareness import awareness_problem
from breachdesk.domain.deadline import due_at, time_left
from breachdesk.domain.duties import (
    Resolution,
    SubjectsResolution,
    resolution_problem,
    resolution_problems,
)
from breachdesk.domain.lifecycle import (
    OPEN_STATES,
    TRANSITIONS,
    Guards,
    State,
    TransitionRefused,
    allowed_targets,
    move,
)

AMS = ZoneInfo("Europe/Amsterdam")
READY = Guards(
    reason="Uitgezocht",
    aware_at_set=True,
    breach_types_set=True,
    checklist_confirmed=True,
    has_decision=True,
)


@pytest.mark.parametrize(("current", "target"), list(TRANSITIONS))
def test_every_listed_move_is_allowed_when_its_guard_is_met(current: State, target: State) -> None:
    assert move(current, target, READY) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [(a, b) for a in State for b in State if (a, b) not in TRANSITIONS],
)
def test_every_other_move_is_refused(current: State, target: State) -> None:
    with pytest.raises(TransitionRefused, match="cannot go from"):
        move(current, target, READY)


@pytest.mark.parametrize(
    ("current", "target", "guards", "message"),
    [
        pytest.param(
            State.IN_TRIAGE,
            State.NOT_A_BREACH,
            Guards(reason="  "),
            "reason",
            id="not-a-breach-without-reason",
        ),
        pytest.param(
            State.IN_TRIAGE,
            State.BREACH_CONFIRMED,
            Guards(breach_types_set=True),
            "aware",
            id="breach-without-awareness",
        ),
        pytest.param(
            State.IN_TRIAGE,
            State.BREACH_CONFIRMED,
            Guards(aware_at_set=True),
            "type of breach",
            id="breach-without-types",
        ),
        pytest.param(
            State.BREACH_CONFIRMED,
            State.ASSESSED,
            Guards(),
            "checklist",
            id="assessed-without-checklist",
        ),
        pytest.param(
            State.ASSESSED,
            State.DECIDED,
            Guards(checklist_confirmed=True),
            "decision",
            id="decided-without-decision",
        ),
        pytest.param(
            State.DECIDED,
            State.CLOSED,
            Guards(supplement_outstanding=True),
            "provisional",
            id="close-with-a-provisional-filing-not-supplemented",
        ),
        pytest.param(State.CLOSED, State.IN_TRIAGE, Guards(), "reason", id="reopen-without-reason"),
        pytest.param(
            State.NOT_A_BREACH,
            State.IN_TRIAGE,
            Guards(),
            "reason",
            id="reopen-not-a-breach-without-reason",
        ),
    ],
)
def test_guards_refuse_with_a_message(
    current: State, target: State, guards: Guards, message: str
) -> None:
    with pytest.raises(TransitionRefused, match=message):
        move(current, target, guards)


def test_no_decision_without_passing_through_the_checklist() -> None:
    assert State.DECIDED not in allowed_targets(State.BREACH_CONFIRMED)
    assert State.DECIDED not in allowed_targets(State.IN_TRIAGE)
    assert allowed_targets(State.ASSESSED) == [State.DECIDED]
    assert State.CLOSED not in OPEN_STATES and State.NOT_A_BREACH not in OPEN_STATES


@pytest.mark.parametrize(
    ("aware_local", "due_local"),
    [
        # October change: the clocks go back on Sunday 25 October 2026 at 03:00 CEST.
        pytest.param(
            datetime(2026, 10, 24, 12, 0), datetime(2026, 10, 27, 11, 0), id="october-dst"
        ),
        # March change: the clocks go forward on Sunday 29 March 2026 at 02:00 CET.
        pytest.param(datetime(2026, 3, 27, 12, 0), datetime(2026, 3, 30, 13, 0), id="march-dst"),
        pytest.param(datetime(2026, 11, 19, 9, 30), datetime(2026, 11, 22, 9, 30), id="no-change"),
    ],
)
def test_deadline_is_72_clock_hours_across_dst(aware_local: datetime, due_local: datetime) -> None:
    aware = aware_local.replace(tzinfo=AMS)
    due = due_at(aware)
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)
    assert due.astimezone(AMS).replace(tzinfo=None) == due_local
    assert due - aware.astimezone(UTC) == timedelta(hours=72)


def test_time_left_goes_negative_after_the_deadline() -> None:
    aware = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    assert time_left(aware, aware + timedelta(hours=70)) == timedelta(hours=2)
    assert time_left(aware, aware + timedelta(hours=73)) == timedelta(hours=-1)


def test_awareness_rules() -> None:
    now = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    earlier = now - timedelta(hours=3)
    assert awareness_problem(earlier, None, "", now) is None  # first value: no reason needed
    assert awareness_problem(now + timedelta(hours=1), None, "", now) is not None  # future
    assert awareness_problem(now - timedelta(hours=5), earlier, "", now) is not None  # correction
    assert awareness_problem(now - timedelta(hours=5), earlier, "Logbestand bekeken", now) is None
    assert awareness_problem(earlier, earlier, "", now) is None  # unchanged
    # A reason a form could not read (None) is not taken for a missing one.
    assert awareness_problem(now - timedelta(hours=5), earlier, None, now) is None


def test_a_resolution_names_its_moments_and_its_notes_problem_together() -> None:
    now = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    informed = Resolution(SubjectsResolution.INFORMED.value, None, "")
    problems = resolution_problems(informed, SubjectsResolution.INFORMED.value, None, now)
    assert [field for field, _message in problems] == ["at", "note"]
    assert resolution_problem(informed, SubjectsResolution.INFORMED.value, None, now) == problems[0]


def test_awareness_lies_between_the_start_of_the_breach_and_the_first_filing() -> None:
    """Found by exploratory testing: awareness months before the breach began, and after the
    AP had been notified, were accepted (a false deadline, a false "on time")."""
    now = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    started, filed = now - timedelta(days=1), now - timedelta(hours=2)
    why = "Logbestand bekeken"

    def problem(moment: datetime) -> str | None:
        return awareness_problem(
            moment, now - timedelta(hours=5), why, now, started_at=started, first_filed_at=filed
        )

    assert problem(datetime(2026, 3, 27, 10, 0, tzinfo=UTC)) == (
        "The moment of awareness cannot lie before the breach began."
    )
    assert problem(filed + timedelta(minutes=10)) is not None and "filing" in str(
        problem(filed + timedelta(minutes=10))
    )
    assert problem(started) is None and problem(filed) is None
    # Before the report's moment of discovery is allowed: the FG may have heard it first.
    assert (
        awareness_problem(started + timedelta(hours=1), None, "", now, started_at=started) is None
    )
