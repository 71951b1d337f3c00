"""The breach register (GDPR Art. 33(5)): what a view of it may ask for, and safe export cells.

Art. 33(5) requires the controller to document every personal-data breach, notified or not:
its facts, its effects and the remedial action taken, so that the AP can verify compliance.
breachdesk keeps that register as a by-product of the work on each incident; this module holds
the register's vocabulary, free of any framework:

- the filters a view may use (:class:`RegisterFilter`), parsed from a URL's query string by
  :func:`parse_filter`, so a filtered view can be bookmarked and exported exactly as shown;
- the kinds of personal data a filter can ask for (:func:`data_kinds`), derived from the data
  categories an incident was reported with;
- :func:`spreadsheet_safe`, which neutralises text that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from .assessment import Outcome
from .duties import SubjectsResolution
from .lifecycle import State
from .text import N_
from .timeutil import EARLIEST_YEAR, LATEST_YEAR


class Notified(StrEnum):
    """Whether the AP (or, as processor, the controller) was notified."""

    YES = "yes"
    NO = "no"


class Informed(StrEnum):
    """How the duty to inform the people affected (Art. 34) stands."""

    INFORMED = "informed"  # recorded as informed, or breachdesk's notices all reached them
    INFORMING = "informing"  # notices or letters still to go, or some could not be delivered
    EXEMPT = "exempt"  # Art. 34(3)(a), (b) or (c) relied on, or another recorded reason
    OWED = "owed"  # decided to inform them, not yet done
    NOT_REQUIRED = "not_required"  # the decision does not require it
    UNDECIDED = "undecided"  # no decision yet
    UNKNOWN = "unknown"  # imported from an earlier register that does not say
    NOT_A_BREACH = "not_a_breach"  # judged no personal-data breach (or discarded): no duty


#: States in which there is no breach and so no duty to inform anyone.
NO_BREACH_STATES = (State.NOT_A_BREACH.value, State.DISCARDED.value)


class Sending(StrEnum):
    """How far breachdesk itself has informed the people (its notices by e-mail and letter)."""

    NOTHING = ""  # no notice sent or started
    UNDER_WAY = "under_way"  # notices planned, paused or failed, or letters not yet posted
    DONE = "done"  # every notice sent and every letter posted


def informed_state(
    resolution: str,
    decided_outcome: str | None,
    sending: Sending = Sending.NOTHING,
    *,
    state: str = State.DECIDED.value,
) -> Informed:
    """How the duty to inform stands for the register.

    What the FG recorded at closing comes first (how the people were informed, or the ground
    of Art. 34(3) for not informing them). Until then, what breachdesk sent speaks: a notice
    still on its way (or undelivered) means informing is under way; every notice sent and
    every letter posted means the people were informed, whatever the decision required.
    Without either, the decision says whether informing is still owed; an incident judged no
    personal-data breach (``state``) owes nothing ("not yet decided" there read as an open
    case: found by exploratory testing)."""
    if resolution == SubjectsResolution.INFORMED.value:
        return Informed.INFORMED
    not_recorded = resolution == SubjectsResolution.NOT_RECORDED.value
    if resolution and not not_recorded:
        return Informed.EXEMPT
    if sending is Sending.UNDER_WAY:
        return Informed.INFORMING
    if sending is Sending.DONE:
        return Informed.INFORMED
    if not_recorded:  # an earlier register's entry that does not say, and nothing sent since
        return Informed.UNKNOWN
    if state in NO_BREACH_STATES:
        return Informed.NOT_A_BREACH
    if decided_outcome == Outcome.NOTIFY_AP_AND_SUBJECTS.value:
        return Informed.OWED
    if decided_outcome is None:
        return Informed.UNDECIDED
    return Informed.NOT_REQUIRED


class Sort(StrEnum):
    REPORTED_DESC = "reported_desc"
    REPORTED_ASC = "reported_asc"
    DISCOVERED_DESC = "discovered_desc"
    DISCOVERED_ASC = "discovered_asc"
    REFERENCE_ASC = "reference_asc"
    REFERENCE_DESC = "reference_desc"


class DataKind(StrEnum):
    """Kinds of personal data a register view can filter on, across organisations."""

    SPECIAL = "special"  # Art. 9 special categories
    CRIMINAL = "criminal"  # Art. 10 criminal-law data
    NATIONAL_ID = "national_id"  # BSN and other identifying numbers (UAVG art. 46)
    CHILDREN = "children"  # data about children
    FINANCIAL = "financial"
    BEHAVIOURAL = "behavioural"
    SENSITIVE = "sensitive"
    SIMPLE = "simple"


NOTIFIED_LABELS = {Notified.YES: N_("Notified"), Notified.NO: N_("Not notified")}
INFORMED_LABELS = {
    Informed.INFORMED: N_("Informed"),
    Informed.INFORMING: N_("Informing under way"),
    Informed.EXEMPT: N_("Not informed: exception recorded"),
    Informed.OWED: N_("Still to be informed"),
    Informed.NOT_REQUIRED: N_("Not required by the decision"),
    Informed.UNDECIDED: N_("Not yet decided"),
    Informed.UNKNOWN: N_("Not known (the earlier register does not say)"),
    Informed.NOT_A_BREACH: N_("Not applicable: not a personal-data breach"),
}
SORT_LABELS = {
    Sort.REPORTED_DESC: N_("Reported, newest first"),
    Sort.REPORTED_ASC: N_("Reported, oldest first"),
    Sort.DISCOVERED_DESC: N_("Discovered, newest first"),
    Sort.DISCOVERED_ASC: N_("Discovered, oldest first"),
    Sort.REFERENCE_ASC: N_("Reference A–Z"),
    Sort.REFERENCE_DESC: N_("Reference Z–A"),
}
DATA_KIND_LABELS = {
    DataKind.SPECIAL: N_("Special categories (Art. 9)"),
    DataKind.CRIMINAL: N_("Criminal-law data (Art. 10)"),
    DataKind.NATIONAL_ID: N_("BSN or other national number"),
    DataKind.CHILDREN: N_("Data about children"),
    DataKind.FINANCIAL: N_("Financial data"),
    DataKind.BEHAVIOURAL: N_("Behavioural data"),
    DataKind.SENSITIVE: N_("Sensitive data (ENISA)"),
    DataKind.SIMPLE: N_("Simple data (name, address)"),
}

#: The longest search text kept (words beyond it are ignored).
MAX_QUERY = 200
#: The most words of a search that are used.
MAX_TERMS = 8
#: Years a filter may name (those whose start and end the Dutch clock can convert).
YEARS = range(EARLIEST_YEAR, LATEST_YEAR)


@dataclass(frozen=True)
class RegisterFilter:
    """One view of the register. Empty fields do not filter."""

    organisation_id: int | None = None
    year: int | None = None
    discovered_from: date | None = None
    discovered_to: date | None = None
    outcome: Outcome | None = None
    undecided: bool = False  # only incidents without a decision
    notified: Notified | None = None
    informed: Informed | None = None
    late: bool = False  # only incidents filed late, or overdue now
    state: State | None = None
    data_kind: DataKind | None = None
    query: str = ""
    sort: Sort = Sort.REPORTED_DESC

    @property
    def terms(self) -> tuple[str, ...]:
        """The search's words, for a prefix match on each."""
        return search_terms(self.query)

    def to_args(self) -> dict[str, str]:
        """The filter as query-string arguments (what :func:`parse_filter` reads back)."""
        args: dict[str, str] = {}
        if self.organisation_id is not None:
            args["org"] = str(self.organisation_id)
        if self.year is not None:
            args["year"] = str(self.year)
        if self.discovered_from:
            args["from"] = self.discovered_from.isoformat()
        if self.discovered_to:
            args["to"] = self.discovered_to.isoformat()
        if self.undecided:
            args["outcome"] = "none"
        elif self.outcome:
            args["outcome"] = self.outcome.value
        for key, value in (
            ("notified", self.notified),
            ("informed", self.informed),
            ("state", self.state),
            ("data", self.data_kind),
        ):
            if value is not None:
                args[key] = value.value
        if self.late:
            args["late"] = "1"
        if self.query:
            args["q"] = self.query
        if self.sort is not Sort.REPORTED_DESC:
            args["sort"] = self.sort.value
        return args

    @property
    def active(self) -> bool:
        """Whether anything but the sort order narrows the view."""
        return bool(set(self.to_args()) - {"sort"})


