"""Load test of report intake: many reporters filing reports with evidence at once, through
the production set-up (gunicorn started by deploy/breachdesk.sh, 4 workers, PostgreSQL).

Run it as ``.venv/bin/python benchmarks/intake.py`` (``--help`` for the options). It makes a
fresh PostgreSQL database next to ``--database-url`` (default: BREACHDESK_TEST_DATABASE_URL),
runs the migrations and ``breachdesk demo load``, and then, in the same run and at the same
concurrency:

* a **bare route**: the same multipart post (form and a 20 KB file) to a minimal Flask route
  behind the same gunicorn settings that inserts one row: the floor any stored post stands on;
* the **reporting link** ``/melden/<token>`` (the real report form: CSRF token, session
  cookie, validation, evidence stored, reference, audit event, FG's mail queued): 50
  reporters, each fetching the form once and then filing reports one after another.

The link's rate limits (5 a minute per address) and daily cap (50) would refuse such a run
from one address; the benchmark raises them through the environment for its own server and
says so. Afterwards it checks the database: every report stored exactly once, each with a
unique reference, one attachment and one "incident.reported" audit event. Bar (issue 15):
0 lost, 0 errors, throughput at least 0.25x the bare route's.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from common.http_load import Client, Load, csrf_token, multipart, run_load
from common.report import Table, percentile, progress, publish
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TITLE = "Intake benchmark report"
EVIDENCE = b"%PDF-1.4\n" + bytes(range(256)) * 80  # about 20 KB
RAISED_LIMITS = {
    "BREACHDESK_LINK_REPORT_RATE_LIMIT": "1000000 per minute",
    "BREACHDESK_LINK_REPORTS_PER_DAY": "100000000",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(admin_url: str, name: str) -> str:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def start_server(
    command: list[str], env: dict[str, str], port: int, log: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command} stopped:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(1.5)  # let every worker boot
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{command} did not listen on {port}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


def fields(n: int, token: str = "") -> list[tuple[str, str]]:
    found = datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(hours=1)
    return [
        *([("csrf_token", token)] if token else []),
        ("submission", f"benchmark-form-{n:08d}"),  # the form's own key, one per report
        ("title", f"{TITLE} {n:06d}"),
        ("description", "Een map met klantgegevens is naar een verkeerde ontvanger gemaild."),
        ("discovered_at", found.strftime("%Y-%m-%dT%H:%M")),
        ("ongoing", "no"),
        ("subjects_mode", "exact"),
        ("subjects_exact", "25"),
        ("children_involved", "no"),
        ("protection", "none"),
        ("containment", "retrieved"),
        ("reporter_name", f"Melder {n}"),
    ]


def bare_load(port: int, total: int, concurrency: int) -> Load:
    def send(client: object, n: int) -> str | None:
        assert isinstance(client, Client)
        body, content_type = multipart(fields(n), [("evidence", "bewijs.pdf", EVIDENCE)])
        status, _, _ = client.request("POST", "/bare", body, content_type)
        return None if status == 201 else f"status {status}"

    return run_load(total, concurrency, lambda: Client("127.0.0.1", port), send)


def intake_load(port: int, link: str, total: int, concurrency: int) -> Load:
    def prepare() -> tuple[Client, str]:
        client = Client("127.0.0.1", port)
        status, _, page = client.request("GET", link)
        if status != 200:
            raise RuntimeError(f"form: status {status}")
        return client, csrf_token(page)

    def send(state: object, n: int) -> str | None:
        client, token = state  # type: ignore[misc]
        body, content_type = multipart(fields(n, token), [("evidence", "bewijs.pdf", EVIDENCE)])
        status, headers, page = client.request("POST", link, body, content_type)
        if status == 302 and headers.get("Location", "").startswith("/volg/"):
            return None
        return f"status {status} {page[:200]!r}"

    return run_load(total, concurrency, prepare, send)


def check_stored(url: str, total: int) -> dict[str, int]:
    """Counts that must all equal ``total`` (and no title twice)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                """
                SELECT count(*), count(DISTINCT i.title), count(DISTINCT i.reference),
                       (SELECT count(*) FROM attachment a JOIN incident j ON a.incident_id = j.id
                         WHERE j.title LIKE :t),
                       (SELECT count(*) FROM audit_event e JOIN incident k
                         ON e.entity_type = 'incident' AND e.entity_id = CAST(k.id AS VARCHAR)
                         WHERE e.action = 'incident.reported' AND k.title LIKE :t),
                       (SELECT count(DISTINCT e.entity_id) FROM audit_event e JOIN incident k
                         ON e.entity_type = 'incident' AND e.entity_id = CAST(k.id AS VARCHAR)
                         WHERE e.action = 'incident.reported' AND k.title LIKE :t)
                FROM incident i WHERE i.title LIKE :t
                """
            ),
            {"t": f"{TITLE} %"},
        ).one()
    engine.dispose()
    names = ("reports", "titles", "references", "attachments", "audit events", "with event")
    return dict(zip(names, (int(v) for v in row), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=5000)
    parser.add_argument("--reporters", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BREACHDESK_TEST_DATABASE_URL", ""),
        help="a PostgreSQL URL; the benchmark makes and drops <its database>_intake next to it",
    )
    parser.add_argument("--out", default="", help="also write the figures to this file")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error(
            "give --database-url postgresql+psycopg://... (or BREACHDESK_TEST_DATABASE_URL)"
        )
    name = args.database_url.rsplit("/", 1)[1] + "_intake"
    url = fresh_database(args.database_url, name)
    folder = Path(tempfile.mkdtemp(prefix="bd-intake-"))
    web_port, bare_port = free_port(), free_port()
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "BREACHDESK_VENV": str(BIN.parent),
        "BREACHDESK_DATABASE_URL": url,
        "BREACHDESK_INSTANCE_PATH": str(folder / "instance"),
        "BREACHDESK_WORKERS": str(args.workers),
        "BREACHDESK_ARGON2_TIME_COST": "1",
        "BREACHDESK_ARGON2_MEMORY_COST": "8",
        "BREACHDESK_ARGON2_PARALLELISM": "1",
        **RAISED_LIMITS,
    }
    try:
        progress(f"database {name}: migrations and demo organisations")
        subprocess.run(
            [str(ROOT / "deploy/breachdesk.sh"), "upgrade"],
            env=env,
            check=True,
            capture_output=True,
        )
        demo = subprocess.run(
            [str(BIN / "breachdesk"), "demo", "load", "--no-incidents"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        link = next(
            line.split("127.0.0.1:5000", 1)[1]
            for line in demo.splitlines()
            if "Kruix " in line and "/melden/" in line
        )

        progress(
            f"bare route: {args.reports} posts, {args.reporters} clients, {args.workers} workers"
        )
        bare_env = {
            **env,
            "BREACHDESK_BIND": f"127.0.0.1:{bare_port}",
            "BENCH_BARE_DATABASE_URL": url,
        }
        engine = create_engine(url)
        from common.bare import metadata

        metadata.create_all(engine)
        engine.dispose()
        bare_server = start_server(
            [
                str(BIN / "gunicorn"),
                "--config",
                str(ROOT / "deploy/gunicorn.conf.py"),
                "--chdir",
                str(ROOT / "benchmarks"),
                "common.bare:app",
            ],
            bare_env,
            bare_port,
            folder / "bare.log",
        )
        try:
            bare = bare_load(bare_port, args.reports, args.reporters)
        finally:
            stop(bare_server)

        progress(f"reporting link: {args.reports} reports, {args.reporters} reporters")
        web_env = {**env, "BREACHDESK_BIND": f"127.0.0.1:{web_port}"}
        web = start_server(
            [str(ROOT / "deploy/breachdesk.sh"), "web"], web_env, web_port, folder / "web.log"
        )
        try:
            intake = intake_load(web_port, link, args.reports, args.reporters)
        finally:
            stop(web)
        stored = check_stored(url, args.reports)
    finally:
        drop_database(args.database_url, name)

    table = Table(
        f"{args.reports} posts with a 20 KB file, {args.reporters} concurrent clients, "
        f"gunicorn {args.workers} workers"
    )
    for label, load in (
        ("bare route (insert one row)", bare),
        ("report via /melden/<token>", intake),
    ):
        rate = load.done / load.seconds if load.seconds else 0.0
        table.add(f"{label}: throughput", f"{rate:,.1f} /s", f"{load.done} in {load.seconds:.1f} s")
        table.add(
            f"{label}: p50 / p95",
            f"{percentile(load.latencies, 50) * 1000:,.0f} / "
            f"{percentile(load.latencies, 95) * 1000:,.0f} ms",
        )
        table.add(f"{label}: errors", str(len(load.errors)), "; ".join(load.errors[:3]))
    ratio = (intake.done / intake.seconds) / (bare.done / bare.seconds)
    lost = args.reports - stored["reports"]
    ok = (
        not intake.errors
        and not bare.errors
        and all(v == args.reports for v in stored.values())
        and ratio >= 0.25
    )
    table.add("reports / bare throughput", f"{ratio:.2f}x", "bar: at least 0.25x")
    table.add(
        "stored: " + ", ".join(stored),
        " / ".join(str(v) for v in stored.values()),
        f"each must be {args.reports}; lost {lost}",
    )
    table.add("verdict", "PASS" if ok else "FAIL", "0 lost, 0 errors, >= 0.25x bare")
    detail = (
        "report intake under load; rate limits raised for this run only ("
        + ", ".join(f"{k}={v}" for k, v in RAISED_LIMITS.items())
        + ")"
    )
    publish(table, "intake.py", url, detail, args.out)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
