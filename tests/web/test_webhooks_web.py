"""The webhooks page of an organisation: add, edit, test, rotate, delete, the delivery log."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.domain.webhooks import SIGNATURE_HEADER, verify_signature
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Organisation, WebhookEndpoint
from breachdesk.services import webhooks

from ..conftest import TEST_ACTOR, MakeUser, deliver_now, login
from ..webhook_receiver import Receiver, run_receiver

BASE = "/admin/organisations/kruix/webhooks"


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    yield from run_receiver(tmp_path)


@pytest.fixture
def app_config(receiver: Receiver) -> dict[str, Any]:
    return {"WEBHOOK_CA_BUNDLE": str(receiver.ca_file), "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1"]}


@pytest.fixture
def admin(client: Any, orgs: dict[str, Organisation], make_user: MakeUser) -> Any:
    make_user("admin@kruix.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@kruix.nl")
    return client


def error_of(page: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">([^<]*)<', page)
    return html.unescape(found.group(1)) if found else ""


def test_a_bad_address_keeps_the_typing_and_says_why_next_to_the_field(admin: Any) -> None:
    sent = {"url": "http://siem.kruix.example/in", "description": "Splunk van ICT",
            "events": ["report.received", "ap.filed"], "active": "y"}  # fmt: skip
    response = admin.post(f"{BASE}/new", data=sent)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(page, "url") == "Alleen https://-adressen kunnen webhooks ontvangen."
    assert 'value="http://siem.kruix.example/in"' in page and 'value="Splunk van ICT"' in page
    assert re.search(
        r'value="report.received"[^>]*checked|checked[^>]*value="report.received"', page
    )
    assert not re.search(r'value="decision.recorded"[^>]*checked', page)

    sent["url"] = "https://10.0.0.7/in"
    page = admin.post(f"{BASE}/new", data=sent).get_data(as_text=True)
    assert "10.0.0.7" in error_of(page, "url") and "WEBHOOK_ALLOWED_HOSTS" in error_of(page, "url")

    page = admin.post(f"{BASE}/new", data={**sent, "events": []}).get_data(as_text=True)
    assert error_of(page, "events") == "Kies ten minste één gebeurtenis."
    assert db.session.execute(select(WebhookEndpoint)).first() is None


def test_add_shows_the_secret_once_then_a_test_event_is_delivered_and_logged(
    admin: Any, app: Flask, receiver: Receiver
) -> None:
    sent = {"url": receiver.url(), "description": "SIEM", "events": ["report.received"],
            "active": "y"}  # fmt: skip
    page = admin.post(f"{BASE}/new", data=sent).get_data(as_text=True)
    secret = re.search(r'id="secret" type="text" readonly value="(whsec_[^"]+)"', page)
    assert secret is not None
    index = admin.get(BASE).get_data(as_text=True)
    assert secret.group(1) not in index and receiver.url() in index
    assert "Nog niets verstuurd." in index

    endpoint = db.session.execute(select(WebhookEndpoint)).scalar_one()
    response = admin.post(f"{BASE}/{endpoint.id}/test")
    assert response.status_code == 302
    deliver_now(app)
    (call,) = receiver.received
    stamp = int(call.headers[SIGNATURE_HEADER].split(",")[0][2:])
    assert verify_signature(
        secret.group(1).encode(), call.headers[SIGNATURE_HEADER], call.body, stamp
    )
    log = admin.get(BASE).get_data(as_text=True)
    # The answer in Dutch around the receiver's own words (it was "HTTP 200 from …": found by
    # exploratory testing).
    assert "Testgebeurtenis" in log and "Afgeleverd" in log and "HTTP 200 van 127.0.0.1" in log
    assert "HTTP 200 from" not in log

    # A new secret: shown once; the old one no longer signs.
    page = admin.post(f"{BASE}/{endpoint.id}/rotate").get_data(as_text=True)
    rotated = re.search(r'value="(whsec_[^"]+)"', page)
    assert rotated is not None and rotated.group(1) != secret.group(1)
    actions = db.session.execute(
        select(AuditEvent.action).where(AuditEvent.entity_type == "webhook_endpoint")
    ).scalars()
    assert list(actions) == ["webhook.created", "webhook.test_sent", "webhook.secret_rotated"]


def test_edit_pause_and_delete(admin: Any, receiver: Receiver) -> None:
    admin.post(f"{BASE}/new", data={"url": receiver.url(), "events": ["ap.filed"], "active": "y"})
    endpoint = db.session.execute(select(WebhookEndpoint)).scalar_one()
    form = admin.get(f"{BASE}/{endpoint.id}/edit").get_data(as_text=True)
    assert f'value="{receiver.url()}"' in form
    response = admin.post(
        f"{BASE}/{endpoint.id}/edit", data={"url": receiver.url(), "events": ["ap.filed"]}
    )  # "active" unticked: paused
    assert response.status_code == 302
    assert "Gepauzeerd" in admin.get(BASE).get_data(as_text=True)
    assert admin.post(f"{BASE}/{endpoint.id}/delete").status_code == 302
    assert "Nog geen endpoints." in admin.get(BASE).get_data(as_text=True)
    assert admin.get(f"{BASE}/{endpoint.id}/edit").status_code == 404


def test_the_delivery_log_is_paginated(
    admin: Any, orgs: dict[str, Organisation], app: Flask, receiver: Receiver
) -> None:
    rt = app.extensions["breachdesk"]
    made = webhooks.create(
        db.session, orgs["kruix"], webhooks.EndpointInput(receiver.url(), "", ["ap.filed"], True),
        check=rt.webhooks, vault=rt.vault, actor=TEST_ACTOR, clock=rt.clock,
    )  # fmt: skip
    for _ in range(webhooks.LOG_PAGE_SIZE + 2):
        webhooks.send_test(db.session, made.endpoint, actor=TEST_ACTOR, clock=rt.clock)
    first = admin.get(BASE).get_data(as_text=True)
    assert "Pagina 1 van 2 (27 oproepen)" in first
    assert first.count("<td>0</td>") == webhooks.LOG_PAGE_SIZE  # attempts column
    second = admin.get(f"{BASE}?page=2").get_data(as_text=True)
    assert second.count("<td>0</td>") == 2
    assert admin.get(f"{BASE}?page=x").status_code == 200
    assert admin.get(f"{BASE}?page=-5").status_code == 200


def test_another_organisations_admin_and_the_fg_can_neither_see_nor_change(
    client: Any, app: Flask, orgs: dict[str, Organisation], make_user: MakeUser, receiver: Receiver
) -> None:
    rt = app.extensions["breachdesk"]
    made = webhooks.create(
        db.session, orgs["kruix"], webhooks.EndpointInput(receiver.url(), "", ["ap.filed"], True),
        check=rt.webhooks, vault=rt.vault, actor=TEST_ACTOR, clock=rt.clock,
    )  # fmt: skip
    endpoint_id = made.endpoint.id
    make_user("admin@luxigo.nl", (orgs["luxigo"], Role.ADMIN))
    make_user("fg@kruix.nl", (orgs["kruix"], Role.FG))
    for who in ("admin@luxigo.nl", "fg@kruix.nl"):
        login(client, who)
        assert client.get(BASE).status_code == 404
        assert client.get(f"{BASE}/{endpoint_id}/edit").status_code == 404
        for action in ("edit", "rotate", "delete", "test"):
            assert (
                client.post(
                    f"{BASE}/{endpoint_id}/{action}", data={"url": "https://x.org"}
                ).status_code
                == 404
            )
        client.get("/logout")
    # Their own page does not list it, nor can it reach it by id.
    login(client, "admin@luxigo.nl")
    other = "/admin/organisations/luxigo/webhooks"
    assert receiver.url() not in client.get(other).get_data(as_text=True)
    assert client.get(f"{other}/{endpoint_id}/edit").status_code == 404
    assert client.post(f"{other}/{endpoint_id}/delete").status_code == 404
    db.session.refresh(made.endpoint)
    assert made.endpoint.deleted_at is None and made.endpoint.version == 1


def test_a_webhook_answer_and_a_cancel_reason_in_words(app: Flask) -> None:
    from breachdesk.web.labels import cancel_reason, delivery_reply

    with app.test_request_context():
        assert delivery_reply("HTTP 200 from 203.0.113.5: ok") == "HTTP 200 van 203.0.113.5: ok"
        assert delivery_reply("HTTP 204 from [2001:db8::1]") == "HTTP 204 van [2001:db8::1]"
        assert delivery_reply("250 2.0.0 Ok: queued") == "250 2.0.0 Ok: queued"
        assert cancel_reason("endpoint_paused") == "het endpoint is gepauzeerd"
        assert cancel_reason("something_new") == "something_new"
