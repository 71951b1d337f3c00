"""When is a breach unlikely to result in a risk? The situations and the unknowns that block them.

Part of :func:`breachdesk.domain.assessment.assess` (the high-risk rules and the open
questions are in :mod:`breachdesk.domain.risk_factors`). Each function answers one legal
question about a :class:`~breachdesk.domain.checklist.Facts`
and returns plain-language :class:`~breachdesk.domain.severity.Reason` objects naming the
factor and its source. The rules themselves are described for lawyers in the docstring of
:mod:`breachdesk.domain.assessment`; this module only implements them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .checklist import (
    Availability,
    BreachType,
    Consequence,
    Facts,
    Protection,
    Recipients,
    Tri,
    Volume,
)
from .circumstances import restored_quickly
from .profile import EnisaClass
from .reasons import Reason
from .severity import Severity
from .text import N_

MINIMAL_EXPOSURE_MAX_SUBJECTS = 10  # "a few people": one letter, one e-mail, a small group
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


def _not_no(facts: Facts, names: Iterable[str]) -> list[str]:
    """The Tri fields among ``names`` that are not answered "no"."""
    return [name for name in names if getattr(facts, name) is not Tri.NO]


_r = make_reason


def _flag_failures(facts: Facts, names: Iterable[str], rule: str) -> list[Reason]:
    failures = []
    for name in _not_no(facts, names):
        yes, unknown = FLAG_MESSAGES[name]
        failures.append(_r(name, rule, yes if getattr(facts, name) is Tri.YES else unknown))
    return failures


# --- situations in which a breach is unlikely to result in a risk --------------------------


@dataclass(frozen=True)
class Route:
    """A mitigating situation: ``candidate`` when its main condition holds; it applies when
    additionally ``failures`` is empty. ``reason`` explains it when it applies."""

    code: str
    candidate: bool
    failures: tuple[Reason, ...]
    reason: Reason

    @property
    def applies(self) -> bool:
        return self.candidate and not self.failures


def _unintelligible(facts: Facts) -> Route:
    rule = "GDPR Art. 34(3)(a); EDPB 01/2021 (stolen or lost encrypted device)"
    failures = []
    if INTEG in facts.breach_types:
        failures.append(
            _r("integrity", rule, N_("Encryption does not undo an alteration of the data."))
        )
    if (
        AVAIL in facts.breach_types
        and facts.availability not in (Availability.NO_LOSS, Availability.TEMPORARY)
        and facts.backup_available is not Tri.YES
    ):
        failures.append(
            _r(
                "backup_available",
                rule,
                N_("The data may be lost for good: no backup is known to exist."),
            )
        )
    return Route(
        "unintelligible",
        CONF in facts.breach_types and facts.protection is KEY_SAFE,
        tuple(failures),
        _r(
            "unintelligible",
            rule,
            N_(
                "The data were unintelligible to whoever got them (state-of-the-art encryption, "
                "key not compromised) and no data were lost for good, so the breach is unlikely "
                "to result in a risk."
            ),
        ),
    )


def _trusted_recipient(facts: Facts) -> Route:
    rule = "EDPB 01/2021 (accidental transmission to a trusted third party)"
    failures = []
    if facts.deletion_confirmed is not Tri.YES:
        failures.append(
            _r(
                "deletion_confirmed",
                rule,
                N_("The trusted recipient has not (yet) confirmed deleting or returning the data."),
            )
        )
    if facts.malicious is not Tri.NO:
        failures.append(
            _r("malicious", rule, N_("It is not established that the breach was an error."))
        )
    failures += _flag_failures(facts, SENSITIVE_FLAGS, rule)
    return Route(
        "trusted_recipient",
        facts.breach_types == {CONF} and facts.recipients is Recipients.TRUSTED,
        tuple(failures),
        _r(
            "trusted_recipient",
            rule,
            N_(
                "The data went by mistake to a trusted recipient bound by confidentiality who "
                "confirmed deleting them, so the breach is unlikely to result in a risk."
            ),
        ),
    )


def _restored_from_backup(facts: Facts) -> Route:
    rule = "EDPB 01/2021, Case 01 (ransomware with backup, no exfiltration)"
    failures = []
    if facts.availability is not Availability.NO_LOSS and not restored_quickly(facts):
        failures.append(
            _r(
                "restore_hours",
                rule,
                N_(
                    "It is not established that the data were restored from a backup within "
                    "%(hours)s hours."
                ),
                hours=24,
            )
        )
    if facts.exfiltration is not Tri.NO:
        failures.append(
            _r(
                "exfiltration",
                rule,
                N_("It is not established that no data were taken (exfiltration)."),
            )
        )
    harm = {Consequence.SERVICE_DISRUPTION, Consequence.PHYSICAL_HARM} & facts.consequences
    if harm:
        failures.append(
            _r(
                "consequences",
                "EDPB 01/2021, Case 03 (ransomware in a hospital)",
                N_("The outage itself harms people (for example care or payments delayed)."),
            )
        )
    return Route(
        "restored_from_backup",
        facts.breach_types == {AVAIL},
        tuple(failures),
        _r(
            "restored_from_backup",
            rule,
            N_(
                "The data were only temporarily unavailable, were restored from a backup within "
                "a day, and no data were taken, so the breach is unlikely to result in a risk."
            ),
        ),
    )


def _already_public(facts: Facts) -> Route:
    rule = "ENISA 2013 (public availability); EDPB 9/2022"
    failures = _flag_failures(facts, (*SENSITIVE_OR_FINANCIAL, "children", "vulnerable"), rule)
    return Route(
        "already_public",
        facts.breach_types == {CONF} and facts.already_public is Tri.YES,
        tuple(failures),
        _r(
            "already_public",
            rule,
            N_(
                "The same data were already public and nothing sensitive is involved, so the "
                "breach is unlikely to result in a risk."
            ),
        ),
    )


def _minimal_exposure(facts: Facts, severity: Severity) -> Route:
    rule = "EDPB 9/2022 (nature, volume and number of people); EDPB 01/2021 (postal errors)"
    failures = []
    if facts.malicious is not Tri.NO:
        failures.append(
            _r("malicious", rule, N_("It is not established that the breach was an error."))
        )
    if facts.data_classes != {EnisaClass.SIMPLE}:
        failures.append(
            _r(
                "data_classes",
                rule,
                N_(
                    "It is not established that only simple data (name, contact details) are "
                    "involved."
                ),
            )
        )
    failures += _flag_failures(facts, (*SENSITIVE_OR_FINANCIAL, "children", "vulnerable"), rule)
    if facts.controller_context_sensitive is not Tri.NO:
        failures.append(
            _r(
                "controller_context_sensitive",
                rule,
                N_("Who the organisation is reveals more about the people than the data alone."),
            )
        )
    if facts.volume_per_person is Volume.EXTENSIVE or severity.dpc > 1:
        failures.append(_r("dpc", rule, N_("The ENISA data score is above the minimum of 1.")))
    count = facts.subjects_count
    if count is None or count > MINIMAL_EXPOSURE_MAX_SUBJECTS:
        failures.append(
            _r(
                "subjects_count",
                rule,
                N_("It is not established that at most %(max)s people are affected."),
                max=MINIMAL_EXPOSURE_MAX_SUBJECTS,
            )
        )
    return Route(
        "minimal_exposure",
        facts.breach_types == {CONF}
        and facts.recipients in (Recipients.LIMITED_KNOWN, Recipients.TRUSTED),
        tuple(failures),
        _r(
            "minimal_exposure",
            rule,
            N_(
                "Only simple data of at most %(max)s people reached a few known recipients by "
                "mistake, with nothing sensitive involved, so the breach is unlikely to result "
                "in a risk."
            ),
            max=MINIMAL_EXPOSURE_MAX_SUBJECTS,
        ),
    )


def routes(facts: Facts, severity: Severity) -> list[Route]:
    """Every mitigating situation, in order of preference."""
    return [
        _unintelligible(facts),
        _trusted_recipient(facts),
        _restored_from_backup(facts),
        _already_public(facts),
        _minimal_exposure(facts, severity),
    ]


def blockers(facts: Facts) -> list[Reason]:
    """Unknown key facts that rule out "unlikely" whatever else is established."""
    found = []
    if not facts.breach_types:
        found.append(
            _r("breach_types", ART33_1_EDPB, N_("The type of breach is not yet established."))
        )
    if facts.malicious is not Tri.NO and facts.exfiltration is Tri.UNKNOWN:
        found.append(
            _r(
                "exfiltration",
                ART33_1_EDPB,
                N_("In a (possibly) intentional breach it is not known whether data were taken."),
            )
        )
    if CONF in facts.breach_types and facts.protection is Protection.UNKNOWN:
        found.append(
            _r(
                "protection",
                ART33_1_EDPB,
                N_("It is not known whether the data were unintelligible to whoever got them."),
            )
        )
    if (
        CONF in facts.breach_types
        and facts.recipients is Recipients.UNKNOWN
        and facts.protection is not KEY_SAFE
    ):
        found.append(
            _r("recipients", ART33_1_EDPB, N_("It is not known who got or could see the data."))
        )
    return found
