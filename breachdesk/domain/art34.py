"""Art. 34 GDPR: informing the people when the risk is high, its exemptions, and UAVG art. 42.

Part of :func:`breachdesk.domain.assessment.assess`; the rules are described for lawyers in rule
4 of the docstring of :mod:`breachdesk.domain.assessment`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checklist import Availability, Facts, Tri
from .reasons import Reason
from .rule_terms import AVAIL, INTEG, KEY_SAFE, make_reason
from .text import N_


def unintelligible_art34_3a(facts: Facts) -> bool:
    """Unintelligible data, nothing altered, nothing lost for good."""
    lost = (
        AVAIL in facts.breach_types
        and facts.availability not in (Availability.NO_LOSS, Availability.TEMPORARY)
        and facts.backup_available is not Tri.YES
    )
    return facts.protection is KEY_SAFE and INTEG not in facts.breach_types and not lost


@dataclass(frozen=True)
class Art34:
    """What Art. 34 requires for a breach, with the reasons and any open question."""

    inform: bool
    public: bool
    exemption: str | None
    uavg42: bool
    reasons: tuple[Reason, ...]
    open_questions: tuple[Reason, ...]


def art34_duties(facts: Facts, *, notify: bool, high: bool) -> Art34:
    """Art. 34 for a breach: ``notify`` when the AP is notified, ``high`` when the risk is high."""
    r = make_reason
    if not notify:
        return Art34(False, False, None, False, (), ())
    if not high:
        why = r(
            "art34",
            "GDPR Art. 34(1)",
            N_(
                "The risk is not high, so informing the people is not required; they may still "
                "be informed voluntarily."
            ),
        )
        return Art34(False, False, None, False, (why,), ())
    if facts.financial_undertaking is Tri.YES:
        why = r(
            "financial_undertaking",
            "UAVG art. 42",
            N_(
                "The organisation is a financial undertaking under the Wft, so Art. 34 GDPR "
                "(informing the people) does not apply (UAVG art. 42); the AP must still be "
                "notified."
            ),
        )
        return Art34(False, False, None, True, (why,), ())
    if unintelligible_art34_3a(facts):
        exemption, inform, public = "a", False, False
        why = r(
            "protection",
            "GDPR Art. 34(3)(a)",
            N_(
                "The data were unintelligible (state-of-the-art encryption, key not compromised), "
                "so informing the people is not required (Art. 34(3)(a))."
            ),
        )
    elif facts.subsequent_measures_remove_high_risk is Tri.YES:
        exemption, inform, public = "b", False, False
        why = r(
            "subsequent_measures_remove_high_risk",
            "GDPR Art. 34(3)(b)",
            N_(
                "Measures taken since the breach ensure the high risk is no longer likely to "
                "materialise, so informing the people is not required (Art. 34(3)(b)); the "
                "organisation must be able to show this."
            ),
        )
    elif facts.disproportionate_effort is Tri.YES:
        exemption, inform, public = "c", False, True
        why = r(
            "disproportionate_effort",
            "GDPR Art. 34(3)(c)",
            N_(
                "Informing each person would take disproportionate effort, so a public "
                "communication that informs them equally effectively is required instead "
                "(Art. 34(3)(c))."
            ),
        )
    else:
        exemption, inform, public = None, True, False
        why = r(
            "art34",
            "GDPR Art. 34(1) and (2)",
            N_(
                "The risk is high, so the people must be informed without undue delay, in clear "
                "and plain language, with the contact point, the likely consequences and the "
                "measures taken (Art. 34(1) and (2))."
            ),
        )
    questions: tuple[Reason, ...] = ()
    if facts.financial_undertaking is Tri.UNKNOWN and exemption in (None, "c"):
        questions = (
            r(
                "financial_undertaking",
                "UAVG art. 42",
                N_(
                    "It is not known whether the organisation is a financial undertaking under "
                    "the Wft; if it is, Art. 34 does not apply (UAVG art. 42)."
                ),
            ),
        )
    return Art34(inform, public, exemption, False, (why,), questions)
