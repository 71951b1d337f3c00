"""The people to inform about a breach (Art. 34 GDPR): which column holds what, and which rows
are usable.

A list of people arrives as a table (a CSV file, a workbook, pasted lines). The FG says which
column holds which :class:`Field` (a :class:`Mapping`; :func:`propose_mapping` proposes one
from the header names, Dutch or English). :func:`validate_row` turns one row into a
:class:`PersonRow` — to be informed by e-mail, or by letter when there is no e-mail address —
or says what is wrong with it (:class:`RowError`, with the row number as the spreadsheet shows
it). :class:`Duplicates` finds the same person twice. Messages are English source strings
marked with :func:`~breachdesk.domain.text.N_`; parameters never hold the offending value
(that is :attr:`RowError.value`), so a message can be shown and the value erased apart.

Modules: :mod:`.mapping` (fields, the mapping and its checks), :mod:`.headers` (proposing a
mapping), :mod:`.rows` (checking rows, duplicates). Pure: no framework, no clock; reading
files and checking e-mail addresses thoroughly is the service's job (it hands its check to
:func:`validate_row`).
"""

from .headers import (
    KNOWN_HEADERS,
    header_key,
    looks_like_header,
    propose_from_values,
    propose_mapping,
)
from .mapping import (
    ADDRESS_FIELDS,
    FIELD_LABELS,
    MULTI_COLUMN,
    Field,
    Mapping,
    RecipientImportError,
    check_mapping,
    letter,
)
from .rows import (
    MAX_ADDRESS,
    MAX_DATA,
    MAX_EMAIL,
    MAX_ERROR_VALUE,
    MAX_NAME,
    MAX_REFERENCE,
    Channel,
    Duplicates,
    EmailCheck,
    PersonRow,
    RowError,
    check_email_syntax,
    duplicate_error,
    postal_address,
    truncate,
    validate_row,
)

__all__ = [
    "ADDRESS_FIELDS",
    "FIELD_LABELS",
    "KNOWN_HEADERS",
    "MAX_ADDRESS",
    "MAX_DATA",
    "MAX_EMAIL",
    "MAX_ERROR_VALUE",
    "MAX_NAME",
    "MAX_REFERENCE",
    "MULTI_COLUMN",
    "Channel",
    "Duplicates",
    "EmailCheck",
    "Field",
    "Mapping",
    "PersonRow",
    "RecipientImportError",
    "RowError",
    "check_email_syntax",
    "check_mapping",
    "duplicate_error",
    "header_key",
    "letter",
    "looks_like_header",
    "postal_address",
    "propose_from_values",
    "propose_mapping",
    "truncate",
    "validate_row",
]
