"""A browser's form post over plain HTTP (urllib): cookies kept, redirects not followed."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(
        self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        url = self.base + path  # always http://127.0.0.1:<port>/...
        req = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self.request(path)

    def post(
        self,
        path: str,
        fields: Iterable[tuple[str, str]],
        files: Iterable[tuple[str, str, bytes]] = (),
    ) -> tuple[int, dict[str, str], str]:
        body, content_type = encode(fields, files)
        return self.request(path, body, {"Content-Type": content_type})


def encode(
    fields: Iterable[tuple[str, str]], files: Iterable[tuple[str, str, bytes]] = ()
) -> tuple[bytes, str]:
    """multipart/form-data: (name, value) fields and (name, filename, content) files."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, filename, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, page[:1000]
    return match.group(1)
