"""The processor's notice to the controller (Art. 33(2) GDPR), drafted from the record.

As processor the organisation does not weigh the risk of a breach — that is the controller's
job. It tells each controller concerned, without undue delay, what it knows so far of the
elements of Art. 33(3) (what happened and to which data and people; the likely consequences;
the measures taken or proposed; a contact point), and supplements in phases as it learns more
(DOMAIN.md §a.4, §a.5). The controller decides whether to notify the AP and the people
affected.

The notice reuses the answer sheet's drafts (:mod:`.ap_draft`) of the questions that answer an
element of Art. 33(3) (``Question.art33_3``), except those that are the controller's own
judgement. It is written in Dutch, then in English, in one plain-text message. Nothing here
reads a clock or a database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ..formatting import long_datetime
from ..text import single_line
from .ap_2022 import CURRENT
from .ap_draft import Draft, Person, SheetFacts, Status, draft_answers
from .forms import FormTable


class NoticeKind(StrEnum):
    FIRST = "first"  # the first notice: it stops the contractual term
    SUPPLEMENT = "supplement"  # further information, in phases (Art. 33(4) by analogy)


#: Questions with an Art. 33(3) element that are the controller's judgement, or the AP's
#: business, and so have no place in a processor's notice: the severity (9.3) and informing
#: the people (10.1.1) are for the controller to decide (Art. 33(2): the processor does not
#: assess the risk); 3.2.2 names a contact "for the AP".
NOT_FOR_THE_CONTROLLER = frozenset({"9.3", "10.1.1", "3.2.2"})

#: The notice's sections in order, each with the Art. 33(3) element its questions answer.
#: "aware" (when the processor became aware) is not an element of Art. 33(3) but what the
#: controller needs to count its own 72 hours (§a.4: the controller is aware once told).
SECTIONS: tuple[tuple[str, str, tuple[str, str]], ...] = (
    ("what", "a:what", ("Wat er is gebeurd", "What happened")),
    ("aware", "", ("Wanneer wij het ontdekten", "When we became aware")),
    ("data", "a:data", ("Betrokken personen en gegevens", "People and data concerned")),
    ("consequences", "c", ("Waarschijnlijke gevolgen", "Likely consequences")),
    ("measures", "d", ("Wat wij hebben gedaan en voorstellen", "What we did and propose")),
    ("contact", "b", ("Contactpunt", "Contact point")),
)

#: Element (a) falls in two sections: the incident itself, and the people and data.
_WHAT = frozenset({"5.1", "5.2", "5.3"})

#: Short labels of our own for the lines of the notice (the AP's wording addresses the
#: controller as "u"); a question a new form adds is shown with its own wording.
_LABELS: dict[str, tuple[str, str]] = {
    "5.1": ("Aard van de inbreuk", "Nature of the breach"),
    "5.2": ("Soort incident", "Kind of incident"),
    "5.3": ("Beschrijving", "Description"),
    "6.1": ("Persoonsgegevens", "Personal data"),
    "6.2": ("Bijzondere persoonsgegevens", "Special categories of data"),
    "6.3.1": ("Aantal gegevensrecords", "Number of data records"),
    "7.1": ("Groepen betrokkenen", "Groups of people"),
    "7.2": ("Nadere omschrijving", "Further description"),
    "7.3": ("Aantal betrokkenen", "Number of people"),
    "9.1": ("Gevolgen voor de gegevens", "Consequences for the data"),
    "9.2": ("Gevolgen voor de betrokkenen", "Consequences for the people"),
    "10.2": ("Maatregelen", "Measures"),
}

_UNKNOWN = (
    "Nog niet bekend; wij vullen dit aan zodra wij het weten.",
    "Not known yet; we will supplement this as soon as we know.",
)


@dataclass(frozen=True)
class Section:
    """One part of the notice, in both languages; ``known`` is False when nothing is known."""

    key: str
    heading_nl: str
    heading_en: str
    nl: str
    en: str
    known: bool = True

    def heading(self, lang: str) -> str:
        return self.heading_nl if lang == "nl" else self.heading_en


@dataclass(frozen=True)
class ControllerNotice:
    """The drafted notice: one-line subject, plain-text body and its parts.

    ``changed`` names the sections that differ from the previous notice (all of them for a
    first notice); ``snapshot()`` is what a later supplement compares against.
    """

    kind: NoticeKind
    subject: str
    body: str
    sections: tuple[Section, ...]
    changed: tuple[str, ...]

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections if not s.known)

    def snapshot(self) -> dict[str, str]:
        return {s.key: s.nl for s in self.sections}


def subject_of(
    kind: NoticeKind, organisation: str, reference: str, title: str, max_title: int = 80
) -> str:
    """``Melding datalek door verwerker <org>: <reference> — <title>``, on one line."""
    head = (
        "Aanvulling op melding datalek door verwerker"
        if kind is NoticeKind.SUPPLEMENT
        else "Melding datalek door verwerker"
    )
    short = single_line(title)
    if len(short) > max_title:
        short = short[: max_title - 1].rstrip() + "…"
    subject = f"{head} {single_line(organisation)}: {single_line(reference)}"
    return single_line(f"{subject} — {short}" if short else subject)


def compose(
    facts: SheetFacts,
    *,
    controller: str,
    reference: str,
    kind: NoticeKind = NoticeKind.FIRST,
    previous: Mapping[str, str] | None = None,
    previous_at: datetime | None = None,
    form: FormTable = CURRENT,
) -> ControllerNotice:
    """The notice to ``controller`` about the incident ``reference``, from ``facts``.

    ``previous`` is the snapshot of the last notice sent (for a supplement: the sections that
    changed since are listed at the top); ``previous_at`` when it was sent.
    """
    drafts = {lang: draft_answers(form, facts, lang) for lang in ("nl", "en")}
    sections = tuple(
        _section(key, element, headings, facts, drafts, form) for key, element, headings in SECTIONS
    )
    if previous:
        changed = tuple(s.key for s in sections if previous.get(s.key) != s.nl)
    else:
        changed = tuple(s.key for s in sections)
    organisation = facts.organisation.display_name
    body = "\n".join(
        (
            _body("nl", facts, sections, changed, kind, controller, reference, previous_at),
            "-- English --",
            "",
            _body("en", facts, sections, changed, kind, controller, reference, previous_at),
        )
    )
    subject = subject_of(kind, organisation, reference, facts.title)
    return ControllerNotice(kind, subject, body, sections, changed)


def _questions(element: str, form: FormTable) -> list[str]:
    letter, _, part = element.partition(":")
    numbers = [
        q.number
        for q in form.questions
        if q.art33_3 == letter and q.number not in NOT_FOR_THE_CONTROLLER
    ]
    if part == "what":
        return [n for n in numbers if n in _WHAT]
    if part == "data":
        return [n for n in numbers if n not in _WHAT]
    return numbers


def _answered(draft: Draft | None) -> bool:
    return draft is not None and draft.status is not Status.MISSING and bool(draft.text.strip())


def _section(
    key: str,
    element: str,
    headings: tuple[str, str],
    facts: SheetFacts,
    drafts: Mapping[str, Mapping[str, Draft]],
    form: FormTable,
) -> Section:
    if key == "aware":
        return Section(key, *headings, _aware("nl", facts), _aware("en", facts))
    if key == "contact":
        person = facts.notifier
        known = bool(person.name or person.email or person.phone)
        nl, en = (_person(person, lang) for lang in ("nl", "en"))
        return Section(key, *headings, nl or _UNKNOWN[0], en or _UNKNOWN[1], known)
    texts: dict[str, list[str]] = {"nl": [], "en": []}
    for number in _questions(element, form):
        if not _answered(drafts["nl"].get(number)):
            continue
        question = form.question(number)
        for lang in ("nl", "en"):
            label = _LABELS.get(number)
            name = (label[0] if lang == "nl" else label[1]) if label else ""
            if not name and question is not None:
                name = question.wording(lang)
            text = drafts[lang][number].text
            if number == "5.3":  # the draft repeats the title, which heads the notice already
                text = facts.description.strip() or text
            texts[lang].append(_line(name, text))
    if not texts["nl"]:
        return Section(key, *headings, _UNKNOWN[0], _UNKNOWN[1], known=False)
    return Section(key, *headings, "\n".join(texts["nl"]), "\n".join(texts["en"]))


def _line(label: str, text: str) -> str:
    """``label: text``; a text of several lines continues indented below the label."""
    lines = [line.rstrip() for line in text.strip().replace("\r\n", "\n").splitlines()]
    if len(lines) == 1:
        return f"{label}: {lines[0]}"
    return f"{label}:\n" + "\n".join(f"  {line}" if line else "" for line in lines)


def _when(value: datetime, lang: str) -> str:
    return long_datetime(value, lang) + (" (Nederlandse tijd)" if lang == "nl" else " (Dutch time)")


def _aware(lang: str, facts: SheetFacts) -> str:
    nl = lang == "nl"
    lines = [("Ontdekt: " if nl else "Discovered: ") + _when(facts.discovered_at, lang)]
    if facts.aware_at is not None:
        lines.append(
            (
                "Vastgesteld als datalek (onze kennisname): "
                if nl
                else "Established as a breach (our awareness): "
            )
            + _when(facts.aware_at, lang)
        )
    if facts.started_at is not None:
        lines.append(("Begonnen: " if nl else "Started: ") + _when(facts.started_at, lang))
    if facts.ended_at is not None:
        lines.append(("Geëindigd: " if nl else "Ended: ") + _when(facts.ended_at, lang))
    elif facts.ongoing == "yes":
        lines.append("De inbreuk duurt nog voort." if nl else "The breach is still going on.")
    return "\n".join(lines)


def _person(person: Person, lang: str) -> str:
    nl = lang == "nl"
    parts = [
        person.name,
        person.function if nl else _FUNCTIONS.get(person.function, person.function),
        ("E-mail: " + person.email) if person.email else "",
        (("Telefoon: " if nl else "Phone: ") + person.phone) if person.phone else "",
    ]
    return "\n".join(single_line(p) for p in parts if p)


_FUNCTIONS = {
    "Functionaris Gegevensbescherming": "Data Protection Officer (FG)",
    "Contactpersoon privacy": "Privacy contact",
}


def _indent(text: str) -> str:
    return "\n".join(f"   {line}" if line else "" for line in text.splitlines())


def _body(
    lang: str,
    facts: SheetFacts,
    sections: Sequence[Section],
    changed: Sequence[str],
    kind: NoticeKind,
    controller: str,
    reference: str,
    previous_at: datetime | None,
) -> str:
    nl = lang == "nl"
    org = single_line(facts.organisation.display_name)
    whom = single_line(controller) or (
        "de verwerkingsverantwoordelijke" if nl else "the controller"
    )
    title = f"“{single_line(facts.title)}”"
    out = [f"Aan {whom}," if nl else f"To {whom},", ""]
    if nl:
        out.append(
            f"Als verwerker voor {whom} melden wij, {org}, een inbreuk in verband met "
            "persoonsgegevens (artikel 33, lid 2, AVG). Wij informeren u zonder onredelijke "
            "vertraging met wat nu bekend is."
        )
    else:
        out.append(
            f"As processor for {whom}, we, {org}, notify you of a personal data breach "
            "(Article 33(2) GDPR). We inform you without undue delay of what is known now."
        )
    if kind is NoticeKind.SUPPLEMENT:
        since = f" {'van' if nl else 'of'} {_when(previous_at, lang)}" if previous_at else ""
        names = [s.heading(lang).lower() for s in sections if s.key in changed]
        if nl:
            out.append(
                f"Dit is een aanvulling op onze eerdere melding{since}. "
                + (
                    "Gewijzigd sinds de vorige melding: " + ", ".join(names) + "."
                    if names
                    else "Er is inhoudelijk niets gewijzigd sinds de vorige melding."
                )
            )
        else:
            out.append(
                f"This supplements our earlier notice{since}. "
                + (
                    "Changed since the last notice: " + ", ".join(names) + "."
                    if names
                    else "Nothing of substance has changed since the last notice."
                )
            )
    out += [
        "",
        ("Ons kenmerk: " if nl else "Our reference: ") + single_line(reference),
        ("Onderwerp:   " if nl else "Subject:       ") + title,
        "",
    ]
    for number, section in enumerate(sections, start=1):
        mark = " *" if kind is NoticeKind.SUPPLEMENT and section.key in changed else ""
        out.append(f"{number}. {section.heading(lang)}{mark}")
        out.append(_indent(section.nl if nl else section.en))
        out.append("")
    if kind is NoticeKind.SUPPLEMENT and changed:
        out += [
            "* gewijzigd sinds de vorige melding" if nl else "* changed since the last notice",
            "",
        ]
    if nl:
        out += [
            "Wat nog niet bekend is, vullen wij in fasen aan zodra wij het weten.",
            "",
            "U beslist als verwerkingsverantwoordelijke of het datalek gemeld moet worden bij "
            "de Autoriteit Persoonsgegevens en of de betrokkenen geïnformeerd moeten worden "
            "(artikelen 33 en 34 AVG). Als verwerker beoordelen wij het risico niet; wij geven "
            "u alle informatie en hulp die u daarvoor nodig heeft.",
            "",
            "Met vriendelijke groet,",
        ]
    else:
        out += [
            "What is not known yet we will supplement in phases as soon as we know it.",
            "",
            "As controller, you decide whether the breach must be notified to the Dutch Data "
            "Protection Authority (Autoriteit Persoonsgegevens) and whether the people affected "
            "must be informed (Articles 33 and 34 GDPR). As processor we do not assess the "
            "risk; we give you all the information and help you need for that.",
            "",
            "Kind regards,",
        ]
    signer = single_line(facts.notifier.name)
    out += [line for line in (signer, org) if line]
    out.append("")
    return "\n".join(out)
