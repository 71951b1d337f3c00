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
  the organisation's own inventory, which is why a "no" may be derived from it. Other data the
  reporter described in words that name a special category or criminal data ("medische
  gegevens", "strafblad") make that flag "yes", for the FG to confirm.
* **Identity documents and credentials** become "yes" when a chosen category carries the
  profile's flag, or its key or name mentions them (identiteitsbewijs, paspoort, rijbewijs,
  identity document, passport; wachtwoord, inloggegevens, password, credentials); otherwise they
  stay "unknown" — a category's name is not proof that no such data are in it. Bank, card or
  payment data likewise from the flag or, in profiles from before the flag, the ENISA class
  "financial" (unless that class scores an identity document or number).
* **Number of people** — the exact number, or the maximum of a range (the cautious end) with
  its minimum as the lower bound; unknown stays unknown.
* **Deletion asked** — "yes" when the reporter says the recipient was asked to delete the data
  (a request, not a confirmed deletion).
* **The organisation's promises** — the profile's "what the privacy statement promises about
  breaches", quoted beside the legal advice.
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

from .checklist import BreachType, Facts, Protection, Tri
from .limits import MAX_COMMITMENT_CHARS
from .profile import (
    DataCategory,
    EnisaClass,
    OrganisationProfile,
)
from .profile_checks import (
    CREDENTIAL_WORDS,
    CRIMINAL_WORDS,
    IDENTITY_DOCUMENT_WORDS,
    SPECIAL_CATEGORY_WORDS,
    mentions,
    text_mentions,
)
from .report import Answer, Containment, CountMode, IncidentReport
from .report import Protection as ReportedProtection

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


def _subjects(report: IncidentReport) -> tuple[int | None, int | None]:
    """(best estimate, lower bound): the exact number twice, or a range's maximum and minimum."""
    if report.subjects_mode is CountMode.EXACT:
        return report.subjects_exact, report.subjects_exact
    if report.subjects_mode is CountMode.RANGE:
        return report.subjects_max, report.subjects_min
    return None, None


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
    count, low = _subjects(report)
    asked = Containment.ASKED_DELETION in report.containment
    return Facts(
        breach_types=breach_types,
        data_classes=frozenset(c.enisa_class for c in categories),
        special_category=_tri(
            any(c.special_category for c in categories)
            or text_mentions(report.data_other, SPECIAL_CATEGORY_WORDS),
            complete,
        ),
        criminal_data=_tri(
            any(c.criminal_data for c in categories)
            or text_mentions(report.data_other, CRIMINAL_WORDS),
            complete,
        ),
        national_id_number=_tri(any(c.national_id_number for c in categories), complete),
        financial_data=_tri(any(_bank_data(c) for c in categories), complete),
        identity_documents=_tri(
            any(c.identity_documents or mentions(c, IDENTITY_DOCUMENT_WORDS) for c in categories),
            False,
        ),
        credentials=_tri(
            any(c.credentials or mentions(c, CREDENTIAL_WORDS) for c in categories), False
        ),
        protection=_PROTECTION[report.protection],
        subjects_count=count,
        subjects_min=low,
        deletion_requested=Tri.YES if asked else Tri.UNKNOWN,
        children=_children(report, profile, categories),
        financial_undertaking=Tri.UNKNOWN if fin is None else (Tri.YES if fin else Tri.NO),
        commitments=_commitments(profile),
    )


def _bank_data(category: DataCategory) -> bool:
    """The category holds bank, card or payment data: its flag says so, or (in profiles from
    before the flag) its ENISA class is financial - unless that class scores an identity
    document or number, which breachdesk scores like financial data without being bank data."""
    if category.financial_data:
        return True
    identifier = category.identity_documents or category.national_id_number
    return category.enisa_class is EnisaClass.FINANCIAL and not identifier


def _commitments(profile: OrganisationProfile) -> tuple[str, ...]:
    """The profile's "what the privacy statement promises about breaches", as one promise."""
    text = " ".join((profile.breach_commitments or "").split())
    return (text[:MAX_COMMITMENT_CHARS],) if text else ()
