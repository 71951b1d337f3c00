"""Webhooks as rules: which events exist, which targets may be called, how a call is signed.

Pure: no I/O. Resolving a host name and connecting are the service's
(:mod:`breachdesk.services.delivery.webhook_http`); this module says whether a URL is
acceptable in its form and whether an address it resolved to may be called.

* **Events** (:class:`EventType`) are the moments an organisation can subscribe to. Their JSON
  body is built by :func:`event_body`; it names the organisation and the incident (id,
  reference) and carries only register facts (moments, outcomes, counts), never a name, an
  address or a free text.
* **Targets** must be ``https://`` and must not resolve to a private, loopback, link-local,
  multicast, reserved or unspecified address (server-side request forgery), unless an
  administrator allowlists the host or its network (:class:`TargetPolicy`).
* **Signatures**: ``Breachdesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
  "<t>.<body>" under the endpoint's secret>``. A receiver recomputes it
  (:func:`verify_signature`) and refuses a timestamp older than a few minutes (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from .text import N_

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SIGNATURE_HEADER = "Breachdesk-Signature"
EVENT_HEADER = "Breachdesk-Event"
DELIVERY_HEADER = "Breachdesk-Delivery"
#: How old a signature's timestamp a receiver should still accept (our advice, in seconds).
TOLERANCE_SECONDS = 300
MAX_URL_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 200
#: Namespace of the event ids derived from what happened (see :func:`event_id`).
_EVENT_NAMESPACE = uuid.UUID("6f4c1e2a-3b5d-4e8f-9a1b-2c3d4e5f6a7b")


class EventType(StrEnum):
    REPORT_RECEIVED = "report.received"
    DEADLINE_DUE_SOON = "deadline.due_soon"
    DEADLINE_OVERDUE = "deadline.overdue"
    DECISION_RECORDED = "decision.recorded"
    AP_FILED = "ap.filed"
    PEOPLE_INFORMED = "people.informed"
    #: Sent only by "send test event" from the admin page; nobody subscribes to it.
    TEST = "test"


SUBSCRIBABLE: tuple[EventType, ...] = tuple(e for e in EventType if e is not EventType.TEST)
DEADLINE_EVENTS = frozenset({EventType.DEADLINE_DUE_SOON, EventType.DEADLINE_OVERDUE})


class WebhookError(ValueError):
    """An endpoint cannot be saved or called; ``message`` is for people (translated by the
    caller, with ``params``), ``field`` the form field it belongs to."""

    def __init__(self, message: str, field: str = "url", **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message, self.field, self.params = message, field, params


@dataclass(frozen=True)
class Target:
    """A checked URL: the host to resolve and connect to, the port and the request path."""

    url: str
    host: str
    port: int
    path: str


def parse_target(url: str) -> Target:
    """The URL as a target, or :class:`WebhookError` when it is not an acceptable one:
    not ``https://``, no host, credentials in it, too long, a fragment or a line break.
    Addresses are checked after resolution (:meth:`TargetPolicy.refusal`)."""
    text = url.strip()
    if not text:
        raise WebhookError(N_("Give the address (URL) of the endpoint."))
    if len(text) > MAX_URL_LENGTH or any(not c.isprintable() or c.isspace() for c in text):
        raise WebhookError(N_("This is not a valid web address."))
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise WebhookError(N_("This is not a valid web address.")) from error
    if parts.scheme.lower() != "https":
        raise WebhookError(N_("Only https:// addresses can receive webhooks."))
    host = (parts.hostname or "").rstrip(".")
    try:  # an international name as its ASCII form (what DNS, TLS and the Host header use)
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as error:
        raise WebhookError(N_("This is not a valid web address.")) from error
    if not host:
        raise WebhookError(N_("This is not a valid web address."))
    if parts.username is not None or parts.password is not None:
        raise WebhookError(N_("Put no user name or password in the address."))
    if parts.fragment:
        raise WebhookError(N_("Leave out the part after # in the address."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(url=text, host=host.lower(), port=port or 443, path=path)


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return None


def is_public(address: IPAddress) -> bool:
    """True for an address on the public internet: not private, loopback, link-local,
    multicast, reserved, unspecified or shared (carrier-grade NAT); an IPv4 address inside an
    IPv6 one (``::ffff:10.0.0.1``, 6to4, Teredo) is judged as the IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address.teredo is not None:
            inner = address.teredo[1]
        if inner is not None:
            return is_public(inner)
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


