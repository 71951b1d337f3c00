"""Every page in Dutch with not one string left in English, and in English with none in Dutch.

The demo organisations, accounts and incidents are loaded as ``make run`` loads them (each
incident at another point of its clock, reminders sent, one notified, one informing the
people); on top of that an attachment, a remedial action, an AP filing with its sheet, a
notice to the people sent to an imported list, a register import in progress and a calendar
link. Then the FG, the administrator and a reporter each open every GET route of the app, with
every value the data has for its arguments, in Dutch and in English (the PDF, XLSX and ZIP
documents once, by the FG, in Dutch). A route no one could open fails the test: new routes
need data here.

Two things are recorded and listed when the test fails:

* every msgid looked up through Babel that the page language's catalogue does not translate (a
  string never extracted, or an empty ``msgstr``), from the pages, the mails and the demo
  loader alike; WTForms' labels made from field names count only where a page shows them;
* every sentence of the catalogue in the other language that shows verbatim in a page's
  text (a string that bypassed gettext, or was translated in the wrong language).
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import flask_babel
import pyotp
import pytest
from babel import support
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import literal, select
from werkzeug.routing import Rule

import breachdesk
from breachdesk.demo import DEMO_DOMAIN, DEMO_PASSWORD, load
from breachdesk.demo.incidents import load_incidents
from breachdesk.domain.roles import Role
from breachdesk.domain.webhooks import TargetPolicy
from breachdesk.extensions import db
from breachdesk.models import (
    Attachment,
    Incident,
    Invitation,
    Mailing,
    Notification,
    Organisation,
    PeopleNotice,
    RecipientImport,
    User,
    WebhookEndpoint,
)
from breachdesk.services import (
    evidence,
    invitations,
    password_reset,
    reporting_links,
    second_factor,
    webhooks,
)
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.delivery import DeliverySettings, WebhookTransport

from ..conftest import deliver_now, login

FG = f"fg@{DEMO_DOMAIN}"
ADMIN = f"admin@{DEMO_DOMAIN}"
REPORTER = f"melder.kruix@{DEMO_DOMAIN}"

#: GET routes that render no words of ours (static files, health JSON, the language switch).
NO_WORDS = {"static", "bootstrap.static", "health.healthz", "auth.language"}

#: Slow documents (PDF, XLSX, ZIP): opened once, by the FG, the first one the data has (their
#: words are mostly the templates and labels of the pages visited anyway).
BINARY = {
    "sheet.pdf",
    "register.export_pdf",
    "register.export_xlsx",
    "register.evidence_pack_zip",
    "people_post.letters_pdf",
}

CATALOGUES = Path(breachdesk.__file__).parent / "translations"


class Untranslated:
    """Records each msgid looked up in ``lang`` that its catalogue has no text for."""

    def __init__(self) -> None:
        self.lang = "nl"
        self.where = "setup"
        self.found: dict[str, set[str]] = {}
        self.default_labels: set[str] = set()

    def check(self, translations: support.Translations, key: object, shown: str) -> None:
        if str(flask_babel.get_locale()) != self.lang or key in translations._catalog:
            return
        if _wtforms_default_label():
            # WTForms looks up a label made from the field's name ("Seen Checklist") for
            # every field given none; only one shown in a <label> is an English word.
            self.default_labels.add(shown)
            return
        self.found.setdefault(shown, set()).add(self.where)

    def shown_labels(self, page: str) -> None:
        """Record the default labels of the page's fields that the page shows."""
        for label in self.default_labels:
            if re.search(rf"<label[^>]*>\s*{re.escape(label)}\s*<", page):
                self.found.setdefault(label, set()).add(self.where)
        self.default_labels.clear()


def _wtforms_default_label() -> bool:
    frame = sys._getframe(3)
    for _ in range(4):
        if frame is None:
            return False
        code = frame.f_code
        if code.co_name == "__init__" and code.co_filename.endswith("wtforms/fields/core.py"):
            return True
        frame = frame.f_back
    return False


