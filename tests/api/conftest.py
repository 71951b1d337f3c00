"""Fixtures for the JSON API: tokens made through the service, as the account page does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from breachdesk.domain.api_access import Scope
from breachdesk.extensions import db
from breachdesk.models import Organisation, User
from breachdesk.services import api_tokens
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

MakeToken = Callable[..., str]


@pytest.fixture
def make_token(app: Flask, clock: FixedClock) -> MakeToken:
    """make_token(user, org, "read", days=90) -> the token itself (``bd_...``)."""

    def make(user: User, organisation: Organisation, scope: str, days: int = 90) -> str:
        _, plain = api_tokens.issue(
            db.session,
            user,
            organisation,
            name=f"{scope} token",
            scope=Scope(scope),
            days=days,
            actor=Actor.of(user),
            clock=clock,
        )
        return plain

    return make


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def report_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Mail met klantenlijst naar verkeerde ontvanger",
        "description": "Een medewerker stuurde een lijst met 40 klanten naar een leverancier.",
        "discovered_at": "2026-11-19T08:30:00Z",
        "ongoing": "no",
        "subjects_mode": "exact",
        "subjects_exact": 40,
        "children_involved": "no",
        "protection": "none",
        "containment": ["asked_deletion"],
    }
    body.update(changes)
    return body
