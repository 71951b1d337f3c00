"""The FG's next step per incident, in the order of the work."""

from __future__ import annotations

from dataclasses import replace

import pytest

from breachdesk.domain.lifecycle import State
from breachdesk.domain.next_action import NEXT_ACTION_LABELS, NextAction, Standing, next_action

DECIDED = Standing(
    state=State.DECIDED,
    aware=True,
    checklist_confirmed=True,
    decision_stale=False,
    processor=False,
    filing_owed=False,
    term_pressing=False,
    informing_owed=False,
)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"state": State.REPORTED, "aware": False}, NextAction.TRIAGE),
        ({"state": State.IN_TRIAGE, "aware": True}, NextAction.TRIAGE),
        ({"state": State.BREACH_CONFIRMED, "aware": False}, NextAction.AWARENESS),
        (
            {"state": State.BREACH_CONFIRMED, "checklist_confirmed": False, "filing_owed": True},
            NextAction.CHECKLIST,
        ),
        ({"state": State.ASSESSED, "filing_owed": True}, NextAction.DECIDE),
        # A pressing term comes first: file now, in phases if need be (Art. 33(4)).
        (
            {
                "state": State.BREACH_CONFIRMED,
                "checklist_confirmed": False,
                "filing_owed": True,
                "term_pressing": True,
            },
            NextAction.FILE_AP,
        ),  # fmt: skip
        (
            {
                "state": State.ASSESSED,
                "filing_owed": True,
                "term_pressing": True,
                "processor": True,
            },
            NextAction.INFORM_CONTROLLER,
        ),  # fmt: skip
        # A processor tells its controller before anything else: the risk is the
        # controller's to assess (Art. 33(2)).
        (
            {
                "state": State.BREACH_CONFIRMED,
                "checklist_confirmed": False,
                "filing_owed": True,
                "processor": True,
            },
            NextAction.INFORM_CONTROLLER,
        ),  # fmt: skip
        ({"state": State.BREACH_CONFIRMED, "checklist_confirmed": False}, NextAction.CHECKLIST),
        ({"decision_stale": True, "filing_owed": True}, NextAction.DECIDE_AGAIN),
        ({"filing_owed": True, "informing_owed": True}, NextAction.FILE_AP),
        ({"informing_owed": True}, NextAction.INFORM_PEOPLE),
        # A provisional notification is supplemented before closing (Art. 33(4)); telling
        # the people comes first.
        ({"informing_owed": True, "supplement_owed": True}, NextAction.INFORM_PEOPLE),
        ({"supplement_owed": True}, NextAction.SUPPLEMENT),
        # Closing is refused without the measures taken on record (Art. 33(5)): "Close" was
        # shown all the same (found by testing as a user).
        ({"measures_recorded": False}, NextAction.MEASURES),
        ({"supplement_owed": True, "measures_recorded": False}, NextAction.SUPPLEMENT),
        ({}, NextAction.CLOSE),
        ({"state": State.CLOSED}, NextAction.NONE),
        ({"state": State.NOT_A_BREACH, "filing_owed": True}, NextAction.NONE),
    ],
)
def test_next_action(changes: dict[str, object], expected: NextAction) -> None:
    assert next_action(replace(DECIDED, **changes)) is expected  # type: ignore[arg-type]


def test_every_step_has_a_label() -> None:
    assert set(NEXT_ACTION_LABELS) == set(NextAction)
