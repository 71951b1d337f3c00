"""The wording of the notice to the people affected: each section drafted from the facts.

Used by :func:`.people_notice.draft_people_notice`. Every sentence states something the record
holds (the report, triage, the checklist, the filing or the profile) in plain words, B1 Dutch
with "u", or its English counterpart; nothing is guessed. Where the record holds nothing the
section is left empty, as the answer sheet leaves a question "missing", and a note (an English
template marked for translation) tells the FG what to add. Free text written for the FG (the
report's description, the details of the measures) is not quoted: it was not written for the
people affected and is often in one language only; a note points the FG to it.
"""

from __future__ import annotations

from datetime import datetime

from ..checklist import Availability, Consequence, Facts, Integrity, Recipients, Tri
from ..profile import ContactKind
from ..text import N_
from .advice import advice_for, advice_text
from .ap_draft import SheetFacts
from .people_words import CONSEQUENCES, DUTCH_TIME, MEASURES, Words


def _confidentiality(c: Facts | None, w: Words) -> str:
    """What may have happened to the data, as far as the checklist establishes it."""
    if c is not None and c.malicious is Tri.YES:
        if c.exfiltration is Tri.YES:
            return w(
                "Iemand heeft zonder toestemming gegevens over u gekopieerd of meegenomen.",
                "Someone copied or took data about you without permission.",
            )
        return w(
            "Iemand heeft zonder toestemming toegang gehad tot gegevens over u.",
            "Someone had access to data about you without permission.",
        )
    recipients = c.recipients if c is not None else Recipients.UNKNOWN
    error = c is not None and c.malicious is Tri.NO
    if recipients is Recipients.AFFECTED_THEMSELVES:
        text = w(
            "Gegevens over u waren te zien voor de andere ontvangers van hetzelfde bericht.",
            "Data about you could be seen by the other recipients of the same message.",
        )
    elif recipients in (
        Recipients.LIMITED_KNOWN,
        Recipients.TRUSTED,
        Recipients.ONE_UNIDENTIFIED,
        Recipients.KNOWN_HOSTILE,
    ):
        text = w(
            "Gegevens over u zijn terechtgekomen bij een of meer mensen die ze niet mochten "
            "hebben.",
            "Data about you reached one or more people who were not allowed to have them.",
        )
    elif recipients is Recipients.NONE_KNOWN:
        text = w(
            "Gegevens over u waren te zien voor mensen die ze niet mochten zien. Wij hebben "
            "geen aanwijzingen dat iemand ze echt heeft bekeken.",
            "Data about you could be seen by people who were not allowed to see them. We have "
            "no sign that anyone actually looked at them.",
        )
    else:
        text = w(
            "Gegevens over u zijn mogelijk gezien door iemand die dat niet mocht.",
            "Data about you may have been seen by someone who was not allowed to see them.",
        )
    if error:
        text += w(" Dit kwam door een fout.", " This was caused by a mistake.")
    return text


def _integrity(c: Facts | None, w: Words) -> str:
    """What may have been changed; nothing when the checklist says nothing was altered.
    "Can be restored" is not "restored" (the notice said so: found by exploratory testing)."""
    if c is not None and c.integrity is Integrity.NOT_ALTERED:
        return ""
    text = w("Gegevens over u zijn mogelijk veranderd.", "Data about you may have been changed.")
    if c is not None and c.integrity is Integrity.RECOVERABLE:
        text += w(
            " De juiste gegevens kunnen wij terugzetten.", " We can restore the correct data."
        )
    elif c is not None and c.integrity is Integrity.NOT_RECOVERABLE:
        text += w(
            " De juiste gegevens kunnen wij niet terugzetten.",
            " We cannot restore the correct data.",
        )
    return text


def _availability(c: Facts | None, w: Words) -> str:
    """What was lost or unavailable; nothing when the checklist says access was not lost (a
    stolen stick with a backup elsewhere: the notice said the data were unavailable)."""
    if c is not None and c.availability is Availability.NO_LOSS:
        return ""
    if c is not None and c.availability is Availability.PERMANENT:
        return w("Gegevens over u zijn verloren gegaan.", "Data about you were lost.")
    text = w(
        "Gegevens over u waren een tijd niet beschikbaar.",
        "Data about you were unavailable for a while.",
    )
    if c is not None and c.restore_hours is not None:
        hours = f"{c.restore_hours:g}".replace(".", "," if w.lang == "nl" else ".")
        text += w(
            f" Na {hours} uur was alles hersteld.", f" Everything was restored after {hours} hours."
        )
    return text


