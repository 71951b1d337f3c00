"""Benchmark of the FG's pages at register size: is a page as fast with 100,000 incidents as
with 1,000?

Run it as ``.venv/bin/python benchmarks/register.py`` (``--help`` for the options). It builds
a throwaway installation (a fresh SQLite file unless ``--database-url`` names an *empty*
database) with ten organisations (the five demo profiles, twice) and one FG who serves all of
them, then, at each size in ``--sizes`` (incidents are added, never rebuilt):

* the FG's **inbox** (``/incidents/``, 50 rows of the most urgent work) and a page that shows
  only the **top bar** with its counts (``/account``), through the real application (Flask's
  test client, logged in, templates, translations, the lot), p50/p95 over ``--requests``,
  taken in turns with the other pages (one request of each per round);
* in the same run, a **bare route**: one SELECT of 50 incidents rendered by a minimal
  template, the floor any page with such a table stands on; for the register's filtered view
  and its search, bare routes that read the *same* 50 rows (the same filter, the same
  full-text condition) in one SELECT.

The data have the shape of a register that has run for years: the FG's current work is the
same at every size (``--open`` incidents, 100 by default: reported, confirmed or assessed, with
their 72-hour terms in every phase), and everything else is closed, spread over ten years, so
that a larger size means a longer history, not more work. Targets (issue 12): page p95 at
most 3× the bare route (aim 2×), and at the largest size at most 1.5× its p95 at the smallest.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common.app import benchmark_app
from common.register_data import FG_EMAIL, PASSWORD, add_incidents, organisations
from common.report import Table, percentile, progress, publish, timed
from common.setup import scratch
from flask import Flask, render_template_string
from sqlalchemy import exists, func, inspect, select

from breachdesk.extensions import db, db_session
from breachdesk.models import Decision, Incident, Notification, Organisation
from breachdesk.services import register as register_service
from breachdesk.services.register_query import search_condition
from breachdesk.sqlite import refresh_statistics

BARE = """<!doctype html><title>bare</title><table>{% for i in rows %}<tr><td>{{ i.reference }}</td>
<td>{{ i.title }}</td><td>{{ i.state }}</td><td>{{ i.term_deadline or '' }}</td></tr>{% endfor %}
</table>"""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="incident counts, ascending")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--open", type=int, default=100, help="unfinished incidents (any size)")
    parser.add_argument("--out", default="", help="also write the table to this file")
    return parser.parse_args(argv)


def get(client: Any, path: str) -> Callable[[], None]:
    def go() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        response.get_data()

    return go


def interleaved(client: Any, paths: Sequence[str], repeat: int) -> list[list[float]]:
    """The durations of ``repeat`` requests of each of ``paths``, taken in turns (one of each,
    then the next round), so that a spell of load on the machine weighs on a page and on its
    bare route alike, and their ratio compares like with like."""
    actions = [get(client, path) for path in paths]
    for action in actions:
        action()  # warm up
    durations: list[list[float]] = [[] for _ in paths]
    for _ in range(repeat):
        for action, taken in zip(actions, durations, strict=True):
            taken.extend(timed(action, 1))
    return durations


#: The register view timed with a filter: the incidents notified to the AP (30% of them).
REGISTER_FILTERED = "/register/?notified=yes"


def bare_routes(app: Flask) -> None:
    """The floors: one SELECT of 50 rows in a minimal template, for the inbox (the latest
    incidents) and for the register (the same 50 rows its filtered page shows)."""

    @app.get("/bench-bare")
    def bare() -> str:
        rows = (
            db_session()
            .execute(select(Incident).order_by(Incident.id.desc()).limit(50))
            .scalars()
            .all()
        )
        return render_template_string(BARE, rows=rows)

    @app.get("/bench-bare-register")
    def bare_register() -> str:
        filed = exists().where(
            Notification.incident_id == Incident.id, Notification.kind == "initial"
        )
        rows = (
            db_session()
            .execute(
                select(Incident)
                .where(filed)
                .order_by(Incident.reported_at.desc(), Incident.id.desc())
                .limit(50)
            )
            .scalars()
            .all()
        )
        return render_template_string(BARE, rows=rows)

    @app.get("/bench-bare-search")
    def bare_search() -> str:
        # The same 50 rows the search page shows: the same full-text condition (FTS5 or
        # tsvector; on SQLite checked while walking the sort order's index, as the page
        # does), in one SELECT, no other filter, no counting, no clocks.
        session = db_session()
        rows = (
            session.execute(
                select(Incident)
                .where(search_condition(session, ["laptop"], in_order=True))
                .order_by(Incident.reported_at.desc(), Incident.id.desc())
                .limit(50)
            )
            .scalars()
            .all()
        )
        return render_template_string(BARE, rows=rows)


class CountingSink:
    """A file that only counts what is written to it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


