"""The scheduler's tick signs checkpoints of the audit trail and mails each FG a weekly copy."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.mail import ORG_HEADER, RecordingMailer
from breachdesk.models import Delivery, Organisation
from breachdesk.scheduler import run_tick
from breachdesk.services import delivery
from breachdesk.services.audit_anchor import last_checkpoint
from breachdesk.services.audit_keys import files_for
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"MAILER": RecordingMailer()}


def tick(app: Flask) -> None:
    """One scheduler tick, as ``breachdesk scheduler`` runs it (in its own session)."""
    db.session.commit()  # the test's own session must not hold SQLite's write lock
    run_tick(app, "tests")


def test_checkpoints_are_signed_and_each_fg_gets_a_weekly_copy(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    make_user("fg@kruix.nl", (orgs["kruix"], Role.FG))
    make_user("fg@leiz.nl", (orgs["leiz"], Role.FG))
    mailer: RecordingMailer = app.config["MAILER"]
    tick(app)  # the first checkpoint, and the FGs' copies planned
    checkpoint = last_checkpoint(files_for(db.session).checkpoint_file)
    assert checkpoint is not None and checkpoint.created_at == clock.now()
    tick(app)  # the copies go out
    by_recipient = {m["To"]: m for m in mailer.sent}
    assert set(by_recipient) >= {"fg@kruix.nl", "fg@leiz.nl"}
    kruix = by_recipient["fg@kruix.nl"]
    text = kruix.get_content()
    head = checkpoint.head(f"org:{orgs['kruix'].id}")
    assert head is not None
    assert "Controlepunt van het auditlogboek" in text and "Audit trail checkpoint" in text
    assert head.hash in text and f"{head.seq} gebeurtenissen" in text
    assert "Leiz" not in text and "LEIZ" not in text  # only the organisation's own trail
    assert kruix[ORG_HEADER] == "kruix"  # filed under the organisation in the outbox
    recent = delivery.recent_for(db.session, [orgs["kruix"].id], clock.now())
    assert recent == []  # routine copies do not crowd the FG's list of reminders

    count = len(mailer.sent)
    clock.advance(days=3)
    tick(app)
    tick(app)
    assert len(mailer.sent) == count  # not again within the week
    clock.advance(days=4, minutes=1)
    tick(app)
    tick(app)
    assert len(mailer.sent) > count  # a week later, the next copy
    rows = db.session.execute(
        select(Delivery).where(Delivery.kind == "audit_checkpoint", Delivery.status == "sent")
    ).scalars()
    assert {r.organisation_id for r in rows} >= {orgs["kruix"].id, orgs["leiz"].id}
