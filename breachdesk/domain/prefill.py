"""Pre-fill the risk checklist from the staff report and the organisation's profile.

:func:`prefill` answers only what the report and the profile actually establish; everything else
keeps the cautious default of :class:`~breachdesk.domain.checklist.Facts` ("unknown"), and the
FG confirms or changes every answer. The rules:

* **Kinds of data** — ``data_classes`` are the ENISA classes of the data categories the reporter
  chose (unknown keys are ignored; :func:`~breachdesk.domain.report.validate_report` refuses them
  anyway).
* **Legal flags** (``special_category``, ``criminal_data``, ``national_id_number``) come from the
  profile's flags of the chosen categories, and ``financial_data`` from the ENISA class
  "financial": "yes" when any chosen category has it; "no" when categories were chosen, none has
  it and the reporter described no other data in free text; otherwise "unknown". The profile is
  the organisation's own inventory, which is why a "no" may be derived from it.
* **Identity documents and credentials** have no flag in the profile. They become "yes" when a
  chosen category's key or name mentions them (identiteitsbewijs, paspoort, rijbewijs, identity
  document, passport; wachtwoord, inloggegevens, password, credentials); otherwise they stay
  "unknown" — a category's name is not proof that no such data are in it.
* **Number of people** — the exact number, or the maximum of a range (the cautious end); unknown
  stays unknown.
* **Children** — "yes" when the reporter said so or when a chosen data category or group of people
  is flagged as children in the profile (a flag wins over a reporter's "no": cautious); "no" only
  when the reporter said "no" and no flag applies; otherwise "unknown".
* **Protection** — the reporter's "encrypted" is not proof of state-of-the-art encryption with the
  key safe (Art. 34(3)(a)), so it stays "unknown" for the FG to establish; "partially" becomes
  "weak"; "none" becomes "none".
* **Containment** — getting a letter back or asking a recipient to delete is not a confirmed
  deletion; ``deletion_confirmed`` stays "unknown".
* **Financial undertaking** (UAVG art. 42) — from the profile: true → "yes", false → "no", not
  stated → "unknown".
* Intent, exfiltration, recipients, availability, integrity, consequences and the rest stay
  "unknown" (or their defaults): a staff report does not establish them.
"""

from __future__ import annotations

from collections.abc import Iterable

from .checklist import BreachType, Facts, Protection, Tri
from .profile import DataCategory, EnisaClass, OrganisationProfile
from .report import Answer, CountMode, IncidentReport
from .report import Protection as ReportedProtection

_IDENTITY_DOCUMENT_WORDS = (
    "identiteitsbewijs",
    "identiteitskaart",
    "id-kaart",
    "paspoort",
    "rijbewijs",
    "identity document",
    "identity card",
    "passport",
    "driving licence",
)
_CREDENTIAL_WORDS = (
    "wachtwoord",
    "inloggegevens",
    "inlogcode",
    "toegangscode",
    "password",
    "credential",
)
_PROTECTION = {
    ReportedProtection.ENCRYPTED: Protection.UNKNOWN,
    ReportedProtection.PARTIALLY: Protection.WEAK,
    ReportedProtection.NONE: Protection.NONE,
    ReportedProtection.UNKNOWN: Protection.UNKNOWN,
}
_ANSWER = {Answer.YES: Tri.YES, Answer.NO: Tri.NO, Answer.UNKNOWN: Tri.UNKNOWN}


def _tri(any_yes: bool, complete: bool) -> Tri:
    """ "yes" if any chosen category has it; "no" if the list is complete and none has it."""
    if any_yes:
        return Tri.YES
    return Tri.NO if complete else Tri.UNKNOWN


def _mentions(category: DataCategory, words: Iterable[str]) -> bool:
    text = " ".join((category.key, category.name, category.name_en or "")).lower()
    return any(word in text for word in words)


def _subjects_count(report: IncidentReport) -> int | None:
    if report.subjects_mode is CountMode.EXACT:
        return report.subjects_exact
    if report.subjects_mode is CountMode.RANGE:
        return report.subjects_max
    return None


def _children(
    report: IncidentReport, profile: OrganisationProfile, categories: list[DataCategory]
) -> Tri:
    groups = [profile.subject_category(key) for key in report.subject_group_keys]
    flagged = any(c.children for c in categories) or any(g.children for g in groups if g)
    if flagged or report.children_involved is Answer.YES:
        return Tri.YES
    return _ANSWER[report.children_involved]


def prefill(
    report: IncidentReport,
    profile: OrganisationProfile,
    breach_types: frozenset[BreachType] = frozenset(),
) -> Facts:
    """Checklist answers derived from ``report`` and ``profile``; see the module docstring."""
    categories = [c for key in report.data_category_keys if (c := profile.data_category(key))]
    complete = bool(categories) and not report.data_other.strip()
    fin = profile.financial_undertaking
    return Facts(
        breach_types=breach_types,
        data_classes=frozenset(c.enisa_class for c in categories),
        special_category=_tri(any(c.special_category for c in categories), complete),
        criminal_data=_tri(any(c.criminal_data for c in categories), complete),
        national_id_number=_tri(any(c.national_id_number for c in categories), complete),
        financial_data=_tri(
            any(c.enisa_class is EnisaClass.FINANCIAL for c in categories), complete
        ),
        identity_documents=_tri(
            any(_mentions(c, _IDENTITY_DOCUMENT_WORDS) for c in categories), False
        ),
        credentials=_tri(any(_mentions(c, _CREDENTIAL_WORDS) for c in categories), False),
        protection=_PROTECTION[report.protection],
        subjects_count=_subjects_count(report),
        children=_children(report, profile, categories),
        financial_undertaking=Tri.UNKNOWN if fin is None else (Tri.YES if fin else Tri.NO),
    )
