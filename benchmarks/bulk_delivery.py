"""Benchmark of bulk mail through the delivery engine: notices to the people affected.

Run it as ``.venv/bin/python benchmarks/bulk_delivery.py`` (``--help`` for the options). It
builds a throwaway installation (a fresh SQLite file in a temporary folder unless
``--database-url`` names an *empty* database) with one organisation, then, per round, inserts
``--rows`` due rows of the bulk kind ``people_notice`` (one recipient each) and runs the
scheduler's ``tick`` with ``SmtpMailer`` against a real aiosmtpd server in a child process on
127.0.0.1. The handler is trivial (the message comes from the row's payload), so what is
measured is the engine: claiming, building, sending, and committing each row's outcome.

Baseline, in the same round: the very same messages (built beforehand with
``build_message``) sent by a bare ``smtplib`` loop over one shared connection, which is the
most any sender can get out of this server. Also printed: the same loop including building
the messages, SQL statements per row and the number of SMTP connections the tick used.
Read "ratio" as "tick throughput / baseline throughput" (1.0 would be free bookkeeping).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import smtplib
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from common.app import benchmark_app
from common.report import StatementCounter, Table, per_second, progress
from common.smtp_sink import Received, SmtpServer
from flask import current_app
from sqlalchemy import func, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from breachdesk.demo import profile_paths
from breachdesk.extensions import db, db_session
from breachdesk.mail import SmtpMailer, build_message
from breachdesk.models import Delivery
from breachdesk.runtime import delivery_settings
from breachdesk.services import delivery
from breachdesk.services import organisations as org_service
from breachdesk.services.audit import Actor
from breachdesk.services.clock import SystemClock

KIND = "people_notice"
BULK_PRIORITY = 50
HOLDER = "benchmark"
SENDER = "Gemeente Voorbeeld <privacy@gemeente.example>"
REPLY_TO = "fg@gemeente.example"
SUBJECT = "Datalek: uw gegevens / Data breach: your data"
PARAGRAPH = (
    "Op 12 november hebben wij ontdekt dat een bestand met uw naam, adres en "
    "geboortedatum per vergissing naar een verkeerde ontvanger is gestuurd. "
)
TEXT = "Beste {name},\n\n" + PARAGRAPH * 12 + "\n\nMet vriendelijke groet,\nDe FG\n"
HTML = (
    "<p>Beste {name},</p>" + f"<p>{PARAGRAPH * 12}</p>" + "<p>Met vriendelijke groet,<br>De FG</p>"
)


def notice(session: Session, row: Delivery, context: delivery.SendContext) -> Any:
    """The trivial handler: the message is in the row's payload."""
    payload = row.payload
    extra: dict[str, Any] = {}
    if payload.get("html"):
        extra = {"html": HTML.format(name=payload["name"]), "reply_to": REPLY_TO}
    return delivery.Outgoing(
        recipients=[payload["to"]],
        subject=SUBJECT,
        text=TEXT.format(name=payload["name"]),
        **extra,
    )


def message_for(payload: dict[str, Any]) -> EmailMessage:
    """The message the tick sends for a row with ``payload`` (for the baseline)."""
    extra: dict[str, Any] = {}
    if payload.get("html"):
        extra = {"html": HTML.format(name=payload["name"]), "reply_to": REPLY_TO}
    return build_message(
        sender=SENDER,
        to=[payload["to"]],
        subject=SUBJECT,
        text=TEXT.format(name=payload["name"]),
        **extra,
    )


def insert_rows(session: Session, organisation_id: int, count: int, round_no: int, html: bool):
    now = SystemClock().now() - timedelta(seconds=1)
    payloads = [
        {"to": f"persoon{round_no}-{i}@bench.example", "name": f"Persoon {i}", "html": html}
        for i in range(count)
    ]
    session.execute(
        insert(Delivery),
        [
            {
                "organisation_id": organisation_id,
                "incident_id": None,
                "kind": KIND,
                "channel": "email",
                "priority": BULK_PRIORITY,
                "duty": None,
                "label": "",
                "payload": payload,
                "planned_due_at": now,
                "due_at": now,
                "status": "planned",
                "attempts": 0,
                "recipients": [],
                "late": False,
                "last_error": "",
                "cancel_reason": "",
                "message_id": "",
                "server_reply": "",
                "content_sha256": "",
                "created_at": now,
            }
            for payload in payloads
        ],
    )
    session.commit()
    return payloads


def send_shared(port: int, payloads: list[dict[str, Any]]) -> float:
    """The baseline: the messages over one smtplib connection, built beforehand (a thousand at
    a time, so that 100,000 messages in memory do not slow the loop down); seconds."""
    seconds = 0.0
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        for first in range(0, len(payloads), 1000):
            messages = [message_for(p) for p in payloads[first : first + 1000]]
            start = time.perf_counter()
            for message in messages:
                smtp.send_message(message)
            seconds += time.perf_counter() - start
    return seconds


def build_and_send_shared(port: int, payloads: list[dict[str, Any]]) -> float:
    """The baseline including building each message; seconds."""
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        for payload in payloads:
            smtp.send_message(message_for(payload))
    return time.perf_counter() - start