def reset_peak_rss() -> float:
    """Reset this process's peak RSS to its current RSS (Linux: clear_refs 5), so the peak
    measured afterwards is the export's own; a spawned process starts with its parent's
    peak otherwise. Returns the current RSS in MiB."""
    Path("/proc/self/clear_refs").write_text("5")
    return rss_field("VmHWM")


def rss_field(name: str) -> float:
    """``VmRSS`` or ``VmHWM`` (peak) of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{name} not in /proc/self/status")


def export_child(url: str, folder: str, path: str) -> tuple[float, int, float, float]:
    """In a fresh process: one export of the whole register, consumed as it streams (or, for
    ``path`` "bare", csv.writer over the register's SELECT and its decisions' advice).
    Returns seconds, bytes, and the process's peak RSS before and after, in MiB."""
    app = benchmark_app(Path(folder), url, WTF_CSRF_ENABLED=False)
    if path == "bare":
        with app.app_context():
            session = db_session()
            session.execute(select(func.count(Incident.id))).scalar_one()  # connect, warm up
            before = reset_peak_rss()
            start = time.perf_counter()
            sink = CountingSink()
            writer = csv.writer(sink, delimiter=";")
            # The same data as the export: the register's columns, and the reasons of the
            # advice its latest decision rested on (the export writes them out in words).
            advice = (
                select(Decision.recommendation_snapshot["reasons"].as_string())
                .where(Decision.incident_id == Incident.id)
                .order_by(Decision.version.desc())
                .limit(1)
                .scalar_subquery()
            )
            rows = session.execute(
                select(*register_service.COLUMNS, advice)
                .join(Organisation, Organisation.id == Incident.organisation_id)
                .order_by(Incident.reported_at.desc(), Incident.id.desc())
                .execution_options(yield_per=1000)
            )
            for row in rows:
                writer.writerow(row)
            return time.perf_counter() - start, sink.size, before, rss_field("VmHWM")
    client = app.test_client()
    login = client.post("/login", data={"email": FG_EMAIL, "password": PASSWORD})
    assert login.status_code == 302, login.status_code
    client.get("/register/")  # connect, warm up
    before = reset_peak_rss()
    start = time.perf_counter()
    response = client.get(path, buffered=False)
    assert response.status_code == 200, (path, response.status_code)
    size = sum(len(chunk) for chunk in response.iter_encoded())
    response.close()
    return time.perf_counter() - start, size, before, rss_field("VmHWM")


def measure_export(url: str, folder: Path, path: str) -> tuple[float, int, float, float]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(export_child, (url, str(folder), path))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with scratch("breachdesk-register-", args.database_url) as (folder, url):
        os.environ["BREACHDESK_INSTANCE_PATH"] = str(folder / "instance")
        return run(args, sizes, folder, url)


PAGES = (
    ("inbox", "/incidents/"),
    ("top bar (account page)", "/account"),
    ("bare route (1 SELECT, 50 rows)", "/bench-bare"),
    ("register, filtered (AP notified)", REGISTER_FILTERED),
    ("register, search 'laptop'", "/register/?q=laptop"),
    # On PostgreSQL the search page is shown before its matches are counted; the page's
    # script then asks for the count (on SQLite the page counts them itself).
    ("the search's count (/register/count)", "/register/count?q=laptop"),
    ("bare register route (1 SELECT, same 50 rows)", "/bench-bare-register"),
    ("bare search route (1 SELECT, same 50 rows)", "/bench-bare-search"),
)
EXPORTS = (
    ("CSV export", "/register/export.csv"),
    ("XLSX export", "/register/export.xlsx"),
    ("bare csv.writer, same SELECT + advice", "bare"),
)


