"""What a row of an earlier breach register becomes: an :class:`ImportedBreach`, or the
messages about it (:class:`RowError` refuses the row at a field, :class:`RowNote` tells the FG
something about a row imported all the same, :class:`RowSkipped` names a row left out as a
repeat), and the limits a row is read against. Read by :mod:`.register_import`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .register_columns import Field

#: The moments of an entry each date field fills (an incident's columns, its filing's
#: ``submitted_at``), by the names ``Incident.dates_only`` uses.
MOMENT_OF = {
    Field.DISCOVERED: "discovered_at",
    Field.AWARE: "aware_at",
    Field.FILED: "submitted_at",
    Field.CLOSED: "closed_at",
}
LIMITS = {Field.TITLE: 200, Field.REFERENCE: 100, Field.AP_REFERENCE: 100}
MAX_TEXT = 5000
REFERENCES = frozenset({Field.REFERENCE, Field.AP_REFERENCE})


@dataclass(frozen=True)
class RowMessage:
    """What the check page says about one row: ``message`` is untranslated (N_), to be
    filled in with ``params`` once translated."""

    row: int  # the row number as the spreadsheet shows it
    field: Field | None
    message: str  # untranslated (N_)
    value: str = ""
    params: Mapping[str, object] = dataclasses.field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class RowError(RowMessage):
    """Why a row cannot be imported."""


@dataclass(frozen=True)
class RowNote(RowMessage):
    """Something the FG should know about a row that is imported all the same: a value the
    file does not give and that stays unknown or is assumed, or a text shortened."""


@dataclass(frozen=True)
class RowSkipped(RowMessage):
    """A row left out because its breach is in the register already, or earlier in the file."""


@dataclass(frozen=True)
class ImportedBreach:
    row: int
    title: str
    discovered_at: datetime
    description: str = ""
    reference: str = ""
    aware_at: datetime | None = None
    people_min: int | None = None
    people_max: int | None = None
    data: str = ""
    measures: str = ""
    notified: bool = False
    filed_at: datetime | None = None
    ap_reference: str = ""
    #: None: the file does not say (no such column, or an empty cell) for a notified breach;
    #: the register then says "not known" instead of "not required".
    informed: bool | None = False
    reasoning: str = ""
    closed_at: datetime | None = None
    breach_types: frozenset[str] = frozenset()  # confidentiality, integrity, availability
    delay_reason: str = ""  # why the notification came after 72 hours, as the file says
    notes: tuple[RowNote, ...] = ()
    #: The moments the file gives as a date alone (field values): the time of day is not
    #: known, so whether a filing was in time is judged from whole days.
    dates_only: frozenset[str] = frozenset()
