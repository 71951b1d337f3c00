"""The columns of an earlier breach register: the fields breachdesk reads from it, their
labels, the header names each is recognised by (Dutch and English), and the mapping of a
file's columns onto them, proposed from its headers or as the person chose it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from enum import StrEnum

from .register_cells import header_key
from .text import N_


class Field(StrEnum):
    TITLE = "title"
    DISCOVERED = "discovered"
    DESCRIPTION = "description"
    REFERENCE = "reference"
    AWARE = "aware"
    PEOPLE = "people"
    DATA = "data"
    MEASURES = "measures"
    NOTIFIED = "notified"
    FILED = "filed"
    AP_REFERENCE = "ap_reference"
    INFORMED = "informed"
    REASONING = "reasoning"
    CLOSED = "closed"
    BREACH_TYPE = "breach_type"
    DELAY_REASON = "delay_reason"


REQUIRED = (Field.TITLE, Field.DISCOVERED)

FIELD_LABELS = {
    Field.TITLE: N_("Title or short description"),
    Field.DISCOVERED: N_("Date discovered"),
    Field.DESCRIPTION: N_("What happened"),
    Field.REFERENCE: N_("Your own reference"),
    Field.AWARE: N_("Date aware"),
    Field.PEOPLE: N_("Number of people"),
    Field.DATA: N_("Personal data"),
    Field.MEASURES: N_("Measures taken"),
    Field.NOTIFIED: N_("Notified to the AP (yes/no)"),
    Field.FILED: N_("Date of the AP notification"),
    Field.AP_REFERENCE: N_("AP report number"),
    Field.INFORMED: N_("People informed (yes/no)"),
    Field.REASONING: N_("Reasoning of the decision"),
    Field.CLOSED: N_("Date closed"),
    Field.BREACH_TYPE: N_("Nature of the breach (confidentiality, integrity, availability)"),
    Field.DELAY_REASON: N_("Reasons for a late notification"),
}

#: Header names (lower case, without punctuation) that suggest each field.
SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.TITLE: ("titel", "title", "onderwerp", "incident", "korte omschrijving", "naam"),
    Field.DISCOVERED: (
        "ontdekt", "datum ontdekt", "ontdekkingsdatum", "datum ontdekking", "datum",
        "discovered", "date discovered", "date",
    ),
    Field.DESCRIPTION: (
        "beschrijving", "omschrijving", "wat is er gebeurd", "toedracht", "description",
        "what happened",
    ),
    Field.REFERENCE: ("kenmerk", "nummer", "nr", "referentie", "id", "reference", "ref"),
    Field.AWARE: ("bekend", "datum bekend", "moment van bekendheid", "aware", "date aware"),
    Field.PEOPLE: (
        "aantal betrokkenen", "betrokkenen", "aantal personen", "aantal", "people",
        "number of people", "data subjects",
    ),
    Field.DATA: (
        "persoonsgegevens", "soort gegevens", "gegevens", "categorieen", "data",
        "personal data",
    ),
    Field.MEASURES: ("maatregelen", "genomen maatregelen", "measures", "remedial action"),
    Field.NOTIFIED: (
        "gemeld ap", "gemeld bij ap", "melding ap", "ap gemeld", "gemeld", "notified",
        "notified ap",
    ),
    Field.FILED: (
        "datum melding", "datum melding ap", "gemeld op", "meldingsdatum", "filed",
        "date filed",
    ),
    Field.AP_REFERENCE: ("meldnummer", "meldnummer ap", "ap reference", "report number"),
    Field.INFORMED: (
        "betrokkenen geinformeerd", "geinformeerd", "betrokkenen ingelicht", "informed",
        "people informed",
    ),
    Field.REASONING: ("motivering", "toelichting", "afweging", "reasoning", "rationale"),
    Field.CLOSED: (
        "afgesloten", "datum afgesloten", "gesloten", "afgehandeld", "datum afgehandeld",
        "afgerond", "datum afgerond", "closed", "date closed",
    ),
    Field.BREACH_TYPE: (
        "soort inbreuk", "aard inbreuk", "aard van de inbreuk", "type inbreuk", "soort datalek",
        "type datalek", "cia", "bia", "type of breach", "breach type", "nature of the breach",
    ),
    Field.DELAY_REASON: (
        "reden vertraging", "reden voor vertraging", "reden te late melding",
        "reden late melding", "vertraging", "reason for delay", "reason for the delay",
        "delay reason", "reasons for the delay",
    ),
}  # fmt: skip


def propose_mapping(headers: Sequence[str]) -> dict[Field, int]:
    """Field -> column index, from the header names (each column used once)."""
    keys = [header_key(h) for h in headers]
    mapping: dict[Field, int] = {}
    taken: set[int] = set()
    for field in Field:  # exact names first, in the fields' order
        for index, key in enumerate(keys):
            if index not in taken and key in SYNONYMS[field]:
                mapping[field] = index
                taken.add(index)
                break
    return mapping


def read_mapping(
    chosen: Mapping[Field, str], width: int
) -> tuple[dict[Field, int], dict[str, str]]:
    """The column (index) chosen for each field, from the form's values (``""`` for none),
    and what is wrong with the choice (field value, or ``mapping`` -> message, untranslated):
    a column outside the file, a required field without one, a column used twice."""
    mapping: dict[Field, int] = {}
    problems: dict[str, str] = {}
    for field, raw in chosen.items():
        if raw.isdigit() and int(raw) < width:
            mapping[field] = int(raw)
        elif raw:
            problems[field.value] = N_("Choose a column from the list.")
    for field in REQUIRED:
        if field not in mapping and field.value not in problems:
            problems[field.value] = N_("Choose the column that holds this.")
    if len(mapping.values()) != len(set(mapping.values())):
        problems["mapping"] = N_("Each column can be used for one field only.")
        used = Counter(mapping.values())
        for field, column in mapping.items():  # each field concerned, at its choice
            if used[column] > 1 and field.value not in problems:
                problems[field.value] = N_("This column is chosen for another field too.")
    return mapping, problems


#: How far down the column names are looked for, below a title or notes above them.
HEADER_SEARCH_ROWS = 10


def header_row(rows: Sequence[Sequence[str]]) -> int:
    """Which of ``rows`` (the file's first rows) holds the column names: the first of the
    first :data:`HEADER_SEARCH_ROWS` in which the most columns are named as breachdesk knows
    them, at least two; 0 when none is. An Excel register often starts with a title
    ("Register datalekken 2024") and a blank row above the column names: they were taken for
    the column names, and nothing was proposed (found by exploratory testing)."""
    best, found = 1, 0
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        known = len(propose_mapping(cells))
        if known > best:
            best, found = known, index
    return found
