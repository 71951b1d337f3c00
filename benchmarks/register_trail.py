"""Benchmark: what comparing each register with its audit trail adds to `audit verify`.

Run it as ``.venv/bin/python benchmarks/register_trail.py [--incidents N]
[--database-url URL] [--out FILE]``. It builds a throwaway installation (a fresh SQLite file
unless ``--database-url`` names an *empty* database) with the register benchmark's data: ten
organisations and N incidents (default 20,000), most closed and decided over ten years, some
notified to the AP (benchmarks/common/register_data.py). Each incident then gets the events
the application writes for it (reported, triaged, awareness, status, decided, filed: about
six per incident), sealed with the installation's key, in bulk.

Measured in the same run, median of three:

* ``verify_trail`` over every chain, the registers compared (what `audit verify` does);
* the same with ``register=False``: the chains alone, the baseline;
* that one changed moment of awareness is found, and nothing else (a check, not a timing).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from common.app import benchmark_app
from common.register_data import add_incidents, organisations
from common.report import Table, peak_rss_mib, progress, publish, timed
from common.setup import scratch
from sqlalchemy import insert, select, text

from breachdesk.domain.audit import EventRecord, seal
from breachdesk.domain.audit.canonical import snapshot
from breachdesk.extensions import db
from breachdesk.models import AuditChainHead, AuditEvent, Incident
from breachdesk.services.audit_keys import files_for, load_keyring
from breachdesk.services.audit_verify import verify_trail
from breachdesk.services.register_trail import stored_incidents

BATCH = 5000


def events_of(stored: Any) -> list[tuple[str, dict[str, Any]]]:
    """The events the application writes for an incident that ended as ``stored`` holds it."""
    f = stored.facts
    found = [
        (
            "incident.reported",
            {
                "reference": f["reference"],
                "state": "reported",
                "title": f["title"],
                "discovered_at": f["discovered_at"],
                "subjects_exact": f["subjects_exact"],
                "subjects_min": f["subjects_min"],
                "subjects_max": f["subjects_max"],
            },
        )
    ]
    if f["aware_at"] is not None:
        triage = ("personal_data", "security_breached", "breach_types", "our_role")
        found.append(
            ("incident.triaged", {k: f[k] for k in (*triage, "controller_name")} | {"reason": ""})
        )
        found.append(("incident.awareness_recorded", {"aware_at": f["aware_at"], "reason": ""}))
    for decision in stored.decisions:
        found.append(("incident.decided", dict(decision) | {"follows_recommendation": True}))
    for filing in stored.filings:
        found.append(("incident.notification_recorded", dict(filing)))
    if f["state"] != "reported":
        found.append(("incident.state_changed", {"state": f["state"], "reason": ""}))
    return found


def add_events(org_ids: Sequence[int]) -> int:
    """Every incident's events, appended to its organisation's chain and sealed; how many."""
    key = load_keyring(files_for(db.session), create=True).writer()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    total = 0
    for org_id in org_ids:
        head = db.session.execute(
            select(AuditChainHead).where(AuditChainHead.chain == f"org:{org_id}")
        ).scalar_one()
        seq, prev, batch = head.last_seq, head.last_hash, []
        for stored in list(stored_incidents(db.session, org_id)):
            for action, after in events_of(stored):
                seq += 1
                record = seal(
                    EventRecord(
                        chain=head.chain,
                        seq=seq,
                        organisation_id=org_id,
                        occurred_at=t0 + timedelta(seconds=seq),
                        actor_id=None,
                        actor_label="benchmark",
                        action=action,
                        entity_type="incident",
                        entity_id=str(stored.id),
                        before=None,
                        after=snapshot(after),
                        prev_hash=prev,
                    ),
                    key,
                )
                batch.append(vars(record))
                prev = record.hash
                if len(batch) == BATCH:
                    db.session.execute(insert(AuditEvent), batch)
                    total, batch = total + len(batch), []
        if batch:
            db.session.execute(insert(AuditEvent), batch)
            total += len(batch)
        head.last_seq, head.last_hash = seq, prev
        db.session.commit()
    return total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    with scratch("breachdesk-register-trail-", args.database_url) as (folder, url):
        app = benchmark_app(folder, url)
        table = Table(f"audit verify over {args.incidents:,} incidents in ten registers")
        with app.app_context():
            db.create_all()
            orgs = organisations(db.session)
            progress(f"adding {args.incidents} incidents")
            now = datetime.now(UTC)
            add_incidents(db.session, orgs, args.incidents, random.Random(7), now, 200)
            progress("adding their events")
            events = add_events([org_id for org_id, _prefix in orgs])
            total = db.session.execute(text("SELECT COUNT(*) FROM audit_event")).scalar_one()
            db.session.rollback()
            table.add("incident events written", f"{events:,}", f"{total:,} events in all")

            report = verify_trail(db.session)
            db.session.rollback()
            assert report.intact, [m.reason for c in report.chains for m in c.register][:5]
            figures: dict[bool, list[float]] = defaultdict(list)
            for _round in range(3):  # interleaved, so that both see the same machine
                for register in (True, False):
                    (took,) = timed(lambda r=register: verify_trail(db.session, register=r), 1)
                    db.session.rollback()
                    figures[register].append(took)
            with_register, alone = (statistics.median(figures[r]) for r in (True, False))
            spread = {r: ", ".join(f"{t:.2f}" for t in figures[r]) for r in (True, False)}
            table.add("verify, registers compared", f"{with_register:.2f} s", spread[True])
            table.add("verify, chains alone (baseline)", f"{alone:.2f} s", spread[False])
            table.add(
                "the comparison adds",
                f"{(with_register - alone) / alone * 100:.0f} %",
                f"{(with_register - alone) / args.incidents * 1e6:.0f} µs per incident",
            )

            one = db.session.execute(
                select(Incident.id).where(Incident.aware_at.is_not(None)).limit(1)
            ).scalar_one()
            moved = db.session.get(Incident, one)
            assert moved is not None and moved.aware_at is not None
            moved.aware_at = moved.aware_at + timedelta(hours=1)  # behind the trail's back
            db.session.commit()
            found = [m for c in verify_trail(db.session).chains for m in c.register]
            db.session.rollback()
            assert [(m.incident_id, m.fact) for m in found] == [(one, "aware_at")], found
            table.add("one moment of awareness moved in the table", "found", "and nothing else")
            table.add("peak RSS of this process", f"{peak_rss_mib():.0f} MB")
            db.session.remove()
        publish(table, "register_trail.py", url, "the register compared with its trail", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
