"""Every page fits 1280 px and 320 px (WCAG 1.4.10 reflow) and passes axe-core's WCAG 2.0/2.1
A and AA rules.

The data are the demo's (``breachdesk demo load --incidents``): five organisations, their FG,
administrator and reporters, and seven incidents at different points of their clock, so the
incident page is seen untriaged, running, due soon, overdue, decided and notified.

axe-core is vendored in ``vendor/axe.min.js`` (npm package ``axe-core``, MPL-2.0, licence
beside it) and added as a Playwright init script: it runs through the DevTools protocol, which
the app's strict Content-Security-Policy does not (and need not) allow for.

Set ``BREACHDESK_SCREENSHOTS`` to a folder to keep a full-page screenshot of every visit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select

from breachdesk.demo import DEMO_PASSWORD, load
from breachdesk.demo.incidents import load_incidents
from breachdesk.domain.api_access import Scope
from breachdesk.domain.checklist import Tri
from breachdesk.domain.notices.sheet import snapshot
from breachdesk.domain.report import Answer, CountMode, IncidentReport
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.mail import FileMailer
from breachdesk.models import Incident, Invitation, Organisation, User
from breachdesk.services import (
    actions,
    answer_sheet,
    api_tokens,
    conversation,
    filings,
    invitations,
    mailings,
    people_notices,
    recipients,
    reporting_links,
    triage,
)
from breachdesk.services import incidents as incident_service
from breachdesk.services.audit import Actor
from breachdesk.services.clock import SystemClock
from breachdesk.services.delivery import DeliverySettings

from ..conftest import run_deliveries

pytestmark = [
    pytest.mark.browser,
    # Layout and accessibility are the templates' and the styles', not the database's: the
    # PostgreSQL run of CI skips this minute-long test (suite time is a budget).
    pytest.mark.skipif(
        bool(os.environ.get("BREACHDESK_TEST_DATABASE_URL")),
        reason="checks templates and styles; run once, on SQLite",
    ),
]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 320, "height": 700},  # WCAG 1.4.10: reflow at 320 CSS px
}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FG, ADMIN, REPORTER = "fg", "admin", "melder.leiz"

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
  }));
}"""


@dataclass(frozen=True)
class Visit:
    """One page as one person sees it; ``act`` runs on the page before it is checked (and
    then the status of the first load is not checked: the act leads to another page)."""

    who: str | None  # None: not signed in
    path: str
    status: int = 200
    act: Callable[[Page], None] | None = None


def _by_title(words: str) -> int:
    return db.session.execute(
        select(Incident.id).where(Incident.title.contains(words))
    ).scalar_one()


def _upload_list(page: Page, csv: Path, steps: int) -> None:
    """From the upload form: the columns page (1 step), the rows to check (2), the list used (3)."""
    page.locator("#file").set_input_files(str(csv))
    page.locator("#upload-next").click()
    for button in ("#mapping-next", "#activate-list")[: steps - 1]:
        page.locator(button).click()
    expect(
        page.locator(("#mapping-next", "#activate-list", "#recipient-summary")[steps - 1])
    ).to_be_visible()


REGISTER_CSV = (
    "Kenmerk;Datum ontdekt;Titel;Omschrijving;Aantal betrokkenen;Gemeld AP;Datum melding;"
    "Meldnummer;Betrokkenen geïnformeerd;Motivering;Maatregelen;Afgesloten\n"
    "DL-2023-01;05-03-2023;Laptop kwijt;In de trein laten liggen.;120;ja;07-03-2023 10:15;"
    "M-123456;nee;Versleuteld? Nee, dus gemeld.;Laptop op afstand gewist;01-04-2023\n"
    "DL-2024-02;gisteren;Onleesbare rij;;veel;misschien;;;;;;\n"
)


def _import_register(page: Page, csv: Path, steps: int) -> None:
    """From the register's import form: the columns (1 step), every row checked (2)."""
    page.locator("#import-org").select_option(index=1)
    page.locator("#import-file").set_input_files(str(csv))
    page.locator("#import-upload button[type=submit]").click()
    if steps > 1:
        page.locator("#import-map button[type=submit]").click()
    expect(page.locator(("#import-map", "#import-run")[steps - 1])).to_be_visible()


