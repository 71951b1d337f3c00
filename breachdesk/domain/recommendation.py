"""What the assessment recommends: the outcomes, the risk levels, the AP form's severity and the
recommendation itself (the rules that produce it are in :mod:`breachdesk.domain.assessment`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .reasons import Reason
from .severity import Band, Severity


class RiskLevel(StrEnum):
    UNLIKELY = "unlikely"  # unlikely to result in a risk: register only
    RISK = "risk"  # notify the AP
    HIGH = "high"  # notify the AP and inform the people (Art. 34)


class Outcome(StrEnum):
    REGISTER_ONLY = "register_only"
    NOTIFY_AP = "notify_ap"
    NOTIFY_AP_AND_SUBJECTS = "notify_ap_and_subjects"
    NOTIFY_AP_AND_PUBLIC_COMMUNICATION = "notify_ap_and_public_communication"


#: What each outcome commits the organisation to: (notify the AP, inform each person
#: affected (Art. 34(1)), make a public communication instead (Art. 34(3)(c))).
OUTCOME_DUTIES: dict[Outcome, tuple[bool, bool, bool]] = {
    Outcome.REGISTER_ONLY: (False, False, False),
    Outcome.NOTIFY_AP: (True, False, False),
    Outcome.NOTIFY_AP_AND_SUBJECTS: (True, True, False),
    Outcome.NOTIFY_AP_AND_PUBLIC_COMMUNICATION: (True, False, True),
}


class ApSeverity(StrEnum):
    """The four answers of the AP form's severity question (9.3)."""

    VERWAARLOOSBAAR = "verwaarloosbaar"
    BEPERKT = "beperkt"
    AANZIENLIJK = "aanzienlijk"
    ZEER_GROOT = "zeer_groot"


_AP_ORDER = list(ApSeverity)
_AP_FROM_BAND = {
    Band.LOW: ApSeverity.BEPERKT,
    Band.MEDIUM: ApSeverity.AANZIENLIJK,
    Band.HIGH: ApSeverity.AANZIENLIJK,
    Band.VERY_HIGH: ApSeverity.ZEER_GROOT,
}


@dataclass(frozen=True)
class Recommendation:
    """What breachdesk recommends, why, and what is still unknown.

    ``inform_subjects`` means informing each person directly (Art. 34(1)); when Art. 34(3)(c)
    applies it is False and ``public_communication`` is True instead. ``art34_exemption`` is
    "a", "b" or "c" when that paragraph of Art. 34(3) applies to a high risk.
    """

    ruleset_version: str
    risk: RiskLevel
    outcome: Outcome
    notify_ap: bool
    inform_subjects: bool
    public_communication: bool
    art34_exemption: str | None
    art34_excluded_uavg42: bool
    ap_severity: ApSeverity
    severity: Severity
    reasons: tuple[Reason, ...]
    uncertainties: tuple[Reason, ...]
    provisional_advised: bool
    # Groups of people with a different exposure than the rest, each assessed on its own
    # (``Facts.groups``); empty when the breach is assessed as one.
    groups: tuple[GroupAdvice, ...] = ()


@dataclass(frozen=True)
class GroupAdvice:
    """The advice for one group of people (``PeopleGroup``), assessed on its own."""

    name: str
    count: int | None
    recommendation: Recommendation


def ap_severity_for(risk: RiskLevel, band: Band) -> ApSeverity:
    """breachdesk's proposal for AP form question 9.3 (rule 8 of
    :mod:`breachdesk.domain.assessment`)."""
    if risk is RiskLevel.UNLIKELY:
        return ApSeverity.VERWAARLOOSBAAR
    level = _AP_FROM_BAND[band]
    if risk is RiskLevel.HIGH:
        level = max(level, ApSeverity.AANZIENLIJK, key=_AP_ORDER.index)
    return level
