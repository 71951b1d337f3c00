"""What the check page of a register import adds to the rows read: the notes grouped by
what they say (:func:`group_notes`), and the rows of breaches listed already set aside
(:func:`set_aside_repeats`), in the register or earlier in the file. No framework.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .register_columns import Field
from .register_entry import ImportedBreach, RowNote, RowSkipped
from .text import N_
from .timeutil import utc_to_local


@dataclass(frozen=True)
class NoteGroup:
    """One note as the check page lists it, with every row it is about."""

    field: Field | None
    message: str  # untranslated (N_)
    params: Mapping[str, object]
    rows: tuple[int, ...]


def group_notes(notes: Sequence[RowNote]) -> list[NoteGroup]:
    """The notes by what they say (field, message and its values), in the order first met:
    a thousand rows without a closing date are one line naming a thousand rows, not a
    thousand lines."""
    rows: dict[tuple[Field | None, str, tuple[tuple[str, object], ...]], list[int]] = {}
    first: dict[tuple[Field | None, str, tuple[tuple[str, object], ...]], RowNote] = {}
    for note in notes:
        key = (note.field, note.message, tuple(sorted(note.params.items())))
        rows.setdefault(key, []).append(note.row)
        first.setdefault(key, note)
    return [
        NoteGroup(first[key].field, first[key].message, first[key].params, tuple(found))
        for key, found in rows.items()
    ]


def reference_key(reference: str) -> str:
    """An earlier register's reference as compared: spaces and capitals do not count."""
    return " ".join(reference.split()).casefold()


def title_key(discovered_at: datetime, title: str) -> tuple[date, str]:
    """What tells two breaches apart when the file gives no reference: the day of discovery
    (Dutch time) and the title, spaces and capitals not counted."""
    return utc_to_local(discovered_at).date(), " ".join(title.split()).casefold()


@dataclass(frozen=True)
class Known:
    """What the organisation's register holds already, to recognise a row imported before:
    the earlier registers' references (and breachdesk's own), and the day of discovery and
    title of each entry, each with the entry's reference in breachdesk."""

    references: Mapping[str, str]  # reference_key -> breachdesk reference
    titles: Mapping[tuple[date, str], str]  # title_key -> breachdesk reference


def set_aside_repeats(
    breaches: Sequence[ImportedBreach], known: Known
) -> tuple[list[ImportedBreach], list[RowSkipped]]:
    """The rows to import, and those skipped as a breach listed already.

    A row whose reference (the earlier register's own number) is in the register already, or
    in an earlier row of the file, is skipped: importing it would list the breach twice, as a
    corrected file imported again would. A row without a reference cannot be told apart so
    surely: when its day of discovery and title are those of an entry in the register or of
    an earlier row, it is imported with a note asking the FG to check.
    """
    kept: list[ImportedBreach] = []
    skipped: list[RowSkipped] = []
    rows_by_reference: dict[str, int] = {}
    rows_by_title: dict[tuple[date, str], int] = {}
    for breach in breaches:
        same_day_and_title = title_key(breach.discovered_at, breach.title)
        if breach.reference:
            key = reference_key(breach.reference)
            if key in known.references:
                skipped.append(
                    RowSkipped(
                        breach.row,
                        Field.REFERENCE,
                        N_(
                            "Already in the register, as %(entry)s: skipped, so that the"
                            " breach is not listed twice."
                        ),
                        breach.reference,
                        {"entry": known.references[key]},
                    )
                )
                continue
            if key in rows_by_reference:
                skipped.append(
                    RowSkipped(
                        breach.row,
                        Field.REFERENCE,
                        N_(
                            "The same reference as row %(row)d: skipped as a repeated row. If"
                            " it is another breach, give it a reference of its own."
                        ),
                        breach.reference,
                        {"row": rows_by_reference[key]},
                    )
                )
                continue
            rows_by_reference[key] = breach.row
        else:
            note = None
            if same_day_and_title in known.titles:
                note = RowNote(
                    breach.row,
                    Field.TITLE,
                    N_(
                        "Discovered on the same day and with the same title as %(entry)s in"
                        " the register. Imported all the same: without a reference it cannot"
                        " be told whether it is the same breach. Check it, or leave the row"
                        " out of the file."
                    ),
                    breach.title,
                    {"entry": known.titles[same_day_and_title]},
                )
            elif same_day_and_title in rows_by_title:
                note = RowNote(
                    breach.row,
                    Field.TITLE,
                    N_(
                        "Discovered on the same day and with the same title as row %(row)d."
                        " Imported all the same: without a reference it cannot be told"
                        " whether it is the same breach. Check it, or leave the row out of"
                        " the file."
                    ),
                    breach.title,
                    {"row": rows_by_title[same_day_and_title]},
                )
            if note is not None:
                breach = dataclasses.replace(breach, notes=(*breach.notes, note))
        rows_by_title.setdefault(same_day_and_title, breach.row)
        kept.append(breach)
    return kept, skipped