def _not_a_breach(app: Flask, clock: SystemClock) -> int:
    """One more LEIZ report, triaged as not a personal-data breach: a finished incident."""
    leiz = db.session.execute(select(Organisation).where(Organisation.slug == "leiz")).scalar_one()
    reporter = db.session.execute(
        select(User).where(User.email == "melder.leiz@demo.example.org")
    ).scalar_one()
    fg = db.session.execute(select(User).where(User.email == "fg@demo.example.org")).scalar_one()
    report = IncidentReport(
        title="Printer stond open op de gang",
        description="Er lag alleen een lege testpagina in de printer.",
        discovered_at=clock.now() - timedelta(hours=2),
        discovery_how="Zelf gezien.",
        ongoing=Answer.NO,
        data_category_keys=(),
        subjects_mode=CountMode.EXACT,
        subjects_exact=1,
    )
    incident = incident_service.submit_report(
        db.session, reporter=reporter, organisation=leiz, report=report, clock=clock
    )
    answers = triage.TriageAnswers(
        personal_data=Tri.NO,
        security_breached=Tri.NO,
        breach_types=frozenset(),
        reason="Geen persoonsgegevens: de pagina was leeg.",
        aware_at=None,
    )
    triage.record_triage(db.session, incident, answers, actor=Actor.of(fg), clock=clock)
    return incident.id


def _send_empty_report(page: Page) -> None:
    page.locator("#report-form button[type=submit]").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()


def _wrong_password(page: Page) -> None:
    page.locator("#email").fill("fg@demo.example.org")
    page.locator("#password").fill("wrong")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def _file_sheet(incident_id: int, clock: SystemClock) -> int:
    """A supplement to the AP filed with the answer sheet, so the filed version has a page."""
    incident = db.session.get(Incident, incident_id)
    assert incident is not None
    fg = db.session.execute(select(User).where(User.email == "fg@demo.example.org")).scalar_one()
    page = answer_sheet.sheet_of(db.session, incident, now=clock.now(), user=fg)
    filing = filings.record_notification(
        db.session,
        incident,
        submitted_at=clock.now() - timedelta(minutes=5),
        reference="DEMO-2026-0002",
        provisional=False,
        delay_reason="",
        notes="Aanvulling met het volledige antwoordblad.",
        recorded_by=fg,
        actor=Actor.of(fg),
        clock=clock,
        sheet=snapshot(page.sheet),
        confirm_incomplete=True,
    )
    return filing.id


def _informing_under_way(app: Flask, incident_id: int, clock: SystemClock) -> int:
    """The demo's drafted notice approved and sent to a short list (through the outbox, so
    each row has the outbox's reply, a message ID and a digest), and a remedial action with a
    long title: the tables of the actions and the proof pages have rows. The mailing's id."""
    incident = db.session.get_one(Incident, incident_id)
    fg = db.session.execute(select(User).where(User.email == "fg@demo.example.org")).scalar_one()
    actor = Actor.of(fg)
    draft = people_notices.working_draft(db.session, incident, clock=clock, user=fg)
    notice = people_notices.approve(
        db.session, draft, seen=draft.edit_count, user=fg, actor=actor, clock=clock
    )
    data = (
        b"naam;e-mail;straat;postcode;plaats\r\n"
        b"Anna-Catharina Oudshoorn;a.oudshoorn-vanrijckevorsel@voorbeeld.nl;;;\r\n"
        b"Jan Jansen;;Burgemeester van Nispen tot Sevenaerstraat 1234 bis;5211 AB;"
        b"'s-Hertogenbosch\r\n"
    )
    staged = recipients.stage_import(
        db.session, incident, data, "lijst.csv", recipients.read_table(data, "lijst.csv").proposed,
        user=fg, actor=actor, clock=clock,
    )  # fmt: skip
    recipients.activate(db.session, staged, actor=actor, clock=clock)
    incident.organisation.notice_rate_per_minute = 0
    mailing = mailings.start(
        db.session, incident, notice, staged, user=fg, actor=actor, clock=clock
    )
    run_deliveries(clock, FileMailer(Path(app.config["OUTBOX_DIR"])))
    actions.add(
        db.session,
        incident,
        actions.ActionInput(
            title="Wachtwoorden van alle klantaccounts opnieuw laten instellen en de oude "
            "koppeling van de webwinkel verwijderen",
            owner_name="Daan van Duijn",
            owner_email="daan.vanduijn@luxigo.example.nl",
            due_on=(clock.now() + timedelta(days=14)).date(),
        ),
        user=fg,
        actor=actor,
        clock=clock,
    )
    return mailing.id


