"""The evidence pack of one incident: everything the AP may ask for, in one ZIP, provably whole.

:func:`gather` reads what the pack holds (read only): the incident's audit events and the
verification of its organisation's audit chain, its attachments, the AP answer sheets as they
were filed, the approved notices to the people affected and what was sent. :func:`write_zip`
writes the ZIP:

    summary.pdf                     the incident from report to closure (rendered by the caller)
    attachments/<n>-<name>          the evidence files, byte for byte (decrypted); for a file
                                    erased by retention ``<n>-erased.txt`` says so, with the
                                    digest and size of the file as received
    filings/<n>-<addressee>-<kind>.json   each filed answer sheet, as filed
    notices/people-v<n>.json        each approved notice to the people affected
    notices/mailing-<n>.json        each mailing as a whole: when it started, which version,
                                    its e-mails counted by status, its letters and when
                                    their posting was recorded (with the letters' digest)
    notices/mailing-<n>-proof.csv   per person of each mailing: channel, status, when sent,
                                    the server's reply and the digest of what was sent; for
                                    a letter its status and when it was posted (not the
                                    address: the list itself stays in breachdesk)
    notices/public.json             the public communication (Art. 34(3)(c)), once published:
                                    where, when, its web address, its text and digest
    audit/events.json               the incident's audit events, with their hashes
    audit/verification.json         the verification of the organisation's chain, now
    manifest.json                   the SHA-256 and size of every file above

The ZIP is written to a temporary file (attachments can be large), never held in memory whole.
A file listed in the manifest that does not match its digest, or an audit row changed behind
the application's back (``verification.json`` then says where), shows that the pack or the
trail was tampered with.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.audit import chain_name
from ..domain.delivery import Status
from ..domain.notices.ap_draft import Informing
from ..domain.register import Informed
from ..models import (
    Attachment,
    AuditEvent,
    Delivery,
    Incident,
    Mailing,
    Notification,
    PeopleNotice,
    PublicNotice,
    RemedialAction,
)
from .actions import actions_of
from .audit_verify import ChainReport, verify_trail
from .informing import informed_of, informing_of
from .proof import proof_csv
from .storage import FileStore

#: The name of the manifest inside the ZIP.
MANIFEST = "manifest.json"


#: Delivery statuses of an e-mail that has not gone out yet but still may.
WAITING = (Status.PLANNED.value, Status.SENDING.value, Status.HELD.value)


@dataclass(frozen=True)
class MailingSummary:
    """One mailing: its e-mails counted by delivery status, its letters on the mailing."""

    mailing: Mailing
    counts: dict[str, int]  # delivery status -> rows

    @property
    def emails(self) -> int:
        return sum(self.counts.values())

    @property
    def sent(self) -> int:
        return self.counts.get(Status.SENT.value, 0)

    @property
    def failed(self) -> int:
        return self.counts.get(Status.FAILED.value, 0)

    @property
    def waiting(self) -> int:
        return sum(self.counts.get(status, 0) for status in WAITING)

    @property
    def cancelled(self) -> int:
        return self.counts.get(Status.CANCELLED.value, 0)

    def record(self) -> dict[str, Any]:
        """The mailing as ``notices/mailing-<n>.json`` records it (no personal data)."""
        mailing = self.mailing
        return {
            "mailing": mailing.id,
            "started_at": mailing.started_at,
            "status": mailing.status,
            "notice_version": mailing.notice.version,
            "notice_sha256": mailing.notice.sha256,
            "emails": {
                "people": self.emails,
                "sent": self.sent,
                "failed": self.failed,
                "waiting": self.waiting,
                "cancelled": self.cancelled,
            },
            "letters": {
                "people": mailing.letters,
                "posted_at": mailing.letters_posted_at,
                "pdf_sha256": mailing.letters_pdf_sha256 or None,
            },
        }


@dataclass
class PackContents:
    """What one incident's evidence pack holds, read in one go."""

    incident: Incident
    events: list[AuditEvent]
    chain: ChainReport | None
    checkpoints: int
    filings: list[Notification]
    notices: list[PeopleNotice]  # approved versions
    mailings: list[MailingSummary]
    attachments: list[Attachment]
    actions: list[RemedialAction]
    generated_at: datetime
    public: PublicNotice | None = None  # the public communication, if one was saved
    informing: Informing | None = None  # how far the people were informed, from the proof
    informed: Informed = Informed.UNDECIDED  # the register's verdict on informing them
    problems: list[str] = field(default_factory=list)

    @property
    def trail_intact(self) -> bool:
        return self.chain is not None and self.chain.sound


