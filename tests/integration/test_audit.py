"""The audit trail in the database: every change is recorded, sealed with the installation's
key, and every way of tampering found in the review is named by `breachdesk audit verify`.

Each tampering test switches the append-only triggers off (as someone with database access
can) and asserts that verification names the right chain and the first bad event or the
missing range. Runs on SQLite, and on PostgreSQL in CI's second run.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from breachdesk.domain.audit import GENESIS_HASH, ChainProblem, ProblemKind, hash_v1
from breachdesk.domain.audit.records import EventRecord
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditChainHead, AuditEvent, Organisation
from breachdesk.services import audit
from breachdesk.services.audit_anchor import write_checkpoint
from breachdesk.services.audit_keys import files_for, read_key
from breachdesk.services.clock import FixedClock

from ..conftest import TEST_ACTOR, MakeUser
from .tampering import execute, problems_of, report, reseal_plain, rows


def grow(org: Organisation, clock: FixedClock, count: int) -> str:
    """Add ``count`` events with personal content to ``org``'s chain; its chain name."""
    for n in range(count):
        audit.record(
            db.session,
            clock=clock,
            actor=TEST_ACTOR,
            action="incident.updated",
            entity_type="incident",
            entity_id=n,
            organisation_id=org.id,
            before={"title": f"Lek {n}", "recipients": ["jan@example.org"]},
            after={"title": f"Lek {n}", "recipients": ["jan@example.org", "piet@example.org"]},
        )
        clock.advance(minutes=1)
    db.session.commit()
    return audit.chain_name(org.id)


def only_problem(chain: str) -> ChainProblem:
    problems = problems_of(chain)
    assert problems, f"no problem found in {chain}"
    return problems[0]


# --- intact -------------------------------------------------------------------------------


