"""The 72-hour clock in real Chromium: the countdown moves, the overdue incident stands out.

The data are the demo incidents ``make run`` shows, created relative to the real time (the
live server runs on the system clock): Kruix aware 20 h ago (open), Luxigo 63 h ago (due
soon), Levensmozaiek 78 h ago (overdue), 123samenleven notified in time, LEIZ not triaged.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from breachdesk.demo import DEMO_PASSWORD, load
from breachdesk.demo.incidents import demo_clock, load_incidents
from breachdesk.domain.deadline import NOTIFICATION_TERM, DeadlineStatus, Duty
from breachdesk.extensions import db
from breachdesk.mail import RecordingMailer
from breachdesk.services.clock import SystemClock
from breachdesk.services.deadlines import IncidentClock
from breachdesk.services.delivery import DeliverySettings
from breachdesk.web.clock_view import clock_cell

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo organisations, accounts and incidents, created as ``make run`` does."""
    clock = demo_clock(db.session, SystemClock().now())
    load(db.session, clock=clock, hasher=app.extensions["breachdesk"].hasher)
    load_incidents(
        db.session,
        clock=clock,
        mailer=RecordingMailer(),
        settings=DeliverySettings(mail_from="bd@x.nl", base_url="http://x"),
    )
    db.session.remove()


def countdown_seconds(text: str) -> int:
    match = re.search(r"(?:(\d+) d )?(\d+):(\d\d):(\d\d)", text)
    assert match, f"no h:mm:ss in {text!r}"
    d, h, m, s = (int(g or 0) for g in match.groups())
    return d * 86400 + h * 3600 + m * 60 + s


