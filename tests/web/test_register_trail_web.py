"""The register compared with its audit trail, on a real database: a register changed behind
breachdesk's back, with every audit event left intact, is named by `breachdesk audit verify`,
on the organisation's audit page and in the evidence pack. (Found by exploratory testing: an
FG's tester moved a moment of awareness in a database copy and everything verified.)"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select, text

from breachdesk.domain.timeutil import utc_to_local
from breachdesk.extensions import db
from breachdesk.models import Decision, Incident, Organisation, User
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import login
from .test_evidence_pack import download, filed  # noqa: F401 - the fixture
from .test_register_import import fg, imported_workbook, pdf_text  # noqa: F401 - the fixture
from .test_retention import cli


def behind_the_back(sql: str, **params: Any) -> None:
    """A statement run on the database directly, as someone with its password can."""
    db.session.execute(text(sql), params)
    db.session.commit()
    db.session.expire_all()


def test_a_moment_of_awareness_or_a_filing_changed_in_the_database_is_named(
    app: Flask,
    client: Any,
    filed: Incident,  # noqa: F811 - the fixture
    orgs: dict[str, Organisation],
) -> None:
    chain = f"org:{orgs['kruix'].id}"
    verified = cli(app, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "every register says what its chain recorded" in verified.output
    recorded = filed.aware_at
    assert recorded is not None

    # The deadline "met" after all: awareness moved a day later in the table.
    moved = recorded + timedelta(days=1)
    behind_the_back("UPDATE incident SET aware_at = :at WHERE id = :id", at=moved, id=filed.id)
    verified = cli(app, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert f"ok      {chain}" in verified.output  # the chain itself is intact
    changed = [line for line in verified.output.splitlines() if line.startswith("CHANGED")]
    assert len(changed) == 1, verified.output
    assert f"register of {chain}: incident {filed.reference}: aware_at" in changed[0]

    login(client, "fg@x.nl")
    page = client.get("/admin/organisations/kruix/audit").get_data(as_text=True)
    assert "Het register is buiten breachdesk om gewijzigd." in page
    assert "Er is met de audittrail geknoeid." not in page  # the trail itself is intact
    assert "De audittrail zelf is intact" in page
    assert f"Incident {filed.reference}: het moment van kennisname in het register" in page
    # Both moments in Dutch time: the one in the table now, and the one the trail recorded.
    now, then = (utc_to_local(m).strftime("%d-%m-%Y %H:%M") for m in (moved, recorded))
    assert f"Nu: {now}; vastgelegd: {then}." in page
    client.post("/logout")

    pack = download(client, filed)
    verification = json.loads(pack.read("audit/verification.json"))
    assert verification["intact"] is False
    assert [p["kind"] for p in verification["problems"]] == ["register_changed"]
    assert json.loads(pack.read("manifest.json"))["audit_trail_intact"] is False
    # The summary says what changed, in Dutch, and does not blame the trail (it said "NOT in
    # order" and listed nothing: found by exploratory testing).
    summary = pdf_text(pack.read("summary.pdf"))
    assert "maar het register was buiten breachdesk om gewijzigd" in summary
    assert "het moment van kennisname in het register" in " ".join(summary.split())
    client.post("/logout")

    # Put back as recorded; then the filing is moved instead, and a decision removed.
    behind_the_back("UPDATE incident SET aware_at = :at WHERE id = :id", at=recorded, id=filed.id)
    assert cli(app, "audit", "verify").exit_code == 0
    behind_the_back(
        "UPDATE notification SET submitted_at = :at WHERE incident_id = :id",
        at=recorded + timedelta(hours=1),
        id=filed.id,
    )
    behind_the_back("DELETE FROM decision WHERE incident_id = :id", id=filed.id)
    output = cli(app, "audit", "verify").output
    assert "a filing the trail never recorded" in output
    assert "a filing the trail recorded is gone or changed" in output
    assert "a decision the trail recorded is gone or changed" in output


def test_the_filings_reasons_the_decisions_duties_and_the_closing_date_are_traced_too(
    app: Flask,
    client: Any,
    filed: Incident,  # noqa: F811 - the fixture
) -> None:
    """Found by exploratory testing: a filing's reasons for delay and its late flag, a
    decision's duties and severity, and the closing date could be changed without a word."""
    assert cli(app, "audit", "verify").exit_code == 0
    checks = [
        ("UPDATE notification SET delay_reason = 'Geen reden' WHERE incident_id = :id",
         "a filing the trail never recorded"),
        ("UPDATE notification SET late = :t WHERE incident_id = :id",
         "a filing the trail never recorded"),
        ("UPDATE decision SET notify_ap = :f WHERE incident_id = :id",
         "a decision the trail never recorded"),
        ("UPDATE decision SET ap_severity = 'verwaarloosbaar' WHERE incident_id = :id",
         "a decision the trail never recorded"),
    ]  # fmt: skip
    for sql, said in checks:
        row = db.session.execute(text("SELECT * FROM notification")).mappings().one()
        decision = db.session.execute(text("SELECT * FROM decision")).mappings().one()
        behind_the_back(sql, id=filed.id, t=True, f=False)
        output = cli(app, "audit", "verify").output
        assert said in output, (sql, output)
        for table, before in (("notification", row), ("decision", decision)):  # put back
            columns = (
                ("delay_reason", "late")
                if table == "notification"
                else ("notify_ap", "ap_severity")
            )
            sets = ", ".join(f"{c} = :{c}" for c in columns)
            behind_the_back(
                f"UPDATE {table} SET {sets} WHERE id = :row",  # noqa: S608 - own names
                row=before["id"],
                **{c: before[c] for c in columns},
            )
        assert cli(app, "audit", "verify").exit_code == 0, sql

    # The closing date: closed through breachdesk, then moved in the table.
    login(client, "fg@x.nl")
    from breachdesk.services import closing

    officer = db.session.execute(select(User).where(User.email == "fg@x.nl")).scalar_one()
    clock = FixedClock(filed.reported_at + timedelta(days=3))
    filed.containment_details = "Laptop op afstand gewist."
    db.session.commit()
    closing.close(db.session, filed, actor=Actor.of(officer), clock=clock)
    assert cli(app, "audit", "verify").exit_code == 0
    behind_the_back(
        "UPDATE incident SET closed_at = :at WHERE id = :id",
        at=clock.now() - timedelta(days=400),  # then erased by retention at once
        id=filed.id,
    )
    assert "closed_at is" in cli(app, "audit", "verify").output