def _post_without_csrf_token(page: Page) -> None:
    page.locator("input[name=csrf_token]").evaluate("e => e.remove()")
    page.locator("#email").fill("fg@demo.example.org")
    page.locator("#password").fill("wrong")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def _through_the_link(app: Flask, clock: SystemClock) -> tuple[str, str, int]:
    """LEIZ's reporting link, a report through it and a question of the FG on it: the link,
    the reporter's follow-up page and the incident."""
    leiz = db.session.execute(select(Organisation).where(Organisation.slug == "leiz")).scalar_one()
    fg = db.session.execute(select(User).where(User.email == "fg@demo.example.org")).scalar_one()
    secret = str(app.config["SECRET_KEY"])
    link = reporting_links.make_link(
        db.session, leiz, reporting_links.Audience.STAFF, actor=Actor.of(fg), clock=clock
    )
    report = IncidentReport(
        title="Map met cv's in de trein laten liggen",
        description="Een map met sollicitatiebrieven is in de trein achtergebleven.",
        discovered_at=clock.now() - timedelta(hours=1),
        discovery_how="",
        ongoing=Answer.NO,
        data_category_keys=(),
        subjects_mode=CountMode.UNKNOWN,
    )
    incident = incident_service.submit_report(
        db.session,
        reporter=incident_service.LinkReporter(
            link=link, owner_key="layout-test-owner-key", name="Sam", email="sam@voorbeeld.nl"
        ),
        organisation=leiz,
        report=report,
        clock=clock,
    )
    conversation.ask(db.session, incident, "Welke trein was het?", user=fg, clock=clock)
    token = reporting_links.followup_token(secret, incident)
    return f"/melden/{reporting_links.link_token(secret, link)}", f"/volg/{token}", incident.id


