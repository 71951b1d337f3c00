"""Two real `breachdesk serve` processes on one database share the rate-limit counters:
failed sign-ins at worker A and at worker B add up for one account (issue 15).

Runs on SQLite (one file, two processes) and, in CI's second run, on PostgreSQL (the test
database URL is handed to the child processes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Organisation, ThrottleCounter

from ..conftest import PASSWORD, MakeUser, free_port
from .test_scheduler_process import stop

BREACHDESK = str(Path(sys.executable).with_name("breachdesk"))

Start = Callable[[str], str]


@pytest.fixture
def start_worker(app: Flask, tmp_path: Path) -> Iterator[Start]:
    """Start `breachdesk serve` on the test database; returns its base URL."""
    processes: list[subprocess.Popen[str]] = []

    def start(name: str) -> str:
        port = free_port()
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "BREACHDESK_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "BREACHDESK_INSTANCE_PATH": str(tmp_path / f"instance-{name}"),
            "BREACHDESK_SECRET_KEY": "one-installation",  # every worker has the same
            "BREACHDESK_SCHEDULER_EMBEDDED": "false",
            "BREACHDESK_WTF_CSRF_ENABLED": "false",
            "BREACHDESK_ARGON2_TIME_COST": "1",
            "BREACHDESK_ARGON2_MEMORY_COST": "8",
            "BREACHDESK_ARGON2_PARALLELISM": "1",
            "BREACHDESK_LOGIN_ACCOUNT_DELAYS": '"free=3 base=600 factor=2 cap=900 window=3600"',
            "BREACHDESK_ADDRESS_DELAYS": '"free=1000 base=5 factor=2 cap=300 window=3600"',
        }
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [BREACHDESK, "serve", "--port", str(port), "--threads", "2"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, stop(process)
            try:
                with urllib.request.urlopen(url + "/login", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        return url
            except OSError:
                assert time.monotonic() < deadline, "worker did not start"
                time.sleep(0.2)

    yield start
    for process in processes:
        stop(process)


def sign_in(base: str, email: str, password: str) -> tuple[int, str | None]:
    """POST /login; the status and Retry-After (redirects are not followed)."""
    body = urllib.parse.urlencode({"email": email, "password": password}).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args: object, **_kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(base + "/login", data=body, timeout=30) as answer:
            return answer.status, answer.headers.get("Retry-After")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")


def test_failures_at_two_workers_add_up_for_one_account(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, start_worker: Start
) -> None:
    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    db.session.commit()
    db.session.rollback()  # hold no SQLite lock while the workers write
    a, b = start_worker("a"), start_worker("b")
    assert sign_in(a, "fg@x.nl", "guess 1")[0] == 200
    assert sign_in(a, "fg@x.nl", "guess 2")[0] == 200
    assert sign_in(b, "fg@x.nl", "guess 3")[0] == 200  # B has seen one failure itself
    status_b, wait_b = sign_in(b, "fg@x.nl", "guess 4")
    status_a, wait_a = sign_in(a, "fg@x.nl", PASSWORD)  # even the right one waits
    assert status_b == 429 and status_a == 429
    assert wait_a is not None and wait_b is not None
    assert 0 < int(wait_a) <= int(wait_b) <= 600
    # Successful sign-ins at either worker are not slowed, and do not count.
    assert [sign_in(w, "r@x.nl", PASSWORD)[0] for w in (a, b, a, b)] == [302] * 4
    counts = db.session.execute(select(ThrottleCounter.policy, ThrottleCounter.count)).all()
    db.session.rollback()
    assert sorted(counts) == [("address", 3), ("login-account", 3)]
