"""The register benchmark's data: ten organisations (each demo profile twice) with one FG
who serves them all, and incidents spread over them, inserted in bulk: a few open in every
phase, the rest closed over ten years."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from breachdesk.domain.assessment import OUTCOME_DUTIES, Outcome, assess
from breachdesk.domain.assessment_json import facts_from_dict, recommendation_to_dict
from breachdesk.domain.checklist import Facts
from breachdesk.domain.deadline import NOTIFICATION_TERM, due_at
from breachdesk.domain.lifecycle import State
from breachdesk.domain.references import format_reference
from breachdesk.domain.register import data_kinds
from breachdesk.domain.roles import Role
from breachdesk.models import Decision, Incident, Notification, Organisation, ReferenceCounter, User
from breachdesk.runtime import runtime
from breachdesk.services import users as user_service
from breachdesk.services.audit import Actor
from common.setup import demo_organisations

BARE = """<!doctype html><title>bare</title><table>{% for i in rows %}<tr><td>{{ i.reference }}</td>
<td>{{ i.title }}</td><td>{{ i.state }}</td><td>{{ i.term_deadline or '' }}</td></tr>{% endfor %}
</table>"""

FG_EMAIL = "fg@register.example"
PASSWORD = "benchmark-wachtwoord-1"  # noqa: S105 - a throwaway installation
ACTOR = Actor.system("benchmark")


def organisations(session: Session) -> list[tuple[int, str]]:
    """Ten organisations (each demo profile twice) and one FG who serves them all."""
    orgs = demo_organisations(session, actor=ACTOR, clock=runtime().clock, copies=2)
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
