"""Benchmark of the reminder scheduler's tick (issue 4).

Run it as ``.venv/bin/python benchmarks/reminders.py`` (``--help`` for the options). It builds
a throwaway installation (a fresh SQLite file in a temporary folder unless ``--database-url``
names an *empty* PostgreSQL or SQLite database), imports the five demo organisations with an
FG and a reporter each, and inserts 10,000 open incidents (breach confirmed or assessed,
awareness 25 to 47 hours ago, duty towards the AP) with the four reminder rows each that
``replan`` would give them at that moment: ``48h``, ``60h``, ``70h`` and the ``deadline``
escalation, 40,000 rows in all. The first 200 incidents are planned by ``replan`` itself (its
cost per incident is printed), the rest in bulk; a sample of the bulk ones is checked to be
exactly what ``replan`` wants.

A real aiosmtpd server runs in a child process on 127.0.0.1 (a separate process, as a real
mail server would be, so it does not compete with the tick for the GIL); it records the wall
time at which it accepted each message.

What is measured, and what to compare it with (every baseline is measured in the same run):

* **Empty tick**: ``tick`` when nothing is due (lease renewal, the claim query, rollback).
  Baseline: the bare "is anything due?" query on the same database, and the exact SELECT
  ``claim_due`` runs. The difference is what the tick adds around the query.
* **1,000 due, no SMTP**: 1,000 incidents are shifted so that their ``48h`` reminder falls due
  at a moment D a little ahead; once D has passed one tick runs with an in-memory mailer. This
  is the cost of the database work and the message building alone.
* **1,000 due, SMTP**: the same with another 1,000 incidents and ``SmtpMailer`` to the local
  server. The delay is measured from D (the planned due time) to the moment the server
  accepted the message, so it is the tick's own latency; in production add up to one
  scheduler interval (``SCHEDULER_INTERVAL``, 30 s by default) before the tick starts.
  Baselines: 1,000 messages of the same size sent straight with ``smtplib``, one connection
  per message (what ``SmtpMailer`` does) and over one shared connection, and with
  ``SmtpMailer.send`` itself outside any tick. Also checked: every
  message arrived exactly once (distinct Message-IDs, and the incidents linked in the texts
  are exactly the due ones).
* **Concurrent write during a tick**: a third batch of 1,000 is sent while another thread
  records a login (an UPDATE of ``user_account``) every 20 ms; the longest wait shows whether
  the tick blocks the web application's writes, and for how long.

Also printed: SQL statements per tick (counted with an engine event), peak RSS of this process
and the database size. Read the "x" columns as "this many times the baseline".
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import smtplib
import ssl
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from common.app import benchmark_app
from common.reminder_data import REPLANNED, build_dataset, make_due
from common.report import StatementCounter, Table, ms, peak_rss_mib, progress, spread, timed
from common.setup import database_size, empty_database, query_plan, scratch
from common.smtp_sink import Received, SmtpServer
from flask import current_app
from sqlalchemy import Select, func, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from breachdesk.domain.delivery import Status
from breachdesk.extensions import db, db_session
from breachdesk.mail import RecordingMailer, SmtpMailer, build_message
from breachdesk.models import Delivery, User
from breachdesk.runtime import Runtime, delivery_settings, runtime
from breachdesk.services import delivery, reminders
from breachdesk.services.clock import SystemClock
from breachdesk.services.delivery_kinds import handlers

HOLDER = "benchmark"
PROBE_INTERVAL = 0.02  # seconds between the concurrent writer's logins
INCIDENT_LINK_RE = re.compile(r"/incidents/(\d+)")


# --- what the SMTP server accepted ------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    at: float  # time.time() when the server accepted the message
    message_id: str
    subject: str
    incident_id: int | None  # from the link in the text
    size: int
    recipients: int


def accepted(received: list[Received]) -> list[Accepted]:
    """Parse what the server accepted: Message-ID, subject and the incident linked in the text."""
    taken = []
    for item in received:
        message = message_from_bytes(item.content, policy=email_policy.default)
        body = message.get_body(("plain",))
        link = INCIDENT_LINK_RE.search(body.get_content() if body is not None else "")
        taken.append(
            Accepted(
                item.at,
                str(message.get("Message-ID", "")),
                str(message.get("Subject", "")),
                int(link.group(1)) if link else None,
                len(item.content),
                item.recipients,
            )
        )
    return taken


# --- the data set -----------------------------------------------------------------------------


# --- measurements -----------------------------------------------------------------------------


@dataclass
class DueRound:
    result: delivery.TickResult
    seconds: float
    statements: int
    due: datetime
    start_lag: float  # seconds from due to the start of the tick
    accepted: list[Accepted] = field(default_factory=list)


def tick_once(
    mailer: Any, rt: Runtime, table: dict[str, delivery.Handler] | None = None
) -> delivery.TickResult:
    session = db_session()
    try:
        return delivery.tick(
            session,
            holder=HOLDER,
            clock=SystemClock(),
            mailer=mailer,
            handlers=table or handlers(),
            settings=delivery_settings(current_app.config),
        )
    finally:
        db.session.remove()


def poisoned_handlers(incident_ids: set[int]) -> dict[str, delivery.Handler]:
    """The real handlers, except that the message of these incidents cannot be built (as a
    title with a line break once made the e-mail library raise)."""

    def build(session: Session, row: Delivery, context: delivery.SendContext) -> Any:
        if row.incident_id in incident_ids:
            raise ValueError("Header values may not contain linefeed or carriage return")
        return reminders.prepare(session, row, context)

    return {**handlers(), "reminder": build, "escalation": build}


def due_round(
    incident_ids: Sequence[int],
    mailer: Any,
    rt: Runtime,
    counter: StatementCounter,
    probe: LoginProbe | None = None,
    table: dict[str, delivery.Handler] | None = None,
) -> DueRound:
    due = SystemClock().now() + timedelta(seconds=1)
    make_due(db_session(), incident_ids, due)
    db.session.remove()
    stop = threading.Event()
    thread = None
    if probe is not None:
        thread = threading.Thread(target=probe.run, args=(stop,), daemon=True)
        thread.start()
    wait = due.timestamp() - time.time()
    if wait > 0:
        time.sleep(wait)
    start_lag = time.time() - due.timestamp()
    with counter.measure() as statements:
        start = time.perf_counter()
        result = tick_once(mailer, rt, table)
        seconds = time.perf_counter() - start
    if thread is not None:
        stop.set()
        thread.join()
    return DueRound(result, seconds, statements[0], due, start_lag)


class LoginProbe:
    """A writer that records a login every PROBE_INTERVAL, as the web application would.

    ``waits`` holds how long each login took; ``errors`` counts the ones that failed (on
    SQLite: "database is locked" once ``busy_timeout``, 30 s, has passed).
    """

    def __init__(self, engine: Engine, user_id: int) -> None:
        self.engine = engine
        self.user_id = user_id
        self.waits: list[float] = []
        self.errors = 0

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        update(User)
                        .where(User.id == self.user_id)
                        .values(last_login_at=datetime.now(UTC))
                    )
            except OperationalError:
                self.errors += 1
            self.waits.append(time.perf_counter() - start)
            stop.wait(PROBE_INTERVAL)

    def alone(self, seconds: float) -> list[float]:
        """Run the writer with nothing else going on for ``seconds``; its login durations."""
        stop = threading.Event()
        timer = threading.Timer(seconds, stop.set)
        timer.start()
        self.run(stop)
        timer.join()
        waits, self.waits = self.waits, []
        return waits


def send_direct(port: int, messages: list[EmailMessage], shared: bool) -> float:
    """Send ``messages`` with smtplib, per message a connection or all over one; seconds."""
    start = time.perf_counter()
    if shared:
        with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
            for message in messages:
                smtp.send_message(message)
    else:
        for message in messages:
            with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
                smtp.send_message(message)
    return time.perf_counter() - start


def comparable_messages(count: int, size: int, recipients: int) -> list[EmailMessage]:
    """Messages like the reminders: same recipient count and about the same size."""
    to = [f"fg{i}@bench.example" for i in range(recipients)]
    filler = "Er loopt een termijn om het datalek te melden bij de AP. "
    body = (filler * (size // len(filler) + 1))[: max(0, size - 600)]
    return [
        build_message(
            sender="breachdesk <breachdesk@localhost>",
            to=to,
            subject=f"[BD-2026-{i + 1:04d}] Herinnering: nog 23 uur 59 min / Reminder",
            text=body,
        )
        for i in range(count)
    ]


# --- the run ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1_000, help="reminders due in one tick")
    parser.add_argument("--empty-ticks", type=int, default=20)
    parser.add_argument(
        "--database-url",
        help="an empty database to use (default: a fresh SQLite file in a temporary folder)",
    )
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.incidents < 3 * args.due + REPLANNED:
        parser.error("--incidents must be at least 3 x --due + 200 (three rounds of due rows)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.pop("BREACHDESK_INSTANCE_PATH", None)  # would override our instance folder
    with scratch("breachdesk-bench-", args.database_url or "", keep=args.keep) as (folder, url):
        progress("starting the SMTP server")
        server = SmtpServer()
        try:
            return run(args, folder, url, server)
        finally:
            server.stop()


def run(args: argparse.Namespace, folder: Path, url: str, server: SmtpServer) -> int:
    app = benchmark_app(folder, url, MAIL_BACKEND="file", BASE_URL="http://breachdesk.bench")
    with app.app_context():
        session = db_session()
        if not empty_database(session):
            raise SystemExit(f"{url} is not empty; the benchmark needs an empty database")
        db.create_all()
        rss_start = peak_rss_mib()
        data = build_dataset(session, args.incidents, args.seed)
        db.session.remove()
        rss_setup = peak_rss_mib()
        rt = runtime()
        engine = db.engine
        counter = StatementCounter(engine)
        session = db_session()
        planned_total = session.scalar(
            select(func.count()).where(Delivery.status == Status.PLANNED.value)
        )
        db.session.remove()
        progress(f"{args.incidents} incidents, {planned_total} planned reminders")

        # 1. the empty tick, and the bare query it is built around
        progress(f"{args.empty_ticks} ticks with nothing due")
        tick_once(RecordingMailer(), rt)  # warm up: lease row, caches, connection
        with counter.measure() as empty_statements:
            empty = timed(lambda: tick_once(RecordingMailer(), rt), args.empty_ticks)
        now = SystemClock().now()
        bare = select(Delivery.id).where(
            Delivery.status == Status.PLANNED.value, Delivery.due_at <= now
        )
        claim_select = (
            select(Delivery.id)
            .where(
                (Delivery.status == Status.PLANNED.value) & (Delivery.due_at <= now)
                | (Delivery.status == Status.SENDING.value) & Delivery.claim_token.is_not(None)
            )
            .order_by(Delivery.priority, Delivery.due_at, Delivery.id)
            .limit(100)
        )

        def run_query(statement: Select[Any]) -> Callable[[], object]:
            def go() -> object:
                with engine.connect() as conn:
                    return conn.execute(statement).all()

            return go

        bare_times = timed(run_query(bare.limit(500)), args.empty_ticks)
        claim_times = timed(run_query(claim_select), args.empty_ticks)
        session = db_session()
        bare_plan = query_plan(session, bare.limit(500))
        claim_plan = query_plan(session, claim_select)
        db.session.remove()

        # 2. 1,000 due with an in-memory mailer, 3. with SMTP, 4. with a concurrent writer
        rng = random.Random(args.seed + 1)
        pool = rng.sample(data.incidents[REPLANNED:], 4 * args.due)
        rounds = [pool[i * args.due : (i + 1) * args.due] for i in range(4)]
        progress(f"tick with {args.due} due, in-memory mailer")
        recording = RecordingMailer()
        memory = due_round(rounds[0], recording, rt, counter)
        progress(f"tick with {args.due} due, SMTP to 127.0.0.1:{server.port}")
        server.take()
        smtp = due_round(rounds[1], SmtpMailer("127.0.0.1", server.port), rt, counter)
        smtp.accepted = accepted(server.take())
        progress(f"tick with {args.due} due, SMTP, with a concurrent writer")
        probe = LoginProbe(engine, next(iter(data.reporters.values())))
        idle_baseline = probe.alone(1.0)
        contended = due_round(rounds[2], SmtpMailer("127.0.0.1", server.port), rt, counter, probe)
        contended.accepted = accepted(server.take())
        progress(f"tick with {args.due} due, one in ten cannot be built")
        poisoned_ids = set(rounds[3][::10])
        poisoned = due_round(
            rounds[3], RecordingMailer(), rt, counter, table=poisoned_handlers(poisoned_ids)
        )
        session = db_session()
        stuck = session.scalar(select(func.count()).where(Delivery.status == Status.SENDING.value))
        db.session.remove()
        rss_ticks = peak_rss_mib()

        # the delivery check: every due reminder arrived exactly once
        session = db_session()
        sent_rows = session.scalar(
            select(func.count()).where(
                Delivery.incident_id.in_(rounds[1]), Delivery.status == Status.SENT.value
            )
        )
        still_planned = session.scalar(
            select(func.count()).where(Delivery.status == Status.PLANNED.value)
        )
        db_size = database_size(session, url)
        db.session.remove()
        arrived = [a.incident_id for a in smtp.accepted if a.incident_id is not None]
        message_ids = {a.message_id for a in smtp.accepted}

        # 5. the SMTP baselines: the same number of comparable messages straight to the server
        size = round(statistics.mean(a.size for a in smtp.accepted)) if smtp.accepted else 1500
        recipients = smtp.accepted[0].recipients if smtp.accepted else 2
        progress(f"baseline: {args.due} messages straight to the server with smtplib")
        per_message = send_direct(
            server.port, comparable_messages(args.due, size, recipients), False
        )
        shared = send_direct(server.port, comparable_messages(args.due, size, recipients), True)
        mailer = SmtpMailer("127.0.0.1", server.port)
        batch = comparable_messages(args.due, size, recipients)
        start = time.perf_counter()
        for message in batch:
            mailer.send(message)
        smtp_mailer = time.perf_counter() - start
        baseline_accepted = server.take()
        build_time = timed(lambda: comparable_messages(args.due, size, recipients), 1)[0]
        ssl_context = statistics.median(timed(ssl.create_default_context, 20))

    # --- report ---
    def per_sec(n: int, seconds: float) -> str:
        return f"{n / seconds:,.0f} msg/s" if seconds else "n/a"

    dialect = make_url(url).get_backend_name()
    print()
    print("breachdesk reminder tick benchmark")
    print("==================================")
    print(f"machine   {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"python    {platform.python_implementation()} {platform.python_version()}")
    print(f"database  {dialect}: {make_url(url).render_as_string(hide_password=True)}")
    print(
        f"data      {args.incidents:,} open incidents (5 organisations), {planned_total:,} planned"
    )
    print(f"          reminders; {args.due:,} made due per round; SMTP: aiosmtpd, child process")
    print()

    setup = Table("Setup")
    setup.add("bulk insert, incidents + reminder rows", f"{data.bulk_seconds:.2f} s")
    setup.add(
        "replan() per incident, fresh rows",
        ms(data.replan_seconds),
        f"= {data.replan_seconds * args.incidents:.1f} s for {args.incidents:,} incidents",
    )
    setup.add(
        "replan() per incident, nothing to change", ms(data.verify_seconds), "bulk rows check"
    )
    print(setup.render())
    print()

    empty_table = Table(f"Tick with nothing due ({args.empty_ticks} runs)")
    med_empty, med_bare = statistics.median(empty), statistics.median(bare_times)
    empty_table.add("tick()", spread(empty), f"{med_empty / med_bare:.1f} x bare query")
    empty_table.add("  SQL statements per tick", f"{empty_statements[0] / args.empty_ticks:.0f}")
    empty_table.add("baseline: bare due query, LIMIT 500", spread(bare_times))
    empty_table.add("baseline: claim_due's SELECT", spread(claim_times))
    print(empty_table.render())
    print("  plan, bare query:    " + " | ".join(bare_plan))
    print("  plan, claim_due's:   " + " | ".join(claim_plan))
    print()

    due_table = Table(f"Tick with {args.due:,} due")
    due_table.add(
        "in-memory mailer: tick()",
        f"{memory.seconds:.2f} s",
        f"{per_sec(memory.result.sent, memory.seconds)}, {memory.statements:,} SQL statements"
        f" ({memory.statements / max(1, memory.result.sent):.1f} per reminder)",
    )
    due_table.add(
        "SMTP: tick()",
        f"{smtp.seconds:.2f} s",
        f"{per_sec(smtp.result.sent, smtp.seconds)}, {smtp.statements:,} SQL statements",
    )
    due_table.add(
        "  of which SMTP (tick minus in-memory tick)",
        f"{smtp.seconds - memory.seconds:.2f} s",
        f"{(smtp.seconds - memory.seconds) / smtp.seconds:.0%} of the tick",
    )
    due_table.add(
        "baseline: smtplib, connection per message",
        f"{per_message:.2f} s",
        f"{per_sec(args.due, per_message)} (as SmtpMailer; {size} bytes, {recipients} rcpt)",
    )
    due_table.add(
        "baseline: smtplib, one shared connection",
        f"{shared:.2f} s",
        per_sec(args.due, shared),
    )
    due_table.add(
        "baseline: SmtpMailer.send(), no tick",
        f"{smtp_mailer:.2f} s",
        f"{per_sec(args.due, smtp_mailer)}; {smtp_mailer / per_message:.1f} x plain smtplib",
    )
    due_table.add(
        "  ssl.create_default_context(), once",
        ms(ssl_context),
        f"SmtpMailer.send() makes one per message: {ssl_context * args.due:.1f} s per {args.due:,}",
    )
    due_table.add(
        "baseline: building the baseline messages",
        f"{build_time:.2f} s",
        "build_message() only",
    )
    print(due_table.render())
    print()

    accepted_delays = [a.at - smtp.due.timestamp() for a in smtp.accepted]
    delay_table = Table(f"Delay from due time to the SMTP server accepting ({args.due:,} due)")
    delay_table.add("tick started after due time", ms(smtp.start_lag))
    delay_table.add("due -> accepted by aiosmtpd", spread(accepted_delays))
    delay_table.add("due -> handed to SMTP (TickResult.delays)", spread(smtp.result.delays))
    delay_table.add("in-memory mailer: due -> handed over", spread(memory.result.delays), "no SMTP")
    delay_table.add("reminders reported late (> 2 min)", f"{smtp.result.late}", "TickResult.late")
    print(delay_table.render())
    print("  (in production add the wait for the next tick: up to SCHEDULER_INTERVAL, 30 s)")
    print()

    check = Table("Delivery check (SMTP round)")
    exact = (
        len(smtp.accepted) == args.due
        and len(message_ids) == args.due
        and len(set(arrived)) == args.due == len(arrived)
        and set(arrived) == set(rounds[1])
        and sent_rows == args.due
        and smtp.result.sent == args.due
    )
    check.add(
        "messages accepted by the server", f"{len(smtp.accepted):,}", f"expected {args.due:,}"
    )
    check.add("distinct Message-IDs", f"{len(message_ids):,}")
    check.add(
        "distinct incidents (link in the text)",
        f"{len(set(arrived)):,}",
        "exactly the due incidents" if set(arrived) == set(rounds[1]) else "MISMATCH",
    )
    check.add("rows marked sent / TickResult.sent", f"{sent_rows:,} / {smtp.result.sent:,}")
    check.add(
        "planned rows left (all rounds)",
        f"{still_planned:,}",
        f"expected {planned_total - 4 * args.due + len(poisoned_ids):,}",
    )
    check.add(
        "baseline messages accepted", f"{len(baseline_accepted):,}", f"expected {3 * args.due:,}"
    )
    check.add("every due reminder arrived exactly once", "yes" if exact else "NO")
    print(check.render())
    print()

    contention = Table(
        f"A login (UPDATE user_account) every {PROBE_INTERVAL * 1000:.0f} ms during a "
        f"{args.due:,}-due SMTP tick"
    )
    contention.add("tick() with the writer running", f"{contended.seconds:.2f} s")
    contention.add("logins recorded during the tick", f"{len(probe.waits)}")
    contention.add("logins that failed", f"{probe.errors}", "e.g. database is locked")
    contention.add("login duration", spread(probe.waits))
    contention.add("baseline: login duration, no tick", spread(idle_baseline))
    print(contention.render())
    print()

    isolation = Table(f"A tick with {args.due:,} due, one in ten failing to build (in-memory)")
    isolation.add(
        "tick()",
        f"{poisoned.seconds:.2f} s",
        f"{poisoned.seconds / memory.seconds:.2f} x the in-memory round above",
    )
    isolation.add(
        "sent / to retry / failed",
        f"{poisoned.result.sent:,} / {poisoned.result.retried:,} / {poisoned.result.failed:,}",
        f"expected {args.due - len(poisoned_ids):,} / {len(poisoned_ids):,} / 0",
    )
    isolation.add("rows left 'sending'", f"{stuck}", "expected 0")
    print(isolation.render())
    print()

    resources_table = Table("Resources")
    resources_table.add("peak RSS after start-up", f"{rss_start:.0f} MiB")
    resources_table.add("peak RSS after building the data", f"{rss_setup:.0f} MiB")
    resources_table.add("peak RSS after the ticks", f"{rss_ticks:.0f} MiB")
    resources_table.add("database size", db_size)
    print(resources_table.render())
    isolated = (
        poisoned.result.sent == args.due - len(poisoned_ids)
        and poisoned.result.retried == len(poisoned_ids)
        and stuck == 0
    )
    return 0 if exact and isolated else 1


if __name__ == "__main__":
    sys.exit(main())
