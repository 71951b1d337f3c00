"""Keys and signed checkpoints outside the database: files, rotation, the append-only
checkpoint file, forged lines, `checkpoint_if_due`, and the CLI commands."""

from __future__ import annotations

import json
import shutil
import stat
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from breachdesk.domain.audit import ProblemKind
from breachdesk.domain.audit.checkpoint_text import checkpoint_text
from breachdesk.domain.audit.checkpoints import (
    CheckpointProblemKind,
    checkpoint_digest,
    parse_line,
    to_line,
)
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.services import audit_anchor, audit_keys, audit_signing
from breachdesk.services.audit_keys import AuditFiles, files_for, read_key
from breachdesk.services.audit_verify import verify_trail
from breachdesk.services.clock import FixedClock

from ..conftest import make_app
from .tampering import execute, problems_of, report, rows
from .test_audit import grow

HOUR = timedelta(hours=1)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def files(app: Flask) -> AuditFiles:
    return files_for(db.session)


def checkpoint_now(clock: FixedClock) -> Any:
    checkpoint = audit_anchor.write_checkpoint(db.session, clock=clock)
    db.session.rollback()
    return checkpoint


# --- the HMAC key ---------------------------------------------------------------------------


def test_the_key_is_made_on_first_use_in_the_instance_folder_owner_only(
    app: Flask, files: AuditFiles, orgs: dict[str, Organisation]
) -> None:
    assert files.key_file == Path(app.instance_path) / "audit" / "audit-hmac.key"
    assert mode(files.key_file) == 0o600
    assert len(files.key_file.read_text().strip()) == 64
    key_id = read_key(files.key_file).key_id
    assert {e.key_id for e in rows(f"org:{orgs['kruix'].id}")} == {key_id}
    assert not list(files.key_file.parent.glob(".*.tmp"))


class TestConfiguredKeyFile:
    @pytest.fixture
    def app_config(self, tmp_path: Path) -> dict[str, Any]:
        return {"AUDIT_KEY_FILE": str(tmp_path / "elsewhere" / "hmac.key")}

    def test_audit_key_file_setting_is_used(
        self, app: Flask, tmp_path: Path, orgs: dict[str, Organisation]
    ) -> None:
        key = tmp_path / "elsewhere" / "hmac.key"
        assert mode(key) == 0o600
        assert not (Path(app.instance_path) / "audit" / "audit-hmac.key").exists()
        assert report().intact


def test_key_rotation_keeps_old_events_verifiable(
    app: Flask, files: AuditFiles, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["kruix"], clock, 2)
    old_id = read_key(files.key_file).key_id
    result = app.test_cli_runner().invoke(args=["audit", "rotate-key"])
    assert result.exit_code == 0, result.output
    new_id = read_key(files.key_file).key_id
    assert new_id != old_id and f"retired key {old_id}" in result.output
    retired = files.retired_dir / f"{old_id}.key"
    assert mode(retired) == 0o600
    grow(orgs["kruix"], clock, 2)
    assert [e.key_id for e in rows(chain)] == [old_id] * 3 + [new_id] * 2
    assert report().intact

    # A retired key may live anywhere, named by AUDIT_OLD_KEY_FILES ...
    moved = retired.parent.parent / "old-key.hex"
    shutil.move(retired, moved)
    first = problems_of(chain)[0]
    assert (first.seq, first.kind) == (1, ProblemKind.UNKNOWN_KEY)
    with_old = replace(files, old_key_files=(moved,))
    assert verify_trail(db.session, files=with_old).intact


def test_old_key_files_setting(tmp_path: Path) -> None:
    settings = {
        "AUDIT_KEY_FILE": "/k/current.key",
        "AUDIT_CHECKPOINT_FILE": "/k/c.jsonl",
        "AUDIT_SIGNING_KEY_FILE": "/k/s.pem",
        "AUDIT_PUBLIC_KEY_FILE": "/k/s.pub",
    }
    from_list = AuditFiles.from_config({**settings, "AUDIT_OLD_KEY_FILES": ["/a.key", "/b.key"]})
    from_text = AuditFiles.from_config({**settings, "AUDIT_OLD_KEY_FILES": "/a.key:/b.key"})
    assert from_list.old_key_files == from_text.old_key_files == (Path("/a.key"), Path("/b.key"))


