"""The notice to the people affected by a breach (Art. 34 GDPR): draft, merge, render, digest.

* :func:`draft_people_notice` drafts a subject and seven sections (:data:`SECTION_KEYS`) from
  :class:`~.ap_draft.SheetFacts`, in Dutch or English (wording: :mod:`.people_draft`, advice:
  :mod:`.advice`). The FG edits them as plain text.
* :data:`ART34_ELEMENTS` are what Art. 34(2) (with Art. 33(3)(b)-(d)) and the EDPB's guidance
  ask of the notice; :func:`missing_elements` names those whose section is empty.
* Merge fields — ``[naam]``, ``[gegevens]``, ``[kenmerk]`` and ``[name]``, ``[data]``,
  ``[reference]`` — are filled in per person by :func:`merge`, a plain string replacement.
  The FG's text is never used as template source, so ``{{ ... }}`` in it stays literal.
* :func:`render_notice` renders the plain-text and HTML e-mail from the templates under
  ``templates/notices/people/`` (HTML autoescaped, text not), with the FG's text as data.
* :func:`notice_digest` is the SHA-256 that an approved version is kept under.

Nothing here reads a clock or a database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..audit.canonical import canonical_json
from ..text import single_line
from .advice import ADVICE_VERSION
from .ap_draft import SheetFacts
from .people_draft import draft_sections
from .people_words import Words

#: The sections of a notice, in the order it gives them.
SECTION_KEYS = (
    "what_happened",
    "your_data",
    "consequences",
    "measures",
    "advice",
    "ap_informed",
    "contact",
)

#: Each section's heading in the notice: (Dutch, English).
HEADINGS: dict[str, tuple[str, str]] = {
    "what_happened": ("Wat is er gebeurd?", "What happened?"),
    "your_data": ("Om welke gegevens gaat het?", "Which data are involved?"),
    "consequences": ("Wat kan dit voor u betekenen?", "What could this mean for you?"),
    "measures": ("Wat hebben wij gedaan?", "What have we done?"),
    "advice": ("Wat kunt u zelf doen?", "What can you do yourself?"),
    "ap_informed": ("De Autoriteit Persoonsgegevens", "The Dutch Data Protection Authority"),
    "contact": ("Vragen?", "Questions?"),
}


class Art34Element(NamedTuple):
    """An element the notice must contain, and the section that carries it."""

    key: str
    section: str
    nl: str
    en: str

    def label(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


#: Art. 34(2) GDPR: the nature of the breach and at least the information of Art. 33(3)(b),
#: (c) and (d); the EDPB adds practical advice and that the supervisory authority was told.
ART34_ELEMENTS: tuple[Art34Element, ...] = (
    Art34Element(
        "nature",
        "what_happened",
        "De aard van het datalek (art. 34 lid 2 AVG)",
        "The nature of the breach (Art. 34(2) GDPR)",
    ),
    Art34Element(
        "contact_point",
        "contact",
        "Naam en contactgegevens van de FG of een ander contactpunt (art. 33 lid 3 sub b AVG)",
        "Name and contact details of the DPO or another contact point (Art. 33(3)(b) GDPR)",
    ),
    Art34Element(
        "consequences",
        "consequences",
        "De waarschijnlijke gevolgen (art. 33 lid 3 sub c AVG)",
        "The likely consequences (Art. 33(3)(c) GDPR)",
    ),
    Art34Element(
        "measures",
        "measures",
        "De genomen of voorgestelde maatregelen, ook om de gevolgen te beperken "
        "(art. 33 lid 3 sub d AVG)",
        "The measures taken or proposed, including those to mitigate the possible adverse "
        "effects (Art. 33(3)(d) GDPR)",
    ),
    Art34Element(
        "self_help",
        "advice",
        "Wat mensen zelf kunnen doen (EDPB-richtsnoeren)",
        "What people can do themselves (EDPB guidelines)",
    ),
    Art34Element(
        "ap_informed",
        "ap_informed",
        "Dat de Autoriteit Persoonsgegevens is geïnformeerd (EDPB-richtsnoeren)",
        "That the supervisory authority was informed (EDPB guidelines)",
    ),
)


@dataclass(frozen=True)
class PeopleNoticeDraft:
    """breachdesk's draft: a one-line subject and the text of every section.

    ``notes`` maps a section key to what the FG should add or check there (an English
    template marked for translation), like a ``needs_words`` answer on the AP sheet.
    """

    subject: str
    sections: dict[str, str]
    notes: dict[str, str] = field(default_factory=dict)
    advice_version: str = ADVICE_VERSION


@dataclass(frozen=True)
class MergePerson:
    """One person's values for the merge fields; empty values get a neutral fallback."""

    name: str = ""
    data: str = ""
    reference: str = ""


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    text: str
    html: str


def draft_people_notice(facts: SheetFacts, lang: str) -> PeopleNoticeDraft:
    """The notice drafted from ``facts`` in ``lang`` ("nl" or "en").

    Sections the record cannot fill are empty (see :func:`missing_elements`), with a note.

    Raises:
        ValueError: ``lang`` is neither "nl" nor "en".
    """
    w = Words(lang)
    sections, notes = draft_sections(facts, w)
    subject = w("Belangrijk: datalek bij ", "Important: data breach at ")
    return PeopleNoticeDraft(
        subject=single_line(subject + facts.organisation.display_name),
        sections={key: sections[key] for key in SECTION_KEYS},
        notes=notes,
    )


