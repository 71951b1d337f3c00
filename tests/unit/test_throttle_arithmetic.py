"""The delay arithmetic of rate limits (domain/throttle.py): no Flask, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from breachdesk.domain.throttle import Cap, Policy, parse_caps

T = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def test_free_attempts_then_delays_that_grow_up_to_the_cap() -> None:
    policy = Policy("login-account", free=3, base=10, factor=2, cap=100, window=3600)
    delays = [policy.delay(n) for n in range(0, 10)]
    assert delays == [0, 0, 0, 10, 20, 40, 80, 100, 100, 100]  # three tries, then waits
    assert policy.delay(10**9) == 100  # never overflows, never more than the cap


def test_the_wait_counts_from_the_last_failure_and_rounds_up() -> None:
    policy = Policy("p", free=1, base=30, factor=2, cap=300, window=3600)
    assert policy.wait(1, T, T) == 30
    assert policy.wait(1, T, T + timedelta(seconds=29.5)) == 1
    assert policy.wait(1, T, T + timedelta(seconds=30)) == 0
    assert policy.wait(3, T, T + timedelta(seconds=60)) == 60  # 120 s after the third failure


def test_failures_are_forgotten_after_the_window() -> None:
    policy = Policy("p", free=1, base=300, factor=2, cap=300, window=300)
    assert policy.wait(50, T, T + timedelta(seconds=299)) == 1
    assert policy.wait(50, T, T + timedelta(seconds=300)) == 0


def test_policies_are_read_from_settings_and_bad_ones_refused() -> None:
    policy = Policy.parse("login-account", "free=5 base=15 factor=2 cap=900 window=86400")
    assert policy == Policy("login-account", 5, 15, 2, 900, 86400)
    assert Policy.parse("p", "free=1").base == Policy("p").base
    for bad in (
        "free=x",
        "free=0",
        "speed=3",
        "free=1.5",
        "base=0",
        "cap=5 base=10",
        "cap=900 window=60",
    ):
        with pytest.raises(ValueError):
            Policy.parse("p", bad)
    with pytest.raises(ValueError):
        Policy("Login Account")


def test_caps_are_fixed_windows_from_the_first_request() -> None:
    assert parse_caps("x", "5 per minute;20 per hour") == (
        Cap("x-60", 5, 60),
        Cap("x-3600", 20, 3600),
    )
    assert parse_caps("x", "2/10 seconds") == (Cap("x-10", 2, 10),)
    cap = Cap("c", 2, 60)
    assert cap.wait(2, T, T + timedelta(seconds=1)) == 0
    assert cap.wait(3, T, T + timedelta(seconds=1)) == 59
    with pytest.raises(ValueError):
        parse_caps("x", "many per minute")
