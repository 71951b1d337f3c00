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
from flask_babel import ngettext, pgettext
from flask_login import login_required

from ..domain.assessment import Outcome
from ..domain.lifecycle import STATE_LABELS
from ..domain.register import (
    DATA_KIND_LABELS,
    NOTIFIED_LABELS,
    SORT_LABELS,
    ParsedFilter,
    RegisterFilter,
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
    csv_chunks,
    file_chunks,
    record_export,
    xlsx_file,
)
from ..sqlite import long_read
from .context import actor, organisations_where, require_any_role, user
from .register_labels import FILTER_LABELS, Labels, columns, filter_words

bp = Blueprint("register", __name__, url_prefix="/register")


def _filter() -> ParsedFilter:
    organisations = organisations_where(Role.FG, Role.ADMIN)
    return parse_filter(request.args, [o.id for o in organisations])


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
    register_word = pgettext("file name", "breach-register")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{register_word}-{stamp}.{extension}"'
    )
    response.headers["Cache-Control"] = "no-store, private"
    return response
