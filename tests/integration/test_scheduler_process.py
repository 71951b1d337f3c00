"""Real `breachdesk scheduler` processes against one database and a real SMTP server.

* Restart: a scheduler is stopped before a reminder falls due and started after it did; the
  reminder arrives once, and says it is late.
* Two schedulers at once: every reminder arrives exactly once — with the lease (the normal
  case) and with the lease disabled, so that both tick together and only the conditional
  claim of each row stands between them and a duplicate.

Runs on SQLite and, in CI's second run, on PostgreSQL (the test database URL is shared with
the child processes).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Delivery, Incident, Organisation, User
from breachdesk.services import triage
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import Inbox, MakeUser
from .test_incidents import submit
from .test_triage import answers

BREACHDESK = str(Path(sys.executable).with_name("breachdesk"))


@pytest.fixture
def people(orgs: dict[str, Organisation], make_user: MakeUser) -> tuple[User, User]:
    kruix = orgs["kruix"]
    return make_user("r@x.nl", (kruix, Role.REPORTER)), make_user("fg@x.nl", (kruix, Role.FG))


Start = Callable[..., subprocess.Popen[str]]


@pytest.fixture
def start_scheduler(app: Flask, tmp_path: Path, smtp_server: tuple[Inbox, int]) -> Iterator[Start]:
    """Start `breachdesk scheduler` processes on the test database; all stopped at the end."""
    processes: list[subprocess.Popen[str]] = []

    def start(name: str, **config: str) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "BREACHDESK_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "BREACHDESK_INSTANCE_PATH": str(tmp_path / f"instance-{name}"),
            "BREACHDESK_SECRET_KEY": "test",
            "BREACHDESK_MAIL_BACKEND": "smtp",
            "BREACHDESK_SMTP_HOST": "127.0.0.1",
            "BREACHDESK_SMTP_PORT": str(smtp_server[1]),
            "BREACHDESK_SCHEDULER_INTERVAL": "0.5",
            "BREACHDESK_SCHEDULER_LATE_AFTER_SECONDS": "2",
            **{f"BREACHDESK_{key}": value for key, value in config.items()},
        }
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [BREACHDESK, "scheduler"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(process)
        assert process.stdout is not None
        first = process.stdout.readline()  # printed once the app is loaded
        assert "breachdesk scheduler" in first, first
        return process

    yield start
    db.session.rollback()  # a test's last read must not hold SQLite's write lock over them
    for process in processes:
        stop(process)


def stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is None or process.stdout.closed:
        return ""
    with process.stdout:
        return process.stdout.read()


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def confirmed(
    orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock, aware: datetime
) -> Incident:
    reporter, fg = people
    incident = submit(reporter, orgs["kruix"], clock)
    triage.record_triage(
        db.session, incident, replace(answers(), aware_at=aware), actor=Actor.of(fg), clock=clock
    )
    return incident


def mails(inbox: Inbox, reference: str, kind: str = "Herinnering") -> list[str]:
    """The bodies of the mails about ``reference`` whose subject says ``kind``."""
    return [
        str(message.get_payload(decode=True), "utf-8")  # type: ignore[arg-type]
        for _, message in inbox.messages
        if reference in message["Subject"] and kind in message["Subject"]
    ]


def reminder_mails(inbox: Inbox, reference: str) -> list[str]:
    return mails(inbox, reference)


def test_a_reminder_due_while_stopped_arrives_once_after_restart(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,
    smtp_server: tuple[Inbox, int],
    start_scheduler: Start,
) -> None:
    inbox = smtp_server[0]
    clock.current = datetime.now(UTC)
    # The 24-hour reminder falls due 10 seconds from now: time for a scheduler process to
    # start, tick and stop before it, even on a busy machine (4 seconds were too few there).
    incident = confirmed(orgs, people, clock, clock.now() - timedelta(hours=24, seconds=-10))
    due = db.session.execute(
        select(Delivery.due_at).where(Delivery.incident_id == incident.id, Delivery.label == "24h")
    ).scalar_one()
    reference, incident_id = incident.reference, incident.id
    # End the read; on SQLite an open transaction holds the write lock (BEGIN IMMEDIATE), and
    # touching an expired ORM object would open one again.
    db.session.rollback()

    first = start_scheduler("first")
    time.sleep(1.0)  # it ticks (every 0.5 s) while nothing is due
    log = stop(first)
    assert datetime.now(UTC) < due, f"stopped too late to test a restart:\n{log}"
    assert reminder_mails(inbox, reference) == []

    wait_until(lambda: datetime.now(UTC) > due + timedelta(seconds=3))  # due while stopped
    assert reminder_mails(inbox, reference) == []
    second = start_scheduler("second")
    try:
        wait_until(lambda: len(reminder_mails(inbox, reference)) >= 1)
    except AssertionError:
        pytest.fail(f"no reminder after the restart; scheduler log:\n{stop(second)}")
    time.sleep(1.5)  # three more ticks: nothing is sent again
    stop(second)

    (text,) = reminder_mails(inbox, reference)
    assert "te laat verstuurd" in text and "this reminder is late" in text
    db.session.expire_all()
    row = db.session.execute(
        select(Delivery).where(Delivery.incident_id == incident_id, Delivery.label == "24h")
    ).scalar_one()
    assert row.status == "sent" and row.late and row.attempts == 1


@pytest.mark.parametrize("lease_seconds", ["90", "0"], ids=["with-lease", "claims-only"])
def test_two_schedulers_send_every_reminder_exactly_once(
    app: Flask,
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,
    smtp_server: tuple[Inbox, int],
    start_scheduler: Start,
    lease_seconds: str,
) -> None:
    inbox = smtp_server[0]
    clock.current = datetime.now(UTC)
    references = []
    for i in range(12):
        # 24-hour reminders falling due 3 to 5 seconds from now, a few at the same moment.
        aware = clock.now() - timedelta(hours=24) + timedelta(seconds=3 + (i % 3))
        references.append(confirmed(orgs, people, clock, aware).reference)
    db.session.rollback()  # end the last read: on SQLite it would hold the write lock

    start_scheduler("a", SCHEDULER_LEASE_SECONDS=lease_seconds)
    start_scheduler("b", SCHEDULER_LEASE_SECONDS=lease_seconds)
    wait_until(lambda: all(reminder_mails(inbox, ref) for ref in references), timeout=30)
    time.sleep(1.5)  # let both tick a few more times

    counts = Counter(ref for ref in references for _ in reminder_mails(inbox, ref))
    assert counts == dict.fromkeys(references, 1)
    # The FG's mail about each new report went out exactly once as well.
    reports = Counter(ref for ref in references for _ in mails(inbox, ref, "Nieuw incident"))
    assert reports == dict.fromkeys(references, 1)
    db.session.expire_all()
    statuses = db.session.execute(select(Delivery.status).where(Delivery.label == "24h")).scalars()
    assert Counter(statuses) == {"sent": 12}


def test_serve_gives_the_scheduler_lease_up_when_stopped(
    app: Flask, tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    """`breachdesk serve` (the scheduler embedded) stopped with SIGTERM, as systemd or `kill`
    stop it, gives the lease up: found by exploratory testing, it kept it, and a restarted
    serve sent nothing until the dead process's lease ran out (up to two minutes)."""
    import json
    import socket
    import urllib.request

    from breachdesk.models import SchedulerLease

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "BREACHDESK_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "BREACHDESK_INSTANCE_PATH": str(tmp_path / "instance-serve"),
        "BREACHDESK_SECRET_KEY": "test",
        "BREACHDESK_MAIL_BACKEND": "smtp",
        "BREACHDESK_SMTP_HOST": "127.0.0.1",
        "BREACHDESK_SMTP_PORT": str(smtp_server[1]),
        "BREACHDESK_SCHEDULER_INTERVAL": "0.5",
    }
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [BREACHDESK, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def ticked() -> bool:  # asked of the app, not the database: no lock held over it
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:
                    return bool(json.load(answer)["scheduler"]["ok"])
            except OSError:
                return False

        wait_until(ticked, timeout=60)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    finally:
        output = stop(process)
    assert code == 0 and "Traceback" not in output, output
    db.session.rollback()
    row = db.session.get(SchedulerLease, "reminders", populate_existing=True)
    assert row is not None and row.holder.startswith(socket.gethostname())
    assert row.expires_at <= datetime.now(UTC)  # given up
