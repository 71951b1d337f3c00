"""Where a report's CPU goes, and how far the intake could get without SQLAlchemy: the figures
behind issue 15's intake bar (≥ 0.25x the bare route), measured in one process.

Run it as ``.venv/bin/python benchmarks/intake_ceiling.py`` (``--help`` for the options). It
makes a fresh PostgreSQL database next to ``--database-url`` (default:
BREACHDESK_TEST_DATABASE_URL) and, in the same run, with one client at a time:

* the **bare route** (``benchmarks/common/bare.py``: the same multipart post, one INSERT)
  through Flask's test client: CPU per request in this process;
* a **report through the link** (the real form, rate limit and daily cap on, file stored,
  reference, audit event, mails planned): CPU per report in this process, and the share of
  it spent in SQLAlchemy and the driver, sampled (ITIMER_PROF, every 0.5 ms of CPU);
* the **same statements replayed through raw psycopg** (the exact SQL and parameters one
  report sent, captured from the engine), in a transaction rolled back, one statement at a
  time and in pipeline mode: what the database layer would cost without SQLAlchemy;
* the same statements through **SQLAlchemy Core's connection** (``exec_driver_sql``: no ORM,
  no statement compiling), a lower bound for rewriting the intake in Core instead of the ORM
  (one code path on both databases; Core constructs add their cache-key lookup on top);
* PostgreSQL's own CPU per request, read from /proc when the server runs on this machine.

It prints the report's cost rebuilt with the raw driver in place of SQLAlchemy, and the ratio
to the bare route that would give: the ceiling of a hand-written SQL intake path.
"""

from __future__ import annotations

import argparse
import collections
import io
import os
import re
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
from common.app import benchmark_app
from common.report import Table, progress, publish
from intake import EVIDENCE, drop_database, fields, fresh_database
from sqlalchemy import create_engine, event, select

from breachdesk.demo import load as load_demo
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.runtime import runtime
from breachdesk.services import reporting_links
from breachdesk.services.audit import Actor
from breachdesk.services.reporting_links import Audience

DB_LAYER = ("sqlalchemy/", "psycopg/")


def postgres_cpu() -> float | None:
    """CPU seconds of the local PostgreSQL processes so far (None: none found here)."""
    ticks, found = 0, False
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
                continue
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks, found = ticks + int(stat[11]) + int(stat[12]), True
    return ticks / os.sysconf("SC_CLK_TCK") if found else None


def measured(action: Callable[[int], None], count: int) -> tuple[float, float | None]:
    """CPU seconds per call of ``action`` in this process, and PostgreSQL's per call."""
    for n in range(10):
        action(n)  # warm up: caches, prepared statements
    pg0, cpu0 = postgres_cpu(), time.process_time()
    for n in range(count):
        action(1000 + n)
    cpu = (time.process_time() - cpu0) / count
    pg1 = postgres_cpu()
    return cpu, (pg1 - pg0) / count if pg0 is not None and pg1 is not None else None


def db_layer_share(action: Callable[[int], None], count: int) -> float:
    """The share of this process's CPU spent with SQLAlchemy or psycopg on the stack."""
    seen = collections.Counter[bool]()

    def sample(_signal: int, frame: FrameType | None) -> None:
        inside = False
        while frame is not None:
            if any(part in frame.f_code.co_filename for part in DB_LAYER):
                inside = True
                break
            frame = frame.f_back
        seen[inside] += 1

    previous = signal.signal(signal.SIGPROF, sample)
    signal.setitimer(signal.ITIMER_PROF, 0.0005, 0.0005)
    try:
        for n in range(count):
            action(5000 + n)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, previous)
    return seen[True] / max(1, seen[True] + seen[False])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="measured per kind")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BREACHDESK_TEST_DATABASE_URL", ""),
        help="a PostgreSQL URL; makes and drops <its database>_ceiling next to it",
    )
    parser.add_argument("--out", default="", help="also write the figures to this file")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("give --database-url postgresql+psycopg://...")
    name = args.database_url.rsplit("/", 1)[1] + "_ceiling"
    url = fresh_database(args.database_url, name)
    try:
        table = measure(url, args.requests)
    finally:
        drop_database(args.database_url, name)
    publish(table, "intake_ceiling.py", url, "one client, CPU per request", args.out)


