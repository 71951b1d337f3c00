"""Which column of a list of people holds which :class:`Field`: the :class:`Mapping`, and the
checks that refuse a mapping that cannot give a usable list."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from ..text import N_


class RecipientImportError(ValueError):
    """A file, mapping or list that cannot be used; ``field`` names the step's field concerned
    (``file``, a :class:`Field` value, ``mapping`` or ``import``)."""

    def __init__(self, field_name: str, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message % (params or {}))
        self.field = field_name
        self.message = message
        self.params = params or {}


class Field(StrEnum):
    """What a column can hold."""

    NAME = "name"
    EMAIL = "email"
    ADDRESS = "address"  # whole address lines ("Dorpsstraat 12, 1234 AB Ons Dorp")
    STREET = "street"
    HOUSE_NUMBER = "house_number"
    ADDITION = "addition"  # huisnummertoevoeging
    POSTCODE = "postcode"
    CITY = "city"
    COUNTRY = "country"
    DATA = "data"  # which of their data were involved
    REFERENCE = "reference"  # their customer number, file number, ...


FIELD_LABELS: dict[Field, str] = {
    Field.NAME: N_("Name"),
    Field.EMAIL: N_("E-mail address"),
    Field.ADDRESS: N_("Address"),
    Field.STREET: N_("Street"),
    Field.HOUSE_NUMBER: N_("House number"),
    Field.ADDITION: N_("House number addition"),
    Field.POSTCODE: N_("Postcode"),
    Field.CITY: N_("Town or city"),
    Field.COUNTRY: N_("Country"),
    Field.DATA: N_("Which of their data"),
    Field.REFERENCE: N_("Their reference"),
}

#: Fields that may take several columns, joined in the order given.
MULTI_COLUMN = frozenset({Field.NAME, Field.ADDRESS, Field.DATA})
ADDRESS_FIELDS = (Field.ADDRESS, Field.STREET, Field.POSTCODE, Field.CITY)


@dataclass(frozen=True)
class Mapping:
    """Which column (0-based index) holds which field; ``has_header`` says whether the first
    row names the columns (it is then not a person).

    ``name`` may be several columns (first name, infix, surname: joined with spaces),
    ``address`` several address lines, ``data`` several columns (joined with "; ").
    """

    has_header: bool = True
    name: tuple[int, ...] = ()
    email: int | None = None
    address: tuple[int, ...] = ()
    street: int | None = None
    house_number: int | None = None
    addition: int | None = None
    postcode: int | None = None
    city: int | None = None
    country: int | None = None
    data: tuple[int, ...] = ()
    reference: int | None = None

    def columns(self) -> dict[Field, tuple[int, ...]]:
        """The columns chosen per field (fields without a column left out)."""
        found: dict[Field, tuple[int, ...]] = {}
        for item in Field:
            value = getattr(self, item.value)
            chosen = value if isinstance(value, tuple) else (() if value is None else (value,))
            if chosen:
                found[item] = chosen
        return found

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples as lists), the inverse of :meth:`from_json`."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mapping:
        """A mapping from :meth:`as_json` output (or a form); unknown keys are ignored.

        Raises:
            RecipientImportError: a column that is not a whole number from 0.
        """
        values: dict[str, Any] = {"has_header": bool(data.get("has_header", True))}
        for item in Field:
            raw = data.get(item.value)
            if item in MULTI_COLUMN:
                raw_list = raw if isinstance(raw, list | tuple) else ([] if raw is None else [raw])
                values[item.value] = tuple(_index(item, v) for v in raw_list if v not in (None, ""))
            else:
                values[item.value] = None if raw in (None, "") else _index(item, raw)
        return cls(**values)


def _index(item: Field, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RecipientImportError(item.value, N_("Choose a column from the list."))
    try:
        number = int(value)
    except ValueError:
        raise RecipientImportError(item.value, N_("Choose a column from the list.")) from None
    if number < 0:
        raise RecipientImportError(item.value, N_("Choose a column from the list."))
    return number


def check_mapping(mapping: Mapping, column_count: int) -> None:
    """Refuse a mapping that cannot give a usable list, before any row is read.

    Raises:
        RecipientImportError: a column that the table does not have, a column chosen for two
            fields, or neither an e-mail column nor the columns of a postal address.
    """
    used: dict[int, Field] = {}
    for item, chosen in mapping.columns().items():
        for index in chosen:
            if index >= column_count:
                raise RecipientImportError(
                    item.value, N_("The table has no column %(column)s."), {"column": letter(index)}
                )
            if index in used:
                raise RecipientImportError(
                    item.value,
                    N_("Column %(column)s is already chosen for another field."),
                    {"column": letter(index)},
                )
            used[index] = item
    if mapping.email is None:
        if not any(mapping.columns().get(f) for f in ADDRESS_FIELDS):
            raise RecipientImportError(
                "mapping",
                N_("Choose the e-mail address column, or the columns of the postal address."),
            )
        has_street = bool(mapping.address) or mapping.street is not None
        has_place = (
            bool(mapping.address) or mapping.postcode is not None or mapping.city is not None
        )
        if not (has_street and has_place):
            raise RecipientImportError(
                Field.ADDRESS.value,
                N_("Without an e-mail address, choose the street (or address) column and the "
                   "postcode or town column."),
            )  # fmt: skip


def letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name
