"""Checkpoints as data: their line format, how consecutive ones must agree, the e-mail text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from breachdesk.domain.audit import GENESIS_HASH, Expected
from breachdesk.domain.audit.checkpoint_text import checkpoint_text
from breachdesk.domain.audit.checkpoints import (
    ChainHead,
    Checkpoint,
    CheckpointFormatError,
    CheckpointProblemKind,
    checkpoint_digest,
    expectations,
    parse_line,
    same_heads,
    sequence_problems,
    signed_body,
    to_line,
)

EXPECTED_DIR = Path(__file__).parent / "expected"
T1 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def checkpoint(at: datetime, *heads: tuple[str, int, str], prev: str = GENESIS_HASH) -> Checkpoint:
    return Checkpoint(
        created_at=at,
        signing_key_id="0123456789abcdef",
        heads=tuple(ChainHead(*h) for h in heads),
        prev=prev,
        signature="c2lnbmF0dXJl",
    )


def linked(*items: Checkpoint) -> list[tuple[int, Checkpoint]]:
    """The checkpoints with correct prev links, numbered as file lines."""
    result: list[tuple[int, Checkpoint]] = []
    for number, item in enumerate(items, start=1):
        prev = checkpoint_digest(result[-1][1]) if result else GENESIS_HASH
        result.append((number, replace(item, prev=prev)))
    return result


def test_line_round_trip() -> None:
    original = checkpoint(T1, ("org:2", 4, "b" * 64), ("global", 1, "c" * 64), prev="d" * 64)
    line = to_line(original)
    assert line.endswith("\n") and line.count("\n") == 1
    assert parse_line(line) == original
    data = json.loads(line)
    assert [c["chain"] for c in data["chains"]] == ["global", "org:2"]  # sorted
    assert data["created_at"] == "2026-11-30T10:00:00.000000+00:00"


def test_signature_is_not_part_of_the_signed_body() -> None:
    original = checkpoint(T1, ("org:1", 1, "a" * 64))
    assert signed_body(original) == signed_body(replace(original, signature="other"))
    assert b"signature" not in signed_body(original)
    assert checkpoint_digest(original) != checkpoint_digest(
        replace(original, created_at=T1 + timedelta(seconds=1))
    )


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        "{}",
        '{"format": 2}',
        to_line(checkpoint(T1)).replace("+00:00", ""),
        to_line(checkpoint(T1, ("org:1", 1, "a" * 64))).replace('"seq":1', '"seq":"x"'),
    ],
)
def test_malformed_lines_are_refused(line: str) -> None:
    with pytest.raises(CheckpointFormatError):
        parse_line(line)


def test_same_heads_means_nothing_changed() -> None:
    one = checkpoint(T1, ("org:1", 3, "a" * 64), ("global", 2, "b" * 64))
    assert same_heads(one, [ChainHead("global", 2, "b" * 64), ChainHead("org:1", 3, "a" * 64)])
    assert not same_heads(one, [ChainHead("org:1", 3, "a" * 64)])
    assert not same_heads(None, [])


def test_expectations_keep_the_earliest_checkpoint_per_event() -> None:
    first = checkpoint(T1, ("org:1", 3, "a" * 64))
    second = checkpoint(T1 + timedelta(hours=1), ("org:1", 3, "a" * 64), ("org:2", 1, "b" * 64))
    third = checkpoint(T1 + timedelta(hours=2), ("org:1", 5, "c" * 64))
    assert expectations([third, second, first]) == {
        "org:1": {3: Expected("a" * 64, T1), 5: Expected("c" * 64, T1 + timedelta(hours=2))},
        "org:2": {1: Expected("b" * 64, T1 + timedelta(hours=1))},
    }


def test_consecutive_checkpoints_that_agree_have_no_problems() -> None:
    items = linked(
        checkpoint(T1, ("org:1", 3, "a" * 64)),
        checkpoint(T1 + timedelta(hours=1), ("org:1", 3, "a" * 64), ("org:2", 1, "b" * 64)),
        checkpoint(T1 + timedelta(hours=2), ("org:1", 4, "c" * 64), ("org:2", 1, "b" * 64)),
    )
    assert sequence_problems(items) == []


def test_a_removed_checkpoint_breaks_the_link() -> None:
    items = linked(
        *(checkpoint(T1 + timedelta(hours=h), ("org:1", h + 1, "a" * 64)) for h in range(3))
    )
    del items[1]
    problems = sequence_problems(items)
    assert [(p.line, p.kind) for p in problems] == [(3, CheckpointProblemKind.BROKEN_LINK)]


def test_the_first_checkpoint_links_to_nothing() -> None:
    items = [(1, checkpoint(T1, ("org:1", 1, "a" * 64), prev="e" * 64))]
    assert [p.kind for p in sequence_problems(items)] == [CheckpointProblemKind.BROKEN_LINK]


def test_time_going_back_is_reported() -> None:
    items = linked(checkpoint(T1), checkpoint(T1 - timedelta(minutes=1)))
    assert [p.kind for p in sequence_problems(items)] == [CheckpointProblemKind.TIME_REVERSED]


@pytest.mark.parametrize(
    ("later", "words"),
    [
        ((), "org:1 is gone"),
        ((("org:1", 2, "a" * 64),), "went back from 3 to 2 events"),
        ((("org:1", 3, "f" * 64),), "has another event 3"),
    ],
)
def test_a_chain_never_shrinks_or_changes_between_checkpoints(
    later: tuple[tuple[str, int, str], ...], words: str
) -> None:
    items = linked(
        checkpoint(T1, ("org:1", 3, "a" * 64)), checkpoint(T1 + timedelta(hours=1), *later)
    )
    problems = sequence_problems(items)
    assert [(p.line, p.kind) for p in problems] == [(2, CheckpointProblemKind.CHAIN_SHRANK)]
    assert words in problems[0].reason
    assert "2026-11-30 10:00 UTC" in problems[0].reason


def test_checkpoint_text_for_the_fg_matches_the_expected_file() -> None:
    item = checkpoint(
        datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
        ("org:3", 57, "9f" * 32),
        ("org:4", 2, "aa" * 32),
        prev="d" * 64,
    )
    text = checkpoint_text(item, "org:3", "Kruix")
    expected = (EXPECTED_DIR / "checkpoint-mail.txt").read_text(encoding="utf-8")
    assert text == expected
    assert checkpoint_digest(item) in text
    assert "aa" * 32 not in text  # another organisation's figures stay out


def test_checkpoint_text_needs_the_chain_in_the_checkpoint() -> None:
    with pytest.raises(KeyError):
        checkpoint_text(checkpoint(T1, ("org:1", 1, "a" * 64)), "org:2", "X")
