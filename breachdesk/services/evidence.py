"""Uploading evidence: checked, stored, and kept across a form that still has errors.

A file that arrives with a report that has other errors is stored as a
:class:`~breachdesk.models.PendingUpload` of that user, so the reporter does not lose it; the
report form lists it and sends its id back. :func:`claim` turns pending uploads into
attachments when the report is saved; :func:`purge_stale` removes unclaimed ones.

A file that arrives with a report that has no errors goes into the report's own transaction
(:func:`stage` with ``commit=False``): one commit stores the report and its attachments, and
the pending row is never written. Should that transaction fail, :func:`keep_after_failure`
stores the files as pending uploads after all (or deletes them when even that fails), and
:func:`discard_unclaimed` removes the files of a request that ended in an error.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ..domain.evidence import EvidenceProblem, check_evidence, safe_filename
from ..models import Attachment, Incident, PendingUpload, User
from . import audit
from .audit import Actor
from .clock import Clock
from .storage import FileStore, TooLarge

PENDING_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class UploadRejected(Exception):
    problem: EvidenceProblem


def stage(
    session: Session,
    *,
    user: User | str,
    filename: str,
    stream: IO[bytes],
    store: FileStore,
    clock: Clock,
    max_bytes: int,
    commit: bool = True,
) -> PendingUpload:
    """Check and store one uploaded file as a pending upload of ``user`` (commits).

    ``user`` is a user, or the owner key of someone reporting through a reporting link.

    If the file store or the database fails, nothing is left behind: no file, no row.

    ``commit=False``: the pending upload is not even added to the session (nothing is written
    for it): the caller's transaction claims it, or :func:`keep` stores it; the caller answers
    for the file when that transaction fails (:func:`keep_after_failure`,
    :func:`discard_unclaimed`).

    Raises:
        UploadRejected: wrong type, empty, too large, or content not matching the extension.
        OSError: the file store cannot write (full disk, I/O error).
        sqlalchemy.exc.OperationalError: the database is locked, full or unreachable.
    """
    name = safe_filename(filename)
    try:
        stored = store.save(stream, max_bytes)
    except TooLarge:
        _, problem = check_evidence(name, b"", max_bytes + 1, max_bytes)
        assert problem is not None  # noqa: S101 - a size over the limit is always a problem
        raise UploadRejected(problem) from None
    kind, problem = check_evidence(name, stored.head, stored.size, max_bytes)
    if problem is not None or kind is None:
        store.delete(stored.key)
        assert problem is not None  # noqa: S101 - check_evidence returns one of the two
        raise UploadRejected(problem)
    pending = PendingUpload(
        id=str(uuid.uuid4()),
        user_id=user.id if isinstance(user, User) else None,
        owner_key=None if isinstance(user, User) else _owner_digest(user),
        filename=name,
        content_type=kind.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        created_at=clock.now(),
    )
    if commit:
        keep(session, store, [pending])
    return pending


def keep(session: Session, store: FileStore, staged: Sequence[PendingUpload]) -> None:
    """Store ``staged`` (from :func:`stage` without committing) as pending uploads: commits.

    If the database refuses (locked, full), it is rolled back, the files are deleted (a file
    must not stay behind without a row) and the error is raised.
    """
    session.add_all(staged)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        for item in staged:
            store.delete(item.storage_key)
        raise


def keep_after_failure(
    session: Session, store: FileStore, staged: Sequence[PendingUpload]
) -> list[PendingUpload]:
    """The transaction that held ``staged`` failed and was rolled back: store them as pending
    uploads on their own, so the form can list them again (commits). If the database refuses
    that too, their files are deleted and nothing is kept. Returns the pending uploads kept.
    """
    columns = PendingUpload.__table__.columns.keys()
    copies = [PendingUpload(**{name: getattr(item, name) for name in columns}) for item in staged]
    session.add_all(copies)
    try:
        session.commit()
    except Exception:
        session.rollback()
        for item in staged:
            store.delete(item.storage_key)
        return []
    return copies


def discard_unclaimed(session: Session, store: FileStore, staged: Sequence[PendingUpload]) -> int:
    """After a request ended in an error: delete the files of ``staged`` that no saved
    attachment or pending upload refers to (rolls back first). Returns how many."""
    session.rollback()
    keys = [item.storage_key for item in staged]
    used = set(
        session.execute(
            select(Attachment.storage_key)
            .where(Attachment.storage_key.in_(keys))
            .union(select(PendingUpload.storage_key).where(PendingUpload.storage_key.in_(keys)))
        ).scalars()
    )
    session.rollback()
    unused = [key for key in keys if key not in used]
    for key in unused:
        store.delete(key)
    return len(unused)


def owned_by(pending: PendingUpload, user: User | str) -> bool:
    """Whether ``pending`` was uploaded by ``user`` (a user, or a reporting link's owner key)."""
    if isinstance(user, User):
        return pending.user_id == user.id
    return pending.owner_key == _owner_digest(user)


def _owner_digest(owner_key: str) -> str:
    """What is stored of a reporter's owner key: its digest (the key lives in their session)."""
    return hashlib.sha256(owner_key.encode()).hexdigest()


def pending_of(session: Session, user: User | str, ids: Sequence[str]) -> list[PendingUpload]:
    """The pending uploads among ``ids`` that belong to ``user`` (others are ignored).

    ``user`` is a user, or the owner key of someone reporting through a reporting link.
    """
    if not ids:
        return []
    owned = (
        PendingUpload.user_id == user.id
        if isinstance(user, User)
        else PendingUpload.owner_key == _owner_digest(user)
    )
    return list(
        session.execute(
            select(PendingUpload)
            .where(PendingUpload.id.in_(list(ids)), owned)
            .order_by(PendingUpload.created_at)
        ).scalars()
    )


def claim(
    session: Session, pending: Sequence[PendingUpload], *, incident_id: int, user: User | None
) -> list[Attachment]:
    """Turn pending uploads into attachments of ``incident_id`` (in the caller's transaction).

    ``user`` None: uploaded by the reporter through a reporting or follow-up link. A pending
    upload staged in this transaction (never written) is simply not written.
    """
    attachments: list[Attachment] = []
    for item in pending:
        attachment = Attachment(
            incident_id=incident_id,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            storage_key=item.storage_key,
            uploaded_by_id=user.id if user is not None else None,
            uploaded_at=item.created_at,
        )
        session.add(attachment)
        if not inspect(item).transient:  # staged in this request: never written
            session.delete(item)
        attachments.append(attachment)
    return attachments


def purge_stale(session: Session, *, store: FileStore, clock: Clock) -> int:
    """Delete pending uploads older than a day, with their files; returns how many."""
    cutoff = clock.now() - PENDING_LIFETIME
    stale = list(
        session.execute(select(PendingUpload).where(PendingUpload.created_at < cutoff)).scalars()
    )
    for item in stale:
        session.delete(item)
    session.commit()
    for item in stale:
        store.delete(item.storage_key)
    return len(stale)


def add_to_incident(
    session: Session,
    incident: Incident,
    pending: Sequence[PendingUpload],
    *,
    note: str,
    user: User,
    clock: Clock,
) -> list[Attachment]:
    """Attach the FG's own evidence (the AP's receipt, a written deletion confirmation) to
    ``incident``, with what it is, audited (commits)."""
    attachments = claim(session, pending, incident_id=incident.id, user=user)
    text = " ".join(note.split())[:300]
    for attachment in attachments:
        attachment.note = text
    session.flush()
    audit.record(
        session,
        clock=clock,
        actor=Actor.of(user),
        action="incident.evidence_added",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={
            "attachments": [
                {"filename": a.filename, "size": a.size, "sha256": a.sha256} for a in attachments
            ],
            "note_sha256": hashlib.sha256(text.encode()).hexdigest() if text else "",
        },
    )
    incident.updated_at = clock.now()
    session.commit()
    return attachments
