"""The breach register (Art. 33(5)): a filtered, searchable view, and its exports.

Every view is described by its URL (:func:`breachdesk.domain.register.parse_filter`), so a
view can be bookmarked, and every export (CSV, XLSX, PDF) holds exactly the rows the page
shows, in the same order. Exports are audited (which view, which format; not the rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import login_required

from ..domain.actions import ACTION_STATUS_LABELS
from ..domain.assessment import Outcome
from ..domain.lifecycle import STATE_LABELS
from ..domain.register import (
    DATA_KIND_LABELS,
    INFORMED_LABELS,
    NOTIFIED_LABELS,
    SORT_LABELS,
    ParsedFilter,
    RegisterFilter,
    Sort,
    parse_filter,
)
from ..domain.roles import Role
from ..domain.timeutil import utc_to_local
from ..extensions import db_session
from ..models import User
from ..runtime import runtime
from ..services import register
from ..services.documents import DocumentError, render_pdf
from ..services.register_export import (
    PDF_LIMIT,
    Column,
    csv_chunks,
    file_chunks,
    record_export,
    xlsx_file,
)
from ..services.register_rows import RegisterRow
from ..sqlite import long_read
from .checklist_form import CONSEQUENCES
from .context import actor, organisations_where, require_any_role, selected_locale, user
from .labels import citation, reason_text
from .report_form import CONTAINMENT
from .triage_forms import BREACH_TYPES, OUTCOME_LABELS

bp = Blueprint("register", __name__, url_prefix="/register")

#: The register filter form's fields as it names them (templates/register/index.html); a PDF
#: of a filtered view names its filters with the same words (:func:`filter_words`).
FILTER_LABELS = {
    "q": _l("Search"),
    "year": _l("Year"),
    "from": _l("Discovered from"),
    "to": _l("until"),
    "outcome": _l("Decision"),
    "notified": _l("AP notified"),
    "informed": _l("People informed"),
    "state": _l("Status"),
    "data": _l("Kind of data"),
    "sort": _l("Order"),
    "late": _l("Only late or overdue"),
}

#: The most reasons an export keeps translated (a register repeats the same few sentences; a
#: number of people in one makes it another).
REASONS_KEPT = 5_000


def _filter() -> ParsedFilter:
    organisations = organisations_where(Role.FG, Role.ADMIN)
    return parse_filter(request.args, [o.id for o in organisations])


class Labels:
    """Every label a register view, export or PDF shows, translated once per request (a
    100,000-row export would otherwise ask the translations a million times)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.english = selected_locale() == "en"
        self.outcome = {"": _("No decision yet")} | {
            o.value: str(label) for o, label in OUTCOME_LABELS.items()
        }
        self.informed = {k.value: _(v) for k, v in INFORMED_LABELS.items()}
        self.state = {k.value: _(v) for k, v in STATE_LABELS.items()}
        self.breach = {k: str(v) for k, v in BREACH_TYPES}
        self.consequence = {k: str(v) for k, v in CONSEQUENCES}
        self.containment = {k: str(v) for k, v in CONTAINMENT}
        self.late, self.on_time, self.overdue = _("late"), _("on time"), _("overdue, not filed")
        self.undated = _("not known: date of filing not known")
        self.date_unknown = _("date not known")
        self.addressee = {"ap": _("the AP"), "controller": _("the controller")}
        # Translated once, filled in per row (the placeholder formats as itself).
        self.people = _("%(people)s people", people="%(people)s")
        self.pack = _("Evidence pack")
        self.action_status = {k.value: _(v) for k, v in ACTION_STATUS_LABELS.items()}
        self.open_measures = _("open measures: %(num)s", num="%(num)s")
        self.imported = _("imported")
        self.source_reference = _("Reference in the earlier register")
        self.followed = _("Follows the advice.")
        self.departed = _("Departs from the advice (%(advice)s).", advice="%(advice)s")
        self.fg_words = _("The FG's reasoning: %(text)s", text="%(text)s")
        self.advice_reasons_title = _("The advice's reasons:")
        self._reason_texts: dict[tuple[Any, ...], str] = {}

    @staticmethod
    def _join(values: list[str], labels: dict[str, str]) -> str:
        return "; ".join(labels.get(v, v) for v in values)

    def name(self, entry: dict[str, Any]) -> str:
        """A profile entry's name in the reader's language (Dutch if none in English)."""
        if self.english and entry.get("name_en"):
            return str(entry["name_en"])
        return str(entry.get("name") or entry.get("key") or "")

    def data(self, row: RegisterRow) -> str:
        names = [self.name(c) for c in row.data_categories]
        if row.data_other:
            names.append(row.data_other)
        return "; ".join(n for n in names if n)

    def groups(self, row: RegisterRow) -> str:
        return "; ".join(n for n in (self.name(g) for g in row.subject_groups) if n)

    def breach_types(self, row: RegisterRow) -> str:
        return self._join(row.breach_types, self.breach)

    def consequences(self, row: RegisterRow) -> str:
        return self._join(row.consequences, self.consequence)

    def measures(self, row: RegisterRow) -> str:
        done = self._join(row.containment, self.containment)
        return "; ".join(x for x in (done, row.containment_details) if x)

    def decision(self, row: RegisterRow) -> str:
        return self.outcome.get(row.decided_outcome or "", row.decided_outcome or "")

    def informed_of(self, row: RegisterRow) -> str:
        return self.informed[row.informed().value]

    def timeliness(self, row: RegisterRow) -> str:
        if row.filing is not None:
            if not row.filing.dated:
                return self.undated
            return self.late if row.filing.late else self.on_time
        return self.overdue if row.late(self.now) else ""

    def remedial(self, row: RegisterRow) -> str:
        """The remedial actions with their status: "Passwords reset (Done); …"."""
        return "; ".join(
            f"{title} ({self.action_status.get(status, status)})" for title, status in row.actions
        )

    def advice_reasons(self, row: RegisterRow) -> list[str]:
        """The reasons of the advice the decision rested on, as stored with it, each with
        the source it cites, in the reader's language: the sentences the incident page shows
        (:func:`.labels.reason_text`, :func:`.labels.citation`), each translated once."""
        if row.decision is None:
            return []
        known, texts = self._reason_texts, []
        for reason in row.decision.reasons:
            key = (reason.message, reason.rule, reason.factor, *reason.params.items())
            text = known.get(key)
            if text is None:
                if len(known) >= REASONS_KEPT:
                    known.clear()
                text = known[key] = f"{reason_text(reason)} ({citation(reason.rule)})"
            texts.append(text)
        return texts

    def verdict(self, row: RegisterRow) -> str:
        """Whether the decision follows the advice it was given ("Follows the advice.",
        "Departs from the advice (Notify the AP)."); "" when no advice was stored with it (an
        entry imported from an earlier register)."""
        decision = row.decision
        if decision is None or not decision.reasons:
            return ""
        if decision.follows_recommendation:
            return self.followed
        return self.departed % {"advice": self.outcome.get(decision.recommended, "")}

    def own_words(self, row: RegisterRow) -> str:
        """The FG's own reasoning, when given ("The FG's reasoning: …"); an imported entry's
        reasoning as the earlier register gave it."""
        decision = row.decision
        if decision is None or not decision.rationale:
            return ""
        if not decision.reasons:
            return decision.rationale
        return self.fg_words % {"text": decision.rationale}

    def reasoning(self, row: RegisterRow) -> str:
        """The decision's reasoning for a spreadsheet cell (Art. 33(5)): whether it follows
        the advice, the FG's own words when given, then the advice's reasons, numbered, a
        line each."""
        if row.decision is None:
            return ""
        lines = [" ".join(part for part in (self.verdict(row), self.own_words(row)) if part)]
        reasons = self.advice_reasons(row)
        if reasons:
            lines.append(self.advice_reasons_title)
            lines += [f"{number}. {text}" for number, text in enumerate(reasons, 1)]
        return "\n".join(line for line in lines if line)

    def notified_to(self, row: RegisterRow) -> str:
        return self.addressee.get(row.filing.addressee, "") if row.filing else ""