@pytest.fixture
def untranslated(monkeypatch: pytest.MonkeyPatch) -> Iterator[Untranslated]:
    """Wraps the lookups of Babel's translations object, which every path ends in: Python's
    gettext and lazy strings through Flask-Babel's domain, templates through the callables
    Flask-Babel installs in Jinja."""
    record = Untranslated()
    cls = support.Translations
    gettext, ngettext = cls.ugettext, cls.ungettext
    pgettext, npgettext = cls.upgettext, cls.unpgettext

    def ugettext(self: support.Translations, message: str) -> str:
        record.check(self, message, message)
        return gettext(self, message)

    def ungettext(self: support.Translations, singular: str, plural: str, num: int) -> str:
        record.check(self, (singular, 0), singular)
        return ngettext(self, singular, plural, num)

    def upgettext(self: support.Translations, context: str, message: str) -> str:
        record.check(self, f"{context}\x04{message}", f"{context}|{message}")
        return pgettext(self, context, message)

    def unpgettext(
        self: support.Translations, context: str, singular: str, plural: str, num: int
    ) -> str:
        record.check(self, (f"{context}\x04{singular}", 0), f"{context}|{singular}")
        return npgettext(self, context, singular, plural, num)

    monkeypatch.setattr(cls, "ugettext", ugettext)
    monkeypatch.setattr(cls, "ungettext", ungettext)
    monkeypatch.setattr(cls, "upgettext", upgettext)
    monkeypatch.setattr(cls, "unpgettext", unpgettext)
    yield record


def other_language(lang: str) -> list[str]:
    """What must not show on a page in ``lang``: literal stretches (four words or more) of the
    catalogue's English msgids on a Dutch page, of its Dutch msgstrs on an English page, where
    the two differ."""
    with open(CATALOGUES / "nl" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    found = set()
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or message.string == message.id:
            continue
        text = message.id if lang == "nl" else message.string
        for part in re.split(r"%\(\w+\)[sd]|%[sd]|<[^>]*>|\{[^}]*\}", text):
            part = " ".join(part.split()).strip(" .,:;()“”")
            if len(part.split()) >= 4:
                found.add(part)
    return sorted(found)


class _Text(HTMLParser):
    """The words a page shows in its own language: not scripts, styles or form values, and not
    documents marked as written in another language (``lang``) or as not to be translated
    (``translate="no"``: a notice shown exactly as it is sent, in its own languages)."""

    SKIP = {"script", "style", "textarea"}
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "wbr",
    }

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.words: list[str] = []
        self.skipping: list[str] = []  # the open elements since the first skipped one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        found = dict(attrs)
        other = found.get("lang") not in (None, self.lang) or found.get("translate") == "no"
        if self.skipping or other or tag in self.SKIP:
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and tag in self.skipping:
            while self.skipping.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.words.append(data)


def visible_text(page: str, lang: str) -> str:
    parser = _Text(lang)
    parser.feed(page)
    return " ".join(" ".join(parser.words).split())


@pytest.fixture
def demo(app: Flask, clock: FixedClock, untranslated: Untranslated) -> None:
    rt = app.extensions["breachdesk"]
    untranslated.where = "demo load (mails)"
    load(db.session, clock=clock, hasher=rt.hasher)
    load_incidents(
        db.session,
        clock=clock,
        mailer=rt.mailer,
        settings=DeliverySettings(mail_from="bd@x.nl", base_url="http://breachdesk.test"),
    )
    db.session.remove()


CSV = (
    "naam;e-mail;straat;postcode;plaats\r\n"
    "Jan Jansen;jan@example.nl;;;\r\n"
    "Piet Pieters;piet@@example;;;\r\n"
    "Els Bakker;;Dorpsstraat 12;1234 AB;Ons Dorp\r\n"
).encode("cp1252")


def add_attachment(app: Flask, clock: FixedClock, incident: Incident) -> None:
    """A receipt under 1 kB, uploaded by the FG."""
    rt = app.extensions["breachdesk"]
    fg = db.session.execute(select(User).where(User.email == FG)).scalar_one()
    pending = evidence.stage(
        db.session,
        user=fg,
        filename="ontvangst.pdf",
        stream=io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"),
        store=rt.store,
        clock=clock,
        max_bytes=10_000_000,
    )
    evidence.claim(db.session, [pending], incident_id=incident.id, user=fg)
    db.session.commit()


