"""A real SMTP server (aiosmtpd on 127.0.0.1) in a child process, recording what it accepts.

A separate process, as a real mail server would be, so that it does not compete with the
code under measurement for the GIL. It notes the wall time of each accepted message, its
envelope recipients, which SMTP connection it came over and (unless told not to, for runs of
100,000 messages) its raw bytes; parsing is left to the benchmark.
"""

from __future__ import annotations

import itertools
import multiprocessing
import socket
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any


@dataclass(frozen=True)
class Received:
    at: float  # time.time() when the server accepted the message
    content: bytes  # b"" when the server keeps no content
    rcpt_tos: tuple[str, ...]
    connection: int  # the same number for messages that came over one SMTP connection

    @property
    def recipients(self) -> int:
        return len(self.rcpt_tos)


class _Recorder:
    def __init__(self, keep_content: bool) -> None:
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.sessions = itertools.count(1)
        self.keep_content = keep_content

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        at = time.time()
        if not hasattr(session, "benchmark_number"):  # the first message of this connection
            session.benchmark_number = next(self.sessions)
        with self.lock:
            self.received.append(
                Received(
                    at,
                    bytes(envelope.content) if self.keep_content else b"",
                    tuple(envelope.rcpt_tos),
                    session.benchmark_number,
                )
            )
        return "250 Message accepted for delivery"

    def take(self) -> list[Received]:
        with self.lock:
            taken, self.received = self.received, []
        return taken


def _serve_smtp(commands: Connection, keep_content: bool) -> None:
    """Child process: run aiosmtpd, answer "take" with what it accepted since, stop on "stop"."""
    from aiosmtpd.controller import Controller

    recorder = _Recorder(keep_content)
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    commands.send(port)
    try:
        while True:
            command = commands.recv()
            if command == "take":
                commands.send(recorder.take())
            elif command == "stop":
                break
    finally:
        controller.stop()


class SmtpServer:
    """Handle on the child process that runs the local aiosmtpd server."""

    def __init__(self, keep_content: bool = True) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_smtp, args=(child, keep_content), daemon=True)
        self._process.start()
        self.port: int = self._conn.recv()

    def take(self) -> list[Received]:
        """What the server accepted since the last call."""
        self._conn.send("take")
        taken: list[Received] = self._conn.recv()
        return taken

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
