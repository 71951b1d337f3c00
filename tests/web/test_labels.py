"""Words shown for codes: audit actions and refused status changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

import breachdesk
from breachdesk.domain.lifecycle import STATE_LABELS, Guards, State, TransitionRefused, move
from breachdesk.web.labels import ACTION_LABELS, refusal_text

PREFIXES = "incident|user|role|organisation|calendar|reminder|mail|delivery"
ACTION = re.compile(rf'"((?:{PREFIXES})\.[a-z_]+)"')


def test_every_audited_action_has_words() -> None:
    services = Path(breachdesk.__file__).parent / "services"  # only services write the trail
    used = {
        code
        for path in services.rglob("*.py")
        for code in ACTION.findall(path.read_text(encoding="utf-8"))
        if not code.endswith(".id")  # foreign keys ("incident.id"), not actions
    }
    assert "incident.notification_recorded" in used and "delivery.failed" in used
    assert sorted(used - set(ACTION_LABELS)) == []


def test_a_refused_move_names_the_statuses_in_dutch(app: Flask) -> None:
    with pytest.raises(TransitionRefused) as caught:
        move(State.CLOSED, State.ASSESSED, Guards())
    refused = caught.value
    with app.test_request_context(), force_locale("nl"):
        text = refusal_text(refused)
    assert text.startswith("Een incident kan niet van")
    assert "closed" not in text and "assessed" not in text
    with app.test_request_context(), force_locale("en"):
        english = refusal_text(refused)
    assert f"“{STATE_LABELS[State.CLOSED]}”" in english


def test_every_kind_of_delivery_has_words(app: Flask) -> None:
    from breachdesk.domain.delivery import Kind
    from breachdesk.models import Delivery
    from breachdesk.web.labels import delivery_label

    with app.test_request_context(), force_locale("nl"):
        for kind in Kind:
            label = "24h" if kind is Kind.REMINDER else kind.value
            words = delivery_label(Delivery(kind=kind.value, label=label))
            assert words != kind.value and "_" not in words, kind
