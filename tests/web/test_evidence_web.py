"""The FG's own evidence on the incident page, and safe previews of images and PDFs."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Attachment, AuditEvent, Incident, Organisation
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser, login
from .test_reports import PNG, form_data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def setup(app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser) -> Any:
    kruix = orgs["kruix"]
    make_user("r@x.nl", (kruix, Role.REPORTER))
    make_user("fg@x.nl", (kruix, Role.FG))
    login(client, "r@x.nl")
    report = form_data(evidence=[(io.BytesIO(PNG), "foto.png")])
    assert client.post("/report/kruix", data=report).status_code == 302
    fg = app.test_client()
    login(fg, "fg@x.nl")
    return db.session.execute(select(Incident)).scalar_one(), fg


def test_the_fg_adds_evidence_with_what_it_is_audited(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident, fg = setup(app, client, orgs, make_user)
    added = fg.post(
        f"/incidents/{incident.id}/evidence",
        data={"note": "Ontvangstbevestiging AP", "evidence": [(io.BytesIO(PDF), "ap.pdf")]},
    )
    assert added.status_code == 302
    files = {a.filename: a for a in db.session.execute(select(Attachment)).scalars()}
    assert files["ap.pdf"].note == "Ontvangstbevestiging AP"
    assert files["ap.pdf"].uploaded_by_id != incident.reporter_id
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "incident.evidence_added")
    ).scalar_one()
    assert "Ontvangstbevestiging" not in str(event.after)  # a digest of the note, not the note
    page = fg.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Ontvangstbevestiging AP" in page and "evidence-thumb" in page
    # The reporter sees their own photo, not the FG's receipt.
    mine = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "foto.png" in mine and "ap.pdf" not in mine
    receipt = files["ap.pdf"].id
    assert client.get(f"/incidents/{incident.id}/attachments/{receipt}").status_code == 404


def test_no_file_or_a_bad_file_is_refused_at_the_field(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident, fg = setup(app, client, orgs, make_user)
    empty = fg.post(f"/incidents/{incident.id}/evidence", data={"note": "x"})
    assert empty.status_code == 422 and 'value="x"' in empty.get_data(as_text=True)
    fake = fg.post(
        f"/incidents/{incident.id}/evidence",
        data={"evidence": [(io.BytesIO(b"MZ\x90\x00 not a pdf"), "ap.pdf")]},
    )
    assert fake.status_code == 422
    assert db.session.execute(select(Attachment.filename)).scalars().all() == ["foto.png"]


def test_previews_are_inline_only_for_checked_images_and_pdfs(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident, fg = setup(app, client, orgs, make_user)
    fg.post(
        f"/incidents/{incident.id}/evidence",
        data={"evidence": [(io.BytesIO(b"a;b\n1;2\n"), "lijst.csv"), (io.BytesIO(PDF), "x.pdf")]},
    )
    files = {a.filename: a.id for a in db.session.execute(select(Attachment)).scalars()}
    photo = fg.get(f"/incidents/{incident.id}/attachments/{files['foto.png']}/view")
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert "attachment" not in photo.headers.get("Content-Disposition", "")
    assert "default-src 'none'" in photo.headers["Content-Security-Policy"]
    assert photo.headers["Cache-Control"] == "no-store, private"
    photo.close()
    pdf = fg.get(f"/incidents/{incident.id}/attachments/{files['x.pdf']}/view")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pdf.close()
    assert (
        fg.get(f"/incidents/{incident.id}/attachments/{files['lijst.csv']}/view").status_code == 404
    )
    # Another organisation's FG sees nothing.
    make_user("fg@lux.nl", (orgs["luxigo"], Role.FG))
    other = app.test_client()
    login(other, "fg@lux.nl")
    assert (
        other.get(f"/incidents/{incident.id}/attachments/{files['foto.png']}/view").status_code
        == 404
    )


def test_downloads_and_pages_are_never_cached_and_name_their_charset_once(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident, fg = setup(app, client, orgs, make_user)
    fg.post(
        f"/incidents/{incident.id}/evidence",
        data={"evidence": [(io.BytesIO(b"naam;e-mail\nJan;jan@x.nl\n"), "lijst.csv")]},
    )
    listed = db.session.execute(select(Attachment).where(Attachment.filename == "lijst.csv"))
    csv_id = listed.scalar_one().id
    download = fg.get(f"/incidents/{incident.id}/attachments/{csv_id}")
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert download.headers["Cache-Control"] == "no-store, private"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    page = fg.get(f"/incidents/{incident.id}")
    assert page.headers["Cache-Control"] == "no-store, private"
    assert "Strict-Transport-Security" not in page.headers  # only behind HTTPS
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        assert "max-age=" in fg.get("/healthz").headers["Strict-Transport-Security"]
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    static = fg.get("/static/css/app.css")
    assert static.headers.get("Cache-Control") != "no-store, private"
    static.close()


def test_a_file_the_reporter_added_later_is_not_called_part_of_the_report(
    app: Flask,
    client: Any,
    orgs: dict[str, Organisation],
    make_user: MakeUser,
    clock: FixedClock,
) -> None:
    """Found by exploratory testing: a file a reporter attached to an answer days later was
    labelled "with the report", like the report's own photo."""
    incident, fg = setup(app, client, orgs, make_user)
    first = db.session.execute(select(Attachment)).scalar_one()
    clock.advance(days=2)
    later = Attachment(
        incident_id=incident.id,
        filename="nagekomen.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        storage_key=first.storage_key + "-later",  # never downloaded here
        uploaded_by_id=incident.reporter_id,
        uploaded_at=clock.now(),
        note="",
    )
    db.session.add(later)
    db.session.commit()
    login(fg, "fg@x.nl")  # two days on: the session of then has ended
    page = fg.get(f"/incidents/{incident.id}").get_data(as_text=True)
    section = page.split('id="evidence"')[1].split("</section>")[0]
    items = re.findall(r"<li.*?</li>", section, re.S)
    photo = next(i for i in items if "foto.png" in i)
    added = next(i for i in items if "nagekomen.pdf" in i)
    assert "bij de melding" in photo
    assert "later toegevoegd door de melder" in added and "bij de melding" not in added
