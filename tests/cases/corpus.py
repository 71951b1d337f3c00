"""Load the case corpus, assess every case, and build the agreement table.

Run ``.venv/bin/python -m tests.cases.corpus`` to print the table (the README shows it;
``tests/unit/test_case_corpus.py`` checks that the README's copy is current).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from breachdesk.domain.assessment import Outcome, Recommendation, assess
from breachdesk.services.assessment_io import load_facts

HERE = Path(__file__).parent
FILES = ("edpb-01-2021.yaml", "wp250-annex-b.yaml")
KNOWN = HERE / "known-disagreements.yaml"

#: How much each answer asks of the organisation, least first.
RANK = {"register": 0, "notify": 1, "inform": 2}
#: What each verdict accepts.
ACCEPTS = {
    "register": {"register"},
    "notify": {"notify"},
    "inform": {"inform"},
    "notify-or-inform": {"notify", "inform"},
}
CHECKED = ("stored text", "summary", "memory")


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    source: str
    checked: str
    verdict: str
    answers: dict[str, Any]
    notes: str = ""
    summary: str = ""
    checked_against: str = ""


@dataclass(frozen=True)
class Result:
    case: Case
    recommendation: Recommendation
    advice: str  # register, notify or inform

    @property
    def agrees(self) -> bool:
        return self.advice in ACCEPTS[self.case.verdict]

    @property
    def says_less(self) -> bool:
        """Advises less than the regulator: the one disagreement never allowed at the AP's
        level (register only where the regulator says notify)."""
        least = min(RANK[v] for v in ACCEPTS[self.case.verdict])
        return RANK[self.advice] < least

    @property
    def direction(self) -> str:
        if self.agrees:
            return "agrees"
        return "less" if self.says_less else "more"


def advice_of(recommendation: Recommendation) -> str:
    if recommendation.outcome is Outcome.REGISTER_ONLY:
        return "register"
    if recommendation.outcome is Outcome.NOTIFY_AP:
        return "notify"
    return "inform"  # each person, or a public communication (Art. 34(3)(c))


def load_cases() -> list[Case]:
    cases = []
    for name in FILES:
        for entry in yaml.safe_load((HERE / name).read_text(encoding="utf-8")):
            cases.append(
                Case(
                    id=entry["id"],
                    title=entry["title"],
                    source=entry["source"],
                    checked=entry["checked"],
                    verdict=entry["verdict"],
                    answers=entry["answers"],
                    notes=" ".join(str(entry.get("notes") or "").split()),
                    summary=" ".join(str(entry.get("summary") or "").split()),
                    checked_against=" ".join(str(entry.get("checked_against") or "").split()),
                )
            )
    return cases


def load_known() -> dict[str, dict[str, str]]:
    """Known disagreements by case id: what breachdesk advises, and why that is defended."""
    entries = yaml.safe_load(KNOWN.read_text(encoding="utf-8")) or []
    return {entry["id"]: entry for entry in entries}


def results() -> list[Result]:
    out = []
    for case in load_cases():
        recommendation = assess(load_facts(case.answers, case.id))
        out.append(Result(case, recommendation, advice_of(recommendation)))
    return out


def table(found: list[Result]) -> str:
    """The agreement table in Markdown."""
    known = load_known()
    agreed = sum(r.agrees for r in found)
    lines = [
        f"{agreed} of {len(found)} cases agree; "
        f"{sum(r.direction == 'more' for r in found)} advise more than the regulator "
        f"(each argued in `tests/cases/known-disagreements.yaml`), "
        f"{sum(r.direction == 'less' for r in found)} less.",
        "",
        "| case | regulator | breachdesk | | checked |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in found:
        mark = "=" if r.agrees else ("known: more" if r.case.id in known else r.direction)
        lines.append(
            f"| {r.case.id} {r.case.title} | {r.case.verdict} | {r.advice} | {mark} "
            f"| {r.case.checked} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(results()))