def columns(lb: Labels) -> list[Column]:
    """The register's columns for a spreadsheet: the facts Art. 33(5) asks to document."""
    return [
        Column(_("Reference"), lambda r: r.reference, 16),
        Column(lb.source_reference, lambda r: r.source_reference, 16),
        Column(_("Organisation"), lambda r: r.organisation, 24),
        Column(_("Title"), lambda r: r.title, 40),
        Column(_("What happened"), lambda r: r.description, 60),
        Column(_("Breach started (Dutch time)"), lambda r: r.started_at),
        Column(_("Breach ended (Dutch time)"), lambda r: r.ended_at),
        Column(_("Discovered (Dutch time)"), lambda r: r.discovered_at),
        Column(_("Aware (Dutch time)"), lambda r: r.aware_at),
        Column(_("Reported (Dutch time)"), lambda r: r.reported_at),
        Column(_("Type of breach"), lb.breach_types, 30),
        Column(_("Personal data"), lb.data, 40),
        Column(_("Number of people"), lambda r: r.people_count, 14),
        Column(_("Groups of people"), lb.groups, 30),
        Column(_("Likely consequences"), lb.consequences, 40),
        Column(_("Measures taken"), lb.measures, 40),
        Column(_("Remedial actions"), lb.remedial, 50),
        Column(_("Decision"), lb.decision, 30),
        Column(_("Reasoning"), lb.reasoning, 60),
        Column(_("Rule set"), lambda r: r.decision.ruleset_version if r.decision else "", 12),
        Column(_("Decided (Dutch time)"), lambda r: r.decision.decided_at if r.decision else None),
        Column(_("Notified to"), lb.notified_to, 14),
        Column(_("AP report number"), lambda r: r.filing.reference if r.filing else "", 18),
        Column(_("Filed (Dutch time)"), lambda r: r.filing.submitted_at if r.filing else None),
        Column(_("On time"), lb.timeliness, 14),
        Column(_("Reason for the delay"), lambda r: r.filing.delay_reason if r.filing else "", 40),
        Column(_("People informed"), lb.informed_of, 24),
        Column(_("Informed (Dutch time)"), lambda r: r.subjects_resolution_at),
        Column(_("How, or why not"), lambda r: r.subjects_resolution_note, 40),
        Column(_("Status"), lambda r: lb.state.get(r.state, r.state), 18),
        Column(_("Closed (Dutch time)"), lambda r: r.closed_at),
        Column(_("Why not a personal-data breach"), lambda r: r.not_breach_reason, 40),
        Column(_("Imported from (SHA-256)"), lambda r: r.imported_from, 20),
    ]


