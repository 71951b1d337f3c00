"""Where the audit trail's secrets live outside the database, and the HMAC keyring.

:class:`AuditFiles` names the files: the current HMAC key (``AUDIT_KEY_FILE``, default
``<instance>/audit/audit-hmac.key``), retired keys that still verify older events (every
``*.key`` in the ``retired/`` folder next to the current key, plus ``AUDIT_OLD_KEY_FILES``),
the checkpoint file and the checkpoint signing keypair (used by :mod:`.audit_anchor`).

A key file holds 32 random bytes as hex. It is created with mode 0600 on first use, by
writing a temporary file and hard-linking it into place, so two processes starting at once
end up with the same key. :func:`rotate_key` retires the current key and makes a new one.

The files belong to an installation, and so to its database: :func:`register` ties them to
an engine (``create_app`` does this), and :func:`files_for` finds them from a session. That
is how :func:`breachdesk.services.audit.record` seals events without every service having to
pass the key along.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ..domain.audit.sealing import KEY_BYTES, AuditKey, Keyring


class AuditKeyError(RuntimeError):
    """A key file is missing or unreadable, or no key is configured for a database."""


@dataclass(frozen=True)
class AuditFiles:
    key_file: Path
    checkpoint_file: Path
    signing_key_file: Path
    public_key_file: Path
    old_key_files: tuple[Path, ...] = ()

    @property
    def retired_dir(self) -> Path:
        """Where :func:`rotate_key` puts retired keys (all ``*.key`` in it verify)."""
        return self.key_file.parent / "retired"

    @classmethod
    def in_folder(cls, folder: Path) -> AuditFiles:
        """The default layout inside one folder (``<instance>/audit``)."""
        return cls(
            key_file=folder / "audit-hmac.key",
            checkpoint_file=folder / "checkpoints.jsonl",
            signing_key_file=folder / "checkpoint-signing.pem",
            public_key_file=folder / "checkpoint-signing.pub",
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AuditFiles:
        """From ``AUDIT_*`` settings (see :mod:`breachdesk.config` for the defaults)."""
        old = config.get("AUDIT_OLD_KEY_FILES") or ()
        if isinstance(old, str):
            old = [p for p in old.split(os.pathsep) if p]
        return cls(
            key_file=Path(config["AUDIT_KEY_FILE"]),
            checkpoint_file=Path(config["AUDIT_CHECKPOINT_FILE"]),
            signing_key_file=Path(config["AUDIT_SIGNING_KEY_FILE"]),
            public_key_file=Path(config["AUDIT_PUBLIC_KEY_FILE"]),
            old_key_files=tuple(Path(p) for p in old),
        )


def create_file_once(path: Path, data: bytes, mode: int = 0o600) -> bool:
    """Create ``path`` with ``data`` and ``mode`` unless it exists; True if this call made it.

    The content is complete before the name appears (temporary file, fsync, hard link), so
    a concurrent reader never sees a half-written key.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    return True


def read_key(path: Path) -> AuditKey:
    """The key in ``path``.

    Raises:
        AuditKeyError: the file is missing or does not hold a hex key of at least 16 bytes.
    """
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
        return AuditKey(secret)
    except FileNotFoundError:
        raise AuditKeyError(f"audit key file {path} does not exist") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise AuditKeyError(f"audit key file {path} does not hold a hex key: {error}") from None


def load_keyring(files: AuditFiles, *, create: bool) -> Keyring:
    """The current key (made first when ``create`` and missing) and the retired keys.

    Without ``create`` a missing current key is simply absent: older events can still be
    verified with retired keys, and events sealed with the missing key are reported.

    Raises:
        AuditKeyError: a key file exists but cannot be read.
    """
    if create and not files.key_file.exists():
        create_file_once(files.key_file, (secrets.token_hex(KEY_BYTES) + "\n").encode("ascii"))
    current = read_key(files.key_file) if files.key_file.exists() else None
    retired_paths = sorted(files.retired_dir.glob("*.key")) if files.retired_dir.is_dir() else []
    retired = tuple(read_key(p) for p in (*retired_paths, *files.old_key_files))
    return Keyring(current, retired)


def rotate_key(files: AuditFiles) -> tuple[str, str]:
    """Retire the current key (kept in ``retired/<key id>.key``) and make a new current one.

    Returns (retired key id, new key id). Writers that still hold the old key in a running
    process stay verifiable, because the retired key is kept before the new one replaces it.

    Raises:
        AuditKeyError: there is no current key to rotate.
    """
    old = read_key(files.key_file)
    retired = files.retired_dir / f"{old.key_id}.key"
    create_file_once(retired, (old.secret.hex() + "\n").encode("ascii"))
    if read_key(retired) != old:
        raise AuditKeyError(f"{retired} exists and holds another key")
    new_secret = secrets.token_hex(KEY_BYTES)
    staged = files.key_file.with_name(f".{files.key_file.name}.new")
    staged.unlink(missing_ok=True)
    create_file_once(staged, (new_secret + "\n").encode("ascii"))
    os.replace(staged, files.key_file)
    return old.key_id, AuditKey(bytes.fromhex(new_secret)).key_id


_registry: WeakKeyDictionary[Engine, AuditFiles] = WeakKeyDictionary()


def register(engine: Engine, files: AuditFiles) -> None:
    """Tie the audit files to the database ``engine`` talks to."""
    _registry[engine] = files


def files_for(session: Session) -> AuditFiles:
    """The audit files of the database ``session`` is bound to.

    Raises:
        AuditKeyError: none were registered for it (``create_app`` registers them).
    """
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    try:
        return _registry[engine]
    except KeyError:
        raise AuditKeyError(
            "no audit key files are registered for this database (create_app registers them)"
        ) from None
