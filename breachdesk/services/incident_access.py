"""Who may see which incident and attachment, and the lists of them a person has: the
reporter their own reports, an FG or administrator everything of their organisations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.roles import can_see_all_incidents
from ..models import Attachment, Incident, Membership, User
from .inbox_query import organisations_served
from .incidents import roles_in


def visible_incident(session: Session, user: User, incident_id: int) -> Incident | None:
    """The incident if ``user`` may see it: its reporter, or an FG/admin of its organisation."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        return None
    roles = roles_in(session, user, incident.organisation_id)
    if can_see_all_incidents(roles):
        return incident
    if roles and incident.reporter_id == user.id:
        return incident
    return None


def visible_attachment(
    session: Session, user: User, incident_id: int, attachment_id: int
) -> Attachment | None:
    incident = visible_incident(session, user, incident_id)
    if incident is None:
        return None
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.incident_id != incident.id:
        return None
    if not can_see_all_incidents(roles_in(session, user, incident.organisation_id)):
        # The reporter sees their own files, not what the FG added (the AP's receipt, ...).
        return attachment if attachment.uploaded_by_id == user.id else None
    return attachment


def reports_by(
    session: Session, user: User, *, organisation_id: int | None = None
) -> list[Incident]:
    """The reports ``user`` filed, newest first (only in organisations they still belong to;
    only in ``organisation_id`` when given)."""
    member_of = select(Membership.organisation_id).where(Membership.user_id == user.id)
    statement = select(Incident).where(
        Incident.reporter_id == user.id, Incident.organisation_id.in_(member_of)
    )
    if organisation_id is not None:
        statement = statement.where(Incident.organisation_id == organisation_id)
    return list(
        session.execute(
            statement.order_by(Incident.reported_at.desc(), Incident.id.desc())
        ).scalars()
    )


def incidents_for_officer(session: Session, user: User) -> list[Incident]:
    """All incidents of the organisations where ``user`` is FG or administrator, newest first."""
    return list(
        session.execute(
            select(Incident)
            .where(Incident.organisation_id.in_(organisations_served(user)))
            .order_by(Incident.reported_at.desc(), Incident.id.desc())
        ).scalars()
    )
