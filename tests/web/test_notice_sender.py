"""The notice to the people affected comes from the organisation, by name (found by
exploratory testing: it came from "breachdesk", a name the people do not know, in a mail that
warns them against phishing). The address stays the installation's: the one its mail server
and SPF/DKIM vouch for; replies go to the organisation's privacy contact."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from flask import Flask
from sqlalchemy import select

from breachdesk.extensions import db
from breachdesk.mail import sender_named
from breachdesk.models import Organisation, PeopleNotice, User
from breachdesk.services import recipients
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.organisations import public_name

from ..conftest import MakeUser, deliver_now, outbox_messages
from .test_people_web import informing, notice_form, people_url


def test_the_notice_comes_from_the_organisations_name(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    incident = informing(client, orgs, make_user)
    client.get(people_url(incident))
    draft = db.session.execute(select(PeopleNotice)).scalar_one()
    approve = {
        **notice_form(draft, consequences="Iemand kan uw naam misbruiken."),
        "action": "approve",
    }
    assert client.post(people_url(incident, "/notice"), data=approve).status_code == 302
    fg = db.session.execute(select(User).where(User.email == "fg@x.nl")).scalar_one()
    data = b"naam;e-mail\r\nAnna de Vries;anna@example.nl\r\n"
    staged = recipients.stage_import(
        db.session, incident, data, "l.csv", recipients.read_table(data, "l.csv").proposed,
        user=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    recipients.activate(db.session, staged, actor=Actor.of(fg), clock=clock)
    assert client.post(people_url(incident, "/mailings")).status_code == 302
    deliver_now(app)

    mails: list[EmailMessage] = [
        message_from_bytes(m.read_bytes(), policy=default)  # type: ignore[misc]
        for m in outbox_messages(app)
    ]
    (notice,) = [m for m in mails if m["To"] == "anna@example.nl"]
    name = public_name(incident.organisation)
    assert notice["From"].addresses[0].display_name == name
    assert notice["From"].addresses[0].addr_spec == "bd@x.nl"  # the sending's MAIL_FROM
    # Mail within the organisation (the FG's own) still comes from the address alone.
    inside = [m for m in mails if m["To"] != "anna@example.nl"]
    assert inside and all(m["From"] == "bd@x.nl" for m in inside)


def test_the_senders_name_keeps_the_address_and_stays_one_line() -> None:
    assert sender_named("breachdesk <bd@example.org>", "Luxigo") == "Luxigo <bd@example.org>"
    assert sender_named("bd@example.org", "Stichting Levensmozaïek") == (
        "Stichting Levensmozaïek <bd@example.org>"
    )
    assert sender_named("bd@example.org", "A, B & C") == '"A, B & C" <bd@example.org>'
    assert "\n" not in sender_named("bd@example.org", "Luxigo\nBcc: x@evil.example")