def file_a_sheet(client: Any, incidents: list[Incident]) -> None:
    """The AP answer sheet filed (provisionally) for the first incident that can be filed."""
    for incident in incidents:
        data = {"submitted_at": "2026-11-19T11:00", "reference": "M-1", "provisional": "y"}
        data |= {"delay_reason": "Later gezien.", "seen_filings": str(len(incident.notifications))}
        client.post(f"/incidents/{incident.id}/ap-sheet/file", data=data)
        if any(n.sheet for n in db.session.execute(select(Notification)).scalars()):
            return
    raise AssertionError("no incident could be filed with the AP")


def inform_people(app: Flask, client: Any, incidents: list[Incident]) -> str:
    """The notice to the people approved, a list imported and sent, a second list left for
    review; returns the second list's mapping page."""
    for incident in incidents:
        people = f"/incidents/{incident.id}/people"
        if client.get(people).status_code != 200:
            continue
        notice = db.session.execute(
            select(PeopleNotice).where(PeopleNotice.incident_id == incident.id)
        ).scalar_one_or_none()
        if notice is None:
            continue
        incident.organisation.notice_rate_per_minute = 0
        db.session.commit()
        data = {"seen": str(notice.edit_count), "lang": notice.lang, "subject": notice.subject}
        data |= {
            key: text or "Wij vertellen u wat er gebeurd is."
            for key, text in notice.sections.items()
        }
        assert (
            client.post(f"{people}/notice", data={**data, "action": "approve"}).status_code == 302
        )
        upload = {"file": (io.BytesIO(CSV), "klanten.csv")}
        uploaded = client.post(
            f"{people}/recipients/new", data=upload, content_type="multipart/form-data"
        )
        columns = {
            f"col-{n}": name
            for n, name in enumerate(("name", "email", "street", "postcode", "city"))
        }
        mapped = client.post(uploaded.headers["Location"], data={"has_header": "y", **columns})
        assert client.post(mapped.headers["Location"] + "/activate").status_code == 302
        assert client.post(f"{people}/mailings").status_code == 302
        deliver_now(app)
        upload = {"file": (io.BytesIO(CSV), "tweede.csv")}
        again = client.post(
            f"{people}/recipients/new", data=upload, content_type="multipart/form-data"
        )
        return str(again.headers["Location"])
    raise AssertionError("no demo incident is at informing the people")


def more_data(app: Flask, client: Any, clock: FixedClock) -> dict[str, str]:
    """What the demo leaves out, added as the FG would; returns the URLs that hold a secret
    or a step in progress, by endpoint."""
    incidents = list(db.session.execute(select(Incident).order_by(Incident.id)).scalars())
    add_attachment(app, clock, incidents[0])
    login(client, FG, DEMO_PASSWORD)
    action = {"title": "Wachtwoorden vervangen", "owner_email": FG, "due_on": "2026-11-18"}
    assert client.post(f"/incidents/{incidents[0].id}/actions/add", data=action).status_code == 302
    file_a_sheet(client, incidents)
    urls = {"recipients.mapping": inform_people(app, client, incidents)}
    issued = client.post("/account/calendar").get_data(as_text=True)
    feed = re.search(r"http://breachdesk\.test(/calendar/[\w-]+\.ics)", issued)
    assert feed, "the calendar link is shown once"
    urls["calendar.feed"] = feed.group(1)
    urls.update(report_through_the_link(client, clock))
    # Mails with a link for their recipient only are in _system, which no administrator opens.
    outbox = sorted(
        p for p in Path(app.config["OUTBOX_DIR"]).rglob("*.eml") if p.parent.name != "_system"
    )
    assert outbox, "the demo sends mails"
    urls["admin.outbox_message"] = f"/admin/outbox/{outbox[0].parent.name}/{outbox[0].name}"
    client.post("/logout")
    return urls


