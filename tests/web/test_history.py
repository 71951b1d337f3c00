"""The incident page's history says what happened, not only that something happened: which
question of the AP sheet, which filing and whether it was late, which decision, which change
of status (found by exploratory testing). Older events without the detail still read as their
label."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale

import breachdesk
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Incident, Organisation
from breachdesk.services import audit
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.web.history import DETAILS, event_words

from ..conftest import MakeUser, login
from .test_answer_sheet_web import file, save, sheet_url
from .test_stale_and_closing import assessed, decide


def history(client: Any, incident: Incident) -> list[tuple[str, str]]:
    """The incident page's history as (action, line) pairs, oldest first."""
    response = client.get(f"/incidents/{incident.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
    block = page.split('id="history"', 1)[1].split("</ul>", 1)[0]
    return [
        (action, re.sub(r"\s+", " ", line).replace("&#34;", '"').replace("&#39;", "'"))
        for action, line in re.findall(r'<li data-action="([a-z_.]+)">(.*?)</li>', block, re.S)
    ]


def lines(client: Any, incident: Incident, action: str) -> list[str]:
    return [line for code, line in history(client, incident) if code == action]


def test_the_history_names_each_question_answered_and_reverted(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)
    assert save(client, incident, "4.5", "Pas later ontdekt", version=0).status_code == 302
    assert save(client, incident, "10.1.1", "", "will_inform", version=1).status_code == 302
    assert save(client, incident, "4.5", "", version=2, action="revert").status_code == 302

    saved = lines(client, incident, "incident.answer_saved")
    # A short title is quoted (the AP form's own words); a long one cut at a word (it was
    # left at its number, one entry among titled ones: found by exploratory testing).
    assert "opgeslagen: vraag 4.5 “Als u later dan 72 uur meldt: waarom?” —" in saved[0]
    assert (
        "opgeslagen: vraag 10.1.1 “Heeft u de betrokkenen geïnformeerd of gaat u …” —" in saved[1]
    )
    (reverted,) = lines(client, incident, "incident.answer_reverted")
    assert "teruggezet naar het concept: vraag 4.5 “Als u later" in reverted

    # The audit trail page says it in the same words.
    trail = client.get(f"/admin/organisations/{incident.organisation.slug}/audit")
    assert "opgeslagen: vraag 10.1.1 “Heeft u de betrokkenen" in trail.get_data(as_text=True)

    client.get(f"/language/en?next=/incidents/{incident.id}")
    english = lines(client, incident, "incident.answer_saved")
    assert (
        "Answer on the AP sheet saved: question 4.5 “If you notify later than 72 hours: why?”"
        in (english[0])
    )


def test_a_late_filing_its_supplement_and_its_withdrawal_say_their_kind(
    app: Flask,
    client: Any,
    clock: FixedClock,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
) -> None:
    incident = assessed(client, orgs, make_user)  # aware 19-11-2026 10:30 Dutch time
    clock.advance(days=4)
    login(client, "fg@x.nl")  # signed out meanwhile
    late = file(
        client,
        incident,
        0,
        submitted_at="2026-11-23T09:00",
        provisional="y",
        delay_reason="De leverancier meldde het pas na drie dagen.",
    )
    assert late.status_code == 302
    (first,) = lines(client, incident, "incident.notification_recorded")
    assert (
        "Melding vastgelegd: eerste melding aan de AP; voorlopig; te laat: na de termijn van 72 "
        "uur; gemeld op 23-11-2026 09:00; kenmerk M-2026-001" in first
    )
    assert "De leverancier" not in first  # the reason for the delay stays on the filing

    assert save(client, incident, "6.3.1", "Ongeveer 120", version=0).status_code == 302
    supplement = file(client, incident, 1, submitted_at="2026-11-23T10:00", confirm_incomplete="y")
    assert supplement.status_code == 302
    withdrawn = client.post(
        f"{sheet_url(incident)}/withdraw",
        data={"seen_filings": "2", "submitted_at": "2026-11-23T10:30", "reference": "",
              "reason": "Bij nader inzien geen datalek."},
    )  # fmt: skip
    assert withdrawn.status_code == 302

    first, second, third = lines(client, incident, "incident.notification_recorded")
    assert "aanvulling op de melding aan de AP;" in second
    assert "gewijzigde antwoorden: 6.3.1" in second and "te laat" not in second
    assert "intrekking van de melding aan de AP; gemeld op 23-11-2026 10:30" in third
    assert "Bij nader inzien" not in third

    client.get(f"/language/en?next=/incidents/{incident.id}")
    first, second, third = lines(client, incident, "incident.notification_recorded")
    assert "Notification recorded: first notification to the AP; provisional; late: after " in (
        first
    )
    assert "supplement to the notification to the AP" in second
    assert "withdrawal of the notification to the AP" in third


def test_a_decision_in_time_and_a_status_change_name_the_outcome(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = assessed(client, orgs, make_user)  # the checklist advises: register only
    decided = decide(client, incident, 0, 1, outcome="notify_ap", rationale="x" * 20)
    assert decided.status_code == 302
    (decision,) = lines(client, incident, "incident.decided")
    assert (
        "Besluit vastgelegd: melden bij de AP; wijkt af van het advies: alleen registreren "
        "(geen melding); versie 1" in decision
    )
    assert "xxxx" not in decision  # the rationale is on the page, not in the line
    assert any(
        "Status gewijzigd: Beoordeeld → Besloten" in line
        for line in lines(client, incident, "incident.state_changed")
    )
    assert file(client, incident, 0, provisional="y").status_code == 302
    (filed,) = lines(client, incident, "incident.notification_recorded")
    assert "eerste melding aan de AP; voorlopig; binnen de termijn van 72 uur;" in filed


def test_events_written_before_their_details_were_kept_read_as_their_label(
    app: Flask, client: Any, clock: FixedClock, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Events of an older shape (no data, other types, erased values) are not rewritten (the
    chain is sealed) and still render, as the words they always had."""
    incident = assessed(client, orgs, make_user)
    old_shapes: list[tuple[str, Any, Any]] = [
        ("incident.answer_saved", None, None),
        ("incident.notification_recorded", None, {"submitted_at": "not a time"}),
        ("incident.decided", None, {"outcome": ["odd"], "version": "1"}),
        ("incident.state_changed", {"state": "gone"}, {"state": 7}),
        ("incident.action_added", None, {"title": "[erased]"}),
        ("incident.triaged", None, {"personal_data": None, "breach_types": "confidentiality"}),
    ]
    for action, before, after in old_shapes:
        audit.record(
            db.session,
            clock=clock,
            actor=Actor.system("test"),
            action=action,
            entity_type="incident",
            entity_id=incident.id,
            organisation_id=incident.organisation_id,
            before=before,
            after=after,
        )
    db.session.commit()
    shown = history(client, incident)[-len(old_shapes) :]
    assert [line.split(" — ")[1] for _, line in shown] == [
        "Antwoord op het AP-antwoordblad opgeslagen",
        "Melding vastgelegd",
        "Besluit vastgelegd",
        "Status gewijzigd",
        "Herstelmaatregel toegevoegd",
        "Eerste beoordeling vastgelegd",
    ]


#: Each kind of event about an incident, in the shape its service writes it, and its line.
EXAMPLES: list[tuple[str, Any, Any, str]] = [
    ("incident.reported", None, {"reported_by_processor": True, "attachments": [{}, {}]},
     "Incident gemeld: gemeld door een leverancier (verwerker); met 2 bijlagen"),
    ("incident.triaged", None,
     {"personal_data": "yes", "security_breached": "yes", "our_role": "processor",
      "breach_types": ["availability", "confidentiality"], "controller_name": "Zorg BV"},
     "Eerste beoordeling vastgelegd: een datalek (beschikbaarheid, vertrouwelijkheid); "
     "als verwerker voor Zorg BV"),
    ("incident.triaged", None, {"personal_data": "no", "security_breached": "unknown"},
     "Eerste beoordeling vastgelegd: geen datalek"),
    ("incident.triaged", None, {"personal_data": "yes", "security_breached": "unknown"},
     "Eerste beoordeling vastgelegd: nog niet bekend of het een datalek is"),
    ("incident.triage_corrected",
     {"breach_types": ["confidentiality"], "our_role": "controller", "controller_name": ""},
     {"breach_types": ["confidentiality", "integrity"], "our_role": "controller",
      "controller_name": "", "reason": "typo"},
     "Eerste beoordeling gecorrigeerd: soort inbreuk: vertrouwelijkheid → "
     "vertrouwelijkheid, integriteit"),
    ("incident.report_corrected", {"subjects_exact": 10, "subjects_mode": "exact", "title": "a"},
     {"subjects_exact": 12, "subjects_mode": "exact", "title": "b", "reason": "geteld"},
     "Melding gecorrigeerd door de FG: aantal betrokkenen, titel"),
    ("incident.awareness_recorded", {"aware_at": None},
     {"aware_at": "2026-11-19T09:30:00.000000+00:00", "reason": ""},
     "Moment van kennisname vastgelegd: 19-11-2026 10:30"),
    ("incident.awareness_corrected", {"aware_at": "2026-11-19T09:30:00.000000+00:00"},
     {"aware_at": "2026-11-18T15:00:00.000000+00:00", "reason": "eerder gezien"},
     "Moment van kennisname gecorrigeerd: 19-11-2026 10:30 → 18-11-2026 16:00"),
    # A reopening keeps its reason in the history (it was shown only while open).
    ("incident.state_changed", {"state": "closed"}, {"state": "decided", "reason": "AP vroeg"},
     "Status gewijzigd: Afgesloten → Besloten; reden: “AP vroeg”"),
    ("incident.checklist_saved", {"facts": {"a": 1, "b": 2, "c": 3}},
     {"facts": {"a": 1, "b": 5, "c": 4}, "confirmed": True},
     "Risicochecklist opgeslagen: 2 antwoorden gewijzigd; bevestigd"),
    ("incident.decided", None,
     {"version": 2, "outcome": "notify_ap_and_subjects", "follows_recommendation": True,
      "recommended": "notify_ap_and_subjects", "rationale": "hoog risico"},
     "Besluit vastgelegd: melden bij de AP en de betrokkenen informeren; volgens het advies; "
     "versie 2"),
    ("incident.decision_stale", None,
     {"decision_version": 1, "recommended_then": "register_only",
      "recommended_now": "notify_ap"},
     "Besluit verouderd: de checklist adviseert nu andere plichten: melden bij de AP in plaats "
     "van alleen registreren (geen melding)"),
    ("incident.notification_recorded", None,
     {"addressee": "controller", "kind": "initial", "late": False, "provisional": False,
      "submitted_at": "2026-11-19T12:00:00.000000+00:00", "reference": ""},
     "Melding vastgelegd: eerste melding aan de verwerkingsverantwoordelijke; binnen de termijn "
     "uit de verwerkersovereenkomst; gemeld op 19-11-2026 13:00"),
    ("incident.answer_reverted", {"question": "7.3", "edited": True},
     {"question": "7.3", "form": "ap-2022", "version": 4},
     "Antwoord op het AP-antwoordblad teruggezet naar het concept: "
     "vraag 7.3 “Om hoeveel personen gaat het …”"),
    ("incident.filing_exchange_recorded", None,
     {"notification_id": 1, "asked_at": "2026-11-20T10:00:00.000000+00:00",
      "answered_at": None, "question_sha256": "0" * 64},
     "Vraag van de AP vastgelegd: gesteld op 20-11-2026 11:00; nog niet beantwoord"),
    ("incident.filing_exchange_recorded", None,
     {"notification_id": 1, "addressee": "ap", "kind": "supplement",
      "submitted_at": "2026-11-19T12:00:00.000000+00:00", "reference": "M-1",
      "asked_at": "2026-11-20T10:00:00.000000+00:00",
      "answered_at": "2026-11-21T09:00:00.000000+00:00", "question_sha256": "0" * 64},
     "Vraag van de AP vastgelegd: over de aanvulling op de melding aan de AP van "
     "19-11-2026 13:00; kenmerk M-1; gesteld op 20-11-2026 11:00; beantwoord op 21-11-2026 10:00"),
    ("incident.controller_notice_queued", None, {"kind": "supplement", "recipients": 2},
     "Melding aan de verwerkingsverantwoordelijke verstuurd: aanvulling; aan 2 adressen"),
    ("incident.people_duties_recorded", None,
     {"subjects": {"outcome": "art34_3a", "at": None, "note": "versleuteld"},
      "public": {"outcome": "published", "at": "2026-11-21T08:00:00.000000+00:00", "note": ""}},
     "Vastgelegd hoe de betrokkenen zijn geïnformeerd: betrokkenen niet geïnformeerd op grond "
     "van art. 34 lid 3 onder a (gegevens onbegrijpelijk); de openbare mededeling is gedaan "
     "(21-11-2026 09:00)"),
    ("incident.people_notice_saved", None, {"version": 1, "sha256": "0" * 64},
     "Bericht aan betrokkenen opgeslagen: versie 1"),
    ("incident.people_notice_approved", None, {"version": 1, "lang": "nl", "sha256": "0"},
     "Bericht aan betrokkenen goedgekeurd: versie 1; in het Nederlands"),
    ("incident.recipients_staged", None,
     {"import": 3, "total_rows": 12, "valid_rows": 10, "error_rows": 2, "email_count": 9,
      "letter_count": 1},
     "Lijst met betrokkenen ingelezen om te controleren: 10 personen; 9 per e-mail, 1 per brief; "
     "2 rijen met fouten"),
    ("incident.recipients_discarded", None, {"import": 3, "reason": "failed"},
     "Lijst met betrokkenen terzijde gelegd: het inlezen van het bestand mislukte"),
    ("incident.recipients_purged", None, {"imports": [3], "recipients": 1, "deliveries": 1},
     "Lijst met betrokkenen gewist na de bewaartermijn: gegevens van 1 persoon"),
    ("incident.mailing_started", None,
     {"mailing": 1, "notice_version": 2, "emails": 9, "letters": 1, "rate_per_minute": 60},
     "Verzending van het bericht gestart: versie 2 van het bericht; aan 9 personen per e-mail; "
     "1 brief om per post te versturen"),
    ("incident.mailing_paused", None, {"mailing": 1, "held": 7},
     "Verzending van het bericht gepauzeerd: 7 berichten tegengehouden"),
    ("incident.mailing_cancelled", None, {"mailing": 1, "cancelled": 1},
     "Verzending van het bericht geannuleerd: 1 bericht niet verstuurd"),
    ("incident.letters_posted", None,
     {"mailing": 1, "letters": 3, "posted_at": "2026-11-22T09:00:00.000000+00:00"},
     "Brieven vastgelegd als verstuurd per post: 3 brieven, op de post gedaan op "
     "22-11-2026 10:00"),
    ("incident.public_notice_saved", None,
     {"sha256": "0", "chars": 900, "channel": "website", "url": "",
      "published_at": "2026-11-21T08:00:00.000000+00:00"},
     "Openbare mededeling opgeslagen: gepubliceerd op 21-11-2026 09:00 via website"),
    ("incident.question_asked", None, {"message_id": 1, "mailed": False},
     "Vraag gesteld aan de melder: alleen op de volgpagina van de melder"),
    ("incident.reporter_replied", None, {"message_id": 2, "kind": "answer", "attachments": []},
     "De melder heeft geantwoord of informatie toegevoegd: een antwoord op een vraag"),
    ("incident.evidence_added", None, {"attachments": [{"filename": "ontvangst.pdf"}]},
     "Bewijsmateriaal toegevoegd door de FG: 1 bestand"),
    ("incident.action_added", None,
     {"action": 1, "title": "Wachtwoorden resetten", "due_on": "2026-12-01", "status": "open"},
     "Herstelmaatregel toegevoegd: “Wachtwoorden resetten”; uiterlijk 01-12-2026"),
    ("incident.action_changed",
     {"action": 1, "title": "Wachtwoorden resetten", "due_on": "2026-12-01", "status": "open"},
     {"action": 1, "title": "Wachtwoorden resetten", "due_on": "2026-12-08", "status": "done"},
     "Herstelmaatregel gewijzigd: “Wachtwoorden resetten”; te doen → uitgevoerd; "
     "uiterste datum: 01-12-2026 → 08-12-2026"),
    ("incident.evidence_pack_downloaded", None, {"trail_intact": False, "files": 3},
     "Bewijsdossier gedownload: 3 bestanden; audittrail NIET intact"),
    ("incident.imported", None, {"reference": "X", "source_row": 7, "outcome": "register_only"},
     "Geïmporteerd uit een eerder register: rij 7 van het eerdere register; alleen registreren "
     "(geen melding)"),
    ("incident.breach_data_erased", None, {"retention_days": 365},
     "Gegevens van het datalek gewist na de bewaartermijn: 365 dagen na het afsluiten"),
    ("delivery.failed", None, {"delivery": 4, "kind": "reminder", "label": "48h", "attempts": 5},
     "E-mail kon niet worden bezorgd: 48 uur na kennisname; na 5 pogingen"),
]  # fmt: skip


@pytest.mark.parametrize(("action", "before", "after", "expected"), EXAMPLES)
def test_each_kind_of_event_says_what_its_data_holds(
    app: Flask, action: str, before: Any, after: Any, expected: str
) -> None:
    event = AuditEvent(action=action, before=before, after=after)
    with app.test_request_context(), force_locale("nl"):
        assert event_words(event) == expected


def test_every_kind_of_event_about_an_incident_has_its_details() -> None:
    """A new kind of incident event gets a line that says more than its label."""
    root = Path(breachdesk.__file__).parent
    sources = [*(root / "services").rglob("*.py"), root / "web" / "register_pack.py"]
    written = {
        code
        for path in sources
        for code in re.findall(r'"(incident\.[a-z_]+)"', path.read_text(encoding="utf-8"))
        if code != "incident.id"
    }
    assert "incident.answer_saved" in written and "incident.evidence_pack_downloaded" in written
    assert sorted(written - set(DETAILS)) == []
