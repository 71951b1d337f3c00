"""The assessment input format: schema errors that name the field, JSON round trips, the CLI."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from breachdesk.cli_assess import EXIT_INVALID_INPUT, assess_command
from breachdesk.domain.assessment import assess
from breachdesk.domain.assessment_json import (
    facts_from_dict,
    facts_to_dict,
    input_document,
    reason_to_dict,
    reasons_from_text,
    recommendation_to_dict,
)
from breachdesk.domain.checklist import (
    Availability,
    BreachType,
    Consequence,
    DpcAdjustment,
    Facts,
    Identifiability,
    Integrity,
    Permanence,
    Protection,
    Recipients,
    Tri,
    Volume,
)
from breachdesk.domain.profile import EnisaClass
from breachdesk.domain.reasons import Reason
from breachdesk.services.assessment_io import (
    AssessmentInputError,
    load_facts,
    load_facts_file,
)

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "docs" / "examples"
SCHEMA = ROOT / "breachdesk" / "schemas" / "assessment-input.schema.json"
EXPECTED_OUTCOMES = {
    "assessment-confidentiality.json": "notify_ap",
    "assessment-integrity.json": "notify_ap_and_subjects",
    "assessment-availability.json": "register_only",
    "assessment-ransomware-exfiltration.json": "notify_ap_and_subjects",
    "assessment-misdirected-invoice.json": "register_only",
}

RICH = Facts(
    breach_types=frozenset({BreachType.CONFIDENTIALITY, BreachType.AVAILABILITY}),
    malicious=Tri.YES,
    exfiltration=Tri.UNKNOWN,
    recipients=Recipients.MANY_OR_UNKNOWN,
    deletion_confirmed=Tri.NO,
    already_public=Tri.NO,
    availability=Availability.TEMPORARY,
    backup_available=Tri.YES,
    restore_hours=7.5,
    integrity=Integrity.NOT_ALTERED,
    data_classes=frozenset({EnisaClass.SENSITIVE, EnisaClass.SIMPLE}),
    special_category=Tri.YES,
    national_id_number=Tri.NO,
    volume_per_person=Volume.EXTENSIVE,
    data_inaccurate=Tri.NO,
    protection=Protection.WEAK,
    identifiability=Identifiability.SIGNIFICANT,
    subjects_count=1_234,
    children=Tri.NO,
    vulnerable=Tri.YES,
    controller_context_sensitive=Tri.YES,
    financial_undertaking=Tri.NO,
    consequences=frozenset({Consequence.PHISHING_OR_SPAM, Consequence.DISCRIMINATION}),
    permanence=Permanence.IRREVERSIBLE,
    subsequent_measures_remove_high_risk=Tri.NO,
    disproportionate_effort=Tri.YES,
    dpc_adjustments=(DpcAdjustment(-1, "Oude adressen"), DpcAdjustment(2, "Apotheekklanten")),
)


def problems_of(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(AssessmentInputError) as caught:
        load_facts(data, "case.json")
    assert caught.value.source == "case.json"
    return caught.value.problems


# --- the schema -------------------------------------------------------------------------------


def test_schema_lists_every_fact_and_nothing_else() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    properties = schema["properties"]["facts"]["properties"]
    assert list(properties) == [f.name for f in fields(Facts)]
    assert schema["required"] == ["format_version"]


def test_minimal_document_gives_the_cautious_defaults() -> None:
    assert load_facts({"format_version": 1}, "x") == Facts()
    assert load_facts({"format_version": 1, "facts": {}}, "x") == Facts()


@pytest.mark.parametrize(
    ("facts", "path", "reason"),
    [
        pytest.param({"recipients": "someone"}, "facts.recipients", "is not one of", id="enum"),
        pytest.param({"malicious": True}, "facts.malicious", "is not one of", id="tri-bool"),
        pytest.param(
            {"breach_types": ["confidentiality", "leak"]},
            "facts.breach_types[1]",
            "is not one of",
            id="set-item",
        ),
        pytest.param(
            {"breach_types": ["integrity", "integrity"]},
            "facts.breach_types",
            "non-unique",
            id="set-repeated",
        ),
        pytest.param({"subjects_count": 2.5}, "facts.subjects_count", "is not of type", id="int"),
        pytest.param({"subjects_count": -1}, "facts.subjects_count", "minimum", id="negative"),
        pytest.param({"restore_hours": "5"}, "facts.restore_hours", "is not of type", id="hours"),
        pytest.param(
            {"dpc_adjustments": [{"delta": 5, "reason": "x"}]},
            "facts.dpc_adjustments[0].delta",
            "maximum",
            id="adjustment-range",
        ),
        pytest.param(
            {"dpc_adjustments": [{"delta": 1, "reason": "  "}]},
            "facts.dpc_adjustments[0].reason",
            "does not match",
            id="adjustment-without-reason",
        ),
        pytest.param(
            {"recipient": "trusted"},
            "facts",
            "'recipient' was unexpected",
            id="unknown-field",
        ),
    ],
)
def test_schema_errors_name_the_field(facts: dict[str, Any], path: str, reason: str) -> None:
    problems = problems_of({"format_version": 1, "facts": facts})
    assert any(p == path and reason in r for p, r in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_of(
        {"format_version": 1, "facts": {"recipients": "x", "children": "maybe", "typo": 1}}
    )
    assert {p for p, _ in problems} == {"facts", "facts.children", "facts.recipients"}


@pytest.mark.parametrize(
    ("data", "path"),
    [
        pytest.param({"facts": {}}, "", id="no-version"),
        pytest.param({"format_version": 3}, "format_version", id="wrong-version"),
        pytest.param({"format_version": 1, "extra": 1}, "", id="unknown-top-level"),
        pytest.param([1, 2], "", id="not-an-object"),
    ],
)
def test_document_level_errors(data: Any, path: str) -> None:
    problems = problems_of(data)
    assert problems and problems[0][0] == path


def test_error_text_names_source_field_and_reason() -> None:
    with pytest.raises(AssessmentInputError) as caught:
        load_facts({"format_version": 1, "facts": {"recipients": "x"}}, "case.json")
    assert str(caught.value).startswith("case.json: facts.recipients: 'x' is not one of")


def test_json_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format_version": 1,\n  "facts": {"malicious": "yes",}\n}\n', "utf-8")
    with pytest.raises(AssessmentInputError) as caught:
        load_facts_file(path)
    ((where, reason),) = caught.value.problems
    assert re.fullmatch(r"line 3, column \d+", where), where
    assert reason.startswith("JSON syntax error")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AssessmentInputError) as caught:
        load_facts_file(tmp_path / "nope.json")
    assert "cannot read file" in caught.value.problems[0][1]


# --- (de)serialising ------------------------------------------------------------------------


@pytest.mark.parametrize("facts", [Facts(), RICH], ids=["defaults", "rich"])
def test_round_trip_through_json(facts: Facts) -> None:
    data = json.loads(json.dumps(facts_to_dict(facts)))
    assert facts_from_dict(data) == facts
    # What facts_to_dict writes is a valid input document.
    assert load_facts(json.loads(json.dumps(input_document(facts))), "x") == facts


def test_facts_to_dict_is_plain_and_sorted() -> None:
    data = facts_to_dict(RICH)
    assert data["breach_types"] == ["availability", "confidentiality"]
    assert data["data_classes"] == ["sensitive", "simple"]
    assert data["malicious"] == "yes" and type(data["malicious"]) is str
    assert data["dpc_adjustments"] == [
        {"delta": -1, "reason": "Oude adressen"},
        {"delta": 2, "reason": "Apotheekklanten"},
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"recipient": "trusted"}, "unknown field(s): recipient"),
        ({"recipients": "someone"}, "recipients:"),
        ({"subjects_count": True}, "subjects_count:"),
        ({"subjects_count": 2.5}, "subjects_count:"),
        ({"breach_types": "confidentiality"}, "breach_types:"),
        ({"dpc_adjustments": [{"reason": "x"}]}, "dpc_adjustments:"),
    ],
)
def test_facts_from_dict_refuses_what_it_cannot_convert(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        facts_from_dict(data)


def test_recommendation_to_dict_is_json_with_filled_in_texts() -> None:
    data = recommendation_to_dict(assess(RICH))
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data
    assert data["ruleset_version"] == "2026.2"
    assert data["severity"]["arithmetic"].startswith("DPC 4 × EI 0.75 + CB ")
    for reason in (*data["reasons"], *data["uncertainties"]):
        assert reason["text"] == reason["message"] % reason["params"]
        assert set(reason) == {"factor", "rule", "text", "message", "params"}
    manual = [a for a in data["severity"]["adjustments"] if a["manual"]]
    assert [a["delta"] for a in manual] == [-1, 2]


# --- the command line -----------------------------------------------------------------------


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("assessment-*.json"))


def test_there_is_an_example_per_breach_type() -> None:
    assert {p.name for p in example_paths()} == set(EXPECTED_OUTCOMES)
    types = set()
    for path in example_paths():
        types |= load_facts_file(path).breach_types
    assert types == set(BreachType)


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_cli_json(path: Path) -> None:
    result = CliRunner().invoke(assess_command, [str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outcome"] == EXPECTED_OUTCOMES[path.name]
    assert data == recommendation_to_dict(assess(load_facts_file(path)))
    assert "×" in result.stdout  # ensure_ascii=False: the arithmetic stays readable


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_cli_text(path: Path) -> None:
    result = CliRunner().invoke(assess_command, [str(path), "--format", "text"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"Outcome:        {EXPECTED_OUTCOMES[path.name]}" in out
    assert "ENISA:          DPC " in out and "AP severity:" in out and "Risk:" in out
    assert "\nReasons:\n  1. " in out


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_docs_show_each_example_with_its_outcome(path: Path) -> None:
    doc = (ROOT / "docs" / "assessment.md").read_text(encoding="utf-8")
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", doc, re.S)]
    assert json.loads(path.read_text(encoding="utf-8")) in blocks
    section = doc[doc.index(f"`docs/examples/{path.name}`") :]
    expected = re.search(r"\*\*Expected:\*\* outcome `(\w+)`", section)
    assert expected and expected.group(1) == EXPECTED_OUTCOMES[path.name]


def test_cli_invalid_file_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"format_version": 1, "facts": {"recipients": "x"}}), "utf-8")
    result = CliRunner().invoke(assess_command, [str(path)])
    assert result.exit_code == EXIT_INVALID_INPUT == 2
    assert f"{path}: facts.recipients: 'x' is not one of" in result.stderr
    assert result.stdout == ""


def test_cli_json_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{"format_version": 1,,}', "utf-8")
    result = CliRunner().invoke(assess_command, [str(path), "--format", "text"])
    assert result.exit_code == 2
    assert f"{path}: line 1, column" in result.stderr and "JSON syntax error" in result.stderr


def test_cli_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(assess_command, [str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "cannot read file" in result.stderr


def test_version_1_documents_still_assess_and_keep_their_meaning() -> None:
    """A format-1 document reads as before: the facts it could hold, nothing added."""
    facts = load_facts(
        {"format_version": 1, "facts": {"recipients": "limited_known", "subjects_count": 3}},
        "old.json",
    )
    assert facts.recipients.value == "limited_known" and facts.subjects_count == 3
    assert facts.misuse.value == "unknown" and facts.commitments == ()


@pytest.mark.parametrize(
    ("facts", "path"),
    [
        pytest.param({"misuse": "none_found"}, "facts", id="a-format-2-fact"),
        pytest.param({"recipients": "known_hostile"}, "facts.recipients", id="a-format-2-value"),
        pytest.param(
            {"consequences": ["service_unavailable"]}, "facts.consequences[0]", id="new-consequence"
        ),
    ],
)
def test_version_1_documents_refuse_what_version_2_added(facts: dict[str, Any], path: str) -> None:
    problems = problems_of({"format_version": 1, "facts": facts})
    assert path in {p for p, _ in problems}, problems
    load_facts({"format_version": 2, "facts": facts}, "new.json")  # valid in format 2


def test_version_2_documents_validate_and_round_trip() -> None:
    document = {
        "format_version": 2,
        "facts": {
            "recipients": "affected_themselves",
            "deletion_requested": "yes",
            "exposure_hours": 504,
            "exposure_reach": 40,
            "misuse": "already_misused",
            "id_document_number": "yes",
            "password_protection": "strong_hash",
            "subjects_count": 125,
            "subjects_min": 110,
            "commitments": ["Wij melden elk datalek direct bij de AP."],
        },
    }
    facts = load_facts(document, "new.json")
    assert input_document(facts)["format_version"] == 2
    assert load_facts(input_document(facts), "again.json") == facts


@pytest.mark.parametrize(
    ("facts", "path"),
    [
        pytest.param({"subjects_count": 100, "subjects_min": 120}, "facts.subjects_min", id="min"),
        pytest.param({"subjects_min": 5}, "facts.subjects_min", id="min-without-count"),
        pytest.param({"exposure_reach": -1}, "facts.exposure_reach", id="reach"),
        pytest.param({"commitments": ["x" * 2001]}, "facts.commitments[0]", id="long-promise"),
        pytest.param({"password_protection": "md5"}, "facts.password_protection", id="enum"),
    ],
)
def test_version_2_facts_are_checked(facts: dict[str, Any], path: str) -> None:
    problems = problems_of({"format_version": 2, "facts": facts})
    assert path in {p for p, _ in problems}, problems


def test_stored_reasons_are_read_back_once_per_text_and_the_memory_stays_bounded() -> None:
    """The register's export reads the reasons of each decision's advice from their stored JSON:
    the same text gives the same reasons (read once), and no more than ``kept`` texts are kept."""
    first = Reason("special_category", "enisa", "Score %(dpc)s.", {"dpc": 3})
    second = Reason("exfiltrated", "edpb", "Data were taken.")
    text_one = json.dumps([reason_to_dict(first)])
    text_two = json.dumps([reason_to_dict(first), reason_to_dict(second)])
    known: dict[str, tuple[Reason, ...]] = {}

    assert reasons_from_text(None, known, kept=2) == ()
    assert reasons_from_text("", known, kept=2) == ()
    once = reasons_from_text(text_one, known, kept=2)
    assert once == (first,) and once[0].text() == "Score 3."
    assert reasons_from_text(text_one, known, kept=2) is once  # read once, then kept
    assert reasons_from_text(text_two, known, kept=2) == (first, second)
    assert len(known) == 2
    reasons_from_text(json.dumps([reason_to_dict(second)]), known, kept=2)
    assert len(known) == 1  # full: what was kept is let go before the new text is kept


def test_no_consequence_likely_is_read_alone_and_refused_beside_a_consequence() -> None:
    alone = facts_from_dict({"consequences": ["none_likely"]})
    assert alone.consequences == {Consequence.NONE_LIKELY}
    assert facts_to_dict(alone)["consequences"] == ["none_likely"]
    with pytest.raises(ValueError, match="consequences: none_likely goes with no other"):
        facts_from_dict({"consequences": ["none_likely", "identity_fraud"]})
    problems = problems_of(
        {"format_version": 2, "facts": {"consequences": ["none_likely", "reputation"]}}
    )
    assert problems == [("facts.consequences", "none_likely goes with no other consequence")]
