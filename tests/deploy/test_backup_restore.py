"""deploy/backup.sh and deploy/restore.sh: back up a running installation, wipe it (database
and instance folder), restore, and everything is back: the rows, the files (evidence, keys,
checkpoints) and an audit trail that still verifies with the restored keys."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
from pathlib import Path

from sqlalchemy import create_engine, text

from breachdesk.services.vault import Vault

from .conftest import BREACHDESK, DEPLOY, production_env, run


def rows(database: str) -> dict[str, int]:
    """The number of rows of every table in the database."""
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
            return {
                table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()  # noqa: S608
                for table in tables
            }
    finally:
        engine.dispose()


def files(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def wipe(database: str, instance: Path) -> None:
    """Everything gone: a new, empty database of the same name, no instance folder."""
    base, name = database.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    shutil.rmtree(instance)


def test_a_backup_restores_the_database_and_the_instance_folder(
    database: str, tmp_path: Path
) -> None:
    instance = tmp_path / "instance"
    env = production_env(database, instance)
    run([str(DEPLOY / "breachdesk.sh"), "upgrade"], env)
    run([BREACHDESK, "demo", "load"], env)  # organisations, people, incidents, evidence
    run([BREACHDESK, "audit", "checkpoint"], env)
    before_rows, before_files = rows(database), files(instance)
    assert before_rows["incident"] > 0 and before_rows["audit_event"] > 0
    assert any(name.startswith("audit/") for name in before_files)
    assert "secret_key" in before_files

    backup = Path(run([str(DEPLOY / "backup.sh"), str(tmp_path / "backups")], env).strip())
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "audit.tar.gz",
        "database.dump",
        "instance.tar.gz",
    ]

    # The storage key is not in the backup: the administrator keeps it apart.
    with tarfile.open(backup / "instance.tar.gz") as archive:
        assert "./storage.key" not in archive.getnames()
    key_copy = (instance / "storage.key").read_bytes()

    wipe(database, instance)
    assert rows(database) == {} and not instance.exists()

    run([str(DEPLOY / "restore.sh"), str(backup)], env)
    (instance / "storage.key").write_bytes(key_copy)
    assert rows(database) == before_rows
    assert files(instance) == before_files
    # Every stored evidence file and mail decrypts with the kept key.
    vault = Vault.from_config(None, instance / "storage.key")
    stored = [p for p in (instance / "outbox").rglob("*.eml")]
    stored += [p for p in (instance / "attachments").rglob("*") if p.is_file()]
    assert stored and all(vault.read_bytes(p) for p in stored)
    verified = run([BREACHDESK, "audit", "verify"], env)
    assert "chains intact" in verified, verified


def sqlite_rows(database: str) -> dict[str, int]:
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            tables = (
                conn.execute(
                    text(
                        "SELECT name FROM sqlite_master "
                        "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    )
                )
                .scalars()
                .all()
            )
            return {
                table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()  # noqa: S608
                for table in tables
            }
    finally:
        engine.dispose()


def test_on_sqlite_a_backup_restores_the_database_file_and_the_instance_folder(
    tmp_path: Path,
) -> None:
    """The smaller set-up (found by exploratory testing: backup.sh refused SQLite and the
    README had no backup for it). No database URL: the file in the instance folder, as
    breachdesk itself uses; it is copied by SQLite's online backup, not by tar."""
    instance = tmp_path / "instance"
    env = production_env("", instance)
    del env["BREACHDESK_DATABASE_URL"]
    database = f"sqlite:///{instance / 'breachdesk.sqlite3'}"
    run([BREACHDESK, "db", "upgrade"], env)
    run([BREACHDESK, "demo", "load"], env)
    before_rows = sqlite_rows(database)
    before_files = {k: v for k, v in files(instance).items() if not k.startswith("breachdesk.")}
    assert before_rows["incident"] > 0

    backup = Path(run([str(DEPLOY / "backup.sh"), str(tmp_path / "backups")], env).strip())
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "audit.tar.gz",
        "database.sqlite3",
        "instance.tar.gz",
    ]
    with tarfile.open(backup / "instance.tar.gz") as archive:
        names = archive.getnames()
    assert "./breachdesk.sqlite3" not in names and "./storage.key" not in names
    key_copy = (instance / "storage.key").read_bytes()

    shutil.rmtree(instance)
    run([str(DEPLOY / "restore.sh"), str(backup)], env)
    (instance / "storage.key").write_bytes(key_copy)
    assert sqlite_rows(database) == before_rows
    after = {k: v for k, v in files(instance).items() if not k.startswith("breachdesk.")}
    assert after == before_files
    verified = run([BREACHDESK, "audit", "verify"], env)
    assert "chains intact" in verified, verified


def test_a_restore_onto_a_server_with_a_key_of_its_own_says_the_files_cannot_be_read(
    tmp_path: Path,
) -> None:
    """A new server makes a storage key of its own on its first command; restore.sh took it
    over as "the previous instance folder's" key and reported success, and every evidence
    download then failed (found by exploratory testing). It now checks that the key opens
    the files, and says what to do; with the right key put back, the check passes."""
    import subprocess

    instance = tmp_path / "instance"
    env = production_env("", instance)
    del env["BREACHDESK_DATABASE_URL"]
    run([BREACHDESK, "db", "upgrade"], env)
    run([BREACHDESK, "demo", "load"], env)
    backup = Path(run([str(DEPLOY / "backup.sh"), str(tmp_path / "backups")], env).strip())
    key_copy = (instance / "storage.key").read_bytes()
    shutil.rmtree(instance)
    run([BREACHDESK, "--help"], env)  # the new server's first command
    assert (instance / "storage.key").read_bytes() != key_copy

    restored = subprocess.run(  # noqa: S603 - our own script
        [str(DEPLOY / "restore.sh"), str(backup)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert restored.returncode == 3, restored.stdout + restored.stderr
    assert "the storage key does not open the evidence files" in restored.stderr
    assert "cannot be read:" in restored.stderr
    (instance / "storage.key").write_bytes(key_copy)
    checked = run([BREACHDESK, "storage", "check"], env)
    assert " 0 that no key opens" in checked, checked
