"""Meaning checks on a staff incident report (validate_report), one rule at a time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from breachdesk.domain.profile import (
    DataCategory,
    EnisaClass,
    OrganisationProfile,
    Processor,
    SubjectCategory,
)
from breachdesk.domain.report import (
    Answer,
    Containment,
    CountMode,
    FieldProblem,
    IncidentReport,
    Protection,
    validate_report,
)

NOW = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
DISCOVERED = NOW - timedelta(hours=2)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)

PROFILE = OrganisationProfile(
    slug="testorg",
    legal_name="Testorganisatie B.V.",
    data_categories=(
        DataCategory(key="naam", name="Naam", enisa_class=EnisaClass.SIMPLE),
        DataCategory(key="iban", name="Rekeningnummer", enisa_class=EnisaClass.FINANCIAL),
        DataCategory(
            key="gezondheid",
            name="Gezondheid",
            enisa_class=EnisaClass.SENSITIVE,
            special_category=True,
        ),
    ),
    subject_categories=(
        SubjectCategory(key="klanten", name="Klanten"),
        SubjectCategory(key="leerlingen", name="Leerlingen", children=True),
    ),
    processors=(
        Processor(key="mailer", name="Mailer B.V.", data_shared=("naam",)),
        Processor(key="hoster", name="Hoster B.V."),
    ),
)

BASE = IncidentReport(
    title="Mail naar verkeerde ontvanger",
    description="Een klantlijst is naar een verkeerd adres gestuurd.",
    discovered_at=DISCOVERED,
    discovery_how="Ontvanger belde ons",
    ongoing=Answer.NO,
)


def test_minimal_report_is_valid() -> None:
    assert validate_report(BASE, PROFILE, NOW) == []


def test_full_report_is_valid() -> None:
    full = replace(
        BASE,
        started_at=DISCOVERED - 3 * HOUR,
        ended_at=DISCOVERED - HOUR,
        processor_keys=("mailer", "hoster"),
        data_category_keys=("naam", "iban", "gezondheid"),
        subjects_mode=CountMode.RANGE,
        subjects_min=10,
        subjects_max=20,
        records_count=40,
        subject_group_keys=("klanten", "leerlingen"),
        children_involved=Answer.YES,
        protection=Protection.NONE,
        containment=(Containment.RECALL_EMAIL, Containment.OTHER),
        containment_details="Ontvanger gevraagd te verwijderen",
        reported_by_processor=True,
        reporting_processor_key="mailer",
        processor_aware_at=DISCOVERED - 2 * HOUR,
        processor_notified_at=DISCOVERED - HOUR,
    )
    assert validate_report(full, PROFILE, NOW) == []


@dataclass(frozen=True)
class Case:
    changes: dict[str, Any]
    field_name: str
    message: str  # a distinctive part of the expected message
    params: dict[str, str | int] = field(default_factory=dict)


REJECTED: dict[str, Case] = {
    "title-empty": Case({"title": "   "}, "title", "short title"),
    "description-empty": Case({"description": ""}, "description", "Describe what happened"),
    "discovery-6-minutes-ahead": Case(
        {"discovered_at": NOW + 6 * MINUTE}, "discovered_at", "discovery cannot be in the future"
    ),
    "discovery-just-past-tolerance": Case(
        {"discovered_at": NOW + 5 * MINUTE + timedelta(microseconds=1)},
        "discovered_at",
        "cannot be in the future",
    ),
    "start-after-discovery": Case(
        {"started_at": DISCOVERED + MINUTE}, "started_at", "cannot be after it was discovered"
    ),
    "start-in-future": Case(
        {"started_at": NOW + HOUR}, "started_at", "The start cannot be in the future"
    ),
    "end-before-start": Case(
        {"started_at": DISCOVERED - 2 * HOUR, "ended_at": DISCOVERED - 3 * HOUR},
        "ended_at",
        "cannot be before the start",
    ),
    "end-in-future": Case({"ended_at": NOW + HOUR}, "ended_at", "The end cannot be in the future"),
    "end-while-ongoing": Case(
        {"ongoing": Answer.YES, "started_at": DISCOVERED - HOUR, "ended_at": DISCOVERED},
        "ended_at",
        "still going on",
    ),
    "exact-count-missing": Case(
        {"subjects_mode": CountMode.EXACT}, "subjects_exact", "Give the number of people"
    ),
    "exact-count-zero": Case(
        {"subjects_mode": CountMode.EXACT, "subjects_exact": 0}, "subjects_exact", "at least 1"
    ),
    "exact-count-negative": Case(
        {"subjects_mode": CountMode.EXACT, "subjects_exact": -3}, "subjects_exact", "at least 1"
    ),
    "range-min-missing": Case(
        {"subjects_mode": CountMode.RANGE, "subjects_max": 10}, "subjects_min", "Give a minimum"
    ),
    "range-min-zero": Case(
        {"subjects_mode": CountMode.RANGE, "subjects_min": 0, "subjects_max": 10},
        "subjects_min",
        "minimum must be at least 1",
    ),
    "range-max-missing": Case(
        {"subjects_mode": CountMode.RANGE, "subjects_min": 10}, "subjects_max", "Give a maximum"
    ),
    "range-max-below-min": Case(
        {"subjects_mode": CountMode.RANGE, "subjects_min": 10, "subjects_max": 5},
        "subjects_max",
        "cannot be below the minimum",
    ),
    "records-negative": Case({"records_count": -1}, "records_count", "cannot be negative"),
    "unknown-data-category": Case(
        {"data_category_keys": ("naam", "bsn", "foto")},
        "data_category_keys",
        "Unknown kind of data",
        {"keys": "bsn, foto"},
    ),
    "unknown-subject-group": Case(
        {"subject_group_keys": ("klanten", "patienten")},
        "subject_group_keys",
        "Unknown group",
        {"keys": "patienten"},
    ),
    "unknown-processor": Case(
        {"processor_keys": ("mailer", "cloudco")},
        "processor_keys",
        "Unknown processor",
        {"keys": "cloudco"},
    ),
    "subject-key-as-data-category": Case(
        {"data_category_keys": ("klanten",)},
        "data_category_keys",
        "Unknown kind of data",
        {"keys": "klanten"},
    ),
    "containment-other-without-details": Case(
        {"containment": (Containment.REMOTE_WIPE, Containment.OTHER)},
        "containment_details",
        "Describe the other measure",
    ),
    "containment-other-blank-details": Case(
        {"containment": (Containment.OTHER,), "containment_details": " \n "},
        "containment_details",
        "Describe the other measure",
    ),
    "processor-report-without-processor": Case(
        {"reported_by_processor": True, "reporting_processor_name": "  "},
        "reporting_processor_key",
        "Say which processor",
    ),
    "processor-report-unknown-processor": Case(
        {"reported_by_processor": True, "reporting_processor_key": "cloudco"},
        "reporting_processor_key",
        "Unknown processor",
        {"keys": "cloudco"},
    ),
    "processor-told-us-before-aware": Case(
        {
            "reported_by_processor": True,
            "reporting_processor_key": "mailer",
            "processor_aware_at": DISCOVERED - 2 * HOUR,
            "processor_notified_at": DISCOVERED - 3 * HOUR,
        },
        "processor_notified_at",
        "before it became aware",
    ),
    "processor-aware-in-future": Case(
        {
            "reported_by_processor": True,
            "reporting_processor_key": "mailer",
            "processor_aware_at": NOW + HOUR,
        },
        "processor_aware_at",
        "cannot be in the future",
    ),
    "processor-told-us-in-future": Case(
        {
            "reported_by_processor": True,
            "reporting_processor_key": "mailer",
            "processor_aware_at": DISCOVERED,
            "processor_notified_at": NOW + HOUR,
        },
        "processor_notified_at",
        "cannot be in the future",
    ),
}


@pytest.mark.parametrize("case", list(REJECTED.values()), ids=list(REJECTED))
def test_rule_gives_exactly_its_problem(case: Case) -> None:
    report = replace(BASE, **case.changes)
    problems = validate_report(report, PROFILE, NOW)
    assert [p.field for p in problems] == [case.field_name], problems
    assert case.message in problems[0].message
    assert problems[0].params == case.params


ACCEPTED: dict[str, dict[str, Any]] = {
    "discovery-4-minutes-ahead": {"discovered_at": NOW + 4 * MINUTE},
    "discovery-exactly-5-minutes-ahead": {"discovered_at": NOW + 5 * MINUTE},
    "discovery-now": {"discovered_at": NOW},
    "start-equals-discovery": {"started_at": DISCOVERED},
    "end-equals-start": {"started_at": DISCOVERED - HOUR, "ended_at": DISCOVERED - HOUR},
    "end-after-discovery": {"started_at": DISCOVERED - HOUR, "ended_at": NOW},
    "end-without-start": {"ended_at": DISCOVERED},
    "end-while-ongoing-unknown": {"ongoing": Answer.UNKNOWN, "ended_at": DISCOVERED},
    "ongoing-without-end": {"ongoing": Answer.YES, "started_at": DISCOVERED - HOUR},
    "exact-count-one": {"subjects_mode": CountMode.EXACT, "subjects_exact": 1},
    "range-min-equals-max": {
        "subjects_mode": CountMode.RANGE,
        "subjects_min": 7,
        "subjects_max": 7,
    },
    "count-unknown-ignores-numbers": {"subjects_mode": CountMode.UNKNOWN, "subjects_exact": 0},
    "records-zero": {"records_count": 0},
    "containment-other-with-details": {
        "containment": (Containment.OTHER,),
        "containment_details": "Laptop op afstand vergrendeld",
    },
    "processor-named-but-not-in-profile": {
        "reported_by_processor": True,
        "reporting_processor_name": "Onbekende Verwerker B.V.",
    },
    "processor-told-us-when-aware": {
        "reported_by_processor": True,
        "reporting_processor_key": "hoster",
        "processor_aware_at": DISCOVERED - HOUR,
        "processor_notified_at": DISCOVERED - HOUR,
    },
    "processor-times-4-minutes-ahead": {
        "reported_by_processor": True,
        "reporting_processor_key": "hoster",
        "processor_aware_at": NOW + 4 * MINUTE,
        "processor_notified_at": NOW + 4 * MINUTE,
    },
}


@pytest.mark.parametrize("changes", list(ACCEPTED.values()), ids=list(ACCEPTED))
def test_acceptable_values_give_no_problem(changes: dict[str, Any]) -> None:
    assert validate_report(replace(BASE, **changes), PROFILE, NOW) == []


def test_every_problem_is_reported_at_once() -> None:
    report = replace(
        BASE,
        title="",
        discovered_at=NOW + HOUR,
        subjects_mode=CountMode.EXACT,
        records_count=-5,
        data_category_keys=("bsn",),
        containment=(Containment.OTHER,),
        reported_by_processor=True,
    )
    fields = [p.field for p in validate_report(report, PROFILE, NOW)]
    assert fields == [
        "title",
        "discovered_at",
        "subjects_exact",
        "records_count",
        "data_category_keys",
        "containment_details",
        "reporting_processor_key",
    ]


def test_problems_are_field_problems_with_plain_templates() -> None:
    problems = validate_report(replace(BASE, processor_keys=("x",)), PROFILE, NOW)
    assert problems == [
        FieldProblem("processor_keys", "Unknown processor: %(keys)s", {"keys": "x"})
    ]
    # The template fills in with its own params (what the web layer does after translating).
    assert problems[0].message % problems[0].params == "Unknown processor: x"


def test_tolerance_follows_now_not_the_system_clock() -> None:
    # A report from "the future" relative to an old now is refused, proving now is used.
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    problems = validate_report(BASE, PROFILE, long_ago)
    assert [p.field for p in problems] == ["discovered_at"]


def test_fields_a_form_could_not_read_are_neither_checked_nor_compared() -> None:
    """A form that could not read the moment of discovery (or the minimum) still has the other
    rules checked, without comparing anything with its stand-in value."""
    report = replace(
        BASE,
        discovered_at=NOW - 1000 * HOUR,  # a stand-in: the start would lie after it
        started_at=NOW - 3 * HOUR,
        ended_at=NOW - 4 * HOUR,  # before the start: still found
        subjects_mode=CountMode.RANGE,
        subjects_min=None,  # typed, but not a number
        subjects_max=5,
    )
    found = validate_report(report, PROFILE, NOW, unread={"discovered_at", "subjects_min"})
    assert [p.field for p in found] == ["ended_at"]
    assert [p.field for p in validate_report(report, PROFILE, NOW)] == [
        "started_at",
        "ended_at",
        "subjects_min",
    ]
