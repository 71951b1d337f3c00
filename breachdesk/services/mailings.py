"""Sending the approved notice to every person on the list, through the one delivery engine.

:func:`start` makes a :class:`~breachdesk.models.Mailing` and one delivery row per person with
an e-mail address (kind ``people_notice``, bulk priority: a deadline reminder always goes
first). The rows are written in chunks, each its own short transaction, and their due times
are spread at the organisation's rate (``notice_rate_per_minute``; mail providers cap it), so
the scheduler — never the web request — sends them at that pace and the page can say when it
will be done. People without an e-mail address get a letter (see :mod:`.letters`).

:func:`pause` holds the unsent rows, :func:`resume` plans them again from now at the rate,
:func:`cancel` cancels them; a row already handed to the mail server is not taken back.
:func:`progress` counts the rows by status in one query. The delivery guarantee (after a crash
0 missed, at most one duplicate per crash) is the engine's: see
:mod:`breachdesk.services.delivery`; the handler that writes each person's message is in
:mod:`.mailing_delivery`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..domain.delivery import PRIORITY, Kind, Status
from ..domain.text import N_
from ..models import Delivery, Incident, Mailing, PeopleNotice, Recipient, RecipientImport, User
from . import audit
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


def _interval(rate_per_minute: int) -> timedelta:
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
) -> Mailing:
    """Start sending ``notice`` (approved) to the people of ``recipients`` (the active list).

    Raises:
        MailingError: the notice is not approved (or changed since), the list is not the
            incident's active one or holds nobody, or another mailing is still in progress.
    """
    if not verified(notice) or notice.incident_id != incident.id:
        raise MailingError(N_("Approve the notice first; only an approved version is sent."))
    if recipients.incident_id != incident.id or recipients.status != "active":
        raise MailingError(N_("Import the list of people first."))
    if current(session, incident) is not None:
        raise MailingError(N_("A mailing is still in progress: let it finish, or cancel it."))
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
        },
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
    interval = _interval(mailing.rate_per_minute)
    have = session.execute(
        select(func.count()).select_from(Delivery).where(Delivery.mailing_id == mailing.id)
    ).scalar_one()
    start_at = clock.now()
    added = 0
    last_id = 0
    while True:
        ids = list(
            session.execute(
                select(Recipient.id)
                .where(
                    Recipient.import_id == mailing.import_id,
                    Recipient.channel == "email",
                    Recipient.id > last_id,
                    ~select(Delivery.id)
                    .where(Delivery.mailing_id == mailing.id, Delivery.recipient_id == Recipient.id)
                    .exists(),
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


def _change(
    session: Session,
    mailing: Mailing,
    *,
    action: str,
    status: str,
    actor: Actor,
    clock: Clock,
    extra: dict[str, Any] | None = None,
) -> None:
    mailing.status, mailing.changed_at = status, clock.now()
    incident = session.get_one(Incident, mailing.incident_id)
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action=action,
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={"mailing": mailing.id, **(extra or {})},
    )
    session.commit()


def pause(session: Session, mailing: Mailing, *, actor: Actor, clock: Clock) -> int:
    """Hold every unsent row (a row being handed to the mail server right now still goes).
    Returns how many were held."""
    if mailing.status != "running":
        raise MailingError(N_("Only a running mailing can be paused."))
    held = session.execute(
        update(Delivery)
        .where(Delivery.mailing_id == mailing.id, Delivery.status == Status.PLANNED.value)
        .values(status=Status.HELD.value)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    _change(
        session,
        mailing,
        action="incident.mailing_paused",
        status="paused",
        actor=actor,
        clock=clock,
        extra={"held": held},
    )
    return int(held)


def _chunks_of_ids(session: Session, mailing: Mailing, status: str) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(
            session.execute(
                select(Delivery.id)
                .where(
                    Delivery.mailing_id == mailing.id,
                    Delivery.status == status,
                    Delivery.id > last,
                )
                .order_by(Delivery.id)
                .limit(CHUNK)
            ).scalars()
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def resume(session: Session, mailing: Mailing, *, actor: Actor, clock: Clock) -> int:
    """Plan the held rows again from now, at the organisation's current rate. Returns how
    many were planned."""
    if mailing.status != "paused":
        raise MailingError(N_("Only a paused mailing can be resumed."))
    mailing.rate_per_minute = session.get_one(
        Incident, mailing.incident_id
    ).organisation.notice_rate_per_minute
    interval = _interval(mailing.rate_per_minute)
    now = clock.now()
    planned = 0
    for ids in _chunks_of_ids(session, mailing, Status.HELD.value):
        values = []
        for row_id in ids:
            values.append(
                {"id": row_id, "status": Status.PLANNED.value, "due_at": now + interval * planned}
            )
            planned += 1
        session.execute(update(Delivery), values)
        session.commit()
    _change(
        session,
        mailing,
        action="incident.mailing_resumed",
        status="running",
        actor=actor,
        clock=clock,
        extra={"planned": planned},
    )
    return planned


def cancel(session: Session, mailing: Mailing, *, actor: Actor, clock: Clock) -> int:
    """Cancel every unsent row; the people not yet reached stay visible as not informed.
    Returns how many rows were cancelled."""
    if mailing.status not in ACTIVE:
        raise MailingError(N_("This mailing has finished already."))
    cancelled = session.execute(
        update(Delivery)
        .where(
            Delivery.mailing_id == mailing.id,
            Delivery.status.in_([Status.PLANNED.value, Status.HELD.value]),
        )
        .values(status=Status.CANCELLED.value, cancel_reason="mailing_cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    _change(
        session,
        mailing,
        action="incident.mailing_cancelled",
        status="cancelled",
        actor=actor,
        clock=clock,
        extra={"cancelled": cancelled},
    )
    return int(cancelled)


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
    result = Progress(
        total=sum(counts.values()),
        sent=counts.get(Status.SENT.value, 0),
        failed=counts.get(Status.FAILED.value, 0),
        planned=counts.get(Status.PLANNED.value, 0),
        sending=counts.get(Status.SENDING.value, 0),
        held=counts.get(Status.HELD.value, 0),
        cancelled=counts.get(Status.CANCELLED.value, 0),
        finish_at=finish,
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


PROOF_PAGE = 100


def proof_rows(
    session: Session, mailing: Mailing, *, page: int = 1, per_page: int = PROOF_PAGE
) -> tuple[list[tuple[Delivery, Recipient | None]], bool]:
    """One page of the proof per person (the delivery row and its person), and whether more
    pages follow. Paginated in the database: a mailing may have 100,000 rows."""
    rows = session.execute(
        select(Delivery, Recipient)
        .outerjoin(Recipient, Recipient.id == Delivery.recipient_id)
        .where(Delivery.mailing_id == mailing.id)
        .order_by(Delivery.id)
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    found: list[tuple[Delivery, Recipient | None]] = [(d, person) for d, person in rows]
    return found[:per_page], len(found) > per_page
