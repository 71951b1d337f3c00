"""The FG answers the AP's "show us your register and this breach", in Chromium: filters and
searches the register, exports the view to Excel, downloads an incident's evidence pack, and
reads the register at 1280 px and at 390 px."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from breachdesk.domain.report import Answer, IncidentReport
from breachdesk.extensions import db
from breachdesk.models import Organisation, User
from breachdesk.services import incidents as incident_service
from breachdesk.services.clock import SystemClock

from .test_conflict_flow import confirmed, sign_in  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.browser


def other_reports() -> None:
    """Two more reports, of other organisations, for the filters to leave out."""
    clock = SystemClock()
    for slug, title in (("kruix", "Laptop gestolen uit de auto"), ("luxigo", "Phishingmail")):
        organisation = db.session.execute(
            select(Organisation).where(Organisation.slug == slug)
        ).scalar_one()
        reporter = db.session.execute(
            select(User).where(User.email == f"melder.{slug}@demo.example.org")
        ).scalar_one()
        incident_service.submit_report(
            db.session,
            reporter=reporter,
            organisation=organisation,
            report=IncidentReport(
                title=title,
                description="Een medewerker meldde het dezelfde ochtend.",
                discovered_at=datetime.now(UTC) - timedelta(hours=2),
                discovery_how="Melding van een medewerker.",
                ongoing=Answer.NO,
            ),
            clock=clock,
        )
    db.session.remove()


def test_the_fg_filters_exports_and_downloads_an_evidence_pack(
    browser: Browser,
    live_server: str,
    confirmed: int,  # noqa: F811
    tmp_path: Path,
) -> None:
    other_reports()
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "fg@demo.example.org")
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", name="Breach register")).to_be_visible()
    everything = page.locator("#register-table tbody tr").count()
    assert everything == 3

    page.get_by_label("Search").fill("klantenlijst")
    page.get_by_label("Organisation").select_option(label="LEIZ Mediaproducties")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r".*q=klantenlijst.*"))
    assert "org=" in page.url  # the view is in the address: it can be bookmarked
    rows = page.locator("#register-table tbody tr")
    shown = [rows.nth(i).get_attribute("data-reference") for i in range(rows.count())]
    assert shown and all(ref and ref.startswith("LEIZ-") for ref in shown)
    assert len(shown) < everything
    page.screenshot(path=str(tmp_path / "register-1280.png"), full_page=True)

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    xlsx = tmp_path / "register.xlsx"
    xlsx_download.value.save_as(xlsx)
    sheet = load_workbook(xlsx).active
    exported = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert exported == shown

    with page.expect_download() as pack_download:
        page.get_by_role("link", name=f"Evidence pack {shown[0]}").click()
    pack_path = tmp_path / "pack.zip"
    pack_download.value.save_as(pack_path)
    with zipfile.ZipFile(pack_path) as pack:
        manifest = json.loads(pack.read("manifest.json"))
        assert manifest["incident"] == shown[0] and manifest["audit_trail_intact"] is True
        assert {"summary.pdf", "audit/events.json"} <= {f["path"] for f in manifest["files"]}

    # On a phone: the filters fold away, the page itself does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_label("Search")).to_have_value("klantenlijst")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("#register-table")).to_be_visible()
    page.screenshot(path=str(tmp_path / "register-390.png"), full_page=True)

    # The board's view: the dashboard, from the register, at both widths.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    breaches = int(page.locator("#fig-breaches").inner_text())
    assert breaches >= 1
    expect(page.locator("#chart-months svg rect").first).to_be_attached()
    # The table behind the chart is there for screen readers: its months add up.
    cells = page.locator("#chart-months table tbody td").all_inner_texts()
    assert len(cells) == 12 and sum(int(c) for c in cells) <= breaches
    page.screenshot(path=str(tmp_path / "dashboard-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "dashboard-390.png"), full_page=True)
