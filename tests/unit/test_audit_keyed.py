"""Keyed (version 2) chains: every column is sealed, versions never go down, keys rotate,
and an erased event's content is accepted only when a later event records the erasure."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from breachdesk.domain.audit import (
    GENESIS_HASH,
    AuditKey,
    ChainVerifier,
    EventRecord,
    Expected,
    Keyring,
    NoWritingKey,
    ProblemKind,
    canonical_json,
    content_digest,
    coverage_problems,
    hash_v1,
    hash_v2,
    key_id_of,
    seal,
    verify_chain,
)
from breachdesk.domain.audit.erasure import (
    ERASURE_ACTION,
    ERASURE_ENTITY,
    TOMBSTONE,
    erasure_content,
)

T0 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
KEY_A = AuditKey(b"A" * 32)
KEY_B = AuditKey(b"B" * 32)
KEYS = Keyring(KEY_A)


def event(seq: int, prev: str, chain: str = "org:1", **changes: Any) -> EventRecord:
    values: dict[str, Any] = {
        "chain": chain,
        "seq": seq,
        "organisation_id": 1 if chain == "org:1" else None,
        "occurred_at": T0 + timedelta(minutes=seq),
        "actor_id": 7,
        "actor_label": "Fien FG <fien@example.org>",
        "action": "incident.updated",
        "entity_type": "incident",
        "entity_id": str(100 + seq),
        "before": {"title": f"Lek {seq}", "recipients": ["a@example.org"]},
        "after": {"title": f"Lek {seq}", "recipients": ["a@example.org", "b@example.org"]},
        "prev_hash": prev,
    }
    values.update(changes)
    return EventRecord(**values)


def v2_chain(
    count: int, key: AuditKey = KEY_A, after: list[EventRecord] | None = None
) -> list[EventRecord]:
    """``count`` sealed events, continuing ``after`` (which may hold version 1 events)."""
    events = list(after or [])
    for _ in range(count):
        prev = events[-1].hash if events else GENESIS_HASH
        events.append(seal(event(len(events) + 1, prev), key))
    return events


def v1_chain(count: int) -> list[EventRecord]:
    events: list[EventRecord] = []
    for seq in range(1, count + 1):
        record = event(seq, events[-1].hash if events else GENESIS_HASH)
        events.append(replace(record, hash=hash_v1(record)))
    return events


def rows(events: list[EventRecord]) -> list[tuple[int, EventRecord]]:
    return [(1000 + e.seq, e) for e in events]


def head(events: list[EventRecord]) -> tuple[int, str]:
    return events[-1].seq, events[-1].hash


def check(events: list[EventRecord], keys: Keyring = KEYS, **kwargs: Any) -> Any:
    return verify_chain("org:1", rows(events), head(events), keys, **kwargs)


def plain_sha256_reseal(events: list[EventRecord], start: int) -> list[EventRecord]:
    """What someone without the key can do: recompute links and hashes with plain SHA-256."""
    result = events[:start]
    for record in events[start:]:
        prev = result[-1].hash if result else GENESIS_HASH
        moved = replace(record, prev_hash=prev, hash="")
        body = canonical_json({"seq": moved.seq, "prev": prev, "after": moved.after})
        result.append(replace(moved, hash=hashlib.sha256(body.encode()).hexdigest()))
    return result


# --- sealing -----------------------------------------------------------------------------


def test_sealed_chain_verifies() -> None:
    events = v2_chain(5)
    assert all(e.hash_version == 2 and e.key_id == KEY_A.key_id for e in events)
    assert all(len(e.hash) == 64 and len(e.content_digest or "") == 64 for e in events)
    assert check(events) is None


def test_key_id_is_the_start_of_the_keys_sha256() -> None:
    assert KEY_A.key_id == hashlib.sha256(b"A" * 32).hexdigest()[:16] == key_id_of(b"A" * 32)
    assert "AAAA" not in repr(KEY_A)  # the secret stays out of logs


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        AuditKey(b"short")


def test_a_keyring_without_a_current_key_cannot_write() -> None:
    with pytest.raises(NoWritingKey):
        Keyring(None, (KEY_A,)).writer()
    assert Keyring(KEY_B, (KEY_A,)).writer() is KEY_B


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("chain", "org:2"),
        ("seq", 9),
        ("organisation_id", 2),
        ("occurred_at", T0 + timedelta(days=1)),
        ("actor_id", 42),
        ("action", "incident.deleted"),
        ("entity_type", "user"),
        ("entity_id", None),
        ("prev_hash", "1" * 64),
        ("hash_version", 3),
        ("key_id", KEY_B.key_id),
        ("content_digest", "2" * 64),
    ],
)
def test_every_column_but_the_content_is_in_the_keyed_hash(name: str, value: Any) -> None:
    sealed = seal(event(1, GENESIS_HASH), KEY_A)
    assert hash_v2(KEY_A.secret, replace(sealed, **{name: value})) != sealed.hash


@pytest.mark.parametrize(
    ("name", "value"), [("actor_label", "x"), ("before", None), ("after", {"title": "other"})]
)
def test_the_content_is_in_the_keyed_digest(name: str, value: Any) -> None:
    sealed = seal(event(1, GENESIS_HASH), KEY_A)
    changed = replace(sealed, **{name: value})
    digest = content_digest(KEY_A.secret, changed.actor_label, changed.before, changed.after)
    assert digest != sealed.content_digest
    assert hash_v2(KEY_A.secret, changed) == sealed.hash  # the hash covers the digest only


def test_another_key_gives_other_digests() -> None:
    one, two = seal(event(1, GENESIS_HASH), KEY_A), seal(event(1, GENESIS_HASH), KEY_B)
    assert one.hash != two.hash and one.content_digest != two.content_digest


# --- tampering with keyed events ---------------------------------------------------------


def test_edited_column_is_named() -> None:
    events = v2_chain(5)
    events[2] = replace(events[2], action="incident.closed")
    problem = check(events)
    assert (problem.seq, problem.event_id, problem.kind) == (3, 1003, ProblemKind.EDITED)


def test_edited_content_is_named() -> None:
    events = v2_chain(5)
    events[1] = replace(events[1], after={"title": "Iets anders"})
    problem = check(events)
    assert (problem.seq, problem.kind) == (2, ProblemKind.CONTENT_EDITED)
    assert "no later event records an erasure" in problem.reason


def test_recomputing_plain_sha256_does_not_help() -> None:
    events = v2_chain(6)
    events[3] = replace(events[3], after={"title": "vervalst"})
    problem = check(plain_sha256_reseal(events, 3))
    assert (problem.seq, problem.kind) == (4, ProblemKind.EDITED)


def test_removing_an_event_and_renumbering_is_named() -> None:
    events = v2_chain(6)
    del events[2]
    renumbered = [replace(e, seq=i) for i, e in enumerate(events, start=1)]
    problem = check(plain_sha256_reseal(renumbered, 2))
    assert (problem.seq, problem.kind) == (3, ProblemKind.EDITED)


def test_renumbering_without_relinking_is_named() -> None:
    events = v2_chain(6)
    del events[2]
    problem = check([replace(e, seq=i) for i, e in enumerate(events, start=1)])
    assert (problem.seq, problem.kind) == (3, ProblemKind.BROKEN_LINK)


def test_forged_appended_event_is_named() -> None:
    events = v2_chain(4)
    forged = event(5, events[-1].hash, action="incident.closed")
    events.append(
        replace(forged, hash_version=2, key_id=KEY_A.key_id, content_digest="3" * 64, hash="4" * 64)
    )
    problem = check(events)
    assert (problem.seq, problem.kind) == (5, ProblemKind.EDITED)


def test_event_moved_to_another_organisation_is_named() -> None:
    events = v2_chain(4)
    events[1] = replace(events[1], organisation_id=2)
    problem = check(events)
    assert (problem.seq, problem.kind) == (2, ProblemKind.WRONG_ORGANISATION)
    assert "organisation_id is 2" in problem.reason


def test_organisation_id_is_checked_for_version_1_events_too() -> None:
    events = v1_chain(3)
    events[2] = replace(events[2], organisation_id=None)
    problem = check(events)
    assert (problem.seq, problem.kind) == (3, ProblemKind.WRONG_ORGANISATION)


def test_global_events_must_have_no_organisation() -> None:
    record = seal(event(1, GENESIS_HASH, chain="global", organisation_id=5), KEY_A)
    problem = verify_chain("global", [(1, record)], (1, record.hash), KEYS)
    assert problem is not None and problem.kind is ProblemKind.WRONG_ORGANISATION


def test_unknown_key_is_named() -> None:
    events = v2_chain(3)
    problem = check(events, Keyring(KEY_B))
    assert (problem.seq, problem.kind) == (1, ProblemKind.UNKNOWN_KEY)
    assert KEY_A.key_id in problem.reason


def test_unknown_hash_version_is_named() -> None:
    events = v2_chain(3)
    events[2] = replace(events[2], hash_version=7)
    assert check(events).kind is ProblemKind.UNKNOWN_VERSION


# --- versions and keys over time -----------------------------------------------------------


def test_version_1_events_followed_by_version_2_events_verify() -> None:
    events = v2_chain(3, after=v1_chain(4))
    assert [e.hash_version for e in events] == [1, 1, 1, 1, 2, 2, 2]
    assert check(events) is None


def test_rewriting_version_1_events_is_seen_at_the_first_version_2_event() -> None:
    events = v2_chain(2, after=v1_chain(3))
    rewritten = replace(events[1], after={"title": "vervalst"})
    events[1] = replace(rewritten, hash=hash_v1(rewritten))
    events[2] = replace(events[2], prev_hash=events[1].hash)
    events[2] = replace(events[2], hash=hash_v1(events[2]))
    problem = check(events)
    assert (problem.seq, problem.kind) == (4, ProblemKind.BROKEN_LINK)


def test_a_version_1_event_after_a_version_2_event_is_refused() -> None:
    events = v2_chain(4)
    # Rewritten from event 3 on as version 1 with valid plain SHA-256 hashes.
    for i in (2, 3):
        prev = events[i - 1].hash
        downgraded = replace(
            events[i], prev_hash=prev, hash_version=1, key_id=None, content_digest=None
        )
        events[i] = replace(downgraded, hash=hash_v1(downgraded))
    problem = check(events)
    assert (problem.seq, problem.kind) == (3, ProblemKind.VERSION_DOWNGRADE)
    assert "never goes down" in problem.reason


def test_key_rotation_keeps_old_events_verifiable() -> None:
    events = v2_chain(2, key=KEY_B, after=v2_chain(3, key=KEY_A))
    assert [e.key_id for e in events] == [KEY_A.key_id] * 3 + [KEY_B.key_id] * 2
    assert check(events, Keyring(KEY_B, (KEY_A,))) is None
    problem = check(events, Keyring(KEY_B))
    assert (problem.seq, problem.kind) == (1, ProblemKind.UNKNOWN_KEY)


# --- checkpoints as seen by one chain ------------------------------------------------------

CP_TIME = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def test_tail_removed_with_head_updated_is_named_from_the_checkpoint() -> None:
    events = v2_chain(57)
    expected = {57: Expected(events[56].hash, CP_TIME)}
    kept = events[:40]
    assert verify_chain("org:1", rows(kept), head(kept), KEYS) is None  # invisible without it
    problem = verify_chain("org:1", rows(kept), head(kept), KEYS, expected)
    assert problem.kind is ProblemKind.EVENTS_MISSING
    assert problem.missing == (41, 57)
    assert problem.reason == (
        "events 41\u201357 of org:1 are missing: checkpoint of 2026-11-30 10:00 UTC recorded 57"
    )


def test_chain_removed_with_its_head_is_named_from_the_checkpoint() -> None:
    problem = verify_chain("org:1", [], None, KEYS, {3: Expected("a" * 64, CP_TIME)})
    assert problem.missing == (1, 3)


def test_a_rewritten_chain_differs_from_the_checkpoint() -> None:
    events = v1_chain(5)
    expected = {5: Expected("f" * 64, CP_TIME)}
    problem = check(events, expected=expected)
    assert (problem.seq, problem.kind) == (5, ProblemKind.CHECKPOINT_MISMATCH)
    assert problem.checkpoint_at == CP_TIME


def test_missing_tail_shown_by_the_head_is_not_repeated_for_the_checkpoint() -> None:
    events = v2_chain(6)
    verifier = ChainVerifier("org:1", KEYS, {6: Expected(events[5].hash, CP_TIME)})
    for row_id, record in rows(events[:4]):
        verifier.add(row_id, record)
    problems = verifier.finish(head(events))
    assert [p.missing for p in problems] == [(5, 6)]


def test_verifier_counts_on_after_the_first_problem() -> None:
    events = v2_chain(6)
    events[1] = replace(events[1], action="x")
    verifier = ChainVerifier("org:1", KEYS)
    for row_id, record in rows(events):
        verifier.add(row_id, record)
    assert verifier.events == 6
    assert [p.seq for p in verifier.finish(head(events))] == [2]


# --- organisations and chains ---------------------------------------------------------------


def test_every_organisation_needs_a_chain_and_every_chain_an_organisation() -> None:
    problems = coverage_problems([1, 2, 3], ["org:1", "org:3", "org:9", "global", "weird"])
    found = {(p.chain, p.kind) for p in problems}
    assert found == {
        ("org:2", ProblemKind.CHAIN_MISSING),
        ("org:9", ProblemKind.UNKNOWN_CHAIN),
        ("weird", ProblemKind.UNKNOWN_CHAIN),
    }


# --- erasure (the rule for a future retention job) ------------------------------------------


def erase(events: list[EventRecord], seq: int, fields: dict[str, Any]) -> list[EventRecord]:
    """Erase ``fields`` of ``after`` in event ``seq`` and record it, as a retention job would."""
    target = events[seq - 1]
    digest_before = content_digest(KEY_A.secret, target.actor_label, target.before, target.after)
    after = {**target.after, **{name: TOMBSTONE for name in fields}}
    erased = replace(target, after=after)
    digest_after = content_digest(KEY_A.secret, erased.actor_label, erased.before, erased.after)
    events = [*events[: seq - 1], erased, *events[seq:]]
    note = event(
        len(events) + 1,
        events[-1].hash,
        action=ERASURE_ACTION,
        entity_type=ERASURE_ENTITY,
        entity_id=str(seq),
        actor_label="system: retention",
        before=None,
        after=erasure_content(seq, digest_before, digest_after, [f"after.{f}" for f in fields]),
    )
    return [*events, seal(note, KEY_A)]


def test_recorded_erasure_keeps_the_chain_verifiable() -> None:
    events = erase(v2_chain(4), 2, {"recipients": None})
    assert events[1].after["recipients"] == TOMBSTONE
    assert "b@example.org" not in canonical_json(events[1].after)
    assert check(events) is None


def test_two_erasures_of_one_event_verify_in_turn() -> None:
    events = erase(erase(v2_chain(3), 2, {"recipients": None}), 2, {"title": None})
    assert events[1].after == {"title": TOMBSTONE, "recipients": TOMBSTONE}
    assert check(events) is None


def test_erasure_without_record_is_edited_content() -> None:
    events = erase(v2_chain(4), 2, {"recipients": None})[:-1]
    problem = check(events)
    assert (problem.seq, problem.kind) == (2, ProblemKind.CONTENT_EDITED)


def test_erasure_record_must_match_what_is_there_now() -> None:
    events = erase(v2_chain(4), 2, {"recipients": None})
    events[1] = replace(events[1], after={**events[1].after, "title": "changed afterwards"})
    problem = check(events)
    assert (problem.seq, problem.kind) == (2, ProblemKind.CONTENT_EDITED)


def test_erasure_record_must_name_the_stored_digest() -> None:
    events = erase(v2_chain(4), 2, {"recipients": None})
    note = events[-1]
    wrong = replace(note, after={**note.after, "digest_before": "5" * 64})
    events[-1] = seal(replace(wrong, hash=""), KEY_A)
    assert check(events).seq == 2


def test_erasure_record_must_come_later_in_the_same_chain() -> None:
    events = erase(v2_chain(4), 2, {"recipients": None})
    # Only the erased event, without its record: as if the record were in another chain.
    problem = check(events[:-1])
    assert problem.seq == 2
