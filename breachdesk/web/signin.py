"""The end of a sign-in, shared by the password step and the second-factor step.

A person with a second factor is not signed in after the password: the session only holds
who passed the password and when, for a few minutes, until the code is typed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, session
from flask_login import login_user

from ..extensions import db_session
from ..models import User
from ..runtime import runtime
from ..services import sessions

#: How long the code may be typed after the password was accepted.
CHALLENGE_LIFETIME = timedelta(minutes=5)
_PENDING = "second_factor_pending"


def _lifetime() -> timedelta:
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=float(lifetime))


def _fresh_session() -> None:
    """Clear the cookie session (no session fixation), keeping the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def finish(person: User) -> None:
    """Sign ``person`` in: a new server-side session behind a fresh cookie session."""
    _fresh_session()
    login_user(person)
    session["sid"] = sessions.start(
        db_session(), person, clock=runtime().clock, lifetime=_lifetime()
    )


def await_code(person: User, next_url: str) -> None:
    """The password was right and the account has a second factor: wait for the code."""
    _fresh_session()
    session[_PENDING] = {
        "user": person.id,
        "since": runtime().clock.now().isoformat(),
        "next": next_url,
    }


def pending() -> tuple[User, str] | None:
    """Who passed the password and where they were going, while the code may still be typed."""
    data: Any = session.get(_PENDING)
    if not isinstance(data, dict):
        return None
    try:
        since = datetime.fromisoformat(str(data["since"]))
        user_id = int(data["user"])
    except (KeyError, TypeError, ValueError):
        return None
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if runtime().clock.now() - since > CHALLENGE_LIFETIME:
        return None
    person = db_session().get(User, user_id)
    if person is None or not person.active or not person.has_second_factor:
        return None
    return person, str(data.get("next") or "")


def forget_pending() -> None:
    session.pop(_PENDING, None)