@pytest.fixture
def visits(app: Flask, tmp_path: Path) -> list[Visit]:
    """The demo data, as ``make run`` shows them, and the pages to visit."""
    clock = SystemClock()
    load(db.session, clock=clock, hasher=app.extensions["breachdesk"].hasher)
    load_incidents(
        db.session,
        clock=clock,
        mailer=FileMailer(Path(app.config["OUTBOX_DIR"])),
        settings=DeliverySettings(mail_from="bd@x.nl", base_url="http://x"),
    )
    untriaged = _by_title("Klantenlijst")
    processor = _by_title("deellink")
    running = _by_title("Laptop")
    due_soon = _by_title("phishing")
    informing = _by_title("Wachtwoorden")
    overdue = _by_title("USB-stick")
    notified = _by_title("Nieuwsbrief")
    finished = _not_a_breach(app, clock)
    link, follow_up, by_link = _through_the_link(app, clock)
    leiz = db.session.execute(select(Organisation).where(Organisation.slug == "leiz")).scalar_one()
    invitations.invite(
        db.session,
        leiz,
        "nieuw@voorbeeld.nl",
        [Role.REPORTER],
        actor=Actor.system("t"),
        clock=clock,
    )
    invited = db.session.execute(select(Invitation)).scalar_one()
    fg = db.session.execute(select(User).where(User.email == "fg@demo.example.org")).scalar_one()
    api_tokens.issue(  # the account page's token table, on a phone too
        db.session,
        fg,
        leiz,
        name="Servicedesk TOPdesk",
        scope=Scope.READ,
        days=90,
        actor=Actor.of(fg),
        clock=clock,
    )
    invitation = "/uitnodiging/" + invitations.link_token(str(app.config["SECRET_KEY"]), invited)
    filed_sheet = f"/incidents/{informing}/ap-sheet/filings/{_file_sheet(informing, clock)}"
    mailing = _informing_under_way(app, informing, clock)
    csv = tmp_path / "klanten.csv"
    csv.write_text(
        "Naam;E-mailadres;Adres;Postcode;Woonplaats\n"
        "Jan Jansen;jan@example.nl;;;\n"
        "Els Bakker;;Dorpsstraat 12;1234 AB;Ons Dorp\n"
        "Piet Zonder Adres;;;;\n",
        encoding="utf-8-sig",
    )
    recipients = f"/incidents/{informing}/people/recipients/new"
    register_csv = tmp_path / "register.csv"
    register_csv.write_text(REGISTER_CSV, encoding="utf-8")
    outbox = Path(app.config["OUTBOX_DIR"])
    mail = sorted(outbox.glob("leiz/*.eml"))[0]
    db.session.remove()

    pages = [
        Visit(None, "/login"),
        Visit(None, "/login", act=_wrong_password),
        Visit(None, "/login", act=_post_without_csrf_token),
        Visit(None, "/does-not-exist", 404),
        Visit(None, "/wachtwoord-vergeten"),
        Visit(None, invitation),
        Visit(REPORTER, "/report"),
        Visit(REPORTER, "/report/leiz"),
        Visit(REPORTER, "/report/leiz", act=_send_empty_report),
        Visit(REPORTER, "/reports"),
        Visit(REPORTER, f"/report/submitted/{untriaged}"),
        Visit(REPORTER, "/account"),
        Visit(REPORTER, "/incidents/", 403),
        Visit(None, link),
        Visit(None, link, act=_send_empty_report),
        Visit(None, follow_up),
        Visit(FG, f"/incidents/{by_link}"),
        Visit(FG, "/admin/organisations"),
        Visit(FG, "/admin/organisations/leiz/reporting-links"),
        Visit(FG, "/incidents/"),
        Visit(FG, f"/incidents/{untriaged}"),
        Visit(FG, f"/incidents/{processor}"),
        Visit(FG, f"/incidents/{processor}/controller-notice"),
        Visit(FG, f"/incidents/{running}"),
        Visit(FG, f"/incidents/{running}/checklist"),
        Visit(FG, f"/incidents/{due_soon}"),
        Visit(FG, f"/incidents/{overdue}"),
        Visit(FG, f"/incidents/{informing}"),
        Visit(FG, f"/incidents/{informing}/checklist"),
        Visit(FG, f"/incidents/{informing}/ap-sheet"),
        Visit(FG, filed_sheet),
        Visit(FG, f"/incidents/{informing}/people"),
        Visit(FG, f"/incidents/{informing}/people/mailings/{mailing}/proof"),
        Visit(FG, recipients),
        Visit(FG, recipients, act=partial(_upload_list, csv=csv, steps=1)),
        Visit(FG, recipients, act=partial(_upload_list, csv=csv, steps=2)),
        Visit(FG, recipients, act=partial(_upload_list, csv=csv, steps=3)),
        Visit(FG, f"/incidents/{informing}/actions/"),
        Visit(FG, f"/incidents/{notified}"),
        Visit(FG, f"/incidents/{finished}"),
        Visit(FG, "/incidents/?state=not_a_breach"),
        Visit(FG, "/incidents/999999", 404),
        Visit(FG, "/register/"),
        Visit(FG, "/register/import"),
        Visit(FG, "/register/import", act=partial(_import_register, csv=register_csv, steps=1)),
        Visit(FG, "/register/import", act=partial(_import_register, csv=register_csv, steps=2)),
        Visit(FG, "/dashboard/"),
        Visit(FG, "/account"),
        Visit(FG, "/admin/organisations/leiz"),
        Visit(ADMIN, "/incidents/"),
        Visit(ADMIN, "/admin/organisations"),
        Visit(ADMIN, "/admin/organisations/leiz"),
        Visit(ADMIN, "/admin/organisations/leiz/edit"),
        Visit(ADMIN, "/admin/organisations/leiz/audit"),
        Visit(ADMIN, "/admin/organisations/leiz/clock"),
        Visit(ADMIN, "/admin/organisations/leiz/users/"),
        Visit(ADMIN, "/admin/organisations/leiz/reporting-links"),
        Visit(ADMIN, "/admin/organisations/leiz/reporting-links/staff/poster"),
        Visit(ADMIN, "/admin/new-organisation"),
        Visit(ADMIN, "/admin/outbox"),
        Visit(ADMIN, f"/admin/outbox/leiz/{mail.name}"),
        Visit(ADMIN, "/dashboard/"),
        # English words are longer in places: the administrator's top bar and inbox again.
        Visit(ADMIN, "/language/en?next=/incidents/"),
        Visit(ADMIN, "/admin/organisations/leiz"),
    ]
    return pages


def _sign_in(page: Page, base: str, who: str | None) -> None:
    page.context.clear_cookies()
    if who is None:
        return
    page.goto(f"{base}/login")
    page.locator("#email").fill(f"{who}@demo.example.org")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: not url.endswith("/login"))


# Words of a table broken mid-word over two lines ("Mel dnu mmer"): a table squeezed into a
# phone's width with overflow-wrap: anywhere. Only words of letters count (a part of a
# hyphenated word on its own): an address, a file name or a digest may break where it must.
BROKEN_WORDS = r"""() => {
  const found = [];
  const walker = document.createTreeWalker(document.querySelector('main') || document.body,
                                           NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent.closest('table') || parent.closest('.visually-hidden')) continue;
    const tokens = /\S+/g;
    let token;
    while ((token = tokens.exec(node.data))) {
      const word = token[0].replace(/^[(\[«“'"]+|[).,:;!?\]»”'"]+$/g, '');
      if (!/^[\p{L}]+(-[\p{L}]+)*$/u.test(word)) continue;
      let at = token.index + token[0].indexOf(word);
      for (const part of word.split('-')) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + part.length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                .map(r => Math.round(r.top)));
        if (lines.size > 1) found.push(part);
        at += part.length + 1;
      }
    }
  }
  return found.slice(0, 5);
}"""


