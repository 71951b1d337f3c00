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
import dataclasses
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common.app import benchmark_app
from common.report import Table, percentile, progress, publish, timed
from flask import Flask, render_template_string
from sqlalchemy import exists, func, insert, inspect, select
from sqlalchemy.orm import Session

from breachdesk.demo import profile_paths
from breachdesk.domain.assessment import OUTCOME_DUTIES, Outcome, assess
from breachdesk.domain.assessment_json import facts_from_dict, recommendation_to_dict
from breachdesk.domain.checklist import Facts
from breachdesk.domain.deadline import NOTIFICATION_TERM, due_at
from breachdesk.domain.lifecycle import State
from breachdesk.domain.references import format_reference
from breachdesk.domain.register import data_kinds
from breachdesk.domain.roles import Role
from breachdesk.extensions import db, db_session
from breachdesk.models import Decision, Incident, Notification, Organisation, ReferenceCounter, User
from breachdesk.runtime import runtime
from breachdesk.services import organisations as org_service
from breachdesk.services import register as register_service
from breachdesk.services import users as user_service
from breachdesk.services.audit import Actor
from breachdesk.services.register_query import search_condition
from breachdesk.sqlite import refresh_statistics

ACTOR = Actor.system("benchmark")
PASSWORD = "benchmark-wachtwoord-1"  # noqa: S105 - a throwaway installation
FG_EMAIL = "fg@register.example"
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


def organisations(session: Session) -> list[tuple[int, str]]:
    """Ten organisations (each demo profile twice) and one FG who serves them all."""
    orgs: list[Organisation] = []
    for copy in (1, 2):
        for path in profile_paths():
            profile = org_service.load_profile_file(path)
            if copy == 2:
                profile = dataclasses.replace(
                    profile,
                    slug=f"{profile.slug}-2",
                    legal_name=f"{profile.legal_name} (2)",
                    reference_prefix=f"{profile.reference_prefix or profile.slug[:3].upper()}2",
                )
            orgs.append(
                org_service.import_profile(
                    session, profile, actor=ACTOR, clock=runtime().clock
                ).organisation
            )
    session.commit()
    user_service.create_user(
        session,
        email=FG_EMAIL,
        name="FG van tien organisaties",
        password=PASSWORD,
        roles=[(org, Role.FG) for org in orgs],
        actor=ACTOR,
        clock=runtime().clock,
        hasher=runtime().hasher,
    )
    return [(org.id, org.reference_prefix) for org in orgs]


def categories_of(session: Session) -> dict[int, list[dict[str, Any]]]:
    """Each organisation's data categories, as an incident stores its chosen ones."""
    return {
        org.id: list(org.profile.get("data_categories") or [])
        for org in session.execute(select(Organisation)).scalars()
    }


