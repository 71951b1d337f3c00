"""The AP answer sheet's question 1.3 names the supervisors of the regimes the profile gives."""

from __future__ import annotations

from flask import Flask

from breachdesk.domain.notices.sheet import Sheet
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.services import triage
from breachdesk.services.answer_sheet import sheet_of
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import T0, MakeUser
from .test_incidents import submit
from .test_triage import answers


def answer_1_3(sheet: Sheet) -> str:
    return next(a.text for a in sheet.answers if a.question.number == "1.3")


def test_question_1_3_follows_the_profile(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    fg = make_user("fg@x.nl", (kruix, Role.FG))
    incident = submit(reporter, kruix, clock)
    triage.record_triage(db.session, incident, answers(), actor=Actor.of(fg), clock=clock)
    assert answer_1_3(sheet_of(db.session, incident, now=T0).sheet) == "Nee"

    kruix.profile = {**kruix.profile, "nis2_entity": "important", "dora_entity": True}
    db.session.commit()
    dutch = answer_1_3(sheet_of(db.session, incident, now=T0).sheet)
    assert dutch == (
        "Mogelijk ook te melden bij: het CSIRT of de bevoegde autoriteit (NIS2/Cbw) en "
        "De Nederlandsche Bank (DNB) of de AFM."
    )
    english = answer_1_3(sheet_of(db.session, incident, now=T0, lang="en").sheet)
    assert "the CSIRT or the competent authority (NIS2/Cbw) and" in english
    assert english.endswith("De Nederlandsche Bank (DNB) or the AFM.")
