"""Signed checkpoints of the audit trail, written to a file outside the database.

A checkpoint (see :mod:`breachdesk.domain.audit.checkpoints`) records every chain's length
and last hash, signed with Ed25519 (:mod:`.audit_signing`). They are appended to the
checkpoint file (``AUDIT_CHECKPOINT_FILE``, default ``<instance>/audit/checkpoints.jsonl``),
one per line. That file is only ever appended to: opened with ``O_APPEND``, one line per
write, fsync'd, under an exclusive ``flock`` so that two writers neither interleave nor fork
the chain of ``prev`` digests. Nothing rewrites or truncates it; a line torn by a crash is
left as it is and reported as unreadable.

A checkpoint records what the database holds at that moment; it does not vouch that the
chains are intact (verification does that). Writing one changes nothing in the database, so
it writes no audit event: that event would change the very chain it has just recorded.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.audit.checkpoints import (
    ChainHead,
    Checkpoint,
    CheckpointFormatError,
    checkpoint_digest,
    parse_line,
    same_heads,
    to_line,
)
from ..domain.audit.records import GENESIS_HASH
from ..models import AuditEvent
from .audit_keys import AuditFiles, files_for
from .audit_signing import sign, signing_key
from .clock import Clock


def current_heads(session: Session) -> list[ChainHead]:
    """Every chain's last event (seq and hash), as the events table holds them."""
    last = (
        select(AuditEvent.chain, func.max(AuditEvent.seq).label("seq"))
        .group_by(AuditEvent.chain)
        .subquery()
    )
    rows = session.execute(
        select(AuditEvent.chain, AuditEvent.seq, AuditEvent.hash)
        .join(last, (AuditEvent.chain == last.c.chain) & (AuditEvent.seq == last.c.seq))
        .order_by(AuditEvent.chain)
    )
    return [ChainHead(chain, seq, digest) for chain, seq, digest in rows]


def _lines_backwards(path: Path, block: int = 65536) -> Iterator[bytes]:
    """The non-blank lines of ``path``, last first, read from the end in blocks."""
    with path.open("rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        tail = b""  # the end part of a line whose beginning is not read yet
        while position > 0:
            step = min(block, position)
            position -= step
            handle.seek(position)
            parts = (handle.read(step) + tail).split(b"\n")
            tail = parts[0]
            for line in reversed(parts[1:]):
                if line.strip():
                    yield line
        if tail.strip():
            yield tail


def last_checkpoint(path: Path) -> Checkpoint | None:
    """The last readable checkpoint in ``path`` (signature not checked), None if there is none."""
    if not path.exists():
        return None
    for line in _lines_backwards(path):
        try:
            return parse_line(line.decode("utf-8"))
        except (CheckpointFormatError, UnicodeDecodeError):
            continue
    return None


@contextmanager
def _appending(path: Path) -> Iterator[int]:
    """An append-only descriptor of ``path`` held under an exclusive lock."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def _append(fd: int, path: Path, line: str) -> None:
    data = line.encode("utf-8")
    size = os.fstat(fd).st_size
    if size:
        with path.open("rb") as handle:
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                data = b"\n" + data  # a torn last line (crash mid-write) stays on its own
    while data:
        written = os.write(fd, data)
        data = data[written:]
    os.fsync(fd)
    if size == 0:
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _write(
    session: Session, clock: Clock, files: AuditFiles, interval: timedelta | None
) -> Checkpoint | None:
    key = signing_key(files)
    with _appending(files.checkpoint_file) as fd:
        previous = last_checkpoint(files.checkpoint_file)
        now = clock.now()
        if interval is not None and previous is not None and now - previous.created_at < interval:
            return None
        heads = current_heads(session)
        if interval is not None and same_heads(previous, heads):
            return None
        checkpoint = sign(
            Checkpoint(
                created_at=now,
                signing_key_id="",
                heads=tuple(heads),
                prev=checkpoint_digest(previous) if previous is not None else GENESIS_HASH,
            ),
            key,
        )
        _append(fd, files.checkpoint_file, to_line(checkpoint))
        return checkpoint


def write_checkpoint(
    session: Session, *, clock: Clock, files: AuditFiles | None = None
) -> Checkpoint:
    """Sign the current state of every chain and append it to the checkpoint file, now."""
    checkpoint = _write(session, clock, files or files_for(session), None)
    assert checkpoint is not None  # noqa: S101 - without an interval a checkpoint is written
    return checkpoint


def checkpoint_if_due(
    session: Session, *, clock: Clock, interval: timedelta, files: AuditFiles | None = None
) -> Checkpoint | None:
    """Write a checkpoint when the trail changed since the last one and ``interval`` passed.

    The first checkpoint is always due. Reads the database only and leaves ending the
    transaction to the caller. Returns the checkpoint written, or None. Meant for
    the scheduler's tick (``AUDIT_CHECKPOINT_INTERVAL`` seconds); safe to call from several
    processes at once (the checkpoint file is locked while one is written).
    """
    return _write(session, clock, files or files_for(session), interval)