def test_every_setup_change_is_in_a_verified_keyed_chain(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    reports = {r.chain: r for r in audit.verify(db.session)}
    assert set(reports) == {f"org:{o.id}" for o in orgs.values()}
    assert all(r.problem is None and r.events == 1 for r in reports.values())
    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    reports = {r.chain: r for r in audit.verify(db.session)}
    assert reports["global"].events == 1  # user.created
    assert reports[f"org:{orgs['kruix'].id}"].events == 2  # organisation.created, role.granted
    assert all(r.problem is None for r in reports.values())
    key_id = read_key(files_for(db.session).key_file).key_id
    stored = db.session.execute(select(AuditEvent.hash_version, AuditEvent.key_id)).all()
    assert set(stored) == {(2, key_id)}
    assert all(len(e.content_digest or "") == 64 for e in db.session.scalars(select(AuditEvent)))


def test_creating_an_organisation_starts_its_chain(
    app: Flask, orgs: dict[str, Organisation]
) -> None:
    for org in orgs.values():
        (first,) = rows(audit.chain_name(org.id))
        assert (first.seq, first.action, first.organisation_id) == (
            1,
            "organisation.created",
            org.id,
        )


def test_cli_verify_names_the_edited_event(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    chain = grow(kruix, clock, 3)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "all 5 chains intact" in ok.output
    assert "no signed checkpoint yet" in ok.output

    target = rows(chain)[2]
    execute("UPDATE audit_event SET actor_label = 'someone else' WHERE id = :id", id=target.id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN  {chain}: event #3 (id {target.id}): its content" in result.output
    assert "edited" in result.output
    assert f"ok      org:{orgs['luxigo'].id}" in result.output  # the others are intact


# --- the nine ways the plain SHA-256 chain missed, and their variants ------------------------


def test_1_tail_removed_and_head_set_back_is_named_by_the_checkpoint(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["leiz"], clock, 7)  # events 1..8
    write_checkpoint(db.session, clock=clock)
    db.session.rollback()
    fifth = rows(chain)[4]
    execute("DELETE FROM audit_event WHERE chain = :c AND seq > 5", c=chain)
    execute(
        "UPDATE audit_chain_head SET last_seq = 5, last_hash = :h WHERE chain = :c",
        h=fifth.hash,
        c=chain,
    )
    problem = only_problem(chain)
    assert problem.kind is ProblemKind.EVENTS_MISSING
    assert problem.missing == (6, 8)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert (
        f"BROKEN  {chain}: events 6\u20138 of {chain} are missing: checkpoint of "
        "2026-11-19 10:07 UTC recorded 8"
    ) in result.output


def test_1b_tail_removed_without_touching_the_head_is_named_by_the_head(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["leiz"], clock, 4)
    execute("DELETE FROM audit_event WHERE chain = :c AND seq >= 4", c=chain)
    problem = only_problem(chain)
    assert (problem.kind, problem.missing) == (ProblemKind.EVENTS_MISSING, (4, 5))
    assert "its head records event 5" in problem.reason


def test_2_chain_removed_with_its_head_row(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["luxigo"], clock, 2)
    write_checkpoint(db.session, clock=clock)
    db.session.rollback()
    execute("DELETE FROM audit_event WHERE chain = :c", c=chain)
    execute("DELETE FROM audit_chain_head WHERE chain = :c", c=chain)
    problems = problems_of(chain)
    assert [p.kind for p in problems] == [ProblemKind.CHAIN_MISSING, ProblemKind.EVENTS_MISSING]
    assert problems[1].missing == (1, 3)
    assert "checkpoint of 2026-11-19 10:02 UTC recorded 3" in problems[1].reason


def test_2b_chain_removed_with_its_head_row_and_its_organisation(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["luxigo"], clock, 2)
    write_checkpoint(db.session, clock=clock)
    db.session.rollback()
    execute("DELETE FROM audit_event WHERE chain = :c", c=chain)
    execute("DELETE FROM audit_chain_head WHERE chain = :c", c=chain)
    db.session.execute(text("DELETE FROM organisation WHERE id = :id"), {"id": orgs["luxigo"].id})
    db.session.commit()
    problem = only_problem(chain)
    assert (problem.kind, problem.missing) == (ProblemKind.EVENTS_MISSING, (1, 3))


def test_2c_organisation_without_any_audit_event_is_named(app: Flask) -> None:
    org = Organisation(slug="stil", name="Stil", profile={}, created_at=datetime.now(UTC))
    org.updated_at = org.created_at
    db.session.add(org)  # created behind the services' back: no organisation.created event
    db.session.commit()
    problem = only_problem(audit.chain_name(org.id))
    assert problem.kind is ProblemKind.CHAIN_MISSING
    assert f"organisation {org.id} has no audit events" in problem.reason


def test_3_head_row_removed(app: Flask, orgs: dict[str, Organisation], clock: FixedClock) -> None:
    chain = grow(orgs["kruix"], clock, 2)
    execute("DELETE FROM audit_chain_head WHERE chain = :c", c=chain)
    problem = only_problem(chain)
    assert (problem.kind, problem.seq) == (ProblemKind.HEAD_MISSING, None)


def test_3b_head_row_of_a_chain_without_events(app: Flask, orgs: dict[str, Organisation]) -> None:
    db.session.add(AuditChainHead(chain="org:999", last_seq=4, last_hash="a" * 64))
    db.session.commit()
    assert only_problem("org:999").missing == (1, 4)


@pytest.mark.parametrize("downgrade", [False, True], ids=["kept-version-2", "as-version-1"])
def test_4_event_edited_and_plain_hashes_recomputed(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, downgrade: bool
) -> None:
    chain = grow(orgs["kruix"], clock, 5)
    target = rows(chain)[3]
    execute("UPDATE audit_event SET action = 'incident.closed' WHERE id = :id", id=target.id)
    reseal_plain(chain, 4, downgrade=downgrade)
    problem = only_problem(chain)
    assert (problem.seq, problem.event_id) == (4, target.id)
    expected = ProblemKind.VERSION_DOWNGRADE if downgrade else ProblemKind.EDITED
    assert problem.kind is expected


def test_4b_whole_chain_rewritten_as_version_1_is_named_by_the_checkpoint(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["kruix"], clock, 3)
    write_checkpoint(db.session, clock=clock)
    db.session.rollback()
    first = rows(chain)[0]
    execute("UPDATE audit_event SET actor_label = 'niemand' WHERE id = :id", id=first.id)
    reseal_plain(chain, 1, downgrade=True)  # a consistent all-version-1 chain
    problem = only_problem(chain)
    assert (problem.kind, problem.seq) == (ProblemKind.CHECKPOINT_MISMATCH, 4)
    assert "differs from the checkpoint of 2026-11-19 10:03 UTC" in problem.reason


def test_5_event_removed_and_the_rest_renumbered_and_recomputed(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["kruix"], clock, 5)  # events 1..6
    execute("DELETE FROM audit_event WHERE chain = :c AND seq = 3", c=chain)
    for seq in (4, 5, 6):
        execute(
            "UPDATE audit_event SET seq = :n WHERE chain = :c AND seq = :s",
            n=seq - 1,
            c=chain,
            s=seq,
        )
    reseal_plain(chain, 3, downgrade=False)
    moved = rows(chain)[2]
    problem = only_problem(chain)
    assert (problem.seq, problem.event_id, problem.kind) == (3, moved.id, ProblemKind.EDITED)


def test_5b_event_removed_without_renumbering(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["kruix"], clock, 4)
    execute("DELETE FROM audit_event WHERE chain = :c AND seq = 2", c=chain)
    problem = only_problem(chain)
    assert (problem.kind, problem.seq, problem.missing) == (ProblemKind.EVENTS_MISSING, 3, (2, 2))
    assert f"event 2 of {chain} is missing" in problem.reason


@pytest.mark.parametrize("key", ["copied", "made-up"])
def test_6_forged_event_appended_with_recomputed_hash_and_head(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock, key: str
) -> None:
    chain = grow(orgs["kruix"], clock, 2)
    last = rows(chain)[-1]
    forged = EventRecord(
        chain=chain,
        seq=last.seq + 1,
        organisation_id=orgs["kruix"].id,
        occurred_at=clock.now(),
        actor_id=None,
        actor_label="system: cli",
        action="incident.closed",
        entity_type="incident",
        entity_id="1",
        before=None,
        after={"state": "closed"},
        prev_hash=last.hash,
    )
    digest = hash_v1(forged)
    key_id = last.key_id if key == "copied" else "0123456789abcdef"
    with_forged_row(forged, digest, key_id)
    problem = only_problem(chain)
    assert problem.seq == last.seq + 1
    assert problem.kind is (ProblemKind.EDITED if key == "copied" else ProblemKind.UNKNOWN_KEY)


def with_forged_row(forged: EventRecord, digest: str, key_id: str | None) -> None:
    db.session.add(
        AuditEvent(
            chain=forged.chain,
            seq=forged.seq,
            organisation_id=forged.organisation_id,
            occurred_at=forged.occurred_at,
            actor_id=forged.actor_id,
            actor_label=forged.actor_label,
            action=forged.action,
            entity_type=forged.entity_type,
            entity_id=forged.entity_id,
            before=forged.before,
            after=forged.after,
            prev_hash=forged.prev_hash,
            hash=digest,
            hash_version=2,
            key_id=key_id,
            content_digest=digest,
        )
    )
    db.session.commit()
    execute(
        "UPDATE audit_chain_head SET last_seq = :s, last_hash = :h WHERE chain = :c",
        s=forged.seq,
        h=digest,
        c=forged.chain,
    )


def test_7_organisation_id_edited(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["kruix"], clock, 3)
    target = rows(chain)[1]
    other = orgs["leiz"].id
    execute("UPDATE audit_event SET organisation_id = :o WHERE id = :id", o=other, id=target.id)
    problem = only_problem(chain)
    assert (problem.seq, problem.event_id, problem.kind) == (
        2,
        target.id,
        ProblemKind.WRONG_ORGANISATION,
    )
    assert problems_of(audit.chain_name(other)) == []  # the other organisation's chain is fine


def test_7b_event_moved_to_another_chain(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["kruix"], clock, 3)
    other = audit.chain_name(orgs["leiz"].id)  # holds one event
    moved, new_last = rows(chain)[3], rows(chain)[2]
    execute(
        "UPDATE audit_event SET chain = :o, seq = 2, organisation_id = :oid WHERE id = :id",
        o=other,
        oid=orgs["leiz"].id,
        id=moved.id,
    )
    execute(
        "UPDATE audit_chain_head SET last_seq = 3, last_hash = :h WHERE chain = :c",
        h=new_last.hash,
        c=chain,
    )
    execute(
        "UPDATE audit_chain_head SET last_seq = 2, last_hash = :h WHERE chain = :c",
        h=moved.hash,
        c=other,
    )
    problem = only_problem(other)
    assert (problem.seq, problem.event_id, problem.kind) == (2, moved.id, ProblemKind.BROKEN_LINK)


def test_8_content_edited_without_recomputing(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["kruix"], clock, 3)
    target = rows(chain)[2]
    execute(
        "UPDATE audit_event SET after = :a WHERE id = :id",
        a='{"title": "Niets aan de hand", "recipients": []}',
        id=target.id,
    )
    problem = only_problem(chain)
    assert (problem.seq, problem.kind) == (3, ProblemKind.CONTENT_EDITED)


def test_8b_content_digest_recomputed_without_the_key(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["kruix"], clock, 3)
    target = rows(chain)[2]
    execute("UPDATE audit_event SET content_digest = :d WHERE id = :id", d="0" * 64, id=target.id)
    assert (only_problem(chain).seq, only_problem(chain).kind) == (3, ProblemKind.EDITED)


def test_8c_key_id_edited(app: Flask, orgs: dict[str, Organisation], clock: FixedClock) -> None:
    chain = grow(orgs["kruix"], clock, 2)
    target = rows(chain)[1]
    execute("UPDATE audit_event SET key_id = 'ffffffffffffffff' WHERE id = :id", id=target.id)
    problem = only_problem(chain)
    assert (problem.seq, problem.kind) == (2, ProblemKind.UNKNOWN_KEY)


def test_9_head_hash_changed(app: Flask, orgs: dict[str, Organisation], clock: FixedClock) -> None:
    chain = grow(orgs["kruix"], clock, 2)
    execute("UPDATE audit_chain_head SET last_hash = :h WHERE chain = :c", h="e" * 64, c=chain)
    assert only_problem(chain).kind is ProblemKind.HEAD_MISMATCH


# --- version 1 events from before keyed hashing -------------------------------------------------


def insert_version_1_chain(chain: str, organisation_id: int | None, count: int) -> str:
    """Events as the code before keyed hashing wrote them (plain SHA-256, version 1)."""
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        record = EventRecord(
            chain=chain,
            seq=seq,
            organisation_id=organisation_id,
            occurred_at=datetime(2026, 11, 1, 9, seq, tzinfo=UTC),
            actor_id=None,
            actor_label="system: before the upgrade",
            action="user.created",
            entity_type="user",
            entity_id=str(seq),
            before=None,
            after={"email": f"u{seq}@example.org"},
            prev_hash=prev,
        )
        digest = hash_v1(record)
        db.session.add(
            AuditEvent(
                chain=chain,
                seq=seq,
                organisation_id=organisation_id,
                occurred_at=record.occurred_at,
                actor_id=None,
                actor_label=record.actor_label,
                action=record.action,
                entity_type=record.entity_type,
                entity_id=record.entity_id,
                before=None,
                after=record.after,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    db.session.add(AuditChainHead(chain=chain, last_seq=count, last_hash=prev))
    db.session.commit()
    return prev


def test_version_1_events_still_verify_and_the_chain_goes_on_keyed(
    app: Flask, clock: FixedClock, make_user: MakeUser
) -> None:
    insert_version_1_chain("global", None, 3)
    make_user("new@x.nl")  # user.created, sealed with the key
    versions = db.session.execute(
        select(AuditEvent.hash_version).order_by(AuditEvent.seq)
    ).scalars()
    assert list(versions) == [1, 1, 1, 2]
    assert problems_of("global") == []


def test_a_version_1_event_after_a_version_2_event_is_refused(
    app: Flask, clock: FixedClock, make_user: MakeUser
) -> None:
    insert_version_1_chain("global", None, 2)
    make_user("a@x.nl")
    make_user("b@x.nl")
    reseal_plain("global", 4, downgrade=True)
    problem = only_problem("global")
    assert (problem.seq, problem.kind) == (4, ProblemKind.VERSION_DOWNGRADE)


def test_rewriting_version_1_events_shows_at_the_first_keyed_event(
    app: Flask, clock: FixedClock, make_user: MakeUser
) -> None:
    insert_version_1_chain("global", None, 3)
    make_user("new@x.nl")  # event 4, keyed: its hash covers the link to event 3
    execute(
        "UPDATE audit_event SET after = :a WHERE chain = 'global' AND seq = 2", a='{"email": "x"}'
    )
    reseal_plain("global", 2, downgrade=True, until=3)
    problem = only_problem("global")
    assert (problem.seq, problem.kind) == (4, ProblemKind.BROKEN_LINK)


def test_verify_counts_every_chain_once(
    app: Flask, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    grow(orgs["kruix"], clock, 4)
    result = report()
    assert result.intact
    assert sum(r.events for r in result.chains) == db.session.scalar(
        select(func.count()).select_from(AuditEvent)
    )
