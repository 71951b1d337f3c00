"""Verifying the whole audit trail: every chain, every organisation, every signed checkpoint.

:func:`verify_trail` streams each chain's events from the database (in sequence order, a
few thousand rows at a time) through :class:`~breachdesk.domain.audit.ChainVerifier` with the
installation's keyring, checks that every organisation has its chain and every chain an
organisation, and compares each chain with what every validly signed checkpoint recorded.
The organisation's register is compared with what its chain recorded as well
(:mod:`breachdesk.domain.audit.register_trail`): an incident's moment of awareness, decision
or filing changed in the database, with every event left intact, is named. It only reads;
it does not end the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.audit import (
    ChainProblem,
    ChainVerifier,
    EventRecord,
    chain_name,
    coverage_problems,
)
from ..domain.audit.checkpoints import Checkpoint, CheckpointProblem, expectations
from ..domain.audit.records import chain_owner
from ..domain.audit.register_trail import RegisterMismatch, RegisterTracer
from ..models import AuditChainHead, AuditEvent, Organisation
from .audit_keys import AuditFiles, files_for, load_keyring
from .audit_signing import trusted_log
from .register_trail import stored_incidents

_STREAM_ROWS = 5000
_COLUMNS = (
    AuditEvent.id,
    AuditEvent.chain,
    AuditEvent.seq,
    AuditEvent.organisation_id,
    AuditEvent.occurred_at,
    AuditEvent.actor_id,
    AuditEvent.actor_label,
    AuditEvent.action,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.before,
    AuditEvent.after,
    AuditEvent.prev_hash,
    AuditEvent.hash,
    AuditEvent.hash_version,
    AuditEvent.key_id,
    AuditEvent.content_digest,
)


@dataclass(frozen=True)
class ChainReport:
    chain: str
    events: int
    problems: tuple[ChainProblem, ...] = ()
    # Where the organisation's register no longer says what this chain recorded.
    register: tuple[RegisterMismatch, ...] = ()

    @property
    def problem(self) -> ChainProblem | None:
        """The first problem in the chain (the first bad event or missing range)."""
        return self.problems[0] if self.problems else None

    @property
    def sound(self) -> bool:
        """The chain is intact and the register says what it recorded."""
        return self.problem is None and not self.register


@dataclass(frozen=True)
class TrailReport:
    chains: list[ChainReport]
    checkpoint_problems: tuple[CheckpointProblem, ...]
    checkpoints: int  # validly signed checkpoints the chains were compared with
    last_checkpoint: Checkpoint | None

    @property
    def intact(self) -> bool:
        return not self.checkpoint_problems and all(r.sound for r in self.chains)


def _events(session: Session, chain: str) -> Iterator[tuple[int, EventRecord]]:
    # Core rows, streamed (a server-side cursor on PostgreSQL): no ORM objects, so millions
    # of events need neither the ORM's time nor memory for all of them at once. The option
    # goes on the statement: on the connection it would stay for the session's later writes.
    statement = (
        select(*_COLUMNS)
        .where(AuditEvent.chain == chain)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=_STREAM_ROWS)
    )
    for row in session.connection().execute(statement):
        yield (
            row.id,
            EventRecord(
                chain=row.chain,
                seq=row.seq,
                organisation_id=row.organisation_id,
                occurred_at=row.occurred_at,
                actor_id=row.actor_id,
                actor_label=row.actor_label,
                action=row.action,
                entity_type=row.entity_type,
                entity_id=row.entity_id,
                before=row.before,
                after=row.after,
                prev_hash=row.prev_hash,
                hash=row.hash,
                hash_version=row.hash_version,
                key_id=row.key_id,
                content_digest=row.content_digest,
            ),
        )


def _owner(chain: str) -> int | None:
    try:
        return chain_owner(chain)
    except ValueError:
        return None


def verify_trail(
    session: Session,
    *,
    chains: Sequence[str] | None = None,
    files: AuditFiles | None = None,
    register: bool = True,
) -> TrailReport:
    """Verify every chain (or only ``chains``) against the keyring and the checkpoints, and
    (unless ``register`` is False: the benchmark's baseline) each organisation's register
    against its chain.

    Raises:
        AuditKeyError: a key file exists but cannot be read.
    """
    files = files or files_for(session)
    keyring = load_keyring(files, create=False)
    log = trusted_log(files)
    expected = expectations(log.checkpoints)
    organisations = list(session.execute(select(Organisation.id)).scalars())
    with_events = set(session.execute(select(AuditEvent.chain).distinct()).scalars())
    heads = {
        h.chain: (h.last_seq, h.last_hash)
        for h in session.execute(select(AuditChainHead)).scalars()
    }
    coverage: dict[str, list[ChainProblem]] = {}
    for problem in coverage_problems(organisations, with_events):
        coverage.setdefault(problem.chain, []).append(problem)
    if chains is None:
        names = sorted(
            with_events | set(heads) | set(expected) | {chain_name(o) for o in organisations}
        )
    else:
        names = list(chains)
    reports = []
    known = set(organisations)
    for name in names:
        verifier = ChainVerifier(name, keyring, expected.get(name))
        tracer = RegisterTracer()
        for row_id, record in _events(session, name):
            verifier.add(row_id, record)
            if register:
                tracer.add(
                    record.seq, record.action, record.entity_type, record.entity_id, record.after
                )
        problems = coverage.get(name, []) + verifier.finish(heads.get(name))
        problems.sort(key=lambda p: p.position)
        owner = _owner(name)
        changed = (
            tracer.compare(stored_incidents(session, owner)) if register and owner in known else []
        )
        reports.append(ChainReport(name, verifier.events, tuple(problems), tuple(changed)))
    return TrailReport(reports, log.problems, len(log.checkpoints), log.last)