def _period(f: SheetFacts, w: Words) -> str:
    start, end = f.started_at, f.ended_at
    zone = w(*DUTCH_TIME)
    if start is not None and end is not None:
        if start == end:
            return w("Dit gebeurde op ", "This happened on ") + w.moment(start) + zone + "."
        if w.day(start) == w.day(end):
            return (
                w("Dit gebeurde op ", "This happened on ")
                + w.day(start)
                + w(", tussen ", ", between ")
                + w.clock(start).removesuffix(" uur")
                + w(" en ", " and ")
                + w.clock(end)
                + zone
                + "."
            )
        return (
            w("Het begon op ", "It started on ")
            + w.moment(start)
            + zone
            + w(". Het duurde tot ", ". It lasted until ")
            + w.moment(end)
            + "."
        )
    if start is not None:
        return w("Het begon op ", "It started on ") + w.moment(start) + zone + "."
    return ""


def what_happened(f: SheetFacts, w: Words) -> str:
    """The nature of the breach and when (Art. 34(2)): never empty, the nature is known."""
    c = f.facts
    types = {t.value for t in c.breach_types} if c is not None and c.breach_types else set()
    types = types or set(f.breach_types)
    lines = []
    if "confidentiality" in types or not types:
        lines.append(_confidentiality(c, w))
    if "integrity" in types:
        lines.append(_integrity(c, w))
    if "availability" in types:
        lines.append(_availability(c, w))
    if f.reporting_processor:
        lines.append(
            w(
                f"Het gebeurde bij {f.reporting_processor}. Dat bedrijf werkt voor ons.",
                f"It happened at {f.reporting_processor}, a company that works for us.",
            )
        )
    period = _period(f, w)
    if period:
        lines.append(period)
    if f.ongoing == "yes":
        lines.append(w("Het datalek is nog niet voorbij.", "The breach is not over yet."))
    elif f.ongoing == "no" and f.ended_at is None:
        lines.append(_over(types, w))
    lines.append(w("Wij ontdekten het op ", "We discovered it on ") + w.day(f.discovered_at) + ".")
    return "\n".join(line for line in lines if line)


def _over(types: set[str], w: Words) -> str:
    """That the breach stopped; where data reached others, not that it is over for the people
    affected ("the breach is over" while a thief held children's data: found by exploratory
    testing)."""
    if "confidentiality" in types or not types:
        return w(
            "Het lek zelf is gestopt. Wie de gegevens kreeg of meenam, kan ze nog hebben.",
            "The leak itself has stopped. Whoever got or took the data may still have them.",
        )
    return w("Het datalek is voorbij.", "The breach is over.")


def _data_name(name: str, f: SheetFacts, w: Words) -> str:
    """A category's name in the notice's language (the profile's English name, if any)."""
    if w.lang == "nl":
        return name
    category = next((c for c in f.organisation.data_categories if c.name == name), None)
    return (category.name_en or name) if category else name


def _in_sentence(name: str) -> str:
    """A name as it reads inside a sentence: "E-mailadres" → "e-mailadres", "IP-adres" stays."""
    first = name.replace("-", " ").split(" ", 1)[0]
    if sum(ch.isupper() for ch in first) > 1:
        return name
    return name[:1].lower() + name[1:]


def your_data(f: SheetFacts, w: Words) -> tuple[str, str]:
    """The kinds of data, and the merge field with each person's own data; a note if none."""
    names = [_data_name(d.name, f, w) for d in f.data]
    if f.data_other.strip():
        names.append(f.data_other.strip())
    children = f.children_involved == "yes" or (f.facts is not None and f.facts.children is Tri.YES)
    lines = []
    note = ""
    if names:
        lines.append(
            w("Bij dit datalek ging het om deze gegevens:", "The breach involved these data:")
        )
        lines.extend(f"- {_in_sentence(n)}" for n in names)
    else:
        note = N_("The report names no kinds of data: say which data were involved.")
    if f.data_other.strip() and w.lang == "en":
        # The reporter's own words are quoted as typed, in Dutch as a rule: an English notice
        # mixed them in without a word (found by exploratory testing).
        note = N_(
            "The other data are quoted as the reporter wrote them, perhaps in Dutch: "
            "translate them for this notice."
        )
    lines.append(w("Bij u gaat het om: [gegevens].", "In your case: [data]."))
    if children:
        lines.append(
            w("Het gaat ook om gegevens van kinderen.", "Data of children are involved too.")
        )
    return "\n".join(lines), note


def consequences(f: SheetFacts, w: Words) -> str:
    """The likely consequences from the checklist, one per line; empty when not established."""
    if f.facts is None or not f.facts.consequences:
        return ""
    if f.facts.consequences == {Consequence.NONE_LIKELY}:
        return w(*CONSEQUENCES[Consequence.NONE_LIKELY])
    chosen = [w(*CONSEQUENCES[c]) for c in Consequence if c in f.facts.consequences]
    intro = w(
        "Dit datalek kan deze gevolgen voor u hebben:", "This breach may affect you as follows:"
    )
    return "\n".join([intro, *(f"- {line}" for line in chosen)])


