"""Property-based fuzzing of every form and JSON input, with a fixed seed.

For every generated request: never a 5xx; when a form comes back with errors (200 or 422),
every text typed into it is shown again as typed. The FG's forms are also sent for incidents
in states where they are not offered (another FG moved the incident on meanwhile). About
1,000 inputs across all targets run in the suite (SQLite pass only: PostgreSQL adds nothing
here but time); ``make fuzz`` runs 10,000 (``BREACHDESK_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import io
import json
import math
import os
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import strategies as st

from breachdesk.domain.assessment import assess
from breachdesk.domain.assessment_json import recommendation_to_dict
from breachdesk.domain.checklist import Facts
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import Incident, Organisation
from breachdesk.services.assessment_io import AssessmentInputError, load_facts, parse_facts_json
from breachdesk.web.checklist_form import DELTAS, SECTIONS
from breachdesk.web.edges import DB_INT_MAX, local_path

from ..conftest import PASSWORD, MakeUser, login
from .fuzzing import RUN, assert_answer, form_data, fuzz, text
from .test_reports import form_data as valid_report

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("BREACHDESK_TEST_DATABASE_URL")),
    reason="fuzzing runs in the SQLite pass only (suite time is a budget)",
)

TRI = "choice:yes|no|unknown"
DATE, INT, FLOAT, TEXT, LONG = "date", "int", "float", "text", "long"


class Scene:
    """Kruix with a reporter, an FG and an administrator, each signed in on their own client,
    and for each target an incident in a state where its form is offered."""

    def __init__(self, app: Flask, orgs: dict[str, Organisation], make_user: MakeUser) -> None:
        self.org = orgs["kruix"]
        for email, role in (("r@x.nl", Role.REPORTER), ("fg@x.nl", Role.FG)):
            make_user(email, (self.org, role))
        make_user("admin@x.nl", (self.org, Role.ADMIN))
        make_user("acct@x.nl", (self.org, Role.FG))
        self.victim = make_user("victim@x.nl", (self.org, Role.REPORTER)).id
        self.clients: dict[str, FlaskClient] = {}
        for email in ("r@x.nl", "fg@x.nl", "admin@x.nl", "acct@x.nl"):
            self.clients[email] = app.test_client()
            login(self.clients[email], email)
        self.anonymous = app.test_client()
        self._current: dict[str, int] = {}

    @property
    def fg(self) -> FlaskClient:
        return self.clients["fg@x.nl"]

    def _reported(self) -> int:
        response = self.clients["r@x.nl"].post("/report/kruix", data=valid_report())
        assert response.status_code == 302
        return int(response.headers["Location"].rsplit("/", 1)[1])

    def _triaged(self, **answers: Any) -> int:
        incident_id = self._reported()
        data = {"personal_data": "yes", "security_breached": "yes", **answers}
        assert self.fg.post(f"/incidents/{incident_id}/triage", data=data).status_code == 302
        return incident_id

    def _confirmed(self) -> int:
        return self._triaged(breach_types=["confidentiality"], aware_at="2026-11-18T10:00")

    def _assessed(self) -> int:
        incident_id = self._confirmed()
        data = {"action": "confirm"}
        assert self.fg.post(f"/incidents/{incident_id}/checklist", data=data).status_code == 302
        return incident_id

    def _not_a_breach(self) -> int:
        return self._triaged(personal_data="no", security_breached="no", reason="Geen datalek")

    def _decided(self) -> int:
        incident_id = self._assessed()
        data = {"outcome": "register_only", "rationale": "Laag risico: brief terug"}
        assert self.fg.post(f"/incidents/{incident_id}/decision", data=data).status_code == 302
        return incident_id

    def _closed(self) -> int:
        incident_id = self._decided()
        assert self.fg.post(f"/incidents/{incident_id}/close").status_code == 302
        return incident_id

    def in_state(self, state: str) -> int:
        """An incident in ``state``; a new one when the last one moved on."""
        current = self._current.get(state)
        if current is not None:
            db.session.expire_all()
            incident = db.session.get(Incident, current)
            if incident is not None and incident.state == state:
                return current
        self._current[state] = getattr(self, f"_{self.MAKERS[state]}")()
        return self._current[state]

    MAKERS = {
        "reported": "reported",
        "breach_confirmed": "confirmed",
        "assessed": "assessed",
        "decided": "decided",
        "closed": "closed",
        "not_a_breach": "not_a_breach",
    }


#: The states where each FG form is offered; the fuzz also posts to incidents in other
#: states (another FG moved the incident on in another tab).
OFFERED = {
    "triage": ("reported",),
    "awareness": ("breach_confirmed", "assessed", "decided"),
    "checklist": ("breach_confirmed", "assessed"),
    "preview": ("breach_confirmed", "assessed", "decided"),
    "decision": ("assessed", "decided"),
    "notification": ("breach_confirmed", "assessed", "decided"),
    "reopen": ("not_a_breach", "closed"),
}


@pytest.fixture
def scene(app: Flask, orgs: dict[str, Organisation], make_user: MakeUser) -> Iterator[Scene]:
    yield Scene(app, orgs, make_user)


def report_fields(org: Organisation) -> dict[str, str]:
    profile = org.profile

    def keys(name: str) -> str:
        return "|".join(item["key"] for item in profile[name])

    fields = {
        "title": TEXT,
        "description": LONG,
        "discovery_how": LONG,
        "ongoing": TRI,
        "processor_keys": f"multi:{keys('processors')}",
        "systems_other": TEXT,
        "data_category_keys": f"multi:{keys('data_categories')}",
        "data_other": TEXT,
        "subjects_mode": "choice:exact|range|unknown",
        "subject_group_keys": f"multi:{keys('subject_categories')}",
        "subject_groups_other": TEXT,
        "children_involved": TRI,
        "protection": "choice:encrypted|partially|none|unknown",
        "protection_details": TEXT,
        "containment": "multi:recall_email|asked_deletion|remote_wipe|retrieved|other",
        "containment_details": LONG,
        "reported_by_processor": "bool",
        "reporting_processor_key": f"choice:{keys('processors')}",
        "reporting_processor_name": TEXT,
        "pending": "multi:",
    }
    for name in ("started_at", "ended_at", "discovered_at", "processor_aware_at",
                 "processor_notified_at"):  # fmt: skip
        fields[name] = DATE
    for name in ("subjects_exact", "subjects_min", "subjects_max", "records_count"):
        fields[name] = INT
    return fields


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FILENAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\/'),
    max_size=40,
)


def test_fuzz_report_form(scene: Scene) -> None:
    fields = report_fields(scene.org)
    files = st.lists(
        st.tuples(st.sampled_from([PNG, b"MZ\x90", b"", b"%PDF-1.4\n"]), FILENAMES), max_size=2
    )

    @fuzz("report form", 0.22, st.tuples(form_data(fields), files))
    def check(example: tuple[dict[str, Any], list[tuple[bytes, str]]]) -> None:
        data, uploads = example
        if uploads:
            data = {**data, "evidence": [(io.BytesIO(b), n) for b, n in uploads]}
        response = scene.clients["r@x.nl"].post(
            "/report/kruix", data=data, content_type="multipart/form-data"
        )
        assert_answer(response, data, fields, 'id="report-form"')

    check()


def test_fuzz_reporting_link_follow_up_and_questions(app: Flask, scene: Scene) -> None:
    """The public reporting link (no account), the reporter's follow-up page, the FG's
    question and the FG's correction of the report: no 5xx, typing kept."""
    from breachdesk.services import reporting_links
    from breachdesk.services.audit import Actor

    app.config["LINK_REPORTS_PER_DAY"] = 10**6  # the cap is tested elsewhere
    link = reporting_links.make_link(
        db.session,
        scene.org,
        reporting_links.Audience.STAFF,
        actor=Actor.system("fuzz"),
        clock=app.extensions["breachdesk"].clock,
    )
    url = "/melden/" + reporting_links.link_token(str(app.config["SECRET_KEY"]), link)
    fields = {**report_fields(scene.org), "reporter_name": TEXT, "reporter_email": TEXT}

    @fuzz("reporting link", 0.06, form_data(fields))
    def report(data: dict[str, Any]) -> None:
        response = scene.anonymous.post(url, data=data, content_type="multipart/form-data")
        assert_answer(response, data, fields, 'id="report-form"')

    report()
    sent = scene.anonymous.post(url, data=valid_report())
    assert sent.status_code == 302
    follow_up = sent.headers["Location"]
    incident_id = int(follow_up.rsplit("/", 1)[1].split("-")[0])
    reply = {"body": LONG}

    @fuzz("follow-up", 0.03, form_data(reply))
    def answer(data: dict[str, Any]) -> None:
        response = scene.anonymous.post(follow_up, data=data, content_type="multipart/form-data")
        assert_answer(response, data, reply, 'id="followup-form"')

    answer()
    question = {"body": LONG}

    @fuzz("question", 0.02, form_data(question))
    def ask(data: dict[str, Any]) -> None:
        response = scene.fg.post(f"/incidents/{incident_id}/questions", data=data)
        assert_answer(response, data, question, 'id="question-form"')

    ask()
    correction = {**report_fields(scene.org), "correction_reason": LONG}
    correction.pop("pending")

    @fuzz("report correction", 0.04, form_data(correction))
    def correct(data: dict[str, Any]) -> None:
        response = scene.fg.post(f"/incidents/{incident_id}/report/correct", data=data)
        assert_answer(response, data, correction, 'id="report-form"')

    correct()


