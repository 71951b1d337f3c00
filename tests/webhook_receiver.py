"""A real HTTPS receiver for webhook tests: ``http.server`` with TLS on 127.0.0.1.

Its certificate is self-signed, made for each test with ``cryptography`` (for ``localhost``
and ``127.0.0.1``); the app trusts it through ``WEBHOOK_CA_BUNDLE``. The receiver answers the
statuses it is told to, in order (200 once they run out), and keeps every request.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .certificates import self_signed


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the test sees of a running receiver."""

    port: int
    ca_file: Path
    statuses: list[int] = field(default_factory=list)  # answered in order, then 200
    delays: dict[str, float] = field(default_factory=dict)  # path -> seconds before answering
    received: list[Received] = field(default_factory=list)

    def url(self, path: str = "/hooks", host: str = "127.0.0.1") -> str:
        return f"https://{host}:{self.port}{path}"


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            if self.path in receiver.delays:
                time.sleep(receiver.delays[self.path])
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            answer = b'{"ok": true}' if status < 300 else b"receiver says no"
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "https://elsewhere.example/hooks")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            try:
                self.wfile.write(answer)
            except OSError:
                pass  # the caller gave up (a timeout test)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def run_receiver(folder: Path) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 until the generator is closed (use it as a fixture)."""
    cert, key = self_signed(
        folder,
        "breachdesk test receiver",
        names=("localhost", "127.0.0.1"),
        files=("receiver.pem", "receiver.key"),
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    receiver = Receiver(port=int(server.server_address[1]), ca_file=cert)
    server.RequestHandlerClass = _handler(receiver)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
