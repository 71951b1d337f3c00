"""The public communication of Art. 34(3)(c): drafted without anyone's personal data, checked,
saved with its digest, and once published the incident's public duty is done for closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.assessment import Outcome
from breachdesk.domain.lifecycle import State, TransitionRefused
from breachdesk.domain.notices.people_notice import draft_people_notice, notice_digest
from breachdesk.domain.prefill import prefill
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Incident, Organisation, PeopleNotice, User
from breachdesk.services import closing, decisions, triage
from breachdesk.services.answer_sheet import sheet_facts
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.filings import record_notification
from breachdesk.services.organisations import profile_of
from breachdesk.services.public_notice import (
    PublicNoticeError,
    draft_lang,
    draft_text,
    public_notice_of,
    save,
    text_digest,
)
from breachdesk.services.report_columns import report_of

from ..conftest import MakeUser
from .test_incidents import submit
from .test_triage import answers

TEXT = "Datalek bij Kruix\n\nWij informeren u over een datalek."


@pytest.fixture
def fg(orgs: dict[str, Organisation], make_user: MakeUser) -> User:
    return make_user("fg@x.nl", (orgs["kruix"], Role.FG), name="Fenna Groen")


@pytest.fixture
def incident(
    orgs: dict[str, Organisation], make_user: MakeUser, fg: User, clock: FixedClock
) -> Incident:
    """Kruix's misdirected customer list: confirmed, assessed, decided to notify the AP and
    to inform the public (Art. 34(3)(c)), and notified to the AP."""
    reporter = make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    actor = Actor.of(fg)
    incident = submit(reporter, orgs["kruix"], clock)
    triage.record_triage(db.session, incident, answers(), actor=actor, clock=clock)
    facts = prefill(report_of(incident), profile_of(incident.organisation), frozenset())
    decisions.save_checklist(db.session, incident, facts, confirm=True, actor=actor, clock=clock)
    decisions.record_decision(
        db.session, incident, outcome=Outcome.NOTIFY_AP_AND_PUBLIC_COMMUNICATION,
        rationale="Wij kunnen de betrokkenen niet allemaal bereiken: te weinig adressen.",
        actor=actor, clock=clock,
    )  # fmt: skip
    clock.advance(hours=2)
    record_notification(
        db.session, incident, submitted_at=clock.now(), reference="AP-1", provisional=False,
        delay_reason="", notes="", recorded_by=fg, actor=actor, clock=clock,
        confirm_incomplete=True,
    )  # fmt: skip
    return incident


def data_names(incident: Incident) -> list[str]:
    return [str(c["name"]) for c in incident.data_categories]


def test_the_draft_comes_from_breachdesks_notice_without_merge_fields(
    app: Flask, incident: Incident, clock: FixedClock
) -> None:
    text = draft_text(db.session, incident, now=clock.now())
    assert text.startswith("Belangrijk: datalek bij Kruix")
    assert "openbare mededeling" in text
    assert "Wat is er gebeurd?" in text and "Vragen?" in text
    assert "[" not in text  # no merge field left: [naam], [gegevens], [kenmerk]
    assert all(name.lower() in text.lower() for name in data_names(incident))
    # The line with each person's own data would only repeat the kinds of data: left out.
    drafted = draft_people_notice(sheet_facts(incident, now=clock.now()), "nl")
    personal = next(line for line in drafted.sections["your_data"].split("\n") if "[" in line)
    assert personal.split("[")[0].strip() not in text
    assert text.rstrip().endswith("19 november 2026")
    # What Art. 34(2) asks and the record cannot say shows as a gap to fill in.
    assert "Wat kan dit voor u betekenen?\n(nog aanvullen)" in text
    english = draft_text(db.session, incident, now=clock.now(), lang="en")
    assert english.startswith("Important: data breach at Kruix") and "[" not in english
    with pytest.raises(PublicNoticeError):
        draft_text(db.session, incident, now=clock.now(), lang="de")


def test_the_draft_follows_the_approved_notice_and_replaces_its_fields(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    now = clock.now()
    sections = {
        "what_happened": "Beste [naam], een lijst met klantgegevens ging naar een leverancier.",
        "your_data": "Het ging om [gegevens].",
        "contact": "Vragen? Bel 0800-1234 en noem uw kenmerk [kenmerk].\nOf mail fg@kruix.nl.",
    }
    subject = "Datalek bij Kruix: wat u moet weten"
    for version, approved in ((1, now), (2, None)):  # an approved version and a newer draft
        db.session.add(
            PeopleNotice(
                incident_id=incident.id, version=version, lang="nl",
                subject=subject if approved else "Werkversie", sections=sections,
                created_at=now, updated_at=now, approved_at=approved,
                approved_by_id=fg.id if approved else None,
                sha256=notice_digest(subject, sections, "nl") if approved else "",
            )
        )  # fmt: skip
    db.session.commit()
    text = draft_text(db.session, incident, now=now)
    assert text.startswith(subject)  # the approved version: what people were told
    assert "Beste heer/mevrouw, een lijst met klantgegevens ging naar een leverancier." in text
    names = data_names(incident)
    assert f"Het ging om {names[0][:1].lower() + names[0][1:]}" in text
    assert "0800-1234" not in text  # the line with a personal reference is left out
    assert "Of mail fg@kruix.nl." in text
    assert "[" not in text
    assert draft_lang(db.session, incident) == "nl"
    # People told in English (version 3, approved): the public text is drafted in English,
    # from that version (it stayed Dutch, from version 1: found by exploratory testing).
    db.session.add(
        PeopleNotice(
            incident_id=incident.id, version=3, lang="en", subject="Data breach at Kruix",
            sections=sections, created_at=now, updated_at=now, approved_at=now,
            approved_by_id=fg.id, sha256=notice_digest("Data breach at Kruix", sections, "en"),
        )
    )  # fmt: skip
    db.session.commit()
    assert draft_lang(db.session, incident) == "en"
    text = draft_text(db.session, incident, now=now, lang=draft_lang(db.session, incident))
    assert text.startswith("Data breach at Kruix")


def test_saving_checks_the_text_the_channel_the_address_and_the_moment(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    def attempt(**changes: object) -> PublicNoticeError:
        values: dict[str, object] = {
            "text": TEXT, "channel": "website", "url": "https://kruix.nl/datalek",
            "published_at": clock.now() - timedelta(minutes=30),
        }  # fmt: skip
        values.update(changes)
        with pytest.raises(PublicNoticeError) as raised:
            save(db.session, incident, user=fg, actor=Actor.of(fg), clock=clock, **values)  # type: ignore[arg-type]
        return raised.value

    assert attempt(text="  \n ").field == "text"
    assert attempt(text="x" * 20_001).field == "text"
    assert attempt(published_at=clock.now() + timedelta(hours=1)).field == "published_at"
    assert attempt(published_at=clock.now() - timedelta(days=30)).field == "published_at"
    assert attempt(channel=" ").field == "channel"
    for bad in ("javascript:alert(1)", "kruix.nl/datalek", "ftp://kruix.nl", "https://"):
        error = attempt(url=bad)
        assert error.field == "url" and "https://" in error.message
    assert public_notice_of(db.session, incident) is None  # nothing was saved
    assert incident.public_resolution == ""


def test_a_draft_is_kept_and_publishing_completes_the_public_duty(
    app: Flask, incident: Incident, fg: User, clock: FixedClock
) -> None:
    actor = Actor.of(fg)
    incident.containment = ["access_blocked"]  # measures on record, as closing needs
    # First kept as a draft: no channel needed, the duty is still open.
    notice = save(
        db.session, incident, text=TEXT + "\r\n", channel="", url="", published_at=None,
        user=fg, actor=actor, clock=clock,
    )  # fmt: skip
    assert (notice.text, notice.sha256) == (TEXT, text_digest(TEXT))
    assert notice.published_at is None and incident.public_resolution == ""
    with pytest.raises(TransitionRefused, match="public communication is still owed"):
        closing.close(db.session, incident, actor=actor, clock=clock)

    clock.advance(hours=1)
    published_at = clock.now() - timedelta(minutes=10)
    notice = save(
        db.session, incident, text=TEXT + "\nAangevuld.", channel="website en NRC, 5 december",
        url="https://kruix.nl/datalek", published_at=published_at, user=fg, actor=actor,
        clock=clock,
    )  # fmt: skip
    assert public_notice_of(db.session, incident) is notice
    assert notice.published_at == published_at and notice.channel == "website en NRC, 5 december"
    assert (incident.public_resolution, incident.public_resolution_at) == (
        "published",
        published_at,
    )
    assert "website en NRC" in incident.public_resolution_note
    assert "https://kruix.nl/datalek" in incident.public_resolution_note

    events = list(
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.action == "incident.public_notice_saved")
            .order_by(AuditEvent.id)
        ).scalars()
    )
    assert len(events) == 2
    assert events[1].after["sha256"] == notice.sha256 and events[1].before["sha256"] == (
        text_digest(TEXT)
    )
    assert "Wij informeren" not in str(events[1].after)  # the digest, not the text

    # A publication cannot be taken back, only corrected.
    with pytest.raises(PublicNoticeError) as raised:
        save(db.session, incident, text=TEXT, channel="", url="", published_at=None, user=fg,
             actor=actor, clock=clock)  # fmt: skip
    assert raised.value.field == "published_at"

    # Closing sees the public communication as done.
    closing.close(db.session, incident, actor=actor, clock=clock)
    assert incident.state == State.CLOSED.value