def report_through_the_link(client: Any, clock: FixedClock) -> dict[str, str]:
    """Kruix's reporting link, a report through it with a question of the FG on it."""
    kruix = db.session.execute(
        select(Organisation).where(Organisation.slug == "kruix")
    ).scalar_one()
    link = reporting_links.make_link(
        db.session, kruix, reporting_links.Audience.STAFF, actor=Actor.system("test"), clock=clock
    )
    report_url = "/melden/" + reporting_links.link_token("test-secret", link)
    sent = client.post(
        report_url,
        data={
            "title": "Mail naar verkeerde ontvanger",
            "description": "Een mail met een klantlijst ging naar de verkeerde persoon.",
            "discovered_at": "2026-11-19T09:30",
            "ongoing": "no",
            "subjects_mode": "unknown",
            "children_involved": "unknown",
            "protection": "none",
            "reporter_email": "melder@voorbeeld.nl",
        },
    )
    assert sent.status_code == 302, "the report through the link is stored"
    follow = sent.headers["Location"]
    incident_id = follow.rsplit("/", 1)[1].split("-")[0]
    asked = client.post(f"/incidents/{incident_id}/questions", data={"body": "Aan wie?"})
    assert asked.status_code == 302
    reporter = db.session.execute(select(User).where(User.email == REPORTER)).scalar_one()
    reset = password_reset.cli_link(db.session, reporter, secret_key="test-secret", clock=clock)
    invitations.invite(
        db.session,
        kruix,
        "nieuw@voorbeeld.nl",
        [Role.REPORTER],
        actor=Actor.system("t"),
        clock=clock,
    )
    invitation = db.session.execute(select(Invitation)).scalar_one()
    vault = client.application.extensions["breachdesk"].vault
    local = WebhookTransport(policy=TargetPolicy(allow_private=True), vault=vault)
    hook = webhooks.EndpointInput("https://127.0.0.1:9/hooks", "SIEM", ["ap.filed"], True)
    made = webhooks.create(
        db.session, kruix, hook, check=local, vault=vault, actor=Actor.system("t"), clock=clock
    )
    webhooks.send_test(db.session, made.endpoint, actor=Actor.system("t"), clock=clock)
    return {
        "invitations.accept": "/uitnodiging/" + invitations.link_token("test-secret", invitation),
        "password_reset.reset": f"/wachtwoord/{reset}",
        "public.report": report_url,
        "public.followup": follow,
        "reporting_links.poster": "/admin/organisations/kruix/reporting-links/staff/poster",
    }


def start_register_import(client: Any) -> None:
    """An import of an earlier register, checked and left before running it (it lives in the
    person's session): its mapping page and its list of refused rows can be opened."""
    kruix = select(Organisation.id).where(Organisation.slug == "kruix")
    register = b"kenmerk;ontdekt;titel\r\nDL-1;05-03-2023;Brief kwijt\r\nDL-2;gisteren;x\r\n"
    upload = {
        "org": str(db.session.execute(kruix).scalar_one()),
        "file": (io.BytesIO(register), "register.csv"),
    }
    if (
        client.post("/register/import", data=upload, content_type="multipart/form-data").status_code
        == 302
    ):
        mapping = {"map_reference": "0", "map_discovered": "1", "map_title": "2", "has_header": "1"}
        client.post("/register/import/check", data=mapping)


def urls_for(rule: Rule, urls: dict[str, str]) -> list[str]:
    """URLs for ``rule`` with every value the database holds for its arguments."""
    if rule.endpoint in urls:
        return [urls[rule.endpoint]]
    queries: dict[frozenset[str], Any] = {
        frozenset(): None,
        frozenset({"slug"}): select(Organisation.slug),
        frozenset({"incident_id"}): select(Incident.id),
        frozenset({"incident_id", "attachment_id"}): select(Attachment.incident_id, Attachment.id),
        frozenset({"incident_id", "notification_id"}): select(
            Notification.incident_id, Notification.id
        ),
        frozenset({"incident_id", "mailing_id"}): select(Mailing.incident_id, Mailing.id),
        frozenset({"incident_id", "mailing_id", "part"}): select(
            Mailing.incident_id, Mailing.id, literal(1)
        ),
        frozenset({"incident_id", "import_id"}): select(
            RecipientImport.incident_id, RecipientImport.id
        ),
        frozenset({"slug", "endpoint_id"}): select(Organisation.slug, WebhookEndpoint.id).join(
            WebhookEndpoint, WebhookEndpoint.organisation_id == Organisation.id
        ),
    }
    query = queries[frozenset(rule.arguments)]
    if query is None:
        return [rule.rule]
    found = []
    for row in db.session.execute(query):
        url = rule.rule
        for name, value in zip(
            sorted(rule.arguments, key=lambda a: rule.rule.index(a)), row, strict=True
        ):
            url = re.sub(rf"<(?:\w+:)?{name}>", str(value), url)
        found.append(url)
    return found


