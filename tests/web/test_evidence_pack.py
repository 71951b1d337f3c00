"""The evidence pack: one ZIP per incident whose manifest matches its files, with a summary PDF,
the attachments byte for byte, the audit events, and a verification that shows tampering."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import subprocess
import zipfile
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.assessment import Outcome
from breachdesk.domain.register import Informed
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Incident, Mailing, Organisation, PeopleNotice
from breachdesk.services import filings
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, deliver_now, login
from ..integration import tampering
from ..integration.test_register import decide
from .test_people_web import CSV, informing, notice_form, people_url
from .test_reports import PNG, form_data

RATIONALE_MARK = "afweging staat in het dossier"


@pytest.fixture
def filed(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> Incident:
    """A report with a screenshot, triaged, assessed, decided and filed with the AP."""
    kruix = orgs["kruix"]
    make_user("r@x.nl", (kruix, Role.REPORTER))
    fg = make_user("fg@x.nl", (kruix, Role.FG))
    make_user("admin@x.nl", (kruix, Role.ADMIN))
    make_user("other@x.nl", (orgs["leiz"], Role.FG))
    login(client, "r@x.nl")
    response = client.post(
        "/report/kruix",
        data=form_data(evidence=[(io.BytesIO(PNG), "scherm afbeelding.png")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    client.post("/logout")
    incident = db.session.execute(select(Incident)).scalar_one()
    decide(incident, fg, clock, Outcome.NOTIFY_AP)
    filings.record_notification(
        db.session,
        incident,
        submitted_at=clock.now(),
        reference="M-2026-424242",
        provisional=False,
        delay_reason="",
        notes="",
        recorded_by=fg,
        actor=Actor.of(fg),
        clock=clock,
    )
    return incident


def download(client: Any, incident: Incident, email: str = "fg@x.nl") -> zipfile.ZipFile:
    login(client, email)
    response = client.get(f"/register/incidents/{incident.id}/evidence.zip")
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "application/zip"
    assert incident.reference in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def test_the_pack_holds_what_its_manifest_says_and_the_summary_tells_the_story(
    client: Any, filed: Incident
) -> None:
    filed.containment_details = "Leverancier gevraagd de mail te wissen."
    db.session.commit()
    pack = download(client, filed)
    manifest = json.loads(pack.read("manifest.json"))
    names = {entry["path"] for entry in manifest["files"]}
    assert names == set(pack.namelist()) - {"manifest.json"}
    for entry in manifest["files"]:
        content = pack.read(entry["path"])
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], entry["path"]
        assert len(content) == entry["bytes"]
    assert manifest["incident"] == filed.reference and manifest["audit_trail_intact"] is True

    assert pack.read("attachments/01-scherm_afbeelding.png") == PNG
    events = json.loads(pack.read("audit/events.json"))
    actions = [e["action"] for e in events]
    assert actions[0] == "incident.reported" and "incident.decided" in actions
    assert all(e["hash"] and e["entity"] == f"incident:{filed.id}" for e in events)
    verification = json.loads(pack.read("audit/verification.json"))
    assert verification["intact"] is True and verification["problems"] == []

    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=pack.read("summary.pdf"),
        capture_output=True,
        check=True,
    ).stdout.decode()
    for expected in (filed.reference, "M-2026-424242", RATIONALE_MARK, "regelset", "ongewijzigd"):
        assert expected in " ".join(text.split()), expected
    # The measures ticked and the words about them, apart (they ran together: found by
    # exploratory testing).
    assert "teruggehaald. Leverancier gevraagd de mail te wissen." in " ".join(text.split())

    logged = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.evidence_pack_downloaded")
    ).scalar_one()
    assert logged.entity_id == str(filed.id)


def test_a_changed_audit_row_shows_in_the_pack(client: Any, filed: Incident) -> None:
    decided = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.decided")
    ).scalar_one()
    tampering.execute(
        "UPDATE audit_event SET actor_label = :label WHERE id = :id",
        label="Iemand anders",
        id=decided.id,
    )
    pack = download(client, filed)
    verification = json.loads(pack.read("audit/verification.json"))
    assert verification["intact"] is False
    assert [p["seq"] for p in verification["problems"]] == [decided.seq]
    assert json.loads(pack.read("manifest.json"))["audit_trail_intact"] is False
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pack.read("summary.pdf"), capture_output=True, check=True
    ).stdout.decode()
    assert "NIET" in text
    # What is wrong, in Dutch words (the JSON keeps the technical reason).
    assert f"De inhoud van gebeurtenis {decided.seq}" in " ".join(text.split())


def test_only_the_organisations_fg_and_administrator_get_the_pack(
    client: Any, filed: Incident
) -> None:
    assert download(client, filed, "admin@x.nl").namelist()
    for email in ("r@x.nl", "other@x.nl"):
        client.post("/logout")
        login(client, email)
        url = f"/register/incidents/{filed.id}/evidence.zip"
        assert client.get(url).status_code == 404, email


def summary_text(pack: zipfile.ZipFile) -> str:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pack.read("summary.pdf"), capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def send_to_list(client: Any, incident: Incident, people: bytes = CSV) -> Mailing:
    """The notice approved (the first time), ``people`` imported as the list and sent to
    everyone on it (also those an earlier sending reached: the FG's choice on the page); the
    new mailing. No provider cap: everything is due at once."""
    incident.organisation.notice_rate_per_minute = 0
    db.session.commit()
    client.get(people_url(incident))
    draft = db.session.execute(
        select(PeopleNotice).where(PeopleNotice.approved_at.is_(None))
    ).scalar_one()
    if draft.version == 1:
        data = notice_form(draft, consequences="Iemand kan uw naam misbruiken.")
        client.post(people_url(incident, "/notice"), data={**data, "action": "approve"})
    uploaded = client.post(
        people_url(incident, "/recipients/new"),
        data={"file": (io.BytesIO(people), "klanten.csv")},
        content_type="multipart/form-data",
    )
    columns = ["name", "email", "street", "postcode", "city"]
    mapping = {"has_header": "y", **{f"col-{n}": name for n, name in enumerate(columns)}}
    mapped = client.post(uploaded.headers["Location"], data=mapping)
    assert client.post(mapped.headers["Location"] + "/activate").status_code == 302
    sent = client.post(people_url(incident, "/mailings"), data={"who": "everyone"})
    assert sent.status_code == 302
    return db.session.execute(select(Mailing).order_by(Mailing.id.desc()).limit(1)).scalar_one()


def test_the_pack_tells_how_the_people_were_informed(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Per mailing the e-mails counted by status in words and the letters with their posting,
    the public communication, and "informed" filled from what was done (found by exploratory
    testing: "6 personen, 33 per brief · sent 6", no posting, no public notice, "—")."""
    incident = informing(client, orgs, make_user)
    mailing = send_to_list(client, incident)

    # Started, nothing sent or posted yet: not informed yet, and it says what waits.
    text = summary_text(download(client, incident))
    assert (
        "Betrokkenen geïnformeerd Nog niet: 2 per e-mail, nog geen enkele verstuurd; "
        "1 per brief, nog niet gepost." in text
    )
    assert "Per e-mail, 2 personen: 0 verstuurd, 0 mislukt, 2 wachtend" in text
    assert "Per brief, 1 persoon: nog niet gepost" in text

    deliver_now(app)
    posted = client.post(
        people_url(incident, f"/mailings/{mailing.id}/letters-posted"),
        data={"posted_at": "2026-11-19T11:00"},
    )
    assert posted.status_code == 302
    published = client.post(
        people_url(incident, "/public"),
        data={
            "text": "Openbare mededeling over het datalek.",
            "channel": "website",
            "url": "https://x.nl/datalek",
            "published_at": "2026-11-19T10:55",
        },
    )
    assert published.status_code == 302
    pack = download(client, incident)
    text = summary_text(pack)
    sent = "19-11-2026 11:00"  # the fixed clock, in Dutch time
    assert (
        f"Betrokkenen geïnformeerd Ja, via breachdesk: 2 van 2 per e-mail, vanaf {sent}; "
        "1 per brief, gepost op 19-11-2026 11:00; openbaar op 19-11-2026 10:55 (website)."
    ) in text
    assert "Per e-mail, 2 personen: 2 verstuurd, 0 mislukt, 0 wachtend" in text
    assert "Per brief, 1 persoon: gepost op 19-11-2026 11:00" in text
    assert (
        "Openbare mededeling: gepubliceerd op 19-11-2026 10:55 · website · "
        "https://x.nl/datalek" in text
    )
    assert " sent " not in f" {text} " and "per brief ·" not in text

    record = json.loads(pack.read(f"notices/mailing-{mailing.id}.json"))
    assert record["emails"] == {"people": 2, "sent": 2, "failed": 0, "waiting": 0, "cancelled": 0}
    assert record["letters"]["people"] == 1 and record["letters"]["posted_at"].startswith(
        "2026-11-19 10:00"
    )
    public = json.loads(pack.read("notices/public.json"))
    assert public["text"] == "Openbare mededeling over het datalek."
    assert (public["channel"], public["url"]) == ("website", "https://x.nl/datalek")
    listed = {e["path"] for e in json.loads(pack.read("manifest.json"))["files"]}
    assert {f"notices/mailing-{mailing.id}.json", "notices/public.json"} <= listed


def _pages_of(html: str, base_url: str | None) -> list[list[Any]]:
    """The boxes WeasyPrint lays out on each page of ``html`` (its layout, not its PDF)."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=base_url).render()
    # The page's box tree is WeasyPrint's own (``_page_box``): the one way to see where each
    # element went.
    return [list(page._page_box.descendants()) for page in document.pages]


def _separated(pages: list[list[Any]]) -> list[str]:
    """Questions parted from their answers: a table row or a dt/dd pair on two pages, or a
    heading that ends a page."""
    found = []
    root = next(box.element for box in pages[0] if box.element_tag == "html")
    question = {  # a dd's question is the dt before it
        id(child): parent[index - 1]
        for parent in root.iter()
        for index, child in enumerate(parent)
        if child.tag == "dd" and index
    }
    seen: dict[int, tuple[Any, set[int]]] = {}
    for number, boxes in enumerate(pages, start=1):
        for box in boxes:
            if box.element_tag in ("tr", "dt", "dd"):
                element = question.get(id(box.element), box.element)
                seen.setdefault(id(element), (element, set()))[1].add(number)
        blocks = [b for b in boxes if b.element_tag in ("h2", "h3", "p", "dt", "dd", "tr", "li")]
        if number < len(pages) and blocks and blocks[-1].element_tag in ("h2", "h3"):
            found.append(f"page {number} ends with the heading {blocks[-1].element.text!r}")
    for element, numbers in seen.values():
        if len(numbers) > 1:
            text = " ".join("".join(element.itertext()).split())[:60]
            found.append(f"{text!r} on pages {sorted(numbers)}")
    return found


def test_the_summary_keeps_each_question_with_its_answer(
    client: Any, filed: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wherever a page ends, a checklist question stays on the page of its answer, a label
    on the page of its value, and a heading with what follows it (found by exploratory
    testing: an answer "—" at the foot of page 1, its question at the top of page 2). The
    text is pushed down step by step, so that every kind of row meets a page's end."""
    from breachdesk.web import register_pack

    filed.facts = {"malicious": "yes", "recipients": "unknown"}  # the whole checklist shows
    db.session.commit()
    rendered: dict[str, Any] = {}
    real = register_pack.render_pdf

    def keep(html: str, *, base_url: str | None = None) -> bytes:
        rendered.update(html=html, base_url=base_url)
        return real(html, base_url=base_url)

    monkeypatch.setattr(register_pack, "render_pdf", keep)
    download(client, filed)
    html = rendered["html"]
    assert 'class="answers"' in html
    problems = []
    # Millimetres pushed in above the title: the first page then ends in the checklist, row
    # after row (0-24 mm: more than the tallest row), or in "What happened" (170-210 mm).
    for shift in [*range(0, 26, 2), *range(170, 211, 5)]:
        shifted = html.replace("<body>", f'<body><div style="height: {shift}mm"></div>', 1)
        pages = _pages_of(shifted, rendered["base_url"])
        assert len(pages) > 1
        problems += [f"{shift} mm: {p}" for p in _separated(pages)]
    assert not problems, "\n".join(problems)


def proof_rows(pack: zipfile.ZipFile, mailing: Mailing) -> list[list[str]]:
    """The rows of a mailing's proof per person in the pack (after its header)."""
    text = pack.read(f"notices/mailing-{mailing.id}-proof.csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["row", "reference", "channel", "status"]
    return rows[1:]


def test_people_informed_by_letter_have_their_proof_per_person_too(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """The proof per person (the page and the pack's CSV) lists the people who get a letter
    as well, with where their letter stands (found by exploratory testing: only the e-mailed
    people were listed, so a letter's person appeared nowhere, while the summary said the
    proof per person was in that file)."""
    incident = informing(client, orgs, make_user)
    mailing = send_to_list(client, incident)  # two by e-mail; Els Bakker (row 5) by letter
    deliver_now(app)
    url = people_url(incident, f"/mailings/{mailing.id}/proof")

    page = client.get(url).get_data(as_text=True)
    letter = re.search(
        r'<tr data-channel="letter" data-letter-status="to_post">(.*?)</tr>', page, re.S
    )
    assert letter is not None, page[page.find('id="proof"') :][:3000]
    assert page.count('data-channel="email"') == 2
    words = " ".join(re.sub(r"<[^>]+>", " ", letter.group(1)).split())
    assert words.startswith("5 Els Bakker Dorpsstraat 12, 1234 AB")
    assert "brief klaar om te printen, nog niet gepost" in words
    assert "1 brief: nog niet gepost" in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    rows = proof_rows(download(client, incident), mailing)
    assert [row[2:4] for row in rows] == [
        ["email", "sent"],
        ["email", "sent"],
        ["letter", "to_post"],
    ]
    assert rows[2] == ["5", "", "letter", "to_post", "", "", "", "", ""]

    posted = client.post(
        people_url(incident, f"/mailings/{mailing.id}/letters-posted"),
        data={"posted_at": "2026-11-19T11:00"},
    )
    assert posted.status_code == 302
    page = client.get(url).get_data(as_text=True)
    letter = re.search(
        r'<tr data-channel="letter" data-letter-status="posted">(.*?)</tr>', page, re.S
    )
    assert letter is not None and "gepost op 19-11-2026 11:00" in letter.group(1)
    rows = proof_rows(download(client, incident), mailing)
    assert rows[2] == ["5", "", "letter", "posted", "2026-11-19T10:00:00+00:00", "", "", "", ""]

    # The same list sent again and cancelled before its letters were posted: not posted.
    again = send_to_list(client, incident)
    assert client.post(people_url(incident, f"/mailings/{again.id}/cancel")).status_code == 302
    page = client.get(people_url(incident, f"/mailings/{again.id}/proof")).get_data(as_text=True)
    letter = re.search(
        r'<tr data-channel="letter" data-letter-status="cancelled">(.*?)</tr>', page, re.S
    )
    assert letter is not None and "niet gepost: de verzending is geannuleerd" in letter.group(1)
    pack = download(client, incident)
    assert proof_rows(pack, again)[2][2:5] == ["letter", "cancelled", ""]
    assert proof_rows(pack, mailing)[2][3] == "posted"  # the first one's letters still were


LATER_LIST = (
    "naam;e-mail;straat;postcode;plaats\r\n"
    "Jan Jansen;jan@example.nl;;;\r\n"
    "Anaïs de Vries;anna@example.nl;;;\r\n"
    "Kees Kist;;Kerkstraat 1;2345 BC;Elders\r\n"
).encode()


def register_says(client: Any, incident: Incident) -> list[str]:
    """The register's filter values on people informed that select ``incident``."""
    return [
        value.value
        for value in Informed
        if incident.reference
        in client.get(f"/register/?informed={value.value}").get_data(as_text=True)
    ]


def closing(client: Any, incident: Incident) -> tuple[str, str]:
    """The incident page's closing form: the answer proposed for the people affected (or ""),
    and the form's text."""
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    form = page[page.index('id="close"') :]
    form = form[: form.index("</form>")]
    proposed = [
        value
        for tag in re.findall(r'<input[^>]*name="subjects_outcome"[^>]*>', form)
        if re.search(r"\schecked[\s>]", tag)
        for value in re.findall(r'value="(\w+)"', tag)
    ]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", form)).split())
    return (proposed[0] if proposed else ""), text


def test_the_pack_and_the_closing_form_say_what_the_register_says(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Whether the people were informed follows one rule in the register, the evidence pack
    and the closing form (found by exploratory testing: after a second sending whose letter
    was not posted yet, the register said "informing under way" while the pack said "Yes,
    through breachdesk" and the closing form proposed "informed" with one letter too few)."""
    incident = informing(client, orgs, make_user)
    first = send_to_list(client, incident)  # two by e-mail, one by letter
    deliver_now(app)
    posted = client.post(
        people_url(incident, f"/mailings/{first.id}/letters-posted"),
        data={"posted_at": "2026-11-19T11:00"},
    )
    assert posted.status_code == 302
    assert register_says(client, incident) == ["informed"]

    later = send_to_list(client, incident, LATER_LIST)  # two by e-mail, Kees Kist by letter
    deliver_now(app)
    assert register_says(client, incident) == ["informing"]
    text = summary_text(download(client, incident))
    assert (
        "Betrokkenen geïnformeerd Nog niet: 2 van 2 per e-mail, vanaf 19-11-2026 11:00; "
        "1 per brief, gepost op 19-11-2026 11:00; 1 per brief, nog niet gepost." in text
    ), text[text.find("Betrokkenen geïnformeerd") :][:300]
    proposed, form = closing(client, incident)
    assert proposed == ""  # not "informed" while a letter waits
    assert (
        "Nog niet: 2 van 2 per e-mail, vanaf 19-11-2026 11:00; 1 per brief, gepost op "
        "19-11-2026 11:00; 1 per brief, nog niet gepost." in form
    ), form

    posted = client.post(
        people_url(incident, f"/mailings/{later.id}/letters-posted"),
        data={"posted_at": "2026-11-19T11:00"},
    )
    assert posted.status_code == 302
    assert register_says(client, incident) == ["informed"]
    text = summary_text(download(client, incident))
    assert (
        "Betrokkenen geïnformeerd Ja, via breachdesk: 2 van 2 per e-mail, vanaf "
        "19-11-2026 11:00; 2 per brief, gepost op 19-11-2026 11:00." in text
    )
    proposed, form = closing(client, incident)
    assert proposed == "informed"
    assert "Geïnformeerd via breachdesk: 2 van 2 per e-mail; 2 per brief." in form
