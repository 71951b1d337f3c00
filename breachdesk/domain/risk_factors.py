"""High risk (Art. 34), the factors that raise the risk, and the key facts still unknown.

Part of :func:`breachdesk.domain.assessment.assess`; the rules are described for lawyers in the
docstring of :mod:`breachdesk.domain.assessment`. Every function returns plain-language
:class:`~breachdesk.domain.severity.Reason` objects naming the factor and its source.
"""

from __future__ import annotations

from .assessment_rules import (
    AVAIL,
    CONF,
    EDPB_CASES,
    FLAG_MESSAGES,
    INTEG,
    KEY_SAFE,
    LARGE_NUMBER_OF_PEOPLE,
    RECITAL_75,
    SENSITIVE_OR_FINANCIAL,
    WP250,
    make_reason,
)
from .checklist import (
    FEW_KNOWN_RECIPIENTS,
    Availability,
    Consequence,
    Facts,
    Integrity,
    Misuse,
    PasswordProtection,
    Permanence,
    Protection,
    Recipients,
    Tri,
)
from .profile import EnisaClass
from .reasons import Reason, format_number
from .severity import Band, Severity
from .text import N_

_r = make_reason


def confidentiality_exposed(facts: Facts) -> bool:
    """Readable data reached (or could reach) someone who is not a trusted recipient."""
    return (
        CONF in facts.breach_types
        and facts.protection is not KEY_SAFE
        and facts.recipients is not Recipients.TRUSTED
    )


def wide_exposure(facts: Facts) -> bool:
    """Readable data reached (or may have reached) criminals, a hostile person, or many or
    unknown people."""
    return confidentiality_exposed(facts) and (
        facts.malicious is Tri.YES
        or facts.recipients
        in (Recipients.MANY_OR_UNKNOWN, Recipients.UNKNOWN, Recipients.KNOWN_HOSTILE)
    )


def exposure_certain(facts: Facts) -> bool:
    """The data did reach criminals, a hostile person or many people: not only may have."""
    return facts.recipients in (Recipients.MANY_OR_UNKNOWN, Recipients.KNOWN_HOSTILE) or (
        facts.malicious is Tri.YES and facts.exfiltration is Tri.YES
    )


def readable_passwords(facts: Facts) -> bool:
    """Passwords are involved and not stored with a strong, salted hash."""
    return (
        facts.credentials is Tri.YES
        and facts.password_protection is not PasswordProtection.STRONG_HASH
    )


def lost_for_good(facts: Facts) -> bool:
    """Access lost, possibly for good, with no usable backup."""
    return (
        AVAIL in facts.breach_types
        and facts.availability in (Availability.PERMANENT, Availability.UNKNOWN)
        and facts.backup_available is not Tri.YES
    )


def kinds_not_established(facts: Facts) -> bool:
    """The kinds of data are not (fully) established: no class chosen, or a flag for data
    that would make the harm greater is still unknown."""
    return not facts.data_classes or any(
        getattr(facts, name) is Tri.UNKNOWN for name in SENSITIVE_OR_FINANCIAL
    )


def criminals_hold_unknown_data(facts: Facts) -> bool:
    """Criminals took readable data that the organisation cannot even restore, and what the
    data are is not yet established (EDPB 01/2021, ransomware with exfiltration)."""
    return (
        facts.malicious is Tri.YES
        and facts.exfiltration is Tri.YES
        and facts.protection is not KEY_SAFE
        and lost_for_good(facts)
        and kinds_not_established(facts)
    )


def misuse_unlikely(facts: Facts) -> bool:
    """A contained mistake: only confidentiality, an error, a few known recipients who are not
    hostile and confirmed deleting the data, and no misuse seen."""
    return (
        facts.breach_types == {CONF}
        and facts.malicious is Tri.NO
        and facts.recipients in FEW_KNOWN_RECIPIENTS
        and facts.deletion_confirmed is Tri.YES
        and facts.misuse is not Misuse.ALREADY_MISUSED
    )


def compromised(facts: Facts) -> bool:
    """Data exposed, altered, or (possibly) lost for good."""
    altered = INTEG in facts.breach_types and facts.integrity is not Integrity.NOT_ALTERED
    return confidentiality_exposed(facts) or altered or lost_for_good(facts)


#: Per flag: the sentence when the data did reach criminals or many people, and when they may
#: have (the recipients are not known, or nothing shows that the attacker took data).
_WIDE_EXPOSURE_MESSAGES = {
    "national_id_number": (
        N_(
            "A BSN or other national number reached criminals, a hostile person or unknown "
            "people; that enables identity fraud, so the risk is high."
        ),
        N_(
            "A BSN or other national number may have reached criminals or unknown people; that "
            "would enable identity fraud, so the risk is high."
        ),
    ),
    "identity_documents": (
        N_(
            "Copies of identity documents reached criminals, a hostile person or unknown "
            "people; that enables identity fraud, so the risk is high."
        ),
        N_(
            "Copies of identity documents may have reached criminals or unknown people; that "
            "would enable identity fraud, so the risk is high."
        ),
    ),
    "credentials": (
        N_(
            "Readable passwords or access codes reached criminals, a hostile person or unknown "
            "people; accounts can be taken over, so the risk is high."
        ),
        N_(
            "Readable passwords or access codes may have reached criminals or unknown people; "
            "accounts could be taken over, so the risk is high."
        ),
    ),
    "financial_data": (
        N_(
            "Bank, card or payment data reached criminals, a hostile person or unknown people; "
            "that can cause financial loss, so the risk is high."
        ),
        N_(
            "Bank, card or payment data may have reached criminals or unknown people; that "
            "could cause financial loss, so the risk is high."
        ),
    ),
}

