"""The regulators' own cases (tests/cases/): breachdesk's advice against their verdicts.

Runs on every run of the suite. It prints the agreement table (``pytest -s`` shows it; the
README holds a copy, checked below) and fails on any case where breachdesk advises less than
the regulator, and on any other disagreement not argued in known-disagreements.yaml.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from breachdesk.services.assessment_io import load_facts

from ..cases.corpus import ACCEPTS, CHECKED, RANK, load_cases, load_known, results, table

README = Path(__file__).parents[2] / "README.md"


def test_every_case_is_complete_and_valid() -> None:
    cases = load_cases()
    assert len(cases) >= 28  # the 18 EDPB cases and WP250 Annex B's examples
    assert len({c.id for c in cases}) == len(cases)
    for case in cases:
        assert case.title and case.source and case.summary, case.id
        assert case.checked in CHECKED, case.id
        assert (case.checked == "summary") == bool(case.checked_against), case.id
        assert case.verdict in ACCEPTS, case.id
        load_facts(case.answers, case.id)  # validates against the input schema


def test_the_advice_never_says_less_than_the_regulator() -> None:
    found = results()
    print("\n" + table(found))
    less = [
        f"{r.case.id}: regulator {r.case.verdict}, breachdesk {r.advice}"
        for r in found
        if r.direction == "less"
    ]
    assert not less, less


def test_every_other_disagreement_is_known_and_argued() -> None:
    known = load_known()
    found = {r.case.id: r for r in results()}
    for case_id, entry in known.items():
        assert case_id in found, f"{case_id} is listed but is not a case"
        result = found[case_id]
        assert not result.agrees, f"{case_id} now agrees: remove it from known-disagreements"
        assert entry["breachdesk"] == result.advice, f"{case_id}: the listed advice changed"
        assert entry["regulator"] == result.case.verdict, case_id
        assert RANK[result.advice] > min(RANK[v] for v in ACCEPTS[result.case.verdict])
        assert len(entry["reasoning"].split()) >= 30, f"{case_id}: argue it"
    unexplained = [
        f"{r.case.id}: regulator {r.case.verdict}, breachdesk {r.advice}"
        for r in found.values()
        if not r.agrees and r.case.id not in known
    ]
    assert not unexplained, unexplained


def test_the_readme_shows_the_current_table() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- corpus-table -->\n(.*?)\n<!-- /corpus-table -->", text, re.S)
    assert match, "README.md lacks the corpus table markers"
    assert match.group(1).strip() == table(results()).strip(), (
        "the README's table is out of date: run .venv/bin/python -m tests.cases.corpus"
    )


@pytest.mark.parametrize("case_id", ["EDPB-01", "WP250-B4b", "WP250-B3", "EDPB-13", "EDPB-16"])
def test_the_cases_of_issue_13_now_agree(case_id: str) -> None:
    """Ransomware restored (integrity ticked), an outage without harm, a postal error."""
    (result,) = [r for r in results() if r.case.id == case_id]
    assert result.agrees, (result.advice, [x.text() for x in result.recommendation.reasons])
