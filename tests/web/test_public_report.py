"""Reporting without an account: the reporting link, the follow-up page and the conversation."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import sqlalchemy
from flask import Flask
from sqlalchemy import func, select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import (
    Attachment,
    AuditEvent,
    Delivery,
    Incident,
    IncidentMessage,
    Organisation,
    ReportingLink,
)
from breachdesk.services import reporting_links
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, deliver_now, login, outbox_messages
from .test_reports import PNG, form_data, pending_rows_written

SECRET = "test-secret"


def make_link(org: Organisation, clock: FixedClock, audience: str = "staff") -> str:
    link = reporting_links.make_link(
        db.session,
        org,
        reporting_links.Audience(audience),
        actor=Actor.system("test"),
        clock=clock,
    )
    return "/melden/" + reporting_links.link_token(SECRET, link)


def count(model: Any) -> int:
    return int(db.session.execute(select(func.count()).select_from(model)).scalar_one())


def report(client: Any, url: str, **changes: Any) -> Any:
    return client.post(url, data=form_data(**changes))


def test_anyone_with_the_link_reports_and_gets_a_private_follow_up_page(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    make_user("fg@x.nl", (kruix, Role.FG))
    kruix.deputy_email = "deputy@x.nl"
    db.session.commit()
    url = make_link(kruix, clock)
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kruix" in html and 'name="reporter_email"' in html and "Inloggen" not in html
    response = report(
        client,
        url,
        reporter_name="Piet Melder",
        reporter_email="piet@voorbeeld.nl",
        evidence=[(io.BytesIO(PNG), "scherm.png")],
    )
    assert response.status_code == 302
    follow_url = response.headers["Location"]
    assert follow_url.startswith("/volg/")
    incident = db.session.execute(select(Incident)).scalar_one()
    assert incident.reporter_id is None and incident.reported_via == "link_staff"
    assert (incident.reporter_name, incident.reporter_email) == ("Piet Melder", "piet@voorbeeld.nl")
    (attachment,) = incident.attachments
    assert attachment.uploaded_by_id is None and attachment.filename == "scherm.png"
    receipt_page = client.get(follow_url)
    receipt = receipt_page.get_data(as_text=True)
    assert incident.reference in receipt and "piet@voorbeeld.nl" in receipt
    assert "scherm.png" in receipt.split('id="your-files"')[1]
    assert receipt_page.headers["Cache-Control"] == "no-store, private"
    assert "noindex" in receipt_page.headers["X-Robots-Tag"]
    # The audit trail names the link, not the person; it keeps only whether contact was given.
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.reported")
    ).scalar_one()
    assert "Piet" not in str(event.after) and "piet@" not in str(event.after)
    assert event.actor_label == "reporting link (staff)"
    # The incident's history names it in the reader's language (found by exploratory testing).
    login(client, "fg@x.nl")
    history = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "iemand via de meldlink voor medewerkers" in history
    assert "reporting link (staff)" not in history
    kinds = sorted(
        db.session.execute(select(Delivery.kind).where(Delivery.incident_id == incident.id))
        .scalars()
        .all()
    )
    assert kinds == [
        "new_report",
        "report_confirmation",
        "untriaged_escalation",
        "untriaged_reminder",
    ]
    assert deliver_now(app).sent == 2
    mails = {
        p.read_text(encoding="utf-8").split("To: ")[1].split("\n")[0]: p
        for p in outbox_messages(app)
    }
    assert set(mails) == {"fg@x.nl, deputy@x.nl", "piet@voorbeeld.nl"}
    confirmation = mails["piet@voorbeeld.nl"].read_text(encoding="utf-8")
    assert incident.reference in confirmation
    (link,) = set(re.findall(r"https?://\S+/volg/\S+", confirmation))
    assert link.endswith(follow_url)


def test_a_bad_report_keeps_what_was_typed_and_stores_nothing(
    client: Any, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    url = make_link(orgs["kruix"], clock)
    response = report(client, url, title="", reporter_email="geen-adres", reporter_name="Anna")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Anna"' in html and 'value="geen-adres"' in html
    assert "Geef een geldig e-mailadres" in html or "valid e-mail" in html
    assert count(Incident) == 0


def test_unknown_forged_and_revoked_links_are_not_found(
    client: Any, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    url = make_link(orgs["kruix"], clock)
    link_id, signature = url.rsplit("/", 1)[1].split("-", 1)
    forged = f"/melden/{link_id}-{'A' * len(signature)}"
    assert client.get(forged).status_code == 404
    assert client.get("/melden/nonsense").status_code == 404
    # Rotating revokes the printed link at once.
    new_url = make_link(orgs["kruix"], clock)
    assert client.get(url).status_code == 404 and client.get(new_url).status_code == 200
    reporting_links.revoke_link(
        db.session,
        orgs["kruix"],
        reporting_links.Audience.STAFF,
        actor=Actor.system("t"),
        clock=clock,
    )
    assert client.get(new_url).status_code == 404
    assert count(ReportingLink) == 2


def test_the_processor_link_marks_the_report_as_from_a_processor(
    client: Any, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    """The supplier's form speaks to the supplier and shows no list of the organisation's
    suppliers (found by exploratory testing: it asked "was this reported to us by a
    supplier?" and had them pick themselves from every supplier, with its service)."""
    url = make_link(orgs["kruix"], clock, "processor")
    html = client.get(url).get_data(as_text=True)
    assert '<input type="hidden" name="reported_by_processor" value="y">' in html
    assert "Naam van je organisatie" in html and "bewust geworden" in html
    assert 'name="reporting_processor_key"' not in html and 'name="processor_keys"' not in html
    assert "Is dit aan ons gemeld door een leverancier" not in html
    assert 'name="processor_notified_at"' not in html  # sending it is telling them
    nameless = report(client, url, reported_by_processor="y")
    error = nameless.get_data(as_text=True).split('id="reporting_processor_name-error"')[1]
    assert nameless.status_code == 422 and "Geef de naam van je organisatie." in error[:200]
    response = report(
        client,
        url,
        reported_by_processor="y",
        reporting_processor_name="Hostingbedrijf BV",
        processor_aware_at="2026-11-19T08:00",
    )
    assert response.status_code == 302
    incident = db.session.execute(select(Incident)).scalar_one()
    assert incident.reported_via == "link_processor" and incident.reported_by_processor
    assert (incident.reporting_processor or {}).get("name") == "Hostingbedrijf BV"
    # Told at the moment it was sent (T0 is 19-11-2026 11:00 Dutch time).
    assert incident.processor_notified_at is not None
    assert incident.processor_notified_at.isoformat() == "2026-11-19T10:00:00+00:00"


def test_bots_and_floods_are_refused_without_filling_the_inbox(
    app: Flask, client: Any, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    url = make_link(orgs["kruix"], clock)
    response = report(client, url, confirm_email="bot@spam.example")
    assert response.status_code == 422 and count(Incident) == 0
    app.config["LINK_REPORTS_PER_DAY"] = 3
    for _ in range(3):
        assert report(client, url).status_code == 302
    refused = report(client, url)
    assert refused.status_code == 429
    assert "te veel meldingen" in refused.get_data(as_text=True)
    assert count(Incident) == 3


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "LINK_REPORT_RATE_LIMIT": "3 per minute"}]
)
def test_rate_limit_per_address_on_the_link(
    client: Any, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    url = make_link(orgs["kruix"], clock)
    codes = [report(client, url, title="").status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]
    assert client.get(url).status_code == 200  # only sending is limited
    assert count(Incident) == 0
    clock.advance(seconds=20)
    refused = report(client, url, title="")
    assert refused.headers["Retry-After"] == "40"  # the window began at the first post
    assert "Wacht 40 seconden" in refused.get_data(as_text=True)
    clock.advance(seconds=40)
    assert report(client, url, title="").status_code == 422  # a new window


def follow_up_url(client: Any, url: str, **changes: Any) -> str:
    response = report(client, url, **changes)
    assert response.status_code == 302
    return str(response.headers["Location"])


def test_follow_up_both_ways_and_never_another_report(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    make_user("fg@x.nl", (kruix, Role.FG))
    url = make_link(kruix, clock)
    mine = follow_up_url(client, url, title="Mijn melding", reporter_email="piet@voorbeeld.nl")
    other = follow_up_url(client, url, title="Melding van een ander")
    incident = db.session.execute(
        select(Incident).where(Incident.title == "Mijn melding")
    ).scalar_one()
    page = client.get(mine).get_data(as_text=True)
    assert "Mijn melding" in page and "Melding van een ander" not in page
    # A follow-up token opens its own report only: changing the id breaks the signature.
    other_id = other.rsplit("/", 1)[1].split("-")[0]
    signature = mine.rsplit("/", 1)[1].split("-", 1)[1]
    assert client.get(f"/volg/{other_id}-{signature}").status_code == 404
    deliver_now(app)
    # The FG asks; the question is mailed to the address the reporter gave.
    fg = app.test_client()
    login(fg, "fg@x.nl")
    asked = fg.post(f"/incidents/{incident.id}/questions", data={"body": "Aan wie ging de mail?"})
    assert asked.status_code == 302
    assert deliver_now(app).sent == 1
    question_mail = max(outbox_messages(app), key=lambda p: p.stat().st_mtime_ns).read_text(
        encoding="utf-8"
    )
    assert "To: piet@voorbeeld.nl" in question_mail and "Aan wie ging de mail?" in question_mail
    assert "Aan wie ging de mail?" in client.get(mine).get_data(as_text=True)
    # The reporter answers with a file; the question counts as answered; the FG is told.
    answered = client.post(
        mine,
        data={
            "body": "Naar de leverancier; verwijderd.",
            "evidence": [(io.BytesIO(PNG), "ok.png")],
        },
    )
    assert answered.status_code == 302
    messages = (
        db.session.execute(select(IncidentMessage).order_by(IncidentMessage.id)).scalars().all()
    )
    assert [m.kind for m in messages] == ["question", "answer"]
    assert messages[0].answered_at is not None and messages[1].author_id is None
    assert [a.filename for a in incident.attachments] == ["ok.png"]
    assert deliver_now(app).sent == 1
    fg_page = fg.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Naar de leverancier; verwijderd." in fg_page
    # An empty answer is refused at the field, nothing stored.
    empty = client.post(mine, data={"body": "  "})
    assert empty.status_code == 422 and count(IncidentMessage) == 2


def test_an_administrator_never_reads_the_reporters_follow_up_link(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    """Whoever has the follow-up link answers and adds files in the reporter's name: the
    confirmation and the FG's question that carry it stay out of the organisation's outbox."""
    kruix = orgs["kruix"]
    make_user("fg@x.nl", (kruix, Role.FG))
    make_user("admin@x.nl", (kruix, Role.ADMIN))
    mine = follow_up_url(client, make_link(kruix, clock), reporter_email="piet@voorbeeld.nl")
    incident = db.session.execute(select(Incident)).scalar_one()
    fg = app.test_client()
    login(fg, "fg@x.nl")
    fg.post(f"/incidents/{incident.id}/questions", data={"body": "Aan wie ging de mail?"})
    deliver_now(app)
    to_reporter = [m for m in outbox_messages(app) if "To: piet@" in m.read_text()]
    assert len(to_reporter) == 2 and {m.parent.name for m in to_reporter} == {"_system"}
    assert all(mine in m.read_text().replace("=\n", "") for m in to_reporter)
    admin = app.test_client()
    login(admin, "admin@x.nl")
    outbox = admin.get("/admin/outbox").get_data(as_text=True)
    listed = re.findall(r'href="(/admin/outbox/[^"]+)"', outbox)
    assert listed  # the FG's mail about the new report is there
    token = mine.rsplit("/", 1)[1]
    assert all(token not in admin.get(path).get_data(as_text=True) for path in listed)
    assert "piet@voorbeeld.nl" not in outbox


def test_a_reporter_with_an_account_answers_on_their_report(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("r2@x.nl", (kruix, Role.REPORTER))
    make_user("fg@x.nl", (kruix, Role.FG))
    login(client, "r@x.nl")
    assert client.post("/report/kruix", data=form_data()).status_code == 302
    incident = db.session.execute(select(Incident)).scalar_one()
    fg = app.test_client()
    login(fg, "fg@x.nl")
    fg.post(f"/incidents/{incident.id}/questions", data={"body": "Was de brief dicht?"})
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Was de brief dicht?" in page and 'id="reply-form"' in page
    assert client.post(f"/incidents/{incident.id}/reply", data={"body": "Ja."}).status_code == 302
    # Someone else cannot answer on this report.
    other = app.test_client()
    login(other, "r2@x.nl")
    assert other.post(f"/incidents/{incident.id}/reply", data={"body": "Nee."}).status_code == 404
    assert [m.body for m in db.session.execute(select(IncidentMessage)).scalars()] == [
        "Was de brief dicht?",
        "Ja.",
    ]


def test_spam_is_discarded_with_a_reason_and_leaves_inbox_and_register(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    make_user("fg@x.nl", (kruix, Role.FG))
    url = make_link(kruix, clock)
    follow_up_url(client, url, title="Goedkope zonnepanelen")
    incident = db.session.execute(select(Incident)).scalar_one()
    fg = app.test_client()
    login(fg, "fg@x.nl")
    assert "Goedkope zonnepanelen" in fg.get("/incidents/").get_data(as_text=True)
    refused = fg.post(f"/incidents/{incident.id}/discard", data={"reason": ""})
    assert refused.status_code == 422 and incident.state == "reported"
    done = fg.post(f"/incidents/{incident.id}/discard", data={"reason": "Reclame via de link."})
    assert done.status_code == 302
    db.session.refresh(incident)
    assert incident.state == "discarded"
    assert "Goedkope zonnepanelen" not in fg.get("/incidents/").get_data(as_text=True)
    assert "Goedkope zonnepanelen" not in fg.get("/register/").get_data(as_text=True)
    # Its chase mails are cancelled, not sent.
    statuses = set(
        db.session.execute(
            select(Delivery.status).where(Delivery.kind.like("untriaged%"))
        ).scalars()
    )
    assert statuses == {"cancelled"}
    assert (
        fg.post(f"/incidents/{incident.id}/restore", data={"reason": "Toch echt."}).status_code
        == 302
    )
    db.session.refresh(incident)
    assert incident.state == "in_triage"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FG])
def test_the_links_page_shows_the_link_and_its_qr_code(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock, role: Role
) -> None:
    kruix = orgs["kruix"]
    make_user("u@x.nl", (kruix, role))
    login(client, "u@x.nl")
    page = client.get("/admin/organisations/kruix/reporting-links").get_data(as_text=True)
    assert "/melden/" not in page
    made = client.post("/admin/organisations/kruix/reporting-links/staff/new")
    if role is Role.FG:
        assert made.status_code == 404 and count(ReportingLink) == 0
        make_link(kruix, clock)
    else:
        assert made.status_code == 302 and count(ReportingLink) == 1
    page = client.get("/admin/organisations/kruix/reporting-links").get_data(as_text=True)
    assert "http://breachdesk.test/melden/" in page and "<svg" in page
    poster = client.get("/admin/organisations/kruix/reporting-links/staff/poster")
    assert poster.status_code == 200 and "<svg" in poster.get_data(as_text=True)
    # On paper the poster is only the poster: the screen's warnings (mail to a folder) and
    # messages are not printed (found by exploratory testing: the red warning was).
    printed = poster.get_data(as_text=True)
    warnings = re.findall(r'<div class="alert [^"]*"[^>]*data-warning="[^"]+"', printed)
    assert warnings and all("d-print-none" in w for w in warnings)


def test_outsiders_do_not_see_an_organisations_links(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("a@x.nl", (orgs["luxigo"], Role.ADMIN))
    login(client, "a@x.nl")
    assert client.get("/admin/organisations/kruix/reporting-links").status_code == 404
    assert client.post("/admin/organisations/kruix/reporting-links/staff/new").status_code == 404
    assert count(Attachment) == 0


def test_a_link_report_and_its_file_are_saved_without_a_pending_row(
    client: Any, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    url = make_link(orgs["kruix"], clock)
    client.get(url)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sqlalchemy.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = report(client, url, evidence=[(io.BytesIO(PNG), "scherm.png")])
    finally:
        sqlalchemy.event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 302
    assert db.session.execute(select(Attachment.filename)).scalar_one() == "scherm.png"
    assert pending_rows_written(statements) == []


def test_the_same_link_form_sent_again_makes_one_report(
    client: Any, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    """As on the staff form (found by exploratory testing): the reporting link's form sent
    twice leads to the report it made, with a word, not to a second incident."""
    url = make_link(orgs["kruix"], clock)
    page = client.get(url).get_data(as_text=True)
    key = re.search(r'name="submission" type="hidden" value="([\w-]+)"', page)
    assert key is not None
    first = report(client, url, submission=key.group(1))
    assert first.status_code == 302
    again = report(client, url, submission=key.group(1))
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Je had deze melding al verstuurd" in page
    assert count(Incident) == 1
