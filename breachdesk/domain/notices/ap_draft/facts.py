"""What the drafting reads: :class:`SheetFacts` and the plain values it carries.

The service layer builds these from the incident (report, triage, checklist, decision,
mailings) and the organisation's profile. Nothing here reads a clock or a database:
:class:`SheetFacts` carries everything, including ``now``. Times are aware datetimes in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ...checklist import Facts
from ...profile import OrganisationProfile


@dataclass(frozen=True)
class Person:
    name: str = ""
    function: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class DataItem:
    """A kind of personal data named in the report (a snapshot of the profile's category)."""

    name: str
    special_category: bool = False
    criminal_data: bool = False
    national_id_number: bool = False
    name_en: str = ""  # the profile's English name, if it gives one

    def named(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class Group:
    """A group of people named in the report (a snapshot of the profile's group)."""

    name: str
    name_en: str = ""

    def named(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class DecisionSummary:
    notify_ap: bool
    inform_subjects: bool
    public_communication: bool
    ap_severity: str  # verwaarloosbaar | beperkt | aanzienlijk | zeer_groot
    rationale: str
    exemption: str | None = None  # "a" | "b" | "c": the Art. 34(3) ground, if any


@dataclass(frozen=True)
class Informing:
    """How far the people affected were informed, counted from the proof of sending."""

    emails_sent: int = 0
    emails_total: int = 0  # e-mails planned (cancelled ones not counted)
    first_email_at: datetime | None = None
    last_email_at: datetime | None = None
    letters_posted: int = 0
    letters_total: int = 0
    letters_posted_at: datetime | None = None
    public_channel: str = ""  # where the public communication was published, if it was
    public_at: datetime | None = None

    @property
    def reached(self) -> int:
        return self.emails_sent + self.letters_posted


@dataclass(frozen=True)
class SheetFacts:
    """Everything the drafting reads, as plain values (built by the service layer)."""

    now: datetime
    organisation: OrganisationProfile
    notifier: Person  # who files: the FG or privacy contact of the profile, else the user
    title: str
    description: str
    discovered_at: datetime
    discovery_how: str = ""
    ongoing: str = "unknown"  # yes | no | unknown
    started_at: datetime | None = None
    ended_at: datetime | None = None
    aware_at: datetime | None = None
    deadline: datetime | None = None
    first_filed_at: datetime | None = None
    delay_reason: str = ""
    processors: tuple[str, ...] = ()
    reporting_processor: str = ""  # the processor that told us, if one did
    processor_aware_at: datetime | None = None  # ... when it found out, as it told us
    processor_notified_at: datetime | None = None  # ... and when it told us
    data: tuple[DataItem, ...] = ()
    data_other: str = ""
    subjects_mode: str = "unknown"  # exact | range | unknown
    subjects_exact: int | None = None
    subjects_min: int | None = None
    subjects_max: int | None = None
    records_count: int | None = None
    subject_groups: tuple[Group, ...] = ()
    subject_groups_other: str = ""
    children_involved: str = "unknown"
    report_protection: str = "unknown"  # encrypted | partially | none | unknown
    protection_details: str = ""
    containment: tuple[str, ...] = ()
    containment_details: str = ""
    breach_types: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    facts: Facts | None = None  # the risk checklist, once started
    severity_proposal: str | None = None  # the recommendation's AP severity
    severity_score: float | None = None  # the ENISA score behind the proposal
    severity_band: str = ""  # low | medium | high | very_high
    severity_arithmetic: str = ""  # e.g. "DPC 3 × EI 1 + CB 0.25 = 3.25"
    risk_level: str = ""  # the checklist's finding: unlikely | risk | high (Art. 34)
    decision: DecisionSummary | None = None
    subjects_resolution: str = ""  # informed | art34_3a | art34_3b | art34_3c | other
    subjects_resolution_at: datetime | None = None
    subjects_resolution_note: str = ""
    informing: Informing | None = None  # counted from the mailings' proof
    other_supervisors: tuple[str, ...] = ()  # other regimes the profile names (DNB, NCSC…)
    extra: dict[str, str] = field(default_factory=dict)
