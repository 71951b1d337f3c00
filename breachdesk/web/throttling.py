"""Rate limits for views, on the shared counters of :mod:`breachdesk.services.throttle`.

Guessing (a password, a second-factor code) is slowed per account and per address, failures
only, with growing delays::

    attempt = throttling.attempt("LOGIN_ACCOUNT_DELAYS", email)
    throttling.guard(attempt)          # 429 + Retry-After while a delay runs (checks nothing)
    if right:
        throttling.succeeded(attempt)  # forgets the account's failures (not the address's)
    else:
        throttling.failed(attempt)     # counts per account and per address; commits

The account part uses the policy in the named setting; the address part always uses
``ADDRESS_DELAYS`` (one count per address for every kind of guess). Plain volume (reports,
follow-up posts, reset mails) is capped per address with :func:`capped`.

``RATELIMIT_ENABLED = False`` turns all of it off (tests do, except the rate-limit tests).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, request
from werkzeug.exceptions import TooManyRequests

from ..domain.throttle import Policy, parse_caps
from ..extensions import db_session
from ..runtime import runtime
from ..services import throttle
from ..services.throttle import Key

F = TypeVar("F", bound=Callable[..., Any])


class TooManyAttempts(TooManyRequests):
    """A 429 that knows the real wait (the 429 page names it and sets ``Retry-After``)."""

    def __init__(self, wait: int) -> None:
        super().__init__()
        self.retry_after = max(1, int(wait))


#: The settings read by this module (checked when the app starts: a typo fails at once).
DELAY_SETTINGS = (
    "LOGIN_ACCOUNT_DELAYS",
    "PASSWORD_CHECK_DELAYS",
    "SECOND_FACTOR_DELAYS",
    "ADDRESS_DELAYS",
)
CAP_SETTINGS = ("LINK_REPORT_RATE_LIMIT", "FOLLOWUP_RATE_LIMIT", "PASSWORD_RESET_RATE_LIMIT")


def check_settings(config: Mapping[str, Any]) -> None:
    """Raise ValueError naming the first unreadable rate-limit setting."""
    for setting in DELAY_SETTINGS:
        Policy.parse(setting.lower(), str(config[setting]))
    for setting in CAP_SETTINGS:
        parse_caps(setting.lower(), str(config[setting]))


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def address() -> str:
    """The client's address (behind a proxy: as ProxyFix sets it)."""
    return request.remote_addr or "unknown"


def policy(setting: str) -> Policy:
    """The growing-delay policy in ``setting`` (``LOGIN_ACCOUNT_DELAYS`` → ``login-account``)."""
    name = setting.lower().removesuffix("_delays").replace("_", "-")
    return Policy.parse(name, str(current_app.config[setting]))


@dataclass(frozen=True)
class Attempt:
    """The two counters of one guess: the account's and the address's."""

    account: Key
    address: Key

    @property
    def keys(self) -> list[Key]:
        return [self.account, self.address]


def attempt(setting: str, account: str) -> Attempt:
    """The counters for a guess at ``account`` (an e-mail address, ``user:<id>``) under the
    policy in ``setting``, from this request's address."""
    return Attempt(
        account=Key.of(policy(setting), account, _secret()),
        address=Key.of(policy("ADDRESS_DELAYS"), address(), _secret()),
    )


def guard(attempt: Attempt) -> None:
    """Refuse (429) while a delay runs, before anything is checked."""
    if not enabled():
        return
    session, clock = db_session(), runtime().clock
    # The account's row is locked until the guess is decided (PostgreSQL), so parallel guesses
    # at one account are decided one after the other; the address's is not: an office's
    # sign-ins must not queue behind each other's password checks.
    wait = max(
        throttle.wait_seconds(session, [attempt.account], clock=clock, lock=True),
        throttle.wait_seconds(session, [attempt.address], clock=clock),
    )
    if wait:
        raise TooManyAttempts(wait)


def failed(attempt: Attempt) -> None:
    """Count a failed guess per account and per address (commits the request's session)."""
    if enabled():
        throttle.record_failure(db_session(), attempt.keys, clock=runtime().clock)


def succeeded(attempt: Attempt) -> None:
    """The right secret was given: forget the account's failures (not the address's)."""
    if enabled():
        throttle.record_success(db_session(), [attempt.account], clock=runtime().clock)


def capped(setting: str) -> Callable[[F], F]:
    """Count every POST to the view per address under the caps in ``setting`` (such as
    ``"5 per minute;20 per hour"``); beyond them answer 429 without running the view."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if request.method == "POST" and enabled():
                caps = parse_caps(setting.lower(), str(current_app.config[setting]))
                where = f"{request.endpoint}|{address()}"  # per view, as before
                keys = [Key.of(cap, where, _secret()) for cap in caps]
                wait = throttle.hit(db_session(), keys, clock=runtime().clock)
                if wait:
                    raise TooManyAttempts(wait)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator
