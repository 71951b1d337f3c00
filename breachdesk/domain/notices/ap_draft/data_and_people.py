"""Sections 6 and 7 of the AP form: the personal data involved and the people affected.

6.1 the kinds of personal data (and whether BSN or criminal-law data are among them), 6.2
special categories, 6.3.1 the number of records; 7.1 the groups of people, 7.2 whether
children or vulnerable people are among them, 7.3 how many people (exactly, or a minimum
and maximum).
"""

from __future__ import annotations

from ...text import N_
from .common import Draft, Status, _d, _missing, _Words
from .facts import SheetFacts

# --- 6 Welke persoonsgegevens --------------------------------------------------------------------


def _q6_1(f: SheetFacts, w: _Words) -> Draft:
    names = [d.named(w.lang) for d in f.data if not d.special_category]
    if f.data_other.strip():
        names.append(f.data_other.strip())
    if not names and not f.data:
        return _missing(N_("The report names no kinds of personal data."))
    extras = []
    if any(d.national_id_number for d in f.data):
        extras.append(w("inclusief BSN", "including BSN"))
    if any(d.criminal_data for d in f.data):
        extras.append(w("inclusief strafrechtelijke gegevens", "including criminal-law data"))
    text = w.listing(names) if names else w("Zie vraag 6.2", "See question 6.2")
    return _d(text + (f" ({'; '.join(extras)})" if extras else ""))


def _q6_2(f: SheetFacts, w: _Words) -> Draft:
    special = [d.named(w.lang) for d in f.data if d.special_category]
    if special:
        return _d(w("Ja: ", "Yes: ") + w.listing(special))
    if f.facts is not None and f.facts.special_category.value == "yes":
        return _d(
            w("Ja (zie de beschrijving)", "Yes (see the description)"),
            (),
            Status.NEEDS_WORDS,
            N_("The checklist says special categories are involved: name them."),
        )
    if f.facts is not None and f.facts.special_category.value == "no":
        return _d(w("Nee", "No"))
    return _d(
        w("Nee, voor zover bekend.", "No, as far as known."),
        (),
        Status.NEEDS_WORDS,
        N_("The checklist does not establish it yet: confirm."),
    )


def _q6_3_1(f: SheetFacts, w: _Words) -> Draft:
    if f.records_count is None:
        return _missing(N_("No number of records recorded; an approximate number is enough."))
    return _d(w("Ongeveer ", "About ") + w.count(f.records_count))


# --- 7 Getroffen personen ------------------------------------------------------------------------


def _q7_1(f: SheetFacts, w: _Words) -> Draft:
    groups = [g.named(w.lang) for g in f.subject_groups]
    if f.subject_groups_other.strip():
        groups.append(f.subject_groups_other.strip())
    if not groups:
        return _missing(N_("The report names no group of people."))
    return _d(w.listing(groups))


def _q7_2(f: SheetFacts, w: _Words) -> Draft:
    parts = []
    children = f.children_involved
    if f.facts is not None and f.facts.children.value != "unknown":
        children = f.facts.children.value
    if children == "yes":
        parts.append(w("Er zijn kinderen bij betrokken.", "Children are involved."))
    elif children == "no":
        parts.append(w("Er zijn geen kinderen bij betrokken.", "No children are involved."))
    if f.facts is not None and f.facts.vulnerable.value == "yes":
        parts.append(
            w(
                "Er zijn kwetsbare personen bij betrokken.",
                "Vulnerable people are involved.",
            )
        )
    elif f.facts is not None and f.facts.vulnerable.value == "no":
        parts.append(w("Er zijn geen kwetsbare personen bij betrokken.", "No vulnerable people."))
    if not parts:
        return _missing(N_("Not known whether children or vulnerable people are involved."))
    if len(parts) < 2:
        return _d(
            " ".join(parts),
            (),
            Status.NEEDS_WORDS,
            N_("Add what is known of the groups (children, vulnerable people)."),
        )
    return _d(" ".join(parts))


def _q7_3(f: SheetFacts, w: _Words) -> Draft:
    if f.subjects_mode == "exact" and f.subjects_exact is not None:
        return _d(w.count(f.subjects_exact))
    if f.subjects_mode == "range" and f.subjects_min is not None and f.subjects_max is not None:
        return _d(
            w(
                f"Minimaal {w.count(f.subjects_min)}, maximaal {w.count(f.subjects_max)}",
                f"At least {w.count(f.subjects_min)}, at most {w.count(f.subjects_max)}",
            )
        )
    if f.facts is not None and f.facts.subjects_count is not None:
        return _d(
            w("Ten hoogste ongeveer ", "At most about ") + w.count(f.facts.subjects_count),
            (),
            Status.NEEDS_WORDS,
            N_("The checklist's estimate; the report gave no number: confirm."),
        )
    return _missing(N_("No number of people recorded; a minimum and maximum is enough."))