_HIGH_CONSEQUENCES = {
    Consequence.IDENTITY_FRAUD: N_(
        "Identity fraud is a possible consequence, so the risk is high."
    ),
    Consequence.DISCRIMINATION: N_(
        "Discrimination is a possible consequence, so the risk is high."
    ),
    Consequence.PHYSICAL_HARM: N_("Physical harm is a possible consequence, so the risk is high."),
}


def high_risk_reasons(facts: Facts, severity: Severity) -> list[Reason]:
    """Why the risk is high (Art. 34(1)); [] when none of the rules applies."""
    found: list[Reason] = []
    if compromised(facts):
        if facts.special_category is Tri.YES:
            found.append(
                _r(
                    "special_category",
                    WP250,
                    N_(
                        "Special-category data (Art. 9, such as health data) were (or may have "
                        "been) exposed, altered or lost; the EDPB considers damage likely in "
                        "that case, so the risk is high."
                    ),
                )
            )
        if facts.criminal_data is Tri.YES:
            found.append(
                _r(
                    "criminal_data",
                    WP250,
                    N_(
                        "Criminal data (Art. 10) were (or may have been) exposed, altered or "
                        "lost; the EDPB considers damage likely in that case, so the risk is high."
                    ),
                )
            )
    if wide_exposure(facts):
        certain = exposure_certain(facts)
        for name, (did, may) in _WIDE_EXPOSURE_MESSAGES.items():
            if getattr(facts, name) is not Tri.YES:
                continue
            if name == "credentials" and not readable_passwords(facts):
                continue  # strongly hashed: nothing readable to take over an account with
            rule = "EDPB 9/2022 (identity fraud, financial loss)"
            found.append(_r(name, rule, did if certain else may))
    if criminals_hold_unknown_data(facts):
        found.append(
            _r(
                "exfiltration",
                "EDPB 01/2021 (ransomware with exfiltration); EDPB 9/2022",
                N_(
                    "Criminals took data that cannot be restored, and what the data are is not "
                    "yet established (see “Still unknown”); until it is, the people must be "
                    "able to protect themselves, so the risk is counted as high."
                ),
            )
        )
    if facts.misuse is Misuse.ALREADY_MISUSED:
        found.append(
            _r(
                "misuse",
                "GDPR Art. 34(1); EDPB 01/2021 (e-mail exfiltration)",
                N_(
                    "The data are already being misused (for example phishing sent from them, or "
                    "accounts entered), so the risk is high: the people must be able to protect "
                    "themselves."
                ),
            )
        )
    if (
        facts.exfiltration is Tri.YES
        and severity.dpc >= EnisaClass.FINANCIAL.base_score
        and facts.protection is not KEY_SAFE
    ):
        found.append(
            _r(
                "exfiltration",
                "EDPB 01/2021 (exfiltration cases); ENISA 2013",
                N_(
                    "Data were taken (exfiltrated) and the ENISA data score is %(dpc)s, 3 or "
                    "more, so the risk is high."
                ),
                dpc=severity.dpc,
            )
        )
    people = Tri.YES in (facts.children, facts.vulnerable)
    if people and compromised(facts) and (severity.base >= 2 or wide_exposure(facts)):
        found.append(
            _r(
                "children" if facts.children is Tri.YES else "vulnerable",
                "GDPR Recitals 38 and 75; EDPB 9/2022",
                N_(
                    "Children or vulnerable people are affected and their data are more than "
                    "contact details or (may have) reached criminals or unknown people; they "
                    "deserve specific protection, so the risk is high."
                ),
            )
        )
    if facts.permanence is Permanence.IRREVERSIBLE:
        found.append(
            _r(
                "permanence",
                RECITAL_75,
                N_(
                    "The consequences for the people would be lasting or irreversible, so the "
                    "risk is high."
                ),
            )
        )
    if severity.band in (Band.HIGH, Band.VERY_HIGH) and not misuse_unlikely(facts):
        message = (
            N_("The ENISA severity is high: %(arithmetic)s. That makes the risk high.")
            if severity.band is Band.HIGH
            else N_("The ENISA severity is very high: %(arithmetic)s. That makes the risk high.")
        )
        found.append(_r("enisa", "ENISA 2013", message, arithmetic=severity.sum))
    for consequence, message in _HIGH_CONSEQUENCES.items():
        if consequence in facts.consequences:
            found.append(_r("consequences", RECITAL_75, message))
    return found


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
                N_("The data were open to others for %(hours)s hours."),
                hours=format_number(facts.exposure_hours),
            )
        )
    if CONF in facts.breach_types and facts.exposure_reach is not None:
        found.append(
            _r(
                "exposure_reach",
                "EDPB 9/2022",
                N_("%(reach)s people saw, received or downloaded the data (best estimate)."),
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


# --- key facts still unknown ------------------------------------------------------------------

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
