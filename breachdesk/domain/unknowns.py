"""The key facts still unknown: what the FG has not yet established that matters for the advice.

Part of :func:`breachdesk.domain.assessment.assess` ("Still unknown" on the page). Every entry
names the fact and why it matters; an unknown fact is a reason for caution, never a reason to
conclude there is no risk.
"""

from __future__ import annotations

from .checklist import (
    Availability,
    Facts,
    Integrity,
    PasswordProtection,
    Permanence,
    Protection,
    Recipients,
    Tri,
)
from .reasons import Reason
from .risk_factors import criminals_hold_unknown_data
from .rule_terms import AVAIL, CONF, INTEG, KEY_SAFE, make_reason
from .text import N_

_r = make_reason

_UNKNOWN_DATA_MESSAGES = {
    "special_category": N_(
        "It is not known whether special-category data (Art. 9) are involved; if they are, the "
        "EDPB considers damage likely."
    ),
    "criminal_data": N_(
        "It is not known whether criminal data (Art. 10) are involved; if they are, the EDPB "
        "considers damage likely."
    ),
    "national_id_number": N_(
        "It is not known whether a BSN or other national number is involved; it enables "
        "identity fraud."
    ),
    "identity_documents": N_(
        "It is not known whether copies of identity documents are involved; they enable "
        "identity fraud."
    ),
    "credentials": N_(
        "It is not known whether passwords or access codes are involved; they open accounts to "
        "whoever has them."
    ),
    "financial_data": N_(
        "It is not known whether bank, card or payment data are involved; they can cause "
        "financial loss."
    ),
    "children": N_(
        "It is not known whether children are among the people affected; they deserve specific "
        "protection."
    ),
    "vulnerable": N_(
        "It is not known whether vulnerable people are among those affected; they deserve "
        "specific protection."
    ),
}


def uncertainties(facts: Facts, *, high: bool) -> list[Reason]:
    """Key facts still unknown that matter for a breach that is not "unlikely".

    The facts of the breach itself are always listed; the facts that could make the risk high
    only while it is not (yet) high (``high`` False), or while the high risk rests on them.
    """
    rule = "EDPB 9/2022"
    found: list[Reason] = []

    def unknown(factor: str, message: str) -> None:
        found.append(_r(factor, rule, message))

    if not facts.breach_types:
        unknown(
            "breach_types",
            N_(
                "The type of breach (confidentiality, integrity, availability) is not yet "
                "established; it decides which risks apply."
            ),
        )
    if facts.malicious is Tri.UNKNOWN:
        unknown(
            "malicious",
            N_(
                "It is not known whether the breach was intentional; an attack makes misuse of "
                "the data more likely."
            ),
        )
    if facts.malicious is not Tri.NO and facts.exfiltration is Tri.UNKNOWN:
        unknown(
            "exfiltration",
            N_(
                "It is not known whether data were taken; in a (possible) attack that must be "
                "assumed until shown otherwise."
            ),
        )
    if CONF in facts.breach_types:
        if facts.protection is Protection.UNKNOWN:
            unknown(
                "protection",
                N_(
                    "It is not known whether the data were unintelligible (state-of-the-art "
                    "encryption, key safe); that decides whether anyone could read them."
                ),
            )
        if facts.recipients is Recipients.UNKNOWN and facts.protection is not KEY_SAFE:
            unknown(
                "recipients",
                N_(
                    "It is not known who got or could see the data; that decides how likely "
                    "misuse is."
                ),
            )
    if AVAIL in facts.breach_types:
        if facts.availability is Availability.UNKNOWN:
            unknown("availability", N_("It is not known whether the data can be recovered."))
        if facts.availability is not Availability.NO_LOSS and facts.backup_available is Tri.UNKNOWN:
            unknown("backup_available", N_("It is not known whether a usable backup exists."))
        if facts.availability is Availability.TEMPORARY and facts.restore_hours is None:
            unknown("restore_hours", N_("It is not known how long restoring the data took."))
    if INTEG in facts.breach_types and facts.integrity is Integrity.UNKNOWN:
        unknown("integrity", N_("It is not known whether the altered data can be restored."))
    if (
        facts.credentials is Tri.YES
        and facts.password_protection is PasswordProtection.UNKNOWN
        and CONF in facts.breach_types
    ):
        unknown(
            "password_protection",
            N_(
                "It is not known how the passwords were stored; a strong, salted hash would keep "
                "them unreadable, a fast or unsalted one would not."
            ),
        )
    if facts.subjects_count is None:
        unknown(
            "subjects_count",
            N_(
                "The number of people affected is not known; the AP form asks for it (exact, or "
                "a minimum and a maximum)."
            ),
        )
    if high and not criminals_hold_unknown_data(facts):
        return found  # (when the high risk rests on the unknown kinds of data, list them)
    if not facts.data_classes and Tri.YES not in (
        facts.special_category,
        facts.criminal_data,
        facts.financial_data,
        facts.national_id_number,
        facts.identity_documents,
    ):
        unknown(
            "data_classes",
            N_(
                "The kinds of data involved are not yet established; the ENISA score assumes the "
                "least sensitive kind until they are."
            ),
        )
    for name, message in _UNKNOWN_DATA_MESSAGES.items():
        if getattr(facts, name) is Tri.UNKNOWN:
            unknown(name, message)
    if facts.permanence is Permanence.UNKNOWN:
        unknown(
            "permanence",
            N_(
                "It is not known how lasting the consequences would be; irreversible harm makes "
                "the risk high."
            ),
        )
    return found
