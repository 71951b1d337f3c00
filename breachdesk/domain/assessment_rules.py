"""When is a breach unlikely to result in a risk? The situations and the unknowns that block them.

Part of :func:`breachdesk.domain.assessment.assess` (the high-risk rules and the open
questions are in :mod:`breachdesk.domain.risk_factors`). Each function answers one legal
question about a :class:`~breachdesk.domain.checklist.Facts`
and returns plain-language :class:`~breachdesk.domain.severity.Reason` objects naming the
factor and its source. The rules themselves are described for lawyers in the docstring of
:mod:`breachdesk.domain.assessment`; this module only implements them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checklist import (
    FEW_KNOWN_RECIPIENTS,
    Availability,
    Consequence,
    Facts,
    Integrity,
    Misuse,
    Protection,
    Recipients,
    Tri,
    Volume,
)
from .circumstances import QUICK_RESTORE_HOURS, restored_quickly
from .profile import EnisaClass
from .reasons import Reason
from .rule_terms import (
    ART33_1_EDPB,
    AVAIL,
    CONF,
    FLAG_MESSAGES,
    INTEG,
    KEY_SAFE,
    SENSITIVE_FLAGS,
    SENSITIVE_OR_FINANCIAL,
    flag_failures,
    make_reason,
)
from .severity import Severity
from .text import N_

MINIMAL_EXPOSURE_MAX_SUBJECTS = 10  # "a few people": one letter, one e-mail, a small group
#: The highest ENISA data score (DPC) of a minimal exposure: simple data (1), or what someone
#: bought or did (behavioural, 2) - EDPB 01/2021's postal errors (an invoice with the items).
MINIMAL_EXPOSURE_MAX_DPC = 2

_r = make_reason


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


def correct_data_back(facts: Facts) -> bool:
    """For an integrity breach: nothing was altered, or the correct data were restored within
    QUICK_RESTORE_HOURS (ransomware's encryption is an alteration that a backup undoes)."""
    if facts.integrity is Integrity.NOT_ALTERED:
        return True
    return (
        facts.integrity is Integrity.RECOVERABLE
        and facts.restore_hours is not None
        and facts.restore_hours <= QUICK_RESTORE_HOURS
    )


def _integrity_failure(facts: Facts, rule: str) -> list[Reason]:
    if INTEG not in facts.breach_types or correct_data_back(facts):
        return []
    return [
        _r(
            "integrity",
            rule,
            N_(
                "The data were altered, and it is not established that the correct data were "
                "restored within %(hours)s hours."
            ),
            hours=QUICK_RESTORE_HOURS,
        )
    ]


def _outage_harm_and_misuse(facts: Facts, rule: str) -> list[Reason]:
    """What rules out "unlikely" however well the data were protected or restored: an outage
    that harmed people, or misuse already seen."""
    failures = []
    if AVAIL in facts.breach_types and (
        {Consequence.SERVICE_DISRUPTION, Consequence.PHYSICAL_HARM} & facts.consequences
    ):
        failures.append(
            _r(
                "consequences",
                "EDPB 01/2021, Case 03 (ransomware in a hospital)",
                N_("The outage itself harms people (for example care or payments delayed)."),
            )
        )
    if facts.misuse is Misuse.ALREADY_MISUSED:
        failures.append(_r("misuse", rule, N_("The data are already being misused.")))
    return failures


def _unintelligible(facts: Facts) -> Route:
    # Art. 33(1): "unlikely to result in a risk" is the test for not notifying the AP;
    # Art. 34(3)(a) is the exception for informing the people, cited here before (found by
    # exploratory testing).
    rule = "GDPR Art. 33(1); EDPB 01/2021 (stolen or lost encrypted device)"
    failures = _integrity_failure(facts, rule)
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
    failures += _outage_harm_and_misuse(facts, rule)
    return Route(
        "unintelligible",
        CONF in facts.breach_types and facts.protection is KEY_SAFE,
        tuple(failures),
        _r(
            "unintelligible",
            rule,
            N_(
                "The data were unintelligible to whoever got them (state-of-the-art encryption, "
                "key not compromised), nothing was lost for good and any alteration was undone, "
                "so the breach is unlikely to result in a risk."
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
                N_("The trusted recipient has not (yet) confirmed deleting or returning the data.")
                if facts.deletion_confirmed is Tri.NO
                else N_(
                    "It is not known whether the trusted recipient confirmed deleting or "
                    "returning the data."
                ),
            )
        )
    if facts.malicious is not Tri.NO:
        failures.append(
            _r("malicious", rule, N_("It is not established that the breach was an error."))
        )
    failures += flag_failures(facts, SENSITIVE_FLAGS, rule)
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
    """Ransomware undone, or an outage that ended: what matters is that the correct data came
    back quickly, nothing left and no one was harmed, not which boxes were ticked (the
    attacker's encryption is an alteration and an access, EDPB 01/2021 Case 01 §17)."""
    rule = "EDPB 01/2021, Case 01 (ransomware with backup, no exfiltration); WP250 Annex B"
    types = facts.breach_types
    failures = []
    if (
        AVAIL in types
        and facts.availability is not Availability.NO_LOSS
        and not restored_quickly(facts)
    ):
        failures.append(
            _r(
                "restore_hours",
                rule,
                N_("It is not established that access was restored within %(hours)s hours."),
                hours=QUICK_RESTORE_HOURS,
            )
        )
    failures += _integrity_failure(facts, rule)
    if facts.exfiltration is not Tri.NO:
        failures.append(
            _r(
                "exfiltration",
                rule,
                N_("It is not established that no data were taken (exfiltration)."),
            )
        )
    failures += _outage_harm_and_misuse(facts, rule)
    # Confidentiality counts only when whoever reached the data saw nothing readable.
    only_ciphertext = CONF not in types or facts.protection is KEY_SAFE
    return Route(
        "restored_from_backup",
        bool(types & {AVAIL, INTEG}) and only_ciphertext,
        tuple(failures),
        _r(
            "restored_from_backup",
            rule,
            N_(
                "The data were only unavailable or altered for a while: the correct data were "
                "back within a day, no data were taken and the outage harmed no one, so the "
                "breach is unlikely to result in a risk."
            ),
        ),
    )


def _already_public(facts: Facts) -> Route:
    rule = "ENISA 2013 (public availability); EDPB 9/2022"
    failures = flag_failures(facts, (*SENSITIVE_OR_FINANCIAL, "children", "vulnerable"), rule)
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
    """A small mistake: little, ordinary data of a few people to a few known recipients.

    Children and vulnerable people block it only when they are known to be among those
    affected: a misdirected invoice does not tell the FG whether its addressee is vulnerable,
    and the data it holds (a name, an address, what was bought) would not harm them more.
    """
    rule = "EDPB 9/2022 (nature, volume and number of people); EDPB 01/2021 (postal errors)"
    failures = []
    if facts.malicious is not Tri.NO:
        failures.append(
            _r("malicious", rule, N_("It is not established that the breach was an error."))
        )
    if not facts.data_classes or not facts.data_classes <= {
        EnisaClass.SIMPLE,
        EnisaClass.BEHAVIOURAL,
    }:
        failures.append(
            _r(
                "data_classes",
                rule,
                N_(
                    "It is not established that only ordinary data (name, contact details, what "
                    "someone bought or did) are involved."
                ),
            )
        )
    failures += flag_failures(facts, (*SENSITIVE_OR_FINANCIAL,), rule)
    failures += [
        _r(name, rule, FLAG_MESSAGES[name][0])
        for name in ("id_document_number", "children", "vulnerable")
        if getattr(facts, name) is Tri.YES
    ]
    if facts.controller_context_sensitive is not Tri.NO:
        failures.append(
            _r(
                "controller_context_sensitive",
                rule,
                N_("Who the organisation is reveals more about the people than the data alone.")
                if facts.controller_context_sensitive is Tri.YES
                else N_(
                    "It is not established that who the organisation is reveals nothing more "
                    "about the people."
                ),
            )
        )
    if facts.volume_per_person is Volume.EXTENSIVE or severity.dpc > MINIMAL_EXPOSURE_MAX_DPC:
        failures.append(
            _r(
                "dpc",
                rule,
                N_("The ENISA data score is %(dpc)s, above %(max)s."),
                dpc=severity.dpc,
                max=MINIMAL_EXPOSURE_MAX_DPC,
            )
        )
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
    if facts.misuse is Misuse.ALREADY_MISUSED:
        failures.append(_r("misuse", rule, N_("The data are already being misused.")))
    return Route(
        "minimal_exposure",
        facts.breach_types == {CONF} and facts.recipients in FEW_KNOWN_RECIPIENTS,
        tuple(failures),
        _r(
            "minimal_exposure",
            rule,
            N_(
                "Only ordinary data of at most %(max)s people reached few recipients by "
                "mistake (people we know, one person, or the people affected themselves), with "
                "nothing sensitive involved, so the breach is unlikely to result in a risk."
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