def filter_words(wanted: RegisterFilter, lb: Labels) -> list[str]:
    """The filters and order of the view ``wanted`` (its organisation apart) in the reader's
    words, as the filter form shows them: "Year: 2026", "Decision: Notify the AP", "Only late
    or overdue", ... (a PDF for the AP names its view with them, not with URL codes)."""
    label = {key: str(text) for key, text in FILTER_LABELS.items()}
    words = []
    if wanted.query:
        words.append(f"{label['q']}: “{wanted.query}”")
    if wanted.year is not None:
        words.append(f"{label['year']}: {wanted.year}")
    start, end = wanted.discovered_from, wanted.discovered_to
    if start and end:
        words.append(f"{label['from']}: {start:%d-%m-%Y} {label['to']} {end:%d-%m-%Y}")
    elif start:
        words.append(f"{label['from']}: {start:%d-%m-%Y}")
    elif end:
        words.append(_("Discovered until: %(date)s", date=f"{end:%d-%m-%Y}"))
    if wanted.undecided:
        words.append(f"{label['outcome']}: {lb.outcome['']}")
    elif wanted.outcome:
        words.append(f"{label['outcome']}: {lb.outcome[wanted.outcome.value]}")
    if wanted.notified:
        words.append(f"{label['notified']}: {_(NOTIFIED_LABELS[wanted.notified])}")
    if wanted.informed:
        words.append(f"{label['informed']}: {lb.informed[wanted.informed.value]}")
    if wanted.state:
        words.append(f"{label['state']}: {lb.state[wanted.state.value]}")
    if wanted.data_kind:
        words.append(f"{label['data']}: {_(DATA_KIND_LABELS[wanted.data_kind])}")
    if wanted.late:
        words.append(label["late"])
    if wanted.sort is not Sort.REPORTED_DESC:
        words.append(f"{label['sort']}: {_(SORT_LABELS[wanted.sort])}")
    return words


def _audit_export(wanted: RegisterFilter, fmt: str) -> None:
    record_export(db_session(), wanted, fmt, actor=actor(), clock=runtime().clock)


@bp.get("/")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def index() -> ResponseReturnValue:
    parsed = _filter()
    now = runtime().clock.now()
    page = register.view(
        db_session(),
        user(),
        parsed.filter,
        now,
        after=request.args.get("after") or None,
        before=request.args.get("before") or None,
        per_page=register.PAGE_SIZE,
        count_search=request.args.get("count") == "1",
    )
    lb = Labels(now)
    return render_template(
        "register/index.html",
        page=page,
        wanted=parsed.filter,
        errors={key: _(message) for key, message in parsed.errors.items()},
        orgs=organisations_where(Role.FG, Role.ADMIN),
        now=now,
        outcomes=[(o.value, lb.outcome[o.value]) for o in Outcome],
        notified_options=[(k.value, _(v)) for k, v in NOTIFIED_LABELS.items()],
        informed_options=list(lb.informed.items()),
        data_options=[(k.value, _(v)) for k, v in DATA_KIND_LABELS.items()],
        sort_options=[(k.value, _(v)) for k, v in SORT_LABELS.items()],
        states=list(STATE_LABELS),
        filter_labels=FILTER_LABELS,
        lb=lb,
        pdf_limit=PDF_LIMIT,
        count_words=count_words(page.total, page.more_than) if page.total is not None else "",
        count_url=url_for("register.count", **_view_args()),
        count_link=url_for("register.index", **{**_view_args(), "count": "1"}),
    )