def _problems(page: Page, label: str, shots: Path | None) -> list[str]:
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    if width > inner:
        found.append(f"{label}: scrollWidth {width} > innerWidth {inner}")
    # These tables may scroll in their box, but must not need to: the inbox's clock column is
    # last, a reporter's status and an administrator's role boxes were off-screen at 390 px.
    for table in ("#incident-list", "#my-reports", "#users"):
        sizes = page.evaluate(
            f"(() => {{ const t = document.querySelector('{table}');"
            " return t ? [t.scrollWidth, t.parentElement.clientWidth] : null; })()"
        )
        if sizes and sizes[0] > sizes[1]:
            found.append(f"{label}: {table} is {sizes[0]} px wide in a {sizes[1]} px box")
    broken = page.evaluate(BROKEN_WORDS)
    if broken:
        found.append(f"{label}: words broken mid-word in a table: {', '.join(broken)}")
    for v in page.evaluate(RUN_AXE, WCAG_TAGS):
        found.append(f"{label}: axe {v['id']} ({v['impact']}): " + " | ".join(v["nodes"]))
    if shots is not None:
        name = label.replace("/", "_").replace(" ", "-").replace("@", "")
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    return found


# Bootstrap's focus ring is a faint blue shadow, invisible on the dark top bar: ask for an outline.
FOCUS_SHOWS = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return [e.textContent.trim() || e.outerHTML.slice(0, 60),
          s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2];
}"""


def _unseen_focus(page: Page, label: str) -> list[str]:
    """Tab through the top bar: every stop must show where the focus is (WCAG 2.4.7)."""
    found, stops = [], 0
    for _ in range(16):
        page.keyboard.press("Tab")
        if not page.evaluate("!!document.activeElement.closest('.bd-nav, [href=\"#main\"]')"):
            break
        if not page.evaluate("!!document.activeElement.closest('.bd-nav')"):
            continue  # the skip link, on white: the browser's own focus ring shows
        stops += 1
        text, shows = page.evaluate(FOCUS_SHOWS)
        if not shows:
            found.append(f"{label}: no visible focus on {text!r}")
    if stops < 4:  # brand, counts, menu button, the other language on a phone
        found.append(f"{label}: only {stops} keyboard stops in the top bar")
    return found


def test_every_page_fits_and_passes_axe(
    browser: Browser, live_server: str, visits: list[Visit]
) -> None:
    shots_dir = os.environ.get("BREACHDESK_SCREENSHOTS")
    shots = Path(shots_dir) if shots_dir else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=WIDTHS["desktop"])
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    problems: list[str] = []
    signed_in: Any = object()
    for visit in visits:
        if visit.who != signed_in:
            _sign_in(page, live_server, visit.who)
            signed_in = visit.who
        for name, size in WIDTHS.items():
            page.set_viewport_size(size)
            response = page.goto(f"{live_server}{visit.path}")
            assert response is not None
            if visit.act is not None:
                visit.act(page)
                # The act's last page may show its element before its stylesheets are in: axe
                # then judged Bootstrap's unstyled colours (white on light blue, seen once).
                page.wait_for_load_state()
            else:
                assert response.status == visit.status, visit.path
            label = f"{visit.who or 'anonymous'} {visit.path} @{name}"
            problems += _problems(page, label, shots)
            if visit.path == "/incidents/" and visit.who in (FG, ADMIN):
                problems += _unseen_focus(page, label)
    icon = page.request.get(f"{live_server}/favicon.ico")
    if icon.status != 200 or icon.headers["content-type"] != "image/vnd.microsoft.icon":
        problems.append(f"/favicon.ico: {icon.status} {icon.headers.get('content-type')}")
    linked = page.locator("link[rel=icon][type='image/svg+xml']")
    svg = (
        page.request.get(f"{live_server}{linked.get_attribute('href')}") if linked.count() else None
    )
    if svg is None or not svg.headers["content-type"].startswith("image/svg+xml"):
        problems.append("no SVG icon linked from the pages")
    context.close()
    assert not problems, "\n".join(problems)
