"""A personal calendar feed (.ics) with the deadlines of the incidents a person handles.

Calendar apps cannot sign in, so the feed URL carries a secret token. Only its SHA-256 is
stored: the token itself is shown once, when it is issued. Issuing a new token replaces the
old one (the old URL stops working); revoking removes it. Both are audited.

The feed lists, for each open incident of an organisation where the person is FG or
administrator and whose term is running (open, due soon or overdue), one event at the
deadline, in UTC, with display alarms 12 and 2 hours before. Summaries are Dutch; the
description is Dutch first, then English, like the reminder e-mails. Incidents whose
notification has been recorded, or that need none, drop out of the feed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Alarm, Calendar, Event, vDuration
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain.deadline import Duty
from ..domain.formatting import long_datetime
from ..domain.lifecycle import OPEN_STATES
from ..domain.roles import Role
from ..domain.timeutil import ensure_utc
from ..models import Incident, Membership, User
from . import audit
from .audit import Actor
from .clock import Clock
from .deadlines import IncidentClock, clock_of

#: Display alarms before each deadline.
ALARMS_BEFORE = (timedelta(hours=12), timedelta(hours=2))
#: How often subscribing calendar apps are asked to fetch the feed again.
REFRESH_INTERVAL = timedelta(hours=1)
#: token_urlsafe(32) gives 43 characters; anything much longer is not ours (and not hashed).
_MAX_TOKEN_LENGTH = 128

_DUTY_NL = {Duty.AP: "AP-melding", Duty.CONTROLLER: "informeren verwerkingsverantwoordelijke"}
_DUTY_TEXT = {
    Duty.AP: (
        "het datalek melden bij de Autoriteit Persoonsgegevens (art. 33 lid 1 AVG)",
        "notify the breach to the Autoriteit Persoonsgegevens (Art. 33(1) GDPR)",
    ),
    Duty.CONTROLLER: (
        "de verwerkingsverantwoordelijke informeren (art. 33 lid 2 AVG)",
        "inform the controller (Art. 33(2) GDPR)",
    ),
}


def token_hash(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, *, actor: Actor, clock: Clock) -> str:
    """Give ``user`` a new feed token and return it (commits); it cannot be read back later.

    A token issued earlier stops working at once.
    """
    token = secrets.token_urlsafe(32)
    replaced = user.calendar_token_hash is not None
    user.calendar_token_hash = token_hash(token)
    user.calendar_token_created_at = clock.now()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="calendar.token_issued",
        entity_type="user",
        entity_id=user.id,
        organisation_id=None,
        after={"user": user.email, "replaced_previous": replaced},
    )
    session.commit()
    return token


def revoke_token(session: Session, user: User, *, actor: Actor, clock: Clock) -> bool:
    """Remove ``user``'s feed token (commits); False, and nothing audited, if there was none."""
    if user.calendar_token_hash is None:
        return False
    before = {"user": user.email, "created_at": user.calendar_token_created_at}
    user.calendar_token_hash = None
    user.calendar_token_created_at = None
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="calendar.token_revoked",
        entity_type="user",
        entity_id=user.id,
        organisation_id=None,
        before=before,
    )
    session.commit()
    return True


def user_for_token(session: Session, token: str) -> User | None:
    """The active user whose feed token is ``token``, else None.

    The lookup is by the token's SHA-256, never by the token: comparing stored digests can
    at most reveal something about a digest, not about a valid token.
    """
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    found = session.execute(
        select(User).where(User.calendar_token_hash == token_hash(token))
    ).scalar_one_or_none()
    return found if found is not None and found.active else None


def running_deadlines(
    session: Session, user: User, now: datetime
) -> list[tuple[Incident, IncidentClock]]:
    """Open incidents of the organisations where ``user`` is FG or admin, whose term runs.

    Ordered by deadline, earliest first.
    """
    orgs = select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role.in_([Role.FG.value, Role.ADMIN.value])
    )
    query = (
        select(Incident)
        .where(
            Incident.organisation_id.in_(orgs),
            Incident.aware_at.is_not(None),
            Incident.state.in_([state.value for state in OPEN_STATES]),
        )
        .options(
            selectinload(Incident.organisation),
            selectinload(Incident.decisions),
            selectinload(Incident.notifications),
        )
    )
    rows = []
    for incident in session.execute(query).scalars():
        term = clock_of(incident, now)
        if term is not None and term.running:
            rows.append((incident, term))
    return sorted(rows, key=lambda row: (row[1].deadline, row[0].id))


def _event(incident: Incident, term: IncidentClock, now: datetime, base_url: str) -> Event:
    link = f"{base_url.rstrip('/')}/incidents/{incident.id}"
    host = urlsplit(base_url).hostname or "breachdesk"
    org = incident.organisation.name
    nl_duty, en_duty = _DUTY_TEXT[term.duty]
    if term.duty is Duty.CONTROLLER and incident.controller_name:
        nl_duty += f" – {incident.controller_name}"
        en_duty += f" – {incident.controller_name}"
    description = "\n".join(
        [
            f"{incident.reference} – {incident.title}",
            f"Organisatie / Organisation: {org}",
            "",
            f"Uiterlijk {long_datetime(term.deadline, 'nl')} (Nederlandse tijd): {nl_duty}.",
            f"Deadline {long_datetime(term.deadline, 'en')} (Amsterdam time): {en_duty}.",
            "",
            link,
        ]
    )
    event = Event()
    # Stable per incident and duty, so a moved deadline updates the event instead of adding one.
    event.add("uid", f"incident-{incident.id}-{term.duty.value}@{host}")
    event.add("dtstamp", ensure_utc(now))
    # A moment, not a block of time: DTSTART without DTEND is an event that ends when it
    # starts (RFC 5545 3.6.1; DTEND must lie after DTSTART). Calendars show it at the
    # deadline's own time, where a block ending at the deadline would show its start.
    event.add("dtstart", ensure_utc(term.deadline))
    event.add("summary", f"Deadline {_DUTY_NL[term.duty]} {incident.reference} ({org})")
    event.add("description", description)
    event.add("url", link)
    event.add("transp", "TRANSPARENT")  # a deadline does not make the FG "busy"
    event.add("class", "PRIVATE")
    for before in ALARMS_BEFORE:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -before)
        alarm.add("description", f"Deadline {_DUTY_NL[term.duty]} {incident.reference} ({org})")
        event.add_component(alarm)
    return event


def render_feed(
    rows: Iterable[tuple[Incident, IncidentClock]], now: datetime, *, base_url: str
) -> bytes:
    """The iCalendar (RFC 5545) text with one event per row: UTF-8, CRLF, folded lines.

    ``base_url`` is where the incident links point (``<base_url>/incidents/<id>``).
    """
    cal = Calendar()
    cal.add("prodid", "-//breachdesk//Deadlines//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", "breachdesk – deadlines")
    cal.add("x-wr-calname", "breachdesk – deadlines")
    cal.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH_INTERVAL))  # the same, for older clients
    for incident, term in rows:
        cal.add_component(_event(incident, term, now, base_url))
    return bytes(cal.to_ical())


def feed_for(session: Session, user: User, now: datetime, *, base_url: str) -> bytes:
    """``user``'s feed at ``now``: the deadlines of :func:`running_deadlines`, as iCalendar."""
    return render_feed(running_deadlines(session, user, now), now, base_url=base_url)
