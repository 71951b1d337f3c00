"""Proposing a :class:`~.mapping.Mapping` from a table's header names, Dutch or English, or
from its first row when it has no header row."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from .mapping import MULTI_COLUMN, Field, Mapping

# Header names as header_key gives them.
_FULL_NAME = {"naam", "volledigenaam", "name", "fullname", "klantnaam", "relatienaam",
              "tenaamstelling", "naamklant", "displayname", "weergavenaam"}  # fmt: skip
_FIRST_NAME = {"voornaam", "voornamen", "roepnaam", "firstname", "givenname", "forename",
               "voorletters", "initialen", "initials"}  # fmt: skip
_INFIX = {"tussenvoegsel", "tussenvoegsels", "voorvoegsel", "middlename", "infix"}
_LAST_NAME = {"achternaam", "familienaam", "geslachtsnaam", "lastname", "surname",
              "familyname"}  # fmt: skip
_SYNONYMS: dict[Field, set[str]] = {
    Field.EMAIL: {"email", "emailadres", "emailadressen", "mail", "mailadres", "emailaddress",
                  "mailaddress", "emailprive", "emailpersoonlijk", "correspondentieemail"},
    Field.ADDRESS: {"adres", "address", "postadres", "woonadres", "correspondentieadres",
                    "adresregel", "adresregel1", "adresregel2", "adresregel3", "addressline",
                    "addressline1", "addressline2", "addressline3", "address1", "address2",
                    "streetaddress", "straatenhuisnummer", "straathuisnummer"},
    Field.STREET: {"straat", "straatnaam", "street", "streetname"},
    Field.HOUSE_NUMBER: {"huisnummer", "huisnr", "nr", "nummer", "housenumber", "number",
                         "streetnumber", "huisnummerincltoevoeging"},
    Field.ADDITION: {"toevoeging", "huisnummertoevoeging", "huisnrtoevoeging", "toev",
                     "addition", "housenumbersuffix", "housenumberaddition", "suffix"},
    Field.POSTCODE: {"postcode", "postalcode", "zip", "zipcode", "postcodecijfers", "pc"},
    Field.CITY: {"woonplaats", "plaats", "plaatsnaam", "stad", "city", "town", "residence",
                 "vestigingsplaats"},
    Field.COUNTRY: {"land", "country", "landcode", "countrycode", "landnaam"},
    Field.DATA: {"gegevens", "data", "welkegegevens", "betrokkengegevens", "gelektegegevens",
                 "datainvolved", "persoonsgegevens", "categorieen",
                 "gegevenscategorieen"},
    Field.REFERENCE: {"klantnummer", "klantnr", "kenmerk", "referentie", "reference", "ref",
                      "customernumber", "customerid", "customerno", "clientnummer",
                      "clientnumber", "relatienummer", "relatienr", "lidnummer", "lidnr",
                      "membernumber", "dossiernummer", "debiteurnummer", "accountnumber",
                      "personeelsnummer", "studentnummer", "leerlingnummer", "patientnummer",
                      "ordernummer", "id"},
}  # fmt: skip
KNOWN_HEADERS = frozenset().union(_FULL_NAME, _FIRST_NAME, _INFIX, _LAST_NAME, *_SYNONYMS.values())


def header_key(header: str) -> str:
    """A header name compared loosely: lower case, no accents, letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def _first(keys: Sequence[str], names: set[str], taken: set[int]) -> int | None:
    return next((i for i, k in enumerate(keys) if k in names and i not in taken), None)


def propose_mapping(headers: Sequence[str]) -> Mapping:
    """The mapping the header names suggest (the FG confirms or changes it).

    Each column is proposed for one field at most. The name is one column ("Naam") or first
    name, infix and surname; "Voornaam" with "Naam" (and no "Achternaam") reads "Naam" as the
    surname, as Dutch and Belgian files often mean it. Address lines, street and number,
    postcode, town and country are proposed separately; several address-line columns all.
    """
    keys = [header_key(h) for h in headers]
    taken: set[int] = set()
    chosen: dict[str, Any] = {"has_header": True}
    for item, names in _SYNONYMS.items():
        if item in MULTI_COLUMN:
            found = tuple(i for i, k in enumerate(keys) if k in names and i not in taken)
            taken.update(found)
            chosen[item.value] = found
        else:
            index = _first(keys, names, taken)
            if index is not None:
                taken.add(index)
            chosen[item.value] = index
    first = _first(keys, _FIRST_NAME - {"voorletters", "initialen", "initials"}, taken)
    if first is None:
        first = _first(keys, _FIRST_NAME, taken)
    infix = _first(keys, _INFIX, taken)
    last = _first(keys, _LAST_NAME, taken)
    full = _first(keys, _FULL_NAME, taken)
    if first is not None and last is None:
        last, full = full, None  # "Voornaam" + "Naam": "Naam" is the surname
    parts = [i for i in (first, infix, last) if i is not None]
    chosen[Field.NAME.value] = (full,) if full is not None and not parts else tuple(parts)
    return Mapping(**chosen)


_EMAIL_LIKE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def looks_like_header(cells: Sequence[str]) -> bool:
    """Whether a first row names columns rather than being the first person: it has a known
    header name, or it has no e-mail address and no digits (a postcode, a house number)."""
    if any(header_key(c) in KNOWN_HEADERS for c in cells):
        return True
    return not any("@" in c or any(ch.isdigit() for ch in c) for c in cells)


def propose_from_values(first_row: Sequence[str]) -> Mapping:
    """A mapping for a table without a header row, guessed from its first person: the
    column holding an e-mail address, and the first column of letters only as the name."""
    email = next((i for i, c in enumerate(first_row) if _EMAIL_LIKE.fullmatch(c.strip())), None)
    name = next(
        (i for i, c in enumerate(first_row)
         if i != email and c.strip() and not any(ch.isdigit() or ch == "@" for ch in c)),
        None,
    )  # fmt: skip
    return Mapping(has_header=False, email=email, name=() if name is None else (name,))
