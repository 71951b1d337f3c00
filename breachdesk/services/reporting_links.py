"""The secret links for reporting without an account, and the reporter's follow-up link.

Both are signed tokens (``services/signed_tokens.py``): nothing secret is stored, the
administrator can still show the reporting link again (and print its QR code), and a new nonce
revokes every copy of the old link at once.

* A **reporting link** belongs to an organisation and an audience (staff, or processors); at
  most one is active per audience. Rotating makes a new one and revokes the old.
* A **follow-up link** belongs to one incident reported without an account: it opens that
  report only (never another), shows the FG's questions and lets the reporter answer and add
  files.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ..models import Incident, Organisation, ReportingLink
from . import audit, signed_tokens
from .audit import Actor
from .clock import Clock


class Audience(StrEnum):
    STAFF = "staff"  # anyone working for the organisation, volunteers included
    PROCESSOR = "processor"  # a supplier processing data for the organisation


def link_token(secret_key: str, link: ReportingLink) -> str:
    return signed_tokens.token(secret_key, "report", link.id, link.nonce)


def followup_token(secret_key: str, incident: Incident) -> str | None:
    """The incident's follow-up token; None when it has no follow-up link."""
    if not incident.followup_nonce:
        return None
    return signed_tokens.token(secret_key, "followup", incident.id, incident.followup_nonce)


def resolve_link(session: Session, secret_key: str, token: str) -> ReportingLink | None:
    """The active reporting link ``token`` names, or None (unknown, forged or revoked)."""
    parts = signed_tokens.split(token)
    if parts is None:
        return None
    # with its organisation (the form needs its profile): one query
    link = session.get(ReportingLink, parts[0], options=[joinedload(ReportingLink.organisation)])
    if link is None or link.revoked_at is not None:
        return None
    return (
        link if signed_tokens.matches(secret_key, "report", link.id, link.nonce, parts[1]) else None
    )


def resolve_followup(session: Session, secret_key: str, token: str) -> Incident | None:
    """The incident whose follow-up token is ``token``, or None."""
    parts = signed_tokens.split(token)
    if parts is None:
        return None
    incident = session.get(Incident, parts[0])
    if incident is None or not incident.followup_nonce:
        return None
    ok = signed_tokens.matches(
        secret_key, "followup", incident.id, incident.followup_nonce, parts[1]
    )
    return incident if ok else None


new_nonce = signed_tokens.new_nonce


def active_links(session: Session, organisation: Organisation) -> dict[Audience, ReportingLink]:
    rows = session.execute(
        select(ReportingLink).where(
            ReportingLink.organisation_id == organisation.id, ReportingLink.revoked_at.is_(None)
        )
    ).scalars()
    return {Audience(row.audience): row for row in rows}


def _revoke(session: Session, organisation: Organisation, audience: Audience, now: datetime) -> int:
    count = 0
    for row in session.execute(
        select(ReportingLink).where(
            ReportingLink.organisation_id == organisation.id,
            ReportingLink.audience == audience.value,
            ReportingLink.revoked_at.is_(None),
        )
    ).scalars():
        row.revoked_at = now
        count += 1
    return count


def make_link(
    session: Session, organisation: Organisation, audience: Audience, *, actor: Actor, clock: Clock
) -> ReportingLink:
    """A new reporting link for ``audience``; an active one is revoked (rotation). Commits."""
    now = clock.now()
    revoked = _revoke(session, organisation, audience, now)
    link = ReportingLink(
        organisation_id=organisation.id,
        audience=audience.value,
        nonce=new_nonce(),
        created_at=now,
        created_by_id=actor.id,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="reporting_link.rotated" if revoked else "reporting_link.created",
        entity_type="organisation",
        entity_id=organisation.id,
        organisation_id=organisation.id,
        after={"audience": audience.value, "link_id": link.id, "revoked": revoked},
    )
    session.commit()
    return link


def revoke_link(
    session: Session, organisation: Organisation, audience: Audience, *, actor: Actor, clock: Clock
) -> bool:
    """Revoke the active link of ``audience`` (commits); False when there was none."""
    revoked = _revoke(session, organisation, audience, clock.now())
    if not revoked:
        return False
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="reporting_link.revoked",
        entity_type="organisation",
        entity_id=organisation.id,
        organisation_id=organisation.id,
        after={"audience": audience.value},
    )
    session.commit()
    return True


def over_daily_cap(session: Session, link: ReportingLink, *, cap: int, now: datetime) -> bool:
    """Whether ``link`` has taken ``cap`` reports in the last 24 hours (counted in SQL, so the
    cap holds across workers): then it refuses more instead of filling the FG's inbox.

    Counts at most ``cap`` rows, from an index on the link and the moment of reporting: the
    check costs the same however many reports the installation holds."""
    recent = (
        select(Incident.id)
        .where(
            Incident.reporting_link_id == link.id, Incident.reported_at >= now - timedelta(days=1)
        )
        .limit(cap)
        .subquery()
    )
    count = session.execute(select(func.count()).select_from(recent)).scalar_one()
    return int(count) >= cap