def run(args: argparse.Namespace, sizes: list[int], folder: Path, url: str) -> int:
    app = benchmark_app(
        folder,
        url,
        WTF_CSRF_ENABLED=False,  # the test client logs in without reading the form
    )
    bare_routes(app)
    rng = random.Random(args.seed)
    table = Table(
        f"The FG's pages and exports at register size (p50 / p95 over {args.requests} requests)"
    )
    results: dict[str, list[float]] = {}
    exports: dict[str, tuple[float, int, float, float]] = {}
    with app.app_context():
        if inspect(db.engine).get_table_names():
            raise SystemExit(f"{url} is not empty; the benchmark needs an empty database")
        db.create_all()
        orgs = organisations(db_session())
        db.session.remove()
    have = 0
    for size in sizes:
        progress(f"adding {size - have} incidents (to {size})")
        with app.app_context():  # requests below get contexts of their own
            still_open = args.open if have == 0 else 0
            add_incidents(db_session(), orgs, size - have, rng, datetime.now(UTC), still_open)
            # Statistics as production has them: the scheduler refreshes SQLite's every hour
            # (breachdesk.sqlite.refresh_statistics), autovacuum PostgreSQL's.
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
                    conn.commit()  # ANALYZE in a rolled-back transaction is forgotten
            else:
                refresh_statistics(db_session())
            db.session.remove()
        have = size
        client = app.test_client()
        login = client.post("/login", data={"email": FG_EMAIL, "password": PASSWORD})
        assert login.status_code == 302, login.status_code
        progress(f"{size}: pages")
        timings = interleaved(client, [path for _name, path in PAGES], args.requests)
        for (name, _path), durations in zip(PAGES, timings, strict=True):
            results[f"{name}@{size}"] = durations
            p50, p95 = percentile(durations, 50), percentile(durations, 95)
            table.add(f"{name}, {size:,} incidents", f"{p50 * 1e3:.1f} / {p95 * 1e3:.1f} ms")
        for name, path in EXPORTS:
            progress(f"{size}: {name}")
            seconds, size_bytes, before, peak = measure_export(url, folder, path)
            exports[f"{name}@{size}"] = (seconds, size_bytes, before, peak)
            table.add(
                f"{name}, {size:,} incidents",
                f"{seconds:.2f} s",
                f"{size / seconds:,.0f} rows/s, {size_bytes / 1e6:.1f} MB, "
                f"peak RSS {peak:.0f} MiB (before {before:.0f})",
            )
    return verdicts(table, results, exports, sizes, args, url)


def verdicts(
    table: Table,
    results: dict[str, list[float]],
    exports: dict[str, tuple[float, int, float, float]],
    sizes: list[int],
    args: argparse.Namespace,
    url: str,
) -> int:
    small, large = sizes[0], sizes[-1]
    verdict = True
    for name, bare_name in (
        ("inbox", "bare route (1 SELECT, 50 rows)"),
        ("top bar (account page)", "bare route (1 SELECT, 50 rows)"),
        ("register, filtered (AP notified)", "bare register route (1 SELECT, same 50 rows)"),
        ("register, search 'laptop'", "bare search route (1 SELECT, same 50 rows)"),
    ):
        bare = percentile(results[f"{bare_name}@{large}"], 95)
        p95_large = percentile(results[f"{name}@{large}"], 95)
        p95_small = percentile(results[f"{name}@{small}"], 95)
        ratio, growth = p95_large / bare, p95_large / p95_small
        verdict = verdict and ratio <= 3 and growth <= 1.5
        table.add(f"{name}: p95 / bare p95 at {large:,}", f"{ratio:.2f}×", "bar 3×, aim 2×")
        table.add(
            f"{name}: p95 at {large:,} / p95 at {small:,}", f"{growth:.2f}×", "bar 1.5× (flat)"
        )
    bare_csv = exports[f"bare csv.writer, same SELECT + advice@{large}"][0]
    for name in ("CSV export", "XLSX export"):
        seconds = exports[f"{name}@{large}"][0]
        growth = exports[f"{name}@{large}"][3] - exports[f"{name}@{small}"][3]
        table.add(
            f"{name}: time / bare csv.writer at {large:,}",
            f"{seconds / bare_csv:.2f}×",
            "bar 2× (CSV)" if name == "CSV export" else "(no bar)",
        )
        table.add(
            f"{name}: peak RSS at {large:,} − at {small:,}",
            f"{growth:+.0f} MiB",
            "flat with row count",
        )
        if name == "CSV export":
            verdict = verdict and seconds / bare_csv <= 2
    publish(table, "register.py", url, f"sizes {args.sizes}", args.out)
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
