"""A mailing to the people affected, sent by a real `breachdesk scheduler` process that is
killed with SIGKILL halfway and started again: nobody is missed, at most one person gets the
notice twice (the one message on the wire when the process died)."""

from __future__ import annotations

import signal
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from breachdesk.domain.notices.people_notice import SECTION_KEYS
from breachdesk.extensions import db
from breachdesk.models import Delivery, Organisation, User
from breachdesk.services import mailings, people_notices, recipients
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import T0, Inbox
from .test_scheduler_process import Start, confirmed, people, start_scheduler, wait_until

__all__ = ["people", "start_scheduler"]  # fixtures used by name

PEOPLE = 400


def people_csv(count: int) -> bytes:
    rows = ["naam;e-mail;kenmerk"] + [f"Persoon {n};p{n}@example.org;K-{n}" for n in range(count)]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def test_a_killed_sender_misses_nobody_and_repeats_at_most_one(
    orgs: dict[str, Organisation],
    people: tuple[User, User],  # noqa: F811
    clock: FixedClock,
    start_scheduler: Start,  # noqa: F811
    smtp_server: tuple[Inbox, int],
) -> None:
    _, fg = people
    incident = confirmed(orgs, people, clock, T0 - timedelta(hours=1))
    incident.organisation.notice_rate_per_minute = 0
    draft = people_notices.working_draft(db.session, incident, clock=clock, user=fg)
    sections = {key: draft.sections.get(key) or "Tekst." for key in SECTION_KEYS}
    draft = people_notices.save_draft(
        db.session, draft, subject="Belangrijk: datalek bij Kruix", sections=sections,
        lang="nl", seen=draft.edit_count, user=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    notice = people_notices.approve(
        db.session, draft, seen=draft.edit_count, user=fg, actor=Actor.of(fg), clock=clock
    )
    data = people_csv(PEOPLE)
    table = recipients.read_table(data, "mensen.csv")
    staged = recipients.stage_import(
        db.session, incident, data, "mensen.csv", table.proposed,
        user=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    recipients.activate(db.session, staged, actor=Actor.of(fg), clock=clock)
    mailing = mailings.start(
        db.session, incident, notice, staged, user=fg, actor=Actor.of(fg), clock=clock
    )
    mailing_id = mailing.id
    db.session.rollback()

    inbox, _ = smtp_server
    expected = {f"p{n}@example.org" for n in range(PEOPLE)}

    def reached() -> list[str]:  # the people's messages only (the FG gets reminders too)
        return [to[0] for to, _ in inbox.messages if to[0] in expected]

    fast = {"SCHEDULER_LEASE_SECONDS": "3", "SCHEDULER_CLAIM_TIMEOUT_SECONDS": "2"}
    first = start_scheduler("first", **fast)
    wait_until(lambda: len(reached()) >= PEOPLE // 4)
    first.send_signal(signal.SIGKILL)  # mid-send, no chance to clean up
    first.wait()
    assert len(set(reached())) < PEOPLE, "the mailing finished before the kill"
    start_scheduler("second", **fast)
    wait_until(lambda: len(set(reached())) >= PEOPLE, timeout=60)
    time.sleep(1)  # anything still on its way arrives

    received = Counter(reached())
    assert expected - set(received) == set()  # nobody missed
    assert sum(n - 1 for n in received.values()) <= 1  # at most one repeat for one kill
    db.session.rollback()
    sent = db.session.execute(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.mailing_id == mailing_id, Delivery.status == "sent")
    ).scalar_one()
    assert sent == PEOPLE