def test_an_incident_added_or_removed_in_the_database_is_named(
    app: Flask,
    filed: Incident,  # noqa: F811 - the fixture
) -> None:
    unique = ("id", "reference", "seq", "submission_key", "followup_nonce")
    columns = [c.name for c in Incident.__table__.columns if c.name not in unique]
    names = ", ".join(columns)
    behind_the_back(
        f"INSERT INTO incident (reference, seq, {names}) "  # noqa: S608 - its own columns
        f"SELECT 'KRX-2026-0999', 999, {names} FROM incident WHERE id = :id",
        id=filed.id,
    )
    output = cli(app, "audit", "verify").output
    assert "incident KRX-2026-0999 is in the register, but the trail never recorded it" in output

    # Removed with everything that refers to it, children first.
    gone, reference = filed.id, filed.reference
    for table in reversed(db.metadata.sorted_tables):
        for column in table.columns:
            if any(fk.column.table.name == "incident" for fk in column.foreign_keys):
                db.session.execute(table.delete().where(column == gone))
    behind_the_back("DELETE FROM incident WHERE id = :id", id=gone)
    output = cli(app, "audit", "verify").output
    assert f"incident {reference} was recorded by the trail" in output
    assert "but is gone" in output


def test_an_imported_entry_is_traced_from_its_import(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    fg: None,  # noqa: F811 - the fixture
) -> None:
    login(client, "fg@x.nl")
    laptop, mail, _formula = imported_workbook(client, orgs)
    verified = cli(app, "audit", "verify")
    assert verified.exit_code == 0, verified.output

    behind_the_back(
        "UPDATE decision SET rationale = 'Geen risico.' WHERE incident_id = :id", id=mail.id
    )
    behind_the_back(
        "UPDATE incident SET decided_outcome = 'register_only' WHERE id = :id", id=laptop.id
    )
    output = cli(app, "audit", "verify").output
    assert f"incident {mail.reference}: a decision the trail never recorded" in output
    assert f"incident {laptop.reference}: decided_outcome is 'register_only'" in output
    decision = db.session.execute(select(Decision).where(Decision.incident_id == mail.id))
    assert decision.scalar_one().rationale == "Geen risico."


def test_changes_made_through_breachdesk_leave_the_register_as_its_trail_recorded(
    app: Flask,
    filed: Incident,  # noqa: F811 - the fixture
    orgs: dict[str, Organisation],
) -> None:
    """The report corrected (it writes moments as isoformat(), the other events as UTC text)
    and the awareness corrected: verification stays clean, and the last values count."""
    from dataclasses import replace

    from breachdesk.domain.report import CountMode
    from breachdesk.models import User
    from breachdesk.services import report_correction, triage
    from breachdesk.services.audit import Actor
    from breachdesk.services.clock import FixedClock
    from breachdesk.services.report_columns import report_of

    officer = db.session.execute(select(User).where(User.email == "fg@x.nl")).scalar_one()
    actor = Actor.of(officer)
    clock = FixedClock(filed.reported_at + timedelta(hours=2))
    report = report_of(filed)
    earlier = filed.discovered_at - timedelta(hours=3)
    changed = report_correction.correct_report(
        db.session,
        filed,
        replace(report, discovered_at=earlier, subjects_mode=CountMode.EXACT, subjects_exact=41),
        "De medewerker wist het tijdstip achteraf beter.",
        actor=actor,
        clock=clock,
    )
    assert "discovered_at" in changed and "subjects_exact" in changed
    assert cli(app, "audit", "verify").exit_code == 0
    before = filed.aware_at
    assert before is not None
    triage.record_awareness(
        db.session,
        filed,
        before - timedelta(minutes=30),
        "De FG las de melding eerder dan gedacht.",
        actor=actor,
        clock=clock,
    )
    verified = cli(app, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    behind_the_back("UPDATE incident SET aware_at = :at WHERE id = :id", at=before, id=filed.id)
    assert "aware_at" in cli(app, "audit", "verify").output  # the old value is no longer it


def test_the_pack_is_made_when_a_decision_holds_a_value_no_outcome_has(
    app: Flask,
    client: Any,
    filed: Incident,  # noqa: F811 - the fixture
) -> None:
    """The pack that documents a change must still be made (it was a 500: ValueError
    'no_notification' is not a valid Outcome; found by exploratory testing)."""
    behind_the_back(
        "UPDATE decision SET outcome = 'no_notification' WHERE incident_id = :id", id=filed.id
    )
    pack = download(client, filed)
    summary = pdf_text(pack.read("summary.pdf"))
    assert "no_notification" in summary
    assert json.loads(pack.read("audit/verification.json"))["intact"] is False
