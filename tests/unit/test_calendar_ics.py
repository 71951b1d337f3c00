"""The feed's iCalendar text: RFC 5545 line ends, folding and escaping of awkward text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from breachdesk.domain.deadline import DeadlineStatus, Duty
from breachdesk.models import Incident, Organisation
from breachdesk.services.calendar import render_feed, token_hash
from breachdesk.services.deadlines import IncidentClock

NOW = datetime(2026, 10, 23, 12, 0, tzinfo=UTC)
AWARE = datetime(2026, 10, 24, 10, 0, tzinfo=UTC)  # the deadline falls after the DST change
NASTY = 'Lijst; met, komma\'s \\ "quotes" en\neen nieuwe regel – ' + "héél lang " * 12


def feed(title: str = NASTY, duty: Duty = Duty.AP) -> bytes:
    org = Organisation(id=3, name="Zorg; Welzijn, & Co")
    incident = Incident(id=7, reference="BD-2026-0007", title=title, organisation=org)
    incident.controller_name = "Gemeente X" if duty is Duty.CONTROLLER else ""
    term = timedelta(hours=72)
    clock = IncidentClock(duty, AWARE, AWARE + term, DeadlineStatus.OPEN, term)
    return render_feed([(incident, clock)], NOW, base_url="https://bd.example.nl/")


def test_lines_end_in_crlf_and_are_folded_at_75_octets() -> None:
    body = feed()
    assert body.endswith(b"END:VCALENDAR\r\n")
    lines = body.split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long description was folded
    body.decode("utf-8")  # folding never splits a multi-byte character


def test_text_is_escaped_and_survives_a_round_trip() -> None:
    body = feed()
    unfolded = body.replace(b"\r\n ", b"").decode()
    assert "Zorg\\; Welzijn\\, & Co" in unfolded
    assert 'Lijst\\; met\\, komma\'s \\\\ "quotes" en\\neen nieuwe regel' in unfolded
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["description"]).startswith(f"BD-2026-0007 – {NASTY}\n")
    assert str(event["summary"]) == "Deadline AP-melding BD-2026-0007 (Zorg; Welzijn, & Co)"
    assert str(event["url"]) == "https://bd.example.nl/incidents/7"


def test_the_deadline_is_in_utc_and_shown_in_dutch_time_in_the_description() -> None:
    unfolded = feed().replace(b"\r\n ", b"").decode()
    # 72 hours in UTC; after the October change Amsterdam is UTC+1, so 11:00 there.
    assert "\r\nDTSTART:20261027T100000Z\r\n" in unfolded
    assert "\r\nDTSTAMP:20261023T120000Z\r\n" in unfolded
    assert "DTEND" not in unfolded  # a moment: it ends when it starts (RFC 5545 3.6.1)
    assert "Uiterlijk 27 oktober 2026 om 11:00 (Nederlandse tijd)" in unfolded
    assert "\r\nUID:incident-7-ap@bd.example.nl\r\n" in unfolded


def test_processor_incidents_name_the_duty_towards_the_controller() -> None:
    (event,) = Calendar.from_ical(feed("Kort", Duty.CONTROLLER)).walk("VEVENT")
    assert str(event["uid"]) == "incident-7-controller@bd.example.nl"
    assert str(event["summary"]).startswith(
        "Deadline informeren verwerkingsverantwoordelijke BD-2026-0007"
    )
    assert "Gemeente X" in str(event["description"])


def test_only_a_digest_of_the_token_is_kept() -> None:
    digest = token_hash("secret-token")
    assert len(digest) == 64 and "secret" not in digest
    assert digest == token_hash("secret-token") != token_hash("secret-tokeN")