@dataclass(frozen=True)
class ParsedFilter:
    filter: RegisterFilter
    #: Query-string argument → message (untranslated), for arguments that were ignored.
    errors: dict[str, str] = field(default_factory=dict)


def _choice(raw: str, enum: type[StrEnum]) -> Any:
    return enum(raw) if raw in enum._value2member_map_ else None


def _date(raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if day.year in YEARS else None


def parse_filter(args: Mapping[str, str], organisation_ids: Iterable[int]) -> ParsedFilter:
    """A register filter from query-string ``args``; ``organisation_ids`` are those the user
    may see. An argument that cannot be understood is left out of the filter and reported in
    ``errors`` (so the page says so next to the field, instead of silently showing more)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    raw = {key: str(args.get(key, "")).strip() for key in _KNOWN}
    if raw["org"]:
        org = int(raw["org"]) if raw["org"].isdigit() else None
        if org is None or org not in set(organisation_ids):
            errors["org"] = N_("Choose one of your organisations.")
        else:
            values["organisation_id"] = org
    if raw["year"]:
        year = int(raw["year"]) if raw["year"].isdigit() else None
        if year is None or year not in YEARS:
            errors["year"] = N_("Enter a year such as 2026.")
        else:
            values["year"] = year
    for key, name in (("from", "discovered_from"), ("to", "discovered_to")):
        if raw[key]:
            if (day := _date(raw[key])) is None:
                errors[key] = N_("Enter a date as YYYY-MM-DD.")
            else:
                values[name] = day
    if (
        values.get("discovered_from")
        and values.get("discovered_to")
        and values["discovered_from"] > values["discovered_to"]
    ):
        # Neither end is applied: a period that cannot be is no narrower view.
        errors["to"] = N_("The end of the period is before its start.")
        del values["discovered_from"], values["discovered_to"]
    if raw["outcome"] == "none":
        values["undecided"] = True
    elif raw["outcome"]:
        values["outcome"] = _checked(raw["outcome"], Outcome, "outcome", errors)
    for key, name, enum in (
        ("notified", "notified", Notified),
        ("informed", "informed", Informed),
        ("state", "state", State),
        ("data", "data_kind", DataKind),
        ("sort", "sort", Sort),
    ):
        if raw[key]:
            values[name] = _checked(raw[key], enum, key, errors)
    if raw["late"]:
        values["late"] = raw["late"] in ("1", "yes", "on", "true")
    if raw["q"]:
        values["query"] = raw["q"][:MAX_QUERY]
    return ParsedFilter(
        RegisterFilter(**{k: v for k, v in values.items() if v is not None}), errors
    )


_KNOWN = (
    "org", "year", "from", "to", "outcome", "notified", "informed", "late", "state", "data",
    "q", "sort",
)  # fmt: skip


def _checked(raw: str, enum: type[StrEnum], key: str, errors: dict[str, str]) -> Any:
    value = _choice(raw, enum)
    if value is None:
        errors[key] = N_("Choose one of the options.")
    return value


_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str) -> tuple[str, ...]:
    """The words of a search, lower-cased, at most :data:`MAX_TERMS`; punctuation separates
    words (so "DL-2026-007" is the words "dl", "2026", "007"), as it does in the index."""
    return tuple(w.lower() for w in _WORD.findall(query[:MAX_QUERY]))[:MAX_TERMS]


def data_kinds(categories: Iterable[Mapping[str, Any]]) -> str:
    """The kinds of data among an incident's data categories, as stored for filtering:
    ``"|special|financial|"`` (each kind between bars, so a filter matches ``|kind|``)."""
    kinds: set[DataKind] = set()
    for category in categories:
        if category.get("special_category"):
            kinds.add(DataKind.SPECIAL)
        if category.get("criminal_data"):
            kinds.add(DataKind.CRIMINAL)
        if category.get("national_id_number"):
            kinds.add(DataKind.NATIONAL_ID)
        if category.get("children"):
            kinds.add(DataKind.CHILDREN)
        enisa = str(category.get("enisa_class") or "")
        if enisa in DataKind._value2member_map_:
            kinds.add(DataKind(enisa))
    if not kinds:
        return ""
    return "|" + "|".join(sorted(kind.value for kind in kinds)) + "|"


#: The first characters that make a spreadsheet read a cell as a formula (or, for tab and
#: carriage return, hide the formula that follows them): OWASP's list for CSV injection.
FORMULA_START = frozenset("=+-@\t\r")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet cell that is never run as a formula: a cell that starts
    with ``= + - @``, a tab or a carriage return is prefixed with an apostrophe, which Excel
    and LibreOffice show as text (the apostrophe itself is not displayed by Excel)."""
    if text and text[0] in FORMULA_START:
        return "'" + text
    return text