def count_words(total: int, more_than: bool) -> str:
    """ "12 incidents", or "More than 1.000 incidents" beyond the count's cap."""
    if more_than:
        return _("More than %(num)s incidents", num=f"{total:,}".replace(",", "."))
    return ngettext("%(num)d incident", "%(num)d incidents", total)


def _view_args() -> dict[str, Any]:
    """The request's arguments that choose the view (not the page's cursor)."""
    return {k: v for k, v in request.args.items() if k not in ("after", "before", "count")}


@bp.get("/count")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def count() -> ResponseReturnValue:
    """The number of incidents of a view, for a page that was shown before it was counted
    (a search on PostgreSQL, see services.register.view): static/js/register-count.js."""
    parsed = _filter()
    total = register.capped_count(db_session(), user(), parsed.filter, runtime().clock.now())
    capped = min(total, register.COUNT_CAP)
    response = jsonify(
        total=capped,
        more_than=total > register.COUNT_CAP,
        text=count_words(capped, total > register.COUNT_CAP),
    )
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.get("/export.csv")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def export_csv() -> ResponseReturnValue:
    wanted = _filter().filter
    now, fg_id = runtime().clock.now(), user().id
    _audit_export(wanted, "csv")
    labels = columns(Labels(now))

    def chunks() -> Iterator[str]:
        # The user is read again inside the stream's own read: the object loaded for the view
        # belongs to the transaction long_read has just ended (one export broke off with
        # "Instance <User> is not bound to a Session" after a restart).
        fg = db_session().get_one(User, fg_id)
        yield from csv_chunks(register.rows(db_session(), fg, wanted, now), labels)

    # The rows are read and written while the response is sent, in the request's context
    # (its database session, its language).
    return _download(
        Response(stream_with_context(_read_only_stream(chunks()))),
        "csv",
        "text/csv; charset=utf-8",
        now,
    )


def _read_only_stream(chunks: Iterator[str]) -> Iterator[bytes]:
    """``chunks`` encoded, read in a transaction that takes no write lock on SQLite and ends
    as soon as the stream does. An export streams for seconds; in a transaction begun as
    every other (BEGIN IMMEDIATE) it held the write lock all that time, and after it, until
    the session was cleaned up: every other request waited and failed ("database is
    locked")."""
    # The view's own transaction (reading the user again after the audit's commit) began with
    # the write lock: long_read ends it before the first row is read.
    with long_read(db_session()):
        for chunk in chunks:
            yield chunk.encode("utf-8")


@bp.get("/export.xlsx")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def export_xlsx() -> ResponseReturnValue:
    wanted = _filter().filter
    now, fg_id = runtime().clock.now(), user().id
    _audit_export(wanted, "xlsx")
    labels = columns(Labels(now))
    with long_read(db_session()):  # as for the CSV: no write lock (30 s at 100,000 incidents)
        fg = db_session().get_one(User, fg_id)  # in this read, as for the CSV
        handle = xlsx_file(
            register.rows(db_session(), fg, wanted, now), labels, title=_("Breach register")
        )
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(Response(file_chunks(handle)), "xlsx", mimetype, now)


@bp.get("/export.pdf")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def export_pdf() -> ResponseReturnValue:
    wanted = _filter().filter
    now = runtime().clock.now()
    total = register.count(db_session(), user(), wanted, now)
    back = url_for("register.index", **wanted.to_args())  # type: ignore[arg-type]
    if total > PDF_LIMIT:
        flash(
            _(
                "A PDF holds at most %(limit)d incidents; this view has %(total)d. Narrow the"
                " filters (for example to one year or one organisation), or export it to Excel"
                " (XLSX) or CSV, which hold any number.",
                limit=PDF_LIMIT,
                total=total,
            ),
            "warning",
        )
        return redirect(back)
    _audit_export(wanted, "pdf")
    found = list(register.rows(db_session(), user(), wanted, now, limit=PDF_LIMIT))
    lb = Labels(now)
    html = render_template(
        "register/print.html",
        rows=found,
        wanted=wanted,
        filters=filter_words(wanted, lb),
        now=now,
        orgs={o.id: o for o in organisations_where(Role.FG, Role.ADMIN)},
        lb=lb,
    )
    try:
        static = Path(current_app.static_folder or current_app.root_path).resolve()
        pdf = render_pdf(html, base_url=static.as_uri() + "/")
    except DocumentError:
        flash(
            _("The PDF could not be made on this server. Export to Excel or CSV instead."), "danger"
        )
        return redirect(back)
    return _download(Response(pdf), "pdf", "application/pdf", now)


def _download(response: Response, extension: str, mimetype: str, now: datetime) -> Response:
    stamp = utc_to_local(now).strftime("%Y%m%d-%H%M")
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = (
        f'attachment; filename="datalekregister-{stamp}.{extension}"'
    )
    response.headers["Cache-Control"] = "no-store, private"
    return response
