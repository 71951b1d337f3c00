"""Regression tests for the HTTP 500s a fuzzing session found (34 in 7,342 requests).

Four causes: ids beyond the database's integer range in routes, the years 0001 and 9999 in
date fields, counts beyond 2**63-1 in the report form, CR/LF in ``next``; plus non-finite and
30-digit numbers in the checklist facts, and (found later) NUL characters on PostgreSQL.
Each is now a 404, an error at the field with the typing kept, or a redirect to the default
page.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation
from breachdesk.web.edges import DB_INT_MAX, MAX_PAGE, BoundedIntConverter, whole_number

from ..conftest import PASSWORD, MakeUser, login
from .test_clock_web import confirm_breach, confirmed
from .test_reports import form_data
from .test_triage_web import reported_incident

HUGE = "99999999999999999999"  # > 2**63 - 1: OverflowError on SQLite
BAD_YEARS = ("0001-01-01T00:00", "9999-12-31T23:59", "1969-12-31T23:59", "2101-01-01T00:00")


def incidents() -> int:
    return db.session.execute(select(func.count()).select_from(Incident)).scalar_one()


# --- 1. ids in routes ---------------------------------------------------------------------


def test_every_int_route_uses_the_bounded_converter(app: Flask) -> None:
    int_rules = [
        (rule.rule, converter)
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()  # noqa: SLF001 - no public accessor
        if isinstance(converter, IntegerConverter)
    ]
    assert len(int_rules) >= 10  # incidents, attachments, triage, checklist, roles, ...
    for rule, converter in int_rules:
        assert isinstance(converter, BoundedIntConverter), rule
        assert converter.max == DB_INT_MAX, rule


BEYOND = [
    ("GET", f"/incidents/{HUGE}"),
    ("GET", f"/report/submitted/{HUGE}"),
    ("GET", f"/incidents/{HUGE}/attachments/1"),
    ("GET", f"/incidents/1/attachments/{HUGE}"),
    ("GET", f"/incidents/{HUGE}/checklist"),
    ("POST", f"/incidents/{HUGE}/triage"),
    ("POST", f"/incidents/{HUGE}/awareness"),
    ("POST", f"/incidents/{HUGE}/checklist"),
    ("POST", f"/incidents/{HUGE}/checklist/preview"),
    ("POST", f"/incidents/{HUGE}/decision"),
    ("POST", f"/incidents/{HUGE}/close"),
    ("POST", f"/incidents/{HUGE}/reopen"),
    ("POST", f"/incidents/{HUGE}/notification"),
    ("POST", f"/admin/organisations/kruix/users/{HUGE}/roles"),
    ("GET", f"/incidents/{2**63}"),
    ("GET", f"/incidents/{2**31}"),  # DataError on PostgreSQL (INTEGER is 32-bit there)
    ("GET", f"/incidents/{DB_INT_MAX + 1}"),  # the first value past the range
]


def test_ids_beyond_the_database_range_are_not_found(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("a@x.nl", (orgs["kruix"], Role.FG), (orgs["kruix"], Role.ADMIN))
    login(client, "a@x.nl")
    for method, path in BEYOND:
        response = client.open(path, method=method, data={"reason": "x"})
        assert response.status_code == 404, path
        assert "Niet gevonden" in response.get_data(as_text=True), path


def test_the_largest_id_is_still_a_plain_not_found(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("fg@x.nl", (orgs["kruix"], Role.FG))
    login(client, "fg@x.nl")
    assert client.get(f"/incidents/{DB_INT_MAX}").status_code == 404


# --- 2. dates -----------------------------------------------------------------------------

REPORT_DATES = (
    "discovered_at",
    "started_at",
    "ended_at",
    "processor_aware_at",
    "processor_notified_at",
)


def test_report_dates_out_of_range_are_errors_at_the_field(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    for field in REPORT_DATES:
        for typed in BAD_YEARS:
            data = form_data(
                reported_by_processor="y", reporting_processor_name="Leverancier", **{field: typed}
            )
            response = client.post("/report/kruix", data=data)
            page = response.get_data(as_text=True)
            assert response.status_code == 200, (field, typed)
            assert f'id="{field}-error"' in page, (field, typed)
            assert "Geef een datum tussen 1970 en 2100." in page
            assert f'value="{typed}"' in page  # the typing is kept
            assert str(escape(data["description"])) in page
    assert incidents() == 0


def test_fg_dates_out_of_range_are_errors_at_the_field(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = confirmed(client, orgs, make_user)  # signed in as the FG
    for typed in BAD_YEARS:
        for path, field, shown_as, extra in (
            ("awareness", "aware_at", "awareness-aware_at", {"reason": "Correctie"}),
            ("notification", "submitted_at", "submitted_at", {"reference": "AP-1",
                                                              "delay_reason": "Laat"}),
        ):  # fmt: skip
            response = client.post(f"/incidents/{incident.id}/{path}", data={field: typed, **extra})
            page = response.get_data(as_text=True)
            assert response.status_code == 422, (path, typed)
            assert (
                f'id="{shown_as}-error"' in page and "Geef een datum tussen 1970 en 2100." in page
            )
            assert f'value="{typed}"' in page
    db.session.expire_all()
    assert len(incident.awareness_history) == 1 and incident.notifications == []


def test_triage_date_out_of_range_is_an_error_at_the_field(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    for typed in BAD_YEARS:
        data = {
            "personal_data": "yes",
            "security_breached": "yes",
            "breach_types": ["confidentiality"],
            "aware_at": typed,
            "reason": "Adreslijst gelekt",
        }
        response = client.post(f"/incidents/{incident.id}/triage", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, typed
        assert 'id="aware_at-error"' in page and f'value="{typed}"' in page
        assert "Adreslijst gelekt" in page
    db.session.expire_all()
    assert incident.state == "reported"


# --- 3. counts ----------------------------------------------------------------------------


COUNTS = [
    {"subjects_mode": "exact", "subjects_exact": HUGE},
    {"subjects_mode": "range", "subjects_min": "1", "subjects_max": HUGE},
    {"subjects_mode": "range", "subjects_min": HUGE, "subjects_max": HUGE},
    {"records_count": HUGE},
    {"records_count": "1000000001"},
    {"records_count": "-5"},
]


def test_counts_out_of_range_are_errors_at_the_field(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    for changes in COUNTS:
        response = client.post("/report/kruix", data=form_data(**changes))
        page = response.get_data(as_text=True)
        assert response.status_code == 200, changes
        for field, typed in changes.items():
            if field != "subjects_mode" and (typed == HUGE or field == "records_count"):
                assert f'id="{field}-error"' in page, changes
                assert f'value="{typed}"' in page
        assert "Geef een getal van 0 tot 1.000.000.000." in page
    assert incidents() == 0


def test_a_count_at_the_bound_is_accepted(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    data = form_data(subjects_exact="1000000000", records_count="1000000000")
    assert client.post("/report/kruix", data=data).status_code == 302
    incident = db.session.execute(select(Incident)).scalar_one()
    assert incident.subjects_exact == incident.records_count == 1_000_000_000


# --- 4. next ------------------------------------------------------------------------------

BAD_NEXT = [
    "/%0aX",
    "/%0d%0aSet-Cookie:%20x=1",
    "/a%09b",
    "//evil.example",
    "/%5Cevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil",
    "/%E2%80%A8x",  # LINE SEPARATOR
    "/%00",
]


def test_language_switch_ignores_a_bad_next(client: Any) -> None:
    for target in BAD_NEXT:
        response = client.get(f"/language/en?next={target}")
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/", target


def test_login_ignores_a_bad_next(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    for target in BAD_NEXT:
        response = client.post(
            f"/login?next={target}", data={"email": "r@x.nl", "password": PASSWORD}
        )
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/", target
        client.post("/logout")


def test_a_local_next_is_followed(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    response = client.get("/language/en?next=/reports%3Fx%3D1")
    assert response.headers["Location"] == "/reports?x=1"
    response = client.post("/login?next=/reports", data={"email": "r@x.nl", "password": PASSWORD})
    assert response.headers["Location"] == "/reports"


# --- 5. checklist facts -------------------------------------------------------------------


ABSURD = [
    ("restore_hours", "inf"),
    ("restore_hours", "Infinity"),
    ("restore_hours", "-inf"),
    ("restore_hours", "nan"),
    ("restore_hours", "1e999"),
    ("restore_hours", "100001"),
    ("subjects_count", "9" * 30),
    ("subjects_count", "1000000001"),
]


def test_checklist_refuses_absurd_numbers(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    incident = confirmed(client, orgs, make_user)
    for field, typed in ABSURD:
        preview = client.post(f"/incidents/{incident.id}/checklist/preview", data={field: typed})
        assert preview.status_code == 422, typed
        assert 'id="recommendation"' in preview.get_data(as_text=True)
        saved = client.post(
            f"/incidents/{incident.id}/checklist", data={field: typed, "action": "confirm"}
        )
        page = saved.get_data(as_text=True)
        assert saved.status_code == 422, typed
        assert f'id="{field}-error"' in page and f'value="{typed}"' in page
    # A lower bound above the number of people: in Dutch at the field (it was the domain's
    # English, with its field names: found by exploratory testing).
    data = {"subjects_count": "3", "subjects_min": "10", "action": "confirm"}
    page = client.post(f"/incidents/{incident.id}/checklist", data=data).get_data(as_text=True)
    error = page.split('id="subjects_min-error"')[1].split("</div>")[0]
    assert "ondergrens" in error and "subjects_count" not in error
    # "No adverse consequence likely" beside a consequence: refused at its field, the
    # choices kept.
    data = {"consequences": ["none_likely", "identity_fraud"], "action": "confirm"}
    refused = client.post(f"/incidents/{incident.id}/checklist", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="consequences-error"' in page
    error = page.split('id="consequences-error"')[1].split("</div>")[0]
    assert "“Geen” gaat niet samen met een ander gevolg" in error, error  # the box's label
    for value in ("none_likely", "identity_fraud"):
        (tag,) = re.findall(rf'<input[^>]*value="{value}"[^>]*>', page)
        assert " checked " in tag, tag
    db.session.expire_all()
    assert incident.facts is None and incident.state == "breach_confirmed"


# --- 6. NUL characters (PostgreSQL cannot store them in text) -----------------------------


def test_nul_characters_are_dropped_from_forms_and_refused_in_paths(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    data = form_data(title="Brief\x00 kwijt", description="Gek\x00 teken", pending=["\x00"])
    response = client.post("/report/kruix?x=\x00", data=data)
    assert response.status_code == 302
    incident = db.session.execute(select(Incident)).scalar_one()
    assert (incident.title, incident.description) == ("Brief kwijt", "Gek teken")
    for path in ("/report/%00", "/report/kruix%00", "/admin/organisations/%00"):
        assert client.get(path).status_code == 404, path
    assert client.get("/language/en?next=/reports%00").headers["Location"] == "/reports"


def test_numbers_in_a_query_string_beyond_the_database_range_are_bounded(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Before, ?page=99999999999999999999 on the inbox went to SQLite as it was (500); the
    register already bounded it. Now every page or id in a query string is bounded."""
    make_user("a@x.nl", (orgs["kruix"], Role.FG), (orgs["kruix"], Role.ADMIN))
    login(client, "a@x.nl")
    for path in (f"/incidents/?page={HUGE}", f"/incidents/?page={DB_INT_MAX + 1}"):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/admin/organisations/kruix/webhooks?page={HUGE}").status_code == 200
    assert whole_number(HUGE, 1) == DB_INT_MAX and whole_number("0", 1) == 1
    assert whole_number(HUGE, 1, MAX_PAGE) == MAX_PAGE  # page × 50 fits PostgreSQL's integer
    assert whole_number("-3", 1) == 1 and whole_number("٣", 1) == 1  # not ASCII digits
    assert whole_number(" 7 ", 1) == 7 and whole_number(None, 5) == 5