def measures(f: SheetFacts, w: Words) -> str:
    """What was done, from the report's first-aid measures; empty when none is recorded."""
    lines = [w(*MEASURES[m]) for m in f.containment if m in MEASURES]
    if "asked_deletion" in f.containment and f.facts is not None:
        if f.facts.deletion_confirmed is Tri.YES:
            lines.append(
                w(
                    "De ontvanger heeft bevestigd dat de gegevens zijn verwijderd.",
                    "The recipient confirmed that the data were deleted.",
                )
            )
        elif f.facts.deletion_confirmed is Tri.NO:
            lines.append(
                w(
                    "De ontvanger heeft nog niet bevestigd dat de gegevens zijn verwijderd.",
                    "The recipient has not yet confirmed deleting the data.",
                )
            )
    return "\n".join(lines)


#: What the drafted part about the AP says while nothing is filed (Dutch, English): a notice
#: that still says it once the AP was notified is refused at approval.
NOT_YET_REPORTED = (
    "nog niet gemeld bij de Autoriteit Persoonsgegevens",
    "not yet reported the breach to the Dutch Data Protection Authority",
)


def ap_informed(f: SheetFacts, w: Words) -> str:
    """That the AP was notified and when; or, plainly, that nothing is filed yet."""
    return ap_informed_on(f.first_filed_at, w)


def ap_informed_on(filed_at: datetime | None, w: Words) -> str:
    """The part about the AP for a first filing at ``filed_at`` (None: nothing filed)."""
    if filed_at is None:
        return w(
            f"Wij hebben het datalek {NOT_YET_REPORTED[0]} (AP).",
            f"We have {NOT_YET_REPORTED[1]} (Autoriteit Persoonsgegevens, AP).",
        )
    return w(
        f"Wij hebben het datalek op {w.day(filed_at)} gemeld bij de Autoriteit "
        "Persoonsgegevens (AP). De AP controleert of organisaties zich aan de privacyregels "
        "houden.",
        f"We reported the breach to the Dutch Data Protection Authority (Autoriteit "
        f"Persoonsgegevens, AP) on {w.day(filed_at)}. The AP checks that "
        "organisations keep to the privacy rules.",
    )


def says_not_reported(text: str) -> bool:
    """Whether ``text`` says, as breachdesk drafted it, that the AP was not notified yet."""
    folded = " ".join(text.split()).casefold()
    return any(sentence.casefold() in folded for sentence in NOT_YET_REPORTED)


def contact(f: SheetFacts, w: Words) -> str:
    """The contact point: the profile's FG or privacy contact, else the organisation's own
    contact details, else the person who files; empty when there is no address or number."""
    org = f.organisation
    pc = org.privacy_contact
    designated = pc.kind is not ContactKind.NONE
    name = (pc.name or "") if designated else ""
    email = (pc.email if designated else None) or org.contact.email or f.notifier.email
    phone = (pc.phone if designated else None) or org.contact.phone or f.notifier.phone
    if not designated and not (org.contact.email or org.contact.phone):
        name = f.notifier.name
    if not (email or phone):
        return ""
    who = name
    if pc.kind is ContactKind.FG:
        fg = w("onze functionaris gegevensbescherming (FG)", "our data protection officer (DPO)")
        who = fg + (f", {name}" if name else "")
    reach = w(f"Neem dan contact op met {who}.", f"Please contact {who}.")
    if not who:
        reach = w("Neem dan contact met ons op.", "Please contact us.")
    lines = [
        w("Heeft u vragen over dit datalek? ", "Do you have questions about this breach? ") + reach
    ]
    if pc.kind is ContactKind.FG:
        lines.append(
            w(
                "De FG let erop dat wij zorgvuldig met uw gegevens omgaan.",
                "The DPO makes sure that we handle your data with care.",
            )
        )
    if email:
        lines.append(w("E-mail: ", "E-mail: ") + email)
    if phone:
        lines.append(w("Telefoon: ", "Phone: ") + phone)
    return "\n".join(lines)


def draft_sections(f: SheetFacts, w: Words) -> tuple[dict[str, str], dict[str, str]]:
    """Every section's draft text, and the notes for the FG (section key → English template)."""
    data_text, data_note = your_data(f, w)
    sections = {
        "what_happened": what_happened(f, w),
        "your_data": data_text,
        "consequences": consequences(f, w),
        "measures": measures(f, w),
        "advice": advice_text(advice_for(f), w.lang),
        "ap_informed": ap_informed(f, w),
        "contact": contact(f, w),
    }
    notes = {
        "what_happened": N_(
            "Add in plain words what happened; the report's description is written for you, "
            "not for the people affected."
        ),
        "measures": N_(
            "Add what you will do so that it does not happen again (measures proposed, "
            "Art. 33(3)(d) GDPR)."
        )
        if sections["measures"]
        else N_("The report names no measures: say what was done and what you will do."),
    }
    if data_note:
        notes["your_data"] = data_note
    if not sections["consequences"]:
        notes["consequences"] = N_("The likely consequences are answered in the checklist.")
    if f.first_filed_at is None:
        notes["ap_informed"] = N_(
            "Nothing is filed with the AP yet: file first, or say here what applies."
        )
    if not sections["contact"]:
        notes["contact"] = N_("The profile has no e-mail address or phone number to contact.")
    return sections, notes
