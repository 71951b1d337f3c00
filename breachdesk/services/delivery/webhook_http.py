"""Sending a webhook call: resolve, check every address, connect to a checked one, POST.

The engine hands a :class:`WebhookRequest` (what a webhook handler prepared) to a
:class:`WebhookTransport`. The transport

* parses the URL again and resolves its host **at the moment of sending**; every address the
  name resolves to must pass the target policy (:class:`~breachdesk.domain.webhooks.
  TargetPolicy`), so a name that was public at registration and points to ``127.0.0.1`` now
  is refused (DNS rebinding);
* connects to one of *those* addresses (never resolving again), with TLS checked against the
  host name (SNI and certificate), so the address checked is the address called;
* signs the body at that moment (``Breachdesk-Signature``, a fresh timestamp on every attempt)
  with the endpoint's secret, unsealed from the storage vault only for this;
* follows no redirect, reads at most :data:`MAX_READ` bytes of the answer, and gives up after
  ``timeout`` seconds (connecting, and each read).

Outcomes: a 2xx answer is delivered (:class:`HttpReceipt`: status, a short excerpt of the
answer, the SHA-256 of the body sent). Everything else raises :class:`WebhookFailure` with
``permanent`` set for a 3xx (redirects are not followed), a 4xx other than 408/429 and a
target the policy refuses; 5xx, 408, 429, timeouts and connection errors raise a temporary
failure (or the ``OSError`` itself) and the engine tries again with back-off.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from ...domain.delivery import REFUSED_FOR_GOOD
from ...domain.webhooks import (
    SIGNATURE_HEADER,
    Target,
    TargetPolicy,
    WebhookError,
    http_delivered,
    http_is_permanent,
    parse_target,
    signature,
)
from ..vault import Vault, VaultError
from .outgoing import WebhookRequest

#: Bytes of an answer read at most (the excerpt kept as proof is shorter).
MAX_READ = 64 * 1024
EXCERPT = 200
USER_AGENT = "breachdesk-webhooks/1"

Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class HttpReceipt:
    """The proof of a delivered call."""

    status: int
    excerpt: str
    sha256: str
    address: str  # the address connected to

    @property
    def reply(self) -> str:
        return f"HTTP {self.status} from {self.address}: {self.excerpt}".rstrip(": ")


class WebhookFailure(Exception):
    """A call that did not deliver: refused by policy, or answered with a status other than
    2xx. ``permanent``: trying again cannot help. ``status``: the HTTP status, if any."""

    def __init__(self, description: str, *, permanent: bool, status: int | None = None) -> None:
        super().__init__(description)
        self.permanent, self.status = permanent, status


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@cache
def _tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The system's trust store, or only ``ca_bundle`` when one is set (WEBHOOK_CA_BUNDLE)."""
    return ssl.create_default_context(cafile=ca_bundle or None)


class _PinnedConnection(http.client.HTTPSConnection):
    """An HTTPS connection to ``address`` for ``host``: no second DNS lookup, and TLS (SNI,
    certificate) checked against the host name."""

    def __init__(
        self, host: str, port: int, address: str, context: ssl.SSLContext, timeout: float
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


@dataclass
class WebhookTransport:
    """Makes webhook calls under a target policy (see the module docstring)."""

    policy: TargetPolicy
    vault: Vault
    timeout: float = 10.0
    ca_bundle: str | None = None
    resolver: Resolver = field(default=resolve)

    def check(self, url: str) -> tuple[Target, list[str]]:
        """The URL's target and its addresses, every one allowed.

        Raises:
            WebhookError: not an https URL, the name is not found, or an address is private,
                loopback, link-local, multicast, reserved or unspecified and not allowlisted.
        """
        target = parse_target(url)
        try:
            addresses = self.resolver(target.host, target.port)
        except (OSError, UnicodeError):
            addresses = []
        refusal = self.policy.refusal(target.host, addresses)
        if refusal is not None:
            raise refusal
        return target, addresses

    def post(self, request: WebhookRequest, now: datetime) -> HttpReceipt:
        """Make the call once; see the module docstring for the outcomes.

        Raises:
            WebhookFailure: refused by the policy, or not answered with 2xx.
            OSError: no connection (refused, timed out, TLS failed).
        """
        try:
            target, addresses = self.check(request.url)
        except WebhookError as error:
            not_found = not error.params.get("address")  # a name that does not resolve now
            raise WebhookFailure(str(error), permanent=not not_found) from error
        try:
            secret = self.vault.unseal(request.secret_sealed)
        except VaultError as error:
            raise WebhookFailure(str(error), permanent=False) from error
        headers = {
            **request.headers,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: signature(secret, int(now.timestamp()), request.body),
        }
        connection, address = self._connect(target, addresses)
        try:
            connection.request("POST", target.path, body=request.body, headers=headers)
            response = connection.getresponse()
            answer = response.read(MAX_READ)
        finally:
            connection.close()
        excerpt = " ".join(answer[: EXCERPT * 4].decode("utf-8", "replace").split())[:EXCERPT]
        status = response.status
        if http_delivered(status):
            return HttpReceipt(status, excerpt, hashlib.sha256(request.body).hexdigest(), address)
        if 300 <= status <= 399:
            where = response.getheader("Location", "")[:200]
            raise WebhookFailure(
                f"HTTP {status}: redirects are not followed (to {where!r}); register the "
                "address it points to",
                permanent=True,
                status=status,
            )
        permanent = http_is_permanent(status)
        prefix = REFUSED_FOR_GOOD if permanent else ""
        raise WebhookFailure(
            f"{prefix}HTTP {status}: {excerpt}".rstrip(": "), permanent=permanent, status=status
        )

    def _connect(self, target: Target, addresses: list[str]) -> tuple[_PinnedConnection, str]:
        """A connection to the first checked address that answers (as
        ``socket.create_connection`` tries each address in turn)."""
        context = _tls_context(self.ca_bundle)
        failure: OSError | None = None
        for address in addresses:
            connection = _PinnedConnection(target.host, target.port, address, context, self.timeout)
            try:
                connection.connect()
            except OSError as error:
                connection.close()
                failure = error
                continue
            return connection, address
        raise failure or OSError(f"no address to connect to for {target.host}")
