"""The staff incident report: what is captured at intake, and when a report makes sense.

The web form checks shape (required, lengths, numbers); :func:`validate_report` checks
meaning: times in a possible order and not in the future, counts that add up, choices that
exist in the organisation's profile. It returns every problem at once, each tied to the form
field it concerns, so a person can fix them all in one go.

All times are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from .problems import FieldProblem
from .profile import OrganisationProfile
from .text import N_
from .timeutil import FUTURE_TOLERANCE


class Answer(StrEnum):
    """A yes/no question where "I don't know" is an honest answer."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class CountMode(StrEnum):
    """How the number of people affected is known."""

    EXACT = "exact"
    RANGE = "range"  # a minimum and a maximum, as the AP form allows
    UNKNOWN = "unknown"


class Protection(StrEnum):
    """Whether the data were unintelligible to whoever got them (AP form question 8.1)."""

    ENCRYPTED = "encrypted"  # encrypted, hashed or otherwise unintelligible
    PARTIALLY = "partially"
    NONE = "none"
    UNKNOWN = "unknown"


class Containment(StrEnum):
    """First-aid measures a reporter may already have taken."""

    RECALL_EMAIL = "recall_email"
    ASKED_DELETION = "asked_deletion"
    REMOTE_WIPE = "remote_wipe"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a measure, not a password
    ACCESS_BLOCKED = "access_blocked"
    RETRIEVED = "retrieved"  # got the letter, device or file back
    OTHER = "other"


@dataclass(frozen=True)
class IncidentReport:
    """What a member of staff tells us about a possible breach."""

    title: str
    description: str
    discovered_at: datetime
    discovery_how: str
    ongoing: Answer
    started_at: datetime | None = None
    ended_at: datetime | None = None
    processor_keys: tuple[str, ...] = ()
    systems_other: str = ""
    data_category_keys: tuple[str, ...] = ()
    data_other: str = ""
    subjects_mode: CountMode = CountMode.UNKNOWN
    subjects_exact: int | None = None
    subjects_min: int | None = None
    subjects_max: int | None = None
    records_count: int | None = None
    subject_group_keys: tuple[str, ...] = ()
    subject_groups_other: str = ""
    children_involved: Answer = Answer.UNKNOWN
    protection: Protection = Protection.UNKNOWN
    protection_details: str = ""
    containment: tuple[Containment, ...] = ()
    containment_details: str = ""
    reported_by_processor: bool = False
    reporting_processor_key: str = ""
    reporting_processor_name: str = ""
    processor_aware_at: datetime | None = None
    processor_notified_at: datetime | None = None


def _unknown_keys(chosen: Iterable[str], known: Iterable[str]) -> list[str]:
    known_set = set(known)
    return [key for key in chosen if key not in known_set]


def validate_report(
    report: IncidentReport,
    profile: OrganisationProfile,
    now: datetime,
    *,
    unread: Collection[str] = (),
) -> list[FieldProblem]:
    """Return every problem with ``report`` for the organisation of ``profile``; [] if none.

    ``now`` is the current time (aware UTC). Times up to five minutes ahead are accepted to
    allow for device clocks that run fast.

    ``unread`` names the fields a form could not read (a date that did not parse, a required
    answer left open): their values in ``report`` are stand-ins (None, empty, "unknown"), so
    no problem is reported at them, and ``discovered_at`` is not compared with anything.
    """
    problems: list[FieldProblem] = []
    latest = now + FUTURE_TOLERANCE
    discovered = None if "discovered_at" in unread else report.discovered_at

    def problem(name: str, message: str, **params: str | int) -> None:
        if name not in unread:
            problems.append(FieldProblem(name, message, params))

    if not report.title.strip():
        problem("title", N_("Give a short title."))
    if not report.description.strip():
        problem("description", N_("Describe what happened."))
    if discovered is not None and discovered > latest:
        problem("discovered_at", N_("The time of discovery cannot be in the future."))
    if report.started_at is not None:
        if report.started_at > latest:
            problem("started_at", N_("The start cannot be in the future."))
        elif discovered is not None and report.started_at > discovered:
            problem("started_at", N_("The start cannot be after it was discovered."))
    if report.ended_at is not None:
        if report.ended_at > latest:
            problem("ended_at", N_("The end cannot be in the future."))
        elif report.started_at is not None and report.ended_at < report.started_at:
            problem("ended_at", N_("The end cannot be before the start."))
        if report.ongoing is Answer.YES:
            problem(
                "ended_at",
                N_("You said it is still going on; leave the end empty or change that answer."),
            )

    _check_counts(report, problem)
    _check_choices(report, profile, problem)
    _check_processor_report(report, profile, latest, problem)
    return problems


def _check_counts(report: IncidentReport, problem: _ProblemSink) -> None:
    if report.subjects_mode is CountMode.EXACT:
        if report.subjects_exact is None:
            problem("subjects_exact", N_("Give the number of people, or choose another option."))
        elif report.subjects_exact < 1:
            problem("subjects_exact", N_("The number of people must be at least 1."))
    elif report.subjects_mode is CountMode.RANGE:
        if report.subjects_min is None:
            problem("subjects_min", N_("Give a minimum."))
        elif report.subjects_min < 1:
            problem("subjects_min", N_("The minimum must be at least 1."))
        if report.subjects_max is None:
            problem("subjects_max", N_("Give a maximum."))
        elif report.subjects_min is not None and report.subjects_max < report.subjects_min:
            problem("subjects_max", N_("The maximum cannot be below the minimum."))
    if report.records_count is not None and report.records_count < 0:
        problem("records_count", N_("The number of records cannot be negative."))


def _check_choices(
    report: IncidentReport, profile: OrganisationProfile, problem: _ProblemSink
) -> None:
    unknown = _unknown_keys(report.data_category_keys, profile.data_category_keys())
    if unknown:
        problem("data_category_keys", N_("Unknown kind of data: %(keys)s"), keys=", ".join(unknown))
    unknown = _unknown_keys(report.subject_group_keys, profile.subject_category_keys())
    if unknown:
        problem("subject_group_keys", N_("Unknown group: %(keys)s"), keys=", ".join(unknown))
    unknown = _unknown_keys(report.processor_keys, profile.processor_keys())
    if unknown:
        problem("processor_keys", N_("Unknown processor: %(keys)s"), keys=", ".join(unknown))
    if Containment.OTHER in report.containment and not report.containment_details.strip():
        problem("containment_details", N_("Describe the other measure you took."))


def _check_processor_report(
    report: IncidentReport,
    profile: OrganisationProfile,
    latest: datetime,
    problem: _ProblemSink,
) -> None:
    if not report.reported_by_processor:
        return
    key = report.reporting_processor_key
    if not key and not report.reporting_processor_name.strip():
        problem("reporting_processor_key", N_("Say which processor reported it."))
    elif key and key not in profile.processor_keys():
        problem("reporting_processor_key", N_("Unknown processor: %(keys)s"), keys=key)
    aware, told = report.processor_aware_at, report.processor_notified_at
    if aware is not None and aware > latest:
        problem("processor_aware_at", N_("This time cannot be in the future."))
    if told is not None:
        if told > latest:
            problem("processor_notified_at", N_("This time cannot be in the future."))
        elif aware is not None and told < aware:
            problem(
                "processor_notified_at",
                N_("The processor cannot have told us before it became aware itself."),
            )


class _ProblemSink(Protocol):
    """Type of the local ``problem`` callback (for readers and mypy)."""

    def __call__(self, name: str, message: str, **params: str | int) -> None: ...
