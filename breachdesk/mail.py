"""Outgoing mail: one small interface, an SMTP sender and a file sink for the embedded default.

Services build :class:`email.message.EmailMessage` objects with :func:`build_message` (the
one place that sets header values, each folded onto one line) and hand them to a
:class:`Mailer`; they never talk to SMTP themselves. Every mailer returns a :class:`Receipt`,
the proof kept with each delivery. The file sink writes each message as an
``.eml`` file under ``instance/outbox/<organisation slug>/`` so a demo works without a mail
server and administrators can read what would have been sent.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from .domain.text import single_line

ORG_HEADER = "X-Breachdesk-Organisation"


@dataclass(frozen=True)
class Receipt:
    """What the receiving end said: the proof kept with a delivery."""

    reply: str  # the SMTP server's answer to the message, or where the file sink put it
    refused: dict[str, str] = field(default_factory=dict)  # recipient -> reason, if some were


class Mailer(Protocol):
    """Delivers a message and returns the receipt, or raises ``OSError``/``SMTPException``."""

    def send(self, message: EmailMessage) -> Receipt: ...


def header_value(value: str) -> str:
    """A header value on one line: every line-break character folded to a space.

    The e-mail library refuses a header containing a line break (``ValueError``), and one
    that it let through could forge headers; a title typed with Word's soft line break must
    produce neither.
    """
    return single_line(value)


def build_message(
    *, sender: str, to: list[str], subject: str, text: str, organisation: str | None = None
) -> EmailMessage:
    """A plain-text UTF-8 message with Date and Message-ID set; every header on one line."""
    message = EmailMessage()
    message["From"] = header_value(sender)
    message["To"] = ", ".join(header_value(address) for address in to)
    message["Subject"] = header_value(subject)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="breachdesk.local")
    if organisation:
        message[ORG_HEADER] = header_value(organisation)
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

    def send(self, message: EmailMessage) -> Receipt:
        del message[ORG_HEADER]  # internal routing header, not for the outside world
        context = _tls_context() if (self.use_ssl or self.starttls) else None
        if self.use_ssl:
            smtp: _RecordingSMTP | _RecordingSMTPSSL = _RecordingSMTPSSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            smtp = _RecordingSMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls and not self.use_ssl:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            refused = smtp.send_message(message)
        code, answer = smtp.data_reply
        return Receipt(
            reply=f"{code} {answer.decode('utf-8', 'replace')}".strip(),
            refused={to: f"{c} {r.decode('utf-8', 'replace')}" for to, (c, r) in refused.items()},
        )


class _DataReplyMixin:
    """Keeps the server's answer to DATA, which ``send_message`` does not return."""

    data_reply: tuple[int, bytes] = (0, b"")

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_reply = super().data(msg)  # type: ignore[misc]
        return self.data_reply


class _RecordingSMTP(_DataReplyMixin, smtplib.SMTP):
    pass


class _RecordingSMTPSSL(_DataReplyMixin, smtplib.SMTP_SSL):
    pass


@dataclass
class FileMailer:
    """Writes each message to ``<outbox>/<organisation slug or _system>/<time>-<id>.eml``."""

    outbox: Path

    def send(self, message: EmailMessage) -> Receipt:
        folder = self.outbox / safe_folder_name(message.get(ORG_HEADER) or "_system")
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(bytes(message))
        temporary.replace(path)  # readers never see a half-written file
        return Receipt(reply=f"written to {path.relative_to(self.outbox)}")


def safe_folder_name(name: str) -> str:
    cleaned = "".join(ch for ch in name if ch.isalnum() or ch in "-_")
    return cleaned or "_system"


@dataclass
class RecordingMailer:
    """Keeps messages in memory; for tests that look at what was sent, not how."""

    sent: list[EmailMessage]

    def __init__(self) -> None:
        self.sent = []

    def send(self, message: EmailMessage) -> Receipt:
        self.sent.append(message)
        return Receipt(reply="recorded")