#: Routes that answer a signed-in person with a redirect to a page visited anyway.
REDIRECTS = {"auth.home", "calendar.section"}


@pytest.mark.skipif(
    bool(os.environ.get("BREACHDESK_TEST_DATABASE_URL")),
    reason="checks the catalogues and templates; run once, on SQLite",
)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_has_every_string_translated(
    app: Flask,
    client: Any,
    clock: FixedClock,
    demo: None,
    untranslated: Untranslated,
    lang: str,
) -> None:
    urls = more_data(app, client, clock)
    untranslated.lang = lang
    sentences = other_language(lang)
    mixed: dict[str, set[str]] = {}
    opened: dict[str, int] = {}
    rules = [r for r in app.url_map.iter_rules() if "GET" in (r.methods or ())]
    rules = [r for r in rules if r.endpoint not in NO_WORDS]
    # The JSON API is for programs, in English, behind tokens (tests/api/ covers it).
    rules = [r for r in rules if not r.rule.startswith("/api/")]

    def visit(url: str, who: str, endpoint: str) -> None:
        untranslated.where = f"{who} {url}"
        response = client.get(url)
        expected = 302 if endpoint in REDIRECTS else 200
        if response.status_code == expected:
            opened[endpoint] = opened.get(endpoint, 0) + 1
        if response.mimetype != "text/html":
            response.close()
            return
        page = response.get_data(as_text=True)
        untranslated.shown_labels(page)
        text = visible_text(page, lang)
        for sentence in sentences:
            if sentence in text:
                mixed.setdefault(sentence, set()).add(untranslated.where)

    client.get(f"/language/{lang}")
    visit("/login", "signed out", "auth.login")
    for email in (FG, ADMIN, REPORTER):
        login(client, email, DEMO_PASSWORD)
        client.get(f"/language/{lang}")
        start_register_import(client)
        for rule in rules:
            targets = urls_for(rule, urls)
            if rule.endpoint in BINARY:
                targets = targets[:1] if email == FG and lang == "nl" else []
            for url in targets:
                visit(url, email.split("@")[0], rule.endpoint)
        client.post("/logout")
    # The second step of a sign-in with a second factor (the FG sets one up first).
    fg = db.session.scalars(select(User).where(User.email == FG)).one()
    secret = second_factor.enrolment_secret(db.session, fg, secret_key="test-secret")
    code = pyotp.TOTP(secret).at(clock.now())
    second_factor.confirm_enrolment(
        db.session, fg, code, secret_key="test-secret", clock=clock, keep=None
    )
    client.post("/login", data={"email": FG, "password": DEMO_PASSWORD})
    visit("/login/code", "fg", "second_factor.challenge")

    print(f"{len(opened)} routes, {sum(opened.values())} pages opened in {lang}")
    problems = [
        f"{m!r} ({', '.join(sorted(w)[:3])})" for m, w in sorted(untranslated.found.items())
    ]
    problems += [
        f"In the other language: {s!r} ({', '.join(sorted(w)[:3])})"
        for s, w in sorted(mixed.items())
    ]
    expected = {r.endpoint for r in rules} - (BINARY if lang == "en" else set())
    unopened = sorted(expected - set(opened))
    assert not problems, f"Not translated to {lang}:\n" + "\n".join(problems)
    assert unopened == [], "routes this test could not open with real data: add the data"