def missing_elements(sections: Mapping[str, str]) -> list[Art34Element]:
    """The elements of :data:`ART34_ELEMENTS` whose section is absent, empty or blank."""
    return [e for e in ART34_ELEMENTS if not (sections.get(e.section) or "").strip()]


# --- merge fields ------------------------------------------------------------------------------

#: Merge field → (the MergePerson attribute, the fallback when the person has no value).
MERGE_FIELDS: dict[str, tuple[str, str]] = {
    "[naam]": ("name", "heer/mevrouw"),
    "[gegevens]": ("data", "de gegevens die hierboven staan"),
    "[kenmerk]": ("reference", "(geen kenmerk)"),
    "[name]": ("name", "Sir or Madam"),
    "[data]": ("data", "the data listed above"),
    "[reference]": ("reference", "(no reference)"),
}

_FIELD = re.compile(r"\[[^\[\]\n]{1,60}\]")


def merge(text: str, person: MergePerson) -> str:
    """``text`` with every known merge field replaced by the person's value (on one line).

    Plain replacement in one pass: a value that itself looks like a field or a template is
    inserted as it is and never looked at again. Fields are matched case-insensitively;
    unknown ``[...]`` are left untouched (:func:`unknown_fields` lists them).
    """

    def value(match: re.Match[str]) -> str:
        known = MERGE_FIELDS.get(match.group(0).lower())
        if known is None:
            return match.group(0)
        attribute, fallback = known
        return single_line(getattr(person, attribute)) or fallback

    return _FIELD.sub(value, text)


def unknown_fields(text: str) -> list[str]:
    """Every distinct ``[...]`` in ``text`` that is not a merge field, in order of appearance."""
    found: list[str] = []
    for match in _FIELD.finditer(text):
        name = match.group(0)
        if name.lower() not in MERGE_FIELDS and name not in found:
            found.append(name)
    return found


# --- rendering and digest ----------------------------------------------------------------------

_WORDS = {
    "nl": {
        "dear": "Beste",
        "dear_unknown": "Beste heer/mevrouw",
        "reference": "Uw kenmerk",
        "reference_hint": "Noem dit kenmerk als u contact met ons opneemt.",
        "regards": "Met vriendelijke groet,",
    },
    "en": {
        "dear": "Dear",
        "dear_unknown": "Dear Sir or Madam",
        "reference": "Your reference",
        "reference_hint": "Please quote it when you contact us.",
        "regards": "Kind regards,",
    },
}


def notice_environment(root: Path) -> Environment:
    """The Jinja environment for the notice templates under ``root``/templates/notices:
    HTML autoescaped, plain text not, undefined variables an error."""
    return Environment(
        loader=FileSystemLoader(str(root / "templates" / "notices")),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (apart by a blank line) as lists of lines, for the HTML version."""
    blocks = re.split(r"\n[ \t]*\n", text.strip())
    return [[line.rstrip() for line in block.strip("\n").split("\n")] for block in blocks if block]


def render_notice(
    env: Environment,
    *,
    subject: str,
    sections: Mapping[str, str],
    person: MergePerson,
    lang: str,
    organisation_name: str,
) -> RenderedNotice:
    """The message one person receives: the fields merged into ``subject`` and ``sections``,
    then ``people/notice.txt`` and ``people/notice.html`` rendered with them as data.

    Sections are given in :data:`SECTION_KEYS` order; empty ones and unknown keys are left out.

    Raises:
        ValueError: ``lang`` is neither "nl" nor "en".
        jinja2.TemplateNotFound: ``env`` does not load the notice templates.
    """
    if lang not in _WORDS:
        raise ValueError(f"unsupported language {lang!r}")
    index = 0 if lang == "nl" else 1
    parts = []
    for key in SECTION_KEYS:
        text = merge((sections.get(key) or "").replace("\r\n", "\n"), person).strip()
        if text:
            parts.append(
                {
                    "key": key,
                    "heading": HEADINGS[key][index],
                    "text": text,
                    "paragraphs": _paragraphs(text),
                }
            )
    merged_subject = single_line(merge(subject, person))
    context = {
        "lang": lang,
        "subject": merged_subject,
        "words": _WORDS[lang],
        "person": MergePerson(single_line(person.name), "", single_line(person.reference)),
        "sections": parts,
        "organisation_name": single_line(organisation_name),
    }
    text = env.get_template("people/notice.txt").render(context)
    html = env.get_template("people/notice.html").render(context)
    return RenderedNotice(merged_subject, text, html)


def notice_digest(subject: str, sections: Mapping[str, str], lang: str) -> str:
    """SHA-256 (hex) of the notice's canonical JSON: subject, every section, language.

    What an approval is kept under; any change to the text, a section or the language
    changes it.
    """
    content = {"lang": lang, "sections": dict(sections), "subject": subject}
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
