"""One row of a list of people: a :class:`PersonRow` to inform, or the :class:`RowError` that
says why not; and the same person twice (:class:`Duplicates`)."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..text import N_, single_line
from .headers import header_key
from .mapping import Field, Mapping

MAX_NAME = 200
MAX_EMAIL = 254
MAX_ADDRESS = 500
MAX_DATA = 500
MAX_REFERENCE = 100
#: An offending value is kept (for the error report) up to this many characters.
MAX_ERROR_VALUE = 100


class Channel(StrEnum):
    EMAIL = "email"
    LETTER = "letter"


@dataclass(frozen=True)
class PersonRow:
    """One usable person; ``address`` holds the postal address lines joined by newlines."""

    row_number: int
    name: str = ""
    email: str = ""
    address: str = ""
    data: str = ""
    reference: str = ""
    channel: Channel = Channel.EMAIL


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row: ``row_number`` as the spreadsheet shows it, the field and
    column (None for the row as a whole), the message and the offending value (truncated)."""

    row_number: int
    field: str
    column: int | None
    message: str
    value: str = ""
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


def one_line(value: str) -> str:
    """:func:`~breachdesk.domain.text.single_line`, with a fast path for the usual cell
    (printable characters only), since it runs for every cell of a large list."""
    if value.isprintable():
        return " ".join(value.split())
    return single_line(value)


#: Checks one e-mail address: returns it normalised, or raises ValueError.
EmailCheck = Callable[[str], str]

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"({_LOCAL})@({_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}})")


def check_email_syntax(value: str) -> str:
    """A strict, pragmatic syntax check (ASCII only, a dotted domain); returns the address with
    its domain in lower case. Raises ValueError for anything else."""
    match = _EMAIL.fullmatch(value)
    if match is None or len(value) > MAX_EMAIL or len(match.group(1)) > 64:
        raise ValueError("not an e-mail address")
    return f"{match.group(1)}@{match.group(2).lower()}"


def truncate(value: str, limit: int = MAX_ERROR_VALUE) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


_NL_POSTCODE = re.compile(r"([1-9][0-9]{3})\s*([A-Za-z]{2})")
_HOME = {"", "nl", "nld", "nederland", "netherlands", "thenetherlands", "holland"}


def dutch_postcode(postcode: str) -> str:
    """A Dutch postcode written as PostNL asks ("2629HG" is "2629 HG"); anything else as it is."""
    match = _NL_POSTCODE.fullmatch(postcode.strip())
    return f"{match.group(1)} {match.group(2).upper()}" if match else postcode


def is_home_country(country: str) -> bool:
    """Whether ``country`` means the Netherlands (or says nothing): a letter needs no country."""
    return header_key(country) in _HOME


def postal_address(raw: Callable[[int | None], str], mapping: Mapping) -> tuple[list[str], bool]:
    """The postal address lines of one row, and whether they make a usable address.

    Lines: street, number and addition (the number goes after the first address line when
    there is no street column), the address columns (split at new lines and commas),
    postcode and town (two spaces between, as PostNL asks; a Dutch postcode written
    "1234 AB"), and the country unless it is the Netherlands (a letter posted here needs
    none). Usable: a street line and a place (postcode or town), or two address lines.
    ``raw`` gives a cell's value by column index ("" for None or a missing cell).
    """

    def one(index: int | None) -> str:
        return one_line(raw(index))

    free = [
        line
        for index in mapping.address
        for line in (one_line(part) for part in re.split(r"[\n\r,]", raw(index)))
        if line
    ]
    number = " ".join(p for p in (one(mapping.house_number), one(mapping.addition)) if p)
    street = one(mapping.street)
    lines: list[str] = []
    if street:
        lines.append(f"{street} {number}".strip())
    elif free and number:
        free[0] = f"{free[0]} {number}"
    elif number:
        lines.append(number)  # a number alone is no street, but it is what the file says
    lines.extend(free)
    country = one(mapping.country)
    postcode = one(mapping.postcode)
    home = is_home_country(country)
    if home:
        postcode = dutch_postcode(postcode)
    city = one(mapping.city)
    if postcode or city:
        lines.append("  ".join(p for p in (postcode, city) if p))
    if country and not home:
        lines.append(country)
    usable = bool(street or free) and bool(postcode or city or len(free) >= 2)
    return lines, usable