def measure(url: str, count: int) -> Table:
    folder = Path(tempfile.mkdtemp(prefix="bd-ceiling-"))
    app = benchmark_app(
        folder,
        url,
        RATELIMIT_ENABLED=True,  # the report's rate-limit count is part of its cost
        LINK_REPORT_RATE_LIMIT="1000000 per minute",
        LINK_REPORTS_PER_DAY=10**8,
    )
    with app.app_context():
        progress("schema, demo organisations, a reporting link")
        db.create_all()
        load_demo(db.session, clock=runtime().clock, hasher=runtime().hasher)
        kruix = db.session.scalars(select(Organisation).filter_by(slug="kruix")).one()
        link = reporting_links.make_link(
            db.session, kruix, Audience.STAFF, actor=Actor.system("benchmark"),
            clock=runtime().clock,
        )  # fmt: skip
        path = f"/melden/{reporting_links.link_token(app.config['SECRET_KEY'], link)}"
        engine = db.engine
        db.session.remove()

    client = app.test_client()
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None, "no CSRF token on the form"

    def report(n: int) -> None:
        data: dict[str, Any] = dict(fields(n, token.group(1)))
        data["evidence"] = (io.BytesIO(EVIDENCE), "bewijs.pdf")
        answer = client.post(path, data=data, content_type="multipart/form-data")
        assert answer.status_code == 302, answer.status_code

    os.environ["BENCH_BARE_DATABASE_URL"] = url  # read when common.bare is imported
    from common import bare

    bare_engine = create_engine(url)
    bare.metadata.create_all(bare_engine)
    bare_engine.dispose()
    bare_client = bare.app.test_client()

    def bare_post(n: int) -> None:
        data: dict[str, Any] = dict(fields(n))
        data["evidence"] = (io.BytesIO(EVIDENCE), "bewijs.pdf")
        answer = bare_client.post("/bare", data=data, content_type="multipart/form-data")
        assert answer.status_code == 201, answer.status_code

    progress(f"bare route: {count} posts")
    bare_cpu, bare_pg = measured(bare_post, count)
    progress(f"reports: {count}")
    report_cpu, report_pg = measured(report, count)
    share = db_layer_share(report, count)

    statements: list[tuple[str, Any]] = []

    def captured(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        statements.append((sql, unique_again(params)))

    event.listen(engine, "before_cursor_execute", captured)
    report(99_999)
    event.remove(engine, "before_cursor_execute", captured)
    progress(f"raw psycopg: the report's {len(statements)} statements, {count} times")
    raw, piped = replay(url, statements, count)
    progress(f"SQLAlchemy Core: the report's {len(statements)} statements, {count} times")
    core = replay_core(engine, statements, count)

    table = Table(f"CPU per request, {count} requests each, one client at a time")

    def pg(seconds: float | None) -> str:
        return f"{seconds * 1000:.2f} ms" if seconds is not None else "n/a (remote server)"

    table.add("bare route: this process", f"{bare_cpu * 1000:.2f} ms", f"PostgreSQL {pg(bare_pg)}")
    table.add("report: this process", f"{report_cpu * 1000:.2f} ms", f"PostgreSQL {pg(report_pg)}")
    in_layer = report_cpu * share
    table.add(
        "report: in SQLAlchemy and psycopg (sampled)",
        f"{in_layer * 1000:.2f} ms",
        f"{share:.0%} of the report's CPU here",
    )
    table.add("report's statements via raw psycopg", f"{raw * 1000:.2f} ms", "one at a time")
    table.add("report's statements via raw psycopg", f"{piped * 1000:.2f} ms", "pipeline mode")
    table.add("report's statements via SQLAlchemy Core", f"{core * 1000:.2f} ms", "no ORM")
    bare_total = bare_cpu + (bare_pg or 0.0)
    now_total = report_cpu + (report_pg or 0.0)
    table.add("ratio now (bare / report, CPU)", f"{bare_total / now_total:.2f}x", "bar 0.25x")
    for label, driver in (
        ("SQLAlchemy Core", core),
        ("raw psycopg, one at a time", raw),
        ("raw psycopg, pipelined", piped),
    ):
        rebuilt = report_cpu - in_layer + driver + (report_pg or 0.0)
        table.add(
            f"ceiling with {label}",
            f"{bare_total / rebuilt:.2f}x",
            f"a report at {rebuilt * 1000:.2f} ms against {bare_total * 4000:.2f} ms allowed",
        )
    return table


def replay(url: str, statements: list[tuple[str, Any]], count: int) -> tuple[float, float]:
    """CPU seconds per report of ``statements`` through raw psycopg, one statement at a time
    and pipelined, each report in a transaction rolled back (so the same keys can repeat)."""
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:

        def once(pipelined: bool) -> None:
            with conn.transaction(force_rollback=True):
                if pipelined:
                    with conn.pipeline(), conn.cursor() as cur:
                        for sql, params in statements:
                            run(cur, sql, params, fetch=False)
                else:
                    with conn.cursor() as cur:
                        for sql, params in statements:
                            run(cur, sql, params, fetch=True)

        results = []
        for pipelined in (False, True):
            for _ in range(10):
                once(pipelined)
            start = time.process_time()
            for _ in range(count):
                once(pipelined)
            results.append((time.process_time() - start) / count)
    return results[0], results[1]


def replay_core(engine: Any, statements: list[tuple[str, Any]], count: int) -> float:
    """CPU seconds per report of ``statements`` through SQLAlchemy Core's connection, each
    report in a transaction rolled back."""

    def once() -> None:
        with engine.connect() as conn:
            with conn.begin() as transaction:
                for sql, params in statements:
                    result = conn.exec_driver_sql(sql, params)
                    if result.returns_rows:
                        result.fetchall()
                transaction.rollback()

    for _ in range(10):
        once()
    start = time.process_time()
    for _ in range(count):
        once()
    return (time.process_time() - start) / count


def unique_again(params: Any) -> Any:
    """``params`` with the values that must be unique moved out of the way of the captured
    report, which is stored (its reference, sequence numbers and file key)."""
    if isinstance(params, list):
        return [unique_again(p) for p in params]
    if not isinstance(params, dict):
        return params
    moved = dict(params)
    for key, value in params.items():
        if key.startswith(("seq", "last_seq")) and isinstance(value, int):
            moved[key] = value + 10**6
        elif key.startswith(("reference", "storage_key")) and isinstance(value, str):
            moved[key] = value + "-replay"
    return moved


def run(cur: psycopg.Cursor[Any], sql: str, params: Any, *, fetch: bool) -> None:
    if isinstance(params, list):
        cur.executemany(sql, params)
    else:
        cur.execute(sql, params)
        if fetch and cur.description:
            cur.fetchall()


if __name__ == "__main__":
    main()
