"""The FG answers the AP's "show us your register and this breach", in Chromium: filters and
searches the register, exports the view to Excel, downloads an incident's evidence pack, and
reads the register at 1280 px and at 390 px."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from .test_conflict_flow import confirmed, sign_in  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.browser


def test_the_fg_filters_exports_and_downloads_an_evidence_pack(
    browser: Browser,
    live_server: str,
    confirmed: int,  # noqa: F811
    tmp_path: Path,
) -> None:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "fg@demo.example.org")
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", name="Breach register")).to_be_visible()
    everything = page.locator("#register-table tbody tr").count()
    assert everything >= 6  # the demo's incidents and the test's own

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