def add_incidents(
    session: Session,
    orgs: list[tuple[int, str]],
    count: int,
    rng: random.Random,
    now: datetime,
    open_count: int,
) -> None:
    """``count`` more incidents spread over ``orgs``: the first ``open_count`` open in every
    phase (each running term stored as replan() stores it), the rest closed over the past ten
    years."""
    counters = {
        (c.organisation_id, c.year): c for c in session.execute(select(ReferenceCounter)).scalars()
    }
    reporter = session.execute(select(User.id).where(User.email == FG_EMAIL)).scalar_one()
    categories = categories_of(session)
    rows: list[dict[str, Any]] = []
    outcomes: list[Outcome | None] = []
    for index in range(count):
        org_id, prefix = orgs[index % len(orgs)]
        closed = index >= open_count
        reported = now - timedelta(days=rng.uniform(0, 3650) if closed else rng.uniform(0, 4))
        year = reported.year
        counter = counters.get((org_id, year))
        if counter is None:
            counter = counters[(org_id, year)] = ReferenceCounter(
                organisation_id=org_id, year=year, last_seq=0
            )
            session.add(counter)
        counter.last_seq += 1
        state = (
            State.CLOSED
            if closed
            else rng.choice([State.REPORTED, State.BREACH_CONFIRMED, State.ASSESSED])
        )
        aware = None if state is State.REPORTED else reported + timedelta(hours=1)
        running = state in (State.BREACH_CONFIRMED, State.ASSESSED)
        # Closed breaches were decided: most register-only, some notified, a few informed.
        outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0] if closed else None
        outcomes.append(outcome)
        chosen = rng.sample(categories[org_id], k=min(len(categories[org_id]), rng.randint(1, 3)))
        informed = outcome is Outcome.NOTIFY_AP_AND_SUBJECTS
        rows.append(
            {
                "organisation_id": org_id,
                "reference": format_reference(prefix, year, counter.last_seq),
                "year": year,
                "seq": counter.last_seq,
                "state": state.value,
                "reporter_id": reporter,
                "reported_at": reported,
                "updated_at": reported + timedelta(days=2 if closed else 0),
                "title": f"Incident {index + 1}: {rng.choice(TITLES)}",
                "description": "Een beschrijving van wat er gebeurde, in enkele zinnen. " * 3,
                "discovered_at": reported,
                "discovery_how": "Melding van een medewerker",
                "ongoing": "no",
                "processors": [],
                "data_categories": chosen,
                "data_kinds": data_kinds(chosen),
                "decided_outcome": outcome.value if outcome else None,
                "subjects_resolution": "informed" if informed else "",
                "subjects_resolution_at": reported + timedelta(days=1) if informed else None,
                "subjects_mode": "exact",
                "subjects_exact": rng.randint(1, 2000),
                "subject_groups": [],
                "containment": [],
                "containment_details": "",
                "children_involved": "no",
                "protection": "none",
                "protection_details": "",
                "systems_other": "",
                "data_other": "",
                "subject_groups_other": "",
                "reported_by_processor": False,
                "not_breach_reason": "",
                "personal_data": "yes",
                "security_breached": "yes",
                "breach_types": ["confidentiality"],
                "triaged_at": aware,
                "aware_at": aware,
                "term_deadline": due_at(aware, NOTIFICATION_TERM) if running and aware else None,
                "closed_at": reported + timedelta(days=2) if closed else None,
                "our_role": "controller",
                "controller_name": "",
            }
        )
    session.flush()
    ids: list[int] = []
    for chunk in range(0, len(rows), 5000):
        ids += session.execute(
            insert(Incident).returning(Incident.id, sort_by_parameter_order=True),
            rows[chunk : chunk + 5000],
        ).scalars()
    decisions: list[dict[str, Any]] = []
    filings: list[dict[str, Any]] = []
    for incident_id, row, outcome in zip(ids, rows, outcomes, strict=True):
        if outcome is None:
            continue
        notify_ap, inform, public = OUTCOME_DUTIES[outcome]
        decided = row["aware_at"] + timedelta(hours=rng.uniform(2, 40))
        # The advice as a decision stores it (the register's reasoning column shows its
        # reasons), for this incident's number of people.
        advice = assess(dataclasses.replace(ADVISED[outcome], subjects_count=row["subjects_exact"]))
        decisions.append(
            {
                "incident_id": incident_id,
                "version": 1,
                "outcome": outcome.value,
                "notify_ap": notify_ap,
                "inform_subjects": inform,
                "public_communication": public,
                "ap_severity": "medium",
                "follows_recommendation": True,
                "rationale": "Afgewogen volgens de checklist; zie de antwoorden.",
                "ruleset_version": advice.ruleset_version,
                "facts_snapshot": {},
                "recommendation_snapshot": recommendation_to_dict(advice),
                "decided_by_id": reporter,
                "decided_at": decided,
            }
        )
        if notify_ap:
            late = rng.random() < 0.05
            deadline = due_at(row["aware_at"], NOTIFICATION_TERM)
            filings.append(
                {
                    "incident_id": incident_id,
                    "addressee": "ap",
                    "kind": "initial",
                    "submitted_at": deadline + timedelta(hours=5) if late else decided,
                    "reference": f"M{incident_id:08d}",
                    "provisional": False,
                    "delay_reason": "Het onderzoek liep uit." if late else "",
                    "notes": "",
                    "deadline_at": deadline,
                    "late": late,
                    "recorded_by_id": reporter,
                    "recorded_at": decided,
                }
            )
    for table, values in ((Decision, decisions), (Notification, filings)):
        for chunk in range(0, len(values), 5000):
            session.execute(insert(table), values[chunk : chunk + 5000])
    session.commit()


OUTCOMES = [Outcome.REGISTER_ONLY, Outcome.NOTIFY_AP, Outcome.NOTIFY_AP_AND_SUBJECTS]
OUTCOME_WEIGHTS = [60, 30, 10]
#: Checklist answers that the rules advise each outcome for (cases WP250-B1, B2 and B6 of
#: tests/cases/wp250-annex-b.yaml); each decision stores the advice for its own answers.
ADVISED: dict[Outcome, Facts] = {
    Outcome.REGISTER_ONLY: facts_from_dict(
        {
            "breach_types": ["availability", "confidentiality"],
            "malicious": "yes",
            "exfiltration": "yes",
            "recipients": "many_or_unknown",
            "protection": "state_of_the_art_key_safe",
            "availability": "no_loss",
            "backup_available": "yes",
            "data_classes": ["simple", "financial"],
            "financial_data": "yes",
        }
    ),
    Outcome.NOTIFY_AP: facts_from_dict(
        {
            "breach_types": ["confidentiality"],
            "malicious": "yes",
            "exfiltration": "yes",
            "recipients": "many_or_unknown",
            "protection": "none",
        }
    ),
    Outcome.NOTIFY_AP_AND_SUBJECTS: facts_from_dict(
        {
            "breach_types": ["confidentiality"],
            "malicious": "yes",
            "exfiltration": "yes",
            "recipients": "many_or_unknown",
            "protection": "none",
            "data_classes": ["simple", "behavioural"],
            "credentials": "yes",
        }
    ),
}


TITLES = [
    "e-mail aan verkeerde ontvanger",
    "laptop gestolen uit auto",
    "phishing: inloggegevens afgegeven",
    "ransomware op de bestandsserver",
    "brief met BSN naar verkeerd adres",
    "gedeelde map publiek toegankelijk",
]


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
    folder = Path(tempfile.mkdtemp(prefix="breachdesk-register-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["BREACHDESK_INSTANCE_PATH"] = str(folder / "instance")
    try:
        return run(args, sizes, folder, url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
