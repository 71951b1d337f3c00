"""ENISA 2013 severity: SE = DPC × EI + CB, exact band boundaries, clamping, reasons."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest

from breachdesk.domain.checklist import (
    Availability,
    BreachType,
    DpcAdjustment,
    Facts,
    Identifiability,
    Integrity,
    Recipients,
    Tri,
    Volume,
)
from breachdesk.domain.profile import EnisaClass
from breachdesk.domain.reasons import format_number
from breachdesk.domain.severity import Band, band_for, enisa_severity

C, I, A = BreachType.CONFIDENTIALITY, BreachType.INTEGRITY, BreachType.AVAILABILITY  # noqa: E741

# A quiet starting point: one kind of data, identifiable, an error, nothing else going on.
QUIET = Facts(
    breach_types=frozenset({C}),
    malicious=Tri.NO,
    recipients=Recipients.NONE_KNOWN,
    data_classes=frozenset({EnisaClass.SIMPLE}),
    identifiability=Identifiability.MAXIMUM,
    children=Tri.NO,
    vulnerable=Tri.NO,
    already_public=Tri.NO,
)


def cls(*classes: EnisaClass) -> frozenset[EnisaClass]:
    return frozenset(classes)


@pytest.mark.parametrize(
    ("facts", "score", "band"),
    [
        # DPC 1 × 1 + (confidentiality 0.5 + availability 0.25) = 1.75
        pytest.param(
            replace(
                QUIET,
                breach_types=frozenset({C, A}),
                recipients=Recipients.MANY_OR_UNKNOWN,
                availability=Availability.TEMPORARY,
            ),
            1.75,
            Band.LOW,
            id="1.75-low",
        ),
        pytest.param(
            replace(QUIET, data_classes=cls(EnisaClass.BEHAVIOURAL)),
            2.0,
            Band.MEDIUM,
            id="2-medium",
        ),
        # DPC 2 × 1 + (0.5 + 0.25) = 2.75
        pytest.param(
            replace(
                QUIET,
                data_classes=cls(EnisaClass.BEHAVIOURAL),
                breach_types=frozenset({C, A}),
                recipients=Recipients.UNKNOWN,
                availability=Availability.TEMPORARY,
            ),
            2.75,
            Band.MEDIUM,
            id="2.75-medium",
        ),
        pytest.param(
            replace(QUIET, data_classes=cls(EnisaClass.FINANCIAL)), 3.0, Band.HIGH, id="3-high"
        ),
        # DPC 3 × 1 + 0.75
        pytest.param(
            replace(
                QUIET,
                data_classes=cls(EnisaClass.FINANCIAL),
                recipients=Recipients.LIMITED_KNOWN,
                malicious=Tri.YES,
            ),
            3.75,
            Band.HIGH,
            id="3.75-high",
        ),
        pytest.param(
            replace(QUIET, data_classes=cls(EnisaClass.SENSITIVE)),
            4.0,
            Band.VERY_HIGH,
            id="4-very-high",
        ),
        # DPC 3 × EI 0.75 + CB (0.5 + 0.5 + 0.25 + 0.5) = 2.25 + 1.75 = 4: exact, so very high
        pytest.param(
            replace(
                QUIET,
                data_classes=cls(EnisaClass.FINANCIAL),
                identifiability=Identifiability.SIGNIFICANT,
                breach_types=frozenset({C, I, A}),
                recipients=Recipients.MANY_OR_UNKNOWN,
                integrity=Integrity.NOT_RECOVERABLE,
                availability=Availability.TEMPORARY,
                malicious=Tri.YES,
            ),
            4.0,
            Band.VERY_HIGH,
            id="4-from-fractions-very-high",
        ),
    ],
)
def test_score_and_band_boundaries(facts: Facts, score: float, band: Band) -> None:
    severity = enisa_severity(facts)
    assert severity.score == score
    assert severity.band is band


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (Fraction(199, 100), Band.LOW),
        (Fraction(2), Band.MEDIUM),
        (Fraction(299, 100), Band.MEDIUM),
        (Fraction(3), Band.HIGH),
        (Fraction(399, 100), Band.HIGH),
        (Fraction(4), Band.VERY_HIGH),
        (Fraction(6), Band.VERY_HIGH),
    ],
)
def test_band_for_exact_scores(score: Fraction, band: Band) -> None:
    assert band_for(score) is band


def test_arithmetic_line_shows_every_number() -> None:
    severity = enisa_severity(
        replace(
            QUIET,
            data_classes=cls(EnisaClass.FINANCIAL),
            recipients=Recipients.LIMITED_KNOWN,
            malicious=Tri.YES,
        )
    )
    assert severity.arithmetic == "DPC 3 × EI 1.0 + CB 0.75 = 3.75 (high)"
    assert [(p.element, p.points) for p in severity.cb_parts] == [
        ("confidentiality", 0.25),
        ("malicious", 0.5),
    ]
    assert severity.cb == 0.75 and severity.ei == 1.0 and severity.dpc == 3


@pytest.mark.parametrize(
    ("changes", "base", "factor"),
    [
        pytest.param({}, 1, "data_classes", id="simple"),
        pytest.param(
            {"data_classes": cls(EnisaClass.SIMPLE, EnisaClass.BEHAVIOURAL)},
            2,
            "data_classes",
            id="highest-class",
        ),
        pytest.param({"special_category": Tri.YES}, 4, "special_category", id="art9"),
        pytest.param({"criminal_data": Tri.YES}, 4, "criminal_data", id="art10"),
        pytest.param({"financial_data": Tri.YES}, 3, "financial_data", id="financial-flag"),
        pytest.param({"national_id_number": Tri.YES}, 3, "national_id_number", id="bsn"),
        pytest.param({"identity_documents": Tri.YES}, 3, "identity_documents", id="id-copy"),
        pytest.param({"data_classes": frozenset()}, 1, "data_classes", id="not-established"),
        # A flag never lowers the class: sensitive data with a BSN stays 4.
        pytest.param(
            {"data_classes": cls(EnisaClass.SENSITIVE), "national_id_number": Tri.YES},
            4,
            "data_classes",
            id="flag-does-not-lower",
        ),
    ],
)
def test_base_score(changes: dict[str, Any], base: int, factor: str) -> None:
    severity = enisa_severity(replace(QUIET, **changes))
    assert severity.base == base
    assert severity.base_reason.factor == factor
    assert severity.base_reason.rule == "ENISA 2013"


def test_automatic_adjustments_each_have_a_reason() -> None:
    severity = enisa_severity(
        replace(
            QUIET,
            data_classes=cls(EnisaClass.BEHAVIOURAL),
            volume_per_person=Volume.EXTENSIVE,
            children=Tri.YES,
            vulnerable=Tri.YES,  # children and vulnerable together are one step
            controller_context_sensitive=Tri.YES,
            already_public=Tri.YES,
        )
    )
    steps = [(s.delta, s.reason.factor, s.manual) for s in severity.adjustments]
    assert steps == [
        (1, "volume_per_person", False),
        (1, "children", False),
        (1, "controller_context_sensitive", False),
        (-1, "already_public", False),
    ]
    assert all(s.reason.text() for s in severity.adjustments)
    assert severity.dpc_unclamped == 4 and severity.dpc == 4 and not severity.clamped


def test_manual_adjustment_keeps_the_fgs_reason() -> None:
    facts = replace(
        QUIET,
        data_classes=cls(EnisaClass.FINANCIAL),
        dpc_adjustments=(DpcAdjustment(-1, "Alleen rekeningnummers, geen saldi"),),
    )
    severity = enisa_severity(facts)
    (step,) = severity.adjustments
    assert step.manual and step.delta == -1
    assert step.reason.text() == "Adjustment by the FG (-1): Alleen rekeningnummers, geen saldi"
    assert severity.dpc == 2


@pytest.mark.parametrize(
    ("changes", "unclamped", "dpc"),
    [
        pytest.param(
            {
                "special_category": Tri.YES,
                "children": Tri.YES,
                "volume_per_person": Volume.EXTENSIVE,
            },
            6,
            4,
            id="above-4",
        ),
        pytest.param(
            {"already_public": Tri.YES, "data_inaccurate": Tri.YES},
            -1,
            1,
            id="below-1",
        ),
        pytest.param(
            {"dpc_adjustments": (DpcAdjustment(3, "x"), DpcAdjustment(3, "y"))},
            7,
            4,
            id="manual-above-4",
        ),
    ],
)
def test_dpc_is_clamped_and_says_so(changes: dict[str, Any], unclamped: int, dpc: int) -> None:
    severity = enisa_severity(replace(QUIET, **changes))
    assert severity.dpc_unclamped == unclamped
    assert severity.dpc == dpc and severity.clamped
    note = next(n for n in severity.notes if n.factor == "dpc")
    assert str(unclamped) in note.text() and str(dpc) in note.text()


def test_unknown_identifiability_counts_as_maximum_with_a_note() -> None:
    severity = enisa_severity(replace(QUIET, identifiability=Identifiability.UNKNOWN))
    assert severity.ei == 1.0
    assert any(n.factor == "identifiability" for n in severity.notes)
    assert enisa_severity(replace(QUIET, identifiability=Identifiability.NEGLIGIBLE)).ei == 0.25


def test_only_the_breach_types_that_occurred_count() -> None:
    facts = replace(
        QUIET,
        breach_types=frozenset({C}),
        availability=Availability.PERMANENT,
        integrity=Integrity.NOT_RECOVERABLE,
    )
    assert [p.element for p in enisa_severity(facts).cb_parts] == ["confidentiality", "malicious"]
    nothing = enisa_severity(replace(QUIET, breach_types=frozenset()))
    assert [p.element for p in nothing.cb_parts] == ["malicious"]
    assert any(n.factor == "breach_types" for n in nothing.notes)


@pytest.mark.parametrize(
    ("changes", "element", "points"),
    [
        pytest.param(
            {"recipients": Recipients.TRUSTED, "deletion_confirmed": Tri.YES},
            "confidentiality",
            0.0,
            id="trusted-deleted",
        ),
        pytest.param({"recipients": Recipients.TRUSTED}, "confidentiality", 0.25, id="trusted"),
        pytest.param(
            {"recipients": Recipients.LIMITED_KNOWN}, "confidentiality", 0.25, id="limited"
        ),
        pytest.param(
            {"recipients": Recipients.UNKNOWN}, "confidentiality", 0.5, id="recipients-unknown"
        ),
        pytest.param({"malicious": Tri.UNKNOWN}, "malicious", 0.5, id="malice-unknown-counts"),
        pytest.param(
            {
                "breach_types": frozenset({A}),
                "availability": Availability.TEMPORARY,
                "backup_available": Tri.YES,
                "restore_hours": 5.0,
            },
            "availability",
            0.0,
            id="restored-quickly",
        ),
        pytest.param(
            {
                "breach_types": frozenset({A}),
                "availability": Availability.TEMPORARY,
                "backup_available": Tri.YES,
                "restore_hours": 72.0,
            },
            "availability",
            0.25,
            id="restored-slowly",
        ),
        pytest.param(
            {"breach_types": frozenset({A}), "availability": Availability.UNKNOWN},
            "availability",
            0.5,
            id="availability-unknown",
        ),
        pytest.param(
            {"breach_types": frozenset({I}), "integrity": Integrity.RECOVERABLE},
            "integrity",
            0.25,
            id="integrity-recoverable",
        ),
        pytest.param(
            {"breach_types": frozenset({I}), "integrity": Integrity.UNKNOWN},
            "integrity",
            0.5,
            id="integrity-unknown",
        ),
    ],
)
def test_circumstances_of_the_breach(changes: dict[str, Any], element: str, points: float) -> None:
    severity = enisa_severity(replace(QUIET, **changes))
    part = next(p for p in severity.cb_parts if p.element == element)
    assert part.points == points
    assert part.reason.rule == "ENISA 2013" and part.reason.text()


@pytest.mark.parametrize(
    ("value", "text"),
    [(1, "1.0"), (Fraction(1, 4), "0.25"), (3.5, "3.5"), (0, "0.0"), (Fraction(9, 4), "2.25")],
)
def test_format_number(value: Fraction | float | int, text: str) -> None:
    assert format_number(value) == text
