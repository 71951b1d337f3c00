"""The FG fills in the AP's form from breachdesk's answer sheet, in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from .test_conflict_flow import confirmed, sign_in  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.browser


def test_the_fg_edits_copies_files_provisionally_and_supplements(
    browser: Browser,
    live_server: str,
    confirmed: int,  # noqa: F811
    tmp_path: Path,
) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, live_server, "fg@demo.example.org")
    page.goto(f"{live_server}/incidents/{confirmed}")
    page.locator("#open-sheet").click()
    expect(page.get_by_role("heading", name="AP answer sheet")).to_be_visible()
    count = page.locator("#answered-count")
    expect(count).to_contain_text("of 33 answered")
    before = int(count.inner_text().split(" ")[0])

    # What is missing is one click away.
    page.locator("#open-list").get_by_role("link", name=re.compile(r"^5\.2 [✕✎] \(")).click()
    question = page.locator('[id="q-5.2"]')
    expect(question.locator('[data-status="missing"]')).to_be_visible()
    question.get_by_text("Edit answer").click()
    question.get_by_label("E-mail naar verkeerde ontvanger (of cc in plaats van bcc)").check()
    question.get_by_label("Answer 5.2", exact=True).fill(
        "Klantenlijst per ongeluk naar één andere klant gemaild"
    )
    question.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("Answer 5.2 saved.")).to_be_visible()
    question = page.locator('[id="q-5.2"]')
    expect(question.locator("[data-edited]")).to_be_visible()
    expect(page.locator("#answered-count")).to_contain_text(f"{before + 1} of 33 answered")

    # Copy chapter 5 for the AP's web form in the other window.
    page.locator("#chapter-5").get_by_role("button", name="Copy chapter").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("5.1 Aard van de inbreuk\n")
    assert "5.2 Wat voor incident is het?\nKlantenlijst per ongeluk naar één andere klant" in copied
    assert (
        "5.3 Beschrijving of samenvatting van het incident\nKlantenlijst naar verkeerde klant"
        in copied
    )
    page.screenshot(path=str(tmp_path / "sheet.png"), full_page=True)

    # File provisionally (answers are still open).
    page.get_by_label("Reference number (meldnummer)").first.fill("M-2026-0100")
    page.get_by_label("Provisional notification").check()
    page.get_by_role("button", name="Record the filing").last.click()
    expect(
        page.get_by_text("The filing has been recorded with the sheet as filed.")
    ).to_be_visible()
    expect(page.locator('[data-filing="initial"]')).to_contain_text("provisional")

    # Supplement: one more answer, then the difference is exactly that answer.
    question = page.locator('[id="q-6.3.1"]')
    question.get_by_text("Edit answer").click()
    question.get_by_label("Answer 6.3.1", exact=True).fill("12 records")
    question.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("Answer 6.3.1 saved.")).to_be_visible()
    page.get_by_label("Reference number (meldnummer)").first.fill("M-2026-0100")
    page.get_by_label("Some answers were still open").check()
    page.get_by_role("button", name="Record the supplement").click()
    expect(page.locator('[data-filing="supplement"]')).to_be_visible()
    page.locator('[data-filing="supplement"]').get_by_role("link", name="Show").click()
    expect(page.locator("#changes")).to_contain_text("What changed since the filing before")
    changed = page.locator("[data-changed]")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("12 records")
    page.screenshot(path=str(tmp_path / "supplement.png"), full_page=True)
    context.close()


def test_saving_one_answer_keeps_what_was_typed_in_another(
    browser: Browser,
    live_server: str,
    confirmed: int,  # noqa: F811
) -> None:
    # Each question has its own form: saving 4.1.1 reloads the page, and the answer typed
    # in 4.1.2 but not yet saved used to vanish without a word.
    page = browser.new_context().new_page()
    sign_in(page, live_server, "fg@demo.example.org")
    page.goto(f"{live_server}/incidents/{confirmed}/ap-sheet")
    ended = page.locator('[id="q-4.1.2"]')
    ended.get_by_text("Edit answer").click()
    ended.get_by_label("Answer 4.1.2", exact=True).fill("Beëindigd op 2 december")
    started = page.locator('[id="q-4.1.1"]')
    started.get_by_text("Edit answer").click()
    started.get_by_label("Answer 4.1.1", exact=True).fill("1 december")
    started.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("Answer 4.1.1 saved.")).to_be_visible()

    ended = page.locator('[id="q-4.1.2"]')
    expect(ended.get_by_label("Answer 4.1.2", exact=True)).to_have_value("Beëindigd op 2 december")
    expect(ended.locator("[data-draft-note]")).to_be_visible()
    expect(page.locator('[id="q-4.1.1"] [data-draft-note]')).to_be_hidden()
    ended.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("Answer 4.1.2 saved.")).to_be_visible()
    expect(page.locator('[id="answer-4.1.2"]')).to_have_text("Beëindigd op 2 december")
    page.reload()
    expect(page.locator("[data-draft-note]:visible")).to_have_count(0)
