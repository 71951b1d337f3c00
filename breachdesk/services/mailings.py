"""Sending the approved notice to every person on the list, through the one delivery engine.

:func:`start` makes a :class:`~breachdesk.models.Mailing` and one delivery row per person with
an e-mail address (kind ``people_notice``, bulk priority: a deadline reminder always goes
first). The rows are written in chunks, each its own short transaction, and their due times
are spread at the organisation's rate (``notice_rate_per_minute``; mail providers cap it), so
the scheduler — never the web request — sends them at that pace and the page can say when it
will be done. People without an e-mail address get a letter (see :mod:`.letters`).

Pausing, resuming, cancelling and trying again for the failed rows are in
:mod:`.mailing_control`. :func:`progress` counts the rows by status in one query. The
delivery guarantee (after a crash 0 missed, at most one duplicate per crash) is the engine's:
see
:mod:`breachdesk.services.delivery`; the handler that writes each person's message is in
:mod:`.mailing_delivery`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.orm import Session

from ..domain.delivery import PRIORITY, Kind, Status
from ..domain.text import N_
from ..domain.webhooks import EventType
from ..models import Delivery, Incident, Mailing, PeopleNotice, Recipient, RecipientImport, User
from . import audit, unreached, webhook_events
from .audit import Actor
from .clock import Clock
from .people_notices import verified

CHUNK = 2000
KIND = Kind.PEOPLE_NOTICE
ACTIVE = ("preparing", "running", "paused")


class MailingError(ValueError):
    """A mailing that cannot start or change as asked; nothing was changed."""

    def __init__(self, message: str, params: dict[str, object] | None = None) -> None:
        super().__init__(message % (params or {}))
        self.message = message
        self.params = params or {}


@dataclass(frozen=True)
class Progress:
    """A mailing's rows counted by status, and when the last planned one is due."""

    total: int
    sent: int
    failed: int
    planned: int
    sending: int
    held: int
    cancelled: int
    finish_at: datetime | None  # when the last planned row is due (None: nothing planned)
    #: Unsent rows whose earlier attempt failed, and the latest such failure: the mail server
    #: was unreachable or refused for now, and the engine tries again.
    retrying: int = 0
    last_error: str = ""

    @property
    def open(self) -> int:
        return self.planned + self.sending + self.held

    @property
    def percent(self) -> int:
        done = self.sent + self.failed + self.cancelled
        return 100 if self.total == 0 else int(done * 100 / self.total)


def mailings_of(session: Session, incident: Incident) -> list[Mailing]:
    return list(
        session.execute(
            select(Mailing).where(Mailing.incident_id == incident.id).order_by(Mailing.id)
        ).scalars()
    )


def current(session: Session, incident: Incident) -> Mailing | None:
    """The mailing still in progress (preparing, running or paused), if any."""
    for mailing in reversed(mailings_of(session, incident)):
        if mailing.status == "running":
            progress(session, mailing)  # marks it done when nothing is left to send
        if mailing.status in ACTIVE:
            return mailing
    return None


def send_interval(rate_per_minute: int) -> timedelta:
    return timedelta(0) if rate_per_minute <= 0 else timedelta(seconds=60 / rate_per_minute)


def start(
    session: Session,
    incident: Incident,
    notice: PeopleNotice,
    recipients: RecipientImport,
    *,
    user: User,
    actor: Actor,
    clock: Clock,
    chunk: int = CHUNK,
    only_unreached: bool = False,
) -> Mailing:
    """Start sending ``notice`` (approved) to the people of ``recipients`` (the active list);
    with ``only_unreached``, to those of them this version has not reached yet (see
    :mod:`.unreached`: they are kept as a list of their own, the one the mailing goes to).

    Raises:
        MailingError: the notice is not approved (or changed since), the list is not the
            incident's active one or holds nobody (or nobody not reached yet), or another
            mailing is still in progress.
    """
    if not verified(notice) or notice.incident_id != incident.id:
        raise MailingError(N_("Approve the notice first; only an approved version is sent."))
    if recipients.incident_id != incident.id or recipients.status != "active":
        raise MailingError(N_("Import the list of people first."))
    if current(session, incident) is not None:
        raise MailingError(N_("A mailing is still in progress: let it finish, or cancel it."))
    whole_list, skipped = recipients, 0
    if only_unreached and unreached.sent_before(session, notice):
        recipients = unreached.subset(session, whole_list, notice, clock=clock)
        skipped = whole_list.valid_rows - recipients.valid_rows
        if recipients.valid_rows == 0:
            session.rollback()
            raise MailingError(
                N_("Everyone on the list has had version %(v)d already."), {"v": notice.version}
            )
    counts = dict(
        session.execute(
            select(Recipient.channel, func.count())
            .where(Recipient.import_id == recipients.id)
            .group_by(Recipient.channel)
        ).all()
    )
    if not sum(counts.values()):
        raise MailingError(N_("The list holds nobody."))
    now = clock.now()
    mailing = Mailing(
        incident_id=incident.id,
        organisation_id=incident.organisation_id,
        notice_id=notice.id,
        import_id=recipients.id,
        status="preparing",
        rate_per_minute=incident.organisation.notice_rate_per_minute,
        total=int(counts.get("email", 0)),
        letters=int(counts.get("letter", 0)),
        started_at=now,
        started_by_id=user.id,
        changed_at=now,
    )
    session.add(mailing)
    session.flush()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.mailing_started",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={
            "mailing": mailing.id,
            "notice_version": notice.version,
            "notice_sha256": notice.sha256,
            "emails": mailing.total,
            "letters": mailing.letters,
            "rate_per_minute": mailing.rate_per_minute,
            **(
                {"only_unreached": True, "list": whole_list.id, "skipped_reached": skipped}
                if only_unreached
                else {}
            ),
        },
    )
    webhook_events.emit(
        session,
        incident,
        EventType.PEOPLE_INFORMED,
        occurred_at=now,
        now=now,
        key=("mailing", mailing.id),
        data={"channel": "email", "people": mailing.total, "letters_to_post": mailing.letters},
    )
    session.commit()
    fill(session, mailing, clock=clock, chunk=chunk)
    return mailing


