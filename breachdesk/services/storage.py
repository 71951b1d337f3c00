"""Evidence files on disk, outside the static folder, addressed by random keys.

Files are written to a temporary name and renamed when complete, hashed (SHA-256) while
written, and cut off past the size limit, so a half-written or oversized file never counts.
With a :class:`~.vault.Vault` (as the app always has) they are encrypted as they are written;
the SHA-256 and the size recorded are those of the plaintext, the bytes people uploaded, so
the digests shown and put in the evidence pack's manifest stay what the uploader can check.
Memory stays bounded by the vault's 1 MB chunk (about 10 MB while encrypting, 8 MB while
decrypting, measured), whatever ``MAX_ATTACHMENT_BYTES`` is.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from .vault import Vault


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str
    head: bytes


class TooLarge(Exception):
    """The stream was longer than allowed; nothing was kept."""


@dataclass
class FileStore:
    root: Path
    vault: Vault | None = None  # None: plaintext (tests of the store alone)

    def path(self, key: str) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    def save(self, stream: IO[bytes], max_bytes: int) -> StoredFile:
        """Copy ``stream`` into the store; raises :class:`TooLarge` past ``max_bytes``."""
        key = uuid.uuid4().hex
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".part")
        digest = hashlib.sha256()
        size = 0
        head = b""
        try:
            with open(temporary, "wb") as out:
                sink = self.vault.writer(out) if self.vault is not None else out
                while chunk := stream.read(64 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge
                    if len(head) < 8192:
                        head += chunk[: 8192 - len(head)]
                    digest.update(chunk)
                    sink.write(chunk)
                if sink is not out:
                    sink.close()
                out.flush()
                os.fsync(out.fileno())
            temporary.replace(target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return StoredFile(key, size, digest.hexdigest(), head)

    def open(self, key: str) -> BinaryIO:
        """The stored file's plaintext (files kept before encryption are read as they are).

        Raises:
            OSError: no such file (e.g. erased by retention).
            VaultError: the storage key is missing or wrong, or the file is damaged.
        """
        if self.vault is None:
            return open(self.path(key), "rb")
        return self.vault.open(self.path(key))

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
