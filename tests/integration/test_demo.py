"""The demo loader: events in time order, and reports that stay within each profile."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from breachdesk.demo.incidents import SCRIPT
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Incident
from breachdesk.services import report_columns
from breachdesk.services.organisations import profile_of

#: Words for kinds of personal data a demo text might mention; each one used in a demo
#: report must appear in its organisation's profile (the kinds of data and their sources).
DATA_WORDS = (
    "geboortedat",
    "geboortejaar",
    "leeftijd",
    "bsn",
    "burgerservicenummer",
    "paspoort",
    "identiteitsbewijs",
    "rekeningnummer",
    "iban",
    "betaalgegevens",
    "gezondheid",
    "medisch",
    "diagnose",
    "geslacht",
    "foto",
    "filmbeelden",
    "locatie",
    "ip-adres",
    "telefoonnummer",
    "e-mailadres",
    "adres",
    "bestel",
    "strafrechtelijk",
)


def _events_in_id_order() -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars())


def _assert_time_order(events: list[AuditEvent]) -> None:
    for earlier, later in zip(events, events[1:], strict=False):
        assert later.occurred_at >= earlier.occurred_at, (
            f"event {later.id} ({later.action}, {later.occurred_at}) is earlier than "
            f"event {earlier.id} ({earlier.action}, {earlier.occurred_at})"
        )


def test_demo_load_writes_audit_events_in_time_order_and_the_chain_verifies(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    events = _events_in_id_order()
    assert len(events) > 50
    _assert_time_order(events)
    now = app.config["CLOCK"].now()
    assert events[-1].occurred_at <= now
    # The backdated story is kept: the first report came in days before loading.
    reported = [e for e in events if e.action == "incident.reported"]
    assert len(reported) == len(SCRIPT)
    assert (now - reported[0].occurred_at).total_seconds() > 100 * 3600
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_incidents_added_later_never_go_back_before_existing_events(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load", "--no-incidents"]).exit_code == 0
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0 and result.output.count("Demo incident ") == len(SCRIPT)
    _assert_time_order(_events_in_id_order())
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_each_demo_report_names_only_data_its_organisations_profile_lists(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    incidents = db.session.execute(select(Incident)).scalars().all()
    assert len(incidents) == len(SCRIPT)
    for incident in incidents:
        profile = profile_of(incident.organisation)
        report = report_columns.report_of(incident)
        assert report.data_category_keys, incident.title
        assert set(report.data_category_keys) <= set(profile.data_category_keys()), incident.title
        listed = " ".join(
            f"{c.key} {c.name} {c.name_en or ''} {c.source}" for c in profile.data_categories
        ).lower()
        text = f"{incident.title} {report.description} {report.discovery_how}".lower()
        for word in DATA_WORDS:
            if word in text:
                assert word in listed, f"{incident.title}: {word!r} is not in the profile"


def test_the_script_names_only_categories_of_the_demo_profiles() -> None:
    from breachdesk.demo import profile_paths
    from breachdesk.services.organisations import load_profile_file

    profiles = {p.slug: p for p in map(load_profile_file, profile_paths())}
    for item in SCRIPT:
        assert item.data_category_keys, item.title
        assert set(item.data_category_keys) <= set(profiles[item.slug].data_category_keys())
        assert "geboortedat" not in item.description.lower()


def test_each_kind_of_data_a_demo_report_mentions_is_in_its_categories_or_other_data(
    app: Flask,
) -> None:
    """A report that says passwords were copied lists them (the profile has no category for
    them, so in the report's own words) — the register's data categories must not omit them."""
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    for incident in db.session.execute(select(Incident)).scalars():
        report = report_columns.report_of(incident)
        text = f"{incident.title} {report.description}".lower()
        if "wachtwoorden" in text and "gekopieerd" in text:
            assert "wachtwoord" in report.data_other.lower(), incident.title


def test_a_lost_carrier_is_triaged_as_an_availability_breach(app: Flask) -> None:
    """EDPB Guidelines 9/2022's own example: a lost USB key is an availability breach for
    certain, even when nobody can say whether anyone read it."""
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    lost = [
        incident
        for incident in db.session.execute(select(Incident)).scalars()
        if "kwijt" in incident.title.lower() or "verloren" in incident.title.lower()
    ]
    assert lost
    for incident in lost:
        assert "availability" in set(incident.breach_types or ()), incident.title
