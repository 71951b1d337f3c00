"""Sending a version again only to the people it has not reached yet (a corrected list)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from breachdesk.domain.register import Informed, RegisterFilter
from breachdesk.extensions import db
from breachdesk.mail import RecordingMailer
from breachdesk.models import (
    AuditEvent,
    Delivery,
    Incident,
    Mailing,
    Organisation,
    PeopleNotice,
    Recipient,
    RecipientImport,
    User,
)
from breachdesk.services import (
    informing,
    letters,
    mailings,
    people_notices,
    recipients,
    register,
)
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import run_deliveries
from .test_mailings import started_mailing
from .test_scheduler_process import people

__all__ = ["people"]  # a fixture used by name

DIGEST = "ab" * 32


def new_list(incident: Incident, fg: User, clock: FixedClock, lines: list[str]) -> RecipientImport:
    data = ("naam;e-mail;adres;postcode;woonplaats\r\n" + "\r\n".join(lines) + "\r\n").encode()
    staged = recipients.stage_import(
        db.session, incident, data, "l.csv", recipients.read_table(data, "l.csv").proposed,
        user=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    return recipients.activate(db.session, staged, actor=Actor.of(fg), clock=clock)


def addressed(mailer: RecordingMailer) -> set[str]:
    return {m["To"].split("<")[-1].rstrip(">") for m in mailer.sent if "example.org" in m["To"]}


def test_a_corrected_list_goes_only_to_those_the_version_did_not_reach(
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,  # noqa: F811
) -> None:
    _, fg = people
    first = started_mailing(orgs, people, clock, rate=0, people_count=3)  # p0, p1, p2
    incident = db.session.get_one(Incident, first.incident_id)
    notice = db.session.get_one(PeopleNotice, first.notice_id)
    run_deliveries(clock, RecordingMailer())
    # p1's notice bounced for good: it reached nobody.
    bounced = db.session.execute(
        select(Delivery).join(Recipient, Delivery.recipient_id == Recipient.id)
        .where(Delivery.mailing_id == first.id, Recipient.email == "p1@example.org")
    ).scalar_one()  # fmt: skip
    bounced.status = "failed"
    db.session.commit()
    assert mailings.current(db.session, incident) is None

    # The corrected list: the three again (one address now in capitals), one more person by
    # e-mail and one by letter.
    corrected = new_list(
        incident, fg, clock,
        ["P 0;P0@Example.ORG;;;", "P 1;p1@example.org;;;", "P 2;p2@example.org;;;",
         "P 3;p3@example.org;;;", "Els Bakker;;Dorpsstraat 12;1234 AB;Ons Dorp"],
    )  # fmt: skip
    second = mailings.start(
        db.session, incident, notice, corrected, user=fg, actor=Actor.of(fg), clock=clock,
        only_unreached=True,
    )  # fmt: skip
    assert (second.total, second.letters) == (2, 1)  # p1 and p3; Els by letter
    part = db.session.get_one(RecipientImport, second.import_id)
    assert (part.status, part.derived_from_id) == ("subset", corrected.id)
    assert recipients.active_import(db.session, incident) == corrected  # the list in use stays
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.mailing_started")
        .order_by(AuditEvent.id.desc())
    ).scalars().first()  # fmt: skip
    assert event is not None
    assert event.after["only_unreached"] is True and event.after["skipped_reached"] == 2
    mailer = RecordingMailer()
    run_deliveries(clock, mailer)
    assert addressed(mailer) == {"p1@example.org", "p3@example.org"}
    assert informing.informed_of(db.session, incident) is Informed.INFORMING  # letter to post

    letters.record_posted(
        db.session, second, posted_at=clock.now(), pdf_sha256=DIGEST, actor=Actor.of(fg),
        clock=clock,
    )  # fmt: skip
    # p1's bounced notice no longer leaves the informing unfinished (a later mailing reached
    # p1), in the register's rows and in its filter alike, and is not counted twice.
    assert informing.informed_of(db.session, incident) is Informed.INFORMED
    informed = RegisterFilter(informed=Informed.INFORMED)
    assert [r.id for r in register.view(db.session, fg, informed, clock.now()).rows] == [
        incident.id
    ]
    proof = informing.informing_of(db.session, incident)
    assert proof is not None and (proof.emails_sent, proof.emails_total) == (4, 4)
    assert (proof.letters_posted, proof.letters_total) == (1, 1)

    # Els written in lower case and with other spacing is still Els: nobody is left.
    again = new_list(
        incident, fg, clock,
        ["P 0;p0@example.org;;;", "P 1;p1@example.org;;;", "P 3;p3@example.org;;;",
         "els bakker;;Dorpsstraat  12;1234 AB;Ons Dorp"],
    )  # fmt: skip
    imports_before = db.session.execute(select(func.count(RecipientImport.id))).scalar_one()
    try:
        mailings.start(
            db.session, incident, notice, again, user=fg, actor=Actor.of(fg), clock=clock,
            only_unreached=True,
        )  # fmt: skip
    except mailings.MailingError as error:
        assert error.message == "Everyone on the list has had version %(v)d already."
    else:
        raise AssertionError("a mailing to nobody was started")
    # Nothing half-written: no subset list, no mailing.
    assert db.session.execute(select(func.count(RecipientImport.id))).scalar_one() == (
        imports_before
    )
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 2

    # Everyone again, when the FG chooses so.
    everyone = mailings.start(
        db.session, incident, notice, again, user=fg, actor=Actor.of(fg), clock=clock
    )
    assert (everyone.total, everyone.letters) == (3, 1) and everyone.import_id == again.id


def test_people_are_counted_once_however_many_versions_reached_them(
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,  # noqa: F811
) -> None:
    """Found by exploratory testing: after a supplement, 10.1.3 of the AP sheet said "3,918 by
    e-mail" for about 2,000 people, and the same notice approved again (no change) became a
    "new" version a mailing sent to everyone a second time."""
    _, fg = people
    first = started_mailing(orgs, people, clock, rate=0, people_count=3)
    incident = db.session.get_one(Incident, first.incident_id)
    run_deliveries(clock, RecordingMailer())
    same = people_notices.working_draft(db.session, incident, clock=clock, user=fg)
    with pytest.raises(people_notices.PeopleNoticeError) as refused:
        people_notices.approve(
            db.session, same, seen=same.edit_count, user=fg, actor=Actor.of(fg), clock=clock
        )
    assert "same text as version 1" in str(refused.value.message % refused.value.params)
    sections = {**same.sections, "measures": "We vragen u uw [klantnummer] te wijzigen."}
    draft = people_notices.save_draft(
        db.session, same, subject="Aanvulling", sections=sections, lang="nl",
        seen=same.edit_count, user=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    with pytest.raises(people_notices.PeopleNoticeError) as refused:
        people_notices.approve(
            db.session, draft, seen=draft.edit_count, user=fg, actor=Actor.of(fg), clock=clock
        )
    assert refused.value.field == "measures" and "[klantnummer]" in str(refused.value.params)
    sections["measures"] = "We vragen u uw wachtwoord te wijzigen."
    draft = people_notices.save_draft(
        db.session, draft, subject="Aanvulling", sections=sections, lang="nl",
        seen=draft.edit_count, user=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    supplement = people_notices.approve(
        db.session, draft, seen=draft.edit_count, user=fg, actor=Actor.of(fg), clock=clock
    )
    active = recipients.active_import(db.session, incident)
    assert active is not None
    mailings.start(
        db.session, incident, supplement, active, user=fg, actor=Actor.of(fg), clock=clock
    )
    mailer = RecordingMailer()
    run_deliveries(clock, mailer)
    assert len(addressed(mailer)) == 3  # the supplement went to the three again
    proof = informing.informing_of(db.session, incident)
    assert proof is not None and (proof.emails_sent, proof.emails_total) == (3, 3)
