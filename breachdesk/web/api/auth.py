"""Bearer tokens for the JSON API: who is calling, with what scope, how often.

Only the ``Authorization: Bearer bd_...`` header authenticates; the session cookie of the
web is never looked at, so a page in a browser cannot be made to call the API as its user
(and the API needs no CSRF token). Each request:

1. an address that sent wrong tokens waits (growing delays, ``ADDRESS_DELAYS``, shared with
   the sign-in: a wrong token is a guess like a wrong password);
2. the token is checked (:func:`breachdesk.services.api_tokens.check`): known, not revoked
   or expired, its user active and still holding a role in its organisation;
3. its scope and its user's roles must allow the operation (:mod:`breachdesk.domain.api_access`);
4. it is counted against ``API_RATE_LIMIT`` per token (429 with ``Retry-After`` beyond it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, request
from werkzeug.exceptions import Forbidden, Unauthorized

from ...domain.api_access import Scope, allows
from ...domain.throttle import parse_caps
from ...extensions import db_session
from ...runtime import runtime
from ...services import api_tokens, throttle
from ...services.api_tokens import Access
from ...services.throttle import Key
from .. import throttling
from ..throttling import TooManyAttempts
from .problems import ApiProblem

F = TypeVar("F", bound=Callable[..., Any])

CHALLENGE = 'Bearer realm="breachdesk"'


def access() -> Access:
    """The checked token of this request (views behind :func:`authenticated`)."""
    return cast(Access, g.api_access)


def _presented() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiProblem(
            401,
            "Send a personal access token: Authorization: Bearer bd_...",
            headers={"WWW-Authenticate": CHALLENGE},
        )
    return value.strip()


def _address_attempt() -> throttling.Attempt:
    # The per-account half is keyed by the address too: a wrong token names no account.
    return throttling.attempt("ADDRESS_DELAYS", f"api:{throttling.address()}")


def _authenticate() -> Access:
    presented = _presented()
    rt = runtime()
    attempt = _address_attempt() if throttling.enabled() else None
    if attempt is not None:
        try:
            throttling.guard(attempt)
        except TooManyAttempts as slowed:
            raise ApiProblem(
                429,
                "Too many requests from this address with tokens breachdesk never made: wait "
                f"{slowed.retry_after} seconds.",
                headers={"Retry-After": str(slowed.retry_after)},
            ) from None
    found = api_tokens.check(db_session(), presented, clock=rt.clock)
    if found is None:
        # Only a token breachdesk never made can be a guess; an expired or revoked one is
        # answered 401 without slowing down the address (an office's other tokens and
        # sign-ins share it).
        if attempt is not None and not api_tokens.known(db_session(), presented):
            throttling.failed(attempt)
        raise ApiProblem(
            401,
            "The token is unknown, expired or revoked, or its user may no longer use it.",
            headers={"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'},
        )
    return found


def _count(found: Access) -> None:
    if not throttling.enabled():
        return
    caps = parse_caps("api-token", str(current_app.config["API_RATE_LIMIT"]))
    secret = str(current_app.config["SECRET_KEY"])
    keys = [Key.of(cap, f"token:{found.token.id}", secret) for cap in caps]
    wait = throttle.hit(db_session(), keys, clock=runtime().clock)
    if wait:
        raise ApiProblem(
            429,
            f"This token has used up its requests ({current_app.config['API_RATE_LIMIT']}): "
            f"wait {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )


def authenticated(need: Scope) -> Callable[[F], F]:
    """Let the view run only for a valid token whose scope and user's roles allow ``need``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            found = _authenticate()
            g.api_access = found
            if not allows(found.scope, found.roles, need):
                raise Forbidden(
                    f"This needs a token with scope {need.value} held by a user whose role "
                    "allows it."
                )
            _count(found)
            api_tokens.touch(db_session(), found.token, clock=runtime().clock)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def started() -> None:
    g.api_started = time.perf_counter()


__all__ = ["Unauthorized", "access", "authenticated", "started"]
