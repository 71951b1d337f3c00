"""The register's rows: what a page lists (:class:`PageRow`) and what an export holds
(:class:`RegisterRow`), each read positionally from its columns (:data:`PAGE_COLUMNS`,
:data:`COLUMNS`), with the filing and decision summaries they carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from ..domain.formatting import dated
from ..domain.reasons import Reason
from ..domain.register import Informed, Sending, informed_state
from ..models import Incident


class _People(Protocol):
    @property
    def subjects_mode(self) -> str: ...
    @property
    def subjects_exact(self) -> int | None: ...
    @property
    def subjects_min(self) -> int | None: ...
    @property
    def subjects_max(self) -> int | None: ...


def people_affected(of: _People) -> str:
    """The number of people affected as known (of a register row or an incident): "120",
    "100–500" or ""."""
    if of.subjects_mode == "exact" and of.subjects_exact is not None:
        return str(of.subjects_exact)
    if of.subjects_mode == "range" and of.subjects_min is not None:
        return f"{of.subjects_min}–{of.subjects_max}"
    return ""


@dataclass(frozen=True)
class Filing:
    """The first notification to the AP (or, as processor, to the controller), and what
    followed it.

    ``submitted_at`` and ``late`` are None when the filing came from an earlier register
    that did not say when it was made (see :attr:`dated`); ``late`` alone when it did, but
    not when the organisation became aware, and the filing came more than 72 hours after the
    discovery."""

    addressee: str
    submitted_at: datetime | None
    reference: str  # the AP's meldnummer
    late: bool | None
    delay_reason: str
    provisional: bool
    #: What followed it (Art. 33(4) GDPR): the number of supplements, and when it was
    #: withdrawn (the register showed the first filing alone: found by exploratory testing).
    supplements: int = 0
    withdrawn_at: datetime | None = None

    @property
    def dated(self) -> bool:
        """Whether it is known when it was filed."""
        return self.submitted_at is not None


@dataclass(frozen=True)
class DecisionSummary:
    version: int
    outcome: str
    rationale: str
    ruleset_version: str
    follows_recommendation: bool | None  # None: taken over from an earlier register
    decided_at: datetime | None  # None: not known (taken over from an earlier register)
    # The advice the decision rested on, as it was stored with it: the outcome it advised
    # (the decision's own when it follows it) and its reasons; none for a decision stored
    # without advice (an entry imported from an earlier register). The same advice read
    # again is the same tuple.
    recommended: str
    reasons: tuple[Reason, ...]


class _Standing:
    """How an incident stands in the register, read from its row's fields (shared by a
    page's rows and an export's)."""

    subjects_mode: str
    subjects_exact: int | None
    subjects_min: int | None
    subjects_max: int | None
    subjects_resolution: str
    decided_outcome: str | None
    state: str
    term_deadline: datetime | None
    filing: Filing | None
    sending: Sending  # how far breachdesk's own notices to the people have gone
    dates_only: list[str]

    def when(self, name: str) -> datetime | date | None:
        """The moment ``name`` ("discovered_at", "aware_at", "closed_at", or the filing's
        "submitted_at") as the register shows it: a date alone where an earlier register gave
        no time of day (:func:`~breachdesk.domain.formatting.dated`)."""
        if name == "submitted_at":
            value = self.filing.submitted_at if self.filing is not None else None
        else:
            value = getattr(self, name)
        return dated(value, name in self.dates_only)

    @property
    def people(self) -> str:
        """The number of people affected as known: "120", "100–500" or ""."""
        return people_affected(self)

    @property
    def people_count(self) -> int | str | None:
        """The number of people for a spreadsheet cell: a number when it is exact (so that
        a spreadsheet can add it up), "100–500" for a range, None when it is not known."""
        if self.subjects_mode == "exact" and self.subjects_exact is not None:
            return self.subjects_exact
        return self.people or None

    @property
    def notified(self) -> bool:
        return self.filing is not None

    def informed(self) -> Informed:
        return informed_state(
            self.subjects_resolution, self.decided_outcome, self.sending, state=self.state
        )

    def late(self, now: datetime) -> bool:
        """Filed late, or not filed while its term has run out (False for a filing whose
        date is not known: it cannot be called late)."""
        if self.filing is not None:
            return self.filing.late is True
        return self.term_deadline is not None and self.term_deadline < now


@dataclass(frozen=True)
class RegisterRow(_Standing):
    """One incident with every Art. 33(5) fact the register keeps (an export's row), read as
    plain values."""

    id: int
    reference: str
    organisation_id: int
    title: str
    description: str
    state: str
    reported_at: datetime
    discovered_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    aware_at: datetime | None
    closed_at: datetime | None
    our_role: str
    breach_types: list[str]
    data_categories: list[dict[str, Any]]
    data_other: str
    data_kinds: str
    subjects_mode: str
    subjects_exact: int | None
    subjects_min: int | None
    subjects_max: int | None
    subject_groups: list[dict[str, Any]]
    containment: list[str]
    containment_details: str
    not_breach_reason: str
    decided_outcome: str | None
    subjects_resolution: str
    subjects_resolution_at: datetime | None
    subjects_resolution_note: str
    public_resolution: str
    term_deadline: datetime | None
    imported_from: str  # the SHA-256 of the earlier register it was imported from, or ""
    source_reference: str  # the reference it had in that register, or ""
    dates_only: list[str]  # of an imported entry, the moments given as dates alone
    # Not columns of their own (the fields above are COLUMNS, in order):
    organisation: str
    consequences: list[str]
    decision: DecisionSummary | None
    filing: Filing | None
    actions: list[tuple[str, str]]  # remedial actions: (title, status)
    sending: Sending

    def open_actions(self) -> int:
        return sum(1 for _title, status in self.actions if status == "open")


@dataclass(frozen=True)
class PageRow(_Standing):
    """One incident as a register page lists it: what its table shows, nothing more (the
    page reads neither the long texts nor the decision; the incident's own page has them)."""

    id: int
    reference: str
    organisation_id: int
    title: str
    state: str
    reported_at: datetime
    discovered_at: datetime
    closed_at: datetime | None
    data_categories: list[dict[str, Any]]
    subjects_mode: str
    subjects_exact: int | None
    subjects_min: int | None
    subjects_max: int | None
    decided_outcome: str | None
    subjects_resolution: str
    term_deadline: datetime | None
    imported_from: str
    source_reference: str
    dates_only: list[str]
    data_other: str  # the data in words beside the categories (an imported entry's only ones)
    # Not columns of their own (the fields above are PAGE_COLUMNS, in order):
    organisation: str
    filing: Filing | None
    open_count: int  # remedial actions still open
    sending: Sending

    def open_actions(self) -> int:
        return self.open_count


@dataclass(frozen=True)
class RegisterPage:
    rows: list[PageRow]
    total: int | None  # counted up to COUNT_CAP; None: not counted with the page (a search)
    more_than: bool  # the total is more than COUNT_CAP
    next_cursor: str | None  # rows after the last one
    prev_cursor: str | None  # rows before the first one

    @property
    def first_page(self) -> bool:
        return self.prev_cursor is None


COLUMNS = (
    Incident.id,
    Incident.reference,
    Incident.organisation_id,
    Incident.title,
    Incident.description,
    Incident.state,
    Incident.reported_at,
    Incident.discovered_at,
    Incident.started_at,
    Incident.ended_at,
    Incident.aware_at,
    Incident.closed_at,
    Incident.our_role,
    Incident.breach_types,
    Incident.data_categories,
    Incident.data_other,
    Incident.data_kinds,
    Incident.subjects_mode,
    Incident.subjects_exact,
    Incident.subjects_min,
    Incident.subjects_max,
    Incident.subject_groups,
    Incident.containment,
    Incident.containment_details,
    Incident.not_breach_reason,
    Incident.decided_outcome,
    Incident.subjects_resolution,
    Incident.subjects_resolution_at,
    Incident.subjects_resolution_note,
    Incident.public_resolution,
    Incident.term_deadline,
    Incident.imported_from,
    Incident.source_reference,
    Incident.dates_only,
    # Last: RegisterRow takes the columns before it in its fields' order. Only the answer the
    # register shows is read from the checklist's answers (a large JSON document per incident).
    Incident.facts["consequences"].label("consequences"),
)

_FACTS = len(COLUMNS) - 1
#: What a page's table shows (PageRow's fields, in order).
PAGE_COLUMNS = (
    Incident.id,
    Incident.reference,
    Incident.organisation_id,
    Incident.title,
    Incident.state,
    Incident.reported_at,
    Incident.discovered_at,
    Incident.closed_at,
    Incident.data_categories,
    Incident.subjects_mode,
    Incident.subjects_exact,
    Incident.subjects_min,
    Incident.subjects_max,
    Incident.decided_outcome,
    Incident.subjects_resolution,
    Incident.term_deadline,
    Incident.imported_from,
    Incident.source_reference,
    Incident.dates_only,
    Incident.data_other,
)
