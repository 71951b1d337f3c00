"""The `breachdesk` admin commands."""

from __future__ import annotations

from pathlib import Path

import yaml
from flask import Flask
from sqlalchemy import func, select

from breachdesk.demo import DEMO_PASSWORD, profile_paths
from breachdesk.domain.deadline import DeadlineStatus
from breachdesk.extensions import db
from breachdesk.models import Delivery, Incident, Membership, Organisation, User
from breachdesk.services import deadlines, inbox, urgency
from breachdesk.services.deadlines import clock_of


def test_org_import_export_round_trip(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    paths = [str(p) for p in profile_paths()]
    result = runner.invoke(args=["org", "import", *paths])
    assert result.exit_code == 0, result.output
    assert result.output.count(": created") == 5
    again = runner.invoke(args=["org", "import", paths[0]])
    assert again.exit_code != 0 and "already exists" in again.output

    out = tmp_path / "export"
    assert runner.invoke(args=["org", "export", "-o", str(out)]).exit_code == 0
    exported = yaml.safe_load((out / "kruix.yaml").read_text(encoding="utf-8"))
    original = yaml.safe_load(
        Path(next(p for p in paths if p.endswith("kruix.yaml"))).read_text("utf-8")
    )
    assert exported == original

    exported["sector"] = "Verzekeringen (test)"
    changed = tmp_path / "kruix.yaml"
    changed.write_text(yaml.safe_dump(exported, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["org", "import", "--replace", str(changed)])
    assert "kruix: updated" in result.output
    kruix = db.session.execute(
        select(Organisation).where(Organisation.slug == "kruix")
    ).scalar_one()
    assert kruix.profile["sector"] == "Verzekeringen (test)" and kruix.profile_version == 2


def test_every_organisation_exported_at_once_imports_again(app: Flask, tmp_path: Path) -> None:
    """Found by exploratory testing: "org export" without a slug printed the profiles run
    together as one YAML mapping, and importing that created only the last organisation (and
    said nothing of the other four)."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["org", "import", *map(str, profile_paths())]).exit_code == 0
    printed = runner.invoke(args=["org", "export"])
    assert printed.exit_code == 0 and printed.output.count("\n---\n") == 4
    everything = tmp_path / "all.yaml"
    everything.write_text(printed.output, encoding="utf-8")
    result = runner.invoke(args=["org", "import", "--replace", str(everything)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": unchanged") == 5  # every one read back, as it was
    # The profiles run together as one mapping, as before: refused at the repeated key.
    together = tmp_path / "together.yaml"
    together.write_text(printed.output.replace("---\n", ""), encoding="utf-8")
    refused = runner.invoke(args=["org", "import", str(together)])
    assert refused.exit_code != 0 and "is given twice" in refused.output
    # A folder is needed for every organisation's file; an existing file is refused in words.
    answer = runner.invoke(args=["org", "export", "-o", str(everything)])
    assert answer.exit_code != 0 and "is a file" in answer.output
    assert "Traceback" not in answer.output


def test_org_import_refuses_a_prefix_another_organisation_has(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    kruix = next(p for p in profile_paths() if p.name == "kruix.yaml")
    assert runner.invoke(args=["org", "import", str(kruix)]).exit_code == 0
    data = yaml.safe_load(kruix.read_text(encoding="utf-8"))
    data["slug"] = "kruix-zuid"
    copy = tmp_path / "kruix-zuid.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["org", "import", str(copy)])
    assert result.exit_code != 0
    assert "reference_prefix: The prefix KRX is already taken; choose another." in result.output
    assert db.session.execute(select(func.count()).select_from(Organisation)).scalar_one() == 1


def test_org_import_reports_every_problem_and_imports_nothing(app: Flask, tmp_path: Path) -> None:
    good = profile_paths()[0]
    data = yaml.safe_load(good.read_text(encoding="utf-8"))
    data["kvk_number"] = "123"
    data["data_categories"][0]["enisa_class"] = "secret"
    bad = tmp_path / "broken.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["org", "import", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: kvk_number: A KvK number has 8 digits." in result.output
    assert f"{bad}: data_categories[0].enisa_class: Choose one of: simple, " in result.output
    assert db.session.execute(select(func.count()).select_from(Organisation)).scalar_one() == 0


def test_org_import_checks_e_mail_addresses(app: Flask, tmp_path: Path) -> None:
    """As every address field of the web forms does: "a@b" is not an address."""
    data = yaml.safe_load(profile_paths()[0].read_text(encoding="utf-8"))
    data["contact"]["email"] = "a@b"
    data["privacy_contact"]["email"] = "not an email@"
    bad = tmp_path / "bad-mail.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["org", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: contact.email: Enter a valid e-mail address." in result.output
    assert f"{bad}: privacy_contact.email: Enter a valid e-mail address." in result.output
    assert db.session.execute(select(func.count()).select_from(Organisation)).scalar_one() == 0


def test_user_create_and_grant(app: Flask) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["org", "import", *map(str, profile_paths())])
    result = runner.invoke(
        args=[
            "user",
            "create",
            "--email",
            "fg@org.nl",
            "--name",
            "Fien Gerrits",
            "--role",
            "kruix:fg",
            "--role",
            "leiz:admin",
            "--password",
            "a-long-password",
        ]
    )
    assert result.exit_code == 0, result.output
    bad = runner.invoke(
        args=[
            "user",
            "create",
            "--email",
            "x@org.nl",
            "--name",
            "X",
            "--role",
            "kruix:boss",
            "--password",
            "a-long-password",
        ]
    )
    assert bad.exit_code != 0 and "unknown role" in bad.output
    # A slug without its role says the form (it said "unknown role ''").
    half = runner.invoke(args=["user", "grant", "fg@org.nl", "kruix"])
    assert half.exit_code != 0 and "give ORG-SLUG:ROLE, e.g. kruix:fg" in half.output
    assert runner.invoke(args=["user", "grant", "fg@org.nl", "luxigo:reporter"]).exit_code == 0
    roles = db.session.execute(select(func.count()).select_from(Membership)).scalar_one()
    assert roles == 3


def test_demo_load_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert DEMO_PASSWORD in first.output and "admin@demo.example.org" in first.output
    users = db.session.execute(select(func.count()).select_from(User)).scalar_one()
    assert users == 7  # admin, FG, one reporter per organisation
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == users
    assert all(u.is_demo for u in db.session.execute(select(User)).scalars())


def test_demo_incidents_show_each_phase_of_the_clock_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert first.output.count("Demo incident ") == 7
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "Demo incident " not in again.output
    now = app.config["CLOCK"].now()
    incidents = db.session.execute(select(Incident)).scalars().all()
    assert len(incidents) == 7 and all(i.title.startswith("[DEMO]") for i in incidents)
    statuses = {}
    for incident in incidents:
        clock = clock_of(incident, now)
        key = incident.organisation.slug + (" as processor" if incident.controller_name else "")
        key += " decided" if incident.decisions else ""
        statuses[key] = (clock.status, clock.duty.value) if clock else None
    assert statuses == {
        "leiz": None,  # reported, awaiting triage
        "leiz as processor": (DeadlineStatus.OPEN, "controller"),  # informs its controller
        "kruix": (DeadlineStatus.OPEN, "ap"),
        "luxigo": (DeadlineStatus.DUE_SOON, "ap"),
        "luxigo decided": (DeadlineStatus.MET, "ap"),  # filed; the people are next
        "levensmozaiek": (DeadlineStatus.OVERDUE, "ap"),
        "123samenleven": (DeadlineStatus.MET, "ap"),
    }
    # The reminders that fell due on the way were sent at their time, not late; the rest wait.
    rows = db.session.execute(select(Delivery)).scalars().all()
    sent = [r for r in rows if r.status == "sent"]
    assert sent and not any(r.late for r in sent)
    assert all(r.sent_at is not None and r.sent_at <= now for r in sent)
    assert all(r.due_at > now for r in rows if r.status == "planned")
    overdue = next(i for i in incidents if i.organisation.slug == "levensmozaiek")
    assert {r.label for r in sent if r.incident_id == overdue.id} == {
        "new_report",
        "24h",
        "48h",
        "60h",
        "70h",
        "deadline",
    }
    # The stored deadline (for counts in SQL) is what the clock says, and the scheduler's
    # check finds nothing to put right; the top bar counts what the clocks say.
    for incident in incidents:
        clock = clock_of(incident, now)
        running = clock is not None and clock.running
        assert incident.term_deadline == (clock.deadline if running else None), incident.title
    assert deadlines.sync_terms(db.session) == 0
    fg = db.session.execute(select(User).where(User.email == "fg@demo.example.org")).scalar_one()
    assert urgency.urgency(db.session, fg, now) == urgency.Urgency(overdue=1, due_soon=1)
    # One incident shows the step after filing: passwords taken and already misused.
    decided = next(i for i in incidents if i.decisions)
    assert decided.decisions[-1].outcome == "notify_ap_and_subjects"
    row = next(r for r in inbox.inbox(db.session, fg, now).rows if r.incident.id == decided.id)
    assert row.action.value == "inform_people"
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_demo_load_can_leave_out_the_incidents(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "load", "--no-incidents"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(select(func.count()).select_from(Incident)).scalar_one() == 0
