"""Outgoing mail: one small interface, an SMTP sender and a file sink for the embedded default.

Services build :class:`email.message.EmailMessage` objects and hand them to a
:class:`Mailer`; they never talk to SMTP themselves. The file sink writes each message as an
``.eml`` file under ``instance/outbox/<organisation slug>/`` so a demo works without a mail
server and administrators can read what would have been sent.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from pathlib import Path
from typing import Protocol

ORG_HEADER = "X-Breachdesk-Organisation"


class Mailer(Protocol):
    """Something that delivers a message or raises ``OSError``/``smtplib.SMTPException``."""

    def send(self, message: EmailMessage) -> None: ...


def build_message(
    *, sender: str, to: list[str], subject: str, text: str, organisation: str | None = None
) -> EmailMessage:
    """A plain-text UTF-8 message with Date and Message-ID set."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="breachdesk.local")
    if organisation:
        message[ORG_HEADER] = organisation
    message.set_content(text)
    return message


@cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: building one loads the CA store (~30 ms)."""
    return ssl.create_default_context()


@dataclass
class SmtpMailer:
    """Sends through an SMTP server (STARTTLS or implicit TLS, optional login)."""

    host: str
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 20.0

    def send(self, message: EmailMessage) -> None:
        del message[ORG_HEADER]  # internal routing header, not for the outside world
        context = _tls_context() if (self.use_ssl or self.starttls) else None
        if self.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls and not self.use_ssl:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


@dataclass
class FileMailer:
    """Writes each message to ``<outbox>/<organisation slug or _system>/<time>-<id>.eml``."""

    outbox: Path

    def send(self, message: EmailMessage) -> None:
        folder = self.outbox / safe_folder_name(message.get(ORG_HEADER) or "_system")
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(bytes(message))
        temporary.replace(path)  # readers never see a half-written file


def safe_folder_name(name: str) -> str:
    cleaned = "".join(ch for ch in name if ch.isalnum() or ch in "-_")
    return cleaned or "_system"


@dataclass
class RecordingMailer:
    """Keeps messages in memory; for tests that look at what was sent, not how."""

    sent: list[EmailMessage]

    def __init__(self) -> None:
        self.sent = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)