def validate_row(
    values: Sequence[str],
    mapping: Mapping,
    *,
    row_number: int,
    email_check: EmailCheck = check_email_syntax,
) -> tuple[PersonRow | None, list[RowError]]:
    """One row as a person, or what is wrong with it (never both).

    Values are trimmed and kept on one line (control characters become spaces; a formula's
    text such as ``=HYPERLINK(...)`` is kept as text). Missing cells are empty. Refused: an
    e-mail address ``email_check`` refuses, a value longer than its column allows, and a row
    with neither an e-mail address nor a usable postal address. Without an e-mail address a
    person is informed by letter.
    """

    def raw(index: int | None) -> str:
        if index is None or index >= len(values):
            return ""
        return values[index] or ""

    def cell(index: int | None) -> str:
        return one_line(raw(index))

    errors: list[RowError] = []

    def too_long(item: Field, text: str, limit: int, column: int | None) -> None:
        if len(text) > limit:
            errors.append(
                RowError(row_number, item.value, column, N_("At most %(max)d characters."),
                         truncate(text), {"max": limit})
            )  # fmt: skip

    name = " ".join(p for p in (cell(i) for i in mapping.name) if p)
    too_long(Field.NAME, name, MAX_NAME, mapping.name[0] if mapping.name else None)
    email = cell(mapping.email)
    if email:
        try:
            email = email_check(email)
        except ValueError:
            errors.append(
                RowError(row_number, Field.EMAIL.value, mapping.email,
                         N_("This is not an e-mail address."), truncate(email))
            )  # fmt: skip
        else:
            too_long(Field.EMAIL, email, MAX_EMAIL, mapping.email)
    lines, usable = postal_address(raw, mapping)
    address = "\n".join(lines)
    first_address = next(iter(mapping.address), mapping.street)
    too_long(Field.ADDRESS, address, MAX_ADDRESS, first_address)
    data = "; ".join(p for p in (cell(i) for i in mapping.data) if p)
    too_long(Field.DATA, data, MAX_DATA, mapping.data[0] if mapping.data else None)
    reference = cell(mapping.reference)
    too_long(Field.REFERENCE, reference, MAX_REFERENCE, mapping.reference)
    if errors:
        return None, errors
    if not email and not usable:
        message = N_("No e-mail address and no postal address (street, and postcode or town).")
        return None, [RowError(row_number, "", None, message, truncate(name))]
    channel = Channel.EMAIL if email else Channel.LETTER
    return PersonRow(row_number, name, email, address, data, reference, channel), []


def person_key(email: str, name: str, address: str) -> str:
    """Who a person on a list is, to tell the same person twice (in one list, or reached by an
    earlier sending): the e-mail address (case ignored), or without one the name and postal
    address (case and spacing ignored)."""
    if email:
        return "e\0" + email.casefold()
    return "a\0" + " ".join(name.casefold().split()) + "\0" + " ".join(address.casefold().split())


class Duplicates:
    """Finds the same person twice: the same e-mail address (case ignored), or — without an
    e-mail address — the same name and postal address. Remembers digests, not the data."""

    def __init__(self) -> None:
        self._seen: dict[bytes, int] = {}

    def earlier_row(self, person: PersonRow) -> int | None:
        """The row where ``person`` appeared before, or None (and remember this row)."""
        key = person_key(person.email, person.name, person.address)
        digest = hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()
        earlier = self._seen.get(digest)
        if earlier is None:
            self._seen[digest] = person.row_number
        return earlier


def duplicate_error(person: PersonRow, earlier: int) -> RowError:
    """The error for the second appearance of a person first seen in row ``earlier``."""
    if person.email:
        return RowError(
            person.row_number, Field.EMAIL.value, None,
            N_("The same e-mail address as row %(row)d."), truncate(person.email), {"row": earlier},
        )  # fmt: skip
    return RowError(
        person.row_number, Field.ADDRESS.value, None,
        N_("The same name and postal address as row %(row)d."), truncate(person.name),
        {"row": earlier},
    )  # fmt: skip
