"""The shared terms of the assessment's rules: the legal sources they cite, the three kinds of
breach, the flags for data whose disclosure is always more than a minor inconvenience and the
sentence each flag gives, and how a rule makes a reason. Used by the mitigating situations
(:mod:`.assessment_rules`), the high-risk factors (:mod:`.risk_factors`), the contributing
factors, the unknowns and Art. 34(3)."""

from __future__ import annotations

from collections.abc import Iterable

from .checklist import BreachType, Facts, Protection, Tri
from .reasons import Reason
from .text import N_

LARGE_NUMBER_OF_PEOPLE = 100  # ENISA's extra criterion, as flagged by common calculators

ART33_1 = "GDPR Art. 33(1)"
ART33_1_EDPB = "GDPR Art. 33(1); EDPB 9/2022"
WP250 = "WP250 / EDPB 9/2022"
EDPB_CASES = "EDPB 01/2021"
RECITAL_75 = "GDPR Recitals 75-76; EDPB 9/2022"

CONF, INTEG, AVAIL = BreachType.CONFIDENTIALITY, BreachType.INTEGRITY, BreachType.AVAILABILITY
KEY_SAFE = Protection.STATE_OF_THE_ART_KEY_SAFE

# Data whose disclosure is always more than a minor inconvenience (Art. 9/10, identity
# fraud, account takeover).
SENSITIVE_FLAGS = (
    "special_category",
    "criminal_data",
    "national_id_number",
    "identity_documents",
    "credentials",
)
SENSITIVE_OR_FINANCIAL = (*SENSITIVE_FLAGS, "financial_data")
# For each flag: the sentence when it is "yes", and when it is not known.
FLAG_MESSAGES = {
    "special_category": (
        N_("Special-category data (Art. 9) are involved."),
        N_("It is not established that no special-category data (Art. 9) are involved."),
    ),
    "criminal_data": (
        N_("Criminal data (Art. 10) are involved."),
        N_("It is not established that no criminal data (Art. 10) are involved."),
    ),
    "national_id_number": (
        N_("A BSN or other national identification number is involved."),
        N_("It is not established that no BSN or other national number is involved."),
    ),
    "identity_documents": (
        N_("Copies of identity documents are involved."),
        N_("It is not established that no copies of identity documents are involved."),
    ),
    "credentials": (
        N_("Passwords or access codes are involved."),
        N_("It is not established that no passwords or access codes are involved."),
    ),
    "id_document_number": (
        N_("The number of a passport or identity card is involved."),
        N_("It is not established that no passport or identity-card number is involved."),
    ),
    "financial_data": (
        N_("Bank, card or payment data are involved."),
        N_("It is not established that no bank, card or payment data are involved."),
    ),
    "children": (
        N_("Children are among the people affected."),
        N_("It is not established that no children are among the people affected."),
    ),
    "vulnerable": (
        N_("Vulnerable people are among those affected."),
        N_("It is not established that no vulnerable people are among those affected."),
    ),
}


def make_reason(factor: str, rule: str, message: str, **params: str | int | float) -> Reason:
    """A Reason from keyword parameters."""
    return Reason(factor, rule, message, params)


def not_no(facts: Facts, names: Iterable[str]) -> list[str]:
    """The Tri fields among ``names`` that are not answered "no"."""
    return [name for name in names if getattr(facts, name) is not Tri.NO]


def flag_failures(facts: Facts, names: Iterable[str], rule: str) -> list[Reason]:
    """A reason for each flag among ``names`` that is not answered "no": it is "yes", or not
    known."""
    failures = []
    for name in not_no(facts, names):
        yes, unknown = FLAG_MESSAGES[name]
        failures.append(
            make_reason(name, rule, yes if getattr(facts, name) is Tri.YES else unknown)
        )
    return failures