CHECKLIST: dict[str, str] = {
    name: {"tri": TRI, "int": INT, "float": FLOAT}.get(kind)
    or f"{'multi' if kind == 'multi' else 'choice'}:{'|'.join(c for c, _l in choices or [])}"
    for _title, items in SECTIONS
    for name, kind, choices, _label in items
}
for _i in range(2):
    CHECKLIST[f"adj_{_i}_delta"] = "choice:" + "|".join(value for value, _l in DELTAS)
    CHECKLIST[f"adj_{_i}_reason"] = TEXT

FG_FORMS: dict[str, tuple[float, dict[str, str], str | None]] = {
    "triage": (0.07, {"personal_data": TRI, "security_breached": TRI,
                      "breach_types": "multi:confidentiality|integrity|availability",
                      "aware_at": DATE, "reason": LONG,
                      "our_role": "choice:controller|processor", "controller_name": TEXT},
               "/triage"),
    "awareness": (0.05, {"aware_at": DATE, "reason": LONG}, "/awareness"),
    "checklist": (0.07, {**CHECKLIST, "action": "choice:confirm|save|preview"},
                  'id="checklist-form"'),
    "preview": (0.07, CHECKLIST, None),
    "decision": (0.05, {"outcome": "choice:|register_only|notify_ap|notify_ap_and_subjects",
                        "rationale": LONG}, "/decision"),
    "notification": (0.06, {"submitted_at": DATE, "reference": TEXT, "provisional": "bool",
                            "delay_reason": LONG, "notes": LONG}, "/notification"),
    "reopen": (0.03, {"reason": LONG}, "/reopen"),
}  # fmt: skip


