"""The production set-up, run as the README tells an administrator to: the commands of the
systemd units and of compose.yaml (read from those files, so they cannot drift from what is
tested), gunicorn with two workers and the scheduler as its own process, on a fresh
PostgreSQL database; a report filed over HTTP through a reporting link ends up stored, with
its evidence and audit event, and the scheduler mails the FG about it; then everything stops
cleanly on SIGTERM, as systemd and compose stop it."""

from __future__ import annotations

import shlex
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import create_engine, text

from breachdesk.services.vault import Vault

from ..conftest import free_port
from .conftest import BREACHDESK, DEPLOY, ROOT, demo_link, production_env, run
from .multipart import Browser, csrf_token

INSTALLED_AT = "/opt/breachdesk"  # where the units and the image keep the code
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def unit_command(unit: str) -> list[str]:
    """ExecStart= of a systemd unit under deploy/systemd, pointed at this checkout."""
    lines = (DEPLOY / "systemd" / unit).read_text().splitlines()
    (command,) = [line.split("=", 1)[1] for line in lines if line.startswith("ExecStart=")]
    return [part.replace(INSTALLED_AT, str(ROOT), 1) for part in shlex.split(command)]


def compose_command(service: str) -> list[str]:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    command = compose["services"][service]["command"]
    return [part.replace(INSTALLED_AT, str(ROOT), 1) for part in command]


def test_the_units_and_compose_run_the_same_commands() -> None:
    assert unit_command("breachdesk-web.service") == compose_command("web")
    assert unit_command("breachdesk-scheduler.service") == compose_command("scheduler")
    assert compose_command("upgrade")[-1] == "upgrade"
    assert unit_command("breachdesk-backup.service")[0] == str(DEPLOY / "backup.sh")


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:  # a failed test: do not leave processes behind
        if process.poll() is None:
            process.kill()
            process.wait()


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    with log.open("w") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(  # noqa: S603 - the units' own commands
            command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, text=True
        )


def wait_until_healthy(browser: Browser, processes: list[subprocess.Popen[str]]) -> None:
    """/healthz answers 200 once the database is reached and the scheduler has ticked."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert all(p.poll() is None for p in processes), "a process stopped"
        try:
            if browser.get("/healthz")[0] == 200:
                return
        except OSError:
            pass  # gunicorn is not listening yet
        time.sleep(0.2)
    raise AssertionError("breachdesk did not become healthy")


def report_fields(token: str) -> list[tuple[str, str]]:
    amsterdam = datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(hours=1)
    return [
        ("csrf_token", token),
        ("title", "Laptop met klantgegevens kwijt (deployment test)"),
        ("description", "Een laptop met een klantenbestand is in de trein blijven liggen."),
        ("discovered_at", amsterdam.strftime("%Y-%m-%dT%H:%M")),
        ("ongoing", "no"),
        ("subjects_mode", "exact"),
        ("subjects_exact", "12"),
        ("children_involved", "no"),
        ("protection", "none"),
        ("containment", "retrieved"),
        ("reporter_name", "Piet Melder"),
    ]


def stored(database: str) -> tuple[int, str, int, int]:
    """The report, its reference, its evidence files and its "reported" audit events."""
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            incident_id, reference = conn.execute(
                text("SELECT id, reference FROM incident WHERE title LIKE '%deployment test%'")
            ).one()
            files = conn.execute(
                text("SELECT count(*) FROM attachment WHERE incident_id = :i"), {"i": incident_id}
            ).scalar_one()
            events = conn.execute(
                text(
                    "SELECT count(*) FROM audit_event WHERE action = 'incident.reported' "
                    "AND entity_type = 'incident' AND entity_id = :i"
                ),
                {"i": str(incident_id)},
            ).scalar_one()
    finally:
        engine.dispose()
    return incident_id, reference, files, events


def test_gunicorn_and_the_scheduler_take_a_report_end_to_end(
    database: str, tmp_path: Path, started: list[subprocess.Popen[str]]
) -> None:
    port = free_port()
    env = production_env(
        database,
        tmp_path / "instance",
        BIND=f"127.0.0.1:{port}",
        WORKERS="2",
        BASE_URL=f"http://127.0.0.1:{port}",
        SCHEDULER_INTERVAL="0.5",
        PROXY_FIX_X_FOR="1",
    )
    run(compose_command("upgrade"), env)
    link = demo_link(run([BREACHDESK, "demo", "load", "--no-incidents"], env), "Kruix")

    started.append(start(unit_command("breachdesk-web.service"), env, tmp_path / "web.log"))
    started.append(start(unit_command("breachdesk-scheduler.service"), env, tmp_path / "sch.log"))
    web, scheduler = started
    browser = Browser(f"http://127.0.0.1:{port}")
    try:
        wait_until_healthy(browser, started)
        status, _, page = browser.get(link)
        assert status == 200, page[:500]
        status, headers, page = browser.post(
            link, report_fields(csrf_token(page)), [("evidence", "foto.png", PNG)]
        )
        assert status == 302, page[:2000]
        status, _, receipt = browser.get(headers["Location"])
        assert status == 200 and "KRX-" in receipt

        incident_id, reference, files, events = stored(database)
        assert reference in receipt
        assert (files, events) == (1, 1)

        # The scheduler process (not the web workers) mails the FG about the new report.
        # Wait for that mail, not for any mail: the first tick may send only the audit
        # checkpoints of the demo organisations, a moment before the report came in.
        outbox = tmp_path / "instance" / "outbox"
        # Stored encrypted (services/vault.py) under the instance folder's key file.
        vault = Vault.from_config(None, tmp_path / "instance" / "storage.key")
        deadline = time.monotonic() + 60
        mails: list[str] = []
        while not any(reference in mail for mail in mails) and time.monotonic() < deadline:
            time.sleep(0.2)
            mails = [vault.read_bytes(p).decode(errors="replace") for p in outbox.rglob("*.eml")]
        assert any(reference in mail for mail in mails), "the FG was not mailed"
    except AssertionError:
        for name in ("web.log", "sch.log"):
            print(f"--- {name}\n{(tmp_path / name).read_text()[-4000:]}")
        raise

    for process in (web, scheduler):
        process.send_signal(signal.SIGTERM)
    assert web.wait(timeout=60) == 0
    assert scheduler.wait(timeout=60) == 0
