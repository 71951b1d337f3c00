"""The weekly e-mail of the audit trail's checkpoint to each organisation's FG.

A signed checkpoint in a file on the server can be removed by whoever controls the server; a
copy in the FG's own mailbox cannot. So once a week every organisation's FG receives its
trail's part of the latest checkpoint (its length, last hash and the checkpoint's digest and
signing key), to keep. Each mail is a delivery row (kind ``audit_checkpoint``) planned by the
scheduler's tick and sent by the one delivery engine.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.audit.checkpoint_text import checkpoint_text
from ..domain.audit.checkpoints import Checkpoint, parse_line, to_line
from ..domain.delivery import Kind
from ..models import Delivery, Organisation
from .audit import chain_name
from .delivery import Outgoing, SendContext, Skip, enqueue
from .reminders import staff_addresses

EVERY = timedelta(days=7)


def plan_weekly(session: Session, checkpoint: Checkpoint | None, now: datetime) -> int:
    """Plan a checkpoint mail for each organisation that had none in the last week and whose
    trail the checkpoint records (no commit); returns how many were planned."""
    if checkpoint is None:
        return 0
    recent = set(
        session.execute(
            select(Delivery.organisation_id).where(
                Delivery.kind == Kind.AUDIT_CHECKPOINT.value, Delivery.created_at > now - EVERY
            )
        ).scalars()
    )
    planned = 0
    for organisation_id in session.execute(select(Organisation.id)).scalars():
        if organisation_id in recent or checkpoint.head(chain_name(organisation_id)) is None:
            continue
        enqueue(
            session,
            kind=Kind.AUDIT_CHECKPOINT,
            due_at=now,
            now=now,
            organisation_id=organisation_id,
            label="weekly",
            payload={"checkpoint": to_line(checkpoint)},
        )
        planned += 1
    return planned


def prepare(session: Session, row: Delivery, context: SendContext) -> Outgoing | Skip:
    """The delivery handler: the organisation's part of the checkpoint, to its FG(s)."""
    organisation = session.get(Organisation, row.organisation_id)
    if organisation is None:
        return Skip("no_organisation")
    recipients = staff_addresses(session, organisation.id)
    if not recipients:
        return Skip("no_recipient")  # nobody to keep the copy; the file keeps the checkpoint
    checkpoint = parse_line(str(row.payload["checkpoint"]))
    text = checkpoint_text(checkpoint, chain_name(organisation.id), organisation.name)
    return Outgoing(
        recipients=recipients,
        subject="Controlepunt auditlogboek / Audit trail checkpoint: " + organisation.name,
        text=text + "\n--\nbreachdesk\n",
    )
