"""The reminder benchmark's data: the demo organisations with an FG and a reporter each, and
incidents whose reminders are planned (a few by replan() itself, the rest in bulk, checked
against replan()), and the way to make a number of them due at once."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from breachdesk.domain.deadline import NOTIFICATION_TERM, due_at
from breachdesk.domain.delivery import Status
from breachdesk.domain.lifecycle import State
from breachdesk.domain.references import format_reference
from breachdesk.domain.reminders import plan_ap
from breachdesk.domain.roles import Role
from breachdesk.models import Delivery, Incident, Organisation, ReferenceCounter
from breachdesk.runtime import runtime
from breachdesk.services import reminders
from breachdesk.services import users as user_service
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock, SystemClock
from common.report import progress
from common.setup import demo_organisations

VERIFY_SAMPLE = 200  # bulk-planned incidents checked against replan()
REPLANNED = 200  # incidents planned by replan() itself; the rest in bulk
PASSWORD = "benchmark password"  # noqa: S105 - throwaway accounts in a throwaway database
ACTOR = Actor.system("benchmark")


@dataclass
class Dataset:
    base: datetime  # the moment the data were planned for
    incidents: list[int]
    reporters: dict[int, int]  # organisation id -> reporter user id
    replan_seconds: float  # replan() per incident, planning fresh rows
    bulk_seconds: float  # bulk insert of all incidents and rows
    verify_seconds: float  # replan() per incident when nothing changes


def build_dataset(session: Session, count: int, seed: int) -> Dataset:
    rng = random.Random(seed)
    clock = SystemClock()
    rt = runtime()
    orgs: list[Organisation] = []
    reporters: dict[int, int] = {}
    for org in demo_organisations(session, actor=ACTOR, clock=clock):
        org.deputy_email = f"plaatsvervanger@{org.slug}.example"
        org.escalation_email = f"directie@{org.slug}.example"
        session.commit()
        for role, local in ((Role.FG, "fg"), (Role.REPORTER, "melder")):
            user = user_service.create_user(
                session,
                email=f"{local}@{org.slug}.example",
                name=f"{local.title()} {org.name}",
                password=PASSWORD,
                roles=[(org, role)],
                actor=ACTOR,
                clock=clock,
                hasher=rt.hasher,
            )
            if role is Role.REPORTER:
                reporters[org.id] = user.id
        orgs.append(org)

    base = clock.now()
    year = base.year
    seqs = {org.id: 0 for org in orgs}
    rows: list[dict[str, Any]] = []
    for index in range(count):
        org = orgs[index % len(orgs)]
        seqs[org.id] += 1
        aware = base - timedelta(hours=rng.uniform(25, 47))
        reported = aware - timedelta(minutes=rng.uniform(5, 180))
        categories = org.profile.get("data_categories") or []
        known = rng.random() < 0.5
        rows.append(
            {
                "organisation_id": org.id,
                "reference": format_reference(org.reference_prefix, year, seqs[org.id]),
                "year": year,
                "seq": seqs[org.id],
                "state": rng.choice([State.BREACH_CONFIRMED.value, State.ASSESSED.value]),
                "reporter_id": reporters[org.id],
                "reported_at": reported,
                "updated_at": aware,
                "title": f"Benchmark-incident {index + 1}: e-mail aan verkeerde ontvanger",
                "description": "Een e-mail met persoonsgegevens is naar de verkeerde "
                "ontvanger gestuurd. " * 3,
                "started_at": None,
                "ended_at": None,
                "discovered_at": reported,
                "discovery_how": "Melding van de ontvanger",
                "ongoing": "no",
                "processors": [],
                "systems_other": "",
                "data_categories": categories[:1] if known else [],
                "data_other": "",
                "subjects_mode": "exact" if known else "unknown",
                "subjects_exact": rng.randint(1, 500) if known else None,
                "subjects_min": None,
                "subjects_max": None,
                "records_count": None,
                "subject_groups": [],
                "subject_groups_other": "",
                "children_involved": "no",
                "protection": "none",
                "protection_details": "",
                "containment": ["recall_email"] if known else [],
                "containment_details": "",
                "reported_by_processor": False,
                "reporting_processor": None,
                "processor_aware_at": None,
                "processor_notified_at": None,
                "personal_data": "yes",
                "security_breached": "yes",
                "breach_types": ["confidentiality"],
                "not_breach_reason": "",
                "triaged_at": aware,
                "aware_at": aware,
                "term_deadline": due_at(aware, NOTIFICATION_TERM),  # as replan() stores it
                "facts": None,
                "checklist_confirmed_at": None,
                "closed_at": None,
                "our_role": "controller",
                "controller_name": "",
            }
        )
    for org in orgs:
        session.add(ReferenceCounter(organisation_id=org.id, year=year, last_seq=seqs[org.id]))

    progress(f"inserting {count} incidents")
    start = time.perf_counter()
    ids: list[int] = []
    for chunk in range(0, len(rows), 2000):
        ids.extend(
            session.scalars(
                insert(Incident).returning(Incident.id, sort_by_parameter_order=True),
                rows[chunk : chunk + 2000],
            )
        )
    session.commit()
    insert_seconds = time.perf_counter() - start

    # The first incidents are planned by the service itself: its cost decides bulk or not.
    progress(f"planning {REPLANNED} incidents with replan()")
    fixed = FixedClock(base)
    first = session.scalars(select(Incident).where(Incident.id.in_(ids[:REPLANNED]))).all()
    start = time.perf_counter()
    for incident in first:
        reminders.replan(session, incident, clock=fixed)
    session.commit()
    replan_seconds = (time.perf_counter() - start) / max(1, len(first))

    progress(f"inserting the reminders of {count - REPLANNED} incidents in bulk")
    offsets = {org.id: list(org.reminder_offsets) for org in orgs}
    start = time.perf_counter()
    planned: list[dict[str, Any]] = []
    for incident_id, row in zip(ids[REPLANNED:], rows[REPLANNED:], strict=True):
        aware = row["aware_at"]
        for p in plan_ap(
            aware, due_at(aware, NOTIFICATION_TERM), base, offsets[row["organisation_id"]]
        ):
            planned.append(
                {
                    "organisation_id": row["organisation_id"],
                    "incident_id": incident_id,
                    "duty": p.duty.value,
                    "kind": p.kind.value,
                    "label": p.label,
                    "planned_due_at": p.due_at,
                    "due_at": p.due_at,
                    "status": Status.PLANNED.value,
                    "attempts": 0,
                    "channel": "email",
                    "priority": 0,
                    "payload": {},
                    "claim_token": None,
                    "claimed_by": None,
                    "claimed_at": None,
                    "message_id": "",
                    "server_reply": "",
                    "content_sha256": "",
                    "sent_at": None,
                    "late": False,
                    "recipients": [],
                    "last_error": "",
                    "cancel_reason": "",
                    "created_at": base,
                }
            )
    for chunk in range(0, len(planned), 5000):
        session.execute(insert(Delivery), planned[chunk : chunk + 5000])
    session.commit()
    bulk_seconds = insert_seconds + time.perf_counter() - start

    # The bulk rows must be exactly what replan() would make: replan finds nothing to change.
    progress(f"checking {VERIFY_SAMPLE} bulk-planned incidents against replan()")
    sample = rng.sample(ids[REPLANNED:], min(VERIFY_SAMPLE, len(ids) - REPLANNED))
    incidents = session.scalars(select(Incident).where(Incident.id.in_(sample))).all()
    start = time.perf_counter()
    for incident in incidents:
        reminders.replan(session, incident, clock=fixed)
    verify_seconds = (time.perf_counter() - start) / max(1, len(incidents))
    changed = len(session.new) + len(session.dirty)
    session.rollback()
    assert changed == 0, f"bulk rows differ from what replan() plans ({changed} changes)"
    return Dataset(base, ids, reporters, replan_seconds, bulk_seconds, verify_seconds)


def make_due(session: Session, incident_ids: Sequence[int], due: datetime) -> None:
    """Shift the incidents so that their earliest planned reminder falls due at ``due``.

    Awareness and every planned row move by the same amount, so the rows stay exactly what
    replan() would plan (the next reminder of each incident is then the one at ``due``).
    """
    earliest = dict(
        session.execute(
            select(Delivery.incident_id, func.min(Delivery.due_at))
            .where(Delivery.incident_id.in_(incident_ids), Delivery.status == Status.PLANNED.value)
            .group_by(Delivery.incident_id)
        ).all()
    )
    incidents = session.execute(
        select(
            Incident.id,
            Incident.aware_at,
            Incident.reported_at,
            Incident.discovered_at,
            Incident.triaged_at,
        ).where(Incident.id.in_(incident_ids))
    ).all()
    shifts: dict[int, timedelta] = {}
    changes: list[dict[str, Any]] = []
    for incident_id, aware, reported, discovered, triaged in incidents:
        first_due = earliest[incident_id]
        if first_due.tzinfo is None:  # SQLite through a raw func.min() loses the type
            first_due = datetime.fromisoformat(str(first_due)).replace(tzinfo=UTC)
        shift = due - first_due
        shifts[incident_id] = shift
        assert aware is not None and triaged is not None
        changes.append(
            {
                "id": incident_id,
                "aware_at": aware + shift,
                "term_deadline": due_at(aware + shift, NOTIFICATION_TERM),
                "reported_at": reported + shift,
                "discovered_at": discovered + shift,
                "triaged_at": triaged + shift,
                "updated_at": aware + shift,
            }
        )
    session.execute(update(Incident), changes)
    rows = session.execute(
        select(Delivery.id, Delivery.incident_id, Delivery.due_at).where(
            Delivery.incident_id.in_(incident_ids), Delivery.status == Status.PLANNED.value
        )
    ).all()
    session.execute(
        update(Delivery),
        [
            {"id": rid, "due_at": old + shifts[iid], "planned_due_at": old + shifts[iid]}
            for rid, iid, old in rows
        ],
    )
    session.commit()
