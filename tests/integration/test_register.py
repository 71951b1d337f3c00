"""The register's service: filters, full-text search and keyset pages, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import update

from breachdesk.domain.actions import ActionStatus
from breachdesk.domain.assessment import Outcome
from breachdesk.domain.checklist import BreachType, Consequence
from breachdesk.domain.lifecycle import State
from breachdesk.domain.prefill import prefill
from breachdesk.domain.register import (
    DataKind,
    Informed,
    Notified,
    RegisterFilter,
    Sort,
    parse_filter,
)
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation, User
from breachdesk.services import actions, decisions, filings, register, triage
from breachdesk.services.actions import ActionInput
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock
from breachdesk.services.organisations import profile_of
from breachdesk.services.report_columns import report_of

from ..conftest import T0, MakeUser
from .test_incidents import submit
from .test_triage import answers


@pytest.fixture
def fg(orgs: dict[str, Organisation], make_user: MakeUser) -> User:
    return make_user("fg@x.nl", (orgs["kruix"], Role.FG), (orgs["luxigo"], Role.FG))


@pytest.fixture
def reporter(orgs: dict[str, Organisation], make_user: MakeUser) -> User:
    return make_user(
        "r@x.nl",
        (orgs["kruix"], Role.REPORTER),
        (orgs["luxigo"], Role.REPORTER),
        (orgs["leiz"], Role.REPORTER),
    )


def refs(found: list[register.RegisterRow]) -> list[str]:
    return [row.reference for row in found]


def view(fg: User, clock: FixedClock, **wanted: object) -> list[str]:
    page = register.view(db.session, fg, RegisterFilter(**wanted), clock.now(), per_page=500)  # type: ignore[arg-type]
    return refs(page.rows)


def decide(incident: Incident, fg: User, clock: FixedClock, outcome: Outcome) -> None:
    actor = Actor.of(fg)
    triage.record_triage(db.session, incident, answers(), actor=actor, clock=clock)
    facts = prefill(
        report_of(incident),
        profile_of(incident.organisation),
        frozenset({BreachType.CONFIDENTIALITY}),
    )
    facts = replace(facts, consequences=frozenset({Consequence.PHISHING_OR_SPAM}))
    decisions.save_checklist(db.session, incident, facts, confirm=True, actor=actor, clock=clock)
    rationale = "Beoordeeld door de FG; de afweging staat in het dossier, met redenen."
    decisions.record_decision(
        db.session, incident, outcome=outcome, rationale=rationale, actor=actor, clock=clock
    )


def test_the_register_shows_only_the_users_organisations_newest_first(
    app: Flask, orgs: dict[str, Organisation], fg: User, reporter: User, clock: FixedClock
) -> None:
    first = submit(reporter, orgs["kruix"], clock)
    clock.advance(minutes=5)
    second = submit(reporter, orgs["luxigo"], clock)
    clock.advance(minutes=5)
    submit(reporter, orgs["leiz"], clock)  # not an organisation the FG serves
    assert view(fg, clock) == [second.reference, first.reference]
    assert view(fg, clock, organisation_id=orgs["kruix"].id) == [first.reference]
    assert view(fg, clock, sort=Sort.REPORTED_ASC) == [first.reference, second.reference]
    # A filter naming another organisation is refused, not obeyed.
    parsed = parse_filter({"org": str(orgs["leiz"].id)}, [orgs["kruix"].id, orgs["luxigo"].id])
    assert parsed.filter.organisation_id is None and "org" in parsed.errors


def test_search_finds_words_by_their_start_in_any_text_and_the_reference(
    app: Flask, orgs: dict[str, Organisation], fg: User, reporter: User, clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    mail = submit(reporter, kruix, clock)  # "Klantlijst naar verkeerde ontvanger gemaild"
    laptop = submit(
        reporter,
        kruix,
        clock,
        title="Laptop gestolen uit de auto",
        description="De laptop van een adviseur is uit een geparkeerde auto gestolen.",
        discovery_how="Aangifte bij de politie gedaan.",
    )
    assert view(fg, clock, query="klantl") == [mail.reference]
    assert view(fg, clock, query="LAPTOP gestolen") == [laptop.reference]
    assert view(fg, clock, query="politie") == [laptop.reference]  # how it was discovered
    assert view(fg, clock, query=laptop.reference) == [laptop.reference]
    assert view(fg, clock, query="laptop klantlijst") == []  # every word must match
    # Operators and quotes are words, not syntax; nothing breaks.
    for odd in ('"laptop', "laptop OR klant*", "NOT (", "a:b & c | !d", "'; --"):
        view(fg, clock, query=odd)
    # The index follows an edit of the text, whoever makes it.
    db.session.execute(
        update(Incident).where(Incident.id == mail.id).values(title="Datalek via de printer")
    )
    db.session.commit()
    assert view(fg, clock, query="printer") == [mail.reference]
    assert view(fg, clock, query="klantlijst") == []
    # Counted as found, with the other filters, whichever way the database reads the matches
    # (SQLite counts from the full-text matches onwards); another organisation's laptop and
    # odd words neither count nor break the count.
    submit(reporter, orgs["leiz"], clock, title="Laptop kwijt")  # not the FG's organisation
    other = submit(reporter, orgs["luxigo"], clock, title="Laptop vergeten in de trein")
    for wanted, expected in (
        (RegisterFilter(query="laptop"), 2),
        (RegisterFilter(query="laptop", organisation_id=kruix.id), 1),
        (RegisterFilter(query="laptop trein"), 1),
        (RegisterFilter(query="laptop", state=State.DISCARDED), 0),
        (RegisterFilter(query='"laptop OR klant*'), 0),
    ):
        assert register.capped_count(db.session, fg, wanted, clock.now()) == expected, wanted
        assert len(list(register.rows(db.session, fg, wanted, clock.now()))) == expected, wanted
    assert other.reference in view(fg, clock, query="trein")


def test_search_finds_an_imported_entry_by_its_reference_in_the_earlier_register(
    app: Flask, orgs: dict[str, Organisation], fg: User, reporter: User, clock: FixedClock
) -> None:
    """Before, the reference an entry had in the register kept before breachdesk ("Uw eigen
    kenmerk") was searched by neither database."""
    entry = submit(reporter, orgs["kruix"], clock, title="Laptop kwijt")
    other = submit(reporter, orgs["kruix"], clock, title="Brief verkeerd bezorgd")
    db.session.execute(
        update(Incident)
        .where(Incident.id == entry.id)
        .values(imported_from="a" * 64, source_reference="DL-2023-07")
    )
    db.session.commit()
    assert view(fg, clock, query="DL-2023-07") == [entry.reference]
    assert view(fg, clock, query="dl-2023") == [entry.reference]
    assert view(fg, clock, query="DL-2023-07 brief") == []
    wanted = RegisterFilter(query="DL-2023-07")
    assert register.capped_count(db.session, fg, wanted, clock.now()) == 1
    assert other.reference not in view(fg, clock, query="dl")


def test_filters_on_decision_filing_informing_data_period_and_state(
    app: Flask, orgs: dict[str, Organisation], fg: User, reporter: User, clock: FixedClock
) -> None:
    kruix = orgs["kruix"]
    plain = submit(reporter, kruix, clock)  # undecided, simple data
    financial = submit(reporter, kruix, clock, data_category_keys=("rekeningnummer",))
    notified = submit(reporter, kruix, clock)
    decide(notified, fg, clock, Outcome.NOTIFY_AP_AND_SUBJECTS)
    register_only = submit(reporter, kruix, clock)
    decide(register_only, fg, clock, Outcome.REGISTER_ONLY)
    filings.record_notification(
        db.session,
        notified,
        submitted_at=clock.now(),
        reference="M-2026-123456",
        provisional=False,
        delay_reason="",
        notes="",
        recorded_by=fg,
        actor=Actor.of(fg),
        clock=clock,
    )

    assert view(fg, clock, data_kind=DataKind.FINANCIAL) == [financial.reference]
    assert view(fg, clock, outcome=Outcome.REGISTER_ONLY) == [register_only.reference]
    assert set(view(fg, clock, undecided=True)) == {plain.reference, financial.reference}
    assert view(fg, clock, notified=Notified.YES) == [notified.reference]
    assert notified.reference not in view(fg, clock, notified=Notified.NO)
    assert view(fg, clock, informed=Informed.OWED) == [notified.reference]
    assert view(fg, clock, informed=Informed.NOT_REQUIRED) == [register_only.reference]
    assert set(view(fg, clock, informed=Informed.UNDECIDED)) == {
        plain.reference,
        financial.reference,
    }
    assert view(fg, clock, state=State.DECIDED) == [register_only.reference, notified.reference]
    assert view(fg, clock, year=T0.year + 1) == []
    assert len(view(fg, clock, year=T0.year)) == 4
    assert len(view(fg, clock, discovered_from=T0.date(), discovered_to=T0.date())) == 4
    assert view(fg, clock, discovered_from=T0.date() + timedelta(days=1)) == []

    notified_only = RegisterFilter(notified=Notified.YES)
    shown = register.view(db.session, fg, notified_only, clock.now()).rows[0]
    assert shown.filing is not None and shown.filing.reference == "M-2026-123456"
    assert shown.decided_outcome == Outcome.NOTIFY_AP_AND_SUBJECTS
    assert shown.informed() is Informed.OWED and shown.open_actions() == 0
    # Two remedial actions, one of them done: the page counts the open one.
    for title in ("Wachtwoorden resetten", "Leverancier aanspreken"):
        data = ActionInput(title, "Piet", "piet@kruix.example", T0.date() + timedelta(days=7))
        remedial = actions.add(db.session, notified, data, user=fg, actor=Actor.of(fg), clock=clock)
    actions.change(
        db.session, remedial, status=ActionStatus.DONE, outcome="Gedaan.", actor=Actor.of(fg),
        clock=clock,
    )  # fmt: skip
    shown = register.view(db.session, fg, notified_only, clock.now()).rows[0]
    assert shown.open_actions() == 1 and shown.filing is not None
    assert shown.people == "100–150" and shown.organisation == kruix.name
    (row,) = register.rows(db.session, fg, notified_only, clock.now())  # an export's row
    assert row.reference == shown.reference and row.filing == shown.filing
    assert row.consequences == ["phishing_or_spam"]  # read from the checklist's JSON in SQL
    assert row.decision is not None and row.decision.outcome == Outcome.NOTIFY_AP_AND_SUBJECTS
    assert row.decision.ruleset_version and row.informed() is Informed.OWED
    assert row.people == "100–150" and row.organisation == kruix.name

    # Late: filed after its term, or a term that ran out without a filing.
    assert view(fg, clock, late=True) == []
    clock.advance(hours=80)
    decide(plain, fg, clock, Outcome.NOTIFY_AP)  # awareness 2 h before T0 + 80 h: not late
    db.session.execute(update(Incident).where(Incident.id == plain.id).values(term_deadline=T0))
    db.session.commit()
    assert view(fg, clock, late=True) == [plain.reference]


def test_pages_are_stable_when_incidents_are_reported_meanwhile(
    app: Flask, orgs: dict[str, Organisation], fg: User, reporter: User, clock: FixedClock
) -> None:
    made = []
    for _ in range(7):
        made.append(submit(reporter, orgs["kruix"], clock).reference)
        clock.advance(minutes=1)
    newest_first = list(reversed(made))
    wanted = RegisterFilter()
    first = register.view(db.session, fg, wanted, clock.now(), per_page=3)
    assert refs(first.rows) == newest_first[:3] and first.prev_cursor is None
    assert first.total == 7 and not first.more_than

    submit(reporter, orgs["kruix"], clock)  # a new report arrives while the FG reads
    second = register.view(db.session, fg, wanted, clock.now(), after=first.next_cursor, per_page=3)
    assert refs(second.rows) == newest_first[3:6]
    third = register.view(db.session, fg, wanted, clock.now(), after=second.next_cursor, per_page=3)
    assert refs(third.rows) == newest_first[6:] and third.next_cursor is None
    back = register.view(db.session, fg, wanted, clock.now(), before=second.prev_cursor, per_page=3)
    assert refs(back.rows) == newest_first[:3]
    # A cursor of another sort order, or no cursor of ours, starts at the top.
    for cursor in ("bm9uc2Vuc2U", "!!", second.next_cursor):
        page = register.view(
            db.session, fg, replace(wanted, sort=Sort.REFERENCE_ASC), clock.now(), after=cursor
        )
        assert page.rows[0].reference == made[0]


def test_rows_for_export_follow_the_view_in_batches(
    app: Flask, orgs: dict[str, Organisation], fg: User, reporter: User, clock: FixedClock
) -> None:
    for _ in range(5):
        submit(reporter, orgs["kruix"], clock)
    wanted = RegisterFilter(sort=Sort.REFERENCE_DESC)
    shown = refs(register.view(db.session, fg, wanted, clock.now()).rows)
    exported = refs(list(register.rows(db.session, fg, wanted, clock.now(), batch=2)))
    assert exported == shown and len(shown) == 5
    assert (
        refs(list(register.rows(db.session, fg, wanted, clock.now(), limit=3, batch=2)))
        == (shown[:3])
    )
    assert register.count(db.session, fg, wanted, clock.now()) == 5


def test_a_filter_from_the_address_bar_round_trips_and_reports_what_it_ignored() -> None:
    args = {
        "org": "3",
        "year": "2026",
        "from": "2026-01-01",
        "to": "2026-12-31",
        "outcome": "notify_ap",
        "notified": "yes",
        "informed": "owed",
        "late": "1",
        "state": "closed",
        "data": "special",
        "q": "laptop",
        "sort": "reference_asc",
    }
    parsed = parse_filter(args, [3])
    assert parsed.errors == {} and parsed.filter.to_args() == args
    assert parsed.filter.discovered_from == date(2026, 1, 1)
    bad = parse_filter(
        {"year": "twintig", "from": "gisteren", "outcome": "drop table", "to": "2025-01-01"},
        [3],
    )
    assert set(bad.errors) == {"year", "from", "outcome"}
    assert bad.filter == RegisterFilter(discovered_to=date(2025, 1, 1))
    beyond = parse_filter({"year": "2150", "from": "0001-01-01", "to": "9999-12-31"}, [3])
    assert set(beyond.errors) == {"year", "from", "to"} and beyond.filter == RegisterFilter()
    reversed_period = parse_filter({"from": "2026-02-01", "to": "2026-01-01", "year": "2026"}, [])
    assert "to" in reversed_period.errors
    assert reversed_period.filter == RegisterFilter(year=2026)  # neither end of the period


def test_a_register_row_takes_the_selected_columns_in_its_fields_order() -> None:
    """Rows are built positionally (it is cheaper than by name): the first fields of
    RegisterRow must be the selected columns, in order, with the checklist's answers last;
    likewise a page's PageRow and PAGE_COLUMNS."""
    import dataclasses

    fields = [f.name for f in dataclasses.fields(register.RegisterRow)]
    columns = [c.name for c in register.COLUMNS]
    assert columns[-1] == "consequences" and fields[: len(columns) - 1] == columns[:-1]
    page_fields = [f.name for f in dataclasses.fields(register.PageRow)]
    page_columns = [c.name for c in register.PAGE_COLUMNS]
    assert page_fields[: len(page_columns)] == page_columns
    assert page_fields[len(page_columns) :] == ["organisation", "filing", "open_count", "sending"]


def test_the_year_filter_holds_the_entries_imported_for_that_year(
    app: Flask, orgs: dict[str, Organisation], fg: User, reporter: User, clock: FixedClock
) -> None:
    """An entry imported from an earlier register has the year of its discovery (its reference
    says so) and the moment of the import as reported_at: the year filter left every such
    entry out of its year (found by exploratory testing), while the dashboard counted it."""
    kruix = orgs["kruix"]
    this_year = submit(reporter, kruix, clock, title="Nieuw gemeld")
    earlier = submit(reporter, kruix, clock, title="Uit het oude register")
    db.session.execute(
        update(Incident)
        .where(Incident.id == earlier.id)
        .values(imported_from="a" * 64, year=2023, reference="KRX-2023-0042")
    )
    db.session.commit()
    now = clock.now()
    for year, expected in ((2023, {"KRX-2023-0042"}), (now.year, {this_year.reference})):
        wanted = RegisterFilter(year=year)
        assert {r.reference for r in register.rows(db.session, fg, wanted, now)} == expected
        assert register.capped_count(db.session, fg, wanted, now) == len(expected)
    assert set(view(fg, clock, query="oude")) == {"KRX-2023-0042"}


def test_an_incident_judged_no_breach_is_not_shown_as_undecided(
    app: Flask, orgs: dict[str, Organisation], fg: User, reporter: User, clock: FixedClock
) -> None:
    """Found by exploratory testing: an incident closed as "not a personal-data breach", with
    its reasoning, read "no decision yet" and "not yet decided" for informing in the register,
    its exports and the evidence pack: an open case, to the AP. It owes nothing; the filters
    say the same as the rows."""
    from breachdesk.domain.register import Informed

    kruix = orgs["kruix"]
    dismissed = submit(reporter, kruix, clock, title="Geen datalek")
    open_case = submit(reporter, kruix, clock, title="Nog open")
    db.session.execute(
        update(Incident)
        .where(Incident.id == dismissed.id)
        .values(state="not_a_breach", not_breach_reason="Er waren geen persoonsgegevens bij.")
    )
    db.session.commit()
    now = clock.now()
    rows = {r.reference: r for r in register.rows(db.session, fg, RegisterFilter(), now)}
    assert rows[dismissed.reference].informed() is Informed.NOT_A_BREACH
    assert rows[open_case.reference].informed() is Informed.UNDECIDED
    for informed, expected in (
        (Informed.NOT_A_BREACH, {dismissed.reference}),
        (Informed.UNDECIDED, {open_case.reference}),
    ):
        wanted = RegisterFilter(informed=informed)
        assert {r.reference for r in register.rows(db.session, fg, wanted, now)} == expected


def test_the_register_shows_what_followed_the_first_filing(
    app: Flask, orgs: dict[str, Organisation], fg: User, reporter: User, clock: FixedClock
) -> None:
    """A withdrawn filing still read "M-2026-1002 … on time", and supplements were not shown
    (found by exploratory testing; Art. 33(5) lets the AP verify compliance, and the AP's
    form files in phases, Art. 33(4)). The page's rows and the export's rows say both."""
    notified = submit(reporter, orgs["kruix"], clock)
    decide(notified, fg, clock, Outcome.NOTIFY_AP)
    plain = submit(reporter, orgs["kruix"], clock)
    decide(plain, fg, clock, Outcome.NOTIFY_AP)
    for incident, number in ((notified, "M-2026-1002"), (plain, "M-2026-1003")):
        filings.record_notification(
            db.session, incident, submitted_at=clock.now(), reference=number, provisional=True,
            delay_reason="", notes="", recorded_by=fg, actor=Actor.of(fg), clock=clock,
        )  # fmt: skip
    for _ in range(2):
        clock.advance(hours=1)
        filings.record_notification(
            db.session, notified, submitted_at=clock.now(), reference="M-2026-1002",
            provisional=False, delay_reason="", notes="Aanvulling.", recorded_by=fg,
            actor=Actor.of(fg), clock=clock,
        )  # fmt: skip
    clock.advance(hours=1)
    filings.withdraw_notification(
        db.session, notified, submitted_at=clock.now(), reason="Geen externe verstrekking.",
        reference="M-2026-1002", recorded_by=fg, actor=Actor.of(fg), clock=clock,
    )  # fmt: skip
    now = clock.now()
    page = register.view(db.session, fg, RegisterFilter(), now, per_page=50)
    exported = list(register.rows(db.session, fg, RegisterFilter(), now))
    for rows in (page.rows, exported):
        by_reference = {r.reference: r.filing for r in rows}
        filing = by_reference[notified.reference]
        assert filing is not None and filing.reference == "M-2026-1002"
        assert filing.supplements == 2 and filing.withdrawn_at == now
        other = by_reference[plain.reference]
        assert other is not None and other.supplements == 0 and other.withdrawn_at is None
