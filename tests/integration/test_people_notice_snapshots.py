"""One high-risk breach per demo organisation, through the services, and its notice to the
people affected (Art. 34 GDPR) in Dutch and English.

Built the way ``test_ap_sheet_snapshots.py`` builds its incidents (report, triage, checklist,
decision, and for most a filing with the AP). Each rendered plain-text notice is compared with
a checked-in file under ``expected/``, so a change to the wording, the advice or the template
shows up in review as a change of these files. Regenerate them after a deliberate change with
``BREACHDESK_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/integration/test_people_notice_snapshots.py``
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
    Consequence,
    Identifiability,
    Permanence,
    Protection,
    Recipients,
    Tri,
)
from breachdesk.domain.notices.people_notice import (
    ART34_ELEMENTS,
    MergePerson,
    draft_people_notice,
    missing_elements,
    notice_environment,
    render_notice,
)
from breachdesk.domain.report import Answer, Containment, CountMode
from breachdesk.domain.report import Protection as Reported
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.services.answer_sheet import sheet_facts
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.filings import record_notification
from breachdesk.services.organisations import profile_of

from ..conftest import T0, MakeUser
from .seed_cases import decided_case

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).parent / "expected"
CONF = frozenset({BreachType.CONFIDENTIALITY})
C = Consequence


#: slug → (report fields, what the FG establishes in the checklist, filed with the AP,
#:         the person in Dutch, the person in English)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], bool, MergePerson, MergePerson]] = {
    "123samenleven": (
        dict(
            title="Kopieën van identiteitsbewijzen in een openbare map",
            description="Inzageverzoeken met kopie ID stonden in een gedeelde map met een "
                        "openbare link.",
            data_category_keys=("voor-en-achternaam", "adresgegevens", "e-mailadres",
                                "kopie-identiteitsbewijs"),
            subject_group_keys=("gebruikers",),
            subjects_mode=CountMode.EXACT, subjects_exact=37, records_count=37,
            protection=Reported.NONE, containment=(Containment.ACCESS_BLOCKED,),
        ),
        dict(recipients=Recipients.MANY_OR_UNKNOWN, protection=Protection.NONE,
             identifiability=Identifiability.MAXIMUM, permanence=Permanence.REVERSIBLE,
             consequences=frozenset({C.IDENTITY_FRAUD, C.PHISHING_OR_SPAM})),
        True,
        MergePerson("Sanne de Vries", "naam, adres, e-mailadres en een kopie van uw paspoort",
                    "SML-2026-0001-17"),
        MergePerson("Sanne de Vries", "name, address, e-mail address and a copy of your passport",
                    "SML-2026-0001-17"),
    ),
    "kruix": (
        dict(
            title="Klantgegevens met rekeningnummers gestolen",
            description="Een aanvaller heeft via een lek in de CRM-koppeling klantgegevens "
                        "gedownload.",
            data_category_keys=("algemene-gegevens", "rekeningnummer", "betaalgegevens"),
            subjects_mode=CountMode.RANGE, subjects_min=1_200, subjects_max=1_500,
            records_count=1_500, protection=Reported.NONE,
            containment=(Containment.ACCESS_BLOCKED, Containment.PASSWORD_RESET),
        ),
        dict(malicious=Tri.YES, exfiltration=Tri.YES, recipients=Recipients.MANY_OR_UNKNOWN,
             protection=Protection.NONE, identifiability=Identifiability.MAXIMUM,
             permanence=Permanence.REVERSIBLE,
             consequences=frozenset({C.FINANCIAL_LOSS, C.PHISHING_OR_SPAM, C.LOSS_OF_CONTROL})),
        False,  # not filed yet: the notice must say so, not pretend
        MergePerson("", "naam, adres, telefoonnummer, e-mailadres en rekeningnummer", "KRX-88"),
        MergePerson("", "name, address, phone number, e-mail address and bank account number",
                    "KRX-88"),
    ),
    "leiz": (
        dict(
            title="Ruw beeldmateriaal van een kinderkoor openbaar gedeeld",
            description="Een deellink naar ruwe opnames van een kinderkoor stond op een "
                        "openbare pagina.",
            data_category_keys=("voor-en-achternaam", "filmbeelden-en-fotos"),
            subject_group_keys=("afgebeelde-personen",),
            subjects_mode=CountMode.RANGE, subjects_min=20, subjects_max=45,
            children_involved=Answer.YES, protection=Reported.NONE,
            containment=(Containment.ACCESS_BLOCKED,),
        ),
        dict(recipients=Recipients.MANY_OR_UNKNOWN, protection=Protection.NONE,
             identifiability=Identifiability.MAXIMUM, permanence=Permanence.IRREVERSIBLE,
             consequences=frozenset({C.PSYCHOLOGICAL_HARM, C.LOSS_OF_CONTROL, C.PHYSICAL_HARM})),
        True,
        MergePerson("familie Bakker", "de naam en beelden van uw kind", "LEIZ-4"),
        MergePerson("Bakker family", "your child's name and images", "LEIZ-4"),
    ),
    "levensmozaiek": (
        dict(
            title="Intakeformulieren naar de verkeerde groep gemaild",
            description="De intakeformulieren van een groep gingen als bijlage naar een andere "
                        "groep deelnemers.",
            data_category_keys=("voor-en-achternaam", "telefoonnummer", "e-mailadres"),
            data_other="Antwoorden op de intakevragen over gezondheid en medicijngebruik",
            subject_group_keys=("deelnemers",),
            subjects_mode=CountMode.EXACT, subjects_exact=14, records_count=14,
            protection=Reported.NONE,
            containment=(Containment.RECALL_EMAIL, Containment.ASKED_DELETION),
        ),
        dict(malicious=Tri.NO, recipients=Recipients.LIMITED_KNOWN, deletion_confirmed=Tri.NO,
             special_category=Tri.YES, protection=Protection.NONE,
             identifiability=Identifiability.MAXIMUM, permanence=Permanence.IRREVERSIBLE,
             vulnerable=Tri.YES,
             consequences=frozenset({C.PSYCHOLOGICAL_HARM, C.REPUTATION, C.DISCRIMINATION})),
        True,
        MergePerson("Ahmed El Amrani", "naam, telefoonnummer, e-mailadres en uw antwoorden op "
                    "de intakevragen", "LMZ-2026-3"),
        MergePerson("Ahmed El Amrani", "name, phone number, e-mail address and your answers "
                    "to the intake questions", "LMZ-2026-3"),
    ),
    "luxigo": (
        dict(
            title="Klantaccounts van de webshop buitgemaakt bij Versio",
            description="Via een lek bij de hostingpartij is de klantendatabase gekopieerd, "
                        "met wachtwoorden als MD5-hash.",
            processor_keys=("versio",),
            reported_by_processor=True, reporting_processor_key="versio",
            data_category_keys=("voor-en-achternaam", "adresgegevens", "e-mailadres"),
            data_other="Wachtwoorden van klantaccounts (zwak versleuteld)",
            subjects_mode=CountMode.EXACT, subjects_exact=2_310, records_count=2_310,
            protection=Reported.PARTIALLY,
            containment=(Containment.PASSWORD_RESET, Containment.ACCESS_BLOCKED),
        ),
        dict(malicious=Tri.YES, exfiltration=Tri.YES, recipients=Recipients.MANY_OR_UNKNOWN,
             credentials=Tri.YES, protection=Protection.WEAK,
             identifiability=Identifiability.MAXIMUM, permanence=Permanence.REVERSIBLE,
             consequences=frozenset({C.PHISHING_OR_SPAM, C.FINANCIAL_LOSS, C.IDENTITY_FRAUD})),
        True,
        MergePerson("Mark Jansen", "naam, adres, e-mailadres en wachtwoord", "LUX-12"),
        MergePerson("Mark Jansen", "name, address, e-mail address and password", "LUX-12"),
    ),
}  # fmt: skip


def snapshot(rendered: Any) -> str:
    return f"Onderwerp / Subject: {rendered.subject}\n\n{rendered.text}"


@pytest.mark.parametrize("slug", sorted(CASES))
def test_the_notice_of_a_high_risk_breach_per_organisation(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, slug: str
) -> None:
    fields, established, filed, person_nl, person_en = CASES[slug]
    case = decided_case(orgs[slug], make_user, fields, CONF, established)
    incident, fg, decision = case.incident, case.fg, case.decision
    actor, clock = Actor.of(fg), FixedClock(T0)
    assert decision.notify_ap and decision.inform_subjects, "the case must be high-risk"
    if filed:
        record_notification(
            db.session, incident, submitted_at=T0, reference="M-2026-001", provisional=True,
            delay_reason="", notes="", recorded_by=fg, actor=actor, clock=clock,
        )  # fmt: skip
    now = T0 + timedelta(hours=1)
    env = notice_environment(ROOT)
    for lang, person in (("nl", person_nl), ("en", person_en)):
        draft = draft_people_notice(sheet_facts(incident, now=now, user=fg), lang)
        assert missing_elements(draft.sections) == [], [e.key for e in ART34_ELEMENTS]
        for element in ART34_ELEMENTS:
            assert draft.sections[element.section].strip(), element.key
        rendered = render_notice(
            env, subject=draft.subject, sections=draft.sections, person=person, lang=lang,
            organisation_name=profile_of(orgs[slug]).display_name,
        )  # fmt: skip
        assert "[" not in rendered.text, "every merge field is filled in"
        assert f'<html lang="{lang}">' in rendered.html
        expected_file = EXPECTED / f"people-notice-{slug}-{lang}.txt"
        if os.environ.get("BREACHDESK_UPDATE_SNAPSHOTS"):
            expected_file.write_text(snapshot(rendered), encoding="utf-8")
        assert snapshot(rendered) == expected_file.read_text(encoding="utf-8")
