"""ENISA 2013 circumstances of the breach (CB): the points each circumstance adds, with reasons.

Part of :func:`breachdesk.domain.severity.enisa_severity`; the rules are listed in the docstring
of :mod:`breachdesk.domain.severity`. Only the breach types that occurred count; malicious
intent always counts.
"""

from __future__ import annotations

from fractions import Fraction

from .checklist import Availability, BreachType, Facts, Integrity, Recipients, Tri
from .reasons import Param, Reason, format_number
from .text import N_

QUICK_RESTORE_HOURS = 24  # "restored quickly": within about a working day
ENISA_RULE = "ENISA 2013"


def _r(factor: str, message: str, **params: Param) -> Reason:
    return Reason(factor, ENISA_RULE, message, params)


_ZERO, _QUARTER, _HALF = Fraction(0), Fraction(1, 4), Fraction(1, 2)
_CONFIDENTIALITY = {
    Recipients.NONE_KNOWN: (
        _ZERO,
        N_("Data exposed, but no sign that anyone saw them: confidentiality 0."),
    ),
    Recipients.TRUSTED: (
        _QUARTER,
        N_("A trusted recipient, deletion not confirmed: confidentiality 0.25."),
    ),
    Recipients.LIMITED_KNOWN: (
        _QUARTER,
        N_("Disclosed to a limited, known number of recipients: confidentiality 0.25."),
    ),
    Recipients.MANY_OR_UNKNOWN: (
        _HALF,
        N_("Disclosed to many or unknown recipients, or published: confidentiality 0.5."),
    ),
    Recipients.UNKNOWN: (
        _HALF,
        N_("Who received the data is not known; counted as unknown recipients: 0.5."),
    ),
    Recipients.ONE_UNIDENTIFIED: (
        _QUARTER,
        N_("Disclosed to one person who cannot be identified: confidentiality 0.25."),
    ),
    Recipients.AFFECTED_THEMSELVES: (
        _QUARTER,
        N_(
            "Disclosed only to the people whose data they are (each saw the others'): "
            "confidentiality 0.25."
        ),
    ),
    Recipients.KNOWN_HOSTILE: (
        _QUARTER,
        N_(
            "Disclosed to a known person who may misuse them: confidentiality 0.25 (the intent "
            "counts under malicious intent)."
        ),
    ),
}
_TRUSTED_DELETED = (
    _ZERO,
    N_("A trusted recipient confirmed deleting the data: confidentiality 0."),
)
_INTEGRITY = {
    Integrity.NOT_ALTERED: (_ZERO, N_("The data were not altered: integrity 0.")),
    Integrity.RECOVERABLE: (
        _QUARTER,
        N_("Data altered, but the correct data can be restored: integrity 0.25."),
    ),
    Integrity.NOT_RECOVERABLE: (
        _HALF,
        N_("Data altered and the correct data cannot be restored: integrity 0.5."),
    ),
    Integrity.UNKNOWN: (
        _HALF,
        N_("Whether the correct data can be restored is not known: integrity 0.5."),
    ),
}
_AVAILABILITY = {
    Availability.NO_LOSS: (_ZERO, N_("No loss of access: availability 0.")),
    Availability.TEMPORARY: (
        _QUARTER,
        N_("The data were temporarily unavailable: availability 0.25."),
    ),
    Availability.PERMANENT: (_HALF, N_("The data are permanently lost: availability 0.5.")),
    Availability.UNKNOWN: (
        _HALF,
        N_("Whether the data can be recovered is not known: availability 0.5."),
    ),
}
_MALICIOUS = {
    Tri.YES: (_HALF, N_("Intentional (theft, hacking, phishing): malicious intent 0.5.")),
    Tri.NO: (_ZERO, N_("An error or accident: malicious intent 0.")),
    Tri.UNKNOWN: (
        _HALF,
        N_("Not yet known whether it was intentional; counted as intentional: 0.5."),
    ),
}


def restored_quickly(facts: Facts) -> bool:
    """Temporary loss of access, restored within QUICK_RESTORE_HOURS: from a backup, or
    because nothing was lost and the outage ended (a backup is then not needed)."""
    return (
        facts.availability is Availability.TEMPORARY
        and facts.restore_hours is not None
        and facts.restore_hours <= QUICK_RESTORE_HOURS
    )


def cb_parts(facts: Facts) -> list[tuple[str, Fraction, Reason]]:
    """(element, points, reason) for each circumstance that counts."""
    parts: list[tuple[str, Fraction, Reason]] = []
    types = facts.breach_types
    if BreachType.CONFIDENTIALITY in types:
        trusted_deleted = (
            facts.recipients is Recipients.TRUSTED and facts.deletion_confirmed is Tri.YES
        )
        points, message = (
            _TRUSTED_DELETED if trusted_deleted else _CONFIDENTIALITY[facts.recipients]
        )
        parts.append(("confidentiality", points, _r("recipients", message)))
    if BreachType.INTEGRITY in types:
        points, message = _INTEGRITY[facts.integrity]
        parts.append(("integrity", points, _r("integrity", message)))
    if BreachType.AVAILABILITY in types:
        if restored_quickly(facts):
            reason = _r(
                "availability",
                N_("Access restored within %(hours)s hours: availability 0."),
                hours=format_number(facts.restore_hours or 0),
            )
            parts.append(("availability", _ZERO, reason))
        else:
            points, message = _AVAILABILITY[facts.availability]
            parts.append(("availability", points, _r("availability", message)))
    points, message = _MALICIOUS[facts.malicious]
    parts.append(("malicious", points, _r("malicious", message)))
    return parts
