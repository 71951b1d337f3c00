"""What telling the people reached from those not reached yet costs, at list size.

Run it as ``.venv/bin/python benchmarks/people_page.py`` (``--help`` for the options). In one
run, on a throwaway SQLite database (or ``--database-url``, an empty PostgreSQL database):

* a list of ``--people`` people (default 100,000) imported as the page does, the notice
  approved; the page "Informing the people affected" timed (p50 / p95) before anything was
  sent: the **baseline**, the page as it was before it told the people apart;
* the version sent to everyone (the mailing's rows written by ``mailings.start`` and marked
  sent), then a corrected list of the same people and one more imported; the page timed again:
  it now reads whom the version reached and counts the list's people reached and not, the
  choice it offers. The ratio to the baseline is the cost;
* starting the sending to the one person not reached yet (the list's subset written) beside
  starting it to everyone on the list again (every row written), both on the same list.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from common.app import benchmark_app
from common.report import Table, percentile, progress, publish
from sqlalchemy import select, update

from breachdesk.demo import DEMO_PASSWORD, load
from breachdesk.demo.incidents import demo_clock, load_incidents
from breachdesk.domain.notices.people_notice import SECTION_KEYS
from breachdesk.extensions import db
from breachdesk.mail import RecordingMailer
from breachdesk.models import Delivery, Incident, Mailing, PeopleNotice, RecipientImport, User
from breachdesk.runtime import runtime
from breachdesk.services import mailings, people_notices, recipients, unreached
from breachdesk.services.audit import Actor
from breachdesk.services.clock import SystemClock
from breachdesk.services.delivery import DeliverySettings

FG = "fg@demo.example.org"


def people_csv(count: int, first: int = 0) -> bytes:
    rows = (f"Persoon {n};persoon{n}@example.nl\r\n" for n in range(first, first + count))
    return ("naam;e-mail\r\n" + "".join(rows)).encode()


def imported(incident: Incident, fg: User, data: bytes) -> RecipientImport:
    session, clock = db.session, runtime().clock
    proposed = recipients.read_table(data, "lijst.csv").proposed
    staged = recipients.stage_import(
        session, incident, data, "lijst.csv", proposed, user=fg, actor=Actor.of(fg), clock=clock
    )
    return recipients.activate(session, staged, actor=Actor.of(fg), clock=clock)


def timed_page(client: object, path: str, requests: int) -> list[float]:
    get = client.get  # type: ignore[attr-defined]
    assert get(path).status_code == 200  # warm up
    durations = []
    for _ in range(requests):
        start = time.perf_counter()
        response = get(path)
        response.get_data()
        durations.append(time.perf_counter() - start)
        assert response.status_code == 200
    return durations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20, help="page requests per state")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--out", default="", help="also write the figures to this file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bd-people-page-"))
    url = args.database_url or f"sqlite:///{folder / 'db.sqlite3'}"
    app = benchmark_app(folder, url, WTF_CSRF_ENABLED=False)
    n = args.people
    with app.app_context():
        progress("schema, demo organisations and incidents, the notice approved")
        db.create_all()
        clock = demo_clock(db.session, SystemClock().now())
        load(db.session, clock=clock, hasher=runtime().hasher)
        load_incidents(
            db.session,
            clock=clock,
            mailer=RecordingMailer(),
            settings=DeliverySettings(mail_from="bd@x.nl", base_url="http://x"),
        )
        fg = db.session.execute(select(User).where(User.email == FG)).scalar_one()
        incident = db.session.execute(
            select(Incident).where(Incident.title.contains("Laptop"))
        ).scalar_one()
        clock = runtime().clock
        draft = people_notices.working_draft(db.session, incident, clock=clock, user=fg)
        sections = {key: draft.sections.get(key) or "Tekst." for key in SECTION_KEYS}
        draft = people_notices.save_draft(
            db.session, draft, subject="Belangrijk", sections=sections, lang="nl",
            seen=draft.edit_count, user=fg, actor=Actor.of(fg), clock=clock,
        )  # fmt: skip
        notice = people_notices.approve(
            db.session, draft, seen=draft.edit_count, user=fg, actor=Actor.of(fg), clock=clock
        )
        progress(f"a list of {n:,} people")
        first = imported(incident, fg, people_csv(n))
        incident_id, notice_id, first_id = incident.id, notice.id, first.id
        db.session.remove()

    client = app.test_client()
    assert client.post("/login", data={"email": FG, "password": DEMO_PASSWORD}).status_code == 302
    path = f"/incidents/{incident_id}/people"
    progress("the page, nothing sent yet")
    baseline = timed_page(client, path, args.requests)

    with app.app_context():
        incident = db.session.get_one(Incident, incident_id)
        notice = db.session.get_one(PeopleNotice, notice_id)
        fg = db.session.execute(select(User).where(User.email == FG)).scalar_one()
        progress("the version sent to everyone")
        mailing = mailings.start(
            db.session, incident, notice, db.session.get_one(RecipientImport, first_id),
            user=fg, actor=Actor.of(fg), clock=runtime().clock,
        )  # fmt: skip
        db.session.execute(
            update(Delivery)
            .where(Delivery.mailing_id == mailing.id)
            .values(status="sent", sent_at=runtime().clock.now())
        )
        db.session.execute(update(Mailing).where(Mailing.id == mailing.id).values(status="done"))
        db.session.commit()
        progress(f"a corrected list: the {n:,} and one more")
        imported(incident, fg, people_csv(n + 1))
        db.session.remove()

    progress("the page, the version sent")
    after = timed_page(client, path, args.requests)
    page = client.get(path).get_data(as_text=True)
    assert "Alleen de 1 persoon die nog niet is bereikt" in page, "the choice is not offered"

    with app.app_context():
        incident = db.session.get_one(Incident, incident_id)
        notice = db.session.get_one(PeopleNotice, notice_id)
        fg = db.session.execute(select(User).where(User.email == FG)).scalar_one()
        active = recipients.active_import(db.session, incident)
        assert active is not None
        progress("telling the people apart, alone")
        telling = []
        for _ in range(args.requests):
            start = time.perf_counter()
            counted = unreached.split(db.session, active, notice)
            telling.append(time.perf_counter() - start)
        assert (counted.unreached, counted.reached) == (1, n), counted
        progress("starting: to the one not reached yet, then to everyone again")
        start = time.perf_counter()
        subset = mailings.start(
            db.session, incident, notice, active, user=fg, actor=Actor.of(fg),
            clock=runtime().clock, only_unreached=True,
        )  # fmt: skip
        to_unreached = time.perf_counter() - start
        assert subset.total == 1, subset.total
        db.session.execute(update(Mailing).where(Mailing.id == subset.id).values(status="done"))
        db.session.commit()
        start = time.perf_counter()
        everyone = mailings.start(
            db.session, incident, notice, active, user=fg, actor=Actor.of(fg),
            clock=runtime().clock,
        )  # fmt: skip
        to_everyone = time.perf_counter() - start
        assert everyone.total == n + 1
        db.session.remove()

    def p(values: list[float]) -> str:
        return f"{percentile(values, 50) * 1e3:.0f} / {percentile(values, 95) * 1e3:.0f} ms"

    table = Table(f"The page 'Informing the people affected', {n:,} people (p50 / p95)")
    table.add("baseline: the page, nothing sent yet", p(baseline), f"{args.requests} requests")
    table.add(
        "the page, the version sent, 1 not reached",
        p(after),
        f"{percentile(after, 50) / percentile(baseline, 50):.2f}x the baseline (p50)",
    )
    table.add(
        "… of which telling them apart (unreached.split)",
        p(telling),
        "the rest: the sent mailing's box (progress, proof link)",
    )
    table.add("start: to the 1 not reached yet", f"{to_unreached:.2f} s", "the subset written")
    table.add(f"start: to everyone again ({n + 1:,})", f"{to_everyone:.2f} s", "every row written")
    publish(table, "people_page.py", url, f"{n:,} people", args.out)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    raise SystemExit(main())