def test_unreadable_key_file_is_an_error(app: Flask, files: AuditFiles) -> None:
    files.key_file.parent.mkdir(parents=True, exist_ok=True)
    files.key_file.write_text("not hex")
    with pytest.raises(audit_keys.AuditKeyError, match="does not hold a hex key"):
        audit_keys.load_keyring(files, create=True)


# --- checkpoints ----------------------------------------------------------------------------


def test_checkpoint_records_every_chain_and_is_signed(
    app: Flask, files: AuditFiles, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["kruix"], clock, 3)
    checkpoint = checkpoint_now(clock)
    assert {h.chain for h in checkpoint.heads} == {f"org:{o.id}" for o in orgs.values()}
    head = checkpoint.head(chain)
    assert head is not None and (head.seq, head.hash) == (4, rows(chain)[-1].hash)
    assert mode(files.signing_key_file) == 0o600
    assert files.public_key_file.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    log = audit_signing.trusted_log(files)
    assert log.checkpoints == (checkpoint,) and log.problems == ()
    text = checkpoint_text(checkpoint, chain, "Kruix")
    assert "org:" in text and "4 gebeurtenissen" in text and "4 events" in text


def test_checkpoint_file_is_only_ever_appended(
    app: Flask, files: AuditFiles, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    contents: list[bytes] = []
    for _ in range(3):
        grow(orgs["kruix"], clock, 1)
        checkpoint_now(clock)
        contents.append(files.checkpoint_file.read_bytes())
    inode = files.checkpoint_file.stat().st_ino
    assert all(
        later.startswith(earlier) for earlier, later in zip(contents, contents[1:], strict=False)
    )
    lines = contents[-1].decode().splitlines()
    assert len(lines) == 3
    checkpoints = [parse_line(line) for line in lines]
    assert checkpoints[1].prev == checkpoint_digest(checkpoints[0])
    assert checkpoints[2].prev == checkpoint_digest(checkpoints[1])
    # A torn last line (a crash mid-write) is kept; the next checkpoint starts a line of its own.
    with files.checkpoint_file.open("ab") as handle:
        handle.write(b'{"format":1,"created_')
    checkpoint_now(clock)
    after = files.checkpoint_file.read_bytes()
    assert after.startswith(contents[-1] + b'{"format":1,"created_\n')
    assert files.checkpoint_file.stat().st_ino == inode
    assert parse_line(after.decode().splitlines()[-1]).prev == checkpoint_digest(checkpoints[2])
    log = audit_signing.trusted_log(files)
    assert len(log.checkpoints) == 4
    assert [p.kind for p in log.problems] == [CheckpointProblemKind.UNREADABLE]


def test_checkpoint_if_due(
    app: Flask, files: AuditFiles, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    def due() -> Any:
        result = audit_anchor.checkpoint_if_due(db.session, clock=clock, interval=HOUR)
        db.session.rollback()
        return result

    first = due()
    assert first is not None  # the first one is always due
    grow(orgs["kruix"], clock, 1)  # one minute later
    clock.advance(minutes=58)
    assert due() is None  # changed, but the interval has not passed
    clock.advance(minutes=1)
    second = due()
    assert second is not None and second.prev == checkpoint_digest(first)
    clock.advance(hours=5)
    assert due() is None  # the interval passed, but nothing changed
    assert len(files.checkpoint_file.read_text().splitlines()) == 2


def test_forged_checkpoint_line_is_reported_and_not_trusted(
    app: Flask, files: AuditFiles, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["kruix"], clock, 2)
    genuine = checkpoint_now(clock)
    # Someone without the private key claims the chain had 10 events.
    head = genuine.head(chain)
    assert head is not None
    forged = replace(
        genuine,
        heads=tuple(replace(h, seq=10) if h.chain == chain else h for h in genuine.heads),
        prev=checkpoint_digest(genuine),
    )
    with files.checkpoint_file.open("a") as handle:
        handle.write(to_line(forged))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify-checkpoints"])
    assert result.exit_code == 1
    assert "BROKEN  line 2: its signature is not valid" in result.output
    assert "1 of 2 checkpoints validly signed" in result.output
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 1
    assert "BROKEN  checkpoint file line 2: its signature is not valid" in verified.output
    assert f"ok      {chain}: 3 events" in verified.output  # the forged claim is not used


def test_checkpoint_signed_with_another_key_is_not_trusted(
    app: Flask, files: AuditFiles, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    checkpoint_now(clock)
    other = AuditFiles.in_folder(files.key_file.parent / "other")
    foreign = audit_signing.sign(
        parse_line(files.checkpoint_file.read_text()), audit_signing.signing_key(other)
    )
    with files.checkpoint_file.open("a") as handle:
        handle.write(to_line(foreign))
    log = audit_signing.trusted_log(files)
    assert [p.kind for p in log.problems] == [CheckpointProblemKind.UNKNOWN_SIGNER]


def test_a_chain_that_shrank_between_checkpoints_shows_in_the_checkpoints_alone(
    app: Flask, files: AuditFiles, orgs: dict[str, Organisation], clock: FixedClock
) -> None:
    chain = grow(orgs["kruix"], clock, 3)
    checkpoint_now(clock)
    execute("DELETE FROM audit_event WHERE chain = :c AND seq = 4", c=chain)
    execute(
        "UPDATE audit_chain_head SET last_seq = 3, last_hash = :h WHERE chain = :c",
        h=rows(chain)[2].hash,
        c=chain,
    )
    clock.advance(hours=2)
    checkpoint_now(clock)  # the tampered state, signed in good faith
    log = audit_signing.trusted_log(files)
    assert [(p.line, p.kind) for p in log.problems] == [(2, CheckpointProblemKind.CHAIN_SHRANK)]
    assert f"chain {chain} went back from 4 to 3 events" in log.problems[0].reason
    assert problems_of(chain)[0].missing == (4, 4)  # the earlier checkpoint still counts


def test_public_key_and_checkpoint_commands(
    app: Flask, files: AuditFiles, orgs: dict[str, Organisation]
) -> None:
    runner = app.test_cli_runner()
    printed = runner.invoke(args=["audit", "public-key"])
    assert printed.exit_code == 0
    assert printed.output == files.public_key_file.read_text()
    written = runner.invoke(args=["audit", "checkpoint"])
    assert written.exit_code == 0, written.output
    assert "5 chains" in written.output and str(files.checkpoint_file) in written.output
    line = json.loads(files.checkpoint_file.read_text())
    assert f"digest {checkpoint_digest(parse_line(json.dumps(line)))}" in written.output
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "compared with 1 signed checkpoints" in verified.output


def test_verify_checkpoints_needs_neither_database_nor_private_key(
    app: Flask, files: AuditFiles, orgs: dict[str, Organisation], clock: FixedClock, tmp_path: Path
) -> None:
    checkpoint_now(clock)
    grow(orgs["kruix"], clock, 1)
    clock.advance(hours=1)
    checkpoint_now(clock)
    handed_over = tmp_path / "handed-over"
    handed_over.mkdir()
    shutil.copy(files.checkpoint_file, handed_over / "checkpoints.jsonl")
    shutil.copy(files.public_key_file, handed_over / "fg.pub")
    outsider = make_app(
        tmp_path / "outsider",
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:9/nothing",
        INSTANCE_PATH=str(tmp_path / "outsider-instance"),
    )
    result = outsider.test_cli_runner().invoke(
        args=[
            "audit",
            "verify-checkpoints",
            str(handed_over / "checkpoints.jsonl"),
            "--public-key",
            str(handed_over / "fg.pub"),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "2 of 2 checkpoints validly signed" in result.output
    assert not (tmp_path / "outsider-instance" / "audit").exists()  # no key was made
    # A file that is no public key (a text, the private key) is refused in words, not with a
    # traceback (found by exploratory testing).
    not_a_key = handed_over / "notes.txt"
    not_a_key.write_text("hello", encoding="utf-8")
    refused = outsider.test_cli_runner().invoke(
        args=["audit", "verify-checkpoints", str(handed_over / "checkpoints.jsonl"),
              "--public-key", str(not_a_key)]
    )  # fmt: skip
    assert refused.exit_code == 1 and "is not a public key in PEM format" in refused.output
    assert refused.exception is None or isinstance(refused.exception, SystemExit)
