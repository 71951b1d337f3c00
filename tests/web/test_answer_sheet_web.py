"""The AP answer sheet in the web app: drafted, edited, filed as versions, withdrawn."""

from __future__ import annotations

import collections
import re
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from breachdesk.domain.notices.sheet import snapshot_digest
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Incident, Organisation
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, login
from ..unit.test_ap_sheet import AP_NUMBERS
from .test_stale_and_closing import UNENCRYPTED_LAPTOP, assessed, save_checklist


def sheet_url(incident: Incident) -> str:
    return f"/incidents/{incident.id}/ap-sheet"


def save(client: Any, incident: Incident, number: str, text: str, *choices: str, version: int,
         action: str = "save") -> Any:  # fmt: skip
    data = {"number": number, "text": text, "choices": list(choices), "version": str(version),
            "action": action}  # fmt: skip
    return client.post(f"{sheet_url(incident)}/answer", data=data)


def file(client: Any, incident: Incident, seen: int, **extra: str) -> Any:
    data = {
        "submitted_at": "2026-11-19T11:00",
        "reference": "M-2026-001",
        "seen_filings": str(seen),
    }
    return client.post(f"{sheet_url(incident)}/file", data={**data, **extra})


def test_the_sheet_shows_every_question_in_the_forms_order_with_its_status(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    response = client.get(sheet_url(incident))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.findall(r'data-question="([0-9.]+)"', page) == AP_NUMBERS
    counted = re.search(r'id="answered-count">(\d+) van (\d+) beantwoord', page)
    assert counted and int(counted.group(2)) == len(AP_NUMBERS)
    assert 'id="open-list"' in page and 'href="#q-6.3.1"' in page
    assert 'id="reconstructed"' in page and 'id="ap-form-link"' in page
    assert 'data-status="missing"' in page and 'data-status="needs_words"' in page
    # From the incident page the FG finds it.
    assert 'id="open-sheet"' in client.get(f"/incidents/{incident.id}").get_data(as_text=True)


def test_an_edited_answer_is_kept_marked_and_checked_against_the_form(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    assert (
        save(client, incident, "5.2", "Laptop uit auto", "device_lost", version=0).status_code
        == 302
    )
    page = client.get(sheet_url(incident)).get_data(as_text=True)
    block = page.split('id="q-5.2"', 1)[1].split('class="list-group-item"', 1)[0]
    assert (
        "data-edited" in block and "Laptop uit auto" in block and 'data-status="complete"' in block
    )

    # An option the form does not have: refused at the question, the typing kept.
    bad = save(client, incident, "9.3", "Mijn eigen woorden", "vreselijk", version=1)
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    block = page.split('id="q-9.3"', 1)[1].split('class="list-group-item"', 1)[0]
    assert 'id="error-9.3"' in block and "Mijn eigen woorden" in block
    # Too long for the form.
    long = save(client, incident, "3.1.2", "x" * 201, version=1)
    assert long.status_code == 422 and "Hooguit 200 tekens" in long.get_data(as_text=True)

    # A save from a page loaded before someone else's save is refused, not merged.
    stale = save(client, incident, "5.2", "Iets anders", "other", version=0)
    assert stale.status_code == 409
    assert 'id="conflict"' in stale.get_data(as_text=True)
    assert "Iets anders" in stale.get_data(as_text=True)
    page = client.get(sheet_url(incident)).get_data(as_text=True)
    assert "Laptop uit auto" in page

    # Someone else answering another question meanwhile is no conflict (found by testing:
    # two people working through the sheet got in each other's way on every save).
    other = save(client, incident, "3.1.2", "Via de servicedesk", version=0)
    assert other.status_code == 302
    page = client.get(sheet_url(incident)).get_data(as_text=True)
    assert "Via de servicedesk" in page and "Laptop uit auto" in page
    # ...but a page loaded before that answer to 3.1.2 cannot overwrite it unseen.
    conflict = save(client, incident, "3.1.2", "Telefonisch", version=1)
    assert conflict.status_code == 409 and "Telefonisch" in conflict.get_data(as_text=True)
    # A version the trail cannot account for (ahead of the sheet) is a conflict, not a merge.
    assert save(client, incident, "6.1", "Ja", version=99).status_code == 409

    # Back to the draft.
    assert save(client, incident, "5.2", "", version=2, action="revert").status_code == 302
    page = client.get(sheet_url(incident)).get_data(as_text=True)
    assert (
        "data-edited" not in page.split('id="q-5.2"', 1)[1].split('class="list-group-item"', 1)[0]
    )
    assert (
        client.post(
            f"{sheet_url(incident)}/answer", data={"number": "99.9", "version": "2"}
        ).status_code
        == 404
    )


def test_an_answer_that_is_only_a_choice_shows_the_choice_on_the_sheet_and_as_filed(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Found by exploratory testing: a ticked option without words looked like an empty
    answer on the sheet and as filed (only the PDF showed it)."""
    incident = assessed(client, orgs, make_user)
    assert save(client, incident, "5.2", "", "device_lost", version=0).status_code == 302
    label = "Apparaat, gegevensdrager of papier verloren of gestolen"
    page = client.get(sheet_url(incident)).get_data(as_text=True)
    shown = page.split('data-choices="5.2"')[1].split("</div>")[0]
    assert label in shown
    assert file(client, incident, 0, provisional="y").status_code == 302
    db.session.expire_all()
    filed = client.get(f"{sheet_url(incident)}/filings/{incident.notifications[0].id}")
    assert label in filed.get_data(as_text=True).split('data-filed-choices="5.2"')[1]


def test_filings_freeze_the_sheet_and_a_supplement_shows_what_changed(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    # Open answers: provisional, or an explicit confirmation.
    refused = file(client, incident, 0)
    assert refused.status_code == 422 and 'id="provisional-error"' in refused.get_data(as_text=True)
    assert 'value="M-2026-001"' in refused.get_data(as_text=True)
    assert file(client, incident, 0, provisional="y").status_code == 302
    db.session.expire_all()
    first = incident.notifications[0]
    frozen = dict(first.sheet)
    assert first.kind == "initial" and first.provisional and first.form_key == "ap-2022"
    assert first.sheet_sha256 == snapshot_digest(frozen)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "incident.notification_recorded")
    ).one()
    assert event.after["sheet_sha256"] == first.sheet_sha256

    # The FG learns more and edits two answers; the first filing does not change.
    assert save(client, incident, "6.3.1", "Ongeveer 120", version=0).status_code == 302
    assert (
        save(client, incident, "5.2", "Laptop uit auto", "device_lost", version=1).status_code
        == 302
    )
    db.session.expire_all()
    assert incident.notifications[0].sheet == frozen
    # A supplement cannot be dated before the first filing (11:00), at its field.
    early = file(client, incident, 1, confirm_incomplete="y", submitted_at="2026-11-19T10:50")
    assert early.status_code == 422
    assert "Een aanvulling kan niet vóór de eerste melding liggen." in early.get_data(as_text=True)
    assert file(client, incident, 1, confirm_incomplete="y").status_code == 302
    db.session.expire_all()
    second = incident.notifications[1]
    assert second.kind == "supplement" and incident.notifications[0].sheet == frozen
    page = client.get(f"{sheet_url(incident)}/filings/{second.id}").get_data(as_text=True)
    assert re.findall(r'data-changed="([0-9.]+)"', page) == ["5.2", "6.3.1"]
    assert "Ongeveer 120" in page and "M-2026-001" in page
    page = client.get(f"{sheet_url(incident)}/filings/{first.id}").get_data(as_text=True)
    assert (
        "data-changed" not in page
        and re.findall(r'data-filed-question="([0-9.]+)"', page) == AP_NUMBERS
    )
    # The incident page's filing history links to each version as filed.
    history = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    # With filings the sheet holds the supplement's, the AP's question's and the withdrawal's
    # forms: no id twice (the supplement's and the withdrawal's "reference" shared one, found
    # by exploratory testing), and the English answers stay English after filing.
    sheet = client.get(sheet_url(incident)).get_data(as_text=True)
    ids = collections.Counter(re.findall(r'\sid="([^"]+)"', sheet))
    assert [i for i, n in ids.items() if n > 1] == []
    assert re.findall(r'data-filed-sheet="(\d+)"', history) == [str(first.id), str(second.id)]

    # A question dated before the filing it is about is refused at its field (before, one
    # dated three weeks before the filing, and before the breach, was accepted).
    early = client.post(
        f"{sheet_url(incident)}/exchange",
        data={"notification_id": str(first.id), "asked_at": "2026-11-01T10:00",
              "question": "Hoeveel cliënten precies?", "answer": "", "answered_at": ""},
    )  # fmt: skip
    assert early.status_code == 422
    error = early.get_data(as_text=True).split('id="exchange-asked_at-error"')[1].split("</div>")[0]
    assert "De AP kan dit niet vóór de melding waarover het gaat hebben gevraagd." in error
    # The AP asks a question; the answer is recorded against the filing. Read in English,
    # the sheet comes back in English (it went back to Dutch: found by exploratory testing).
    asked = client.post(
        f"{sheet_url(incident)}/exchange?lang=en",
        data={"notification_id": str(first.id), "asked_at": "2026-11-19T11:00",
              "question": "Hoeveel cliënten precies?", "answer": "", "answered_at": ""},
    )  # fmt: skip
    assert asked.status_code == 302 and "lang=en" in asked.headers["Location"]
    assert "Hoeveel cliënten precies?" in client.get(sheet_url(incident)).get_data(as_text=True)
    # The incident's history says which filing the question was about.
    history = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Vraag van de AP vastgelegd: over de eerste melding aan de AP van " in history
    line = history.split("Vraag van de AP vastgelegd: ")[1].split("<")[0]
    assert "kenmerk M-2026-001; gesteld op 19-11-2026 11:00" in line, line

    # A withdrawal needs its reason; then it is recorded and shown.
    data = {"submitted_at": "2026-11-19T11:00", "reason": "", "seen_filings": "2"}
    response = client.post(f"{sheet_url(incident)}/withdraw", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="withdraw-reason-error"' in page
    data["reason"] = "Onderzoek wees uit dat de laptop versleuteld was."
    assert client.post(f"{sheet_url(incident)}/withdraw", data=data).status_code == 302
    db.session.expire_all()
    assert [n.kind for n in incident.notifications] == ["initial", "supplement", "withdrawal"]
    page = client.get(sheet_url(incident)).get_data(as_text=True)
    assert "Onderzoek wees uit" in page and 'data-filing="withdrawal"' in page
    again = client.post(f"{sheet_url(incident)}/withdraw", data={**data, "seen_filings": "3"})
    assert again.status_code == 422


def test_only_the_fg_sees_the_sheet(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    client.post("/logout")
    from ..conftest import login

    make_user("staff@x.nl")
    login(client, "staff@x.nl")
    assert client.get(sheet_url(incident)).status_code == 404


def test_the_link_to_the_aps_form_comes_from_the_organisations_settings(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    default = app.config["AP_REPORTING_URL"]
    assert f'href="{default}"' in client.get(sheet_url(incident)).get_data(as_text=True)
    from ..conftest import login

    slug = incident.organisation.slug
    make_user("beheer@x.nl", (incident.organisation, Role.ADMIN))
    client.post("/logout")
    login(client, "beheer@x.nl")
    data = {
        "reminder_offsets": "24, 48, 60, 70",
        "office_days": ["1", "2", "3", "4", "5"],
        "processor_term_hours": "36",
        "processor_hours_before": "12, 4, 1",
        "ap_reporting_url": "http://nep.example/melden",
    }
    bad = client.post(f"/admin/organisations/{slug}/clock", data=data)
    assert bad.status_code == 422 and 'id="ap_reporting_url-error"' in bad.get_data(as_text=True)
    assert 'value="http://nep.example/melden"' in bad.get_data(as_text=True)
    data["ap_reporting_url"] = "https://melden.example.nl/datalek"
    assert client.post(f"/admin/organisations/{slug}/clock", data=data).status_code == 302
    client.post("/logout")
    login(client, "fg@x.nl")
    page = client.get(sheet_url(incident)).get_data(as_text=True)
    assert 'href="https://melden.example.nl/datalek"' in page


def test_the_sheet_as_a_pdf_and_a_clear_error_when_it_cannot_be_made(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, monkeypatch: Any
) -> None:
    import subprocess

    from breachdesk.services import documents

    incident = assessed(client, orgs, make_user)
    assert file(client, incident, 0, provisional="y").status_code == 302
    db.session.expire_all()
    filing = incident.notifications[0]
    response = client.get(f"{sheet_url(incident)}/pdf?filing={filing.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True, check=True
    ).stdout.decode("utf-8")
    flat = " ".join(text.split())
    assert "M-2026-001" in flat and "10 Vervolgacties" in flat
    assert client.get(f"{sheet_url(incident)}/pdf?filing=999999").status_code == 404

    def draft_status() -> str:
        data = client.get(f"{sheet_url(incident)}/pdf").data
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode("utf-8")
        return " ".join(text.split()).split("Status ", 1)[1].split(" Beantwoord", 1)[0]

    # Nothing changed since the filing: the draft says so (before: "not filed with this
    # content" beside the very digest of the filing; found by exploratory testing).
    assert draft_status() == (
        "Zoals gemeld: dezelfde inhoud als de melding van 19-11-2026 11:00 (Eerste melding)"
    )
    assert save(client, incident, "6.3.1", "Ongeveer 120", version=0).status_code == 302
    assert draft_status() == "Concept: niet met deze inhoud ingediend"

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise documents.DocumentError("Pango is missing")

    monkeypatch.setattr(documents, "render_pdf", broken)
    response = client.get(f"{sheet_url(incident)}/pdf", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "De pdf kon niet worden gemaakt" in page
    assert 'data-question="10.2"' in page  # the sheet is still there


def test_the_proposed_severity_is_named_in_the_readers_language(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Found by exploratory testing: the English advice said "…severity question: beperkt."""
    incident = assessed(client, orgs, make_user)
    assert save_checklist(client, incident, UNENCRYPTED_LAPTOP, version=1).status_code == 302
    dutch = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    # The AP form's own words (9.3 offers "Zeer groot", not "zeer hoog"), everywhere.
    levels = set(re.findall(r"meldformulier van\s+de AP: ([a-z ]+)\.", dutch))
    assert levels and levels <= {"verwaarloosbaar", "beperkt", "aanzienlijk", "zeer groot"}
    client.get(f"/language/en?next=/incidents/{incident.id}")
    english = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    levels = set(re.findall(r"(?:severity question|severity on the AP form): ([a-z ]+)\.", english))
    assert levels and levels <= {"negligible", "limited", "significant", "very high"}


def test_past_the_deadline_the_advice_says_to_notify_now_with_the_reasons_for_the_delay(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: Any
) -> None:
    """Found by exploratory testing: 39 days overdue, the advice still said "notify within 72
    hours of becoming aware" and never that the reasons for the delay are owed now."""
    incident = assessed(client, orgs, make_user)
    assert save_checklist(client, incident, UNENCRYPTED_LAPTOP, version=1).status_code == 302
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="recommendation-overdue"' not in page
    clock.advance(hours=100)
    login(client, "fg@x.nl")  # the session ended meanwhile
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    overdue = page.split('id="recommendation-overdue"', 1)[1].split("</div>", 1)[0]
    assert "De termijn is verstreken op" in overdue
    assert "redenen voor de vertraging (art. 33 lid 1 AVG)" in overdue


def test_once_notified_the_advice_says_what_was_done_not_to_notify_within_72_hours(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Found by testing: after a (late) filing, the advice still told the FG to notify within
    the 72 hours, provisionally. It now says when it was notified and whether in time, and to
    supplement a provisional notification."""
    incident = assessed(client, orgs, make_user)
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="recommendation"' in page and 'id="recommendation-filed"' not in page
    assert file(client, incident, 0, provisional="y").status_code == 302
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    filed = page.split('id="recommendation-filed"', 1)[1].split("</p>", 1)[0]
    assert 'data-late="false"' in filed and "binnen de termijn" in filed
    assert "voorlopig" in filed and "vul die aan" in filed
    assert "doe binnen de 72 uur een voorlopige melding" not in page.split('id="recommendation"')[1]
    # Once supplemented, it no longer asks for the supplement (it did: it read the first
    # filing's flag, not whether a supplement followed).
    assert file(client, incident, 1, confirm_incomplete="y").status_code == 302
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    filed = page.split('id="recommendation-filed"', 1)[1].split("</p>", 1)[0]
    assert "binnen de termijn" in filed and "vul die aan" not in filed

    db.session.expire_all()
    first = incident.notifications[0]
    first.late, first.provisional = True, False
    db.session.commit()
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    filed = page.split('id="recommendation-filed"', 1)[1].split("</p>", 1)[0]
    assert 'data-late="true"' in filed and "te laat" in filed and "voorlopig" not in filed


def test_the_filing_forms_start_from_the_reasons_for_the_delay_on_the_sheet(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Found by testing: the reasons for a late filing written as answer 4.5 on the sheet had
    to be typed again in the filing form (and could then differ from the filed sheet)."""
    incident = assessed(client, orgs, make_user)
    reasons = "Het onderzoek naar de omvang liep over het weekend."
    assert save(client, incident, "4.5", reasons, version=0).status_code == 302
    for url in (f"/incidents/{incident.id}", sheet_url(incident)):
        page = client.get(url).get_data(as_text=True)
        field = page.split('name="delay_reason"', 1)[1].split("</textarea>", 1)[0]
        assert field.endswith(reasons), url


def test_the_sheet_as_filed_gives_the_filings_reasons_for_the_delay(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    """Found by exploratory testing: answer 4.5 saved as "REDEN X", the filing form (which
    starts from it) changed to "REDEN Y": the sheet as filed said X, the filing and the
    register Y. The filing's reasons stand on the sheet as filed and on the sheet after it; an
    answer written after the first filing (for a supplement) stands."""
    incident = assessed(client, orgs, make_user)
    incident.aware_at = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)  # 72 hours long past
    db.session.commit()
    saved = save(client, incident, "4.5", "REDEN X: eerst intern onderzoek", version=0)
    assert saved.status_code == 302
    clock.advance(minutes=5)
    filed = file(
        client, incident, 0, provisional="y", delay_reason="REDEN Y: de directie moest akkoord"
    )
    assert filed.status_code == 302
    db.session.expire_all()
    first = incident.notifications[0]
    assert first.late and first.delay_reason == "REDEN Y: de directie moest akkoord"
    answers = {a["number"]: a for a in first.sheet["answers"]}
    assert answers["4.5"]["text"] == "REDEN Y: de directie moest akkoord"
    page = client.get(sheet_url(incident)).get_data(as_text=True)
    assert "REDEN Y: de directie moest akkoord" in page and "REDEN X" not in page

    clock.advance(minutes=5)
    later = "Aanvulling: het akkoord kwam pas op maandag."
    assert save(client, incident, "4.5", later, version=1).status_code == 302
    assert later in client.get(sheet_url(incident)).get_data(as_text=True)