@pytest.mark.parametrize("target", list(FG_FORMS))
def test_fuzz_fg_forms(scene: Scene, target: str) -> None:
    share, fields, marker = FG_FORMS[target]
    path = "/checklist/preview" if target == "preview" else f"/{target}"

    states = st.one_of(st.sampled_from(OFFERED[target]), st.sampled_from(list(Scene.MAKERS)))

    @fuzz(target, share, st.tuples(form_data(fields), states))
    def check(example: tuple[dict[str, Any], str]) -> None:
        data, state = example
        url = f"/incidents/{scene.in_state(state)}{path}"
        expected = f'action="{url}"' if marker and marker.startswith("/") else marker
        assert_answer(scene.fg.post(url, data=data), data, fields, expected)

    check()


ADMIN_PROFILE: dict[str, str] = {
    name: TEXT
    for name in ("legal_name", "reference_prefix", "trade_names", "parent_organisation",
                 "street", "postal_code", "city", "country", "kvk_number", "vat_number",
                 "email", "phone", "website", "sector", "contact_name", "contact_email",
                 "contact_phone", "fg_registration_number")
}  # fmt: skip
ADMIN_PROFILE.update(
    financial_undertaking="choice:|yes|no",
    nis2_entity="choice:|essential|important",
    telecom_provider="choice:|yes|no",
    dora_entity="choice:|yes|no",
    contact_kind="choice:fg|privacy_contact|none",
    breach_commitments=LONG,
    notes=LONG,
)
for _i in range(3):
    ADMIN_PROFILE.update(
        {
            f"processors-{_i}-name": TEXT,
            f"processors-{_i}-location": "choice:inside_eu|outside_eu|unknown",
            f"processors-{_i}-data_shared": "multi:naw|contact",
            f"processors-{_i}-remove": "bool",
            f"data_categories-{_i}-name": TEXT,
            f"data_categories-{_i}-enisa_class": "choice:simple|behavioural|financial|sensitive",
            f"data_categories-{_i}-source": LONG,
            f"retention-{_i}-applies_to": TEXT,
            f"retention-{_i}-category_keys": TEXT,
        }
    )
