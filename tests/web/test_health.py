"""/healthz and the banners that say when reminders would not reach anyone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from breachdesk import demo
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.mail import RecordingMailer
from breachdesk.models import Delivery, Organisation
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, login, make_app, run_deliveries
from ..integration.test_incidents import submit


class DownMailer:
    def send(self, message: object) -> object:
        raise ConnectionRefusedError("connection refused")


def test_healthz_reports_each_part(
    app: Flask, client: Any, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "failing"
    assert body["database"] == {"ok": True}
    assert body["scheduler"]["ok"] is False and body["scheduler"]["last_seen"] is None
    assert body["mail"]["ok"] is True and body["mail"]["backend"] == "file"  # demo-free, no users

    run_deliveries(clock, DownMailer())  # a tick: the scheduler is alive
    body = client.get("/healthz").get_json()
    assert body["scheduler"] == {
        "ok": True,
        "last_seen": clock.now().isoformat(),
        "seconds_since": 0.0,
    }
    assert client.get("/healthz").status_code == 200

    clock.advance(seconds=61)  # two intervals of 30 s, and at least a minute
    body = client.get("/healthz").get_json()
    assert body["scheduler"]["ok"] is False and body["scheduler"]["seconds_since"] == 61.0


def test_healthz_fails_while_deliveries_fail_or_mail_goes_to_a_folder(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    rt = app.extensions["breachdesk"]
    demo.load(db.session, clock=clock, hasher=rt.hasher)  # only demo accounts: a folder is fine
    assert client.get("/healthz").get_json()["mail"]["to_folder"] is False
    reporter = make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))  # a real (non-demo) user
    assert client.get("/healthz").get_json()["mail"]["to_folder"] is True
    app.config["MAIL_BACKEND"] = "smtp"
    submit(reporter, orgs["kruix"], clock)
    run_deliveries(clock, DownMailer())
    body = client.get("/healthz").get_json()
    assert body["mail"]["to_folder"] is False
    assert body["mail"]["retrying"] == 1 and body["mail"]["ok"] is False
    assert client.get("/healthz").status_code == 503


def test_healthz_when_the_database_is_unreachable(tmp_path: Path) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    with app.app_context():
        response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": {"ok": False}, "status": "failing"}


def banners(client: Any) -> set[str]:
    page = client.get("/reports").get_data(as_text=True)
    return {part.split('"')[0] for part in page.split('data-warning="')[1:]}


def test_banners_for_the_fg_and_for_everyone(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@x.nl", (kruix, Role.FG))
    login(client, "r@x.nl")
    # Everyone is told that mail goes to a folder; only FGs and admins about the scheduler.
    assert banners(client) == {"mail-to-folder"}
    client.post("/logout")
    login(client, "fg@x.nl")
    assert banners(client) == {"mail-to-folder", "scheduler-stalled"}
    page = client.get("/reports").get_data(as_text=True)
    assert "heeft nog niet gedraaid" in page or "has not run yet" in page

    app.config["MAIL_BACKEND"] = "smtp"
    incident = submit(reporter, kruix, clock)
    for _ in range(5):  # the mail server refuses every attempt: the FG mail fails for good
        run_deliveries(clock, DownMailer())
        clock.advance(minutes=30)
    run_deliveries(clock, DownMailer())  # the scheduler is alive
    assert banners(client) == {"deliveries-failed"}
    row = db.session.query(Delivery).filter_by(incident_id=incident.id, kind="new_report").one()
    assert row.status == "failed"
    incident.state = "in_triage"  # the FG has looked at it: no chase mails (which would fail)
    db.session.commit()
    clock.advance(days=8)
    run_deliveries(clock, DownMailer())
    login(client, "fg@x.nl")  # a week later: signed in anew (sessions last 8 hours)
    assert banners(client) == set()  # a week later the count has gone
    clock.advance(minutes=5)
    assert "scheduler-stalled" in banners(client)
    assert (
        client.get("/healthz").get_json()["scheduler"]["seconds_since"]
        == timedelta(minutes=5).total_seconds()
    )


def test_the_fg_sends_a_failed_mail_again(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@x.nl", (kruix, Role.FG))
    incident = submit(reporter, kruix, clock)
    for _ in range(5):
        run_deliveries(clock, DownMailer())
        clock.advance(minutes=30)
    row = db.session.query(Delivery).filter_by(incident_id=incident.id, kind="new_report").one()
    url = f"/incidents/{incident.id}/deliveries/{row.id}/retry"
    login(client, "r@x.nl")
    assert client.post(url).status_code == 404  # the reporter may not
    client.post("/logout")
    login(client, "fg@x.nl")
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Opnieuw versturen" in page and "connection refused" in page
    assert client.post(url).status_code == 302
    db.session.refresh(row)
    assert (row.status, row.attempts, row.due_at) == ("planned", 0, clock.now())
    mailer = RecordingMailer()
    assert run_deliveries(clock, mailer).sent == 1 and len(mailer.sent) == 1
