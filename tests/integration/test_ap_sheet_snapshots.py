"""One realistic breach per demo organisation, through the services, and its AP answer sheet.

Each sheet is compared with a checked-in text file under ``expected/`` (Dutch, question by
question with its status), so that a change to the drafting shows up in review as a change of
these files. Regenerate them after a deliberate change with
``BREACHDESK_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/integration/test_ap_sheet_snapshots.py``
and read the diff.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from breachdesk.domain.checklist import (
    BreachType,
    Identifiability,
    Permanence,
    Protection,
    Recipients,
    Tri,
)
from breachdesk.domain.report import Containment, CountMode
from breachdesk.domain.report import Protection as Reported
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.services.answer_sheet import sheet_of
from breachdesk.services.organisations import profile_of

from ..conftest import T0, MakeUser
from .seed_cases import decided_case

EXPECTED = Path(__file__).parent / "expected"
CONF = frozenset({BreachType.CONFIDENTIALITY})

#: slug → (report fields, breach types, what the FG establishes in the checklist)
CASES: dict[str, tuple[dict[str, Any], frozenset[BreachType], dict[str, Any]]] = {
    "123samenleven": (
        dict(
            title="ActiveCampaign: contactlijst geëxporteerd",
            description="Met een gelekte API-sleutel is de nieuwsbrieflijst geëxporteerd.",
            discovery_how="Melding van ActiveCampaign",
            processor_keys=("activecampaign",),
            subject_group_keys=("nieuwsbriefontvangers",),
            subjects_mode=CountMode.RANGE, subjects_min=2_500, subjects_max=3_200,
            records_count=3_200, protection=Reported.NONE,
            containment=(Containment.ACCESS_BLOCKED,),
            containment_details="API-sleutel ingetrokken; ActiveCampaign onderzoekt de toegang.",
        ),
        CONF,
        dict(malicious=Tri.YES, exfiltration=Tri.YES, recipients=Recipients.MANY_OR_UNKNOWN,
             protection=Protection.NONE, identifiability=Identifiability.MAXIMUM,
             permanence=Permanence.REVERSIBLE),
    ),
    "luxigo": (
        dict(
            title="Back-up van de webshop openbaar bij Versio",
            description="Een back-upbestand van de webshop stond in een openbare map.",
            processor_keys=("versio",),
            data_category_keys=("voor-en-achternaam", "adresgegevens", "e-mailadres"),
            subjects_mode=CountMode.EXACT, subjects_exact=840, records_count=840,
            protection=Reported.NONE, containment=(Containment.ACCESS_BLOCKED,),
        ),
        CONF,
        dict(recipients=Recipients.UNKNOWN, protection=Protection.NONE,
             identifiability=Identifiability.MAXIMUM, permanence=Permanence.MINOR),
    ),
    "leiz": (
        dict(
            title="Ruw beeldmateriaal met herkenbare personen gedeeld",
            description="Een deellink naar ruw beeldmateriaal is per ongeluk openbaar gemaakt.",
            subjects_mode=CountMode.RANGE, subjects_min=20, subjects_max=60,
            protection=Reported.NONE, containment=(Containment.ACCESS_BLOCKED,),
        ),
        CONF,
        dict(recipients=Recipients.MANY_OR_UNKNOWN, protection=Protection.NONE,
             permanence=Permanence.REVERSIBLE),
    ),
    "kruix": (
        dict(
            title="Contacthistorie ingezien door een buitenstaander",
            description="Via een gedeeld wachtwoord heeft een oud-medewerker de CRM ingezien.",
            subjects_mode=CountMode.EXACT, subjects_exact=130, records_count=400,
            protection=Reported.NONE, containment=(Containment.PASSWORD_RESET,),
        ),
        CONF,
        dict(malicious=Tri.YES, recipients=Recipients.LIMITED_KNOWN, protection=Protection.NONE,
             permanence=Permanence.REVERSIBLE),
    ),
    "levensmozaiek": (
        dict(
            title="Deelnemerslijst naar de verkeerde groep gemaild",
            description="De deelnemerslijst met bankrekeningnummers ging naar een andere groep.",
            subjects_mode=CountMode.EXACT, subjects_exact=18, records_count=18,
            protection=Reported.NONE,
            containment=(Containment.RECALL_EMAIL, Containment.ASKED_DELETION),
        ),
        CONF,
        dict(recipients=Recipients.LIMITED_KNOWN, deletion_confirmed=Tri.NO,
             protection=Protection.NONE, permanence=Permanence.REVERSIBLE),
    ),
}  # fmt: skip


def render(sheet: Any) -> str:
    lines = [f"{sheet.form.key}: {sheet.answered} van {sheet.total} beantwoord", ""]
    for chapter in sheet.form.chapters:
        lines.append(f"== {chapter.number} {chapter.nl}")
        for a in sheet.in_chapter(chapter.number):
            choices = f" {list(a.choices)}" if a.choices else ""
            lines.append(f"{a.number} {a.question.nl}  [{a.status.value}]{choices}")
            lines.extend(f"    {line}" for line in (a.text or "—").splitlines())
        lines.append("")
    return "\n".join(lines)


@pytest.mark.parametrize("slug", sorted(CASES))
def test_the_sheet_of_a_realistic_breach_per_organisation(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, slug: str
) -> None:
    org = orgs[slug]
    profile = profile_of(org)
    fields, types, established = CASES[slug]
    if "data_category_keys" not in fields:
        fields = {**fields, "data_category_keys": tuple(profile.data_category_keys()[:3])}
    if "subject_group_keys" not in fields and profile.subject_categories:
        fields = {**fields, "subject_group_keys": (profile.subject_categories[0].key,)}
    case = decided_case(org, make_user, fields, types, established)
    incident, fg = case.incident, case.fg
    text = render(sheet_of(db.session, incident, now=T0 + timedelta(hours=1), user=fg).sheet)
    expected_file = EXPECTED / f"ap-sheet-{slug}.txt"
    if os.environ.get("BREACHDESK_UPDATE_SNAPSHOTS"):
        expected_file.write_text(text + "\n", encoding="utf-8")
    assert text + "\n" == expected_file.read_text(encoding="utf-8")