ROLES = "multi:reporter|fg|admin"
ADMIN_FORMS: dict[str, tuple[float, str, dict[str, str], str | None]] = {
    "profile": (0.06, "/admin/organisations/kruix/edit", ADMIN_PROFILE, 'name="legal_name"'),
    "clock settings": (0.04, "/admin/organisations/kruix/clock",
                       {"reminder_offsets": TEXT, "deputy_email": "email", "escalation_name": TEXT,
                        "escalation_email": "email", "processor_term_hours": INT,
                        "processor_hours_before": TEXT}, 'name="reminder_offsets"'),
    "new user": (0.04, "/admin/organisations/kruix/users/",
                 {"email": "email", "name": TEXT, "roles": ROLES},
                 'name="name"'),
    "webhook endpoint": (0.03, "/admin/organisations/kruix/webhooks/new",
                         {"url": TEXT, "description": TEXT, "active": "bool",
                          "events": "multi:report.received|ap.filed|deadline.overdue"},
                         'name="url"'),
}  # fmt: skip


@pytest.mark.parametrize("target", list(ADMIN_FORMS))
def test_fuzz_admin_forms(scene: Scene, target: str) -> None:
    share, url, fields, marker = ADMIN_FORMS[target]

    @fuzz(target, share, form_data(fields))
    def check(data: dict[str, Any]) -> None:
        assert_answer(scene.clients["admin@x.nl"].post(url, data=data), data, fields, marker)

    check()


def test_fuzz_roles_and_ids_in_routes(scene: Scene) -> None:
    ids = st.one_of(
        st.sampled_from([scene.victim, 0, DB_INT_MAX, DB_INT_MAX + 1, 2**63, 10**30]),
        st.integers(min_value=0, max_value=10**25),
    )
    paths = st.sampled_from(
        [
            ("POST", "/admin/organisations/kruix/users/{}/roles"),
            ("GET", "/incidents/{}"),
            ("GET", "/report/submitted/{}"),
            ("GET", "/incidents/{}/attachments/1"),
            ("GET", "/incidents/{}/checklist"),
            ("POST", "/incidents/{}/close"),
            ("POST", "/incidents/{}/triage"),
            ("GET", "/incidents/{}/actions/"),
            ("POST", "/incidents/{}/actions/add"),
            ("POST", "/incidents/{}/actions/1"),
            ("GET", "/register/incidents/{}/evidence.zip"),
        ]
    )
    roles = form_data({"roles": ROLES})

    @fuzz("roles and route ids", 0.04, st.tuples(paths, ids, roles))
    def check(example: tuple[tuple[str, str], int, dict[str, Any]]) -> None:
        (method, template), number, data = example
        client = scene.clients["admin@x.nl" if "admin" in template else "fg@x.nl"]
        response = client.open(template.format(number), method=method, data=data)
        assert response.status_code < 500, (template, number)
        if number > DB_INT_MAX:
            assert response.status_code == 404

    check()


def test_fuzz_pages_with_odd_urls(scene: Scene) -> None:
    segment = st.one_of(st.sampled_from(["kruix", "luxigo", "..", "%00", "9" * 30]), text())
    pages = st.one_of(
        st.sampled_from(["/incidents/", "/reports", "/report", "/account", "/admin/outbox",
                         "/admin/organisations", "/admin/organisations/kruix/audit",
                         "/register/", "/register/export.csv", "/register/export.xlsx",
                         "/dashboard/"]),
        segment.map(lambda s: f"/report/{quote(s, safe='')}"),
        segment.map(lambda s: f"/admin/organisations/{quote(s, safe='')}"),
        st.tuples(segment, segment).map(
            lambda p: f"/admin/outbox/{quote(p[0], safe='')}/{quote(p[1], safe='')}"
        ),
    )  # fmt: skip
    keys = ["org", "state", "next", "page", "q", "year", "from", "to", "outcome", "notified",
            "informed", "late", "data", "sort", "after", "before", "months"]  # fmt: skip
    query = st.dictionaries(st.sampled_from(keys), text(), max_size=4)

    @fuzz("odd URLs", 0.04, st.tuples(pages, query))
    def check(example: tuple[str, dict[str, str]]) -> None:
        path, params = example
        for client in (scene.clients["admin@x.nl"], scene.fg):
            # Read to the end and closed, as a server does: exports are streamed.
            with client.get(path, query_string=params) as response:
                response.get_data()
                assert response.status_code < 500, (path, params)

    check()


