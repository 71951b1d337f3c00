"""Encryption at rest: files are not readable on disk, read back whole, files kept in clear
before still read, chunks cannot be dropped, rotation with two keys, a wrong key is named."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from breachdesk.services.storage import FileStore
from breachdesk.services.vault import CHUNK, MAGIC, Vault, VaultError, key_file_keys, reencrypt_tree

SECRET = b"BSN 123456782; Jan Jansen; IBAN NL91ABNA0417164300\n"


def key() -> bytes:
    return Fernet.generate_key()


def test_a_stored_file_is_not_plaintext_and_reads_back_with_the_plaintext_digest(
    tmp_path: Path,
) -> None:
    store = FileStore(tmp_path, Vault([key()]))
    data = SECRET * (CHUNK // len(SECRET) * 2 + 7)  # three chunks, the last one short
    stored = store.save(io.BytesIO(data), max_bytes=10 * CHUNK)

    on_disk = store.path(stored.key).read_bytes()
    assert on_disk.startswith(MAGIC) and b"Jansen" not in on_disk
    assert stored.size == len(data) and stored.head == data[:8192]
    assert stored.sha256 == hashlib.sha256(data).hexdigest()  # of what was uploaded
    with store.open(stored.key) as handle:
        assert handle.read() == data
    empty = store.save(io.BytesIO(b""), max_bytes=10)
    with store.open(empty.key) as handle:
        assert handle.read() == b""


def test_a_file_kept_in_clear_before_encryption_is_still_read(tmp_path: Path) -> None:
    plain = FileStore(tmp_path)  # as before this change
    stored = plain.save(io.BytesIO(SECRET), max_bytes=1000)
    encrypted = FileStore(tmp_path, Vault([key()]))
    with encrypted.open(stored.key) as handle:
        assert handle.read() == SECRET
    # A server may send the file with sendfile(), from the file's own position: that must
    # be its start (gunicorn sent such files truncated or empty: found by exploratory testing).
    big = plain.save(io.BytesIO(SECRET * 500), max_bytes=10**6)
    for saved, content in ((stored, SECRET), (big, SECRET * 500)):
        with encrypted.open(saved.key) as handle:
            assert os.lseek(handle.fileno(), 0, os.SEEK_CUR) == 0
            sent = b"".join(iter(lambda h=handle: os.read(h.fileno(), 4096), b""))
            assert sent == content


def test_a_file_cut_short_or_with_a_chunk_dropped_is_refused(tmp_path: Path) -> None:
    vault = Vault([key()])
    path = tmp_path / "f"
    vault.write(path, b"x" * (CHUNK + 10))  # two frames
    whole = path.read_bytes()
    first_frame_end = len(MAGIC) + 4 + int.from_bytes(whole[len(MAGIC) : len(MAGIC) + 4], "big")
    path.write_bytes(whole[:first_frame_end])  # the last chunk dropped
    with pytest.raises(VaultError, match="cut off"), vault.open(path) as handle:
        handle.read()


def test_rotation_with_two_keys_and_a_wrong_key_is_named(tmp_path: Path) -> None:
    old, new = key(), key()
    Vault([old]).write(tmp_path / "a.eml", SECRET)
    (tmp_path / "b.eml").write_bytes(SECRET)  # kept in clear before encryption
    rotated = Vault([new, old])  # the new key first: it encrypts, both decrypt
    assert rotated.read_bytes(tmp_path / "a.eml") == SECRET
    assert (rotated.state(tmp_path / "a.eml"), rotated.state(tmp_path / "b.eml")) == (
        "old",
        "plain",
    )

    only_encrypt = reencrypt_tree(rotated, [tmp_path], rotate=False)
    assert (only_encrypt.encrypted, only_encrypt.reencrypted, only_encrypt.current) == (1, 0, 1)
    report = reencrypt_tree(rotated, [tmp_path], rotate=True)
    assert (report.encrypted, report.reencrypted, report.current, report.failed) == (0, 1, 1, [])
    again = reencrypt_tree(rotated, [tmp_path], rotate=True)  # idempotent
    assert (again.encrypted, again.reencrypted, again.current) == (0, 0, 2)

    new_only = Vault([new])  # the old key removed after the rotation
    assert new_only.read_bytes(tmp_path / "a.eml") == SECRET
    assert new_only.read_bytes(tmp_path / "b.eml") == SECRET
    with pytest.raises(VaultError, match="storage keys"):
        Vault([old]).open(tmp_path / "a.eml")  # fails at open, before anything is sent
    with pytest.raises(VaultError, match="not a Fernet key"):
        Vault.from_config("not-a-key", tmp_path / "unused")


def test_the_key_file_is_made_once_owner_only_and_keys_from_the_environment_win(
    tmp_path: Path,
) -> None:
    path = tmp_path / "instance" / "storage.key"
    first = key_file_keys(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert key_file_keys(path) == first and len(first) == 1
    a, b = key(), key()
    vault = Vault.from_config(f"{a.decode()}, {b.decode()}", path)
    assert vault.keys == [a, b]
