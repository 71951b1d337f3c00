"""Checking the trail: one chain event by event, and that every organisation has its chain.

:class:`ChainVerifier` is fed one chain's events in sequence order (so a chain of millions of
events need not be held in memory) and reports, per chain:

* the first event that does not fit: a gap in the sequence (events missing), an event whose
  ``organisation_id`` contradicts its chain, a hash version that goes down (a version 1
  event after a version 2 event) or is unknown, a key the keyring does not hold, a broken
  link to the previous hash, a hash that does not match (the event was edited or forged);
* content that does not match its keyed digest and is not explained by a recorded erasure;
* a head row that is missing, or records more events than there are (a removed tail);
* disagreement with signed checkpoints: an event whose hash differs from the one a checkpoint
  recorded at that sequence number, or events a checkpoint recorded that are gone.

:func:`coverage_problems` adds what no single chain can show: an organisation without a chain,
and a chain that belongs to no organisation. Only the checkpoints show a tail removed together
with a consistent head update, or a chain removed with its organisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .erasure import ErasureTracker, read_erasure
from .problems import ChainProblem, Expected, ProblemKind, range_text, utc_minute
from .records import GENESIS_HASH, EventRecord, chain_name, chain_owner
from .sealing import (
    HASH_V1,
    KNOWN_HASH_VERSIONS,
    Keyring,
    content_digest,
    hash_v1,
    hash_v2,
    same_digest,
)


class ChainVerifier:
    """Verifies one chain from its events, fed in sequence order with :meth:`add`."""

    def __init__(
        self, chain: str, keys: Keyring, expected: Mapping[int, Expected] | None = None
    ) -> None:
        self.chain = chain
        self.keys = keys
        self.expected = dict(expected or {})
        try:
            self._owner: int | None = chain_owner(chain)
            self._owner_known = True
        except ValueError:
            self._owner, self._owner_known = None, False
        self.events = 0
        self.last_seq = 0
        self.last_hash = GENESIS_HASH
        self._version = HASH_V1
        self._broken: ChainProblem | None = None
        self._checkpoint: ChainProblem | None = None
        self._erasures = ErasureTracker()

    def add(self, row_id: int, record: EventRecord) -> None:
        """Check the next event (only the first break is kept; counting goes on)."""
        self.events += 1
        expected = self.expected.get(record.seq)
        if expected is not None and self._checkpoint is None and record.hash != expected.hash:
            self._checkpoint = ChainProblem(
                self.chain,
                record.seq,
                row_id,
                f"event {record.seq} differs from the checkpoint of "
                f"{utc_minute(expected.recorded_at)}: events up to {record.seq} were rewritten",
                ProblemKind.CHECKPOINT_MISMATCH,
                checkpoint_at=expected.recorded_at,
            )
        if self._broken is None:
            self._broken = self._check(row_id, record)
        self.last_seq, self.last_hash = record.seq, record.hash

    def _problem(
        self, record: EventRecord, row_id: int, kind: ProblemKind, reason: str
    ) -> ChainProblem:
        return ChainProblem(self.chain, record.seq, row_id, reason, kind)

    def _check(self, row_id: int, record: EventRecord) -> ChainProblem | None:
        expected_seq = self.last_seq + 1
        if record.seq > expected_seq:
            first, last = expected_seq, record.seq - 1
            return ChainProblem(
                self.chain,
                record.seq,
                row_id,
                f"{range_text(self.chain, first, last)}: the sequence jumps from "
                f"{self.last_seq} to {record.seq} (events were removed or reordered)",
                ProblemKind.EVENTS_MISSING,
                missing=(first, last),
            )
        if record.seq < expected_seq:
            return self._problem(
                record,
                row_id,
                ProblemKind.OUT_OF_ORDER,
                f"event {record.seq} comes after event {self.last_seq}: events were reordered",
            )
        if self._owner_known and record.organisation_id != self._owner:
            return self._problem(
                record,
                row_id,
                ProblemKind.WRONG_ORGANISATION,
                f"its organisation_id is {record.organisation_id} but it is in chain "
                f"{self.chain}: it was moved",
            )
        if record.hash_version not in KNOWN_HASH_VERSIONS:
            return self._problem(
                record,
                row_id,
                ProblemKind.UNKNOWN_VERSION,
                f"unknown hash version {record.hash_version}",
            )
        if record.hash_version < self._version:
            return self._problem(
                record,
                row_id,
                ProblemKind.VERSION_DOWNGRADE,
                f"hash version {record.hash_version} after version {self._version}: "
                "a version never goes down, so this event was rewritten",
            )
        self._version = record.hash_version
        if record.prev_hash != self.last_hash:
            return self._problem(
                record,
                row_id,
                ProblemKind.BROKEN_LINK,
                "does not link to the previous event's hash",
            )
        if record.hash_version == HASH_V1:
            if hash_v1(record) != record.hash:
                return self._problem(
                    record,
                    row_id,
                    ProblemKind.EDITED,
                    "content does not match its hash: it was edited",
                )
            return None
        key = self.keys.find(record.key_id)
        if key is None:
            return self._problem(
                record,
                row_id,
                ProblemKind.UNKNOWN_KEY,
                f"sealed with key {record.key_id!r}, which is not in the keyring",
            )
        if not same_digest(hash_v2(key.secret, record), record.hash):
            return self._problem(
                record,
                row_id,
                ProblemKind.EDITED,
                "does not match its keyed hash: it was edited or forged",
            )
        actual = content_digest(key.secret, record.actor_label, record.before, record.after)
        if not same_digest(actual, record.content_digest):
            self._erasures.content_differs(record.seq, row_id, record.content_digest or "", actual)
        note = read_erasure(record)
        if note is not None:
            self._erasures.record(note)
        return None

    def finish(self, head: tuple[int, str] | None) -> list[ChainProblem]:
        """Every problem found, first position first, given the head row (last seq, hash)."""
        problems = [p for p in (self._broken, self._checkpoint) if p is not None]
        if self._broken is None:
            problems.extend(self._head_problems(head))
        for seq, row_id in self._erasures.unexplained():
            problems.append(
                ChainProblem(
                    self.chain,
                    seq,
                    row_id,
                    "its content (who, before, after) does not match its keyed digest and no "
                    "later event records an erasure: it was edited",
                    ProblemKind.CONTENT_EDITED,
                )
            )
        missing = self._missing_since_checkpoint(problems)
        if missing is not None:
            problems.append(missing)
        return sorted(problems, key=lambda p: p.position)

    def _head_problems(self, head: tuple[int, str] | None) -> list[ChainProblem]:
        if head is None:
            if self.events == 0:
                return []
            return [
                ChainProblem(
                    self.chain,
                    None,
                    None,
                    f"the chain has {self.events} events but no head row: it was deleted",
                    ProblemKind.HEAD_MISSING,
                )
            ]
        head_seq, head_hash = head
        if (head_seq, head_hash) == (self.last_seq, self.last_hash):
            return []
        if head_seq > self.last_seq:
            first = self.last_seq + 1
            return [
                ChainProblem(
                    self.chain,
                    None,
                    None,
                    f"{range_text(self.chain, first, head_seq)}: the chain ends at event "
                    f"{self.last_seq} but its head records event {head_seq}, so events at the "
                    "end were removed",
                    ProblemKind.EVENTS_MISSING,
                    missing=(first, head_seq),
                )
            ]
        return [
            ChainProblem(
                self.chain,
                None,
                None,
                f"the head row records event {head_seq} with another hash than the chain's "
                f"last event {self.last_seq}: it was changed",
                ProblemKind.HEAD_MISMATCH,
            )
        ]

    def _missing_since_checkpoint(self, found: list[ChainProblem]) -> ChainProblem | None:
        if not self.expected:
            return None
        top = max(self.expected)
        if top <= self.last_seq:
            return None
        first = self.last_seq + 1
        covered = any(
            p.missing is not None and p.missing[0] <= first and p.missing[1] >= top for p in found
        )
        if covered:
            return None
        at = self.expected[top].recorded_at
        return ChainProblem(
            self.chain,
            None,
            None,
            f"{range_text(self.chain, first, top)}: checkpoint of {utc_minute(at)} recorded {top}",
            ProblemKind.EVENTS_MISSING,
            missing=(first, top),
            checkpoint_at=at,
        )


def verify_chain(
    chain: str,
    events: Iterable[tuple[int, EventRecord]],
    head: tuple[int, str] | None,
    keys: Keyring | None = None,
    expected: Mapping[int, Expected] | None = None,
) -> ChainProblem | None:
    """Check one chain given as (row id, record) pairs in sequence order; the first problem.

    ``head`` is the stored (last sequence number, last hash), or None without a head row.
    """
    verifier = ChainVerifier(chain, keys or Keyring(), expected)
    for row_id, record in events:
        verifier.add(row_id, record)
    problems = verifier.finish(head)
    return problems[0] if problems else None


def coverage_problems(organisation_ids: Iterable[int], chains: Iterable[str]) -> list[ChainProblem]:
    """Organisations without a chain, and chains no organisation owns.

    ``chains`` are the chains that hold events. Every organisation has one from its creation
    on (creating an organisation writes ``organisation.created`` to its chain).
    """
    orgs = set(organisation_ids)
    present = set(chains)
    problems = [
        ChainProblem(
            chain_name(org),
            None,
            None,
            f"organisation {org} has no audit events: its chain was removed",
            ProblemKind.CHAIN_MISSING,
        )
        for org in sorted(orgs)
        if chain_name(org) not in present
    ]
    for chain in sorted(present):
        try:
            owner = chain_owner(chain)
        except ValueError as error:
            problems.append(ChainProblem(chain, None, None, str(error), ProblemKind.UNKNOWN_CHAIN))
            continue
        if owner is not None and owner not in orgs:
            problems.append(
                ChainProblem(
                    chain,
                    None,
                    None,
                    f"there is no organisation {owner}: the chain belongs to nobody",
                    ProblemKind.UNKNOWN_CHAIN,
                )
            )
    return problems
