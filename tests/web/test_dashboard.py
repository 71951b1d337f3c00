"""The dashboard: breaches per Dutch calendar month, by decision and type, the share notified
on time and the median hours to filing, counted in SQL; drawn as SVG with its tables."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from breachdesk.domain.assessment import Outcome
from breachdesk.domain.checklist import Tri
from breachdesk.domain.dashboard import column_chart, months_until, nice_top
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Organisation, User
from breachdesk.services import dashboard, filings, triage
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import T0, MakeUser, login
from ..integration.test_incidents import submit
from ..integration.test_register import decide
from ..integration.test_triage import answers


def test_months_follow_the_dutch_calendar_across_years_and_clock_changes() -> None:
    months = months_until(date(2026, 3, 15), 4)
    assert [m.key for m in months] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    assert months[0].start == datetime(2025, 11, 30, 23, 0, tzinfo=UTC)  # CET: UTC+1
    assert months[-1].end == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # CEST from 29 March
    assert all(a.end == b.start for a, b in zip(months, months[1:], strict=False))


def test_a_chart_scale_is_a_round_number_and_bars_fit_the_box() -> None:
    values = (0, 1, 3, 5, 7, 11, 40, 51, 101)
    assert [nice_top(v) for v in values] == [2, 2, 4, 10, 10, 20, 40, 100, 200]
    assert all(nice_top(v) % 2 == 0 for v in range(1000))  # the middle line is a whole number
    bars, top = column_chart([("a", 3), ("b", 0), ("c", 7)], width=300, height=100)
    assert top == 10 and [round(b.height) for b in bars] == [30, 0, 70]
    assert all(0 <= b.x and b.x + b.width <= 300 and b.y + b.height == 100 for b in bars)


@pytest.fixture
def people(orgs: dict[str, Organisation], make_user: MakeUser) -> tuple[User, User]:
    kruix = orgs["kruix"]
    reporter = make_user("r@x.nl", (kruix, Role.REPORTER), (orgs["leiz"], Role.REPORTER))
    return reporter, make_user("fg@x.nl", (kruix, Role.FG))


def file(incident: Any, fg: User, clock: FixedClock) -> None:
    filings.record_notification(
        db.session,
        incident,
        submitted_at=clock.now(),
        reference=f"M-{incident.id}",
        provisional=False,
        delay_reason="Het onderzoek liep uit."
        if clock.now() - incident.aware_at > timedelta(hours=72)
        else "",
        notes="",
        recorded_by=fg,
        actor=Actor.of(fg),
        clock=clock,
    )


def test_the_figures_count_the_span_by_month_decision_type_and_timeliness(
    app: Flask, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    reporter, fg = people
    kruix = orgs["kruix"]
    # 00:30 on 1 November in Amsterdam is still 31 October in UTC: it counts for November.
    november = submit(
        reporter, kruix, clock, discovered_at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    )
    october = submit(
        reporter, kruix, clock, discovered_at=datetime(2026, 10, 31, 22, 30, tzinfo=UTC)
    )
    not_one = submit(reporter, kruix, clock)
    submit(reporter, kruix, clock)  # not judged yet: no breach (yet), counted apart
    submit(reporter, orgs["leiz"], clock)  # another FG's organisation: not counted
    triage.record_triage(
        db.session,
        not_one,
        answers(personal_data=Tri.NO, reason="Alleen een leeg sjabloon, geen persoonsgegevens."),
        actor=Actor.of(fg),
        clock=clock,
    )
    decide(november, fg, clock, Outcome.NOTIFY_AP)
    decide(october, fg, clock, Outcome.NOTIFY_AP_AND_SUBJECTS)
    clock.advance(hours=10)
    file(november, fg, clock)  # 12 hours after awareness: on time
    clock.advance(hours=70)
    file(october, fg, clock)  # 82 hours after awareness: late

    months = months_until(T0.date(), 12)
    found = dashboard.figures(db.session, fg, months)
    per_month = {m.key: n for m, n in found.months}
    assert per_month["2026-11"] == 1 and per_month["2026-10"] == 1 and sum(per_month.values()) == 2
    assert found.breaches == 2 and found.not_breaches == 1 and found.to_triage == 1
    assert found.by_outcome == {
        Outcome.NOTIFY_AP.value: 1,
        Outcome.NOTIFY_AP_AND_SUBJECTS.value: 1,
    }
    assert found.by_type == {"confidentiality": 2, "integrity": 0, "availability": 0}
    assert (found.filed, found.filed_on_time, found.on_time_share) == (2, 1, 0.5)
    assert found.median_hours_to_filing == pytest.approx((12 + 82) / 2)
    assert found.open_incidents == 3  # two decided, not yet closed; one to judge

    only_earlier = dashboard.figures(db.session, fg, months_until(date(2026, 9, 30), 12))
    assert only_earlier.breaches == 0 and only_earlier.median_hours_to_filing is None


def test_the_dashboard_page_draws_each_chart_with_its_table(
    client: Any, orgs: dict[str, Organisation], people: tuple[User, User], clock: FixedClock
) -> None:
    reporter, _fg = people
    submit(reporter, orgs["kruix"], clock)
    login(client, "fg@x.nl")
    page = client.get("/dashboard/?months=24")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for chart in ("chart-months", "chart-outcome", "chart-type"):
        assert f'id="{chart}"' in text
    assert text.count("<rect") >= 24 and 'class="visually-hidden"' in text
    assert len(re.findall(r'<th scope="row">\d{4}-\d{2}</th>', text)) == 24
    # A report not yet judged is no breach (yet): counted apart (found by exploratory testing).
    assert re.search(r'id="fig-breaches">0<', text)
    assert "en 1 melding die nog beoordeeld moet worden" in text
    assert client.get("/dashboard/?months=999&org=12345").status_code == 200  # ignored
    client.post("/logout")
    login(client, "r@x.nl")
    assert client.get("/dashboard/").status_code == 403
