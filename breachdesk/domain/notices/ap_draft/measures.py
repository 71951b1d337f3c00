"""The measures, before and after the breach: questions 8.1 and 10.2 of the AP form.

8.1 whether the data were encrypted or otherwise protected (from the checklist, else from the
report); 10.2 what was done to contain the breach, from the report. Question 10.2 belongs to
section 10 ("Vervolgacties"); it is drafted here because it is about measures, while the
rest of section 10 is about informing the people (:mod:`.informing`).
"""

from __future__ import annotations

from ...checklist import Protection
from ...text import N_
from .common import Draft, Status, _d, _missing, _Words
from .facts import SheetFacts

# --- 8 Maatregelen vooraf -----------------------------------------------------------------------


_PROTECTION = {
    Protection.STATE_OF_THE_ART_KEY_SAFE: (
        "yes",
        "Ja, versleuteld volgens de stand van de techniek; de sleutel is niet in handen van "
        "onbevoegden gekomen.",
        "Yes, encrypted to the state of the art; the key did not reach anyone not entitled.",
    ),
    Protection.ENCRYPTED_KEY_AT_RISK: (
        "partly",
        "Versleuteld, maar de sleutel kan in handen van onbevoegden zijn gekomen.",
        "Encrypted, but the key may have reached people not entitled to it.",
    ),
    Protection.WEAK: (
        "partly",
        "Gedeeltelijk of zwak beveiligd (bijvoorbeeld een bestand met een wachtwoord).",
        "Partly or weakly protected (for example a password-protected file).",
    ),
    Protection.NONE: ("no", "Nee, de gegevens waren leesbaar.", "No, the data were readable."),
}


_REPORT_PROTECTION = {"encrypted": "yes", "partially": "partly", "none": "no"}


def _q8_1(f: SheetFacts, w: _Words) -> Draft:
    details = f.protection_details.strip()
    if f.facts is not None and f.facts.protection in _PROTECTION:
        key, nl, en = _PROTECTION[f.facts.protection]
        return _d(w(nl, en) + (f"\n{details}" if details else ""), (key,))
    reported = _REPORT_PROTECTION.get(f.report_protection)
    if reported is None:
        return _missing(N_("Not known whether the data were encrypted or otherwise protected."))
    words = {"yes": ("Ja", "Yes"), "partly": ("Gedeeltelijk", "Partly"), "no": ("Nee", "No")}
    return _d(w(*words[reported]) + (f"\n{details}" if details else ""), (reported,))


# --- 10 Vervolgacties: only 10.2 here (10.1 is in informing.py) ------------------------------


_CONTAINMENT = {
    "recall_email": ("de e-mail teruggehaald", "recalled the e-mail"),
    "asked_deletion": (
        "de ontvanger gevraagd de gegevens te verwijderen",
        "asked the recipient to delete the data",
    ),
    "remote_wipe": ("het apparaat op afstand gewist", "wiped the device remotely"),
    "password_reset": ("wachtwoorden gewijzigd", "changed passwords"),
    "access_blocked": ("de toegang geblokkeerd", "blocked the access"),
    "retrieved": (
        "de brief, het apparaat of het bestand teruggekregen",
        "got the letter, device or file back",
    ),
    "other": ("andere maatregelen (zie toelichting)", "other measures (see below)"),
}


def _q10_2(f: SheetFacts, w: _Words) -> Draft:
    taken = [w(*_CONTAINMENT[c]) for c in f.containment if c in _CONTAINMENT]
    parts = []
    if taken:
        parts.append(w("Genomen maatregelen: ", "Measures taken: ") + w.listing(taken) + ".")
    if f.containment_details.strip():
        parts.append(f.containment_details.strip())
    if not parts:
        return _missing(N_("The report names no measures; the AP asks what was done."))
    return _d(
        "\n".join(parts),
        (),
        Status.NEEDS_WORDS,
        N_("Add the measures that prevent it happening again."),
    )
