"""High risk (Art. 34): when the risk to the people is high, and the facts those rules read.

Part of :func:`breachdesk.domain.assessment.assess`; the rules are described for lawyers in the
docstring of :mod:`breachdesk.domain.assessment`. Every function returns plain-language
:class:`~breachdesk.domain.severity.Reason` objects naming the factor and its source.
"""

from __future__ import annotations

from .checklist import (
    FEW_KNOWN_RECIPIENTS,
    Availability,
    Consequence,
    Facts,
    Integrity,
    Misuse,
    PasswordProtection,
    Permanence,
    Recipients,
    Tri,
)
from .profile import EnisaClass
from .reasons import Reason
from .rule_terms import (
    AVAIL,
    CONF,
    INTEG,
    KEY_SAFE,
    RECITAL_75,
    SENSITIVE_OR_FINANCIAL,
    WP250,
    make_reason,
)
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
    hostile and were asked to delete or return the data (or confirmed doing so), and no misuse
    seen. The EDPB's postal cases (01/2021, Cases 13 and 16) treat such recipients, asked to
    destroy what they received, as making misuse unlikely."""
    return (
        facts.breach_types == {CONF}
        and facts.malicious is Tri.NO
        and facts.recipients in FEW_KNOWN_RECIPIENTS
        and Tri.YES in (facts.deletion_confirmed, facts.deletion_requested)
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
                    "Data were taken (exfiltrated) and the ENISA data score (%(dpc)s) is 3 or "
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
