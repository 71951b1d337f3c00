"""Outgoing mail: one small interface, an SMTP sender and a file sink for the embedded default.

Services build :class:`email.message.EmailMessage` objects with :func:`build_message` (the
one place that sets header values, each folded onto one line) and hand them to a
:class:`Mailer`; they never talk to SMTP themselves. Every mailer returns a :class:`Receipt`,
the proof kept with each delivery. The file sink writes each message as an
``.eml`` file under ``instance/outbox/<organisation slug>/`` so a demo works without a mail
server and administrators can read what would have been sent (except mails with a link that
acts as their recipient, which go to ``_system``: see ``Outgoing.personal``).

Many messages in a row (a batch of the delivery engine, a mailing to the people affected) go
over one :meth:`Mailer.connection`: for SMTP one session, opened at the first message and
opened again after it broke, instead of a connection, TLS handshake and login per message.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid, parseaddr
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .domain.text import single_line

if TYPE_CHECKING:
    from .services.vault import Vault

ORG_HEADER = "X-Breachdesk-Organisation"


@dataclass(frozen=True)
class Receipt:
    """What the receiving end said: the proof kept with a delivery."""

    reply: str  # the SMTP server's answer to the message, or where the file sink put it
    refused: dict[str, str] = field(default_factory=dict)  # recipient -> reason, if some were
    sha256: str = ""  # of the bytes handed over, when the mailer knows them ("" otherwise)


class Sender(Protocol):
    """Hands one message over and returns the receipt, or raises ``OSError``/``SMTPException``
    (``smtplib.SMTPException`` is an ``OSError``)."""

    def send(self, message: EmailMessage) -> Receipt: ...


class Mailer(Sender, Protocol):
    """Delivers messages: one at a time with ``send``, or many over one ``connection()``.

    ``with mailer.connection() as connection: connection.send(message)`` sends each message
    as ``send`` would, but may reuse what it set up for the previous one (an SMTP session).
    A failure of one message is raised for that message; the next ``send`` on the same
    connection sets up again what broke.
    """

    def connection(self) -> AbstractContextManager[Sender]: ...


def open_connection(mailer: Sender) -> AbstractContextManager[Sender]:
    """``mailer.connection()``, or the mailer itself for a sender that has no connections
    (a test's fake with only ``send``): each message then stands alone."""
    opener = getattr(mailer, "connection", None)
    if opener is None:
        return nullcontext(mailer)
    connection: AbstractContextManager[Sender] = opener()
    return connection


class _HeaderFactory(HeaderRegistry):
    """The standard header registry, made cheaper for many similar messages.

    The standard one makes a new class each time a header is set and parses every value;
    building a message spends most of its time there. Here each class is made once, and the
    headers that repeat from message to message (sender, Reply-To, subject, the MIME headers)
    are parsed once: header objects are immutable, so messages can share them.
    """

    REPEATING = frozenset(
        {
            "from",
            "reply-to",
            "subject",
            ORG_HEADER.lower(),
            "content-type",
            "content-transfer-encoding",
            "mime-version",
        }
    )

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._classes.get(key)
        if made is None:
            made = self._classes[key] = super().__getitem__(name)
        return made

    def __call__(self, name: str, value: str) -> BaseHeader:
        if name.lower() not in self.REPEATING or "boundary=" in value:  # a boundary is unique
            return self[name](name, value)
        key = (name, value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= 1000:  # a bound, not a working set: start afresh
                self._parsed.clear()
            header = self._parsed[key] = self[name](name, value)
        return header


#: ``email.policy.default`` (what ``EmailMessage()`` uses), with the cheaper header factory.
POLICY = default_policy.clone(header_factory=_HeaderFactory())


def header_value(value: str) -> str:
    """A header value on one line: every line-break character folded to a space.

    The e-mail library refuses a header containing a line break (``ValueError``), and one
    that it let through could forge headers; a title typed with Word's soft line break must
    produce neither.
    """
    if value.isprintable() and "  " not in value and value == value.strip():
        return value  # nothing to fold (the common case; single_line walks every character)
    return single_line(value)


def sender_named(mail_from: str, name: str) -> str:
    """``mail_from`` with ``name`` as its display name (the address stays: it is the one the
    mail server and SPF/DKIM vouch for), e.g. ``Luxigo <breachdesk@example.org>``."""
    address = parseaddr(mail_from)[1] or mail_from
    return str(Address(display_name=single_line(name), addr_spec=address))


def build_message(
    *,
    sender: str,
    to: list[str],
    subject: str,
    text: str,
    organisation: str | None = None,
    html: str | None = None,
    reply_to: str | None = None,
) -> EmailMessage:
    """A UTF-8 message with Date and Message-ID set; every header on one line.

    Plain text only, or with ``html`` a multipart/alternative message: the plain text first,
    then the HTML (a reader shows the last part it can). ``reply_to`` sets Reply-To. Never a
    List-Unsubscribe header: what breachdesk sends (reminders, notices to the people
    affected) is not a mailing list one can leave.
    """
    message = EmailMessage(policy=POLICY)
    message["From"] = header_value(sender)
    message["To"] = ", ".join(header_value(address) for address in to)
    if reply_to:
        message["Reply-To"] = header_value(reply_to)
    message["Subject"] = header_value(subject)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=_sender_domain(sender))
    if organisation:
        message[ORG_HEADER] = header_value(organisation)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def _sender_domain(sender: str) -> str:
    """The sender's domain for the Message-ID (RFC 5322 3.6.4), not "breachdesk.local" as it
    was for everyone; "localhost" when the address has none (found by exploratory testing)."""
    _name, address = parseaddr(sender)
    local, at, domain = address.rpartition("@")
    domain = domain.strip().lower()
    usable = local and at and domain and all(part for part in domain.split("."))
    return domain if usable else "localhost"


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
        """One message over a connection of its own."""
        with self.connection() as connection:
            return connection.send(message)

    @contextmanager
    def connection(self) -> Iterator[SmtpConnection]:
        """Many messages over one SMTP session (QUIT when the block ends)."""
        connection = SmtpConnection(self)
        try:
            yield connection
        finally:
            connection.close()

    def connect(self) -> _RecordingSMTP | _RecordingSMTPSSL:
        """A new SMTP session, greeted, with TLS and login as configured."""
        context = _tls_context() if (self.use_ssl or self.starttls) else None
        if self.use_ssl:
            smtp: _RecordingSMTP | _RecordingSMTPSSL = _RecordingSMTPSSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            smtp = _RecordingSMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls and not self.use_ssl:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


#: Refusals after which smtplib has already reset the session (RSET) or closed it (421): the
#: server answered, so the session is in a known state and can carry the next message.
_ANSWERED = (smtplib.SMTPSenderRefused, smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


class SmtpConnection:
    """One SMTP session for many messages: opened at the first ``send``, and opened again at
    the next ``send`` after it broke (the server closed it, a timeout, a network error).

    A message the server refused (``SMTPRecipientsRefused``, ``SMTPSenderRefused``,
    ``SMTPDataError``) leaves the session usable: smtplib has already sent RSET (or, after a
    421, closed the session), so no extra RSET is needed before the next message. Anything
    else that goes wrong mid-message leaves the session in an unknown state, so it is dropped
    and the next message opens a new one. Not thread-safe: one sender at a time.
    """

    def __init__(self, mailer: SmtpMailer) -> None:
        self._mailer = mailer
        self._smtp: _RecordingSMTP | _RecordingSMTPSSL | None = None
        self.opened = 0  # sessions opened so far (for tests and benchmarks)

    def send(self, message: EmailMessage) -> Receipt:
        del message[ORG_HEADER]  # internal routing header, not for the outside world
        smtp = self._smtp
        if smtp is None or smtp.sock is None:  # not yet open, or closed after a 421
            smtp = self._smtp = self._mailer.connect()
            self.opened += 1
        smtp.data_reply, smtp.data_sha256 = (0, b""), ""
        try:
            refused = smtp.send_message(message)
        except _ANSWERED:
            raise
        except BaseException:  # disconnected, a timeout, a reset: where the session is is unknown
            self._smtp = None
            smtp.close()  # without QUIT, which the server could take for part of a message
            raise
        code, answer = smtp.data_reply
        return Receipt(
            reply=f"{code} {answer.decode('utf-8', 'replace')}".strip(),
            refused={to: f"{c} {r.decode('utf-8', 'replace')}" for to, (c, r) in refused.items()},
            sha256=smtp.data_sha256,
        )

    def close(self) -> None:
        """Say QUIT and close; quietly, since every message's outcome is already known."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            if smtp.sock is not None:
                smtp.quit()
        except OSError:
            pass
        finally:
            smtp.close()


class _DataReplyMixin:
    """Keeps the server's answer to DATA, which ``send_message`` does not return, and the
    SHA-256 of the bytes handed over with it (the message as sent, before dot-stuffing)."""

    data_reply: tuple[int, bytes] = (0, b"")
    data_sha256: str = ""

    def data(self, msg: Any) -> tuple[int, bytes]:
        content = msg.encode("ascii") if isinstance(msg, str) else bytes(msg)
        self.data_sha256 = hashlib.sha256(content).hexdigest()
        self.data_reply = super().data(msg)  # type: ignore[misc]
        return self.data_reply


class _RecordingSMTP(_DataReplyMixin, smtplib.SMTP):
    pass


class _RecordingSMTPSSL(_DataReplyMixin, smtplib.SMTP_SSL):
    pass


@dataclass
class FileMailer:
    """Writes each message to ``<outbox>/<organisation slug or _system>/<time>-<id>.eml``,
    encrypted with ``vault`` when given (as the app always does: these are copies of mails
    about breaches); read them back with :func:`read_outbox_file`."""

    outbox: Path
    vault: Vault | None = None

    def send(self, message: EmailMessage) -> Receipt:
        folder = self.outbox / safe_folder_name(message.get(ORG_HEADER) or "_system")
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        content = bytes(message)
        if self.vault is not None:
            self.vault.write(path, content)  # through a temporary file and a rename
        else:
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(content)
            temporary.replace(path)  # readers never see a half-written file
        return Receipt(
            reply=f"written to {path.relative_to(self.outbox)}",
            sha256=hashlib.sha256(content).hexdigest(),
        )

    @contextmanager
    def connection(self) -> Iterator[FileMailer]:
        """Nothing to set up: each message is its own file."""
        yield self


def read_outbox_file(path: Path, vault: Vault | None) -> bytes:
    """The message in an outbox file, decrypted (files written before encryption as they are).

    Raises:
        OSError: no such file.
        VaultError: the storage key is missing or wrong.
    """
    if vault is None:
        return path.read_bytes()
    return vault.read_bytes(path)


def outbox_file_of(reply: str) -> str | None:
    """The outbox file (relative to the outbox) a :class:`FileMailer` receipt names, if any."""
    prefix = "written to "
    if not reply.startswith(prefix):
        return None
    relative = reply[len(prefix) :].strip()
    parts = relative.split("/")
    if len(parts) != 2 or not all(parts) or any(p.startswith(".") for p in parts):
        return None
    return relative


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

    @contextmanager
    def connection(self) -> Iterator[RecordingMailer]:
        """Nothing to set up."""
        yield self
