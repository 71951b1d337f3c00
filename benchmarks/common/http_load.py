"""Concurrent HTTP clients for the load benchmarks: threads with plain http.client, a
multipart encoder, and the figures (latencies, statuses) of each request."""

from __future__ import annotations

import http.client
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


def multipart(
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


class Client:
    """One browser: its own cookies, one request at a time, redirects not followed."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str = ""
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Connection": "close"}
        if content_type:
            headers["Content-Type"] = content_type
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, dict(response.headers), data
        finally:
            conn.close()


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1).decode()


@dataclass
class Load:
    """What a run of many requests gave."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def done(self) -> int:
        return len(self.latencies)


def run_load(
    total: int,
    concurrency: int,
    prepare: Callable[[], object],
    send: Callable[[object, int], str | None],
) -> Load:
    """``concurrency`` threads send requests number 0..total-1 between them; ``prepare`` makes
    each thread's state (e.g. a Client that fetched the form), ``send(state, n)`` sends one
    and returns an error text or None. Only ``send`` is timed."""
    result = Load()
    lock = threading.Lock()
    numbers = iter(range(total))
    ready = threading.Barrier(concurrency + 1)

    def worker() -> None:
        try:
            state = prepare()
        except Exception as error:  # noqa: BLE001 - counted, not raised
            with lock:
                result.errors.append(f"prepare: {error!r}")
            ready.wait()
            return
        ready.wait()
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            start = time.perf_counter()
            try:
                error = send(state, n)
            except Exception as exc:  # noqa: BLE001
                error = repr(exc)
            elapsed = time.perf_counter() - start
            with lock:
                result.latencies.append(elapsed)
                if error:
                    result.errors.append(f"#{n}: {error}")

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - start
    return result
