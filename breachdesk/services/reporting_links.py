"""The secret links for reporting without an account, and the reporter's follow-up link.

Both are tokens of the form ``<id>-<signature>``: the signature is an HMAC of the row's id and a
random nonce under a key derived from the installation's secret key. Nothing secret is stored:
a copy of the database does not reveal the links, the administrator can still show the
reporting link again (and print its QR code), and a new nonce revokes every copy of the old
link at once. Comparing signatures is constant-time.

* A **reporting link** belongs to an organisation and an audience (staff, or processors); at
  most one is active per audience. Rotating makes a new one and revokes the old.
* A **follow-up link** belongs to one incident reported without an account: it opens that
  report only (never another), shows the FG's questions and lets the reporter answer and add
  files.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Incident, Organisation, ReportingLink
from . import audit
from .audit import Actor
from .clock import Clock

SIGNATURE_CHARS = 32  # 192 bits of the HMAC-SHA256, base64url


class Audience(StrEnum):
    STAFF = "staff"  # anyone working for the organisation, volunteers included
    PROCESSOR = "processor"  # a supplier processing data for the organisation


def _signature(secret_key: str, purpose: str, row_id: int, nonce: str) -> str:
    key = hashlib.sha256(b"breachdesk-links\0" + secret_key.encode()).digest()
    mac = hmac.new(key, f"{purpose}:{row_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")[:SIGNATURE_CHARS]


def _split(token: str) -> tuple[int, str] | None:
    head, _, signature = token.partition("-")
    if not head.isdigit() or len(head) > 12 or len(signature) != SIGNATURE_CHARS:
        return None
    return int(head), signature


def link_token(secret_key: str, link: ReportingLink) -> str:
    return f"{link.id}-{_signature(secret_key, 'report', link.id, link.nonce)}"


def followup_token(secret_key: str, incident: Incident) -> str | None:
    """The incident's follow-up token; None when it has no follow-up link."""
    if not incident.followup_nonce:
        return None
    signature = _signature(secret_key, "followup", incident.id, incident.followup_nonce)
    return f"{incident.id}-{signature}"


def resolve_link(session: Session, secret_key: str, token: str) -> ReportingLink | None:
    """The active reporting link ``token`` names, or None (unknown, forged or revoked)."""
    parts = _split(token)
    if parts is None:
        return None
    link = session.get(ReportingLink, parts[0])
    if link is None or link.revoked_at is not None:
        return None
    expected = _signature(secret_key, "report", link.id, link.nonce)
    return link if hmac.compare_digest(expected, parts[1]) else None


def resolve_followup(session: Session, secret_key: str, token: str) -> Incident | None:
    """The incident whose follow-up token is ``token``, or None."""
    parts = _split(token)
    if parts is None:
        return None
    incident = session.get(Incident, parts[0])
    if incident is None or not incident.followup_nonce:
        return None
    expected = _signature(secret_key, "followup", incident.id, incident.followup_nonce)
    return incident if hmac.compare_digest(expected, parts[1]) else None


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


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