def test_countdown_moves_and_overdue_is_marked(page: Page, live_server: str, demo: None) -> None:
    page.goto(f"{live_server}/language/en?next=/login")
    page.get_by_label("E-mail address").fill("fg@demo.example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    rows = page.locator("#incident-list tbody tr")
    expect(rows).to_have_count(7)

    # Most urgent first: the overdue one heads the list, marked red, with "… late".
    overdue = rows.nth(0)
    expect(overdue).to_contain_text("USB-stick")
    expect(overdue).to_have_class(re.compile(r"\btable-danger\b"))
    expect(overdue.locator(".deadline-status")).to_have_text("Overdue")
    expect(overdue.locator(".countdown")).to_contain_text(re.compile(r"^\d+:\d\d:\d\d late$"))
    expect(overdue.locator(".countdown")).to_have_class(re.compile(r"\btext-bg-danger\b"))
    late_by = countdown_seconds(overdue.locator(".countdown").inner_text())
    assert 5.9 * 3600 < late_by < 6.1 * 3600  # aware 78 h ago: 6 h past the deadline

    # The next: due soon (about 9 h left), amber; then the processor's notice to its
    # controller (24 h contractual term, 19 h left); then the open one with about 52 h left.
    soon = rows.nth(1)
    expect(soon).to_contain_text("phishing")
    expect(soon.locator(".deadline-status")).to_have_text("Due soon")
    expect(soon.locator(".countdown")).to_have_class(re.compile(r"\btext-bg-warning\b"))
    expect(rows.nth(2)).to_contain_text("deellink")
    running = rows.nth(3)
    expect(running).to_contain_text("Laptop")
    expect(running).not_to_have_class(re.compile(r"\btable-danger\b"))
    countdown = running.locator(".countdown")
    expect(countdown).to_contain_text(re.compile(r"^2 d \d+:\d\d:\d\d left$"))  # 52 h: days apart
    first = countdown_seconds(countdown.inner_text())
    assert 51 * 3600 < first <= 52 * 3600

    # The countdown moves by itself: wait until the text has changed, then compare.
    expect(countdown).not_to_have_text(countdown.inner_text(), timeout=5000)
    page.wait_for_timeout(1500)
    later = countdown_seconds(countdown.inner_text())
    assert 1 <= first - later <= 10
    # ... and the overdue one counts up.
    assert countdown_seconds(overdue.locator(".countdown").inner_text()) > late_by

    # The two notified incidents and the untriaged report have no running clock.
    expect(
        page.locator("#incident-list").get_by_text("Notified in time", exact=True)
    ).to_have_count(2)
    expect(page.locator("#incident-list")).to_contain_text("awareness not yet recorded")

    # On the incident page the banner shows the Dutch deadline and a live countdown as well.
    running.get_by_role("link").first.click()
    banner = page.locator("#deadline")
    expect(banner).to_contain_text("deadline for notifying the AP")
    expect(banner).to_have_class(re.compile(r"\balert-info\b"))
    live = banner.locator(".countdown")
    before = live.inner_text()
    expect(live).not_to_have_text(before, timeout=5000)
    assert countdown_seconds(live.inner_text()) < countdown_seconds(before)


def test_countdown_uses_the_servers_time_when_the_computers_clock_is_wrong(
    page: Page, live_server: str, demo: None
) -> None:
    # This computer's clock runs three hours ahead (a wrong setting, a laptop back from abroad).
    page.clock.install(time=datetime.now(UTC) + timedelta(hours=3))
    page.goto(f"{live_server}/language/en?next=/login")
    page.get_by_label("E-mail address").fill("fg@demo.example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    row = page.locator("#incident-list tbody tr", has_text="Laptop")
    countdown = row.locator(".countdown")
    page.clock.run_for(2000)  # let the countdown script tick on the fake clock
    left = countdown_seconds(countdown.inner_text())
    assert 51 * 3600 < left <= 52 * 3600, left  # not ~49 h, as the wrong clock would give
    # The due-soon one is still amber, not flipped by the three hours of the wrong clock.
    soon = page.locator("#incident-list tbody tr", has_text="phishing").locator(".countdown")
    expect(soon).to_have_class(re.compile(r"\btext-bg-warning\b"))
    assert 8 * 3600 < countdown_seconds(soon.inner_text()) <= 9 * 3600


def wait_for_live_count(page: Page) -> None:
    # The server's HTML already shows the right status, so it cannot tell whether the script
    # has read the server's time yet. A clock moved on before it has would be taken for a
    # wrong computer clock and absorbed into the skew: the status would never change (a
    # loaded CI machine once showed "Open" where "Due soon" was due).
    expect(page.locator("html")).to_have_attribute("data-clock", "live")


def test_a_page_left_open_turns_due_soon_then_overdue_by_itself(
    page: Page, live_server: str, demo: None
) -> None:
    page.clock.install(time=datetime.now(UTC))
    page.goto(f"{live_server}/language/en?next=/login")
    page.get_by_label("E-mail address").fill("fg@demo.example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    row = page.locator("#incident-list tbody tr", has_text="phishing")  # about 9 h left
    status = row.locator(".deadline-status")
    expect(status).to_have_text("Due soon")
    expect(row).not_to_have_class(re.compile(r"\btable-danger\b"))
    wait_for_live_count(page)
    # The FG leaves the page open past the deadline. fast_forward jumps the clock and lets the
    # page's one-second timer fire once; run_for would fire it 34,200 times (under a loaded
    # CI machine the banner assertion below once timed out behind 145,800 such ticks).
    page.clock.fast_forward("09:30:00")
    expect(status).to_have_text("Overdue")
    expect(status).to_have_class(re.compile(r"\btext-bg-danger\b"))
    expect(row).to_have_class(re.compile(r"\btable-danger\b"))
    expect(row.locator(".countdown")).to_contain_text(re.compile(r"^\d+:\d\d:\d\d late$"))

    # The incident page's banner follows the same way: the open one, 40 hours on.
    page.locator("#incident-list tbody tr", has_text="Laptop").get_by_role("link").first.click()
    banner = page.locator("#deadline")
    expect(banner).to_have_class(re.compile(r"\balert-info\b"))
    wait_for_live_count(page)
    page.clock.fast_forward("40:30:00")
    expect(banner.locator(".deadline-status")).to_have_text("Due soon")
    expect(banner).to_have_class(re.compile(r"\balert-warning\b"))
    expect(banner).not_to_have_class(re.compile(r"\balert-info\b"))


@pytest.mark.parametrize(
    "left", [9.6, 9.4, -9.6, -9.4], ids=["left-.6", "left-.4", "late-.6", "late-.4"]
)
def test_the_script_takes_over_the_servers_countdown_without_a_jump(
    page: Page, app: Flask, left: float
) -> None:
    # The server renders the countdown first; the script then takes over, counting on the
    # server's time. Its first reading must be the server's own, never a second more left
    # (the FG saw "51:59:52 left" turn "51:59:53 left"): both cut the fraction of a second
    # the same way, for the time left and the time late alike.
    now = datetime(2026, 12, 5, 12, 0, 0, 600_000, tzinfo=UTC)
    deadline = now + timedelta(seconds=left)
    status = DeadlineStatus.DUE_SOON if left > 0 else DeadlineStatus.OVERDUE
    clock = IncidentClock(
        Duty.AP, deadline - NOTIFICATION_TERM, deadline, status, NOTIFICATION_TERM
    )
    with app.test_request_context("/"):
        badge = str(clock_cell(clock, now))
    script = (Path(app.static_folder or "") / "js" / "countdown.js").read_text()
    page.clock.set_fixed_time(datetime.now(UTC))  # this computer's clock stands still
    page.set_content(f"<body>{badge}</body>")
    countdown = page.locator(".countdown")
    rendered = countdown.inner_text()
    assert rendered == ("nog 0:00:09" if left > 0 else "0:00:09 te laat")  # Dutch by default
    page.add_script_tag(content=script)
    page.clock.run_for(1000)
    expect(countdown).to_have_text(rendered)
