"""The clock in the web UI: recording the notification, reminder settings, the inbox status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Delivery, Incident, Organisation
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, login
from .test_reports import form_data
from .test_triage_web import reported_incident


def confirmed(client: Any, orgs: dict[str, Organisation], make_user: MakeUser) -> Incident:
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    confirm_breach(client, incident, "2026-11-15T10:00")  # T0 is 19-11 11:00, so overdue
    return incident


def confirm_breach(client: Any, incident: Incident, aware_at: str) -> None:
    """The FG confirms a confidentiality breach, aware since ``aware_at`` (Dutch time)."""
    client.post(
        f"/incidents/{incident.id}/triage",
        data={
            "personal_data": "yes",
            "security_breached": "yes",
            "aware_at": aware_at,
            "breach_types": ["confidentiality"],
        },
    )


def test_inbox_marks_the_overdue_incident(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = confirmed(client, orgs, make_user)
    page = client.get("/incidents/").get_data(as_text=True)
    assert f'data-reference="{incident.reference}"' in page
    assert 'class="table-danger"' in page and 'data-status="overdue"' in page
    assert "data-deadline=" in page and "18-11-2026 10:00" in page
    # Overdue: the next step is filing (in phases if need be), linked to the answer sheet.
    step = f'<a href="/incidents/{incident.id}/ap-sheet">Melden bij de AP</a>'
    assert 'data-next-action="file_ap"><span aria-hidden="true">→ </span>' + step in page
    # The top bar says so on every page the FG opens.
    page = client.get("/account").get_data(as_text=True)
    assert 'id="nav-incidents"' in page and "1 te laat</span>" in page
    assert "bijna verlopen" not in page


def test_a_late_notification_needs_reasons_at_the_field_and_keeps_the_typing(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = confirmed(client, orgs, make_user)
    data = {"submitted_at": "2026-11-19T10:30", "reference": "AP-98765", "delay_reason": ""}
    response = client.post(f"/incidents/{incident.id}/notification", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="delay_reason-error"' in page and 'value="AP-98765"' in page
    db.session.expire_all()
    assert incident.notifications == []

    data["delay_reason"] = "Het lek werd pas na het weekend gemeld aan de FG."
    data["provisional"] = "y"  # the drafted AP sheet still has open answers
    assert client.post(f"/incidents/{incident.id}/notification", data=data).status_code == 302
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "AP-98765" in page and 'data-status="late"' in page
    db.session.expire_all()
    # The sheet frozen on the filing is what was sent: its 4.5 holds the reasons just given.
    (filed,) = incident.notifications
    assert filed.sheet is not None
    answer = next(a for a in filed.sheet["answers"] if a["number"] == "4.5")
    assert answer["text"] == "Het lek werd pas na het weekend gemeld aan de FG."
    # Awareness cannot now be moved past the filing (the AP heard of it before we did?).
    moved = client.post(
        f"/incidents/{incident.id}/awareness",
        data={"aware_at": "2026-11-19T10:45", "reason": "Later pas zeker"},
    )
    assert moved.status_code == 422
    assert "kennisname kan niet na de eerste melding liggen" in moved.get_data(as_text=True)
    # Moved later, before the filing: the banner keeps the deadline the filing was judged by
    # (it showed the new one beside "late": found by exploratory testing) and says why.
    moved = client.post(
        f"/incidents/{incident.id}/awareness",
        data={"aware_at": "2026-11-18T10:00", "reason": "Pas op 18 november zeker"},
    )
    assert moved.status_code == 302
    banner = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    banner = banner.split('id="deadline"', 1)[1].split("</div>\n</div>", 1)[0]
    assert "uiterlijk melden bij de AP: 18-11-2026 10:00" in banner
    assert 'id="deadline-then"' in banner and "de deadline 21-11-2026 10:00" in banner
    statuses = db.session.execute(
        select(Delivery.status).where(
            Delivery.incident_id == incident.id, Delivery.kind != "new_report"
        )
    ).scalars()
    assert "planned" not in set(statuses)


def test_reminder_settings_errors_at_the_field_then_saved(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    data = {
        "reminder_offsets": "24, 80",
        "office_days": ["1", "2", "3", "4", "5"],
        "deputy_email": "vervanger@kruix.example",
        "escalation_name": "Directie",
        "escalation_email": "directie@kruix.example",
        "processor_term_hours": "36",
        "processor_hours_before": "12, 4",
    }
    response = client.post("/admin/organisations/kruix/clock", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="reminder_offsets-error"' in page
    assert 'value="directie@kruix.example"' in page
    data["reminder_offsets"] = "12, 36, 66"
    assert client.post("/admin/organisations/kruix/clock", data=data).status_code == 302
    db.session.expire_all()
    kruix = orgs["kruix"]
    assert kruix.reminder_offsets == [12, 36, 66] and kruix.processor_term_hours == 36
    assert kruix.escalation_email == "directie@kruix.example"


def test_a_processors_report_shows_its_times_and_our_clock_starts_at_our_awareness(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    from .test_reports import form_data

    leiz = orgs["leiz"]
    make_user("r@x.nl", (leiz, Role.REPORTER))
    make_user("fg@x.nl", (leiz, Role.FG))
    supplier = leiz.profile["processors"][0]
    login(client, "r@x.nl")
    data = form_data(
        reported_by_processor="y",
        reporting_processor_key=supplier["key"],
        processor_aware_at="2026-11-17T08:00",  # Dutch time
        processor_notified_at="2026-11-18T16:45",
    )
    assert client.post("/report/leiz", data=data).status_code == 302
    client.post("/logout")
    incident = db.session.execute(select(Incident)).scalar_one()
    login(client, "fg@x.nl")
    # A controller is in principle aware once its processor told it: that moment is proposed,
    # not the moment it was typed in here (found by exploratory testing).
    triage = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'value="2026-11-18T16:45"' in triage
    assert "Voorstel: toen de verwerker het je vertelde (18-11-2026 16:45)" in triage
    confirm_breach(client, incident, "2026-11-19T09:00")
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert supplier["name"] in page
    assert "Leverancier op de hoogte: 17-11-2026 08:00" in page
    assert "aan ons gemeld: 18-11-2026 16:45" in page
    assert "onze kennisname (hier begint onze termijn): 19-11-2026 09:00" in page
    # The 72 hours run from our awareness, not from the supplier's.
    assert "22-11-2026 09:00" in page and 'data-status="open"' in page


def test_the_inbox_pages_keep_the_filter_and_finished_incidents_wait_for_the_status_filter(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, monkeypatch: Any
) -> None:
    from breachdesk.services import inbox

    first = confirmed(client, orgs, make_user)  # overdue: first in the inbox
    client.post("/logout")
    login(client, "r@x.nl")
    client.post("/report/kruix", data=form_data())
    client.post("/logout")
    login(client, "fg@x.nl")
    monkeypatch.setattr(inbox, "PAGE_SIZE", 1)
    kruix = orgs["kruix"].id
    page = client.get(f"/incidents/?org={kruix}").get_data(as_text=True)
    assert "Pagina 1 van 2 (2 incidenten)" in page and first.reference in page
    assert f'href="/incidents/?org={kruix}&amp;page=2" rel="next"' in page
    second = client.get(f"/incidents/?org={kruix}&page=2").get_data(as_text=True)
    assert "Pagina 2 van 2" in second and first.reference not in second
    assert 'data-next-action="triage"' in second
    # A finished incident leaves the inbox; choosing its status shows it.
    db.session.execute(
        Incident.__table__.update().where(Incident.id == first.id).values(state="closed")
    )
    db.session.commit()
    assert first.reference not in client.get("/incidents/").get_data(as_text=True)
    closed = client.get("/incidents/?state=closed").get_data(as_text=True)
    assert first.reference in closed and "data-next-action" not in closed


def test_office_hours_for_untriaged_reports_are_set_and_checked(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    page = client.get("/admin/organisations/kruix/clock").get_data(as_text=True)
    assert 'id="office-hours"' in page and 'value="17"' in page
    data = {
        "reminder_offsets": "24, 48, 60, 70",
        "processor_term_hours": "24",
        "processor_hours_before": "12, 4, 1",
        "office_start_hour": "18",
        "office_end_hour": "8",
        "untriaged_office_hours": "2",
    }
    refused = client.post("/admin/organisations/kruix/clock", data=data)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="office_days-error"' in text and 'id="office_end_hour-error"' in text
    term = client.post(
        "/admin/organisations/kruix/clock", data={**data, "processor_term_hours": "0"}
    )
    error = term.get_data(as_text=True).split('id="processor_term_hours-error"')[1].split("<")[0]
    assert "Vul een heel getal van 1 tot en met 336 in." in error  # was "Nummer moet tussen ..."
    data.update(
        office_days=["1", "2", "3", "4", "5", "6"], office_start_hour="8", office_end_hour="18"
    )
    assert client.post("/admin/organisations/kruix/clock", data=data).status_code == 302
    db.session.expire_all()
    kruix = orgs["kruix"]
    assert (kruix.office_days, kruix.office_start_hour, kruix.office_end_hour) == ("123456", 8, 18)
    assert kruix.untriaged_office_hours == 2


def test_a_report_discovered_more_than_72_hours_ago_is_marked_in_the_inbox(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    incident = reported_incident(client, orgs, make_user)  # discovered 19-11 09:30
    login(client, "fg@x.nl")
    row = client.get("/incidents/").get_data(as_text=True).split(incident.reference, 1)[1]
    row = row.split("</tr>", 1)[0]
    assert "ontdekt 19-11-2026 09:30" in row and "meer dan 72 uur geleden" not in row
    clock.advance(hours=72)
    login(client, "fg@x.nl")  # the session of three days ago has ended
    row = client.get("/incidents/").get_data(as_text=True).split(incident.reference, 1)[1]
    assert "meer dan 72 uur geleden" in row.split("</tr>", 1)[0]
