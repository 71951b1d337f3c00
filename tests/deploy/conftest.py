"""The deployment tests run the files under deploy/ as an administrator would: real gunicorn,
scheduler, pg_dump and nginx processes, each on a PostgreSQL database of its own.

They need PostgreSQL (CI's second run): production runs on it, and the backup scripts use
pg_dump/pg_restore there. On a SQLite-only run they are skipped, except the backup and restore
of the smaller set-up on SQLite.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
BREACHDESK = str(VENV_BIN / "breachdesk")


def base_url() -> str:
    url = os.environ.get("BREACHDESK_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip(
            "deployment tests need PostgreSQL (set BREACHDESK_TEST_DATABASE_URL to a "
            "postgresql+psycopg:// URL, as .ci/run does): production and the backups run on it"
        )
    return url


@pytest.fixture
def database() -> Iterator[str]:
    """A new, empty PostgreSQL database next to the test database; dropped afterwards."""
    base = base_url()
    name = f"{base.rsplit('/', 1)[1]}_deploy_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def production_env(database: str, instance: Path, **settings: str) -> dict[str, str]:
    """The environment of an installation: what /etc/breachdesk/breachdesk.env would hold."""
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "BREACHDESK_VENV": str(VENV_BIN.parent),
        "BREACHDESK_ENV_FILE": "/nonexistent",
        "BREACHDESK_DATABASE_URL": database,
        "BREACHDESK_INSTANCE_PATH": str(instance),
        # cheap password hashing: logins are not what these tests are about
        "BREACHDESK_ARGON2_TIME_COST": "1",
        "BREACHDESK_ARGON2_MEMORY_COST": "8",
        "BREACHDESK_ARGON2_PARALLELISM": "1",
        **{f"BREACHDESK_{key}": value for key, value in settings.items()},
    }


def run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - our own scripts
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def demo_link(output: str, organisation: str) -> str:
    """The path of an organisation's reporting link, from `breachdesk demo load`'s output."""
    match = re.search(rf"^\s*{re.escape(organisation)}\s+\S*?(/melden/\S+)$", output, re.M)
    assert match, output
    return match.group(1)
