"""How the register says the duty to inform the people affected stands (Art. 34 GDPR)."""

from __future__ import annotations

import pytest

from breachdesk.domain.assessment import Outcome
from breachdesk.domain.duties import SubjectsResolution
from breachdesk.domain.register import INFORMED_LABELS, Informed, Sending, informed_state

OWED = Outcome.NOTIFY_AP_AND_SUBJECTS.value
AP_ONLY = Outcome.NOTIFY_AP.value


@pytest.mark.parametrize(
    ("resolution", "outcome", "sending", "expected"),
    [
        # What the FG recorded at closing comes first, whatever breachdesk sent.
        (SubjectsResolution.INFORMED.value, OWED, Sending.NOTHING, Informed.INFORMED),
        (SubjectsResolution.INFORMED.value, OWED, Sending.UNDER_WAY, Informed.INFORMED),
        (SubjectsResolution.ENCRYPTED.value, OWED, Sending.DONE, Informed.EXEMPT),
        (SubjectsResolution.OTHER.value, OWED, Sending.NOTHING, Informed.EXEMPT),
        # Before closing, breachdesk's own sending speaks.
        ("", OWED, Sending.UNDER_WAY, Informed.INFORMING),
        ("", OWED, Sending.DONE, Informed.INFORMED),
        ("", AP_ONLY, Sending.DONE, Informed.INFORMED),  # informed without being required
        ("", None, Sending.UNDER_WAY, Informed.INFORMING),
        # Nothing sent: the decision says whether it is owed.
        ("", OWED, Sending.NOTHING, Informed.OWED),
        ("", AP_ONLY, Sending.NOTHING, Informed.NOT_REQUIRED),
        ("", Outcome.REGISTER_ONLY.value, Sending.NOTHING, Informed.NOT_REQUIRED),
        ("", None, Sending.NOTHING, Informed.UNDECIDED),
        # Imported from an earlier register that does not say: not known, not "not required"
        # (which would claim the decision did not require it); breachdesk's sending since speaks.
        (SubjectsResolution.NOT_RECORDED.value, AP_ONLY, Sending.NOTHING, Informed.UNKNOWN),
        (SubjectsResolution.NOT_RECORDED.value, AP_ONLY, Sending.DONE, Informed.INFORMED),
        (SubjectsResolution.NOT_RECORDED.value, AP_ONLY, Sending.UNDER_WAY, Informed.INFORMING),
    ],
)
def test_informed_state(
    resolution: str, outcome: str | None, sending: Sending, expected: Informed
) -> None:
    assert informed_state(resolution, outcome, sending) is expected


def test_every_state_has_a_label() -> None:
    assert set(INFORMED_LABELS) == set(Informed)


def test_an_incident_judged_no_breach_owes_nothing() -> None:
    """Found by exploratory testing: "not a breach" read "not yet decided" (an open case)."""
    for state in ("not_a_breach", "discarded"):
        assert informed_state("", None, state=state) is Informed.NOT_A_BREACH
    assert informed_state("", None, state="decided") is Informed.UNDECIDED
