"""What a kind of delivery tells the engine: the message to send (an e-mail, or a webhook's
HTTP request), or that it is not needed.

A *handler* is a function ``(session, row, context) -> Outgoing | Skip | Hold``. It reads what it
needs (the incident, the people to write to) at the moment of sending, so that a change of FG
or a notification recorded a minute ago is taken into account; it changes nothing (the engine
records the outcome). It may raise anything: the engine counts that as a failed attempt of
this row only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ...models import Delivery


@dataclass(frozen=True)
class Outgoing:
    """An e-mail to send: recipients, subject (one line is enforced later) and plain text;
    optionally an HTML version of the same text (sent as multipart/alternative, the plain
    text first), a Reply-To address and the sender's display name.

    ``personal``: the mail carries a link that acts as its recipient (an invitation, a
    reporter's follow-up link). It is then not filed under the row's organisation, so the
    file outbox keeps it in ``_system``, which no organisation's administrator can open:
    an administrator must never be able to use a link meant for someone else.
    """

    recipients: list[str]
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    personal: bool = False
    #: The display name of the sender (the address is the installation's MAIL_FROM): the
    #: organisation's name on mail that leaves it (people would not know "breachdesk").
    sender_name: str | None = None


@dataclass(frozen=True)
class WebhookRequest:
    """An HTTP POST to make: the URL, the body bytes and the headers; the transport adds the
    signature made with ``secret_sealed`` (the endpoint's secret, sealed by the vault)."""

    url: str
    body: bytes
    headers: Mapping[str, str]
    secret_sealed: str


@dataclass(frozen=True)
class Skip:
    """The row is no longer needed (the incident moved on); it is cancelled with ``reason``."""

    reason: str = "not_needed"


@dataclass
class SendContext:
    """What a handler may use besides the row: the moment, lateness, links, a batch cache."""

    now: datetime
    late: bool
    base_url: str
    cache: dict[Any, Any] = field(default_factory=dict)  # shared by one batch of rows
    secret_key: str = ""  # for links derived from the installation's secret (follow-up)

    def link(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"


@dataclass(frozen=True)
class Hold:
    """Not now: the row is held (its mailing was paused) and waits, unsent, to be resumed."""


Handler = Callable[[Session, Delivery, SendContext], Outgoing | WebhookRequest | Skip | Hold]
