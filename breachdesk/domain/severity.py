"""ENISA 2013 severity of a personal-data breach: SE = DPC × EI + CB, with every step shown.

Source: ENISA, *Recommendations for a methodology of the assessment of severity of personal
data breaches*, Working Document v1.0, December 2013 (DOMAIN.md §c.2). The score is advisory:
it measures how bad the consequences would be if the compromised data were misused. It is not
the legal test of Art. 33/34 GDPR; :mod:`breachdesk.domain.assessment` uses it as one input
among several, and a low score is never on its own a reason not to notify.

**DPC — data processing context (1-4).**

* Base: the highest ENISA class among ``facts.data_classes`` (simple 1, behavioural 2,
  financial 3, sensitive 4), raised by the legal flags the FG answered "yes":
  Art. 9 or Art. 10 data → 4 (ENISA's "sensitive" class is the special categories and criminal
  data); bank, card or payment data → at least 3 (ENISA's "financial" class); a BSN or other
  national number, or copies of identity documents → at least 3. ENISA has no class for
  identifiers; breachdesk scores them like financial data because their misuse is identity
  fraud, whose harm is mainly financial (DOMAIN.md §d.2: BSN as an aggravating factor).
  Credentials are no class of their own: ENISA scores them as the data they give access to, so
  the FG must add the classes of the data they unlock to ``data_classes`` (a note says so).
  Without any class or flag the base is 1, with a note that the data are not yet established.
* Automatic adjustments, one whole step each, each with its reason (ENISA Assessment Table 1):
  +1 extensive volume of data per person; +1 children or vulnerable people among those affected
  (one step for both); +1 the controller's context reveals more (a clinic, a debt collector);
  -1 the same data were already public; -1 the data are known to be outdated or wrong.
* Then the FG's own adjustments (``facts.dpc_adjustments``), each with the FG's reason.
* The result is kept within 1-4; when that changes the sum, a note says so.

**EI — ease of identification:** negligible 0.25, limited 0.5, significant 0.75, maximum 1.
Unknown counts as maximum (1.0), with a note.

**CB — circumstances of the breach**, added up, and only for the breach types that occurred:

* confidentiality: no sign anyone looked 0; a trusted recipient who confirmed deletion 0;
  a trusted recipient otherwise 0.25; a limited, known number of recipients 0.25; many,
  unknown or criminal recipients 0.5; recipients not known 0.5 (cautious);
* integrity: not altered 0; altered but recoverable 0.25; not recoverable 0.5; unknown 0.5;
* availability: no loss, or temporary loss restored from a backup within a day, 0; other
  temporary loss 0.25; permanent loss 0.5; unknown 0.5;
* malicious intent: 0.5 when intentional (theft, hacking, phishing); 0 for an error; unknown
  counts 0.5 until it is shown to be an error (cautious).

**Bands:** SE < 2 low; 2 ≤ SE < 3 medium; 3 ≤ SE < 4 high; SE ≥ 4 very high. Arithmetic is
exact (fractions), so a score of exactly 2, 3 or 4 falls in the higher band.

ENISA weighs two criteria outside the formula: the number of people and whether the data were
unintelligible (encryption). Both are left to the legal assessment; notes point them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from .checklist import (
    Facts,
    Identifiability,
    PasswordProtection,
    Protection,
    Tri,
    Volume,
)
from .circumstances import cb_parts
from .profile import EnisaClass
from .reasons import Param, Reason, format_number
from .text import N_

DPC_MIN = 1
DPC_MAX = 4
ENISA_RULE = "ENISA 2013"


class Band(StrEnum):
    """ENISA severity bands."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def label(self) -> str:
        """Lower-case English label, as used in the arithmetic line ("very high"); a reason
        passes it as its ``band`` parameter, which the web layer translates (in the context
        "ENISA band": the AP form's "very high" is another Dutch word)."""
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class DpcStep:
    """One adjustment of the DPC: ``delta`` whole steps; ``manual`` when the FG added it."""

    delta: int
    reason: Reason
    manual: bool = False


@dataclass(frozen=True)
class CbPart:
    """One element of CB: ``element`` is confidentiality, integrity, availability or malicious."""

    element: str
    points: float
    reason: Reason


