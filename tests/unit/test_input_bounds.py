"""Bounds at the edges: numbers, redirect targets and assessment input that cannot hurt."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from breachdesk.cli_assess import assess_command
from breachdesk.domain.assessment_json import facts_from_dict
from breachdesk.domain.limits import MAX_COUNT, MAX_HOURS, within
from breachdesk.services.assessment_io import (
    AssessmentInputError,
    load_facts,
    parse_facts_json,
)
from breachdesk.services.schema_check import _validator
from breachdesk.web.edges import local_path


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, True),
        (MAX_COUNT, True),
        (MAX_COUNT + 1, False),
        (-1, False),
        (10**400, False),  # beyond the float range: no OverflowError
        (math.inf, False),
        (-math.inf, False),
        (math.nan, False),
        (2.5, True),
    ],
)
def test_within(value: float, expected: bool) -> None:
    assert within(value, 0, MAX_COUNT) is expected


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/", "/"),
        ("/incidents/12?org=3#x", "/incidents/12?org=3#x"),
        ("/report/kruix?", "/report/kruix?"),
        ("/a b/é", "/a b/é"),  # request.full_path is decoded: spaces and letters stay
        ("", None),
        (None, None),
        ("incidents", None),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("/ok\\..", None),
        ("https://evil.example/", None),
        ("javascript:alert(1)", None),
        ("/\nLocation: x", None),
        ("/\r\n", None),
        ("/a\tb", None),
        ("/\x00", None),
        ("/\x7f", None),
        ("/\x85", None),  # NEL
        ("/\u2028", None),  # LINE SEPARATOR
        ("/\u200b", None),  # ZERO WIDTH SPACE (a format character)
        ("/\u00a0", None),  # NO-BREAK SPACE
    ],
)
def test_local_path(target: str | None, expected: str | None) -> None:
    assert local_path(target) == expected


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"restore_hours": math.inf}, "restore_hours"),
        ({"restore_hours": -math.inf}, "restore_hours"),
        ({"restore_hours": math.nan}, "restore_hours"),
        ({"restore_hours": MAX_HOURS + 1}, "restore_hours"),
        ({"restore_hours": -1}, "restore_hours"),
        ({"subjects_count": 10**30}, "subjects_count"),
        ({"subjects_count": MAX_COUNT + 1}, "subjects_count"),
        ({"subjects_count": math.inf}, "subjects_count"),
        ({"subjects_count": math.nan}, "subjects_count"),
        ({"dpc_adjustments": [{"delta": math.inf, "reason": "x"}]}, "dpc_adjustments"),
        ({"dpc_adjustments": [{"delta": 10**30, "reason": "x"}]}, "dpc_adjustments"),
    ],
)
def test_facts_refuse_non_finite_and_absurd_numbers(facts: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}: "):
        facts_from_dict(facts)
    with pytest.raises(AssessmentInputError) as info:
        load_facts({"format_version": 1, "facts": facts}, "case.json")
    assert [path for path, _reason in info.value.problems][0].startswith(f"facts.{field}")


def test_facts_at_the_bounds_are_accepted() -> None:
    facts = facts_from_dict({"restore_hours": MAX_HOURS, "subjects_count": MAX_COUNT})
    assert (facts.restore_hours, facts.subjects_count) == (MAX_HOURS, MAX_COUNT)


def test_schema_and_domain_agree_on_the_bounds() -> None:
    facts = _validator("assessment-input.schema.json").schema["properties"]["facts"]
    assert facts["properties"]["subjects_count"]["maximum"] == MAX_COUNT
    assert facts["properties"]["restore_hours"]["maximum"] == MAX_HOURS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"format_version": 1, "facts": {"restore_hours": Infinity}}', "Infinity"),
        ('{"format_version": 1, "facts": {"restore_hours": -Infinity}}', "-Infinity"),
        ('{"format_version": 1, "facts": {"restore_hours": NaN}}', "NaN"),
        ('{"format_version": 1, "facts": {"restore_hours": 1e999}}', "maximum"),
        ('{"format_version": 1, "facts": {"subjects_count": ' + "9" * 30 + "}}", "maximum"),
        ('{"format_version": 1, "facts": {"subjects_count": ' + "9" * 5000 + "}}", "digits"),
        ("[" * 100_000, "recursion"),
    ],
)
def test_json_input_refuses_what_python_would_accept(text: str, expected: str) -> None:
    with pytest.raises(AssessmentInputError) as info:
        parse_facts_json(text, "case.json")
    assert expected in str(info.value)
    assert str(info.value).startswith("case.json: ")


def test_cli_refuses_infinity_with_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{"format_version": 1, "facts": {"restore_hours": Infinity}}', "utf-8")
    result = CliRunner().invoke(assess_command, [str(path)])
    assert result.exit_code == 2
    assert f"{path}: (top level): JSON not accepted: Infinity" in result.stderr
    assert result.stdout == ""  # no traceback, no half output
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"format_version": 1, "facts": {"subjects_count": 10**30}}))
    result = CliRunner().invoke(assess_command, [str(big)])
    assert result.exit_code == 2 and "facts.subjects_count" in result.stderr