def gather(session: Session, incident: Incident, now: datetime) -> PackContents:
    """Everything the pack of ``incident`` holds (reads only)."""
    events = list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "incident", AuditEvent.entity_id == str(incident.id))
            .order_by(AuditEvent.seq)
        ).scalars()
    )
    chain = chain_name(incident.organisation_id)
    trail = verify_trail(session, chains=[chain])
    report = next((r for r in trail.chains if r.chain == chain), None)
    notices = list(
        session.execute(
            select(PeopleNotice)
            .where(PeopleNotice.incident_id == incident.id, PeopleNotice.approved_at.is_not(None))
            .order_by(PeopleNotice.version)
        ).scalars()
    )
    mailings = []
    for mailing in session.execute(
        select(Mailing).where(Mailing.incident_id == incident.id).order_by(Mailing.id)
    ).scalars():
        counts = {
            str(status): int(n)
            for status, n in session.execute(
                select(Delivery.status, func.count())
                .where(Delivery.mailing_id == mailing.id)
                .group_by(Delivery.status)
            ).all()
        }
        mailings.append(MailingSummary(mailing, counts))
    return PackContents(
        incident=incident,
        events=events,
        chain=report,
        checkpoints=trail.checkpoints,
        filings=list(incident.notifications),
        notices=notices,
        mailings=mailings,
        attachments=list(incident.attachments),
        actions=actions_of(session, incident),
        generated_at=now,
        public=session.execute(
            select(PublicNotice).where(PublicNotice.incident_id == incident.id)
        ).scalar_one_or_none(),
        informing=informing_of(session, incident),
        informed=informed_of(session, incident),
        problems=[p.reason for p in trail.checkpoint_problems],
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A file name that is safe inside a ZIP on any system (no folders, no odd characters)."""
    cleaned = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip("._")
    return cleaned[:120] or "file"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def _event(event: AuditEvent) -> dict[str, Any]:
    return {
        "chain": event.chain,
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor_label,
        "action": event.action,
        "entity": f"{event.entity_type}:{event.entity_id}",
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "hash_version": event.hash_version,
        "key_id": event.key_id,
    }


def verification(contents: PackContents) -> dict[str, Any]:
    """The chain's verification as the pack records it."""
    report = contents.chain
    return {
        "verified_at": contents.generated_at.isoformat(),
        "chain": report.chain if report else chain_name(contents.incident.organisation_id),
        "events_in_chain": report.events if report else 0,
        "intact": contents.trail_intact and not contents.problems,
        "problems": [
            {"seq": p.seq, "kind": str(p.kind), "reason": p.reason}
            for p in (report.problems if report else ())
        ]
        + [
            {"seq": m.seq, "kind": f"register_{m.kind}", "reason": m.reason}
            for m in (report.register if report else ())
        ]
        + [{"seq": None, "kind": "checkpoint", "reason": r} for r in contents.problems],
        "signed_checkpoints_compared": contents.checkpoints,
    }


def _files(
    contents: PackContents, summary_pdf: bytes, store: FileStore, session: Session
) -> Iterator[tuple[str, IO[bytes] | bytes]]:
    yield "summary.pdf", summary_pdf
    for index, attachment in enumerate(contents.attachments, start=1):
        if attachment.erased_at is not None:
            yield f"attachments/{index:02d}-erased.txt", _erased_note(attachment)
            continue
        yield (
            f"attachments/{index:02d}-{safe_name(attachment.filename)}",
            store.open(attachment.storage_key),
        )
    for index, filing in enumerate(contents.filings, start=1):
        if filing.sheet is not None:
            name = f"filings/{index:02d}-{filing.addressee}-{filing.kind}.json"
            yield name, _json(filing.sheet)
    for notice in contents.notices:
        yield (
            f"notices/people-v{notice.version}.json",
            _json(
                {
                    "version": notice.version,
                    "lang": notice.lang,
                    "subject": notice.subject,
                    "sections": notice.sections,
                    "approved_at": notice.approved_at,
                    "sha256": notice.sha256,
                }
            ),
        )
    for summary in contents.mailings:
        yield f"notices/mailing-{summary.mailing.id}.json", _json(summary.record())
        yield f"notices/mailing-{summary.mailing.id}-proof.csv", proof_csv(session, summary.mailing)
    public = contents.public
    if public is not None and public.published_at is not None:
        yield (
            "notices/public.json",
            _json(
                {
                    "published_at": public.published_at,
                    "channel": public.channel,
                    "url": public.url,
                    "text": public.text,
                    "sha256": public.sha256,
                }
            ),
        )
    yield "audit/events.json", _json([_event(e) for e in contents.events])
    yield "audit/verification.json", _json(verification(contents))


def _erased_note(attachment: Attachment) -> bytes:
    """What the pack holds for an attachment erased by retention: that it was, and the digest
    and size of the file as it was received (which still prove what it was)."""
    erased_at = attachment.erased_at.isoformat() if attachment.erased_at else ""
    return (
        f"This attachment was erased on {erased_at} at the end of the retention period.\n"
        f"Dit bestand is gewist op {erased_at}, aan het eind van de bewaartermijn.\n"
        f"type: {attachment.content_type}\nbytes: {attachment.size}\n"
        f"sha256: {attachment.sha256}\n"
    ).encode()


def write_zip(
    contents: PackContents, summary_pdf: bytes, store: FileStore, session: Session
) -> IO[bytes]:
    """The pack as a ZIP in a temporary file (deleted when closed), positioned at its start."""
    target = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - returned open
    manifest: list[dict[str, Any]] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in _files(contents, summary_pdf, store, session):
            digest = hashlib.sha256()
            size = 0
            with archive.open(name, "w", force_zip64=True) as out:
                if isinstance(content, bytes):
                    digest.update(content)
                    size = len(content)
                    out.write(content)
                else:
                    with content:
                        while chunk := content.read(64 * 1024):
                            digest.update(chunk)
                            size += len(chunk)
                            out.write(chunk)
            manifest.append({"path": name, "sha256": digest.hexdigest(), "bytes": size})
        incident = contents.incident
        archive.writestr(
            MANIFEST,
            _json(
                {
                    "incident": incident.reference,
                    "organisation": incident.organisation.name,
                    "generated_at": contents.generated_at.isoformat(),
                    "generator": "breachdesk",
                    "audit_trail_intact": verification(contents)["intact"],
                    "files": manifest,
                }
            ),
        )
    target.seek(0)
    return target
