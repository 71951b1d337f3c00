"""Rate limits that fit an office (issue 15): failed guesses slow down per account and per
address with growing delays, successes never count, nobody is locked out, and a 429 says the
real wait. The counters are in the database (the two-worker test is in
tests/integration/test_throttle_workers.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from breachdesk.domain.roles import Role
from breachdesk.models import Organisation
from breachdesk.services.clock import FixedClock

from ..conftest import PASSWORD, MakeUser

DELAYS = "free=2 base=10 factor=2 cap=40 window=3600"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "RATELIMIT_ENABLED": True,
        "LOGIN_ACCOUNT_DELAYS": DELAYS,
        "PASSWORD_CHECK_DELAYS": "free=3 base=60 factor=2 cap=900 window=86400",
        "ADDRESS_DELAYS": "free=1000 base=5 factor=2 cap=300 window=3600",
    }


def sign_in(client: Any, email: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_delays_grow_with_failures_and_successes_do_not_count(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    make_user("a@x.nl", (orgs["kruix"], Role.REPORTER))
    assert [sign_in(client, "a@x.nl", PASSWORD).status_code for _ in range(6)] == [302] * 6
    client.post("/logout")
    assert [sign_in(client, "a@x.nl", "fout").status_code for _ in range(2)] == [200, 200]
    waits = []
    for _ in range(4):
        refused = sign_in(client, "a@x.nl", "fout")
        assert refused.status_code == 429  # refused without checking the password
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(seconds=waits[-1] - 1)
        assert sign_in(client, "a@x.nl", "fout").status_code == 429  # one second early
        clock.advance(seconds=1)
        assert sign_in(client, "a@x.nl", "fout").status_code == 200  # allowed, and wrong
    assert waits == [10, 20, 40, 40]  # growing, up to the cap
    # The real user, after the wait, signs in; that forgets the account's failures.
    clock.advance(seconds=int(sign_in(client, "a@x.nl", PASSWORD).headers["Retry-After"]))
    assert sign_in(client, "a@x.nl", PASSWORD).status_code == 302
    client.post("/logout")
    assert [sign_in(client, "a@x.nl", "fout").status_code for _ in range(2)] == [200, 200]


def test_the_fg_attacked_from_many_addresses_is_slowed_not_locked_out(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    guesses, refusals, longest = 0, 0, 0
    for n in range(200):  # one attempt a second, each from another address
        response = sign_in(client, "fg@x.nl", f"guess {n}", address=f"192.0.2.{n % 250}")
        if response.status_code == 200:
            guesses += 1
        else:
            assert response.status_code == 429
            refusals += 1
            longest = max(longest, int(response.headers["Retry-After"]))
        clock.advance(seconds=1)
    # 2 free guesses, then one after 10, 20, 40, 40, 40 ... seconds: 2 + 1 + 1 + 1 + 3 more.
    # The longest wait: the cap (40 s), asked one second after a failure.
    assert guesses == 8 and refusals == 192 and longest == 39
    # The FG, from her own address, waits at most the cap and is in.
    refused = sign_in(client, "fg@x.nl", PASSWORD, address="198.51.100.7")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 40
    clock.advance(seconds=int(refused.headers["Retry-After"]))
    assert sign_in(client, "fg@x.nl", PASSWORD, address="198.51.100.7").status_code == 302


def test_another_account_and_the_address_are_not_slowed_by_one_account(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("a@x.nl", (orgs["kruix"], Role.REPORTER))
    make_user("b@x.nl", (orgs["kruix"], Role.REPORTER))
    codes = [sign_in(client, "a@x.nl", "fout").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert sign_in(client, "b@x.nl", PASSWORD).status_code == 302


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_an_office_of_twenty_behind_one_address_is_never_slowed(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """The defaults: twenty colleagues behind one NAT address, each mistyping once a morning
    and signing in three times a day, are never refused."""
    people = [make_user(f"p{n}@x.nl", (orgs["kruix"], Role.REPORTER)).email for n in range(20)]
    codes = []
    for email in people:
        codes.append(sign_in(client, email, "typo", address="203.0.113.5").status_code)
        for _ in range(3):
            codes.append(sign_in(client, email, PASSWORD, address="203.0.113.5").status_code)
            client.post("/logout")
    assert codes == [200, 302, 302, 302] * 20


def test_the_429_names_the_real_wait_in_dutch_and_english(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    make_user("a@x.nl", (orgs["kruix"], Role.REPORTER))
    for _ in range(2):
        sign_in(client, "a@x.nl", "fout")
    clock.advance(seconds=3)
    refused = sign_in(client, "a@x.nl", "fout")
    assert refused.headers["Retry-After"] == "7"
    assert "Wacht 7 seconden en probeer het opnieuw" in refused.get_data(as_text=True)
    client.get("/language/en")
    refused = sign_in(client, "a@x.nl", "fout")
    assert "Wait 7 seconds and try again" in refused.get_data(as_text=True)
    app.config["LOGIN_ACCOUNT_DELAYS"] = "free=2 base=150 factor=2 cap=900 window=3600"
    refused = sign_in(client, "a@x.nl", "fout")
    assert refused.headers["Retry-After"] == "147"
    assert "Wait 3 minutes and try again" in refused.get_data(as_text=True)
    client.get("/language/nl")
    assert "Wacht 3 minuten" in sign_in(client, "a@x.nl", "fout").get_data(as_text=True)


def test_the_current_password_check_is_slowed_per_account(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> None:
    make_user("a@x.nl", (orgs["kruix"], Role.REPORTER))
    assert sign_in(client, "a@x.nl", PASSWORD).status_code == 302
    guess = {"current": "fout", "password": "x" * 12, "confirm": "x" * 12}
    codes = [client.post("/account", data=guess).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # three guesses of the current password, then a wait
    assert client.post("/account", data=guess).headers["Retry-After"] == "60"
    clock.advance(seconds=60)
    right = {"current": PASSWORD, "password": "y" * 12, "confirm": "y" * 12}
    assert client.post("/account", data=right).status_code == 302


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "PASSWORD_RESET_RATE_LIMIT": "2 per minute"}]
)
def test_forgot_password_is_capped_per_address(client: Any, clock: FixedClock) -> None:
    ask = {"email": "a@x.nl"}
    assert [client.post("/wachtwoord-vergeten", data=ask).status_code for _ in range(3)] == [
        302,
        302,
        429,
    ]
    other = client.post("/wachtwoord-vergeten", data=ask, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 302  # per address
    clock.advance(seconds=60)
    assert client.post("/wachtwoord-vergeten", data=ask).status_code == 302
