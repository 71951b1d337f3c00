"""The dashboard: the register in figures, for one organisation or all a user serves.

Charts are SVG drawn on the server (no script, no chart library, nothing from a CDN); each
has the table it is drawn from, which screen readers read instead of the picture.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.assessment import Outcome
from ..domain.dashboard import DEFAULT_MONTHS, column_chart, months_until
from ..domain.roles import Role
from ..domain.timeutil import utc_to_local
from ..extensions import db_session
from ..runtime import runtime
from ..services import dashboard
from .context import organisations_where, require_any_role, selected_locale, user
from .triage_forms import BREACH_TYPES, OUTCOME_LABELS

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

#: Spans the dashboard offers, in months.
SPANS = (12, 24, 36)
MONTH_NAMES_NL = "jan feb mrt apr mei jun jul aug sep okt nov dec".split()
MONTH_NAMES_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@bp.get("/")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def index() -> ResponseReturnValue:
    orgs = organisations_where(Role.FG, Role.ADMIN)
    org_id = request.args.get("org", type=int)
    org_id = org_id if org_id in {o.id for o in orgs} else None
    span = request.args.get("months", DEFAULT_MONTHS, type=int)
    span = span if span in SPANS else DEFAULT_MONTHS
    now = runtime().clock.now()
    months = months_until(utc_to_local(now).date(), span)
    found = dashboard.figures(db_session(), user(), months, org_id)
    short = MONTH_NAMES_EN if selected_locale() == "en" else MONTH_NAMES_NL
    month_rows = [
        (f"{short[m.first.month - 1]} {m.first:%y}", f"{m.first:%Y-%m}", n) for m, n in found.months
    ]
    bars, top = column_chart([(label, n) for label, _key, n in month_rows])
    outcome_rows = [("", _("No decision yet"), found.by_outcome.get("", 0))] + [
        (o.value, str(OUTCOME_LABELS[o]), found.by_outcome.get(o.value, 0)) for o in Outcome
    ]
    type_rows = [(key, str(label), found.by_type[key]) for key, label in BREACH_TYPES]
    return render_template(
        "dashboard/index.html",
        found=found,
        orgs=orgs,
        org_id=org_id,
        span=span,
        spans=SPANS,
        months=months,
        month_rows=month_rows,
        bars=bars,
        top=top,
        outcome_rows=outcome_rows,
        type_rows=type_rows,
        widest=max([n for *_x, n in outcome_rows + type_rows] + [1]),
        on_time=format_percent(found.on_time_share) if found.on_time_share is not None else "—",
        median_hours=(
            format_decimal(round(found.median_hours_to_filing, 1))
            if found.median_hours_to_filing is not None
            else "—"
        ),
    )
