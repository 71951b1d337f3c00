"""Section 3 of the AP form: the controller, who files, and the organisations involved.

3.1.1 the organisation (name, address, KvK number, the FG's registration number) and 3.1.2
its sector, from the organisation's profile; 3.2.1 who files and how to reach them, 3.2.2 the
contact person for the AP; 3.3 the processors involved, from the report.
"""

from __future__ import annotations

from ...text import N_
from .common import Draft, Status, _d, _missing, _Words
from .facts import Person, SheetFacts

# --- 3 De verwerkingsverantwoordelijke ---------------------------------------------------------


def _q3_1_1(f: SheetFacts, w: _Words) -> Draft:
    org = f.organisation
    address = ", ".join(
        p for p in (org.address.street, org.address.postal_code, org.address.city) if p
    )
    lines = [org.legal_name]
    if org.trade_names and org.trade_names[0] != org.legal_name:
        lines.append(w("Handelsnaam: ", "Trade name: ") + ", ".join(org.trade_names))
    if address:
        lines.append(w("Adres: ", "Address: ") + address)
    if org.kvk_number:
        lines.append(w("KvK-nummer: ", "Chamber of Commerce number: ") + org.kvk_number)
    fg_number = org.privacy_contact.fg_registration_number
    if fg_number:
        lines.append(w("Registratienummer FG: ", "DPO registration number: ") + fg_number)
    text = "\n".join(lines)
    if not org.kvk_number and not address:
        reason = N_("The organisation's profile has neither the address nor the KvK number.")
        return _d(text, (), Status.MISSING, reason)
    if not org.kvk_number:
        return _d(text, (), Status.MISSING, N_("The organisation's profile lacks the KvK number."))
    if not address:
        return _d(text, (), Status.MISSING, N_("The organisation's profile lacks the address."))
    return _d(text)


def _q3_1_2(f: SheetFacts, w: _Words) -> Draft:
    if f.organisation.sector:
        return _d(f.organisation.sector, reason=N_("From the organisation's profile."))
    return _missing(N_("The organisation's profile names no sector."))


def _person(p: Person, w: _Words) -> str:
    return "\n".join(
        x
        for x in (
            p.name,
            p.function,
            (w("E-mail: ", "E-mail: ") + p.email) if p.email else "",
            (w("Telefoon: ", "Phone: ") + p.phone) if p.phone else "",
        )
        if x
    )


def _q3_2_1(f: SheetFacts, w: _Words) -> Draft:
    p = f.notifier
    text = _person(p, w)
    if not p.name:
        return _d(
            text, (), Status.MISSING, N_("No FG or privacy contact in the profile: who files?")
        )
    if not p.phone:
        return _d(
            text, (), Status.MISSING, N_("The AP asks for a phone number; the profile has none.")
        )
    if not p.email:
        return _d(text, (), Status.MISSING, N_("The AP asks for an e-mail address."))
    return _d(text)


def _q3_2_2(f: SheetFacts, w: _Words) -> Draft:
    return _d(w("Dezelfde als de melder.", "The same as the notifier."))


def _q3_3(f: SheetFacts, w: _Words) -> Draft:
    parts = []
    if f.reporting_processor:
        parts.append(
            w(
                f"Ja: het datalek vond plaats bij onze verwerker {f.reporting_processor}, "
                "die het aan ons heeft gemeld.",
                f"Yes: the breach happened at our processor {f.reporting_processor}, "
                "which told us.",
            )
        )
    others = [p for p in f.processors if p != f.reporting_processor]
    if others:
        parts.append(
            w("Betrokken verwerker(s): ", "Processor(s) involved: ") + w.listing(others) + "."
        )
    if not parts:
        return _d(w("Nee", "No"), reason=N_("The report names no processor or system supplier."))
    return _d(" ".join(parts))
