"""The factors present that raise the risk, stated as facts whether or not they make it high:
what the data are, who got them, for how long and how many, and how many people.

Part of :func:`breachdesk.domain.assessment.assess`; the high-risk rules themselves are in
:mod:`breachdesk.domain.risk_factors`.
"""

from __future__ import annotations

from .checklist import Availability, Facts, Integrity, Misuse, PasswordProtection, Recipients, Tri
from .reasons import Reason, format_number
from .risk_factors import confidentiality_exposed
from .rule_terms import (
    AVAIL,
    CONF,
    EDPB_CASES,
    FLAG_MESSAGES,
    INTEG,
    LARGE_NUMBER_OF_PEOPLE,
    SENSITIVE_OR_FINANCIAL,
    WP250,
    make_reason,
)
from .text import N_

_r = make_reason


def contributing_reasons(facts: Facts) -> list[Reason]:
    """Factors present that raise the risk, stated as facts (whether or not they make it high)."""
    found = []
    for name in (*SENSITIVE_OR_FINANCIAL, "id_document_number", "children", "vulnerable"):
        if getattr(facts, name) is Tri.YES:
            rule = WP250 if name in ("special_category", "criminal_data") else "EDPB 9/2022"
            found.append(_r(name, rule, FLAG_MESSAGES[name][0]))
    if facts.malicious is Tri.YES:
        found.append(
            _r(
                "malicious",
                "EDPB 9/2022; ENISA 2013",
                N_("The breach was intentional; misuse of the data is more likely."),
            )
        )
    if facts.exfiltration is Tri.YES:
        found.append(
            _r(
                "exfiltration",
                EDPB_CASES,
                N_("Data were taken (exfiltrated); whoever has them can use or publish them."),
            )
        )
    if confidentiality_exposed(facts) and facts.recipients is Recipients.MANY_OR_UNKNOWN:
        found.append(
            _r(
                "recipients",
                "EDPB 9/2022",
                N_("The data reached many or unknown people, or were published."),
            )
        )
    if confidentiality_exposed(facts) and facts.recipients is Recipients.KNOWN_HOSTILE:
        found.append(
            _r(
                "recipients",
                "EDPB 01/2021 (exfiltration by an employee); EDPB 9/2022",
                N_("The data reached a known person who may misuse them."),
            )
        )
    found += _exposure_reasons(facts)
    if facts.subjects_count is not None and facts.subjects_count > LARGE_NUMBER_OF_PEOPLE:
        found.append(_count_reason(facts.subjects_count, facts.subjects_min))
    if facts.controller_context_sensitive is Tri.YES:
        found.append(
            _r(
                "controller_context_sensitive",
                "EDPB 9/2022; ENISA 2013",
                N_("Who the organisation is reveals more about the people than the data alone."),
            )
        )
    if AVAIL in facts.breach_types and facts.availability is Availability.PERMANENT:
        found.append(_r("availability", "EDPB 9/2022", N_("The data are lost for good.")))
    if INTEG in facts.breach_types and facts.integrity is Integrity.NOT_RECOVERABLE:
        found.append(_r("integrity", "EDPB 9/2022", N_("The altered data cannot be restored.")))
    found += _password_reasons(facts)
    return found


def _count_reason(count: int, low: int | None) -> Reason:
    """How many people, saying only what is known: an exact count, a range, or an estimate."""
    rule = "EDPB 9/2022; ENISA 2013"
    if low is not None and low < count:
        return _r(
            "subjects_count",
            rule,
            N_(
                "Between %(low)s and %(count)s people are affected; the number of people "
                "weighs in the risk."
            ),
            low=low,
            count=count,
        )
    if low == count:
        return _r(
            "subjects_count",
            rule,
            N_("%(count)s people are affected; the number of people weighs in the risk."),
            count=count,
        )
    return _r(
        "subjects_count",
        rule,
        N_(
            "Up to %(count)s people are affected (the best estimate); the number of people "
            "weighs in the risk."
        ),
        count=count,
    )


def _exposure_reasons(facts: Facts) -> list[Reason]:
    """How long and how far the data were open, and what is known of misuse."""
    found = []
    if CONF in facts.breach_types and facts.exposure_hours is not None:
        found.append(
            _r(
                "exposure_hours",
                "EDPB 9/2022",
                N_("The data were open to others for %(hours)s hours.")
                if facts.exposure_hours != 1
                else N_("The data were open to others for one hour."),
                hours=format_number(facts.exposure_hours),
            )
        )
    if CONF in facts.breach_types and facts.exposure_reach is not None:
        found.append(
            _r(
                "exposure_reach",
                "EDPB 9/2022",
                N_("%(reach)s people saw, received or downloaded the data (best estimate).")
                if facts.exposure_reach != 1
                else N_("One person saw, received or downloaded the data (best estimate)."),
                reach=facts.exposure_reach,
            )
        )
    if facts.misuse is Misuse.NONE_FOUND:
        found.append(
            _r(
                "misuse",
                "EDPB 9/2022",
                N_(
                    "No sign of misuse was found when it was looked for; that makes misuse less "
                    "likely, not the data less sensitive."
                ),
            )
        )
    return found


def _password_reasons(facts: Facts) -> list[Reason]:
    if facts.credentials is not Tri.YES or CONF not in facts.breach_types:
        return []
    if facts.password_protection is PasswordProtection.STRONG_HASH:
        message = N_(
            "The passwords were stored with a strong, salted hash: they cannot be read from "
            "what was taken."
        )
    elif facts.password_protection is PasswordProtection.WEAK_HASH:
        message = N_(
            "The passwords were stored with a fast or unsalted hash (such as MD5 or SHA-1), "
            "which can be cracked: they count as readable."
        )
    else:
        return []
    return [_r("password_protection", "EDPB 01/2021 (hashed passwords taken)", message)]
