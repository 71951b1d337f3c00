"""Dutch pages say it the Dutch way: dates in words and Amsterdam time in the outbox and the
mails, one word "Kenmerk", a decimal comma in the ENISA sum, readable file sizes, the audit
trail naming incidents by their reference, and the inbox's e-mail list following its filter."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation
from breachdesk.services.clock import FixedClock

from ..conftest import login, outbox_messages
from .test_untranslated import ADMIN, DEMO_PASSWORD, FG, add_attachment, demo, untranslated

__all__ = ["demo", "untranslated"]  # fixtures

DUTCH_MOMENT = r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4} om \d\d:\d\d"  # noqa: E501


def test_the_outbox_and_its_mails_write_dutch_dates_in_amsterdam_time(
    app: Flask, client: Any, demo: None
) -> None:
    login(client, ADMIN, DEMO_PASSWORD)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert re.search(DUTCH_MOMENT, page) and "+0000" not in page and "Dec 2026" not in page
    mail = outbox_messages(app)[0]  # decrypted as read
    shown = client.get(f"/admin/outbox/{mail.parent.name}/{mail.name}").get_data(as_text=True)
    assert re.search(rf'<dd class="col-sm-10">{DUTCH_MOMENT}</dd>', shown)
    # The mail itself: "Kenmerk" in Dutch, times in words, Dutch part first.
    body = mail.read_text(encoding="utf-8")
    assert "Kenmerk:" in body and "Referentie" not in body
    assert re.search(rf"Gemeld: +{DUTCH_MOMENT} \(Nederlandse tijd\)", body)


def test_the_audit_trail_names_each_incident_by_its_reference(client: Any, demo: None) -> None:
    login(client, FG, DEMO_PASSWORD)
    page = client.get("/admin/organisations/kruix/audit").get_data(as_text=True)
    incident = db.session.execute(
        select(Incident).join(Organisation).where(Organisation.slug == "kruix")
    ).scalar_one()
    link = f'<a href="/incidents/{incident.id}">{incident.reference}</a>'
    assert link in page
    assert not re.search(r"</code> incident \d", page)


def test_the_incident_page_writes_sizes_and_the_enisa_sum_the_dutch_way(
    app: Flask, client: Any, clock: FixedClock, demo: None
) -> None:
    incidents = db.session.execute(select(Incident).order_by(Incident.id)).scalars().all()
    decided = next(i for i in incidents if i.facts)
    add_attachment(app, clock, decided)
    login(client, FG, DEMO_PASSWORD)
    page = client.get(f"/incidents/{decided.id}").get_data(as_text=True)
    assert re.search(r"ontvangst\.pdf</a>\s*<span[^>]*>\(\d+ bytes\)</span>", page)
    arithmetic = re.search(r'id="enisa-arithmetic">([^<]*)<', page)
    assert arithmetic and re.search(r"EI \d,\d+ \+ CB \d,\d+ = \d,\d+ \(", arithmetic.group(1))


def test_the_inbox_lists_only_the_e_mails_of_the_chosen_organisation(
    client: Any, demo: None
) -> None:
    login(client, FG, DEMO_PASSWORD)
    orgs = db.session.execute(select(Organisation)).scalars().all()
    shown_any = False
    for org in orgs:
        page = client.get(f"/incidents/?org={org.id}").get_data(as_text=True)
        listed = page.split('id="recent-reminders"', 1)[-1].split("</section>", 1)[0]
        references = set(re.findall(r">([A-Z0-9]+-\d{4}-\d{4})</a>", listed))
        own = select(Incident.reference).where(Incident.organisation_id == org.id)
        assert references <= set(db.session.execute(own).scalars()), org.slug
        shown_any = shown_any or bool(references)
    assert shown_any


def test_a_report_still_to_triage_says_when_it_was_discovered_and_the_log_comes_last(
    client: Any, demo: None
) -> None:
    """Found by exploratory testing: a report still to be triaged showed no date at all, so a
    breach found four days before looked like any other; on a phone the log of the last two
    days' e-mails came first and pushed the incidents 2,000 px down."""
    login(client, FG, DEMO_PASSWORD)
    page = client.get("/incidents/").get_data(as_text=True)
    untriaged = db.session.execute(
        select(Incident).where(Incident.state == "reported").limit(1)
    ).scalar_one()
    row = page.split(f'data-reference="{untriaged.reference}"', 1)[1].split("</tr>", 1)[0]
    assert "kennisname nog niet vastgelegd" in row and "data-discovered=" in row
    assert "ontdekt " in row
    if 'id="recent-reminders"' in page:
        assert page.index('id="incident-list"') < page.index('id="recent-reminders"')
