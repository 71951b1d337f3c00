"""A mailing paused while the scheduler had already claimed its rows: the rest of the batch
is held, not sent, and goes out once resumed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from breachdesk.domain.notices.people_notice import SECTION_KEYS
from breachdesk.domain.register import Informed, RegisterFilter
from breachdesk.extensions import db
from breachdesk.mail import RecordingMailer
from breachdesk.models import AuditEvent, Delivery, Mailing, Organisation, User
from breachdesk.services import mailing_control, mailings, people_notices, recipients, register
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import T0, run_deliveries
from .test_scheduler_process import confirmed, people

__all__ = ["people"]  # a fixture used by name


def started_mailing(
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,
    *,
    rate: int,
    people_count: int,
    chunk: int = mailings.CHUNK,
) -> Mailing:
    """A confirmed breach whose approved notice is being sent to ``people_count`` people."""
    _, fg = people
    incident = confirmed(orgs, people, clock, T0 - timedelta(hours=1))
    incident.organisation.notice_rate_per_minute = rate
    draft = people_notices.working_draft(db.session, incident, clock=clock, user=fg)
    sections = {key: draft.sections.get(key) or "Tekst." for key in SECTION_KEYS}
    draft = people_notices.save_draft(
        db.session, draft, subject="Belangrijk", sections=sections, lang="nl",
        seen=draft.edit_count, user=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    notice = people_notices.approve(
        db.session, draft, seen=draft.edit_count, user=fg, actor=Actor.of(fg), clock=clock
    )
    rows = b"".join(b"P %d;p%d@example.org\r\n" % (n, n) for n in range(people_count))
    data = b"naam;e-mail\r\n" + rows
    staged = recipients.stage_import(
        db.session, incident, data, "l.csv", recipients.read_table(data, "l.csv").proposed,
        user=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    recipients.activate(db.session, staged, actor=Actor.of(fg), clock=clock)
    return mailings.start(
        db.session, incident, notice, staged, user=fg, actor=Actor.of(fg), clock=clock,
        chunk=chunk,
    )  # fmt: skip


def test_a_pause_holds_rows_already_claimed(
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,  # noqa: F811
) -> None:
    _, fg = people
    mailing = started_mailing(orgs, people, clock, rate=0, people_count=5)
    # The scheduler claimed the rows a moment before the FG pressed "pause": the rows are still
    # planned when the tick reaches them, but the mailing says paused.
    db.session.execute(
        Mailing.__table__.update().where(Mailing.id == mailing.id).values(status="paused")
    )
    db.session.commit()
    mailer = RecordingMailer()
    run_deliveries(clock, mailer)
    statuses = db.session.execute(
        select(Delivery.status).where(Delivery.mailing_id == mailing.id)
    ).scalars()
    assert set(statuses) == {"held"}
    assert not [m for m in mailer.sent if "example.org" in m["To"]]

    db.session.refresh(mailing)
    mailing_control.resume(db.session, mailing, actor=Actor.of(fg), clock=clock)
    run_deliveries(clock, mailer)
    assert len([m for m in mailer.sent if "example.org" in m["To"]]) == 5


def test_failed_rows_can_be_tried_again_and_the_page_counts_what_is_retried(
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,  # noqa: F811
) -> None:
    """After the mail server was down longer than the engine's retries, the FG sends again to
    those it failed for: only they get it, with their attempts counted afresh, audited."""
    _, fg = people
    mailing = started_mailing(orgs, people, clock, rate=0, people_count=4)
    rows = db.session.execute(
        select(Delivery).where(Delivery.mailing_id == mailing.id).order_by(Delivery.id)
    ).scalars().all()  # fmt: skip
    for row in rows[:2]:  # the mail server was down for longer than the retries
        row.status, row.attempts, row.last_error = "failed", 5, "Connection refused"
    rows[2].attempts, rows[2].last_error = 1, "421 4.3.2 Service not available"
    db.session.commit()
    progress = mailings.progress(db.session, mailing)
    assert (progress.failed, progress.retrying) == (2, 1)
    assert progress.last_error == "421 4.3.2 Service not available"

    assert mailing_control.retry_failed(db.session, mailing, actor=Actor.of(fg), clock=clock) == 2
    mailer = RecordingMailer()
    run_deliveries(clock, mailer)
    sent_to = sorted(m["To"] for m in mailer.sent if "example.org" in m["To"])
    assert sent_to == ["p0@example.org", "p1@example.org", "p2@example.org", "p3@example.org"]
    db.session.refresh(mailing)
    progress = mailings.progress(db.session, mailing)
    assert (progress.sent, progress.failed, progress.retrying) == (4, 0, 0)
    assert mailing.status == "done"
    events = db.session.execute(
        select(AuditEvent.after).where(AuditEvent.action == "incident.mailing_retried")
    ).scalars().all()  # fmt: skip
    assert events == [{"mailing": mailing.id, "planned": 2}]
    with pytest.raises(mailings.MailingError):  # nothing failed any more
        mailing_control.retry_failed(db.session, mailing, actor=Actor.of(fg), clock=clock)


def test_a_fill_stopped_between_chunks_is_resumed_without_gaps_or_doubles(
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,  # noqa: F811
) -> None:
    """The rows are written in chunks, each its own transaction: after a crash between two
    chunks, filling again adds exactly the people still without a row."""
    _, fg = people
    mailing = started_mailing(orgs, people, clock, rate=60, people_count=7, chunk=3)
    complete = db.session.execute(
        select(Delivery.recipient_id, Delivery.due_at)
        .where(Delivery.mailing_id == mailing.id)
        .order_by(Delivery.recipient_id)
    ).all()
    assert len(complete) == 7
    # As if the process died after the first two chunks (six people) were committed.
    db.session.execute(
        Delivery.__table__.delete().where(Delivery.recipient_id == complete[-1].recipient_id)
    )
    db.session.execute(
        Mailing.__table__.update().where(Mailing.id == mailing.id).values(status="preparing")
    )
    db.session.commit()
    db.session.refresh(mailing)
    assert mailings.fill(db.session, mailing, clock=clock, chunk=3) == 1
    again = db.session.execute(
        select(Delivery.recipient_id, Delivery.due_at)
        .where(Delivery.mailing_id == mailing.id)
        .order_by(Delivery.recipient_id)
    ).all()
    assert again == complete  # same people, same pace: one a second at 60 a minute
    assert mailing.status == "running"
    assert mailings.fill(db.session, mailing, clock=clock) == 0  # idempotent


def test_the_register_follows_the_informing_until_the_fg_closes(
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,  # noqa: F811
) -> None:
    """Found by testing: the register said "still to be informed" after breachdesk had sent
    the notice to everyone, until the incident was closed. It now says informing is under way
    while notices are on their way or undelivered, and informed once all are sent; its filter
    picks the same incidents as its rows show, on a page and in an export."""
    _, fg = people

    def standing(incident_id: int) -> set[Informed]:
        def ids(wanted: RegisterFilter) -> set[int]:
            return {r.id for r in register.view(db.session, fg, wanted, clock.now()).rows}

        page = register.view(db.session, fg, RegisterFilter(), clock.now()).rows
        exported = list(register.rows(db.session, fg, RegisterFilter(), clock.now()))
        shown = {r.informed() for r in [*page, *exported] if r.id == incident_id}
        filtered = {i for i in Informed if incident_id in ids(RegisterFilter(informed=i))}
        assert shown == filtered, (shown, filtered)
        return shown

    mailing = started_mailing(orgs, people, clock, rate=0, people_count=3)
    assert standing(mailing.incident_id) == {Informed.INFORMING}  # planned, not yet sent
    rows = db.session.execute(
        select(Delivery).where(Delivery.mailing_id == mailing.id).order_by(Delivery.id)
    ).scalars().all()  # fmt: skip
    run_deliveries(clock, RecordingMailer())
    db.session.refresh(mailing)
    assert mailing.status == "running"  # "done" is only written when someone looks
    assert standing(mailing.incident_id) == {Informed.INFORMED}

    # One person's notice failed: informing is not finished until it is sent again (or the
    # FG records how the duty was met when closing).
    db.session.refresh(rows[0])
    rows[0].status = "failed"
    db.session.commit()
    assert standing(mailing.incident_id) == {Informed.INFORMING}
    mailing_control.retry_failed(db.session, mailing, actor=Actor.of(fg), clock=clock)
    run_deliveries(clock, RecordingMailer())
    assert standing(mailing.incident_id) == {Informed.INFORMED}

    # A mailing cancelled before it reached anyone leaves the incident as it was (here: no
    # decision yet).
    other = started_mailing(orgs, people, clock, rate=0, people_count=2)
    assert standing(other.incident_id) == {Informed.INFORMING}
    mailing_control.cancel(db.session, other, actor=Actor.of(fg), clock=clock)
    assert standing(other.incident_id) == {Informed.UNDECIDED}
