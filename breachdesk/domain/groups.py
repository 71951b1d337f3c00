"""Groups of people within one breach whose exposure differs from the rest (rule 7 of
:mod:`breachdesk.domain.assessment`): the facts as they are for a group, and the breach's
advice and its groups' advice put together."""

from __future__ import annotations

from dataclasses import replace

from .checklist import Facts, PeopleGroup
from .reasons import dedupe
from .recommendation import _AP_ORDER, GroupAdvice, Outcome, Recommendation, RiskLevel
from .rule_terms import make_reason
from .text import N_


def group_facts(facts: Facts, group: PeopleGroup) -> Facts:
    """The facts of the breach as they are for ``group``."""
    changes = dict(group.changes)
    return replace(facts, groups=(), subjects_count=group.count, subjects_min=None, **changes)


_RISK_ORDER = list(RiskLevel)
_OUTCOME_ORDER = [
    Outcome.REGISTER_ONLY,
    Outcome.NOTIFY_AP,
    Outcome.NOTIFY_AP_AND_PUBLIC_COMMUNICATION,
    Outcome.NOTIFY_AP_AND_SUBJECTS,
]


def combined(whole: Recommendation, parts: tuple[GroupAdvice, ...]) -> Recommendation:
    """The breach's advice and its groups' together: the strongest of them, with a reason per
    group saying what its people are owed."""
    everything = (whole, *(part.recommendation for part in parts))
    strongest = max(everything, key=lambda rec: _OUTCOME_ORDER.index(rec.outcome))
    reasons = []
    for reason in whole.reasons[:-1]:  # the register reason stays last
        if reason.factor == "art34" and not whole.inform_subjects:
            # Said of everyone, it would contradict a group's advice: it is about the others.
            reason = make_reason(
                "art34",
                "GDPR Art. 34(1)",
                N_(
                    "For the people outside the groups below the risk is not high, so informing "
                    "them is not required; they may still be informed voluntarily."
                ),
            )
        reasons.append(reason)
    for part in parts:
        rec = part.recommendation
        if rec.inform_subjects or rec.public_communication:
            message = N_(
                "The group “%(group)s” must be informed: for them the risk is high (see that "
                "group's reasons)."
            )
        elif rec.notify_ap:
            message = N_(
                "For the group “%(group)s” the breach must be notified to the AP; the risk to "
                "them is not high, so informing them is not required."
            )
        else:
            message = N_(
                "For the group “%(group)s” alone the breach would be unlikely to result in a risk."
            )
        reasons.append(make_reason("groups", "EDPB 9/2022", message, group=part.name))
    reasons.append(whole.reasons[-1])
    uncertainties = dedupe(
        [*whole.uncertainties, *(q for p in parts for q in p.recommendation.uncertainties)]
    )
    return replace(
        whole,
        risk=max((rec.risk for rec in everything), key=_RISK_ORDER.index),
        outcome=strongest.outcome,
        notify_ap=any(rec.notify_ap for rec in everything),
        inform_subjects=strongest.inform_subjects,
        public_communication=strongest.public_communication,
        art34_exemption=strongest.art34_exemption,
        art34_excluded_uavg42=strongest.art34_excluded_uavg42,
        ap_severity=max((rec.ap_severity for rec in everything), key=_AP_ORDER.index),
        reasons=tuple(reasons),
        uncertainties=tuple(uncertainties),
        provisional_advised=any(rec.provisional_advised for rec in everything),
        groups=parts,
    )