def expected_location(target: str) -> str:
    """Where a redirect with ``next=target`` goes (NUL characters are dropped first)."""
    return local_path(target.replace("\x00", "")) or "/"


def test_fuzz_sign_in_and_next(scene: Scene) -> None:
    fields = {"email": "choice:r@x.nl", "password": f"choice:{PASSWORD}"}
    nexts = st.one_of(st.sampled_from(["/reports", "//x.example", "/%0aX", "/\r\nX"]), text())

    @fuzz("sign-in", 0.05, st.tuples(form_data(fields), nexts))
    def check(example: tuple[dict[str, Any], str]) -> None:
        data, target = example
        client = scene.anonymous
        response = client.post("/login", query_string={"next": target}, data=data)
        assert_answer(response, data, {"email": "email"}, 'name="email"')
        if response.status_code == 302:
            assert response.headers["Location"] == expected_location(target)
            client.post("/logout")

    check()


def test_fuzz_language_switch_and_calendar_token(scene: Scene) -> None:
    codes = st.one_of(st.sampled_from(["nl", "en"]), text().filter(lambda t: "/" not in t))
    nexts = st.one_of(st.sampled_from(["/reports", "//x.example", "/%0aX"]), text())

    @fuzz("language and calendar", 0.06, st.tuples(codes, nexts))
    def check(example: tuple[str, str]) -> None:
        code, target = example
        response = scene.anonymous.get(
            f"/language/{quote(code, safe='')}", query_string={"next": target}
        )
        if "\x00" in code:  # no NUL in a path: 404 (see web/edges.py)
            assert response.status_code == 404, (code, target)
        elif code:
            assert response.status_code == 302, (code, target)
            assert response.headers["Location"] == expected_location(target)
        token = scene.anonymous.get(f"/calendar/{quote(code or 'x', safe='')}.ics")
        assert token.status_code == 404

    check()


def test_fuzz_password_change(scene: Scene) -> None:
    fields = {"current": TEXT, "password": TEXT, "confirm": TEXT}

    @fuzz("password change", 0.03, form_data(fields))
    def check(data: dict[str, Any]) -> None:
        response = scene.clients["acct@x.nl"].post("/account", data=data)
        assert_answer(response, data, {}, 'name="current"')
        assert response.status_code != 302, "a random password must not be accepted"

    check()


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(["yes", "no", "unknown", "confidentiality", "simple", "none_known"]),
        st.text(max_size=20),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
FACT_NAMES = st.sampled_from(sorted(Facts.__dataclass_fields__))


def _check_facts(load: Callable[[], Facts]) -> None:
    try:
        facts = load()
    except AssessmentInputError as error:
        assert error.problems and str(error).startswith("case.json: ")
        return
    # Whatever is accepted can be assessed and written out as strict JSON.
    json.dumps(recommendation_to_dict(assess(facts)), allow_nan=False)
    for number in (facts.subjects_count, facts.restore_hours):
        assert number is None or math.isfinite(number)


def test_fuzz_json_facts() -> None:
    documents = st.fixed_dictionaries(
        {"format_version": st.sampled_from([1, 1, 2, "1"]),
         "facts": st.dictionaries(FACT_NAMES, JSON_VALUES, max_size=6)}
    )  # fmt: skip
    texts = st.one_of(
        documents.map(lambda d: json.dumps(d)),  # allow_nan: writes Infinity and NaN
        st.text(max_size=200),
        st.sampled_from(["[" * 50_000, '{"format_version": 1, "facts": {"subjects_count": '
                         + "9" * 5000 + "}}"]),
    )  # fmt: skip

    inputs = st.one_of(documents.map(lambda d: ("data", d)), texts.map(lambda t: ("text", t)))

    @fuzz("JSON facts", 0.06, inputs)
    def check(example: tuple[str, Any]) -> None:
        kind, content = example
        if kind == "data":
            _check_facts(lambda: load_facts(content, "case.json"))
        else:
            _check_facts(lambda: parse_facts_json(content, "case.json"))

    check()


def test_zz_fuzz_report() -> None:
    """Runs last in this module: how many inputs ran (shown with ``pytest -s``)."""
    print(f"\nfuzz: {sum(RUN.values())} inputs", dict(sorted(RUN.items())))  # noqa: T201
