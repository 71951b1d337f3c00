"""The audit trail: every change is recorded, chained, and tampering is found and named."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select, text

from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Organisation
from breachdesk.services import audit

from ..conftest import MakeUser


def _tamper(sql: str, **params: object) -> None:
    """Change audit rows behind the application's back, as a hostile DBA could."""
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        db.session.execute(text(sql), params)
        db.session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER audit_event_no_delete"))
        db.session.execute(text(sql), params)
    db.session.commit()


def test_every_setup_change_is_in_a_verified_chain(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    reports = {r.chain: r for r in audit.verify(db.session)}
    assert set(reports) == {f"org:{o.id}" for o in orgs.values()}
    assert all(r.problem is None and r.events == 1 for r in reports.values())
    from breachdesk.domain.roles import Role

    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    reports = {r.chain: r for r in audit.verify(db.session)}
    assert reports["global"].events == 1  # user.created
    assert reports[f"org:{orgs['kruix'].id}"].events == 2  # organisation.created, role.granted
    assert all(r.problem is None for r in reports.values())


def test_cli_verify_names_the_edited_event(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    from breachdesk.domain.roles import Role

    kruix = orgs["kruix"]
    for n in range(3):
        make_user(f"r{n}@x.nl", (kruix, Role.REPORTER))
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "all" in ok.output and "intact" in ok.output

    target = db.session.execute(
        select(AuditEvent).where(AuditEvent.chain == f"org:{kruix.id}", AuditEvent.seq == 3)
    ).scalar_one()
    _tamper("UPDATE audit_event SET actor_label = 'someone else' WHERE id = :id", id=target.id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN  org:{kruix.id}: event #3 (id {target.id})" in result.output
    assert "edited" in result.output
    # Other chains are still reported intact.
    assert f"ok      org:{orgs['luxigo'].id}" in result.output


def test_removed_and_reordered_events_are_found(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    from breachdesk.domain.roles import Role

    luxigo = orgs["luxigo"]
    for n in range(4):
        make_user(f"r{n}@x.nl", (luxigo, Role.REPORTER))
    chain = f"org:{luxigo.id}"
    _tamper("DELETE FROM audit_event WHERE chain = :c AND seq = 2", c=chain)
    problem = audit.verify(db.session, [chain])[0].problem
    assert problem is not None and problem.seq == 3 and "removed" in problem.reason


def test_removed_tail_is_found(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    from breachdesk.domain.roles import Role

    leiz = orgs["leiz"]
    make_user("a@x.nl", (leiz, Role.REPORTER))
    chain = f"org:{leiz.id}"
    last = db.session.execute(
        select(func.max(AuditEvent.seq)).where(AuditEvent.chain == chain)
    ).scalar_one()
    _tamper("DELETE FROM audit_event WHERE chain = :c AND seq = :s", c=chain, s=last)
    problem = audit.verify(db.session, [chain])[0].problem
    assert problem is not None and problem.seq is None and "removed" in problem.reason
