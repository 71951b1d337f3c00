"""A new list replaces the list in use, and the pages say so (found by exploratory testing:
importing one person "to add them" silently replaced a list of seven, and the send step then
said everyone on the list would get the notice again, which was not true of the new list)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from breachdesk.extensions import db
from breachdesk.models import (
    Delivery,
    Incident,
    Mailing,
    Organisation,
    PeopleNotice,
    Recipient,
    RecipientImport,
    User,
)
from breachdesk.services import recipients
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, deliver_now
from .test_people_web import informing, notice_form, people_url


def _stage(incident: Incident, rows: str, clock: FixedClock) -> RecipientImport:
    fg = db.session.execute(select(User).where(User.email == "fg@x.nl")).scalar_one()
    data = ("naam;e-mail\r\n" + rows).encode()
    return recipients.stage_import(
        db.session, incident, data, "l.csv", recipients.read_table(data, "l.csv").proposed,
        user=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip


def approved(client: Any, orgs: dict[str, Organisation], make_user: MakeUser) -> Incident:
    """A breach whose notice to the people is approved; no provider cap: sent at once."""
    incident = informing(client, orgs, make_user)
    incident.organisation.notice_rate_per_minute = 0
    db.session.commit()
    client.get(people_url(incident))
    draft = db.session.execute(select(PeopleNotice)).scalar_one()
    approve = {
        **notice_form(draft, consequences="Iemand kan uw naam misbruiken."),
        "action": "approve",
    }
    assert client.post(people_url(incident, "/notice"), data=approve).status_code == 302
    return incident


def test_a_new_list_says_it_replaces_the_one_in_use_and_the_send_step_says_who_gets_it(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    incident = approved(client, orgs, make_user)
    review = people_url(incident, "/recipients/{}")
    first = _stage(incident, "Anna;anna@example.nl\r\nBram;bram@example.nl\r\n", clock)
    assert 'id="replaces-list"' not in client.get(review.format(first.id)).get_data(as_text=True)
    assert client.post(review.format(first.id) + "/activate").status_code == 302
    assert client.post(people_url(incident, "/mailings")).status_code == 302
    deliver_now(app)
    send = client.get(people_url(incident)).get_data(as_text=True).split('id="send"')[1]
    send = send.split("</form>")[0]
    assert "Versie 1 heeft 2 personen op deze lijst al bereikt." in send
    # Nobody is left to reach: that choice is off, and "everyone again" is not chosen for the
    # FG (it was, and one click sent everyone the same notice twice: exploratory testing).
    assert 'value="unreached" disabled' in send and 'value="everyone">' in send
    assert 'id="everyone-reached"' in send
    refused = client.post(people_url(incident, "/mailings"), follow_redirects=True)
    assert "Iedereen op de lijst heeft versie 1 al gehad." in refused.get_data(as_text=True)

    second = _stage(incident, "Cor;cor@example.nl\r\n", clock)
    page = client.get(review.format(second.id)).get_data(as_text=True)
    warning = page.split('id="replaces-list"')[1].split("</div>")[0]
    assert "vervangt de lijst die nu in gebruik is (2 personen)" in warning
    assert client.post(review.format(second.id) + "/activate").status_code == 302
    send = client.get(people_url(incident)).get_data(as_text=True).split('id="send"')[1]
    send = send.split("</form>")[0]
    assert "Naar deze lijst is nog niet verzonden" in send
    assert 'id="send-to"' not in send  # nobody on it was reached: no choice to make


def test_a_corrected_list_goes_by_default_only_to_the_people_not_reached_yet(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    """Before, adding one person meant importing the list with everyone, who then all got
    the same notice a second time; the page now offers the people not reached yet."""
    incident = approved(client, orgs, make_user)
    review = people_url(incident, "/recipients/{}")
    first = _stage(incident, "Anna;anna@example.nl\r\nBram;bram@example.nl\r\n", clock)
    assert client.post(review.format(first.id) + "/activate").status_code == 302
    assert client.post(people_url(incident, "/mailings")).status_code == 302
    deliver_now(app)

    rows = "Anna;anna@example.nl\r\nBram;bram@example.nl\r\nCor;cor@example.nl\r\n"
    corrected = _stage(incident, rows, clock)
    assert client.post(review.format(corrected.id) + "/activate").status_code == 302
    page = client.get(people_url(incident)).get_data(as_text=True)
    send = page.split('id="send"')[1].split("</form>")[0]
    assert 'value="unreached" checked' in send
    assert "Alleen de 1 persoon die nog niet is bereikt" in send
    assert "Iedereen op de lijst opnieuw (3 personen)" in send
    started = client.post(people_url(incident, "/mailings"), data={"who": "unreached"})
    assert started.status_code == 302
    deliver_now(app)
    latest = db.session.execute(select(func.max(Mailing.id))).scalar_one()
    sent = db.session.execute(
        select(Recipient.email, Delivery.status)
        .join(Delivery, Delivery.recipient_id == Recipient.id)
        .where(Delivery.mailing_id == latest)
    ).all()  # fmt: skip
    assert [tuple(row) for row in sent] == [("cor@example.nl", "sent")]
    listed = client.get(people_url(incident)).get_data(as_text=True)
    assert "alleen aan wie nog niet was bereikt" in listed
    # Hand-made numbers past the database's range are bounded, not a 500.
    huge = "99999999999999999999"
    assert client.get(people_url(incident) + f"?person={huge}").status_code == 200
    proof = people_url(incident, f"/mailings/{latest}/proof?page={huge}")
    assert client.get(proof).status_code == 200
