"""The webhook rules without a network: targets, addresses, signatures, outcomes."""

from __future__ import annotations

import ipaddress
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from breachdesk.domain.webhooks import (
    EventBody,
    EventType,
    TargetPolicy,
    WebhookError,
    event_body,
    event_id,
    http_is_permanent,
    is_public,
    parse_target,
    signature,
    verify_signature,
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.0.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address refused, not bound
        "224.0.0.251", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
        "fc00::1", "ff02::1", "::ffff:10.0.0.1", "2002:7f00:1::", "64:ff9b::a00:1",
    ],
)  # fmt: skip
def test_private_and_special_addresses_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def test_a_target_keeps_its_path_and_query_and_refuses_what_is_not_https() -> None:
    target = parse_target(" https://Hooks.Example.org:8443/in?token=abc ")
    assert (target.host, target.port, target.path) == ("hooks.example.org", 8443, "/in?token=abc")
    assert parse_target("https://example.org").path == "/"
    assert parse_target("https://bücher.example/in").host == "xn--bcher-kva.example"
    bad = ["", "ftp://x.org", "http://x.org", "https://", "https://x.org/a b", "https://x.org:99999/",
           "https://x.org/#frag", "https://a@x.org/", "https://x.org/\r\nHost: evil"]  # fmt: skip
    for url in bad:
        with pytest.raises(WebhookError):
            parse_target(url)


def test_the_policy_needs_every_address_to_pass() -> None:
    policy = TargetPolicy.from_settings(["10.20.0.0/16", "intranet.example"], False)
    assert policy.refusal("x.org", ["93.184.215.14"]) is None
    assert policy.refusal("x.org", ["10.20.1.1"]) is None
    assert policy.refusal("x.org", ["93.184.215.14", "10.21.0.1"]) is not None
    assert policy.refusal("intranet.example", ["192.168.1.1"]) is None
    assert policy.refusal("x.org", []) is not None  # not found
    assert TargetPolicy(allow_private=True).refusal("x.org", ["127.0.0.1"]) is None
    with pytest.raises(ValueError, match="no host"):
        TargetPolicy.from_settings("bad host!", False)


def test_signatures_verify_only_with_the_secret_the_body_and_a_fresh_stamp() -> None:
    header = signature(b"s3cret", 1_800_000_000, b'{"a":1}')
    assert header.startswith("t=1800000000,v1=") and len(header.split("v1=")[1]) == 64
    assert verify_signature(b"s3cret", header, b'{"a":1}', now=1_800_000_100)
    assert not verify_signature(b"s3cret", header, b'{"a":2}', now=1_800_000_100)
    assert not verify_signature(b"other", header, b'{"a":1}', now=1_800_000_100)
    assert not verify_signature(b"s3cret", header, b'{"a":1}', now=1_800_000_301)
    assert not verify_signature(b"s3cret", "v1=abc", b'{"a":1}', now=1_800_000_000)


def test_a_body_is_the_same_bytes_every_time_and_the_event_id_is_stable() -> None:
    at = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    assert event_id(7, "deadline.overdue", at.isoformat()) == event_id(
        7, "deadline.overdue", at.isoformat()
    )
    assert event_id(7, "deadline.overdue") != event_id(8, "deadline.overdue")
    stored = EventBody(event_id(7), EventType.AP_FILED, at, "kruix", {"id": 7, "reference": "K-1"},
                       {"submitted_at": at}).stored()  # fmt: skip
    body = event_body(stored, "https://bd.example/incidents/7")
    assert body == event_body(json.loads(json.dumps(stored)), "https://bd.example/incidents/7")
    assert json.loads(body)["incident"]["url"] == "https://bd.example/incidents/7"
    assert json.loads(body)["data"] == {"submitted_at": "2026-11-19T10:00:00Z"}


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (401, True), (404, True),
                         (408, False), (429, False), (500, False), (503, False)])  # fmt: skip
def test_which_answers_are_final(status: int, permanent: bool) -> None:
    assert http_is_permanent(status) is permanent


def test_the_readme_snippet_verifies_what_breachdesk_signs() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("### Verifying a signature", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - our own README's example
    verify = namespace["verify"]
    now = int(time.time())
    header = signature(b"whsec_abc", now, b'{"a":1}')
    assert verify("whsec_abc", header, b'{"a":1}')
    assert not verify("whsec_abc", header, b'{"a":2}')
    assert not verify("whsec_abd", header, b'{"a":1}')
    assert not verify("whsec_abc", signature(b"whsec_abc", now - 600, b"{}"), b"{}")
