"""The evidence pack proves the informing of every person: one row per person of each mailing,
with the server's reply and the digest of what was sent, and no address."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from breachdesk.extensions import db
from breachdesk.mail import RecordingMailer
from breachdesk.models import Incident, Organisation, User
from breachdesk.services import evidence_pack
from breachdesk.services.clock import FixedClock
from breachdesk.services.proof import PROOF_HEADER
from breachdesk.services.storage import FileStore

from ..conftest import run_deliveries
from .test_mailings import started_mailing
from .test_scheduler_process import people

__all__ = ["people"]  # a fixture used by name


def test_the_pack_holds_the_proof_per_person_of_each_mailing(
    app: object,
    orgs: dict[str, Organisation],
    people: tuple[User, User],
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    mailing = started_mailing(orgs, people, clock, rate=0, people_count=7)
    mailer = RecordingMailer()
    run_deliveries(clock, mailer)  # the seven notices (and the FG's mail about the report)
    incident = db.session.get(Incident, mailing.incident_id)
    assert incident is not None
    contents = evidence_pack.gather(db.session, incident, clock.now())
    store = FileStore(tmp_path)
    with evidence_pack.write_zip(contents, b"%PDF-1.7 test", store, db.session) as handle:
        pack = zipfile.ZipFile(io.BytesIO(handle.read()))
    proof = pack.read(f"notices/mailing-{mailing.id}-proof.csv").decode()
    rows = list(csv.reader(io.StringIO(proof), delimiter=";"))
    assert tuple(rows[0]) == PROOF_HEADER
    assert len(rows) == 8 and {r[3] for r in rows[1:]} == {"sent"}
    assert all(len(r[7]) == 64 and r[4] for r in rows[1:])  # digest and time of each message
    assert "@example.org" not in proof  # the addresses stay in breachdesk
    listed = {e["path"] for e in json.loads(pack.read("manifest.json"))["files"]}
    assert f"notices/mailing-{mailing.id}-proof.csv" in listed
