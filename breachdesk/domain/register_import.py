"""Importing the breach register an organisation already kept (an Excel or CSV file of past
years), so that the Art. 33(5) register in breachdesk is complete from its first day.

The columns of the file are mapped onto a
:class:`~breachdesk.domain.register_columns.Field` (see that module); every row is read by
:func:`read_row` into an :class:`~.register_entry.ImportedBreach` or refused with the reasons (a
:class:`RowError` per field). A row is imported whole or not at all. No framework.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from .deadline import NOTIFICATION_TERM
from .limits import MAX_COUNT
from .register_cells import (
    has_time,
    is_estimate,
    parse_breach_types,
    parse_moment,
    parse_people,
    parse_yes_no,
)
from .register_columns import Field
from .register_entry import (
    LIMITS,
    MAX_TEXT,
    REFERENCES,
    ImportedBreach,
    RowError,
    RowNote,
)
from .text import N_, as_typed, single_line
from .timeutil import LocalTimeError, utc_to_local


def read_row(
    number: int, cells: Mapping[Field, str], now: datetime
) -> tuple[ImportedBreach | None, list[RowError]]:
    """One row of the file, read (with what the FG should know about it, its notes); or the
    reasons it cannot be imported."""
    errors: list[RowError] = []
    notes: list[RowNote] = []
    dates_only: set[str] = set()

    def text(field: Field, one_line: bool = False) -> str:
        value = as_typed((cells.get(field) or "").strip(), one_line=one_line)
        return single_line(value) if one_line else value

    def kept(field: Field, one_line: bool = False) -> str:
        """A text as it is imported: never cut without a word. Past what fits, a text is
        shortened (ending in "…", so the entry shows it) with a note; a reference refused."""
        value = text(field, one_line)
        limit = LIMITS.get(field, MAX_TEXT)
        if len(value) <= limit:
            return value
        if field in REFERENCES:
            errors.append(
                RowError(
                    number,
                    field,
                    N_(
                        "Longer than the %(limit)d characters a reference may have: is this"
                        " the right column?"
                    ),
                    value,
                    {"limit": limit},
                )
            )
            return ""
        notes.append(
            RowNote(
                number,
                field,
                N_(
                    "Longer than the %(limit)d characters that fit: imported shortened to"
                    " %(limit)d characters, the last one “…”. The whole text stays in your"
                    " file."
                ),
                params={"limit": limit},
            )
        )
        return value[: limit - 1] + "…"

    def moment(field: Field) -> datetime | None:
        raw = text(field)
        if not raw:
            return None
        try:
            value = parse_moment(raw)
        except LocalTimeError as refused:  # 02:30 on the night the clocks move forward
            errors.append(RowError(number, field, refused.message, raw, refused.params))
            return None
        if value is None and parse_yes_no(raw) is not None:
            # A yes/no column ("Afgesloten: ja") taken for a date: say so, not "not a date"
            # on every row (found by testing as a user).
            errors.append(
                RowError(
                    number,
                    field,
                    N_("Yes or no, not a date: is this the right column for this field?"),
                    raw,
                )
            )
        elif value is None:
            errors.append(RowError(number, field, N_("Not a date (use 31-12-2024)."), raw))
        elif value > now:
            errors.append(RowError(number, field, N_("This date lies in the future."), raw))
            return None
        elif not has_time(raw):
            dates_only.add(field.value)
        return value

    def yes_no(field: Field) -> bool:
        raw = text(field)
        value = parse_yes_no(raw)
        if value is None:
            errors.append(RowError(number, field, N_("Answer yes or no."), raw))
            return False
        return value

    title = kept(Field.TITLE, one_line=True)
    if not title:
        errors.append(RowError(number, Field.TITLE, N_("A title is needed.")))
    discovered = moment(Field.DISCOVERED)
    if discovered is None and not text(Field.DISCOVERED):
        errors.append(RowError(number, Field.DISCOVERED, N_("The date of discovery is needed.")))
    people = parse_people(text(Field.PEOPLE))
    if people is None:
        errors.append(
            RowError(
                number,
                Field.PEOPLE,
                N_(
                    "Not a number of people: write a number (120) or a range (100-150), or"
                    " leave the cell empty when the number is not known."
                ),
                text(Field.PEOPLE),
            )
        )
        people = (None, None)
    elif people[1] is not None and people[1] > MAX_COUNT:  # nor would it fit the database
        errors.append(
            RowError(
                number,
                Field.PEOPLE,
                N_(
                    "More than a billion people: no breach is that large. Is this the right column?"
                ),
                text(Field.PEOPLE),
            )
        )
        people = (None, None)
    elif people[0] is not None and is_estimate(text(Field.PEOPLE)):
        notes.append(
            RowNote(
                number,
                Field.PEOPLE,
                N_(
                    "An estimate (“%(value)s”) is imported as the number itself: the register"
                    " records a number or a range, not “about”. Write a range (200-300) in"
                    " the file if that says better what was known."
                ),
                text(Field.PEOPLE),
                {"value": text(Field.PEOPLE)},
            )
        )
    aware, filed, closed = moment(Field.AWARE), moment(Field.FILED), moment(Field.CLOSED)
    notified = yes_no(Field.NOTIFIED)
    informed: bool | None = yes_no(Field.INFORMED) if text(Field.INFORMED) else None
    said_not_notified = parse_yes_no(text(Field.NOTIFIED)) is False and bool(text(Field.NOTIFIED))
    if said_not_notified and (filed is not None or text(Field.AP_REFERENCE)):
        errors.append(
            RowError(
                number,
                Field.NOTIFIED,
                N_(
                    "Not notified to the AP, says the file, yet it gives a date of"
                    " notification or an AP report number: which is it? Correct the row."
                ),
                text(Field.NOTIFIED),
            )
        )
    elif not notified and (filed is not None or text(Field.AP_REFERENCE)):
        notified = True  # the cell is empty: a filing date or a report number says notified
        notes.append(
            RowNote(
                number,
                Field.NOTIFIED,
                N_(
                    "The file does not say whether it was notified to the AP, but gives a"
                    " date of notification or an AP report number: imported as notified."
                ),
            )
        )
    for field, value in ((Field.AWARE, aware), (Field.FILED, filed), (Field.CLOSED, closed)):
        if value is not None and discovered is not None and value < discovered:
            if field is not Field.AWARE:  # awareness may be recorded as the same day
                errors.append(
                    RowError(number, field, N_("This date lies before the discovery."), text(field))
                )
            elif utc_to_local(value).date() < utc_to_local(discovered).date():
                # Aware before it was discovered cannot be: a mix-up of columns or dates,
                # imported as written but said (found by exploratory testing).
                notes.append(
                    RowNote(
                        number,
                        Field.AWARE,
                        N_(
                            "Aware before the discovery (%(discovered)s): check the two dates;"
                            " the 72 hours are counted from the awareness as written."
                        ),
                        params={"discovered": text(Field.DISCOVERED)},
                    )
                )
    if notified and filed is None:
        notes.append(
            RowNote(
                number,
                Field.FILED,
                N_(
                    "Notified to the AP, says the file, but not when: the notification is"
                    " imported with its date unknown, and it is called neither in time nor"
                    " late. If you can find the date (the AP's confirmation gives it), add it"
                    " to the file."
                ),
            )
        )
    description, data, measures = kept(Field.DESCRIPTION), kept(Field.DATA), kept(Field.MEASURES)
    reasoning = kept(Field.REASONING)
    reference = kept(Field.REFERENCE, one_line=True)
    ap_reference = kept(Field.AP_REFERENCE, one_line=True)
    if notified and filed is not None and aware is None:
        notes.append(
            RowNote(
                number,
                Field.AWARE,
                N_(
                    "No date of awareness: a notification within 72 hours of the discovery is"
                    " in time; a later one is called neither in time nor late, since awareness"
                    " may have come after the discovery. Add the date of awareness if you can."
                ),
            )
        )
    if informed is None and notified:
        notes.append(
            RowNote(
                number,
                Field.INFORMED,
                N_(
                    "The file does not say whether the people affected were informed: the"
                    " register says “not known” for this breach rather than guess. Add yes or"
                    " no to the file if you know."
                ),
            )
        )
    elif informed is None:
        informed = False  # not notified: informing them was not required by the decision
    if informed:
        notes.append(
            RowNote(
                number,
                Field.INFORMED,
                N_("People informed, says the file, but not when: the date stays unknown."),
            )
        )
    if closed is None:
        notes.append(
            RowNote(
                number,
                Field.CLOSED,
                N_("No date closed: the entry is imported as closed, its closing date unknown."),
            )
        )
    breach_types = parse_breach_types(text(Field.BREACH_TYPE))
    if breach_types is None:
        errors.append(
            RowError(
                number,
                Field.BREACH_TYPE,
                N_(
                    "Not a kind of breach: write vertrouwelijkheid, integriteit or"
                    " beschikbaarheid (confidentiality, integrity, availability), several"
                    " separated by commas."
                ),
                text(Field.BREACH_TYPE),
            )
        )
        breach_types = frozenset()
    delay_reason = kept(Field.DELAY_REASON)
    if delay_reason and not notified:
        notes.append(
            RowNote(
                number,
                Field.DELAY_REASON,
                N_(
                    "Reasons for a late notification, but not notified to the AP: the reasons"
                    " are not imported (there is no notification to keep them with)."
                ),
            )
        )
        delay_reason = ""
    elif delay_reason and filed is not None and aware is not None:
        if filed - aware <= NOTIFICATION_TERM:
            # The register would show "in time" beside reasons for being late.
            notes.append(
                RowNote(
                    number,
                    Field.DELAY_REASON,
                    N_(
                        "Reasons for a late notification, yet it was filed within 72 hours of"
                        " the awareness: imported as given. Check the dates and the reasons."
                    ),
                )
            )
    if errors or discovered is None:
        return None, errors
    return (
        ImportedBreach(
            row=number,
            title=title,
            discovered_at=discovered,
            description=description,
            reference=reference,
            aware_at=aware,
            people_min=people[0],
            people_max=people[1],
            data=data,
            measures=measures,
            notified=notified,
            filed_at=filed,
            ap_reference=ap_reference,
            informed=informed,
            reasoning=reasoning,
            closed_at=closed,
            breach_types=breach_types,
            delay_reason=delay_reason,
            notes=tuple(notes),
            dates_only=frozenset(dates_only),
        ),
        [],
    )
