"""Tokens for links that must not be stored: ``<row id>-<signature>``.

The signature is an HMAC-SHA256 of a purpose, the row's id and the row's random nonce, under a
key derived from the installation's secret key, cut to 192 bits (base64url). A copy of the
database does not give the links; a new nonce revokes every copy of the old one; comparing
is constant-time. Used by the reporting and follow-up links and the password-reset link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SIGNATURE_CHARS = 32


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def signature(secret_key: str, purpose: str, row_id: int, nonce: str) -> str:
    key = hashlib.sha256(b"breachdesk-links\0" + secret_key.encode()).digest()
    mac = hmac.new(key, f"{purpose}:{row_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")[:SIGNATURE_CHARS]


def token(secret_key: str, purpose: str, row_id: int, nonce: str) -> str:
    return f"{row_id}-{signature(secret_key, purpose, row_id, nonce)}"


def split(value: str) -> tuple[int, str] | None:
    """The row id and signature of a token as typed, or None when it cannot be one."""
    head, _, sig = value.partition("-")
    if not head.isdigit() or len(head) > 12 or len(sig) != SIGNATURE_CHARS:
        return None
    return int(head), sig


def matches(secret_key: str, purpose: str, row_id: int, nonce: str, sig: str) -> bool:
    return hmac.compare_digest(signature(secret_key, purpose, row_id, nonce), sig)