def test_the_incident_page_gives_each_field_an_id_of_its_own(
    app: Flask, client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Found by exploratory testing: the triage's and the set-aside's "reason" (and the
    correction's and the awareness') shared one id, so a label focused another form's field
    and a screen reader read another field's help. The hidden CSRF inputs of its dozen forms
    all had the id "csrf_token" too: they have none now."""
    import collections
    import re

    def page_with_tokens() -> str:
        app.config["WTF_CSRF_ENABLED"] = True  # the tokens rendered (this test posts none)
        try:
            return str(client.get(f"/incidents/{incident.id}").get_data(as_text=True))
        finally:
            app.config["WTF_CSRF_ENABLED"] = False

    incident = reported_incident(client, orgs, make_user)
    login(client, "fg@x.nl")
    pages = [page_with_tokens()]  # to triage
    confirm_breach(client, incident, "2026-11-18T10:00")
    pages.append(page_with_tokens())  # confirmed
    for state, page in zip(("reported", "confirmed"), pages, strict=True):
        ids = collections.Counter(re.findall(r'\sid="([^"]+)"', page))
        twice = sorted(i for i, n in ids.items() if n > 1)
        assert twice == [], (state, twice)
        assert page.count('name="csrf_token"') >= 5 and "csrf_token" not in ids
        for label_for in re.findall(r'<label[^>]*\sfor="([^"]+)"', page):
            assert ids[label_for] == 1, (state, label_for)


def test_text_with_nothing_visible_is_no_answer_and_titles_keep_their_direction(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Found by exploratory testing: a late filing's reasons for the delay (required by
    Art. 33(1)) could be one zero-width space, and was then shown (and filed in answer 4.5)
    as nothing; a title of zero-width spaces made an inbox row without a title; a title with a
    right-to-left override showed "\u202eexe.live" as "evil.exe"."""
    late = confirmed(client, orgs, make_user)  # overdue; signed in as the FG
    data = {"submitted_at": "2026-11-19T10:30", "reference": "AP-1", "delay_reason": "\u200b"}
    response = client.post(f"/incidents/{late.id}/notification", data={**data, "provisional": "y"})
    assert response.status_code == 422
    assert 'id="delay_reason-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert late.notifications == []
    client.post("/logout")

    login(client, "r@x.nl")
    response = client.post("/report/kruix", data=form_data(title="\u200b\u200b\u200b"))
    assert response.status_code == 200 and 'id="title-error"' in response.get_data(as_text=True)
    assert incidents() == 1
    data = form_data(title="Bijlage \u202eexe.live\u202c verstuurd", description="a\u200db")
    assert client.post("/report/kruix", data=data).status_code == 302
    incident = db.session.execute(select(Incident).where(Incident.id != late.id)).scalar_one()
    assert incident.title == "Bijlage exe.live verstuurd"  # the override gone, nothing else
    assert incident.description == "a\u200db"  # a joiner among visible text is kept
