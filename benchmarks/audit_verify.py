"""Benchmark of audit trail verification, checkpoints and writing.

Run it as ``.venv/bin/python benchmarks/audit_verify.py [--events N] [--database-url URL]``.
It builds a throwaway installation (a fresh SQLite file in a temporary folder unless
``--database-url`` names an *empty* PostgreSQL or SQLite database) with one organisation
whose chain holds N events (default 100,000), each with a before/after snapshot of six
fields, inserted in bulk. Measured (median of three runs where it says so):

* ``verify_trail`` over N keyed (version 2) events: HMAC of every event and of its content;
* ``verify_trail`` over N legacy (version 1) events: plain SHA-256, for comparison in the
  same run (the code before keyed hashing loaded ORM objects; see RESULTS-audit-*.txt for
  the figure measured with that code);
* writing one checkpoint, and ``checkpoint_if_due`` when nothing is due;
* ``audit.record`` + commit, one event at a time (what every service call adds).
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from breachdesk import create_app
from breachdesk.domain.audit import GENESIS_HASH, EventRecord, hash_v1, seal
from breachdesk.extensions import db
from breachdesk.models import AuditChainHead, AuditEvent, Organisation
from breachdesk.services import audit, audit_anchor
from breachdesk.services.audit import Actor
from breachdesk.services.audit_keys import files_for, load_keyring
from breachdesk.services.audit_verify import verify_trail
from breachdesk.services.clock import FixedClock

T0 = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = 5000


def content(seq: int) -> dict[str, Any]:
    return {
        "title": f"Lek {seq}: e-mail met klantgegevens naar verkeerde ontvanger",
        "state": "assessed",
        "recipients": [f"persoon{seq % 97}@example.org", "fg@example.org"],
        "aware_at": (T0 + timedelta(seconds=seq)).isoformat(),
        "severity": seq % 4,
        "notes": "Ontvanger heeft bevestigd het bericht te hebben verwijderd.",
    }


def build_chain(org_id: int, count: int, *, keyed: bool) -> None:
    """``count`` events in ``org:<org_id>``, keyed (v2) or legacy (v1), and the head row."""
    key = load_keyring(files_for(db.session), create=True).writer()
    chain = f"org:{org_id}"
    prev = GENESIS_HASH
    batch: list[dict[str, Any]] = []
    for seq in range(1, count + 1):
        record = EventRecord(
            chain=chain,
            seq=seq,
            organisation_id=org_id,
            occurred_at=T0 + timedelta(seconds=seq),
            actor_id=seq % 7,
            actor_label=f"Gebruiker {seq % 7} <u{seq % 7}@example.org>",
            action="incident.state_changed",
            entity_type="incident",
            entity_id=str(seq % 1000),
            before=content(seq - 1),
            after=content(seq),
            prev_hash=prev,
        )
        record = seal(record, key) if keyed else replace(record, hash=hash_v1(record))
        batch.append(vars(record))
        prev = record.hash
        if len(batch) == BATCH:
            db.session.execute(insert(AuditEvent), batch)
            batch = []
    if batch:
        db.session.execute(insert(AuditEvent), batch)
    db.session.add(AuditChainHead(chain=chain, last_seq=count, last_hash=prev))
    db.session.commit()


def timed(action: Callable[[], object], runs: int = 3) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
        db.session.rollback()
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bd-audit-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "SQLALCHEMY_DATABASE_URI": url})
    clock = FixedClock(datetime(2026, 12, 1, tzinfo=UTC))
    rows: list[tuple[str, str]] = []
    with app.app_context():
        db.create_all()
        orgs = []
        for slug in ("keyed", "legacy"):
            org = Organisation(slug=slug, name=slug, profile={}, created_at=T0, updated_at=T0)
            db.session.add(org)
            orgs.append(org)
        db.session.commit()
        n = args.events
        start = time.perf_counter()
        build_chain(orgs[0].id, n, keyed=True)
        rows.append((f"build + insert {n:,} keyed events", f"{time.perf_counter() - start:.1f} s"))
        build_chain(orgs[1].id, n, keyed=False)
        for org, label in ((orgs[0], "keyed (v2)"), (orgs[1], "legacy (v1)")):
            chain = audit.chain_name(org.id)
            median, times = timed(lambda c=chain: verify_trail(db.session, chains=[c]))
            report = verify_trail(db.session, chains=[chain])
            assert report.intact and report.chains[0].events == n, report
            spread = ", ".join(f"{t:.2f}" for t in times)
            rows.append((f"verify {n:,} {label} events", f"{median:.2f} s  ({spread})"))
        # The register comparison's share: the same keyed chain verified without it. (Every
        # event above is an incident state change, so the comparison follows each one.)
        chain = audit.chain_name(orgs[0].id)
        median, times = timed(lambda: verify_trail(db.session, chains=[chain], register=False))
        spread = ", ".join(f"{t:.2f}" for t in times)
        rows.append(("  the same, register not compared", f"{median:.2f} s  ({spread})"))
        start = time.perf_counter()
        audit_anchor.write_checkpoint(db.session, clock=clock)
        db.session.rollback()
        rows.append(("write one checkpoint", f"{(time.perf_counter() - start) * 1000:.1f} ms"))
        median, _ = timed(
            lambda: audit_anchor.checkpoint_if_due(
                db.session, clock=clock, interval=timedelta(hours=1)
            ),
            runs=20,
        )
        rows.append(("checkpoint_if_due, not due", f"{median * 1000:.2f} ms"))
        actor = Actor.system("benchmark")

        def write_one() -> None:
            audit.record(
                db.session,
                clock=clock,
                actor=actor,
                action="incident.state_changed",
                entity_type="incident",
                entity_id=1,
                organisation_id=orgs[0].id,
                before=content(1),
                after=content(2),
            )
            db.session.commit()

        median, _ = timed(write_one, runs=200)
        rows.append(("audit.record + commit (median of 200)", f"{median * 1000:.2f} ms"))
        size = db.session.execute(text("SELECT COUNT(*) FROM audit_event")).scalar_one()
        dialect = db.engine.dialect.name
        db.session.remove()
        db.drop_all()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"audit benchmark on {dialect}")
    print(f"python {platform.python_version()}, {platform.machine()}, {size:,} events in all")
    for what, figure in rows:
        print(f"  {what:42} {figure}")
    print(f"  {'peak RSS of this process':42} {peak:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
