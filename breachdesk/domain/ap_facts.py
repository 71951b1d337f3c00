"""Which facts the AP notification needs that are still missing (Art. 33(3) GDPR).

Art. 33(3) lists what a notification must contain "at least": the nature of the breach with,
where possible, the categories and approximate number of people and of records; the FG or
another contact point; the likely consequences; and the measures taken or proposed. What is
not yet known may follow in phases (Art. 33(4)), so a missing fact is a reason to notify
provisionally, never a reason to wait past the 72 hours.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import N_


@dataclass(frozen=True)
class KnownSoFar:
    """What the incident record holds so far, reduced to what Art. 33(3) asks about."""

    breach_types_known: bool
    data_categories_known: bool
    subjects_count_known: bool
    records_count_known: bool
    contact_point_known: bool
    consequences_known: bool
    measures_known: bool


MISSING_LABELS = {
    "breach_types": N_("the nature of the breach (confidentiality, integrity, availability)"),
    "data_categories": N_("the kinds of personal data involved"),
    "subjects_count": N_("the (approximate) number of people affected"),
    "records_count": N_("the (approximate) number of records"),
    "contact_point": N_("the FG or another contact point"),
    "consequences": N_("the likely consequences for the people affected"),
    "measures": N_("the measures taken or proposed"),
}


def missing_for_ap(known: KnownSoFar) -> list[str]:
    """Codes (keys of :data:`MISSING_LABELS`) of the Art. 33(3) facts still missing, in order."""
    checks = {
        "breach_types": known.breach_types_known,
        "data_categories": known.data_categories_known,
        "subjects_count": known.subjects_count_known,
        "records_count": known.records_count_known,
        "contact_point": known.contact_point_known,
        "consequences": known.consequences_known,
        "measures": known.measures_known,
    }
    return [code for code, present in checks.items() if not present]