@dataclass(frozen=True)
class TargetPolicy:
    """Which targets besides public addresses an administrator allows.

    ``hosts`` are host names or addresses (``hooks.intranet.example``, ``127.0.0.1``) and
    networks (``10.20.0.0/16``) from ``WEBHOOK_ALLOWED_HOSTS``; ``allow_private`` (the setting
    ``WEBHOOK_ALLOW_PRIVATE_NETWORKS``) allows every address. Neither lifts the https rule.
    """

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()
    allow_private: bool = False

    @classmethod
    def from_settings(cls, allowed: Iterable[str] | str, allow_private: bool) -> TargetPolicy:
        """From the settings; ``allowed`` as a list or a comma-separated string.

        Raises:
            ValueError: an entry is neither a host name, an address nor a network.
        """
        entries = allowed.split(",") if isinstance(allowed, str) else list(allowed)
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (str(e).strip().lower().strip("[]") for e in entries):
            if not entry:
                continue
            if "/" in entry:
                networks.append(ipaddress.ip_network(entry, strict=False))
            elif _address(entry) is not None:
                networks.append(ipaddress.ip_network(entry))
            elif all(part.replace("-", "").isalnum() for part in entry.rstrip(".").split(".")):
                hosts.add(entry.rstrip("."))
            else:
                raise ValueError(
                    f"BREACHDESK_WEBHOOK_ALLOWED_HOSTS: {entry!r} is no host, address or network"
                )
        return cls(frozenset(hosts), tuple(networks), bool(allow_private))

    def refusal(self, host: str, addresses: Iterable[str]) -> WebhookError | None:
        """Why ``host``, resolved to ``addresses``, may not be called (None: it may).

        Every address must pass: a name that resolves to one public and one private
        address is refused (the connection could be steered to either)."""
        found = [a for a in (_address(text) for text in addresses) if a is not None]
        if not found:
            return WebhookError(N_("The host name %(host)s cannot be found."), host=host)
        if self.allow_private or host.lower() in self.hosts:
            return None
        for address in found:
            if is_public(address) or any(address in net for net in self.networks):
                continue
            return WebhookError(
                N_(
                    "%(host)s points to a private or local address (%(address)s): webhooks "
                    "only go to addresses on the internet, unless an administrator of the "
                    "installation allows this one (BREACHDESK_WEBHOOK_ALLOWED_HOSTS)."
                ),
                host=host,
                address=str(address),
            )
        return None


# --- events ---------------------------------------------------------------------------------


def event_id(*parts: object) -> str:
    """A stable event id: the same moment (say, the overdue of incident 7 at a given
    deadline) gets the same id whenever and however often it is planned, so a receiver can
    drop duplicates by id."""
    return "evt_" + uuid.uuid5(_EVENT_NAMESPACE, "\x1f".join(map(str, parts))).hex


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def plain(value: Any) -> Any:
    """``value`` with aware datetimes as ISO 8601 UTC strings ("…Z"), for a JSON payload."""
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class EventBody:
    """What a delivery row keeps of its event; the incident's URL is added when sending."""

    id: str
    type: EventType
    occurred_at: datetime
    organisation: str
    incident: Mapping[str, Any] | None = None  # {"id": int, "reference": str}
    data: Mapping[str, Any] = field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        """The event as the JSON kept in the delivery row's ``payload``."""
        stored: dict[str, Any] = plain(
            {
                "id": self.id,
                "type": self.type.value,
                "occurred_at": self.occurred_at,
                "organisation": self.organisation,
                "incident": dict(self.incident) if self.incident is not None else None,
                "data": dict(self.data),
            }
        )
        return stored


def event_body(stored: Mapping[str, Any], incident_url: str | None) -> bytes:
    """The bytes POSTed: the stored event with the incident's URL, as compact UTF-8 JSON with
    sorted keys (the same bytes on every attempt)."""
    body = dict(stored)
    if body.get("incident") is not None:
        body["incident"] = {**body["incident"], "url": incident_url}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# --- signatures -----------------------------------------------------------------------------


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The ``Breachdesk-Signature`` header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    secret: bytes, header: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """What a receiver does: True when ``header`` signs ``body`` under ``secret`` and its
    timestamp lies within ``tolerance`` seconds of ``now``."""
    items = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(items.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, items.get("v1", ""))


# --- outcomes -------------------------------------------------------------------------------


def http_is_permanent(status: int) -> bool:
    """True when an HTTP answer refuses for good: a 4xx other than 408 (timeout) and 429
    (too many requests). 5xx answers, timeouts and connection errors are tried again."""
    return 400 <= status <= 499 and status not in (408, 429)


def http_delivered(status: int) -> bool:
    return 200 <= status <= 299
