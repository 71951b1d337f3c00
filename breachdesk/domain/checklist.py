"""The risk checklist: the facts the FG establishes about a breach, each one answerable.

Every question covers a factor the EDPB (Guidelines 9/2022 and the worked cases of 01/2021)
or the ENISA severity method turns on; DOMAIN.md §c.1 and §c.2 list them. "Unknown" is a
legitimate answer everywhere it could honestly be given: the assessment treats an unknown key
fact as a reason for caution, never as a reason to conclude there is no risk.

The checklist is filled in advance from the staff report and the organisation's profile
(:func:`breachdesk.domain.prefill.prefill`); the FG confirms or changes each answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .profile import EnisaClass
from .text import N_


class Tri(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class BreachType(StrEnum):
    CONFIDENTIALITY = "confidentiality"  # disclosed to or accessed by someone not entitled
    INTEGRITY = "integrity"  # altered
    AVAILABILITY = "availability"  # lost, destroyed or temporarily inaccessible


class Recipients(StrEnum):
    """Who got (or could get) the data, for a confidentiality breach."""

    NONE_KNOWN = (
        "none_known"  # exposed, but no sign anyone looked (e.g. open share, no logs of access)
    )
    TRUSTED = "trusted"  # a known, trusted party bound by confidentiality (colleague, other
    # care provider, processor)
    LIMITED_KNOWN = "limited_known"  # a limited, known number of people (wrong addressee)
    MANY_OR_UNKNOWN = "many_or_unknown"  # unknown number, many people, published, or criminals
    UNKNOWN = "unknown"
    # Format 2 (rule set 2026.2):
    ONE_UNIDENTIFIED = "one_unidentified"  # one person, not identified (a letter opened at a
    # wrong address, a lost document found by someone)
    AFFECTED_THEMSELVES = "affected_themselves"  # only the people whose data they are (a
    # mailing with every address in CC: each saw the others')
    KNOWN_HOSTILE = "known_hostile"  # a known person who may misuse them (an ex-employee, an
    # ex-partner, someone in a dispute with the organisation or the people)


#: Recipients who are few and known by name (or, for one unidentified person, one).
FEW_KNOWN_RECIPIENTS = frozenset(
    {
        Recipients.TRUSTED,
        Recipients.LIMITED_KNOWN,
        Recipients.ONE_UNIDENTIFIED,
        Recipients.AFFECTED_THEMSELVES,
    }
)


class Availability(StrEnum):
    """How bad the loss of access is, for an availability breach."""

    NO_LOSS = "no_loss"
    TEMPORARY = "temporary"  # access lost for a while, restorable
    PERMANENT = "permanent"  # destroyed or lost with no usable copy
    UNKNOWN = "unknown"


class Integrity(StrEnum):
    """For an integrity breach: can the correct data be restored?"""

    NOT_ALTERED = "not_altered"
    RECOVERABLE = "recoverable"
    NOT_RECOVERABLE = "not_recoverable"
    UNKNOWN = "unknown"


class Protection(StrEnum):
    """Whether the data were unintelligible to whoever got them (Art. 34(3)(a))."""

    STATE_OF_THE_ART_KEY_SAFE = "state_of_the_art_key_safe"  # e.g. full-disk encryption,
    # strong algorithm, key/password not compromised
    ENCRYPTED_KEY_AT_RISK = "encrypted_key_at_risk"  # encrypted, but key may be compromised
    WEAK = "weak"  # weak or partial protection (password-protected office file, old hashing)
    NONE = "none"
    UNKNOWN = "unknown"


class Identifiability(StrEnum):
    """ENISA ease of identification (EI)."""

    NEGLIGIBLE = "negligible"  # 0.25
    LIMITED = "limited"  # 0.5
    SIGNIFICANT = "significant"  # 0.75
    MAXIMUM = "maximum"  # 1.0: identifiable directly from the data
    UNKNOWN = "unknown"  # treated as maximum


class Volume(StrEnum):
    """How much data per person (ENISA volume adjustment)."""

    LIMITED = "limited"  # a few data items
    EXTENSIVE = "extensive"  # a full file, long history, many documents per person
    UNKNOWN = "unknown"


class Consequence(StrEnum):
    """Possible consequences for the people affected (Recitals 75 and 85)."""

    IDENTITY_FRAUD = "identity_fraud"
    FINANCIAL_LOSS = "financial_loss"
    DISCRIMINATION = "discrimination"
    REPUTATION = "reputation"
    PSYCHOLOGICAL_HARM = "psychological_harm"
    PHYSICAL_HARM = "physical_harm"
    LOSS_OF_CONTROL = "loss_of_control"  # over their personal data
    LOSS_OF_CONFIDENTIALITY_SECRECY = "loss_of_confidentiality_secrecy"  # professional secrecy
    PHISHING_OR_SPAM = "phishing_or_spam"
    SERVICE_DISRUPTION = "service_disruption"  # the unavailability harmed people: care or
    # payments delayed, a deadline missed
    SERVICE_UNAVAILABLE = "service_unavailable"  # format 2: a service was unavailable for a
    # while, without harm to anyone by itself (kept apart from the harm above)
    NONE_LIKELY = "none_likely"  # the FG finds no adverse consequence likely: an answer, not
    # a blank (the AP asks for the likely consequences, Art. 33(3)(c)); goes with no other


class PasswordProtection(StrEnum):
    """How passwords among the data were stored (when ``credentials`` is "yes")."""

    STRONG_HASH = "strong_hash"  # salted slow hash: bcrypt, scrypt, Argon2, PBKDF2
    WEAK_HASH = "weak_hash"  # fast or unsalted hash (MD5, SHA-1): crackable, no protection
    CLEAR = "clear"  # readable, or encrypted with a key that was also taken
    UNKNOWN = "unknown"


class Misuse(StrEnum):
    """What is known of the data being misused."""

    ALREADY_MISUSED = "already_misused"  # e.g. phishing sent from the list, accounts entered
    NONE_FOUND = "none_found"  # looked for (logs, dark-web monitoring, the recipient) and none
    UNKNOWN = "unknown"


class Permanence(StrEnum):
    """How lasting the consequences would be."""

    MINOR = "minor"  # inconvenience, easily overcome
    REVERSIBLE = "reversible"  # significant but reversible with effort
    IRREVERSIBLE = "irreversible"  # lasting or irreversible (e.g. disclosure of health data)
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DpcAdjustment:
    """An ENISA data-processing-context adjustment the FG adds by hand, with its reason."""

    delta: int  # whole steps, -3 .. +3
    reason: str


#: What may differ for a group of people within one breach (``PeopleGroup.changes``): who got
#: their data, what of it, whether it was misused, and who they are.
GROUP_FIELDS = (
    "recipients",
    "exfiltration",
    "deletion_confirmed",
    "misuse",
    "data_classes",
    "special_category",
    "criminal_data",
    "national_id_number",
    "identity_documents",
    "id_document_number",
    "credentials",
    "password_protection",
    "financial_data",
    "volume_per_person",
    "children",
    "vulnerable",
    "consequences",
    "permanence",
)


@dataclass(frozen=True)
class PeopleGroup:
    """Some of the people affected, whose exposure differs from the rest: the identity data of
    everyone leaked, but the accounts of some were also entered. ``changes`` are
    (field, value) pairs of :data:`GROUP_FIELDS` that differ from the breach as a whole;
    ``count`` is how many people the group holds (None: not known)."""

    name: str
    count: int | None = None
    changes: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Facts:
    """All answers of the risk checklist. Defaults are the cautious "unknown"."""

    # Nature of the breach
    breach_types: frozenset[BreachType] = frozenset()
    malicious: Tri = Tri.UNKNOWN  # intentional (theft, hacking, phishing) vs error
    exfiltration: Tri = Tri.UNKNOWN  # evidence data were copied or taken away
    recipients: Recipients = Recipients.UNKNOWN
    deletion_requested: Tri = Tri.UNKNOWN  # the recipient was asked to delete or return it
    deletion_confirmed: Tri = Tri.UNKNOWN  # recipient confirmed deleting / returning it
    exposure_hours: float | None = None  # how long the data were open to others; None: unknown
    exposure_reach: int | None = None  # how many saw, received or downloaded them; None: unknown
    misuse: Misuse = Misuse.UNKNOWN
    already_public: Tri = Tri.UNKNOWN  # the same data were already publicly available
    availability: Availability = Availability.UNKNOWN
    backup_available: Tri = Tri.UNKNOWN
    restore_hours: float | None = None  # how long until restored; None = not (yet) known
    integrity: Integrity = Integrity.UNKNOWN
    # Nature, sensitivity and volume of the data
    data_classes: frozenset[EnisaClass] = frozenset()  # ENISA classes of the data involved
    special_category: Tri = Tri.UNKNOWN  # Art. 9 GDPR
    criminal_data: Tri = Tri.UNKNOWN  # Art. 10 GDPR
    national_id_number: Tri = Tri.UNKNOWN  # BSN or other number prescribed by law
    identity_documents: Tri = Tri.UNKNOWN  # copies of passports / ID cards
    id_document_number: Tri = Tri.UNKNOWN  # the number of a passport or ID card, not a copy
    credentials: Tri = Tri.UNKNOWN  # passwords or access codes (scored as what they unlock)
    password_protection: PasswordProtection = PasswordProtection.UNKNOWN
    financial_data: Tri = Tri.UNKNOWN  # bank account, card or payment data
    volume_per_person: Volume = Volume.UNKNOWN
    data_inaccurate: Tri = Tri.NO  # known to be outdated or wrong (ENISA decrease)
    # Protection
    protection: Protection = Protection.UNKNOWN
    # Identification
    identifiability: Identifiability = Identifiability.UNKNOWN
    # The people
    subjects_count: int | None = None  # best estimate (upper bound); None = unknown
    subjects_min: int | None = None  # the lower bound when only a range is known (110-125)
    children: Tri = Tri.UNKNOWN
    vulnerable: Tri = Tri.UNKNOWN  # patients, elderly, people in debt, asylum seekers, ...
    # The controller
    controller_context_sensitive: Tri = Tri.NO  # context reveals more (clinic, debt collector)
    financial_undertaking: Tri = Tri.UNKNOWN  # Wft: Art. 34 does not apply (UAVG art. 42)
    # Consequences
    consequences: frozenset[Consequence] = frozenset()
    permanence: Permanence = Permanence.UNKNOWN
    # After the breach (Art. 34(3))
    subsequent_measures_remove_high_risk: Tri = Tri.NO  # Art. 34(3)(b)
    disproportionate_effort: Tri = Tri.NO  # Art. 34(3)(c): then a public communication
    # Hand-made ENISA adjustments on top of the automatic ones
    dpc_adjustments: tuple[DpcAdjustment, ...] = field(default_factory=tuple)
    # What the organisation promised beyond the law (its privacy statement, a processing
    # agreement), in its own words: shown beside the legal advice, never instead of it
    commitments: tuple[str, ...] = ()
    # Groups of people whose exposure differs from the rest; each is assessed on its own
    groups: tuple[PeopleGroup, ...] = ()


#: Said at the consequences when :func:`consequences_fit` says no.
NONE_LIKELY_ALONE = N_("“None likely” goes with no other consequence: choose one or the other.")


def consequences_fit(consequences: frozenset[Consequence]) -> bool:
    """Whether the consequences chosen go together: "none likely" goes with no other."""
    return Consequence.NONE_LIKELY not in consequences or len(consequences) == 1


#: Said at the checklist's lower bound when :func:`lower_bound_fits` says no.
LOWER_BOUND_ABOVE_COUNT = N_(
    "A lower bound needs the number of people as its upper bound, at least as large."
)


def lower_bound_fits(low: int | None, count: int | None) -> bool:
    """Whether a lower bound of the number of people (``subjects_min``) goes with the number
    (``subjects_count``, the best estimate and upper bound): none, or at most that number."""
    return low is None or (count is not None and low <= count)
