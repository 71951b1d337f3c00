"""A form shows every error in one round: the form's own (a required field left empty, a date
that does not parse) together with the domain's (a date before the breach began, a due date
before it was discovered, a supplement before the first filing), each at its field, with the
typing kept and nothing saved (found by exploratory testing: the domain's errors came one
round later)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation, RemedialAction
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, login
from ..integration.test_incidents import submit


@pytest.fixture
def incident(
    app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, clock: FixedClock
) -> Incident:
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@x.nl", (kruix, Role.FG))
    return submit(reporter, kruix, clock)


def errors_at(page: str, *fields: str) -> None:
    for name in fields:
        assert f'id="{name}-error"' in page, name


def test_a_measure_without_a_title_and_with_a_due_date_before_the_discovery(
    client: Any, incident: Incident
) -> None:
    login(client, "fg@x.nl")
    response = client.post(
        f"/incidents/{incident.id}/actions/add",
        data={"title": "", "owner_name": "Pieter de Beheerder", "due_on": "2020-01-01"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    errors_at(page, "title", "due_on")
    assert "Beschrijf de maatregel." in page
    assert "De uiterste datum kan niet vóór de ontdekking van het datalek liggen" in page
    assert 'value="Pieter de Beheerder"' in page and 'value="2020-01-01"' in page
    assert db.session.execute(select(RemedialAction)).first() is None