@dataclass(frozen=True)
class Severity:
    """The ENISA score with every intermediate value, for display and for the record.

    ``score``, ``ei``, ``cb`` and the ``points`` of each part are floats rounded to two
    decimals (all ENISA values are multiples of 1/16, so they are exact); the band was decided
    on the exact value.
    """

    base: int
    base_reason: Reason
    adjustments: tuple[DpcStep, ...]
    dpc_unclamped: int
    dpc: int
    ei: float
    ei_reason: Reason
    cb_parts: tuple[CbPart, ...]
    cb: float
    score: float
    band: Band
    notes: tuple[Reason, ...]
    arithmetic: str  # the sum and its band in English: "DPC 3 × EI 1.0 + CB 0.25 = 3.25 (high)"
    sum: str  # the sum alone, for reasons in any language: "DPC 3 × EI 1.0 + CB 0.25 = 3.25"

    @property
    def clamped(self) -> bool:
        """True when the adjusted DPC fell outside 1-4 and was brought back into range."""
        return self.dpc != self.dpc_unclamped


_EI = {
    Identifiability.NEGLIGIBLE: Fraction(1, 4),
    Identifiability.LIMITED: Fraction(1, 2),
    Identifiability.SIGNIFICANT: Fraction(3, 4),
    Identifiability.MAXIMUM: Fraction(1),
    Identifiability.UNKNOWN: Fraction(1),
}
_EI_TEXT = {
    Identifiability.NEGLIGIBLE: N_("Ease of identification: negligible, EI %(ei)s."),
    Identifiability.LIMITED: N_("Ease of identification: limited, EI %(ei)s."),
    Identifiability.SIGNIFICANT: N_("Ease of identification: significant, EI %(ei)s."),
    Identifiability.MAXIMUM: N_("Ease of identification: maximum, EI %(ei)s."),
    Identifiability.UNKNOWN: N_(
        "Ease of identification: not known, counted as maximum, EI %(ei)s."
    ),
}


def band_for(score: Fraction) -> Band:
    """The ENISA band of an exact score: <2 low, <3 medium, <4 high, else very high."""
    if score < 2:
        return Band.LOW
    if score < 3:
        return Band.MEDIUM
    if score < 4:
        return Band.HIGH
    return Band.VERY_HIGH


def _r(factor: str, message: str, **params: Param) -> Reason:
    return Reason(factor, ENISA_RULE, message, params)


_CLASS_MESSAGES = {
    EnisaClass.SIMPLE: N_(
        "The data are simple data (such as name and contact details): base score 1."
    ),
    EnisaClass.BEHAVIOURAL: N_(
        "The most sensitive data involved are behavioural (such as location, traffic data, "
        "habits): base score 2."
    ),
    EnisaClass.FINANCIAL: N_(
        "The most sensitive data involved are financial (such as income, transactions, bank "
        "statements): base score 3."
    ),
    EnisaClass.SENSITIVE: N_(
        "The data involved are sensitive (such as health, religion, sexual life, criminal "
        "data): base score 4."
    ),
}


def _base(facts: Facts) -> tuple[int, Reason]:
    """Highest class among data_classes, raised by the legal flags answered "yes"."""
    if facts.special_category is Tri.YES or facts.criminal_data is Tri.YES:
        factor = "special_category" if facts.special_category is Tri.YES else "criminal_data"
        return 4, _r(
            factor,
            N_(
                "Special-category (Art. 9) or criminal (Art. 10) data are involved: "
                "ENISA's sensitive class, base score 4."
            ),
        )
    base, reason = 0, None
    if facts.data_classes:
        top = max(facts.data_classes, key=lambda c: c.base_score)
        base = top.base_score
        reason = _r("data_classes", _CLASS_MESSAGES[top])
    if facts.financial_data is Tri.YES and base < EnisaClass.FINANCIAL.base_score:
        base = EnisaClass.FINANCIAL.base_score
        reason = _r(
            "financial_data",
            N_("Bank, card or payment data are involved: ENISA's financial class, base score 3."),
        )
    identifiers = [
        name
        for name in ("national_id_number", "identity_documents", "id_document_number")
        if getattr(facts, name) is Tri.YES
    ]
    if identifiers and base < EnisaClass.FINANCIAL.base_score:
        base = EnisaClass.FINANCIAL.base_score
        reason = _r(
            identifiers[0],
            N_(
                "A BSN, an identity document or its number is involved; breachdesk scores it "
                "like financial data (base score 3) because its misuse is identity fraud."
            ),
        )
    if reason is None:
        return 1, _r(
            "data_classes",
            N_(
                "The kinds of data involved are not yet established; the base score is 1 until "
                "they are."
            ),
        )
    return base, reason


