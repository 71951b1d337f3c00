"""Demo incidents: one or two per demo organisation, each at a different point of its clock.

``breachdesk demo load`` adds them to an organisation that has no incidents yet, so a fresh
``make run`` shows what an FG's week looks like: a report not yet triaged, a clock with days
left, one due soon, one overdue, one notified in time, one decided and notified whose next step
is informing the people (passwords taken and already misused), and one where the organisation
is the processor and must inform its controller. Their times are relative to the
moment of loading.

Nothing is faked: each incident goes through the same services the web pages use, along its
own timeline (reported, triaged, reminders sent when they fell due, notification filed), so the
incident page, the reminder list, the outbox and the audit trail tell one consistent story.
All timelines are played together on one :class:`DemoClock` that only moves forward: every
step of every incident, and every mail that fell due, happens in time order, so the audit
events' timestamps never go backwards in the hash chain. Each report names only kinds of data
its organisation's profile lists (``data_category_keys``), and its text mentions no others.
Demo incidents are marked "[DEMO]" in their title.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.checklist import (
    Tri,
)
from ..domain.delivery import Status
from ..domain.prefill import prefill
from ..domain.report import Answer, CountMode, IncidentReport
from ..mail import Mailer
from ..models import AuditEvent, Delivery, Incident, Organisation, User
from ..services import clock_settings, decisions, delivery, filings, report_columns, triage
from ..services import incidents as incident_service
from ..services.audit import Actor
from ..services.clock import Clock
from ..services.delivery_kinds import handlers
from ..services.organisations import profile_of
from . import ACTOR, DEMO_DOMAIN
from .script import SCRIPT, DemoIncident

SCRIPT_SPAN = timedelta(hours=max(i.discovered_hours_ago for i in SCRIPT) + 1)


def _ago(now: datetime, hours: float) -> datetime:
    return (now - timedelta(hours=hours)).replace(second=0, microsecond=0)


@dataclass
class DemoClock:
    """The demo's clock: starts in the past and only moves forward, up to ``until``.

    Every service called by the demo loader reads this clock, so whatever they record (audit
    events above all) is stamped in the order it happened.
    """

    current: datetime
    until: datetime  # the real moment of loading: the script's "now"

    def now(self) -> datetime:
        return self.current

    def advance_to(self, moment: datetime) -> None:
        """Move to ``moment``; a moment already passed leaves the clock where it is."""
        self.current = max(self.current, moment)


def demo_clock(session: Session, now: datetime) -> DemoClock:
    """A clock for loading the demo at ``now``: from :data:`SCRIPT_SPAN` before ``now``, or
    from the last audit event if that is later (the demo never writes before existing events;
    on a database in use the incidents' facts are still backdated, their events are not)."""
    last = session.execute(select(func.max(AuditEvent.occurred_at))).scalar_one()
    start = now - SCRIPT_SPAN
    return DemoClock(max(start, last) if last is not None else start, now)


@dataclass(frozen=True)
class _Post:
    """How the demo sends e-mail: the installation's own mailer and delivery settings."""

    mailer: Mailer
    settings: delivery.DeliverySettings


def _send_due_mail(
    session: Session, clock: DemoClock, until: datetime, incident_ids: list[int], post: _Post
) -> None:
    """Let the mail of the demo's incidents go out at the moments it fell due, up to ``until``."""
    while incident_ids:
        due = session.execute(
            select(func.min(Delivery.due_at)).where(
                Delivery.incident_id.in_(incident_ids), Delivery.status == Status.PLANNED.value
            )
        ).scalar_one()
        if due is None or due > until:
            return
        clock.advance_to(due + timedelta(seconds=20))
        result = delivery.tick(
            session,
            holder="demo load",
            clock=clock,
            mailer=post.mailer,
            handlers=handlers(),
            settings=dataclasses.replace(post.settings, lease=timedelta(seconds=1)),
            heartbeat=False,  # the demo's clock walks through the past: not a sign of life
        )
        if result.skipped or result.sent == 0:
            return  # a running scheduler holds the lease: it will send them itself


def _give_contacts(session: Session, org: Organisation, clock: Clock) -> None:
    """A deputy and a director to escalate to, so the demo shows where reminders go."""
    if org.escalation_email:
        return
    settings = dataclasses.replace(
        clock_settings.ClockSettings.of(org),
        deputy_email=f"vervanger.{org.slug}@{DEMO_DOMAIN}",
        escalation_name=f"Directie {org.name}",
        escalation_email=f"directie.{org.slug}@{DEMO_DOMAIN}",
    )
    clock_settings.save_clock_settings(session, org, settings, actor=ACTOR, clock=clock)


#: One incident's timeline: yields the moment of its next step, and takes that step when
#: resumed (the runner has moved the clock there by then).
Steps = Generator[datetime, None, None]


def _play(
    session: Session,
    item: DemoIncident,
    org: Organisation,
    fg: User,
    clock: DemoClock,
    made: list[Incident],
) -> Steps:
    """Report, triage, decide and file one scripted incident along its own timeline."""
    now = clock.until
    reporter = session.execute(
        select(User).where(User.email == f"melder.{org.slug}@{DEMO_DOMAIN}")
    ).scalar_one()
    yield _ago(now, item.discovered_hours_ago - 0.5)
    report = IncidentReport(
        title=item.title,
        description=item.description,
        discovered_at=_ago(now, item.discovered_hours_ago),
        discovery_how=item.discovery_how,
        ongoing=Answer.NO,
        data_category_keys=item.data_category_keys,
        data_other=item.data_other,
        subjects_mode=CountMode.EXACT,
        subjects_exact=item.subjects,
        protection=item.protection,
        containment=item.containment,
    )
    incident = incident_service.submit_report(
        session,
        reporter=reporter,
        organisation=org,
        report=report,
        clock=clock,
    )
    made.append(incident)
    if item.aware_hours_ago is None:
        return
    aware_at = _ago(now, item.aware_hours_ago)
    yield aware_at + timedelta(minutes=10)
    answers = triage.TriageAnswers(
        personal_data=Tri.YES,
        security_breached=Tri.YES,
        breach_types=item.breach_types,
        reason="",
        aware_at=aware_at,
        aware_reason="Demo: het moment waarop de FG de melding bevestigde.",
        our_role="processor" if item.controller_name else "controller",
        controller_name=item.controller_name,
    )
    triage.record_triage(session, incident, answers, actor=Actor.of(fg), clock=clock)
    if item.checklist:
        yield from _decide(session, incident, item, fg, clock)
    if item.notified_hours_ago is not None:
        filed = _ago(now, item.notified_hours_ago)
        yield filed + timedelta(minutes=5)
        filings.record_notification(
            session,
            incident,
            submitted_at=filed,
            reference=item.meldnummer,
            provisional=True,
            delay_reason="",
            notes="Demo: voorlopige melding; aanvulling volgt na het onderzoek.",
            recorded_by=fg,
            actor=Actor.of(fg),
            clock=clock,
        )


def _decide(
    session: Session, incident: Incident, item: DemoIncident, fg: User, clock: DemoClock
) -> Steps:
    """Confirm the checklist (pre-filled, with the script's answers) and follow the advice."""
    yield clock.now() + timedelta(hours=1)
    facts = dataclasses.replace(
        prefill(
            report_columns.report_of(incident),
            profile_of(incident.organisation),
            item.breach_types,
        ),
        **dict(item.checklist),
    )
    actor = Actor.of(fg)
    decisions.save_checklist(session, incident, facts, confirm=True, actor=actor, clock=clock)
    yield clock.now() + timedelta(minutes=30)
    decisions.record_decision(
        session, incident, outcome=None, rationale="", actor=actor, clock=clock
    )


def _run(
    session: Session,
    timelines: list[Steps],
    clock: DemoClock,
    post: _Post,
    made: list[Incident],
) -> None:
    """Play all timelines together, always the earliest next step first, and send the mail
    of the incidents ``made`` so far at the moments it falls due; the clock never moves back."""
    queue: list[tuple[datetime, int, Steps]] = []

    def take_step(position: int, steps: Steps) -> None:
        moment = next(steps, None)  # runs the step up to the moment of the next one
        if moment is not None:
            heapq.heappush(queue, (moment, position, steps))

    for position, steps in enumerate(timelines):
        take_step(position, steps)
    while queue:
        moment, position, steps = heapq.heappop(queue)
        _send_due_mail(session, clock, moment, [i.id for i in made], post)
        clock.advance_to(moment)
        take_step(position, steps)
    _send_due_mail(session, clock, clock.until, [i.id for i in made], post)


def load_incidents(
    session: Session, *, clock: Clock, mailer: Mailer, settings: delivery.DeliverySettings
) -> list[Incident]:
    """Add the scripted incidents to each demo organisation that has no incidents yet.

    ``clock`` is best the :class:`DemoClock` the organisations and accounts were loaded with
    (see :func:`demo_clock`); any other clock's time is taken as the moment of loading.
    Returns the incidents in the order of the script.
    """
    if not isinstance(clock, DemoClock):
        clock = demo_clock(session, clock.now())
    fg = session.execute(select(User).where(User.email == f"fg@{DEMO_DOMAIN}")).scalar_one_or_none()
    if fg is None:
        return []
    orgs = session.execute(
        select(Organisation).where(Organisation.slug.in_([i.slug for i in SCRIPT]))
    ).scalars()
    by_slug = {o.slug: o for o in orgs}
    started = {
        slug
        for slug, org in by_slug.items()
        if session.execute(
            select(Incident.id).where(Incident.organisation_id == org.id).limit(1)
        ).first()
    }
    made: list[Incident] = []
    timelines: list[Steps] = []
    for item in SCRIPT:
        org = by_slug.get(item.slug)
        if org is None or item.slug in started:
            continue
        _give_contacts(session, org, clock)
        timelines.append(_play(session, item, org, fg, clock, made))
    _run(session, timelines, clock, _Post(mailer, settings), made)
    order = {item.title: position for position, item in enumerate(SCRIPT)}
    return sorted(made, key=lambda incident: order[incident.title])
