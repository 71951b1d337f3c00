"""Files that came with a report and wait, uncommitted, in the report's own transaction.

A report form that arrives with files stores each file but writes no pending upload for it
yet (:func:`breachdesk.services.evidence.stage` with ``commit=False``), so that a good report
is saved with its attachments in one commit and the pending rows are never written. The request
then ends in one of four ways, and each is handled here:

* the report is saved: its attachments now hold the files (:func:`claimed`);
* the form goes back with errors: the files are committed as pending uploads, so the form lists
  them and they are not uploaded twice (:func:`keep`);
* the database or the file store failed (``keeps_typing``): after the rollback the files are
  stored as pending uploads on their own, or deleted when even that fails (:func:`after_failure`);
* anything else went wrong (a 500), or a view forgot to say: files no row refers to are
  deleted (:func:`discard`, run at the end of every request that still holds some).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import Flask, g

from ..extensions import db_session
from ..models import PendingUpload
from ..runtime import runtime
from ..services import evidence

log = logging.getLogger(__name__)


def hold(uploads: Sequence[PendingUpload]) -> None:
    """Remember ``uploads`` (staged, not committed) until the request decides their fate."""
    g.held_uploads = [*g.get("held_uploads", []), *uploads]


def claimed() -> None:
    """The report was saved with these files as its attachments."""
    g.pop("held_uploads", None)


def keep() -> None:
    """The form goes back with errors: commit the held files as pending uploads (the session
    holds nothing else unsaved at this point). Raises like :func:`evidence.keep`."""
    held = g.pop("held_uploads", [])
    if held:
        evidence.keep(db_session(), runtime().store, held)
        g.staged_uploads = [*g.get("staged_uploads", []), *(item.id for item in held)]


def after_failure() -> None:
    """The report's transaction failed and was rolled back: keep the held files as pending
    uploads if the database lets us, so the page can list them again."""
    held = g.pop("held_uploads", [])
    if held:
        kept = evidence.keep_after_failure(db_session(), runtime().store, held)
        g.staged_uploads = [*g.get("staged_uploads", []), *(item.id for item in kept)]


def discard(error: BaseException | None) -> None:
    """At the end of a request that still holds files (it failed unhandled, or a view forgot
    to say what became of them): delete those that no row refers to."""
    held = g.pop("held_uploads", [])
    if not held:
        return
    try:
        evidence.discard_unclaimed(db_session(), runtime().store, held)
    except Exception:  # noqa: BLE001 - the database is gone too: the files stay
        log.warning("could not check %d uploaded files after %r", len(held), error)


def install(app: Flask) -> None:
    app.teardown_request(discard)
