"""Version 1 (plain SHA-256) chains: still verified as before; every kind of tampering is named.

Keyed (version 2) chains are in test_audit_keyed.py."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum, StrEnum
from typing import Any

import pytest

from breachdesk.domain.audit import (
    GENESIS_HASH,
    EventRecord,
    ProblemKind,
    canonical_json,
    hash_v1,
    snapshot,
    verify_chain,
)
from breachdesk.domain.timeutil import AMSTERDAM

T0 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)


def make_chain(count: int = 5, chain: str = "org:1") -> list[EventRecord]:
    """``count`` correctly linked events, seq 1..count."""
    events: list[EventRecord] = []
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        record = EventRecord(
            chain=chain,
            seq=seq,
            occurred_at=T0 + timedelta(minutes=seq),
            actor_id=seq % 2 or None,
            actor_label=f"gebruiker {seq}",
            action="incident.updated",
            entity_type="incident",
            entity_id=str(100 + seq),
            before={"status": "new", "n": seq - 1},
            after={"status": "triage", "n": seq, "note": "ë"},
            prev_hash=prev,
            organisation_id=1,
        )
        record = replace(record, hash=hash_v1(record))
        events.append(record)
        prev = record.hash
    return events


def rows(events: list[EventRecord]) -> list[tuple[int, EventRecord]]:
    """(row id, record) pairs; row ids are 1000 + seq so they differ from seqs."""
    return [(1000 + e.seq, e) for e in events]


def head_of(events: list[EventRecord]) -> tuple[int, str]:
    return events[-1].seq, events[-1].hash


def test_helper_builds_a_linked_chain() -> None:
    events = make_chain()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert len({e.hash for e in events}) == 5
    assert all(len(e.hash) == 64 for e in events)


def test_intact_chain_passes() -> None:
    events = make_chain()
    assert verify_chain("org:1", rows(events), head_of(events)) is None


def test_chain_without_head_row_is_found() -> None:
    # Every chain with events has a head row; one without it lost the row (tampering 3).
    problem = verify_chain("org:1", rows(make_chain()), None)
    assert problem is not None
    assert problem.kind is ProblemKind.HEAD_MISSING
    assert problem.seq is None
    assert "no head row" in problem.reason


def test_empty_chain_without_head_passes() -> None:
    assert verify_chain("org:1", [], None) is None


def test_edited_after_is_found() -> None:
    events = make_chain()
    events[2] = replace(events[2], after={"status": "closed", "n": 3, "note": "ë"})
    problem = verify_chain("org:1", rows(events), head_of(events))
    assert problem is not None
    assert problem.chain == "org:1"
    assert problem.seq == 3
    assert problem.event_id == 1003
    assert "edited" in problem.reason


def test_edit_with_recomputed_hash_breaks_the_next_link() -> None:
    events = make_chain()
    edited = replace(events[2], actor_label="iemand anders")
    events[2] = replace(edited, hash=hash_v1(edited))
    problem = verify_chain("org:1", rows(events), head_of(events))
    assert problem is not None
    assert problem.seq == 4
    assert "previous event" in problem.reason


def test_removed_event_is_named_by_the_gap() -> None:
    events = make_chain()
    del events[2]  # seq 3
    problem = verify_chain("org:1", rows(events), head_of(events))
    assert problem is not None
    assert problem.seq == 4  # the first event that no longer fits
    assert problem.event_id == 1004
    assert "from 2 to 4" in problem.reason
    assert "removed" in problem.reason


def test_removed_first_event_is_found() -> None:
    events = make_chain()[1:]
    problem = verify_chain("org:1", rows(events), head_of(events))
    assert problem is not None
    assert problem.seq == 2
    assert "from 0 to 2" in problem.reason


def test_swapped_events_are_found() -> None:
    events = make_chain()
    events[1], events[2] = events[2], events[1]
    problem = verify_chain("org:1", rows(events), head_of(events))
    assert problem is not None
    assert problem.seq == 3
    assert "reordered" in problem.reason


def test_swapped_and_renumbered_events_are_found() -> None:
    # Swapping contents but keeping seq 2 and 3 in place: the links no longer fit.
    events = make_chain()
    second, third = events[1], events[2]
    events[1] = replace(third, seq=2)
    events[2] = replace(second, seq=3)
    problem = verify_chain("org:1", rows(events), head_of(events))
    assert problem is not None
    assert problem.seq == 2
    assert "previous event" in problem.reason


def test_removed_tail_is_found_through_the_head() -> None:
    events = make_chain()
    head = head_of(events)
    problem = verify_chain("org:1", rows(events[:4]), head)
    assert problem is not None
    assert problem.seq is None
    assert problem.event_id is None
    assert "removed" in problem.reason
    assert "event 4" in problem.reason
    assert "event 5" in problem.reason


def test_all_events_removed_but_head_kept_is_found() -> None:
    events = make_chain()
    problem = verify_chain("org:1", [], head_of(events))
    assert problem is not None
    assert problem.seq is None
    assert "removed" in problem.reason


def test_head_with_wrong_hash_is_found() -> None:
    events = make_chain()
    problem = verify_chain("org:1", rows(events), (5, "f" * 64))
    assert problem is not None
    assert problem.seq is None


def test_one_microsecond_changes_the_hash() -> None:
    events = make_chain()
    moved = replace(events[1], occurred_at=events[1].occurred_at + timedelta(microseconds=1))
    assert hash_v1(moved) != events[1].hash
    events[1] = moved
    problem = verify_chain("org:1", rows(events), head_of(events))
    assert problem is not None
    assert problem.seq == 2
    assert "edited" in problem.reason


def test_hash_depends_on_the_instant_not_the_time_zone() -> None:
    event = make_chain(1)[0]
    same_instant = replace(event, occurred_at=event.occurred_at.astimezone(AMSTERDAM))
    assert hash_v1(same_instant) == event.hash


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("chain", "org:2"),
        ("seq", 9),
        ("actor_id", 42),
        ("actor_label", "x"),
        ("action", "incident.deleted"),
        ("entity_type", "user"),
        ("entity_id", None),
        ("before", None),
        ("prev_hash", "1" * 64),
    ],
)
def test_every_field_is_covered_by_the_hash(name: str, value: Any) -> None:
    event = make_chain(1)[0]
    assert hash_v1(replace(event, **{name: value})) != event.hash


def test_hash_refuses_naive_times() -> None:
    event = replace(make_chain(1)[0], occurred_at=datetime(2026, 11, 19, 10, 0))
    with pytest.raises(ValueError, match="naive"):
        hash_v1(event)


def test_canonical_json_is_key_order_independent() -> None:
    a = {"b": 1, "a": {"y": [1, 2], "x": None}, "c": "é"}
    b = {"c": "é", "a": {"x": None, "y": [1, 2]}, "b": 1}
    assert canonical_json(a) == canonical_json(b)
    assert canonical_json(a) == '{"a":{"x":null,"y":[1,2]},"b":1,"c":"é"}'


def test_canonical_json_keeps_list_order() -> None:
    assert canonical_json([1, 2]) != canonical_json([2, 1])


def test_snapshot_makes_values_json_safe() -> None:
    class Colour(StrEnum):
        RED = "red"

    class Level(Enum):
        HIGH = 3

    values = {
        "at": datetime(2026, 11, 19, 11, 0, tzinfo=AMSTERDAM),
        "summer": datetime(2026, 7, 1, 12, 0, 0, 5, tzinfo=timezone(timedelta(hours=2))),
        "tags": {"zeta", "alpha", "mid"},
        "frozen": frozenset({3, 1, 2}),
        "colour": Colour.RED,
        "level": Level.HIGH,
        "pair": (1, "a"),
        "nested": {"when": datetime(2026, 1, 1, tzinfo=UTC), 7: {"b", "a"}},
        "plain": "text",
        "none": None,
    }
    result = snapshot(values)
    assert result["at"] == "2026-11-19T10:00:00.000000+00:00"
    assert result["summer"] == "2026-07-01T10:00:00.000005+00:00"
    assert result["tags"] == ["alpha", "mid", "zeta"]
    assert result["frozen"] == [1, 2, 3]
    assert result["colour"] == "red"
    assert result["level"] == 3
    assert result["pair"] == [1, "a"]
    assert result["nested"] == {"when": "2026-01-01T00:00:00.000000+00:00", "7": ["a", "b"]}
    assert result["plain"] == "text"
    assert result["none"] is None
    assert json.loads(json.dumps(result)) == result


def test_snapshot_keys_become_strings() -> None:
    assert snapshot({1: "x"}) == {"1": "x"}  # type: ignore[dict-item]


def test_snapshot_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        snapshot({"at": datetime(2026, 11, 19, 10, 0)})


def test_snapshot_hashes_the_same_for_equal_content() -> None:
    one = snapshot({"tags": {"b", "a"}, "at": datetime(2026, 1, 1, 1, 0, tzinfo=AMSTERDAM)})
    two = snapshot({"at": datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "tags": {"a", "b"}})
    assert canonical_json(one) == canonical_json(two)
