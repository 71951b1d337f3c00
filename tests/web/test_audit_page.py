"""The audit page tells the FG in plain words whether the trail is intact, and what is wrong."""

from __future__ import annotations

import html
from typing import Any

from flask import Flask

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Organisation
from breachdesk.services.audit_anchor import write_checkpoint
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, login
from ..integration.tampering import execute, rows
from ..integration.test_audit import grow


def page(client: Any, slug: str) -> str:
    response = client.get(f"/admin/organisations/{slug}/audit")
    assert response.status_code == 200
    # The page itself, after the installation-wide banners (mail to a folder, scheduler).
    return html.unescape(response.get_data(as_text=True).split("<h1", 1)[1])


def fg_of_kruix(make_user: MakeUser, orgs: dict[str, Organisation], client: Any) -> str:
    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    return f"org:{orgs['kruix'].id}"


def test_intact_trail_without_checkpoint(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    fg_of_kruix(make_user, orgs, client)
    text = page(client, "kruix")
    assert "alert-success" in text and "alert-danger" not in text
    assert "Intact: alle 2 gebeurtenissen zijn ongewijzigd sinds ze zijn vastgelegd" in text
    assert "Er is nog geen ondertekend controlepunt" in text


def test_removed_events_are_named_with_the_checkpoint(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    chain = fg_of_kruix(make_user, orgs, client)
    grow(orgs["kruix"], clock, 3)  # events 1..5
    write_checkpoint(db.session, clock=clock)
    db.session.rollback()
    assert "Laatste ondertekende controlepunt buiten de database: 19-11-2026 11:03" in page(
        client, "kruix"
    )
    execute("DELETE FROM audit_event WHERE chain = :c AND seq >= 4", c=chain)
    execute(
        "UPDATE audit_chain_head SET last_seq = 3, last_hash = :h WHERE chain = :c",
        h=rows(chain)[2].hash,
        c=chain,
    )
    text = page(client, "kruix")
    assert "Er is met de audittrail geknoeid." in text
    assert (
        "Gebeurtenissen 4 tot en met 5 zijn verwijderd. Het ondertekende controlepunt van "
        "19-11-2026 11:03 bevatte ze nog."
    ) in text
    client.get("/language/en?next=/")
    english = page(client, "kruix")
    assert "Events 4 to 5 have been removed." in english


def test_edited_content_is_named_in_words(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    chain = fg_of_kruix(make_user, orgs, client)
    grow(orgs["kruix"], clock, 2)
    execute("UPDATE audit_event SET actor_label = 'iemand' WHERE chain = :c AND seq = 3", c=chain)
    text = page(client, "kruix")
    assert "alert-danger" in text
    assert "De inhoud van gebeurtenis 3 (wie het deed, ervoor en erna) is na het vastleggen" in text