# Automatic DPC steps: (applies?, delta, factor, message).
def _automatic_steps(facts: Facts) -> list[DpcStep]:
    people = "children" if facts.children is Tri.YES else "vulnerable"
    table = (
        (
            facts.volume_per_person is Volume.EXTENSIVE,
            1,
            "volume_per_person",
            N_("Much data per person (a full file or a long history): +1."),
        ),
        (
            Tri.YES in (facts.children, facts.vulnerable),
            1,
            people,
            N_("Children or vulnerable people are among those affected: +1."),
        ),
        (
            facts.controller_context_sensitive is Tri.YES,
            1,
            "controller_context_sensitive",
            N_(
                "The organisation's context reveals more about the people (for example a clinic "
                "or a debt collector): +1."
            ),
        ),
        (
            facts.already_public is Tri.YES,
            -1,
            "already_public",
            N_("The same data were already public: -1."),
        ),
        (
            facts.data_inaccurate is Tri.YES,
            -1,
            "data_inaccurate",
            N_("The data are known to be outdated or wrong: -1."),
        ),
    )
    return [
        DpcStep(delta, _r(factor, message)) for applies, delta, factor, message in table if applies
    ]


def _manual_steps(facts: Facts) -> list[DpcStep]:
    return [
        DpcStep(
            adjustment.delta,
            _r(
                "dpc_adjustments",
                N_("Adjustment by the FG (%(delta)s): %(reason)s"),
                delta=f"{adjustment.delta:+d}",
                reason=adjustment.reason,
            ),
            manual=True,
        )
        for adjustment in facts.dpc_adjustments
    ]


def _notes(facts: Facts, dpc_unclamped: int, dpc: int) -> list[Reason]:
    notes: list[Reason] = []
    if dpc != dpc_unclamped:
        notes.append(
            _r(
                "dpc",
                N_("The adjusted DPC %(unclamped)s is outside 1-4; it counts as %(dpc)s."),
                unclamped=dpc_unclamped,
                dpc=dpc,
            )
        )
    if facts.identifiability is Identifiability.UNKNOWN:
        notes.append(
            _r(
                "identifiability",
                N_(
                    "How easily the people can be identified is not known; counted as directly "
                    "identifiable (EI 1.0)."
                ),
            )
        )
    if facts.credentials is Tri.YES and facts.password_protection is PasswordProtection.STRONG_HASH:
        notes.append(
            _r(
                "password_protection",
                N_(
                    "The passwords were stored with a strong, salted hash: they cannot be read "
                    "from what was taken, so they are not scored as the data they unlock."
                ),
            )
        )
    elif facts.credentials is Tri.YES:
        notes.append(
            _r(
                "credentials",
                N_(
                    "Passwords or access codes are scored as the data they give access to: "
                    "include those kinds of data in the data classes."
                ),
            )
        )
    if not facts.breach_types:
        notes.append(
            _r(
                "breach_types",
                N_(
                    "No breach type is chosen, so confidentiality, integrity and availability "
                    "add nothing yet."
                ),
            )
        )
    if facts.protection is Protection.STATE_OF_THE_ART_KEY_SAFE:
        notes.append(
            _r(
                "protection",
                N_(
                    "ENISA weighs unintelligible (encrypted) data outside the formula; the legal "
                    "assessment takes it into account."
                ),
            )
        )
    return notes


def enisa_severity(facts: Facts) -> Severity:
    """Score ``facts`` with the ENISA 2013 method; see the module docstring for every rule."""
    base, base_reason = _base(facts)
    steps = _automatic_steps(facts) + _manual_steps(facts)
    dpc_unclamped = base + sum(step.delta for step in steps)
    dpc = min(DPC_MAX, max(DPC_MIN, dpc_unclamped))
    ei = _EI[facts.identifiability]
    ei_reason = _r("identifiability", _EI_TEXT[facts.identifiability], ei=format_number(ei))
    raw_parts = cb_parts(facts)
    cb = sum((points for _, points, _ in raw_parts), Fraction(0))
    score = dpc * ei + cb
    band = band_for(score)
    total = f"DPC {dpc} × EI {format_number(ei)} + CB {format_number(cb)} = {format_number(score)}"
    arithmetic = f"{total} ({band.label})"
    return Severity(
        base=base,
        base_reason=base_reason,
        adjustments=tuple(steps),
        dpc_unclamped=dpc_unclamped,
        dpc=dpc,
        ei=float(ei),
        ei_reason=ei_reason,
        cb_parts=tuple(
            CbPart(element, round(float(points), 2), reason)
            for element, points, reason in raw_parts
        ),
        cb=round(float(cb), 2),
        score=round(float(score), 2),
        band=band,
        notes=tuple(_notes(facts, dpc_unclamped, dpc)),
        arithmetic=arithmetic,
        sum=total,
    )