def fill(session: Session, mailing: Mailing, *, clock: Clock, chunk: int = CHUNK) -> int:
    """Write the delivery rows a ``preparing`` mailing still lacks, in chunks (each its own
    transaction), then mark it ``running``. Idempotent: after a crash halfway, calling it
    again adds only the missing rows. Returns how many rows it added."""
    if mailing.status != "preparing":
        return 0
    interval = send_interval(mailing.rate_per_minute)
    # Chunks are written in the order of the people's ids, each in one transaction: every
    # person up to the highest id written has a row, so a resumed fill starts after it (no
    # anti-join per chunk: with 100,000 rows it is the difference between 8 s and minutes).
    have, last_id = session.execute(
        select(func.count(), func.coalesce(func.max(Delivery.recipient_id), 0)).where(
            Delivery.mailing_id == mailing.id
        )
    ).one()
    start_at = clock.now()
    added = 0
    while True:
        ids = list(
            session.execute(
                select(Recipient.id)
                .where(
                    Recipient.import_id == mailing.import_id,
                    Recipient.channel == "email",
                    Recipient.id > last_id,
                )
                .order_by(Recipient.id)
                .limit(chunk)
            ).scalars()
        )
        if not ids:
            break
        rows = []
        for recipient_id in ids:
            due = start_at + interval * (have + added)
            rows.append(_row(mailing, recipient_id, due, start_at))
            added += 1
        session.execute(insert(Delivery), rows)
        session.commit()  # one short transaction per chunk
        last_id = ids[-1]
    session.execute(
        update(Mailing)
        .where(Mailing.id == mailing.id, Mailing.status == "preparing")
        .values(status="running", changed_at=clock.now())
    )
    session.commit()
    session.refresh(mailing)
    return added


def _row(mailing: Mailing, recipient_id: int, due: datetime, now: datetime) -> dict[str, Any]:
    return {
        "organisation_id": mailing.organisation_id,
        "incident_id": mailing.incident_id,
        "mailing_id": mailing.id,
        "recipient_id": recipient_id,
        "kind": KIND.value,
        "channel": "email",
        "priority": int(PRIORITY[KIND]),
        "label": f"m{mailing.id}",
        "payload": {},
        "planned_due_at": due,
        "due_at": due,
        "status": Status.PLANNED.value,
        "attempts": 0,
        "recipients": [],
        "last_error": "",
        "cancel_reason": "",
        "message_id": "",
        "server_reply": "",
        "content_sha256": "",
        "late": False,
        "created_at": now,
    }


def progress(session: Session, mailing: Mailing) -> Progress:
    """The mailing's rows counted by status (one query); marks a finished mailing ``done``."""
    counts: dict[str, int] = {
        str(status): int(n)
        for status, n in session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.mailing_id == mailing.id)
            .group_by(Delivery.status)
        ).all()
    }
    finish = session.execute(
        select(func.max(Delivery.due_at)).where(
            Delivery.mailing_id == mailing.id, Delivery.status == Status.PLANNED.value
        )
    ).scalar_one()
    retrying, last_error = _retrying(session, mailing)
    result = Progress(
        total=sum(counts.values()),
        sent=counts.get(Status.SENT.value, 0),
        failed=counts.get(Status.FAILED.value, 0),
        planned=counts.get(Status.PLANNED.value, 0),
        sending=counts.get(Status.SENDING.value, 0),
        held=counts.get(Status.HELD.value, 0),
        cancelled=counts.get(Status.CANCELLED.value, 0),
        finish_at=finish,
        retrying=retrying,
        last_error=last_error,
    )
    if mailing.status == "running" and result.open == 0:
        session.execute(
            update(Mailing)
            .where(Mailing.id == mailing.id, Mailing.status == "running")
            .values(status="done")
        )
        session.commit()
        session.refresh(mailing)
    return result


def _retrying(session: Session, mailing: Mailing) -> tuple[int, str]:
    unsent = (Status.PLANNED.value, Status.SENDING.value, Status.HELD.value)
    again = and_(
        Delivery.mailing_id == mailing.id, Delivery.status.in_(unsent), Delivery.attempts > 0
    )
    count = session.execute(select(func.count()).where(again)).scalar_one()
    if not count:
        return 0, ""
    latest = session.execute(
        select(Delivery.last_error).where(again).order_by(Delivery.due_at.desc()).limit(1)
    ).scalar_one_or_none()
    return int(count), latest or ""
