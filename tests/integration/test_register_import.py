"""Importing an earlier register, at the service: a file goes into an organisation's register
once, also when two imports of it run at the same moment (PostgreSQL in CI's second run: real
row locks)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from breachdesk.domain.register_columns import Field
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation, User
from breachdesk.services import register_entries, register_import
from breachdesk.services.audit import Actor
from breachdesk.services.clock import FixedClock

from ..conftest import MakeUser

FILE = (
    b"Kenmerk;Datum ontdekt;Titel;Aantal betrokkenen\r\n"
    b"DL-2023-01;05-03-2023;Laptop kwijt;120\r\n"
    b"DL-2023-02;12-06-2023;Mail aan verkeerde klant;onbekend\r\n"
)
MAPPING = {Field.REFERENCE: 0, Field.DISCOVERED: 1, Field.TITLE: 2, Field.PEOPLE: 3}


def breaches() -> list[register_import.ImportedBreach]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    result = register_import.check(FILE, "register.csv", MAPPING, has_header=True, now=now)
    assert result.errors == [] and len(result.breaches) == 2
    return result.breaches


def run_import(organisation: Organisation, fg: User, clock: FixedClock) -> list[Incident]:
    return register_import.import_breaches(
        db.session,
        organisation,
        breaches(),
        source_sha256=register_import.digest(FILE),
        user=fg,
        actor=Actor.of(fg),
        clock=clock,
    )


def imported(organisation_id: int) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Incident)
        .where(Incident.organisation_id == organisation_id, Incident.imported_from != "")
    ).scalar_one()


@pytest.fixture
def fg(orgs: dict[str, Organisation], make_user: MakeUser) -> User:
    return make_user("fg@x.nl", (orgs["kruix"], Role.FG), (orgs["luxigo"], Role.FG))


def test_a_file_is_imported_into_an_organisation_once(
    app: Flask, orgs: dict[str, Organisation], fg: User, clock: FixedClock
) -> None:
    kruix, luxigo = orgs["kruix"], orgs["luxigo"]
    sha256 = register_import.digest(FILE)
    assert register_import.earlier_import(db.session, kruix.id, sha256) is None
    first_at = clock.now()
    assert len(run_import(kruix, fg, clock)) == 2
    clock.advance(hours=2)
    earlier = register_import.earlier_import(db.session, kruix.id, sha256)
    assert earlier == register_import.EarlierImport(incidents=2, imported_at=first_at)
    with pytest.raises(register_import.AlreadyImported) as refused:
        run_import(kruix, fg, clock)
    assert refused.value.earlier == earlier
    assert imported(kruix.id) == 2
    # Another organisation's register may hold the same file; a corrected file is another.
    assert len(run_import(luxigo, fg, clock)) == 2
    assert register_import.earlier_import(db.session, kruix.id, "0" * 64) is None


def test_a_row_whose_reference_came_in_since_the_check_is_skipped_at_the_import(
    app: Flask, orgs: dict[str, Organisation], fg: User, clock: FixedClock
) -> None:
    """The check page sets aside the rows listed already; the import looks again under the
    organisation's lock, so a reference brought in meanwhile (another file, another tab) is
    not listed twice either."""
    kruix = orgs["kruix"]
    checked = breaches()  # checked before either import
    assert len(run_import(kruix, fg, clock)) == 2
    made = register_import.import_breaches(
        db.session,
        kruix,
        [*checked, replace(checked[0], row=9, reference="DL-2023-09")],
        source_sha256="1" * 64,  # a corrected file: another digest
        user=fg,
        actor=Actor.of(fg),
        clock=clock,
    )
    assert [i.source_reference for i in made] == ["DL-2023-09"]
    assert imported(kruix.id) == 3


def test_two_imports_of_one_file_at_the_same_moment_import_it_once(
    app: Flask, orgs: dict[str, Organisation], fg: User, clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Each import checks for an earlier one and then writes. Both checks are held back until
    both have been made (or a second has passed): without a lock both find nothing and both
    write, doubling the register. With the organisation's row locked before the check, the
    second waits for the first to commit, then finds its entries and is refused."""
    kruix_id, fg_id = orgs["kruix"].id, fg.id
    db.session.commit()  # SQLite: this thread holds no transaction (its write lock) either
    checked = threading.Barrier(2)
    reserve = register_entries.next_reference

    def next_reference_after_both_checks(*args: object) -> tuple[int, str]:
        try:
            checked.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass  # the other import waits for this one's lock: it never gets here
        return reserve(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(register_entries, "next_reference", next_reference_after_both_checks)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def importer() -> None:
        try:
            with app.app_context():
                me, org = db.session.get(User, fg_id), db.session.get(Organisation, kruix_id)
                assert me is not None and org is not None
                db.session.commit()  # SQLite: hold no transaction while waiting
                start.wait()
                try:
                    run_import(org, me, clock)
                    outcomes.append("imported")
                except register_import.AlreadyImported:
                    outcomes.append("refused")
        except BaseException as error:  # noqa: BLE001 - reported below
            outcomes.append(repr(error))

    threads = [threading.Thread(target=importer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["imported", "refused"]
    assert imported(kruix_id) == 2