def recipients_of(received: list[Received]) -> list[str]:
    return [to for item in received for to in item.rcpt_tos]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=2_000, help="rows per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (medians are printed)")
    parser.add_argument("--html", action="store_true", help="multipart messages (plain + HTML)")
    parser.add_argument(
        "--database-url",
        help="an empty database to use (default: a fresh SQLite file in a temporary folder)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.pop("BREACHDESK_INSTANCE_PATH", None)  # would override our instance folder
    folder = Path(tempfile.mkdtemp(prefix="breachdesk-bulk-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    progress("starting the SMTP server")
    server = SmtpServer(keep_content=False)
    try:
        return run(args, folder, url, server)
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            progress(f"kept {folder}")


def run(args: argparse.Namespace, folder: Path, url: str, server: SmtpServer) -> int:
    app = benchmark_app(folder, url, MAIL_BACKEND="file", BASE_URL="http://breachdesk.bench")
    ok = True
    ticks: list[tuple[float, int, int, int]] = []  # seconds, sent, statements, connections
    shared: list[float] = []
    built: list[float] = []
    with app.app_context():
        session = db_session()
        if inspect(session.get_bind()).get_table_names():
            raise SystemExit(f"{url} is not empty; the benchmark needs an empty database")
        db.create_all()
        profile = org_service.load_profile_file(profile_paths()[0])
        organisation = org_service.import_profile(
            session, profile, actor=Actor.system("benchmark"), clock=SystemClock()
        ).organisation
        organisation_id = organisation.id
        db.session.remove()
        counter = StatementCounter(db.engine)
        mailer = SmtpMailer("127.0.0.1", server.port)
        table = {KIND: notice}
        for round_no in range(args.rounds):
            session = db_session()
            payloads = insert_rows(session, organisation_id, args.rows, round_no, args.html)
            db.session.remove()
            progress(f"round {round_no + 1}: tick with {args.rows:,} due")
            server.take()
            with counter.measure() as statements:
                start = time.perf_counter()
                result = delivery.tick(
                    db_session(),
                    holder=HOLDER,
                    clock=SystemClock(),
                    mailer=mailer,
                    handlers=table,
                    settings=delivery_settings(current_app.config),
                )
                seconds = time.perf_counter() - start
            db.session.remove()
            received = server.take()
            connections = len({item.connection for item in received})
            ticks.append((seconds, result.sent, statements[0], connections))
            expected = sorted(p["to"] for p in payloads)
            if result.sent != args.rows or sorted(recipients_of(received)) != expected:
                progress(f"MISMATCH: sent {result.sent}, received {len(received)}")
                ok = False
            progress(f"round {round_no + 1}: baseline, smtplib over one connection")
            shared.append(send_shared(server.port, payloads))
            built.append(build_and_send_shared(server.port, payloads))
            server.take()
        session = db_session()
        left = session.scalar(select(func.count()).where(Delivery.status != "sent"))
        db.session.remove()
        ok = ok and left == 0

    tick_s = statistics.median(t[0] for t in ticks)
    shared_s = statistics.median(shared)
    built_s = statistics.median(built)
    # The machine's speed drifts between rounds: compare each tick with its own round's baseline.
    ratio_shared = statistics.median(b / t[0] for b, t in zip(shared, ticks, strict=True))
    ratio_built = statistics.median(b / t[0] for b, t in zip(built, ticks, strict=True))
    n = args.rows
    print()
    print("breachdesk bulk delivery benchmark")
    print("==================================")
    print(f"machine   {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"python    {platform.python_implementation()} {platform.python_version()}")
    print(f"database  {make_url(url).get_backend_name()}")
    print(f"data      {n:,} rows per round, {args.rounds} rounds (medians), one recipient each,")
    print(f"          {'multipart plain + HTML' if args.html else 'plain text'}; SMTP: aiosmtpd")
    print()
    figures = Table(f"Sending {n:,} messages")
    figures.add(
        "tick()",
        f"{tick_s:.2f} s",
        f"{per_second(n, tick_s)}; rounds: " + ", ".join(f"{t[0]:.2f} s" for t in ticks),
    )
    figures.add(
        "  SQL statements per row",
        f"{statistics.median(t[2] for t in ticks) / n:.2f}",
    )
    figures.add("  SMTP connections used", f"{statistics.median(t[3] for t in ticks):.0f}")
    figures.add(
        "baseline: smtplib, one connection, prebuilt",
        f"{shared_s:.2f} s",
        f"{per_second(n, shared_s)}; rounds: " + ", ".join(f"{b:.2f} s" for b in shared),
    )
    figures.add(
        "baseline: smtplib, one connection, building",
        f"{built_s:.2f} s",
        per_second(n, built_s),
    )
    figures.add(
        "ratio tick / prebuilt baseline",
        f"{ratio_shared:.2f} x",
        "median of the rounds' ratios: "
        + ", ".join(f"{b / t[0]:.2f}" for b, t in zip(shared, ticks, strict=True)),
    )
    figures.add("ratio tick / building baseline", f"{ratio_built:.2f} x", "median per round")
    figures.add("every row sent, every message arrived once", "yes" if ok else "NO")
    print(figures.render())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
