"""Ed25519 signatures on audit checkpoints, and reading the checkpoint file back.

The keypair lives in files named by :class:`~breachdesk.services.audit_keys.AuditFiles`,
by default ``<instance>/audit/checkpoint-signing.pem`` (the private key, PKCS#8 PEM, mode
0600, generated on first use) and ``checkpoint-signing.pub`` (its public key, PEM). The
signer id is the first 16 hex digits of the SHA-256 of the raw public key.

:func:`read_checkpoints` needs only the checkpoint file and public keys: no database, no
private key. Someone with access to the server could replace the keypair together with the
checkpoint file; the public key and the checkpoint e-mails held by the FG are what they
cannot replace.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..domain.audit.checkpoints import (
    Checkpoint,
    CheckpointFormatError,
    CheckpointProblem,
    CheckpointProblemKind,
    parse_line,
    sequence_problems,
    signed_body,
)
from .audit_keys import AuditFiles, create_file_once


def signer_id(public_key: Ed25519PublicKey) -> str:
    """The id of a signing key: the first 16 hex digits of SHA-256 of the raw public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def signing_key(files: AuditFiles) -> Ed25519PrivateKey:
    """The private signing key, generated (with its public key file) on first use."""
    if not files.signing_key_file.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        create_file_once(files.signing_key_file, pem)
    key = serialization.load_pem_private_key(files.signing_key_file.read_bytes(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{files.signing_key_file} does not hold an Ed25519 private key")
    if not files.public_key_file.exists():
        create_file_once(files.public_key_file, public_pem(key.public_key()).encode(), 0o644)
    return key


def public_key_text(files: AuditFiles) -> str:
    """The public key in PEM (the keypair is generated first when there is none)."""
    signing_key(files)
    return files.public_key_file.read_text(encoding="ascii")


def load_public_keys(paths: Sequence[Path]) -> dict[str, Ed25519PublicKey]:
    """Public keys by signer id, from PEM files (files that do not exist are skipped).

    Raises:
        ValueError: a file holds something other than an Ed25519 public key.
    """
    keys: dict[str, Ed25519PublicKey] = {}
    for path in paths:
        if not path.exists():
            continue
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except ValueError:  # not PEM, or a private key, a certificate, ...
            raise ValueError(
                f"{path} is not a public key in PEM format "
                "(use the file 'breachdesk audit public-key' prints)"
            ) from None
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"{path} does not hold an Ed25519 public key")
        keys[signer_id(key)] = key
    return keys


def sign(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> Checkpoint:
    """``checkpoint`` signed with ``key`` (its signer id filled in first)."""
    unsigned = replace(checkpoint, signing_key_id=signer_id(key.public_key()), signature="")
    signature = base64.b64encode(key.sign(signed_body(unsigned))).decode("ascii")
    return replace(unsigned, signature=signature)


def signature_problem(
    line: int, checkpoint: Checkpoint, public_keys: Mapping[str, Ed25519PublicKey]
) -> CheckpointProblem | None:
    """Why the signature of ``checkpoint`` cannot be trusted, or None when it is valid."""
    key = public_keys.get(checkpoint.signing_key_id)
    if key is None:
        return CheckpointProblem(
            line,
            f"signed with key {checkpoint.signing_key_id!r}, which is not a trusted public key",
            CheckpointProblemKind.UNKNOWN_SIGNER,
            checkpoint.created_at,
        )
    try:
        key.verify(base64.b64decode(checkpoint.signature, validate=True), signed_body(checkpoint))
    except (InvalidSignature, binascii.Error):
        return CheckpointProblem(
            line,
            "its signature is not valid: the line was forged or altered",
            CheckpointProblemKind.BAD_SIGNATURE,
            checkpoint.created_at,
        )
    return None


@dataclass(frozen=True)
class CheckpointLog:
    """The checkpoints whose signatures hold, in file order, and the problems found."""

    checkpoints: tuple[Checkpoint, ...]
    problems: tuple[CheckpointProblem, ...]
    lines: int

    @property
    def last(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None


def read_checkpoints(path: Path, public_keys: Mapping[str, Ed25519PublicKey]) -> CheckpointLog:
    """Read and check a checkpoint file; a missing file holds no checkpoints."""
    if not path.exists():
        return CheckpointLog((), (), 0)
    valid: list[tuple[int, Checkpoint]] = []
    problems: list[CheckpointProblem] = []
    lines = 0
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            lines += 1
            try:
                checkpoint = parse_line(text)
            except CheckpointFormatError as error:
                problems.append(
                    CheckpointProblem(number, str(error), CheckpointProblemKind.UNREADABLE)
                )
                continue
            problem = signature_problem(number, checkpoint, public_keys)
            if problem is None:
                valid.append((number, checkpoint))
            else:
                problems.append(problem)
    problems.extend(sequence_problems(valid))
    problems.sort(key=lambda p: p.line)
    return CheckpointLog(tuple(c for _, c in valid), tuple(problems), lines)


_checked: dict[tuple[Path, Path], tuple[tuple[int, ...], CheckpointLog]] = {}


def _file_state(path: Path) -> tuple[int, ...]:
    try:
        info = path.stat()
    except FileNotFoundError:
        return (-1,)
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def trusted_log(files: AuditFiles) -> CheckpointLog:
    """The installation's checkpoint file, checked against its own public key.

    The result is kept while neither file changes, so the audit page does not check every
    signature of a year of checkpoints on each visit.
    """
    cache_key = (files.checkpoint_file, files.public_key_file)
    state = (*_file_state(files.checkpoint_file), *_file_state(files.public_key_file))
    cached = _checked.get(cache_key)
    if cached is not None and cached[0] == state:
        return cached[1]
    log = read_checkpoints(files.checkpoint_file, load_public_keys([files.public_key_file]))
    _checked[cache_key] = (state, log)
    return log
